//! Windows tray (to come).
