//! Every test that runs the real binary: the CLI in a temporary home, and
//! the daemon on a private D-Bus bus with the stand-ins a test asks for,
//! each made by one harness, `common::Scene`. One test binary (each
//! `tests/*.rs` would link the whole crate again), so the long tests run
//! beside the short ones.

#[path = "../common/mod.rs"]
mod common;

mod calendar;
mod cli;
mod control;
mod daemon;
mod guide;
mod history;
mod hostile;
mod memory;
mod presence;
mod reliability;
mod report;
mod service;
mod sync;
mod timing;
mod tray;
mod trust;
mod writeahead;
