//! How the parts of unhunch talk: `command` (the one command type every
//! source sends the daemon), `reply` (typed replies), `protocol` (versioned
//! JSON request lines), `server` (the socket, in the daemon), `client` (in
//! the CLI): the last two are Linux's transport, a Unix socket.

#[cfg(target_os = "linux")]
pub mod client;
pub mod command;
pub mod protocol;
pub mod reply;
#[cfg(target_os = "linux")]
pub mod server;

use std::path::PathBuf;

/// What can go wrong talking to the daemon, on any transport.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("unhunch is not running (no daemon at {}): start it with `unhunch`, or at login with `unhunch service install`", .0.display())]
    NotRunning(PathBuf),
    #[error("talking to the daemon at {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the daemon answered something unexpected: {0}")]
    Protocol(String),
    /// The daemon refused the request; its words.
    #[error("{0}")]
    Refused(String),
    /// The socket's directory, or whoever serves it, is not to be trusted.
    #[error("not talking to the socket in {}: {why}", path.display())]
    Untrusted { path: PathBuf, why: String },
    /// This platform has no control transport yet.
    #[error("{0}")]
    Unavailable(&'static str),
}

pub use command::{Command, CommandError, What};
pub use reply::Reply;
