//! unhunch: a quiet break and posture reminder for the desktop.
//!
//! The crate is a library the binary and the tests share, built in floors
//! (docs/ARCHITECTURE.md): `platform` and `wait` on the ground with the pure
//! `core`; then `config`, `store`, `paths`, `clock` and `vocab` (the words
//! the adapters share); then the adapters `notify`, `tray`, `presence`,
//! `ipc` and `login`, each choosing its own Linux or Windows half; then the
//! `daemon` that puts them together, and the `cli` on top.

pub mod core;
pub mod platform;
pub mod wait;

pub mod clock;
pub mod config;
pub mod paths;
pub mod store;
pub mod vocab;

pub mod ipc;
pub mod login;
pub mod notify;
pub mod presence;
pub mod tray;

pub mod cli;
pub mod daemon;
