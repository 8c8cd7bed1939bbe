//! What every front shows of a reminder and how it is answered there: the
//! application's names, each kind's icon, the Snooze label, and the keys of
//! a notification's buttons. The notifiers, the tray and the daemon's status
//! all take them from here, so they never import each other.

use jiff::SignedDuration;

use crate::core::{Answer, Kind};

pub const APP_NAME: &str = "unhunch";
/// The installed application's desktop file, without `.desktop`.
pub const DESKTOP_ID: &str = "io.github.unhunch.unhunch";

/// "Snooze 10 min", "Snooze 1 h 30 min", "Snooze 45 s".
pub fn snooze_label(d: SignedDuration) -> String {
    format!(
        "Snooze {}",
        crate::core::time::humane(d.max(SignedDuration::ZERO))
    )
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

/// A notification's buttons, as the server sends their keys back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Done,
    /// Run the reminder's routine in its notification.
    Start,
    Snooze,
    /// Skip; on a routine's notification, Stop.
    Skip,
    /// A click on the body (no label): done.
    Default,
}

impl Button {
    pub const fn key(self) -> &'static str {
        match self {
            Button::Done => "done",
            Button::Start => "start",
            Button::Snooze => "snooze",
            Button::Skip => "skip",
            Button::Default => "default",
        }
    }

    pub fn from_key(key: &str) -> Option<Button> {
        [
            Button::Done,
            Button::Start,
            Button::Snooze,
            Button::Skip,
            Button::Default,
        ]
        .into_iter()
        .find(|b| b.key() == key)
    }

    /// The answer the button gives (Start gives none: it runs a routine).
    pub fn answer(self) -> Option<Answer> {
        match self {
            Button::Done | Button::Default => Some(Answer::Done),
            Button::Snooze => Some(Answer::Snooze(None)),
            Button::Skip => Some(Answer::Skip),
            Button::Start => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip_and_give_their_answers() {
        for b in [
            Button::Done,
            Button::Start,
            Button::Snooze,
            Button::Skip,
            Button::Default,
        ] {
            assert_eq!(Button::from_key(b.key()), Some(b));
        }
        assert_eq!(Button::Default.answer(), Some(Answer::Done));
        assert_eq!(Button::Snooze.answer(), Some(Answer::Snooze(None)));
        assert_eq!(Button::Start.answer(), None);
        assert_eq!(Button::from_key("bogus"), None);
    }

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
