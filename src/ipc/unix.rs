//! The control transport on Linux, both ends: a Unix socket in the runtime
//! directory (mode 0600, the peer's uid checked), made again if it is
//! removed; and the CLI's [`request`]: the directory and the server checked,
//! then one request and its reply ([`exchange`]).

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, mpsc};
use tracing::{debug, warn};

use super::protocol::SOCKET;
use super::server::{MAX_CLIENTS, refuse, serve_connection, spawn_client};
use super::{ClientError, exchange};
use crate::vocab::{Command, What};
use crate::wait::or_never;

/// Binds the socket, replacing a stale one. The caller holds the instance
/// lock, but another daemon with another data directory may share this
/// runtime directory: a socket something answers on is never taken over.
pub fn bind(runtime_dir: &Path) -> io::Result<UnixListener> {
    let path = runtime_dir.join(SOCKET);
    if let Some(pid) = served_by(&path) {
        return Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "another unhunch (pid {pid}) serves {}: stop it first, or give each its own \
                 UNHUNCH_RUNTIME_DIR",
                path.display()
            ),
        ));
    }
    match std::fs::remove_file(&path) {
        Ok(()) => debug!("removed a stale socket {}", path.display()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// The pid of the process that accepts connections on the socket at
/// `path` (`Some(0)` if it cannot be told), or `None` if nothing does.
fn served_by(path: &Path) -> Option<u32> {
    let s = std::os::unix::net::UnixStream::connect(path).ok()?;
    Some(
        rustix::net::sockopt::socket_peercred(&s)
            .map_or(0, |c| c.pid.as_raw_nonzero().get().unsigned_abs()),
    )
}

/// Serves the socket in `runtime_dir` until the daemon stops. If the socket
/// (or its whole directory) is removed, it is made again.
pub async fn serve(
    mut listener: UnixListener,
    runtime_dir: PathBuf,
    daemon: mpsc::UnboundedSender<Command>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    let uid = rustix::process::getuid().as_raw();
    let mut watch = SocketWatch::new(&runtime_dir);
    loop {
        let stream = tokio::select! {
            a = listener.accept() => match a {
                Ok((s, _)) => s,
                Err(e) => {
                    warn!("control socket: accept failed: {e}");
                    continue;
                }
            },
            () = or_never(watch.as_mut().map(SocketWatch::gone)) => {
                // `rm -rf` takes the directory apart in steps: let it finish.
                tokio::time::sleep(Duration::from_millis(100)).await;
                if !watch.as_ref().is_some_and(SocketWatch::still_there) {
                    match crate::paths::make_private_dir(&runtime_dir)
                        .map_err(io::Error::other)
                        .and_then(|()| bind(&runtime_dir))
                    {
                        Ok(l) => {
                            warn!("the control socket was removed: made again in {}", runtime_dir.display());
                            listener = l;
                        }
                        Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                            // Never fight over it: commands reach the other.
                            warn!("the control socket was taken over: {e}; this daemon no longer answers commands");
                            return;
                        }
                        Err(e) => warn!("the control socket was removed and cannot be made again: {e}"),
                    }
                }
                watch = SocketWatch::new(&runtime_dir);
                continue;
            }
        };
        let daemon = daemon.clone();
        spawn_client(&slots, stream, move |stream| {
            connection(stream, daemon, uid)
        });
    }
}

/// Notices the socket file (or its directory) being removed or replaced.
struct SocketWatch {
    stream: inotify::EventStream<Vec<u8>>,
    /// (device, inode) of the socket bound.
    socket: Option<(u64, u64)>,
    path: PathBuf,
}

impl SocketWatch {
    fn new(dir: &Path) -> Option<SocketWatch> {
        use inotify::{Inotify, WatchMask};
        let path = dir.join(SOCKET);
        let result = Inotify::init().and_then(|i| {
            i.watches().add(
                dir,
                WatchMask::DELETE
                    | WatchMask::MOVED_FROM
                    | WatchMask::CREATE
                    | WatchMask::MOVED_TO
                    | WatchMask::DELETE_SELF
                    | WatchMask::MOVE_SELF,
            )?;
            i.into_event_stream(vec![0u8; 1024])
        });
        match result {
            Ok(stream) => Some(SocketWatch {
                stream,
                socket: crate::paths::file_id(&path),
                path,
            }),
            Err(e) => {
                warn!("the control socket is not watched ({e}): if it is removed, restart unhunch");
                None
            }
        }
    }

    fn still_there(&self) -> bool {
        self.socket.is_some() && crate::paths::file_id(&self.path) == self.socket
    }

    /// Resolves when the socket may be gone.
    async fn gone(&mut self) {
        use futures_util::StreamExt;
        let name = std::ffi::OsStr::new(SOCKET);
        while let Some(event) = self.stream.next().await {
            let Ok(event) = event else { return };
            let about_socket = event.name.as_deref() == Some(name);
            if about_socket || event.name.is_none() {
                return;
            }
        }
        // The watch itself ended (its directory went away).
    }
}

async fn connection(
    stream: UnixStream,
    daemon: mpsc::UnboundedSender<Command>,
    uid: u32,
) -> io::Result<()> {
    let peer = stream.peer_cred()?.uid();
    let (r, w) = stream.into_split();
    if peer != uid {
        warn!("control socket: refused a client of uid {peer}");
        return refuse(w).await;
    }
    serve_connection(r, w, daemon).await
}

/// Where the CLI finds the daemon, for messages.
pub fn address(runtime_dir: &Path) -> String {
    format!("socket {}", runtime_dir.join(SOCKET).display())
}

/// Sends one request and returns the daemon's reply, of the type that
/// request gets (`reply::Status` for `What::Status`, …).
pub fn request<T: DeserializeOwned>(runtime_dir: &Path, what: &What) -> Result<T, ClientError> {
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
    let stream = match std::os::unix::net::UnixStream::connect(&path) {
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
    stream.set_read_timeout(Some(super::WAIT)).map_err(io)?;
    stream.set_write_timeout(Some(super::WAIT)).map_err(io)?;
    exchange(&stream, &stream, what).map_err(|e| e.at(&path))
}
