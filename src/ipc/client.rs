//! Talking to the running daemon from the CLI.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::protocol::{self, Request, SOCKET};

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
}

/// Sends one request and returns the daemon's answer (the fields of an `ok`).
pub fn request(runtime_dir: &Path, req: &Request) -> Result<Value, ClientError> {
    let path = runtime_dir.join(SOCKET);
    let io = |source| ClientError::Io {
        path: path.clone(),
        source,
    };
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
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .map_err(io)?;
    let mut w = &stream;
    w.write_all(format!("{}\n", protocol::encode(req)).as_bytes())
        .map_err(io)?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).map_err(io)?;
    let v: Value =
        serde_json::from_str(&line).map_err(|e| ClientError::Protocol(format!("{e}: {line:?}")))?;
    match v.get("ok").and_then(Value::as_bool) {
        Some(true) => Ok(v),
        Some(false) => Err(ClientError::Refused(
            v.get("error")
                .and_then(Value::as_str)
                .unwrap_or("refused without a reason")
                .to_string(),
        )),
        None => Err(ClientError::Protocol(line)),
    }
}
