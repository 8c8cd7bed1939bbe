//! The tests that start no process: the engine on a fake clock, property
//! tests, every config error's text, the history database. One test binary
//! (each `tests/*.rs` would link the whole crate again).

mod calendar;
mod config_errors;
mod docs;
mod engine;
mod properties;
mod sim;
mod store;
mod sync;
