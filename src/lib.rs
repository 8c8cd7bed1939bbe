//! unhunch: a quiet break and posture reminder for the desktop.
//!
//! The crate is a library the binary and the tests share. `core` is pure;
//! `config`, `store`, `clock`, `paths`, `ipc` (the protocol) and `cli` are
//! the same on every platform; `platform` chooses, at compile time, what
//! differs. On Linux that is the freedesktop daemon below it: `daemon`
//! with `notify`, `tray`, `presence` and `bus`.

pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod ipc;
pub mod paths;
pub mod platform;
pub mod store;

#[cfg(target_os = "linux")]
pub mod bus;
#[cfg(target_os = "linux")]
pub mod daemon;
#[cfg(target_os = "linux")]
pub mod future;
#[cfg(target_os = "linux")]
pub mod notify;
#[cfg(target_os = "linux")]
pub mod presence;
#[cfg(target_os = "linux")]
pub mod tray;
