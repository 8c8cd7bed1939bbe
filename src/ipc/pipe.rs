//! Windows named pipe (to come).
