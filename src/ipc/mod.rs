//! The control socket: `protocol` (versioned JSON lines), `server` (in the
//! daemon), `client` (in the CLI).

pub mod client;
pub mod protocol;
pub mod server;
