//! Reminders as desktop notifications: what the daemon asks the notifier
//! (`Request`), its settings, and what every platform's notifier shares
//! (button labels, the kinds' icons, what an action means). The notifier
//! itself is the platform's: `freedesktop` (D-Bus, Linux) or `toast`
//! (Windows), chosen here and named through `crate::platform`.

#[cfg(target_os = "linux")]
pub mod freedesktop;
#[cfg(windows)]
pub mod toast;

#[cfg(target_os = "linux")]
pub use freedesktop::server_facts;

use std::path::PathBuf;

use jiff::SignedDuration;

use crate::core::{Answer, Kind, ShowRequest};

pub const APP_NAME: &str = "unhunch";
/// The installed application's desktop file, without `.desktop`.
pub const DESKTOP_ID: &str = "io.github.unhunch.unhunch";

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
}

/// "Snooze 10 min", "Snooze 1 h 30 min", "Snooze 45 s".
pub fn snooze_label(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let text = match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, _) if h > 0 => format!("{h} h {m} min"),
        (_, m, s) => format!("{m} min {s} s"),
    };
    format!("Snooze {text}")
}

macro_rules! kind_pngs {
    ($suffix:literal) => {
        [
            include_bytes!(concat!(
                "../../packaging/icons/kinds/stand",
                $suffix,
                ".png"
            ))
            .as_slice(),
            include_bytes!(concat!("../../packaging/icons/kinds/neck", $suffix, ".png")).as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/kinds/decompress",
                $suffix,
                ".png"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/kinds/massage",
                $suffix,
                ".png"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/kinds/meditate",
                $suffix,
                ".png"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/kinds/wind-down",
                $suffix,
                ".png"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/kinds/custom",
                $suffix,
                ".png"
            ))
            .as_slice(),
        ]
    };
}

/// The kinds' icons, in the order of [`Kind::ALL`].
const KIND_ICONS: [&[u8]; 7] = kind_pngs!("");
const KIND_ICONS_SMALL: [&[u8]; 7] = kind_pngs!("-16");

fn kind_index(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Each kind's icon (PNG, 128 px), drawn like the tray icons: for the
/// notifications (written to files once at start).
pub fn kind_icon(kind: Kind) -> &'static [u8] {
    KIND_ICONS[kind_index(kind)]
}

/// The same at 16 px, for the tray's menu.
pub fn kind_icon_small(kind: Kind) -> &'static [u8] {
    KIND_ICONS_SMALL[kind_index(kind)]
}

/// The answer an action key stands for.
pub fn answer_for_action(key: &str) -> Option<Answer> {
    match key {
        "done" | "default" => Some(Answer::Done),
        "snooze" => Some(Answer::Snooze(None)),
        "skip" => Some(Answer::Skip),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snooze_labels_give_the_real_length() {
        assert_eq!(snooze_label(SignedDuration::from_mins(10)), "Snooze 10 min");
        assert_eq!(
            snooze_label(SignedDuration::from_mins(90)),
            "Snooze 1 h 30 min"
        );
        assert_eq!(snooze_label(SignedDuration::from_hours(2)), "Snooze 2 h");
        assert_eq!(snooze_label(SignedDuration::from_secs(45)), "Snooze 45 s");
        assert_eq!(
            snooze_label(SignedDuration::from_secs(90)),
            "Snooze 1 min 30 s"
        );
    }

    #[test]
    fn each_kind_has_its_own_icon() {
        for (i, a) in Kind::ALL.iter().enumerate() {
            assert!(kind_icon(*a).starts_with(b"\x89PNG"));
            assert!(kind_icon_small(*a).starts_with(b"\x89PNG"));
            for b in &Kind::ALL[i + 1..] {
                assert_ne!(kind_icon(*a), kind_icon(*b), "{a} and {b}");
            }
        }
    }
}
