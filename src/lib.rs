//! unhunch: a quiet break and posture reminder for the desktop.
//!
//! The crate is a library the binary and the tests share. `core` is pure;
//! everything else adapts it to files, D-Bus and the terminal.

pub mod bus;
pub mod cli;
pub mod config;
pub mod core;
pub mod daemon;
pub mod future;
pub mod ipc;
pub mod notify;
pub mod paths;
pub mod presence;
pub mod store;
pub mod tray;
