//! How the parts of unhunch talk: `command` (the one command type every
//! source sends the daemon), `reply` (typed replies), `protocol` (versioned
//! JSON request lines), `server` (a connection, in the daemon) and the
//! transport that carries them, both ends, chosen here: `unix` (a Unix
//! socket, Linux) or `pipe` (a named pipe, Windows).

pub mod protocol;
pub mod server;

#[cfg(target_os = "linux")]
mod unix;
#[cfg(target_os = "linux")]
pub use unix::{address, bind, request, serve};

#[cfg(windows)]
mod pipe;
#[cfg(windows)]
pub use pipe::{address, bind, request, serve};

use std::path::PathBuf;

/// What can go wrong talking to the daemon, on any transport.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("unhunch is not running (no daemon at {}): start it with `unhunch start`, or at login with `unhunch service install`", .0.display())]
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
    /// The daemon did not answer before the client gave up (stopped by a
    /// debugger or a frozen cgroup, say); it takes nothing after that.
    #[error("the daemon did not answer within {} s (stopped, or stuck): the command was not taken", WAIT.as_secs())]
    NoAnswer,
    /// The socket's directory, or whoever serves it, is not to be trusted.
    #[error("not talking to the socket in {}: {why}", path.display())]
    Untrusted { path: PathBuf, why: String },
}

/// How long a command may wait to be begun: sent with it as its deadline,
/// after which the daemon neither begins nor commits it.
pub const GIVE_UP: std::time::Duration = std::time::Duration::from_secs(9);
/// How long the CLI waits for the reply: the deadline, and time for a
/// write begun before it to end (the history's busy timeout is 2 s).
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(13);

/// One request and its reply over a connection already made and checked
/// (`r` and `w` its two ends), as the CLI makes them on every transport.
/// An I/O error is returned without its path: see [`ClientError::at`].
pub fn exchange<T, R, W>(r: R, mut w: W, what: &crate::vocab::What) -> Result<T, ClientError>
where
    T: serde::de::DeserializeOwned,
    R: std::io::Read,
    W: std::io::Write,
{
    use std::io::BufRead;
    let io = |source| ClientError::Io {
        path: PathBuf::new(),
        source,
    };
    // A daemon that turns the client away (busy) says why and closes, maybe
    // before the request is written: its line is still there to read.
    let deadline = jiff::Timestamp::now().checked_add(GIVE_UP).ok();
    let line =
        protocol::encode(what, deadline).map_err(|e| ClientError::Protocol(e.to_string()))?;
    let sent = w.write_all(format!("{line}\n").as_bytes());
    let mut line = String::new();
    let read = std::io::BufReader::new(r).read_line(&mut line);
    match (sent, read) {
        (_, Ok(n)) if n > 0 => {}
        (_, Err(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            return Err(ClientError::NoAnswer);
        }
        (Err(e), _) | (Ok(()), Err(e)) => return Err(io(e)),
        (Ok(()), Ok(_)) => {
            return Err(ClientError::Protocol(
                "the daemon closed the connection without a reply".into(),
            ));
        }
    }
    match crate::vocab::reply::read_line(&line) {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(refusal)) => Err(ClientError::Refused(refusal)),
        Err(e) => Err(ClientError::Protocol(e)),
    }
}

impl ClientError {
    /// Names where an I/O error happened.
    pub fn at(self, where_: &std::path::Path) -> ClientError {
        match self {
            ClientError::Io { source, .. } => ClientError::Io {
                path: where_.to_path_buf(),
                source,
            },
            e => e,
        }
    }
}
