//! The session bus, as every part of the daemon opens it: each method call
//! is bounded, so a peer that never answers (a hung notification server or
//! desktop service) costs a timeout, never a task stuck for good.

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
