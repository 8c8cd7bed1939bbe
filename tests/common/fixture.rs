//! The history fixture of `stats` and `history` (tests/history.rs, and the
//! Windows build's comparison in tests/windows.rs): three days of answers,
//! with "today" Wed 25 Nov 2026 18:00 in Berlin.
#![allow(dead_code)]

use std::path::Path;

use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use unhunch::core::{Event, Kind, Outcome, Source};
use unhunch::store::Store;

pub const NOW: &str = "2026-11-25T18:00:00+01:00";

fn ev(at: &str, reminder: &str, kind: Kind, outcome: Outcome, source: Source) -> Event {
    let at: Timestamp = format!("2026-11-{at}:00+01:00").parse().unwrap();
    Event {
        at,
        reminder: reminder.into(),
        kind,
        outcome,
        source,
        due: matches!(outcome, Outcome::Shown | Outcome::Missed).then_some(at),
        snooze: (outcome == Outcome::Snoozed).then(|| SignedDuration::from_mins(10)),
        progress: None,
        device: None,
    }
}

pub fn fixture(dir: &Path) {
    use Kind::*;
    use Outcome::*;
    use Source::*;
    let (store, _) = Store::open_in(dir).unwrap();
    let events = [
        // Mon 23
        ev("23T09:45", "stand", Stand, Shown, Schedule),
        ev("23T09:46", "stand", Stand, Done, Notification),
        ev("23T10:00", "neck", Neck, Shown, Schedule),
        ev("23T10:15", "neck", Neck, Ignored, Schedule),
        ev("23T12:00", "decompress", Decompress, Missed, Schedule),
        // Tue 24: a snooze, then done; a skip; a late wind-down
        ev("24T09:45", "stand", Stand, Shown, Schedule),
        ev("24T09:47", "stand", Stand, Snoozed, Tray),
        ev("24T09:57", "stand", Stand, Shown, Schedule),
        ev("24T09:58", "stand", Stand, Done, Tray),
        ev("24T10:00", "neck", Neck, Shown, Schedule),
        ev("24T10:05", "neck", Neck, Skipped, Cli),
        ev("24T22:30", "wind-down", WindDown, Shown, Schedule),
        ev("24T22:31", "wind-down", WindDown, Done, Notification),
        // Wed 25
        ev("25T09:45", "stand", Stand, Shown, Schedule),
        ev("25T09:50", "stand", Stand, Done, Cli),
        ev("25T10:00", "neck", Neck, Shown, Schedule),
        ev("25T10:02", "neck", Neck, Dismissed, Notification),
        // a guided routine, walked through to the end
        ev("25T11:00", "neck", Neck, Shown, Guided),
        Event {
            progress: Some(unhunch::core::routine::Progress {
                routine: "neck-reset".into(),
                done: 10,
                of: 10,
                seconds: 81,
            }),
            ..ev("25T11:01", "neck", Neck, Done, Guided)
        },
    ];
    for e in &events {
        store.record(e, Offset::constant(1)).unwrap();
    }
}

/// `UNHUNCH_CLOCK_OFFSET` that makes unhunch's "now" `now`.
pub fn offset_to(now: &str) -> String {
    let now: Timestamp = now.parse().unwrap();
    let secs = now.duration_since(Timestamp::now()).as_secs();
    if secs < 0 {
        format!("-{}s", -secs)
    } else {
        format!("{secs}s")
    }
}
