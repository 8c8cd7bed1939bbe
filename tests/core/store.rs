//! The history database: round trips, migrations, recovery from broken files.

use jiff::{SignedDuration, Timestamp, tz::Offset};
use unhunch::core::{Event, Kind, Outcome, Pause, Source};
use unhunch::store::{Opened, SCHEMA_VERSION, Store, StoreError};

fn ev(at: &str, outcome: Outcome) -> Event {
    Event {
        at: at.parse().unwrap(),
        reminder: "stand".into(),
        kind: Kind::Stand,
        outcome,
        source: Source::Notification,
        due: Some(at.parse().unwrap()),
        snooze: (outcome == Outcome::Snoozed).then(|| SignedDuration::from_mins(10)),
        progress: None,
        device: None,
    }
}

#[test]
fn events_and_pause_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (store, opened) = Store::open_in(dir.path()).unwrap();
    assert_eq!(opened, Opened::Fine);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let a = ev("2026-11-25T09:45:00Z", Outcome::Shown);
    let b = ev("2026-11-25T09:46:00Z", Outcome::Snoozed);
    store.record(&a, Offset::constant(1)).unwrap();
    store.record(&b, Offset::constant(1)).unwrap();
    assert_eq!(
        store
            .events_since("2026-11-25T00:00:00Z".parse().unwrap())
            .unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        store
            .events_since("2026-11-25T09:46:00Z".parse().unwrap())
            .unwrap(),
        vec![b]
    );
    // The local day is derived from the offset: 23:30Z at +01:00 is the next day.
    store
        .record(
            &ev("2026-11-25T23:30:00Z", Outcome::Done),
            Offset::constant(1),
        )
        .unwrap();
    let day: String = store
        .connection()
        .query_row("SELECT day FROM events ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(day, "2026-11-26");

    assert_eq!(store.pause().unwrap(), None);
    let p = Pause {
        since: Timestamp::from_second(1_000).unwrap(),
        until: Some(Timestamp::from_second(5_000).unwrap()),
    };
    store.set_pause(Some(p)).unwrap();
    drop(store);
    let (store, _) = Store::open_in(dir.path()).unwrap();
    assert_eq!(
        store.pause().unwrap(),
        Some(p),
        "a pause survives a restart"
    );
    store.set_pause(Some(Pause { until: None, ..p })).unwrap();
    assert_eq!(store.pause().unwrap().unwrap().until, None);
    store.set_pause(None).unwrap();
    assert_eq!(store.pause().unwrap(), None);
}

#[test]
fn garbage_file_is_moved_aside_and_a_fresh_one_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unhunch.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let (store, opened) = Store::open(&path).unwrap();
    let Opened::Recovered { moved_to, reason } = opened else {
        panic!("expected recovery")
    };
    assert!(
        moved_to
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("unhunch.db.corrupt-")
    );
    assert_eq!(
        std::fs::read(&moved_to).unwrap(),
        vec![0x42u8; 8192],
        "the old bytes are kept"
    );
    assert!(reason.contains("not a database"), "{reason}");
    store
        .record(&ev("2026-11-25T09:45:00Z", Outcome::Done), Offset::UTC)
        .unwrap();
}

#[test]
fn a_newer_schema_is_refused_not_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unhunch.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    match Store::open(&path) {
        Err(e @ StoreError::TooNew { .. }) => {
            assert!(e.to_string().contains("schema version 99"), "{e}")
        }
        Err(e) => panic!("unexpected {e}"),
        Ok(_) => panic!("opened a newer schema"),
    }
}

#[test]
fn migration_from_an_empty_file_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let (s, opened) = Store::open_in(dir.path()).unwrap();
        assert_eq!(opened, Opened::Fine);
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    }
}

/// Every instant the daemon can write reads back (the last millisecond jiff
/// has, reached by a clock at the end of the calendar), and a row that cannot
/// be read is left out, not fatal: the daemon replays the rest at start.
#[test]
fn the_last_instant_reads_back_and_a_bad_row_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open_in(dir.path()).unwrap();
    let mut last = ev("2026-11-25T09:45:00Z", Outcome::Shown);
    // Stored to the millisecond.
    let max = Timestamp::new(Timestamp::MAX.as_second(), 999_000_000).unwrap();
    last.at = max;
    last.due = Some(max);
    let good = ev("2026-11-25T09:46:00Z", Outcome::Done);
    store.record(&good, Offset::UTC).unwrap();
    store.record(&last, Offset::UTC).unwrap();
    store
        .connection()
        .execute(
            "INSERT INTO events (at, utc_offset, reminder, kind, outcome, source)
             VALUES (1, 0, 'stand', 'no-such-kind', 'done', 'cli')",
            [],
        )
        .unwrap();
    assert_eq!(
        store
            .events_since(Timestamp::from_second(0).unwrap())
            .unwrap(),
        vec![good, last]
    );
}

/// A history written by the first schema is migrated in place: its rows
/// stay, and a guided routine's progress is kept from then on.
#[test]
fn a_version_1_history_is_migrated_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(unhunch::store::DB_FILE);
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE events (
                id INTEGER PRIMARY KEY, at INTEGER NOT NULL, utc_offset INTEGER NOT NULL,
                reminder TEXT NOT NULL, kind TEXT NOT NULL, outcome TEXT NOT NULL,
                source TEXT NOT NULL, due INTEGER, snooze INTEGER,
                day TEXT GENERATED ALWAYS AS (date(at / 1000 + utc_offset, 'unixepoch')) VIRTUAL);
             CREATE TABLE pause (id INTEGER PRIMARY KEY CHECK (id = 1), since INTEGER NOT NULL, until INTEGER);
             INSERT INTO events (at, utc_offset, reminder, kind, outcome, source, due)
                 VALUES (1795599900000, 3600, 'stand', 'stand', 'shown', 'schedule', 1795599900000);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let (store, opened) = Store::open_in(dir.path()).unwrap();
    assert_eq!(opened, Opened::Fine);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 4);
    let old = store.events_since(Timestamp::UNIX_EPOCH).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(
        (old[0].outcome, old[0].progress.clone()),
        (Outcome::Shown, None)
    );
    let done = Event {
        source: Source::Guided,
        progress: Some(unhunch::core::routine::Progress {
            routine: "stand-walk".into(),
            done: 4,
            of: 7,
            seconds: 75,
        }),
        ..ev("2026-11-25T09:50:00Z", Outcome::Done)
    };
    store.record(&done, Offset::constant(1)).unwrap();
    let all = store.events_since(Timestamp::UNIX_EPOCH).unwrap();
    assert_eq!(all.last(), Some(&done));
}
