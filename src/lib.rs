//! unhunch: a quiet break and posture reminder for the desktop.
//!
//! The crate is a library the binary and the tests share. `core` is pure;
//! `config`, `store`, `clock`, `paths`, `ipc` (the protocol) and `cli` are
//! the same on every platform; `daemon` with the shared halves of `notify`, `tray` and
//! `presence` too; `platform` chooses, at compile time, what differs (each
//! of those modules names its Linux and Windows halves, and `platform`
//! puts them together for the daemon and the CLI).

pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod ipc;
pub mod paths;
pub mod platform;
pub mod store;

pub mod daemon;
pub mod future;
pub mod notify;
pub mod presence;
pub mod tray;

#[cfg(target_os = "linux")]
pub mod bus;
