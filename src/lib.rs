//! unhunch: a quiet break and posture reminder for the desktop.
//!
//! The crate is a library the binary and the tests share, built in floors
//! (docs/ARCHITECTURE.md): `platform` and `wait` on the ground with the pure
//! `core`; then `config`, `store`, `paths`, `clock` and `vocab` (the words
//! the adapters share); then the adapters `notify`, `tray`, `presence`,
//! `ipc` and `login`, each choosing its own Linux or Windows half; then the
//! `daemon` that puts them together, and the `cli` on top.
//!
//! What the binary and the tests do not use is `pub(crate)`, so the
//! compiler finds dead code. It does so on Linux: there every shared item
//! has a user, while the Windows build leaves some of them to the Linux
//! half (the signals it has no equivalent of, say), hence the one lint line.

#![cfg_attr(windows, allow(dead_code))]

pub mod core;
pub(crate) mod platform;
pub(crate) mod wait;

pub(crate) mod clock;
pub mod config;
pub(crate) mod paths;
pub mod report;
pub mod store;
pub mod vocab;

pub mod calendar;
pub mod ipc;
pub(crate) mod login;
pub mod notify;
pub(crate) mod presence;
pub mod sync;
pub(crate) mod tray;

pub mod cli;
pub(crate) mod daemon;
