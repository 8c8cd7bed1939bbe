//! Configuration: `file` (serde structs as written) -> `resolve` (validated
//! model in `core`); `load` reads files and reports `file:line:col` errors.

pub mod file;
pub mod last_good;
pub mod load;
pub mod resolve;

pub use load::{
    DEFAULT_TOML, Diagnostic, LoadError, Loaded, embedded, load, load_or_default, parse,
};
