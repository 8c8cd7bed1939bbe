//! `doctor` on Linux: the session, the bus and what is on it (the
//! notification server, the tray host, the presence sources), the sound
//! server that shows calls, and how unhunch starts at login.

use super::{Check, fail, ok, warn};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn session() -> Check {
    let kind = env("XDG_SESSION_TYPE").unwrap_or_else(|| {
        if env("WAYLAND_DISPLAY").is_some() {
            "wayland".into()
        } else if env("DISPLAY").is_some() {
            "x11".into()
        } else {
            "none".into()
        }
    });
    let desktop = env("XDG_CURRENT_DESKTOP").unwrap_or_else(|| "unknown".into());
    if kind == "none" || kind == "tty" {
        warn(
            format!("session: {kind}, desktop: {desktop}"),
            "No graphical session here: reminders need a desktop's notification server.",
        )
    } else {
        ok(format!("session: {kind}, desktop: {desktop}"))
    }
}

fn tray_advice() -> String {
    let desktop = env("XDG_CURRENT_DESKTOP")
        .unwrap_or_default()
        .to_lowercase();
    if desktop.contains("gnome") {
        "GNOME shows tray icons with the \"AppIndicator and KStatusNotifierItem Support\" extension\n\
         (Debian/Ubuntu: sudo apt install gnome-shell-extension-appindicator, then log in again)."
            .into()
    } else if desktop.contains("i3") || desktop.contains("sway") || desktop.is_empty() {
        "This desktop has no StatusNotifierItem tray: use a bar that has one (waybar's tray module,\n\
         or snixembed with an XEmbed tray). unhunch works without it: notifications and commands."
            .into()
    } else {
        "No tray is running: add the system tray (status notifier) to your panel.\n\
         unhunch works without it: notifications and commands."
            .into()
    }
}

pub(crate) async fn desktop(calls_ignore: &[String]) -> Vec<Check> {
    let mut checks = vec![session()];
    checks.extend(dbus_checks().await);
    checks.push(calls(calls_ignore).await);
    checks
}

/// Whether calls can be seen: the sound server, asked as the daemon asks
/// it, and who captures the microphone now.
async fn calls(calls_ignore: &[String]) -> Check {
    match crate::presence::freedesktop::capture::probe().await {
        Ok((server, path, apps)) => {
            let (ignored, apps): (Vec<String>, Vec<String>) = apps
                .into_iter()
                .partition(|app| crate::core::model::call_ignored(calls_ignore, app));
            let mut now = if apps.is_empty() {
                "nothing captures the microphone now".to_string()
            } else {
                format!("{} captures the microphone now (a call)", apps.join(", "))
            };
            if !ignored.is_empty() {
                now.push_str(&format!(
                    "; {} captures it too, ignored (calls_ignore)",
                    ignored.join(", ")
                ));
            }
            ok(format!(
                "calls: seen through {server} ({}); {now}",
                path.display()
            ))
        }
        Err(e) => warn(
            format!("calls: no sound server answers ({e})"),
            "Reminders may show during a call. unhunch follows PulseAudio or PipeWire\n\
             (pipewire-pulse) once one runs; for a meeting, `unhunch pause --for 1h`.",
        ),
    }
}

async fn dbus_checks() -> Vec<Check> {
    let conn = match crate::platform::bus::session().await {
        Ok(c) => c,
        Err(e) => {
            return vec![fail(
                format!("D-Bus session bus: not reachable ({e})"),
                "Run unhunch inside your desktop session (DBUS_SESSION_BUS_ADDRESS must be set).",
            )];
        }
    };
    let facts = crate::notify::server_facts(&conn).await;
    let server_name = facts.as_ref().ok().map(|f| f.name.clone());
    let notifications = match facts {
        Ok(f) if f.has("actions") => ok(format!(
            "notifications: {} {} (with buttons)",
            f.name, f.version
        )),
        Ok(f) => warn(
            format!("notifications: {} {} shows no buttons", f.name, f.version),
            "Answer reminders from the tray menu or with `unhunch done`, `snooze`, `skip`.",
        ),
        Err(e) => fail(
            format!("notifications: no notification server ({e})"),
            "Start your desktop's notification daemon (e.g. dunst, mako, xfce4-notifyd);\n\
             unhunch keeps scheduling and shows reminders once one is there.",
        ),
    };
    let tray = match crate::presence::has_owner(&conn, "org.kde.StatusNotifierWatcher").await {
        Ok(true) => ok("tray: a StatusNotifierItem host is running"),
        Ok(false) => warn("tray: no tray host on this desktop", tray_advice()),
        Err(e) => warn(format!("tray: cannot ask the bus ({e})"), tray_advice()),
    };
    let (sources, idle) = presence_sources(&conn).await;
    let presence = if sources.is_empty() {
        warn(
            "presence: nothing on this desktop tells unhunch you are away",
            "Reminders still come, also while you are away or presenting.",
        )
    } else {
        ok(format!("presence: {}", sources.join(", ")))
    };
    let mut checks = vec![notifications, tray, presence];
    if let Some(server) = server_name
        && !sources.iter().any(|s| s.starts_with("do-not-disturb"))
    {
        checks.push(warn(
            format!("do-not-disturb: {server}'s, if it has one, is not visible to unhunch"),
            "While it is on, the server takes reminders and shows nothing: they end as\n\
             ignored. Pause unhunch instead (`unhunch pause --for 1h`), or use a server\n\
             whose switch unhunch follows (GNOME, KDE, dunst, xfce4-notifyd, mako,\n\
             SwayNotificationCenter).",
        ));
    }
    let session = crate::presence::Session::detect();
    if !idle && session != crate::presence::Session::None {
        checks.push(warn(
            "idle time: this desktop does not tell it",
            "Only a locked screen, the desktop's own idle hint and sleep count as away;\n\
             lock the screen when you step away.",
        ));
    }
    if session == crate::presence::Session::Wayland {
        checks.push(wayland_fullscreen().await);
    }
    checks
}

/// On Wayland, whether the compositor shows unhunch its windows (wlroots'
/// foreign-toplevel list), so that a fullscreen one holds reminders.
async fn wayland_fullscreen() -> Check {
    use crate::presence::freedesktop::wayland;
    match wayland::probe().await {
        Ok(offer) if offer.toplevels => ok(
            "fullscreen: seen through the compositor's window list (zwlr_foreign_toplevel_manager_v1)",
        ),
        _ => warn(
            "fullscreen: this compositor does not show its windows to unhunch",
            "GNOME and KDE keep their window lists to themselves on Wayland, so reminders\n\
             may show over a fullscreen window there, unless the desktop holds notifications\n\
             back itself (GNOME Shell does for ordinary banners). Turn on Do-Not-Disturb\n\
             for a presentation: unhunch follows it.",
        ),
    }
}

/// The presence sources this desktop offers, as `unhunch run` would use
/// them, and whether one of them tells the idle time.
async fn presence_sources(conn: &zbus::Connection) -> (Vec<String>, bool) {
    use crate::presence::freedesktop::{Session, choose_idle, dnd, lock, logind};
    let mut sources = Vec::new();
    for (name, _) in lock::SCREENSAVERS {
        if crate::presence::has_owner(conn, name)
            .await
            .unwrap_or(false)
        {
            sources.push(format!("screen lock ({name})"));
            break;
        }
    }
    if let Ok(system) = crate::platform::bus::system().await {
        match logind::our_session(&system).await {
            Some((id, _)) => {
                sources.push(format!("logind lock, idle hint and sleep (session {id})"))
            }
            None if crate::presence::has_owner(&system, "org.freedesktop.login1")
                .await
                .unwrap_or(false) =>
            {
                sources.push("logind sleep".to_string())
            }
            None => {}
        }
    }
    let session = Session::detect();
    let idle = choose_idle(session, Some(conn)).await;
    if let Some(idle) = &idle {
        let what = if session == Session::X11 {
            "idle time and fullscreen"
        } else {
            "idle time"
        };
        let mut name = idle.name().to_string();
        // The compositor's: which version, and whether it tells input
        // from an idle inhibitor (idle_inhibitors = "ignore").
        if session == Session::Wayland
            && let Ok(offer) = crate::presence::freedesktop::wayland::probe().await
            && name == offer.idle.name()
        {
            name = format!(
                "{name} version {}{}",
                offer.version,
                if offer.input_only() {
                    ", input apart from idle inhibitors"
                } else {
                    ""
                }
            );
        }
        sources.push(format!("{what} ({name})"));
    }
    if let Some(by) = dnd::server_source(conn).await {
        sources.push(format!("do-not-disturb ({by})"));
    }
    if dnd::is_gnome() && dnd::gnome_dnd().await.is_some() {
        sources.push("do-not-disturb (GNOME)".to_string());
    }
    if dnd::xfce_dnd(conn).await.is_some() {
        sources.push("do-not-disturb (xfce4-notifyd)".to_string());
    }
    let wayland = Session::detect() == Session::Wayland;
    if wayland && dnd::swaync_dnd(conn).await.is_some() {
        sources.push("do-not-disturb (SwayNotificationCenter)".to_string());
    }
    if wayland && dnd::mako_modes(conn).await.is_some() {
        sources.push(format!(
            "do-not-disturb (mako's mode {})",
            dnd::MAKO_DND_MODES.join(" or ")
        ));
    }
    (sources, idle.is_some())
}

pub(crate) fn autostart() -> Check {
    let Some(config_home) = directories::BaseDirs::new().map(|b| b.config_dir().to_path_buf())
    else {
        return warn("autostart: cannot find the config directory", "Set $HOME.");
    };
    let login = crate::login::LoginStart::find(&config_home);
    if let Some(unit) = login.unit {
        ok(format!("autostart: systemd user unit {}", unit.display()))
    } else if let Some(user) = login.user {
        ok(format!("autostart: {}", user.display()))
    } else if let Some(system) = login.system {
        ok(format!("autostart: {} (for all users)", system.display()))
    } else {
        warn(
            "autostart: unhunch does not start at login",
            "Install it with `unhunch service install`.",
        )
    }
}
