//! The session bus, as every part of the daemon opens it: each method call
//! is bounded, so a peer that never answers (a hung notification server or
//! desktop service) costs a timeout, never a task stuck for good.

use std::path::PathBuf;
use std::time::Duration;

use zbus::Connection;

/// The longest any D-Bus call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn session() -> zbus::Result<Connection> {
    zbus::connection::Builder::session()?
        .method_timeout(CALL_TIMEOUT)
        .build()
        .await
}

pub async fn system() -> zbus::Result<Connection> {
    zbus::connection::Builder::system()?
        .method_timeout(CALL_TIMEOUT)
        .build()
        .await
}

/// The session bus's socket file, by zbus's rule: the `unix:path=` of
/// `DBUS_SESSION_BUS_ADDRESS`, or without it `$XDG_RUNTIME_DIR/bus`.
/// `None` for an address that names no file (abstract, tcp).
pub fn session_socket() -> Option<PathBuf> {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(address) => address.split(';').find_map(|one| {
            one.strip_prefix("unix:")?
                .split(',')
                .find_map(|kv| kv.strip_prefix("path="))
                .map(PathBuf::from)
        }),
        Err(_) => {
            let dir = std::env::var_os("XDG_RUNTIME_DIR").map_or_else(
                || PathBuf::from(format!("/run/user/{}", rustix::process::geteuid().as_raw())),
                PathBuf::from,
            );
            Some(dir.join("bus"))
        }
    }
}

/// A watch on the session bus's socket: it changes when the bus appears
/// (a desktop session started after the daemon). `None` when there is no
/// file or directory to watch.
pub fn watch_session() -> Option<super::FileWatch> {
    let path = session_socket()?;
    match super::FileWatch::new(&path) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::debug!(
                "the session bus cannot be waited for at {}: {e}",
                path.display()
            );
            None
        }
    }
}
