//! The screen lock, from the `ActiveChanged(bool)` signal of
//! `org.freedesktop.ScreenSaver` (KDE, XFCE, Cinnamon, MATE, LXQt) or
//! `org.gnome.ScreenSaver` (GNOME), on the session bus: event-driven.

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tracing::{debug, info};
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

use super::Change;

pub const SCREENSAVERS: [(&str, &str); 2] = [
    (
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
    ),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
];

/// Reports screen lock changes until the bus goes away.
pub async fn watch_screen_lock(conn: Connection, tx: mpsc::UnboundedSender<Change>) {
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
