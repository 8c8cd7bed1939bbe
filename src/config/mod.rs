//! Configuration: `file` (serde structs as written) -> `resolve` (validated
//! model in `core`); `load` reads files and reports `file:line:col` errors;
//! `builtin` is what unhunch ships (each kind's words, the routines), read
//! by the same code.

pub mod builtin;
pub mod file;
pub mod last_good;
pub mod load;
pub mod preset;
mod report;
pub mod resolve;
mod routines;

pub use load::{DEFAULT_TOML, Diagnostic, LoadError, Loaded, load, load_or_default, parse};
pub use preset::Preset;
