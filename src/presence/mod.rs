//! Presence: is the person at the desk? Sources report changes on a channel;
//! the daemon turns them into engine inputs (`Away`, `Back`), so the rules
//! live in the engine and are tested there.
//!
//! Sources:
//! - the screen lock, from the `ActiveChanged(bool)` signal of
//!   `org.freedesktop.ScreenSaver` (KDE, XFCE, Cinnamon, MATE, LXQt) or
//!   `org.gnome.ScreenSaver` (GNOME), on the session bus: event-driven;
//! - logind's `Lock`/`Unlock` signals for our session (`$XDG_SESSION_ID`) on
//!   the system bus, as sent by `loginctl lock-session` and many lockers;
//! - the notification server's Do-Not-Disturb (KDE's `Inhibited`, dunst's
//!   `paused`), followed through PropertiesChanged;
//! - on X11, the idle time (`x11`), asked at the daemon's own wakes, and every
//!   30 s only while the person is away (to see them come back).

pub mod x11;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tracing::{debug, info};
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

pub const SCREENSAVERS: [(&str, &str); 2] = [
    (
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
    ),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The screen was locked (true) or unlocked (false).
    Locked(bool),
    /// The notification server's Do-Not-Disturb went on or off.
    DoNotDisturb(bool),
}

/// Reports screen lock changes until the bus goes away. Returns at once
/// (having said so) when there is no session bus.
pub async fn watch_screen_lock(tx: mpsc::UnboundedSender<Change>) {
    let conn = match Connection::session().await {
        Ok(c) => c,
        Err(e) => {
            debug!("no session bus for the screen lock: {e}");
            return;
        }
    };
    let rule = match MatchRule::builder()
        .msg_type(MsgType::Signal)
        .member("ActiveChanged")
        .map(|b| b.build())
    {
        Ok(r) => r,
        Err(e) => {
            debug!("screen lock match rule: {e}");
            return;
        }
    };
    let mut stream = match MessageStream::for_match_rule(rule, &conn, Some(16)).await {
        Ok(s) => s,
        Err(e) => {
            debug!("cannot listen for the screen lock: {e}");
            return;
        }
    };
    // Locked already when we start?
    for (name, path) in SCREENSAVERS {
        if let Ok(reply) = conn
            .call_method(Some(name), path, Some(name), "GetActive", &())
            .await
        {
            if let Ok(true) = reply.body().deserialize::<bool>() {
                info!("the screen is locked ({name})");
                let _ = tx.send(Change::Locked(true));
            }
            break;
        }
    }
    while let Some(Ok(msg)) = stream.next().await {
        let header = msg.header();
        let from_screensaver = header
            .interface()
            .is_some_and(|i| SCREENSAVERS.iter().any(|(name, _)| i.as_str() == *name));
        if !from_screensaver {
            continue;
        }
        if let Ok(active) = msg.body().deserialize::<bool>() {
            debug!(
                "screen lock: {}",
                if active { "locked" } else { "unlocked" }
            );
            if tx.send(Change::Locked(active)).is_err() {
                return;
            }
        }
    }
}

/// Reports logind's Lock and Unlock of our session. Returns at once (having
/// said why at debug level) without a system bus or a session id.
pub async fn watch_logind(tx: mpsc::UnboundedSender<Change>) {
    let Ok(id) = std::env::var("XDG_SESSION_ID") else {
        debug!("no XDG_SESSION_ID: logind lock signals are not watched");
        return;
    };
    let conn = match Connection::system().await {
        Ok(c) => c,
        Err(e) => {
            debug!("no system bus for logind: {e}");
            return;
        }
    };
    let path: zbus::zvariant::OwnedObjectPath = match conn
        .call_method(
            Some("org.freedesktop.login1"),
            "/org/freedesktop/login1",
            Some("org.freedesktop.login1.Manager"),
            "GetSession",
            &(id.as_str()),
        )
        .await
        .and_then(|m| m.body().deserialize())
    {
        Ok(p) => p,
        Err(e) => {
            debug!("logind does not know session {id}: {e}");
            return;
        }
    };
    let rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface("org.freedesktop.login1.Session")
        .and_then(|b| b.path(path.clone()))
        .map(|b| b.build());
    let Ok(rule) = rule else { return };
    let Ok(mut stream) = MessageStream::for_match_rule(rule, &conn, Some(8)).await else {
        return;
    };
    info!("presence: logind lock signals for session {id}");
    while let Some(Ok(msg)) = stream.next().await {
        let member = msg.header().member().map(|m| m.to_string());
        let change = match member.as_deref() {
            Some("Lock") => Change::Locked(true),
            Some("Unlock") => Change::Locked(false),
            _ => continue,
        };
        if tx.send(change).is_err() {
            return;
        }
    }
}

/// Where notification servers say "do not disturb", on
/// /org/freedesktop/Notifications: KDE's `Inhibited`, dunst's `paused`.
const DND_PROPERTIES: [(&str, &str); 2] = [
    ("org.freedesktop.Notifications", "Inhibited"),
    ("org.dunstproject.cmd0", "paused"),
];

/// Reports the notification server's Do-Not-Disturb: read at start, then
/// followed through PropertiesChanged (no polling).
pub async fn watch_dnd(tx: mpsc::UnboundedSender<Change>) {
    let Ok(conn) = Connection::session().await else {
        return;
    };
    let rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface("org.freedesktop.DBus.Properties")
        .and_then(|b| b.member("PropertiesChanged"))
        .and_then(|b| b.path("/org/freedesktop/Notifications"))
        .map(|b| b.build());
    let Ok(rule) = rule else { return };
    let Ok(mut stream) = MessageStream::for_match_rule(rule, &conn, Some(8)).await else {
        return;
    };
    if let Some((iface, prop, on)) = read_dnd(&conn).await {
        info!(
            "presence: do-not-disturb from {iface}.{prop} ({})",
            if on { "on" } else { "off" }
        );
        let _ = tx.send(Change::DoNotDisturb(on));
    }
    type Changed = (
        String,
        std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        Vec<String>,
    );
    while let Some(Ok(msg)) = stream.next().await {
        let Ok((iface, changed, _)) = msg.body().deserialize::<Changed>() else {
            continue;
        };
        let Some((_, prop)) = DND_PROPERTIES.iter().find(|(i, _)| *i == iface) else {
            continue;
        };
        if let Some(on) = changed.get(*prop).and_then(|v| bool::try_from(v).ok()) {
            debug!("do-not-disturb {}", if on { "on" } else { "off" });
            if tx.send(Change::DoNotDisturb(on)).is_err() {
                return;
            }
        }
    }
}

/// The first Do-Not-Disturb property the notification server answers for:
/// its interface, its name and its value.
async fn read_dnd(conn: &Connection) -> Option<(&'static str, &'static str, bool)> {
    for (iface, prop) in DND_PROPERTIES {
        let reply = conn
            .call_method(
                Some("org.freedesktop.Notifications"),
                "/org/freedesktop/Notifications",
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &(iface, prop),
            )
            .await;
        if let Ok(v) = reply.and_then(|m| m.body().deserialize::<zbus::zvariant::OwnedValue>())
            && let Ok(on) = bool::try_from(v)
        {
            return Some((iface, prop, on));
        }
    }
    None
}

/// Who says Do-Not-Disturb on this desktop, for `doctor`.
pub async fn dnd_source(conn: &Connection) -> Option<&'static str> {
    let (iface, _, _) = read_dnd(conn).await?;
    Some(if iface == "org.dunstproject.cmd0" {
        "dunst"
    } else {
        "notification server"
    })
}
