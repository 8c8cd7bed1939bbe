//! Windows presence (to come).
