//! Presence: is the person at the desk, and may a reminder show now?
//!
//! Two kinds of sources, both thin; the rules live in the engine (`Away`,
//! `Back`, `Hold`) and are tested there with a fake clock.
//!
//! - Event sources run as tasks and report a [`Change`] on a channel:
//!   the screen lock (`lock`), logind's Lock/Unlock, IdleHint and
//!   PrepareForSleep (`logind`), the notification server's or GNOME's
//!   Do-Not-Disturb (`dnd`). They only react to signals: no polling.
//! - An idle-time source, one [`IdleSource`] chosen at run time by
//!   [`choose_idle`] for the session (X11, GNOME's Mutter, or the
//!   freedesktop ScreenSaver's `GetSessionIdleTime`). The daemon asks it at
//!   its own wakes, which only happen when a reminder is due; while away it
//!   waits for the source's "input again" signal where there is one
//!   (Mutter), else looks every 30 s, and only while a reminder could come
//!   within the hour.

//!
//! The sources are the platform's: `freedesktop` (D-Bus, X11, logind) on
//! Linux, `windows` on Windows; each has a `start` that the daemon calls.

#[cfg(target_os = "linux")]
pub mod freedesktop;
#[cfg(target_os = "linux")]
pub use freedesktop::{Session, has_owner, start};

#[cfg(windows)]
pub mod windows;
#[cfg(windows)]
pub use windows::start;

use std::time::Duration;

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use tokio::sync::oneshot;

/// How often an idle-time source without an "input again" signal is asked
/// while the person is away or a fullscreen window holds reminders.
pub const RECHECK: Duration = Duration::from_secs(30);

/// What an event source saw.
#[derive(Debug)]
pub enum Change {
    /// The screensaver's lock went on (true) or off (false): a state.
    Locked(bool),
    /// logind's Lock (true) or Unlock (false) of our session, or its
    /// LockedHint. Lock and Unlock are requests to a locker, so an unlock
    /// by password often sends nothing: input after the lock also ends it.
    SessionLocked(bool),
    /// The desktop says the person is idle (logind's IdleHint, with the
    /// time it went idle if known), or active again.
    DesktopIdle {
        since: Option<Timestamp>,
    },
    DesktopActive,
    /// The computer is about to sleep: answer on `ack` once recorded, then
    /// it may go. `Woke` follows on resume.
    Sleeping {
        ack: oneshot::Sender<()>,
    },
    Woke,
    /// A Do-Not-Disturb switch went on or off.
    DoNotDisturb {
        by: Dnd,
        on: bool,
    },
    /// The applications capturing the microphone (or the camera) now, by
    /// name: none when the last one stopped, or when the source that saw
    /// them went away.
    Capturing(Vec<String>),
}

/// Who says "do not disturb".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dnd {
    /// The notification server (KDE's `Inhibited`, dunst's `paused`).
    Server,
    /// GNOME's "Do Not Disturb" (`org.gnome.desktop.notifications
    /// show-banners` off).
    Gnome,
    /// xfce4-notifyd's "Do not disturb" (xfconf `xfce4-notifyd
    /// /do-not-disturb`): it swallows notifications without a word.
    Xfce,
    /// mako's `do-not-disturb` (or `dnd`) mode.
    Mako,
    /// SwayNotificationCenter's do-not-disturb.
    Swaync,
}

/// One look at an idle-time source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Time since the last keyboard or pointer input.
    pub idle: Duration,
    /// Whether the active window is fullscreen; `None` where the source
    /// cannot see windows (GNOME and KDE on Wayland).
    pub fullscreen: Option<bool>,
}

/// What counts as idle, for sources the desktop tells rather than asks
/// (Wayland's idle notifications are armed with the timeout itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// No input this long is away; zero: nothing is watched.
    pub after: Duration,
    /// Whether an idle inhibitor (a video playing) keeps the person present.
    pub inhibitors: bool,
}

/// Where the time since the last input comes from: one per session,
/// chosen at run time.
pub trait IdleSource: Send + Sync {
    /// What it is, for the log and `doctor`.
    fn name(&self) -> &'static str;

    /// Told what counts as idle, before each sample (the config may have
    /// changed); sources that are asked for the idle time need nothing.
    fn watch(&self, _what: Watch) {}

    /// Asks now; `None` if the source went away.
    fn sample(&self) -> BoxFuture<'_, Option<Sample>>;

    /// Resolves at the next input, for sources that signal it (then the
    /// daemon needs no polling while away); `None` for those that do not.
    fn next_input(&self) -> Option<BoxFuture<'_, ()>> {
        None
    }

    /// Whether [`next_input`](Self::next_input) also resolves when the
    /// active window's fullscreen state changes (then a fullscreen hold
    /// needs no polling either).
    fn signals_fullscreen(&self) -> bool {
        false
    }
}
