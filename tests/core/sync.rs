//! Several computers: another device's events as the engine's input (on
//! the fake clock), the folder's line format, and reading a folder.
//! 2026-11-25 is a Wednesday.

use crate::sim::Sim;
use jiff::{SignedDuration, Timestamp, tz::Offset};
use unhunch::core::{Answer, Effect, Event, Input, Kind, Outcome, Phase, Remote, Source};
use unhunch::sync::{Folder, Line};

const STAND: &str = r#"
[[reminder]]
id = "stand"
kind = "stand"
every = "45m"
snooze = "10m"
"#;

/// Another device's event for `stand`.
fn remote(id: &str, at: Timestamp, outcome: Outcome, due: Option<Timestamp>) -> Remote {
    Remote {
        id: id.into(),
        offset: Offset::constant(1),
        event: Event {
            at,
            reminder: "stand".into(),
            kind: Kind::Stand,
            outcome,
            source: Source::Cli,
            due,
            snooze: None,
            progress: None,
            device: Some("laptop".into()),
        },
        repeat: false,
    }
}

fn imports(sim: &Sim) -> usize {
    sim.effects
        .iter()
        .filter(|e| matches!(e, Effect::Import(_)))
        .count()
}

#[test]
fn done_elsewhere_takes_the_same_showing_down_here_once() {
    let mut sim = Sim::new(STAND, "Europe/Berlin", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    assert_eq!(sim.shows(), vec!["Wed 09:45 show stand"]);
    let due = sim.at("2026-11-25 09:45").timestamp();
    sim.jump("2026-11-25 09:47");
    sim.clear();
    // The laptop showed the same occurrence a minute later by its clock.
    let done = remote(
        "laptop-1",
        sim.at("2026-11-25 09:46").timestamp(),
        Outcome::Done,
        Some(due + SignedDuration::from_mins(1)),
    );
    sim.input(Input::Remote(done.clone())).unwrap();
    assert!(sim.effects.contains(&Effect::Close { id: "stand".into() }));
    let ended: Vec<_> = sim.records().into_iter().cloned().collect();
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(
        (
            ended[0].outcome,
            ended[0].source,
            ended[0].device.as_deref()
        ),
        (Outcome::Elsewhere, Source::Sync, Some("laptop"))
    );
    assert_eq!(sim.engine.phase("stand"), Some(Phase::Idle));
    assert_eq!(imports(&sim), 1, "the laptop's answer is kept");
    // The same line read again (a conflict copy): kept once by the store,
    // and nothing more here.
    sim.clear();
    sim.input(Input::Remote(done)).unwrap();
    assert!(sim.records().is_empty());
    assert!(
        !sim.effects
            .iter()
            .any(|e| matches!(e, Effect::Close { .. }))
    );
    // The interval counts from the break: next at 09:47 + 45 min.
    sim.clear();
    sim.run_until("2026-11-25 10:40");
    assert_eq!(sim.shows(), vec!["Wed 10:32 show stand"]);
}

#[test]
fn an_answer_to_another_occurrence_leaves_the_showing_up() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    sim.clear();
    // An answer from an hour ago, carried late: not this showing.
    let old = sim.at("2026-11-25 08:40").timestamp();
    sim.input(Input::Remote(remote(
        "laptop-2",
        old,
        Outcome::Done,
        Some(old),
    )))
    .unwrap();
    assert!(sim.records().is_empty());
    assert!(matches!(
        sim.engine.phase("stand"),
        Some(Phase::Pending { .. })
    ));
    // Nor does a showing or an unanswered end there take it down.
    for (i, o) in [Outcome::Shown, Outcome::Ignored, Outcome::Dismissed]
        .into_iter()
        .enumerate()
    {
        let t = sim.at("2026-11-25 09:45").timestamp();
        sim.input(Input::Remote(remote(&format!("l-{i}"), t, o, Some(t))))
            .unwrap();
    }
    assert!(sim.records().is_empty());
    assert_eq!(imports(&sim), 4);
}

#[test]
fn a_break_elsewhere_restarts_the_interval_here() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    sim.jump("2026-11-25 09:30");
    sim.input(Input::Remote(remote(
        "laptop-3",
        sim.at("2026-11-25 09:30").timestamp(),
        Outcome::Took,
        None,
    )))
    .unwrap();
    assert!(sim.records().is_empty(), "nothing was showing here");
    sim.run_until("2026-11-25 10:20");
    assert_eq!(sim.shows(), vec!["Wed 10:15 show stand"]);
}

#[test]
fn a_clock_five_minutes_ahead_elsewhere_neither_holds_back_nor_reshows() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    sim.clear();
    // The laptop's clock runs 5 minutes ahead: its answer is "in the future".
    let ahead = sim.at("2026-11-25 09:51").timestamp();
    sim.jump("2026-11-25 09:46");
    sim.input(Input::Remote(remote(
        "laptop-4",
        ahead,
        Outcome::Done,
        Some(sim.at("2026-11-25 09:50").timestamp()),
    )))
    .unwrap();
    assert_eq!(sim.records()[0].outcome, Outcome::Elsewhere);
    // Counted from now here, not from the laptop's future.
    sim.clear();
    sim.run_until("2026-11-25 10:40");
    assert_eq!(sim.shows(), vec!["Wed 10:31 show stand"]);
}

#[test]
fn restore_counts_a_break_elsewhere_but_not_a_showing_there() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:30");
    let t = |s| sim.at(s).timestamp();
    let history = [
        remote(
            "a",
            t("2026-11-25 09:10"),
            Outcome::Shown,
            Some(t("2026-11-25 09:10")),
        )
        .event,
        remote(
            "b",
            t("2026-11-25 09:20"),
            Outcome::Done,
            Some(t("2026-11-25 09:10")),
        )
        .event,
    ];
    sim.engine.restore(&history);
    assert_eq!(sim.engine.phase("stand"), Some(Phase::Idle));
    sim.run_until("2026-11-25 10:10");
    assert_eq!(sim.shows(), vec!["Wed 10:05 show stand"]);
    // And a skip here still answers as before.
    sim.answer(None, Answer::Skip).unwrap();
}

// ---- the folder's lines -----------------------------------------------------

fn line(device: &str, n: u32) -> Line {
    let e = Event {
        at: Timestamp::from_second(1_764_060_000 + i64::from(n)).unwrap(),
        reminder: "stand".into(),
        kind: Kind::Stand,
        outcome: Outcome::Done,
        source: Source::Notification,
        due: None,
        snooze: None,
        progress: None,
        device: None,
    };
    Line::new(&e, device, Offset::constant(1), None)
}

#[test]
fn a_line_checks_itself() {
    let l = line("laptop", 1);
    let bytes = l.encode();
    assert!(bytes.ends_with(b"\n"));
    let raw = &bytes[..bytes.len() - 1];
    assert_eq!(Line::decode(raw).unwrap(), l);
    // One byte changed, or a line cut short: refused.
    let mut bent = raw.to_vec();
    let i = bent.iter().position(|b| *b == b'1').unwrap();
    bent[i] = b'2';
    assert!(Line::decode(&bent).is_err());
    assert!(Line::decode(&raw[..raw.len() - 3]).is_err());
    // The same event has the same id (written again after a crash, it is
    // kept once); another has another.
    assert!(l.id.starts_with("laptop-"));
    assert_eq!(l.id, line("laptop", 1).id);
    assert_ne!(l.id, line("laptop", 2).id);
}

#[test]
fn a_folder_is_read_to_its_last_whole_line_and_again_when_it_grows() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut folder = Folder::new(dir.path().to_path_buf(), "desk".into());
    let a = line("laptop", 1).encode();
    let b = line("laptop", 2).encode();
    let path = dir.path().join("unhunch-laptop.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&a).unwrap();
    f.write_all(&b[..20]).unwrap();
    // This device's own file and others' files are not read.
    std::fs::write(
        dir.path().join("unhunch-desk.jsonl"),
        line("desk", 3).encode(),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let s = folder.scan();
    assert_eq!(s.events.len(), 1);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    f.write_all(&b[20..]).unwrap();
    let s = folder.scan();
    assert_eq!(s.events.len(), 1);
    assert_eq!(s.events[0].event.device.as_deref(), Some("laptop"));
    // A conflict copy is read too (its events are kept once, by id);
    // this device's own lines in it are not taken as another's.
    let mut copy = a.clone();
    copy.extend(line("desk", 4).encode());
    std::fs::write(
        dir.path()
            .join("unhunch-laptop.sync-conflict-20261125-101010-ABCDEFG.jsonl"),
        copy,
    )
    .unwrap();
    let s = folder.scan();
    assert_eq!(s.events.len(), 1);
    assert!(folder.scan().events.is_empty());
}

#[test]
fn garbage_and_a_newer_format_are_skipped_with_one_warning_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = Folder::new(dir.path().to_path_buf(), "desk".into());
    let mut junk = b"not json at all\n{\"v\":1}\t00000000\n".to_vec();
    junk.extend(line("phone", 1).encode());
    std::fs::write(dir.path().join("unhunch-phone.jsonl"), &junk).unwrap();
    let json = r#"{"v":2,"id":"x-1","device":"future"}"#;
    let newer = format!("{json}\t{:08x}\n", crc32fast::hash(json.as_bytes()));
    let mut file = newer.into_bytes();
    file.extend(line("future", 1).encode());
    std::fs::write(dir.path().join("unhunch-future.jsonl"), &file).unwrap();
    let s = folder.scan();
    assert_eq!(s.events.len(), 1, "the whole line after the junk is read");
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
    assert!(
        s.warnings.iter().any(|w| w.contains("newer")),
        "{:?}",
        s.warnings
    );
    // More junk later: not said again.
    std::fs::write(
        dir.path().join("unhunch-phone.jsonl"),
        [junk.as_slice(), b"more junk\n"].concat(),
    )
    .unwrap();
    let s = folder.scan();
    assert!(s.warnings.is_empty() && s.events.is_empty(), "{s:?}");
}

#[test]
fn a_missing_folder_is_a_problem_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = Folder::new(dir.path().join("gone"), "desk".into());
    let s = folder.scan();
    assert!(s.problem.unwrap().contains("cannot be read"));
}

#[test]
fn the_history_keeps_another_devices_event_once_and_names_the_device() {
    use unhunch::store::{Batch, HistoryQuery, Store};
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = Store::open_in(dir.path()).unwrap();
    let at = Timestamp::from_second(1_764_060_000).unwrap();
    let r = remote("laptop-9", at, Outcome::Done, Some(at));
    let batch = Batch {
        events: Vec::new(),
        imports: vec![r.clone(), r.clone()],
        pause: None,
        holds: Vec::new(),
        offset: Offset::UTC,
        not_after: None,
    };
    store.write(&batch).unwrap();
    assert!(!store.import(&r).unwrap(), "the same id again: not new");
    let rows = store
        .history(&HistoryQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.device.as_deref(), Some("laptop"));
    assert_eq!(rows[0].1, 3600, "the laptop's offset is kept");
    assert_eq!(store.devices().unwrap(), vec![("laptop".to_string(), at)]);
    let mine = HistoryQuery {
        limit: 10,
        device: Some(None),
        ..Default::default()
    };
    assert!(store.history(&mine).unwrap().is_empty());
}

#[test]
fn both_answering_the_same_showing_count_one_break() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    let due = sim.at("2026-11-25 09:45").timestamp();
    sim.jump("2026-11-25 09:46");
    sim.answer(None, Answer::Done).unwrap();
    sim.clear();
    // The laptop's Done for the same occurrence, given the same second.
    let at = sim.at("2026-11-25 09:46").timestamp();
    sim.input(Input::Remote(remote(
        "laptop-5",
        at,
        Outcome::Done,
        Some(due),
    )))
    .unwrap();
    let kept: Vec<_> = sim
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Import(r) => Some(r.repeat),
            _ => None,
        })
        .collect();
    assert_eq!(kept, vec![true], "kept, as a repeat");
    assert!(sim.records().is_empty());
    // The next occurrence's answer there is a break of its own.
    sim.clear();
    let later = sim.at("2026-11-25 10:40").timestamp();
    sim.jump("2026-11-25 10:40");
    sim.input(Input::Remote(remote(
        "laptop-6",
        later,
        Outcome::Took,
        None,
    )))
    .unwrap();
    assert!(sim.effects.contains(&Effect::Import(Remote {
        repeat: false,
        ..remote("laptop-6", later, Outcome::Took, None)
    })));
}

// ---- presence across devices -------------------------------------------------

fn seen(active: bool, at: Timestamp) -> Input {
    Input::Seen(unhunch::core::Seen {
        device: "laptop".into(),
        active,
        at,
    })
}

#[test]
fn away_here_while_active_elsewhere_is_no_natural_break() {
    // Alone: away through the due time is the break.
    let mut alone = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    alone.jump("2026-11-25 09:30");
    let since = alone.at("2026-11-25 09:30").timestamp();
    alone.input(Input::Away { since }).unwrap();
    alone.run_until("2026-11-25 10:00");
    assert_eq!(alone.log, vec!["Wed 09:45 away stand (due Wed 09:45)"]);

    // In use on the laptop meanwhile: nothing credited, nothing shown here
    // while away, and the stand is due at the return.
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    sim.jump("2026-11-25 09:30");
    sim.input(Input::Away { since }).unwrap();
    sim.jump("2026-11-25 09:35");
    sim.input(seen(true, sim.at("2026-11-25 09:35").timestamp()))
        .unwrap();
    sim.run_until("2026-11-25 10:00");
    assert!(sim.log.is_empty(), "{:?}", sim.log);
    assert_eq!(sim.engine.next_wake(&sim.now), None, "no wake while away");
    sim.input(Input::Back).unwrap();
    sim.tick();
    assert_eq!(sim.shows(), vec!["Wed 10:00 show stand"]);
}

#[test]
fn a_device_away_before_this_one_left_does_not_count() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    // The laptop went away at 09:10; this device at 09:30.
    sim.jump("2026-11-25 09:20");
    sim.input(seen(false, sim.at("2026-11-25 09:10").timestamp()))
        .unwrap();
    sim.jump("2026-11-25 09:30");
    let since = sim.at("2026-11-25 09:30").timestamp();
    sim.input(Input::Away { since }).unwrap();
    sim.run_until("2026-11-25 10:00");
    assert_eq!(sim.log, vec!["Wed 09:45 away stand (due Wed 09:45)"]);
}

#[test]
fn a_presence_line_checks_itself_too() {
    use unhunch::sync::Item;
    let at = Timestamp::from_second(1_764_060_000).unwrap();
    let l = Line::presence("laptop", false, at, Offset::UTC);
    let bytes = l.encode();
    let back = Line::decode(&bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(back, l);
    assert_eq!(
        back.item().unwrap(),
        Item::Seen(unhunch::core::Seen {
            device: "laptop".into(),
            active: false,
            at
        })
    );
}

#[test]
fn a_device_in_use_for_half_a_day_without_a_word_is_taken_as_gone() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    // "In use since" the evening before, and nothing since (killed).
    sim.input(seen(true, sim.at("2026-11-24 20:00").timestamp()))
        .unwrap();
    sim.jump("2026-11-25 09:30");
    let since = sim.at("2026-11-25 09:30").timestamp();
    sim.input(Input::Away { since }).unwrap();
    sim.run_until("2026-11-25 10:00");
    assert_eq!(sim.log, vec!["Wed 09:45 away stand (due Wed 09:45)"]);
}

#[test]
fn a_snooze_elsewhere_takes_the_same_showing_down_here() {
    let mut sim = Sim::new(STAND, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    let due = sim.at("2026-11-25 09:45").timestamp();
    sim.jump("2026-11-25 09:46");
    sim.clear();
    let mut snoozed = remote("laptop-7", sim.now.timestamp(), Outcome::Snoozed, Some(due));
    snoozed.event.snooze = Some(SignedDuration::from_mins(10));
    sim.input(Input::Remote(snoozed)).unwrap();
    assert!(sim.effects.contains(&Effect::Close { id: "stand".into() }));
    assert_eq!(sim.records()[0].outcome, Outcome::Elsewhere);
    // Not shown here again when the laptop's snooze ends: it comes back
    // there; here the interval goes on.
    sim.clear();
    sim.run_until("2026-11-25 10:20");
    assert!(sim.shows().is_empty(), "{:?}", sim.log);
}
