//! Do-Not-Disturb, followed by signals (no polling):
//! - the notification server's switch on /org/freedesktop/Notifications:
//!   KDE's `Inhibited`, dunst's `paused` (PropertiesChanged);
//! - GNOME's, which is the `show-banners` key of
//!   `org.gnome.desktop.notifications`: dconf announces every write with its
//!   `Notify` signal, and the key is then read with `gsettings` (which knows
//!   the defaults, system databases and locks), so only at start and when it
//!   changes;
//! - XFCE's, xfce4-notifyd's `/do-not-disturb` in xfconf: read from xfconfd
//!   at start (only if it runs: it is not started for us), then followed
//!   through its `PropertyChanged` signal;
//! - mako's, a mode the person defines and selects (`makoctl mode -a
//!   do-not-disturb`): its modes read with `ListModes`, then followed through
//!   its `Modes` PropertiesChanged (mako 1.10+) or, before that (Debian 12's
//!   1.7 has no signal), by watching the `SetModes` calls that change them
//!   (a monitor connection of our own, opened only while mako serves);
//! - SwayNotificationCenter's: `GetDnd` on `org.erikreider.swaync.cc` at
//!   start and when it (re)starts, then its `Subscribe` signal (and
//!   `SubscribeV2` of later versions), sent at every change.

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tracing::{debug, info};
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

use super::{Change, Dnd};

/// Where notification servers say "do not disturb", on
/// /org/freedesktop/Notifications: KDE's `Inhibited`, dunst's `paused`.
const DND_PROPERTIES: [(&str, &str); 2] = [
    ("org.freedesktop.Notifications", "Inhibited"),
    ("org.dunstproject.cmd0", "paused"),
];

/// PropertiesChanged of the object at `path`.
fn properties_changed(path: &'static str) -> zbus::Result<MatchRule<'static>> {
    MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface("org.freedesktop.DBus.Properties")
        .and_then(|b| b.member("PropertiesChanged"))
        .and_then(|b| b.path(path))
        .map(|b| b.build())
}

/// The signals of `rule` (at most `capacity` waiting), and the changes of
/// `name`'s owner (a server starting, leaving, replaced): what every
/// watcher here follows. `None` when either cannot be subscribed.
async fn with_owner(
    conn: &Connection,
    rule: zbus::Result<MatchRule<'static>>,
    capacity: usize,
    name: &'static str,
) -> Option<(MessageStream, MessageStream)> {
    let owner = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .sender("org.freedesktop.DBus")
        .and_then(|b| b.member("NameOwnerChanged"))
        .and_then(|b| b.arg(0, name))
        .map(|b| b.build());
    let (Ok(rule), Ok(owner)) = (rule, owner) else {
        return None;
    };
    let signals = MessageStream::for_match_rule(rule, conn, Some(capacity))
        .await
        .ok()?;
    let owner = MessageStream::for_match_rule(owner, conn, Some(4))
        .await
        .ok()?;
    Some((signals, owner))
}

/// Reports the notification server's Do-Not-Disturb: read at start and
/// whenever a (new) server takes the name, then followed through
/// PropertiesChanged (no polling). A server that leaves is not in DND.
pub async fn watch_server(conn: Connection, tx: mpsc::UnboundedSender<Change>) {
    let Some((mut props, mut owner)) = with_owner(
        &conn,
        properties_changed("/org/freedesktop/Notifications"),
        8,
        "org.freedesktop.Notifications",
    )
    .await
    else {
        return;
    };
    let send = |on: bool| {
        tx.send(Change::DoNotDisturb {
            by: Dnd::Server,
            on,
        })
        .is_ok()
    };
    let read = async |conn: &Connection| match read_dnd(conn).await {
        Some((iface, prop, on)) => {
            info!(
                "presence: do-not-disturb from {iface}.{prop} ({})",
                if on { "on" } else { "off" }
            );
            Some(on)
        }
        None => None,
    };
    if let Some(on) = read(&conn).await {
        send(on);
    }
    type Changed = (
        String,
        std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        Vec<String>,
    );
    loop {
        let on = tokio::select! {
            Some(Ok(msg)) = props.next() => {
                let Ok((iface, changed, _)) = msg.body().deserialize::<Changed>() else {
                    continue;
                };
                let Some((_, prop)) = DND_PROPERTIES.iter().find(|(i, _)| *i == iface) else {
                    continue;
                };
                let Some(on) = changed.get(*prop).and_then(|v| bool::try_from(v).ok()) else {
                    continue;
                };
                debug!("do-not-disturb {}", if on { "on" } else { "off" });
                on
            }
            Some(Ok(msg)) = owner.next() => {
                let Ok((_, _, new)) = msg.body().deserialize::<(String, String, String)>() else {
                    continue;
                };
                if new.is_empty() {
                    debug!("the notification server left: not in do-not-disturb");
                    false
                } else {
                    read(&conn).await.unwrap_or(false)
                }
            }
            else => return,
        };
        if !send(on) {
            return;
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
pub async fn server_source(conn: &Connection) -> Option<&'static str> {
    let (iface, _, _) = read_dnd(conn).await?;
    Some(if iface == "org.dunstproject.cmd0" {
        "dunst"
    } else {
        "notification server"
    })
}

const BANNERS_SCHEMA: &str = "org.gnome.desktop.notifications";
const BANNERS_KEY: &str = "/org/gnome/desktop/notifications/show-banners";

/// Whether this is a GNOME session (`XDG_CURRENT_DESKTOP` names GNOME, as
/// in "GNOME", "ubuntu:GNOME", "pop:GNOME").
pub fn is_gnome() -> bool {
    std::env::var("XDG_CURRENT_DESKTOP")
        .is_ok_and(|d| d.split(':').any(|part| part.eq_ignore_ascii_case("gnome")))
}

/// GNOME's Do-Not-Disturb: `show-banners` is false. `None` if it cannot be
/// read (no gsettings, no schema).
pub async fn gnome_dnd() -> Option<bool> {
    let out = tokio::task::spawn_blocking(|| {
        std::process::Command::new("gsettings")
            .args(["get", BANNERS_SCHEMA, "show-banners"])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
    })
    .await
    .ok()?;
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(_) => return None,
        Err(e) => {
            debug!("gsettings: {e}");
            return None;
        }
    };
    match String::from_utf8_lossy(&out.stdout).trim() {
        "true" => Some(false),
        "false" => Some(true),
        other => {
            debug!("gsettings show-banners said {other:?}");
            None
        }
    }
}

/// Does a dconf `Notify(prefix, changes, tag)` touch show-banners?
fn touches_banners(prefix: &str, changes: &[String]) -> bool {
    changes.iter().any(|c| {
        let key = format!("{prefix}{c}");
        key == BANNERS_KEY || (BANNERS_KEY.starts_with(&key) && key.ends_with('/'))
    })
}

/// Reports GNOME's Do-Not-Disturb: read at start, then again whenever dconf
/// says the key (or a directory above it) was written.
pub async fn watch_gnome(conn: Connection, tx: mpsc::UnboundedSender<Change>) {
    if !is_gnome() {
        return;
    }
    let rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface("ca.desrt.dconf.Writer")
        .and_then(|b| b.member("Notify"))
        .map(|b| b.build());
    let Ok(rule) = rule else { return };
    let Ok(mut stream) = MessageStream::for_match_rule(rule, &conn, Some(8)).await else {
        return;
    };
    let Some(mut on) = gnome_dnd().await else {
        debug!("GNOME's show-banners cannot be read: its do-not-disturb is not followed");
        return;
    };
    info!(
        "presence: do-not-disturb from GNOME ({})",
        if on { "on" } else { "off" }
    );
    if on {
        let _ = tx.send(Change::DoNotDisturb { by: Dnd::Gnome, on });
    }
    while let Some(Ok(msg)) = stream.next().await {
        let Ok((prefix, changes, _)) = msg.body().deserialize::<(String, Vec<String>, String)>()
        else {
            continue;
        };
        if !touches_banners(&prefix, &changes) {
            continue;
        }
        match gnome_dnd().await {
            Some(now) if now != on => {
                on = now;
                if tx
                    .send(Change::DoNotDisturb { by: Dnd::Gnome, on })
                    .is_err()
                {
                    return;
                }
            }
            _ => {}
        }
    }
}

const XFCONF: &str = "org.xfce.Xfconf";
const XFCE_CHANNEL: &str = "xfce4-notifyd";
const XFCE_DND: &str = "/do-not-disturb";

/// Whether the notification server is xfce4-notifyd (its switch in xfconf
/// means nothing to another server).
async fn xfce_is_the_server(conn: &Connection) -> bool {
    let reply = conn
        .call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "GetServerInformation",
            &(),
        )
        .await;
    reply
        .and_then(|m| m.body().deserialize::<(String, String, String, String)>())
        .is_ok_and(|(name, vendor, _, _)| {
            format!("{name} {vendor}").to_lowercase().contains("xfce")
        })
}

/// xfce4-notifyd's Do-Not-Disturb, if it is the server, xfconfd runs and
/// the property can be read.
pub async fn xfce_dnd(conn: &Connection) -> Option<bool> {
    if !super::has_owner(conn, XFCONF).await.unwrap_or(false) || !xfce_is_the_server(conn).await {
        return None;
    }
    let reply = conn
        .call_method(
            Some(XFCONF),
            "/org/xfce/Xfconf",
            Some(XFCONF),
            "GetProperty",
            &(XFCE_CHANNEL, XFCE_DND),
        )
        .await;
    match reply {
        Ok(m) => m
            .body()
            .deserialize::<zbus::zvariant::OwnedValue>()
            .ok()
            .and_then(|v| bool::try_from(v).ok()),
        // Never set: off (xfce4-notifyd's default).
        Err(zbus::Error::MethodError(name, _, _))
            if name.as_str().ends_with("PropertyNotFound") =>
        {
            Some(false)
        }
        Err(e) => {
            debug!("xfconf: {e}");
            None
        }
    }
}

/// Reports xfce4-notifyd's Do-Not-Disturb: read at start, then followed
/// through xfconfd's signals (also when xfconfd starts after us).
pub async fn watch_xfce(conn: Connection, tx: mpsc::UnboundedSender<Change>) {
    let rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface(XFCONF)
        .and_then(|b| b.path("/org/xfce/Xfconf"))
        .and_then(|b| b.arg(0, XFCE_CHANNEL))
        .map(|b| b.build());
    let Ok(rule) = rule else { return };
    let Ok(mut stream) = MessageStream::for_match_rule(rule, &conn, Some(8)).await else {
        return;
    };
    let mut on = false;
    if let Some(now) = xfce_dnd(&conn).await {
        info!(
            "presence: do-not-disturb from xfce4-notifyd ({})",
            if now { "on" } else { "off" }
        );
        on = now;
        if on && tx.send(Change::DoNotDisturb { by: Dnd::Xfce, on }).is_err() {
            return;
        }
    }
    while let Some(Ok(msg)) = stream.next().await {
        let header = msg.header();
        let now = match header.member().map(|m| m.as_str()) {
            Some("PropertyChanged") => {
                let Ok((_, prop, value)) = msg
                    .body()
                    .deserialize::<(String, String, zbus::zvariant::OwnedValue)>()
                else {
                    continue;
                };
                if prop != XFCE_DND {
                    continue;
                }
                bool::try_from(value).unwrap_or(false) && xfce_is_the_server(&conn).await
            }
            Some("PropertyRemoved") => {
                let Ok((_, prop)) = msg.body().deserialize::<(String, String)>() else {
                    continue;
                };
                if prop != XFCE_DND {
                    continue;
                }
                false
            }
            _ => continue,
        };
        if now != on {
            on = now;
            if tx.send(Change::DoNotDisturb { by: Dnd::Xfce, on }).is_err() {
                return;
            }
        }
    }
}

const MAKO: &str = "fr.emersion.Mako";
const MAKO_PATH: &str = "/fr/emersion/Mako";

/// The names mako's users give the mode that hides notifications.
pub const MAKO_DND_MODES: [&str; 2] = ["do-not-disturb", "dnd"];

/// mako's current modes, if the notification server is mako.
pub async fn mako_modes(conn: &Connection) -> Option<Vec<String>> {
    conn.call_method(
        Some("org.freedesktop.Notifications"),
        MAKO_PATH,
        Some(MAKO),
        "ListModes",
        &(),
    )
    .await
    .and_then(|m| m.body().deserialize::<Vec<String>>())
    .ok()
}

fn mako_dnd(modes: &[String]) -> bool {
    modes.iter().any(|m| MAKO_DND_MODES.contains(&m.as_str()))
}

/// A connection that sees the calls that change mako's modes (mako before
/// 1.10 says nothing when they change). `None` if the bus refuses.
async fn mako_mode_calls() -> Option<MessageStream> {
    let monitor = crate::platform::bus::session().await.ok()?;
    let rules: Vec<MatchRule<'static>> = ["SetModes", "SetMode"]
        .into_iter()
        .filter_map(|member| {
            MatchRule::builder()
                .msg_type(MsgType::MethodCall)
                .interface(MAKO)
                .and_then(|b| b.member(member))
                .map(|b| b.build())
                .ok()
        })
        .collect();
    let proxy = zbus::fdo::MonitoringProxy::new(&monitor).await.ok()?;
    match proxy.become_monitor(&rules, 0).await {
        Ok(()) => Some(MessageStream::from(monitor)),
        Err(e) => {
            info!("presence: mako's mode changes cannot be watched ({e}): read at start only");
            None
        }
    }
}

/// Reports mako's do-not-disturb mode: read at start and whenever a (new)
/// server takes the name, then followed through its signal or the calls
/// that change its modes. No polling.
pub async fn watch_mako(conn: Connection, tx: mpsc::UnboundedSender<Change>) {
    let Some((mut props, mut owner)) = with_owner(
        &conn,
        properties_changed(MAKO_PATH),
        4,
        "org.freedesktop.Notifications",
    )
    .await
    else {
        return;
    };
    let mut calls: Option<MessageStream> = None;
    let mut on = false;
    let mut told = false;
    loop {
        let modes = mako_modes(&conn).await;
        if modes.is_some() && calls.is_none() {
            calls = mako_mode_calls().await;
        } else if modes.is_none() {
            // Not mako (any more): nothing to watch.
            calls = None;
        }
        let now = modes.as_deref().is_some_and(mako_dnd);
        if let Some(modes) = &modes
            && !told
        {
            info!(
                "presence: do-not-disturb from mako's modes ({})",
                if modes.is_empty() {
                    "none".to_string()
                } else {
                    modes.join(", ")
                }
            );
            told = true;
        }
        if now != on {
            on = now;
            if tx.send(Change::DoNotDisturb { by: Dnd::Mako, on }).is_err() {
                return;
            }
        }
        tokio::select! {
            Some(Ok(_)) = props.next() => {}
            Some(Ok(_)) = owner.next() => told = false,
            r = crate::wait::or_never(calls.as_mut().map(|c| c.next())) => {
                if !matches!(r, Some(Ok(_))) {
                    calls = None;
                }
            }
            else => return,
        }
    }
}

const SWAYNC: &str = "org.erikreider.swaync.cc";
const SWAYNC_PATH: &str = "/org/erikreider/swaync/cc";

/// SwayNotificationCenter's do-not-disturb, if it runs (asked only then:
/// its D-Bus service file would start it).
pub async fn swaync_dnd(conn: &Connection) -> Option<bool> {
    if !super::has_owner(conn, SWAYNC).await.unwrap_or(false) {
        return None;
    }
    conn.call_method(Some(SWAYNC), SWAYNC_PATH, Some(SWAYNC), "GetDnd", &())
        .await
        .and_then(|m| m.body().deserialize::<bool>())
        .ok()
}

/// Reports SwayNotificationCenter's do-not-disturb: read at start and
/// when it (re)starts, then followed through its signals. No polling.
pub async fn watch_swaync(conn: Connection, tx: mpsc::UnboundedSender<Change>) {
    let signals = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface(SWAYNC)
        .and_then(|b| b.path(SWAYNC_PATH))
        .map(|b| b.build());
    let Some((mut signals, mut owner)) = with_owner(&conn, signals, 8, SWAYNC).await else {
        return;
    };
    let mut on = false;
    let mut read = true;
    loop {
        let now = if std::mem::take(&mut read) {
            let now = swaync_dnd(&conn).await;
            if let Some(now) = now {
                info!(
                    "presence: do-not-disturb from SwayNotificationCenter ({})",
                    if now { "on" } else { "off" }
                );
            }
            now.unwrap_or(false)
        } else {
            on
        };
        if now != on {
            on = now;
            if tx
                .send(Change::DoNotDisturb {
                    by: Dnd::Swaync,
                    on,
                })
                .is_err()
            {
                return;
            }
        }
        tokio::select! {
            Some(Ok(msg)) = signals.next() => {
                let header = msg.header();
                let dnd = match header.member().map(|m| m.as_str()) {
                    Some("Subscribe") => msg.body().deserialize::<(u32, bool, bool)>().map(|b| b.1),
                    Some("SubscribeV2") => {
                        msg.body().deserialize::<(u32, bool, bool, bool)>().map(|b| b.1)
                    }
                    _ => continue,
                };
                if let Ok(dnd) = dnd && dnd != on {
                    on = dnd;
                    if tx.send(Change::DoNotDisturb { by: Dnd::Swaync, on }).is_err() {
                        return;
                    }
                }
            }
            Some(Ok(_)) = owner.next() => read = true,
            else => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::touches_banners;

    #[test]
    fn mako_modes_that_mean_do_not_disturb() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(super::mako_dnd(&s(&["default", "do-not-disturb"])));
        assert!(super::mako_dnd(&s(&["dnd"])));
        assert!(!super::mako_dnd(&s(&["default", "away"])));
        assert!(!super::mako_dnd(&[]));
    }

    #[test]
    fn dconf_notify_paths() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(touches_banners(BANNERS, &s(&[""])));
        assert!(touches_banners(
            "/org/gnome/desktop/notifications/",
            &s(&["show-banners", "x"])
        ));
        assert!(touches_banners(
            "/org/gnome/",
            &s(&["desktop/notifications/"])
        ));
        assert!(touches_banners("/", &s(&[""])));
        assert!(!touches_banners(
            "/org/gnome/desktop/notifications/",
            &s(&["show-in-lock-screen"])
        ));
        assert!(!touches_banners(
            "/org/gnome/desktop/interface/",
            &s(&["gtk-theme"])
        ));
        assert!(!touches_banners(
            "/org/gnome/desktop/notifications/show-banners-x",
            &s(&[""])
        ));
    }

    const BANNERS: &str = super::BANNERS_KEY;
}
