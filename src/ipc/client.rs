//! Talking to the running daemon from the CLI, over its Unix socket (the
//! Linux control transport): the directory and the server checked, then
//! one request and its reply ([`exchange`]).

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::exchange;
use super::protocol::{Request, SOCKET};

pub use super::ClientError;

/// Sends one request and returns the daemon's reply, of the type that
/// request gets (`reply::Status` for `Request::Status`, …).
pub fn request<T: DeserializeOwned>(runtime_dir: &Path, req: &Request) -> Result<T, ClientError> {
    let path = runtime_dir.join(SOCKET);
    let io = |source| ClientError::Io {
        path: path.clone(),
        source,
    };
    // Only a directory of ours, closed to others, and a daemon of ours: an
    // answer "done" from anyone else would be a lie.
    match crate::paths::check_private_dir(runtime_dir) {
        Ok(()) => {}
        Err(crate::paths::PrivateDirError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Err(ClientError::NotRunning(path));
        }
        Err(e) => {
            return Err(ClientError::Untrusted {
                path: runtime_dir.to_path_buf(),
                why: e.to_string(),
            });
        }
    }
    let stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Err(ClientError::NotRunning(path));
        }
        Err(e) => return Err(io(e)),
    };
    let server = rustix::net::sockopt::socket_peercred(&stream)
        .map_err(|e| io(e.into()))?
        .uid
        .as_raw();
    if server != rustix::process::getuid().as_raw() {
        return Err(ClientError::Untrusted {
            path: runtime_dir.to_path_buf(),
            why: format!("it is served by another user (uid {server})"),
        });
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    exchange(&stream, &stream, req).map_err(|e| e.at(&path))
}
