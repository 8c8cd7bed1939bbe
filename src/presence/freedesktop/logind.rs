//! logind on the system bus, all by signals:
//! - `Lock` / `Unlock` of our session (sent by `loginctl lock-session` and
//!   by many lockers);
//! - the session's `IdleHint` (set by the desktop after its own idle delay;
//!   used by the daemon only where no idle-time source exists);
//! - `PrepareForSleep`: a suspended computer is a person away. A "delay"
//!   inhibitor lock lets the daemon note the time before the machine
//!   sleeps; it is released as soon as that is done, and taken again on
//!   resume.
//!
//! Our session is `$XDG_SESSION_ID`, else (under a systemd user service,
//! which has none) the user's graphical session, logind's `User.Display`.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};
use zbus::zvariant::{OwnedFd, OwnedObjectPath, OwnedValue};
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

use super::Change;
use crate::wait::or_never;

const DEST: &str = "org.freedesktop.login1";
const MANAGER_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";

/// How long the machine may wait for us before sleeping.
const SLEEP_ACK: Duration = Duration::from_secs(3);

/// Our session's id and object path, if logind knows one.
pub async fn our_session(conn: &Connection) -> Option<(String, OwnedObjectPath)> {
    if let Ok(id) = std::env::var("XDG_SESSION_ID")
        && !id.is_empty()
    {
        let path: zbus::Result<OwnedObjectPath> = conn
            .call_method(
                Some(DEST),
                MANAGER_PATH,
                Some(MANAGER),
                "GetSession",
                &(id.as_str()),
            )
            .await
            .and_then(|m| m.body().deserialize());
        match path {
            Ok(p) => return Some((id, p)),
            // A stale or foreign id (tmux, a toolbox): try the display session.
            Err(e) => debug!("logind does not know session {id}: {e}"),
        }
    }
    // No (known) XDG_SESSION_ID, as in a systemd user service: the user's
    // display session.
    let uid = rustix::process::getuid().as_raw();
    let user: OwnedObjectPath = conn
        .call_method(Some(DEST), MANAGER_PATH, Some(MANAGER), "GetUser", &(uid))
        .await
        .and_then(|m| m.body().deserialize())
        .map_err(|e| debug!("logind does not know user {uid}: {e}"))
        .ok()?;
    let (id, path): (String, OwnedObjectPath) =
        get(conn, &user, "org.freedesktop.login1.User", "Display")
            .await
            .and_then(|v| v.try_into().ok())?;
    (!id.is_empty()).then_some((id, path))
}

async fn get(conn: &Connection, path: &str, iface: &str, prop: &str) -> Option<OwnedValue> {
    conn.call_method(
        Some(DEST),
        path,
        Some("org.freedesktop.DBus.Properties"),
        "Get",
        &(iface, prop),
    )
    .await
    .and_then(|m| m.body().deserialize::<OwnedValue>())
    .ok()
}

/// The session's idle hint: whether idle, and since when if known.
async fn idle_hint(conn: &Connection, session: &str) -> Option<(bool, Option<Timestamp>)> {
    let idle = bool::try_from(get(conn, session, SESSION, "IdleHint").await?).ok()?;
    let since = get(conn, session, SESSION, "IdleSinceHint")
        .await
        .and_then(|v| u64::try_from(v).ok())
        .filter(|us| *us > 0 && idle)
        .and_then(|us| Timestamp::from_microsecond(i64::try_from(us).ok()?).ok());
    Some((idle, since))
}

fn idle_change(idle: bool, since: Option<Timestamp>) -> Change {
    if idle {
        Change::DesktopIdle { since }
    } else {
        Change::DesktopActive
    }
}

/// A "delay" sleep inhibitor: logind waits (up to its InhibitDelayMaxSec)
/// until the returned descriptor is closed.
async fn inhibit_sleep(conn: &Connection) -> Option<OwnedFd> {
    match conn
        .call_method(
            Some(DEST),
            MANAGER_PATH,
            Some(MANAGER),
            "Inhibit",
            &(
                "sleep",
                "unhunch",
                "Noting the time away before sleep",
                "delay",
            ),
        )
        .await
        .and_then(|m| m.body().deserialize::<OwnedFd>())
    {
        Ok(fd) => Some(fd),
        Err(e) => {
            debug!("no sleep delay lock: {e}");
            None
        }
    }
}

async fn stream(conn: &Connection, rule: zbus::Result<MatchRule<'_>>) -> Option<MessageStream> {
    MessageStream::for_match_rule(rule.ok()?, conn, Some(8))
        .await
        .ok()
}

/// Reports our session's lock, idle hint, and the machine's sleep, until
/// the system bus goes away. Returns at once without a system bus.
pub async fn watch(tx: mpsc::UnboundedSender<Change>) {
    let conn = match crate::platform::bus::system().await {
        Ok(c) => c,
        Err(e) => {
            debug!("no system bus for logind: {e}");
            return;
        }
    };
    let sleep_rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .sender(DEST)
        .and_then(|b| b.interface(MANAGER))
        .and_then(|b| b.member("PrepareForSleep"))
        .map(|b| b.build());
    let Some(mut sleep) = stream(&conn, sleep_rule).await else {
        return;
    };
    let (mut lock, mut props, mut idle) = (None, None, false);
    let session_path = our_session(&conn).await.map(|(id, path)| {
        info!("presence: logind lock signals for session {id}");
        path
    });
    match &session_path {
        Some(path) => {
            let lock_rule = MatchRule::builder()
                .msg_type(MsgType::Signal)
                .sender(DEST)
                .and_then(|b| b.interface(SESSION))
                .and_then(|b| b.path(path.clone()))
                .map(|b| b.build());
            lock = stream(&conn, lock_rule).await;
            let props_rule = MatchRule::builder()
                .msg_type(MsgType::Signal)
                .sender(DEST)
                .and_then(|b| b.interface("org.freedesktop.DBus.Properties"))
                .and_then(|b| b.member("PropertiesChanged"))
                .and_then(|b| b.path(path.clone()))
                .and_then(|b| b.arg(0, SESSION))
                .map(|b| b.build());
            props = stream(&conn, props_rule).await;
            if let Some((true, since)) = idle_hint(&conn, path.as_str()).await {
                idle = true;
                let _ = tx.send(idle_change(true, since));
            }
        }
        None => debug!("logind knows no session of ours: its lock and idle hint are not watched"),
    }
    let mut sleep_lock = inhibit_sleep(&conn).await;
    loop {
        tokio::select! {
            Some(Ok(msg)) = sleep.next() => {
                let Ok(going) = msg.body().deserialize::<bool>() else { continue };
                if going {
                    let (ack, done) = oneshot::channel();
                    if tx.send(Change::Sleeping { ack }).is_err() {
                        return;
                    }
                    if tokio::time::timeout(SLEEP_ACK, done).await.is_err() {
                        warn!("the daemon did not note the sleep in time");
                    }
                    sleep_lock = None; // let the machine sleep
                } else {
                    if tx.send(Change::Woke).is_err() {
                        return;
                    }
                    if sleep_lock.is_none() {
                        sleep_lock = inhibit_sleep(&conn).await;
                    }
                }
            }
            Some(Ok(msg)) = or_never(lock.as_mut().map(|s| s.next())) => {
                let change = match msg.header().member().map(|m| m.as_str()) {
                    Some("Lock") => Change::SessionLocked(true),
                    Some("Unlock") => Change::SessionLocked(false),
                    _ => continue,
                };
                if tx.send(change).is_err() {
                    return;
                }
            }
            Some(Ok(msg)) = or_never(props.as_mut().map(|s| s.next())) => {
                type Changed = (String, HashMap<String, OwnedValue>, Vec<String>);
                let Ok((_, changed, invalidated)) = msg.body().deserialize::<Changed>() else {
                    continue;
                };
                let mentions = |p: &str| changed.contains_key(p) || invalidated.iter().any(|i| i == p);
                let Some(path) = session_path.as_ref() else { continue };
                if mentions("LockedHint")
                    && let Some(locked) = get(&conn, path.as_str(), SESSION, "LockedHint")
                        .await
                        .and_then(|v| bool::try_from(v).ok())
                    && tx.send(Change::SessionLocked(locked)).is_err()
                {
                    return;
                }
                if !mentions("IdleHint") {
                    continue;
                }
                if let Some((now, since)) = idle_hint(&conn, path.as_str()).await
                    && now != idle
                {
                    idle = now;
                    if tx.send(idle_change(now, since)).is_err() {
                        return;
                    }
                }
            }
            else => return,
        }
    }
}
