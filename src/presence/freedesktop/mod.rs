//! Presence on the Linux desktop: the screen lock, logind, the servers' and
//! desktops' Do-Not-Disturb, calls (the sound server's capture streams), and
//! the idle time from X11 or the compositor.

pub mod capture;
pub mod dnd;
pub mod idle;
pub mod lock;
pub mod logind;
pub mod wayland;
pub mod x11;

use tokio::sync::mpsc;
use tracing::{debug, info};

pub use super::{Change, Dnd, IdleSource, Sample, Watch};

/// Whether `name` has an owner on the bus.
pub async fn has_owner(conn: &zbus::Connection, name: &str) -> zbus::Result<bool> {
    conn.call_method(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        Some("org.freedesktop.DBus"),
        "NameHasOwner",
        &(name),
    )
    .await?
    .body()
    .deserialize::<bool>()
}

/// The kind of graphical session we run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    X11,
    Wayland,
    /// No display (a console, ssh, a test).
    None,
}

impl Session {
    /// From `XDG_SESSION_TYPE`, else `WAYLAND_DISPLAY` / `DISPLAY`. On
    /// Wayland, `DISPLAY` is Xwayland, whose idle time only counts input to
    /// X windows: it must not be used there.
    pub fn detect() -> Session {
        let has = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
        match std::env::var("XDG_SESSION_TYPE").as_deref() {
            Ok("wayland") => Session::Wayland,
            Ok("x11") if has("DISPLAY") => Session::X11,
            _ if has("WAYLAND_DISPLAY") => Session::Wayland,
            _ if has("DISPLAY") => Session::X11,
            _ => Session::None,
        }
    }
}

/// The idle-time source this session offers, if any: X11's
/// MIT-SCREEN-SAVER on X11 only; on Wayland GNOME's Mutter IdleMonitor,
/// else the compositor's idle notifications (`ext_idle_notifier_v1`, KDE's
/// `org_kde_kwin_idle`), else the freedesktop ScreenSaver's
/// GetSessionIdleTime. Never X11 on Wayland: Xwayland sees only its own
/// clients' input. Elsewhere only the event sources (lock, logind
/// IdleHint) say when the person is away.
pub async fn choose_idle(
    session: Session,
    bus: Option<&zbus::Connection>,
) -> Option<Box<dyn IdleSource>> {
    let chosen: Option<Box<dyn IdleSource>> = match session {
        Session::X11 => x11::X11Idle::connect().map(|x| Box::new(x) as Box<dyn IdleSource>),
        Session::Wayland => {
            let mutter = match bus {
                Some(conn) => idle::Mutter::connect(conn).await,
                None => None,
            };
            if let Some(m) = mutter {
                Some(Box::new(m))
            } else if let Some(w) = wayland::WaylandIdle::connect().await {
                Some(Box::new(w))
            } else {
                match bus {
                    Some(conn) => idle::ScreenSaverIdle::connect(conn)
                        .await
                        .map(|s| Box::new(s) as Box<dyn IdleSource>),
                    None => None,
                }
            }
        }
        Session::None => None,
    };
    match &chosen {
        Some(s) => info!("presence: idle time from {}", s.name()),
        None => debug!("no idle-time source in this {session:?} session"),
    }
    chosen
}

/// Starts every presence source this desktop has: their channel, and the
/// idle-time source the loop asks at its wakes. They all run whatever the
/// config says (they cost nothing while nothing happens); the config decides
/// what their reports mean, so a reload applies at once.
pub async fn start() -> (mpsc::UnboundedReceiver<Change>, Option<Box<dyn IdleSource>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let session = Session::detect();
    // One session-bus connection for all of them.
    let bus = match crate::platform::bus::session().await {
        Ok(bus) => {
            tokio::spawn(dnd::watch_server(bus.clone(), tx.clone()));
            tokio::spawn(dnd::watch_gnome(bus.clone(), tx.clone()));
            tokio::spawn(dnd::watch_xfce(bus.clone(), tx.clone()));
            // mako and SwayNotificationCenter draw with wlroots' layer
            // shell: only in a Wayland session are they asked at all.
            if session == Session::Wayland {
                tokio::spawn(dnd::watch_mako(bus.clone(), tx.clone()));
                tokio::spawn(dnd::watch_swaync(bus.clone(), tx.clone()));
            }
            tokio::spawn(lock::watch_screen_lock(bus.clone(), tx.clone()));
            Some(bus)
        }
        Err(e) => {
            debug!("no session bus for presence: {e}");
            None
        }
    };
    tokio::spawn(capture::watch(tx.clone()));
    tokio::spawn(logind::watch(tx));
    (rx, choose_idle(session, bus.as_ref()).await)
}
