//! Windows toasts (to come).
