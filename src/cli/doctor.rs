//! `unhunch doctor`: one line per check, ✓ / ✗ / !, with what to do.
//! Exit 1 when something essential (notifications, config, history) fails.

use std::path::Path;
use std::process::ExitCode;

use crate::config;
use crate::ipc::client;
use crate::ipc::protocol::Request;
use crate::ipc::reply::Status;
use crate::paths::Paths;
use crate::store::{DB_FILE, SCHEMA_VERSION, Store, StoreError};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    /// Worth fixing, but unhunch works without it.
    Warn,
    /// unhunch cannot do its job.
    Fail,
}

struct Check {
    mark: Mark,
    what: String,
    advice: Option<String>,
}

fn ok(what: impl Into<String>) -> Check {
    Check {
        mark: Mark::Ok,
        what: what.into(),
        advice: None,
    }
}

fn warn(what: impl Into<String>, advice: impl Into<String>) -> Check {
    Check {
        mark: Mark::Warn,
        what: what.into(),
        advice: Some(advice.into()),
    }
}

fn fail(what: impl Into<String>, advice: impl Into<String>) -> Check {
    Check {
        mark: Mark::Fail,
        what: what.into(),
        advice: Some(advice.into()),
    }
}

pub fn run(p: &Paths) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut checks = vec![session()];
    checks.extend(rt.block_on(dbus_checks()));
    checks.push(config_check(&p.config, p.config_given));
    checks.push(database(&p.data_dir));
    checks.push(daemon(&p.runtime_dir));
    checks.push(autostart());
    let mut failed = false;
    for c in &checks {
        let mark = match c.mark {
            Mark::Ok => "✓",
            Mark::Warn => "!",
            Mark::Fail => "✗",
        };
        failed |= c.mark == Mark::Fail;
        println!("{mark} {}", c.what);
        if let Some(a) = &c.advice {
            for line in a.lines() {
                println!("    {line}");
            }
        }
    }
    if failed {
        println!("\nSomething unhunch needs is missing (✗): see above.");
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

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

async fn dbus_checks() -> Vec<Check> {
    let conn = match crate::bus::session().await {
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
             whose switch unhunch follows (GNOME, KDE, dunst, xfce4-notifyd).",
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
        checks.push(warn(
            "fullscreen: windows are not visible to unhunch on Wayland",
            "Reminders may show over a fullscreen window there, unless the desktop\n\
             holds notifications back itself (GNOME Shell does for ordinary banners).\n\
             Turn on Do-Not-Disturb for a presentation: unhunch follows it.",
        ));
    }
    checks
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
    if let Ok(system) = crate::bus::system().await {
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
        sources.push(format!("{what} ({})", idle.name()));
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
    (sources, idle.is_some())
}

fn config_check(path: &Path, given: bool) -> Check {
    match config::load_or_default(path, given) {
        Ok(l) => {
            let n = l.config.reminders.len();
            let enabled = l.config.enabled().count();
            let src = match &l.path {
                Some(p) => p.display().to_string(),
                None => format!("embedded default (no file at {})", path.display()),
            };
            let what = format!("config: {src}, {n} reminders, {enabled} enabled");
            if l.warnings.is_empty() {
                ok(what)
            } else {
                let w: Vec<String> = l.warnings.iter().map(|d| d.to_string()).collect();
                warn(what, w.join("\n"))
            }
        }
        Err(e) => fail(
            format!("config: {} is not valid", path.display()),
            format!("{e}\nFix it with `unhunch config edit`."),
        ),
    }
}

fn database(data_dir: &Path) -> Check {
    let path = data_dir.join(DB_FILE);
    match Store::open_reader(&path) {
        Ok(None) => ok(format!(
            "history: {} not created yet (the daemon makes it)",
            path.display()
        )),
        Ok(Some(s)) => {
            let read = || -> rusqlite::Result<(i64, String)> {
                let c = s.connection();
                Ok((
                    c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?,
                    c.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?,
                ))
            };
            let version = s
                .schema_version()
                .map_or_else(|e| e.to_string(), |v| v.to_string());
            match read() {
                Ok((events, integrity)) if integrity == "ok" => ok(format!(
                    "history: {}, {events} events, schema version {version} of {SCHEMA_VERSION}",
                    path.display()
                )),
                Ok((_, problem)) => fail(
                    format!("history: {} is damaged ({problem})", path.display()),
                    "Restart the daemon: it moves a damaged file aside and starts a new one.",
                ),
                Err(e) => fail(
                    format!("history: {} cannot be read ({e})", path.display()),
                    "Restart the daemon: it moves a damaged file aside and starts a new one.",
                ),
            }
        }
        Err(e @ StoreError::Damaged { .. }) => fail(
            format!("history: {e}"),
            "Restart the daemon: it moves a damaged file aside and starts a new one.",
        ),
        Err(e) => fail(
            format!("history: {e}"),
            "Check the file's permissions, or move it away to start a new history.",
        ),
    }
}

fn daemon(runtime_dir: &Path) -> Check {
    match client::request::<Status>(runtime_dir, &Request::Status) {
        Ok(v) => ok(format!(
            "daemon: running (pid {}), socket {}",
            v.pid,
            runtime_dir.join(crate::ipc::protocol::SOCKET).display()
        )),
        Err(client::ClientError::NotRunning(p)) => warn(
            format!("daemon: not running (no socket at {})", p.display()),
            "Start it with `unhunch`.",
        ),
        Err(e) => fail(format!("daemon: {e}"), "Stop it and start it again."),
    }
}

fn autostart() -> Check {
    let Some(config_home) = directories::BaseDirs::new().map(|b| b.config_dir().to_path_buf())
    else {
        return warn("autostart: cannot find the config directory", "Set $HOME.");
    };
    let login = super::service::LoginStart::find(&config_home);
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
