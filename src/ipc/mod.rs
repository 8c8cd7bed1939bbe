//! How the parts of unhunch talk: `command` (the one command type every
//! source sends the daemon), `reply` (typed replies), `protocol` (versioned
//! JSON request lines), `server` (the socket, in the daemon), `client` (in
//! the CLI).

pub mod client;
pub mod command;
pub mod protocol;
pub mod reply;
pub mod server;

pub use command::{Command, CommandError, What};
pub use reply::Reply;
