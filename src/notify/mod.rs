//! Reminders as desktop notifications: what the daemon asks the notifier
//! (`Request`), its settings, and what every platform's notifier shares
//! (the labels and icons every front shows are in `vocab::labels`). The notifier
//! itself is the platform's, chosen here: `freedesktop` (D-Bus, Linux) or
//! `toast` (Windows).

#[cfg(target_os = "linux")]
pub mod freedesktop;
#[cfg(target_os = "linux")]
pub use freedesktop::{Notifier, server_facts};

#[cfg(windows)]
pub mod toast;
#[cfg(windows)]
pub use toast::Notifier;

use std::path::PathBuf;

use jiff::SignedDuration;
use tokio::sync::watch;

use crate::core::ShowRequest;

/// Requests to the notifier.
#[derive(Debug, Clone)]
pub enum Request {
    Show(ShowRequest),
    /// Take down the notification of a reminder, if one is up.
    Close(String),
    /// A message about unhunch itself (a config error); replaces the last one.
    Alert {
        summary: String,
        body: String,
    },
    /// `notification_timeout` changed.
    Timeout(SignedDuration),
    /// Run the routine of this reminder in its notification, once that is
    /// up (the tray's Start).
    Start(String),
    /// The routines of the config (at start, and when it changes): what a
    /// notification's Start runs.
    Routines(Vec<crate::core::routine::Routine>),
    /// At start: the reminders still showing from the last run, to put up
    /// again in place of their notifications if those are still there.
    Restore(Vec<ShowRequest>),
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Zero: stay until answered.
    pub timeout: SignedDuration,
    /// A PNG to show as the icon; `None` uses the icon name `unhunch`.
    pub icon: Option<PathBuf>,
    /// A directory with a PNG per kind (`neck.png` …), for reminders.
    pub kind_icons: Option<PathBuf>,
    /// Where the ids of the notifications up are kept, so that a daemon
    /// started after a crash replaces or closes them (no dead copies).
    pub ids_file: Option<PathBuf>,
    /// Where the notifier says whether reminders reach the screen.
    pub reach: watch::Sender<Reach>,
}

/// Whether reminders reach the screen, as the notifier last found: what
/// `status` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reach {
    /// Not tried yet.
    #[default]
    Unknown,
    /// Shown by this notification server (name and version).
    Server(String),
    /// They cannot be shown: why, in words.
    Blocked(String),
}

impl Settings {
    /// Says `reach`, if it changed (the daemon reads it when asked: no
    /// message, no wake-up).
    pub fn say_reach(&self, reach: Reach) {
        self.reach.send_if_modified(|r| {
            let changed = *r != reach;
            *r = reach;
            changed
        });
    }
}
