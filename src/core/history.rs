//! The history's words: what became of a showing (`Outcome`), who answered
//! (`Source`), and one line of history (`Event`). The engine writes them,
//! the store keeps them, stats reads them.

use std::fmt;

use jiff::{SignedDuration, Timestamp};

use super::kind::Kind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Shown,
    Done,
    Snoozed,
    Skipped,
    Dismissed,
    Expired,
    Ignored,
    Missed,
    Away,
    /// A break taken on one's own (`unhunch took`), with no showing: it
    /// restarts an interval, and is counted apart from answered reminders.
    Took,
    /// Answered elsewhere: another device (the event's `device`) answered
    /// the same occurrence, so this device's showing came down. It ends the
    /// showing here but is not counted as one: the other device's answer,
    /// read from the sync folder, is the one stats count.
    Elsewhere,
}

impl Outcome {
    pub const ALL: [Outcome; 11] = [
        Outcome::Shown,
        Outcome::Done,
        Outcome::Snoozed,
        Outcome::Skipped,
        Outcome::Dismissed,
        Outcome::Expired,
        Outcome::Ignored,
        Outcome::Missed,
        Outcome::Away,
        Outcome::Took,
        Outcome::Elsewhere,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Shown => "shown",
            Outcome::Done => "done",
            Outcome::Snoozed => "snoozed",
            Outcome::Skipped => "skipped",
            Outcome::Dismissed => "dismissed",
            Outcome::Expired => "expired",
            Outcome::Ignored => "ignored",
            Outcome::Missed => "missed",
            Outcome::Away => "away",
            Outcome::Took => "took",
            Outcome::Elsewhere => "elsewhere",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcomes that end a showing (and restart an interval): the
    /// engine's state machine, the day's count and the stats all use this set.
    pub const ENDS_SHOWING: [Outcome; 6] = [
        Outcome::Done,
        Outcome::Skipped,
        Outcome::Dismissed,
        Outcome::Expired,
        Outcome::Ignored,
        Outcome::Away,
    ];

    /// Ends a showing and restarts an interval.
    pub fn is_terminal(self) -> bool {
        Outcome::ENDS_SHOWING.contains(&self)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an answer or a showing came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Notification,
    Tray,
    Cli,
    Schedule,
    /// A guided routine's end (finished: done; stopped: skipped).
    Guided,
    /// The break owed after a long hold (a meeting, a call), shown once it
    /// ended.
    CatchUp,
    /// The sync folder: another device's answer (`elsewhere`).
    Sync,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Notification,
        Source::Tray,
        Source::Cli,
        Source::Schedule,
        Source::Guided,
        Source::CatchUp,
        Source::Sync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Notification => "notification",
            Source::Tray => "tray",
            Source::Cli => "cli",
            Source::Schedule => "schedule",
            Source::Guided => "guided",
            Source::CatchUp => "catch-up",
            Source::Sync => "sync",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One line of history.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub at: Timestamp,
    pub reminder: String,
    pub kind: Kind,
    pub outcome: Outcome,
    pub source: Source,
    /// The scheduled instant the showing belongs to (shown, missed).
    pub due: Option<Timestamp>,
    /// The snooze length (snoozed).
    pub snooze: Option<SignedDuration>,
    /// How far a guided routine got (source guided).
    pub progress: Option<super::routine::Progress>,
    /// `None`: this device. Else another device's name: the one the event
    /// happened on (read from the sync folder), or, for
    /// [`Outcome::Elsewhere`], the one that answered.
    pub device: Option<String>,
}

impl Event {
    /// An answer another device gave that is a break here too, or an end
    /// of the same showing: done, skipped, or a break taken on one's own.
    pub fn is_break_elsewhere(&self) -> bool {
        self.device.is_some()
            && matches!(
                self.outcome,
                Outcome::Done | Outcome::Skipped | Outcome::Took
            )
    }
}

/// Another device's presence, read from the sync folder: active (input
/// there) or away since `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub device: String,
    pub active: bool,
    pub at: Timestamp,
}

/// An event read from another device's file in the sync folder: its id
/// (unique across devices) and the local offset it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Remote {
    pub id: String,
    pub offset: jiff::tz::Offset,
    /// Its `device` is the device it came from.
    pub event: Event,
    /// An answer to an occurrence already answered (here, or on a third
    /// device, at the same time): kept, but not counted again.
    pub repeat: bool,
}
