//! The control transport on Windows: a named pipe per user,
//! `\\.\pipe\unhunch-<user>`, that only this user can open (its DACL names
//! the user's SID alone) and that remote clients cannot reach. The daemon
//! creates its first instance with `first_pipe_instance`, so a pipe of that
//! name made by anyone else first is an error, not a server to share.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};
use tokio::sync::{Semaphore, mpsc};
use tracing::warn;

use super::server::{MAX_CLIENTS, serve_connection, spawn_client};
use super::{ClientError, exchange};
use crate::platform::win32::UserSecurity;
use crate::vocab::Command;
use crate::vocab::What;

/// The pipe of this user.
pub fn name() -> String {
    format!(r"\\.\pipe\unhunch-{}", crate::platform::user_tag())
}

fn create(first: bool, security: &UserSecurity) -> io::Result<NamedPipeServer> {
    let mut o = ServerOptions::new();
    o.first_pipe_instance(first).reject_remote_clients(true);
    // SAFETY: the attributes point at a security descriptor that `security`
    // owns and keeps alive across the call.
    unsafe { o.create_with_security_attributes_raw(name(), security.attributes()) }
}

/// The daemon's pipe, with its security; `runtime_dir` is not used (the
/// pipe lives in the pipe namespace).
pub struct Listener {
    first: NamedPipeServer,
    security: UserSecurity,
}

/// Creates the first instance. Fails if another process holds the name.
/// Where the CLI finds the daemon, for messages.
pub fn address(_runtime_dir: &Path) -> String {
    format!("pipe {}", name())
}

pub fn bind(_runtime_dir: &Path) -> io::Result<Listener> {
    let security = UserSecurity::current_user_only()?;
    let first = create(true, &security).map_err(|e| {
        if e.raw_os_error() == Some(5) {
            // ERROR_ACCESS_DENIED: the name exists and is not ours to join.
            io::Error::new(
                e.kind(),
                format!("{} is held by another program: {e}", name()),
            )
        } else {
            e
        }
    })?;
    Ok(Listener { first, security })
}

/// Serves the pipe until the daemon stops: one instance waits for a
/// client while the ones connected are served by their own tasks.
pub async fn serve(
    listener: Listener,
    _runtime_dir: PathBuf,
    daemon: mpsc::UnboundedSender<Command>,
) {
    let Listener {
        first: mut server,
        security,
    } = listener;
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    loop {
        let connected = server.connect().await;
        let next = loop {
            match create(false, &security) {
                Ok(s) => break s,
                Err(e) => {
                    warn!("control pipe: cannot make the next instance ({e}): trying again in 1 s");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        };
        let stream = std::mem::replace(&mut server, next);
        if let Err(e) = connected {
            // That instance is spent: the next one waits for the next client.
            warn!("control pipe: a client could not connect: {e}");
            continue;
        }
        let daemon = daemon.clone();
        spawn_client(&slots, stream, |stream| async move {
            let (r, w) = tokio::io::split(stream);
            serve_connection(r, w, daemon).await
        });
    }
}

/// Sends one request to the daemon of this user and returns its reply.
pub fn request<T: DeserializeOwned>(_runtime_dir: &Path, what: &What) -> Result<T, ClientError> {
    let name = name();
    let path = PathBuf::from(&name);
    let io = |source| ClientError::Io {
        path: path.clone(),
        source,
    };
    let mut tries = 0;
    let pipe = loop {
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&name)
        {
            Ok(f) => break f,
            // ERROR_FILE_NOT_FOUND: no daemon.
            Err(e) if e.raw_os_error() == Some(2) => return Err(ClientError::NotRunning(path)),
            // ERROR_PIPE_BUSY: every instance is taken; one comes soon.
            Err(e) if e.raw_os_error() == Some(231) && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(io(e)),
        }
    };
    match crate::platform::win32::owned_by_this_user(&pipe) {
        Ok(true) => {}
        Ok(false) => {
            return Err(ClientError::Untrusted {
                path,
                why: "it is served by another user".into(),
            });
        }
        Err(e) => {
            return Err(ClientError::Untrusted {
                path,
                why: format!("its owner cannot be read ({e})"),
            });
        }
    }
    exchange(&pipe, &pipe, what).map_err(|e| e.at(&path))
}
