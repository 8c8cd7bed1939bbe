//! Behaviour of the pure schedule engine, driven by a fake clock.
//! 2026-11-25 is a Wednesday.

use crate::sim::{Sim, cfg, local};
use jiff::SignedDuration;
use unhunch::core::plan::plan;
use unhunch::core::{Answer, Effect, Engine, EngineError, Event, Input, Outcome, Phase, Source};

const STAND_WORK: &str = r#"
[general]
work_hours = "09:00-18:00"
[[reminder]]
id = "stand"
kind = "stand"
every = "45m"
during = "work"
"#;

fn plan_times(toml: &str, tz: &str, from: &str, days: i64) -> Vec<String> {
    let from = local(tz, from);
    let until = from
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .timestamp();
    plan(&cfg(toml), &from, until)
        .into_iter()
        .map(|p| format!("{} {}", p.at.strftime("%a %H:%M"), p.id))
        .collect()
}

// ---- windows, days, fixed times -------------------------------------------

#[test]
fn work_hour_interval_runs_from_window_start_and_stops_at_its_end() {
    let t = plan_times(STAND_WORK, "Europe/Berlin", "2026-11-25 00:00", 1);
    let want: Vec<String> = [
        "09:45", "10:30", "11:15", "12:00", "12:45", "13:30", "14:15", "15:00", "15:45", "16:30",
        "17:15",
    ]
    .iter()
    .map(|h| format!("Wed {h} stand"))
    .collect();
    assert_eq!(t, want);
}

#[test]
fn work_interval_skips_weekend_and_resumes_monday() {
    let t = plan_times(STAND_WORK, "UTC", "2026-11-27 17:00", 4);
    assert_eq!(
        t.first().unwrap(),
        "Fri 17:45 stand",
        "counts from the plan start inside the window"
    );
    assert!(
        t.iter()
            .all(|s| !s.starts_with("Sat") && !s.starts_with("Sun")),
        "{t:?}"
    );
    assert!(t.contains(&"Mon 09:45 stand".to_string()), "{t:?}");
}

#[test]
fn midnight_wrapping_window_belongs_to_the_day_it_starts() {
    let toml = r#"
[[reminder]]
id = "late"
kind = "stand"
every = "1h"
during = "22:00-02:00"
days = ["fri"]
"#;
    // Thursday 12:00 to Sunday 12:00.
    let t = plan_times(toml, "UTC", "2026-11-26 12:00", 3);
    assert_eq!(
        t,
        vec!["Fri 23:00 late", "Sat 00:00 late", "Sat 01:00 late"]
    );
}

#[test]
fn weekday_filter_and_several_fixed_times() {
    let toml = r#"
[[reminder]]
id = "dec"
kind = "decompress"
at = ["16:00", "11:00"]
days = ["mon", "wed"]
"#;
    let t = plan_times(toml, "Europe/Berlin", "2026-11-23 00:00", 7);
    assert_eq!(
        t,
        vec![
            "Mon 11:00 dec",
            "Mon 16:00 dec",
            "Wed 11:00 dec",
            "Wed 16:00 dec"
        ]
    );
}

#[test]
fn wind_down_is_derived_from_sleep() {
    let toml = r#"
[sleep]
wake = "06:30"
goal = "8h"
wind_down = "45m"
[[reminder]]
id = "wd"
kind = "wind-down"
"#;
    let c = cfg(toml);
    assert_eq!(c.sleep.bedtime(), jiff::civil::time(22, 30, 0, 0));
    let t = plan_times(toml, "UTC", "2026-11-25 00:00", 1);
    assert_eq!(t, vec!["Wed 21:45 wd"]);
    assert!(
        c.reminders[0].body.contains("Bedtime at 22:30"),
        "{}",
        c.reminders[0].body
    );
}

#[test]
fn disabled_reminders_never_show() {
    let toml = r#"
[[reminder]]
id = "m"
kind = "massage"
at = ["15:00"]
enabled = false
"#;
    assert!(plan_times(toml, "UTC", "2026-11-25 00:00", 7).is_empty());
}

// ---- DST ------------------------------------------------------------------

#[test]
fn spring_forward_fixed_time_in_the_gap_fires_at_the_transition() {
    // Europe/Berlin 2026-03-29: 02:00 -> 03:00. America/New_York 2026-03-08: likewise.
    for (tz, day) in [
        ("Europe/Berlin", "2026-03-29"),
        ("America/New_York", "2026-03-08"),
    ] {
        let toml = r#"
[[reminder]]
id = "x"
kind = "neck"
at = ["02:15", "02:45", "04:00"]
"#;
        let from = local(tz, &format!("{day} 00:00"));
        let until = from
            .checked_add(jiff::Span::new().days(1))
            .unwrap()
            .timestamp();
        let got: Vec<String> = plan(&cfg(toml), &from, until)
            .iter()
            .map(|p| p.at.strftime("%H:%M%:z").to_string())
            .collect();
        let off = if tz == "Europe/Berlin" {
            "+02:00"
        } else {
            "-04:00"
        };
        // 02:15 and 02:45 do not exist: both land on 03:00, which fires once.
        assert_eq!(
            got,
            vec![format!("03:00{off}"), format!("04:00{off}")],
            "{tz}"
        );
    }
}

#[test]
fn fall_back_fixed_time_in_the_fold_fires_once() {
    // Berlin 2026-10-25 02:00-03:00 happens twice; New York 2026-11-01 01:00-02:00 likewise.
    for (tz, day, time, first) in [
        ("Europe/Berlin", "2026-10-25", "02:30", "02:30+02:00"),
        ("America/New_York", "2026-11-01", "01:30", "01:30-04:00"),
    ] {
        let toml = format!("[[reminder]]\nid = \"x\"\nkind = \"neck\"\nat = [\"{time}\"]\n");
        let from = local(tz, &format!("{day} 00:00"));
        let until = from
            .checked_add(jiff::Span::new().days(1))
            .unwrap()
            .timestamp();
        let got: Vec<String> = plan(&cfg(&toml), &from, until)
            .iter()
            .map(|p| p.at.strftime("%H:%M%:z").to_string())
            .collect();
        assert_eq!(got, vec![first.to_string()], "{tz}");

        // A live engine woken through the whole fold shows it once too.
        let mut sim = Sim::new(&toml, tz, &format!("{day} 00:00"));
        sim.auto = Some(Answer::Done);
        sim.run_until(&format!("{day} 23:00"));
        assert_eq!(sim.shows().len(), 1, "{tz}: {:?}", sim.log);
    }
}

#[test]
fn intervals_are_absolute_durations_across_dst() {
    let toml = r#"
[[reminder]]
id = "s"
kind = "stand"
every = "1h"
"#;
    for (tz, day) in [
        ("Europe/Berlin", "2026-03-29"),
        ("America/New_York", "2026-11-01"),
    ] {
        let from = local(tz, &format!("{day} 00:30"));
        let until = from
            .checked_add(jiff::Span::new().hours(5))
            .unwrap()
            .timestamp();
        let ts: Vec<_> = plan(&cfg(toml), &from, until)
            .iter()
            .map(|p| p.at.timestamp())
            .collect();
        assert_eq!(ts.len(), 4, "{tz}: 01:30 to 04:30, the end is exclusive");
        for w in ts.windows(2) {
            assert_eq!(
                w[1].duration_since(w[0]),
                SignedDuration::from_hours(1),
                "{tz}"
            );
        }
    }
}

#[test]
fn work_window_follows_local_time_across_dst() {
    // The week of the Berlin change: 09:45 local every work day.
    let t = plan_times(STAND_WORK, "Europe/Berlin", "2026-10-23 00:00", 4);
    assert!(t.contains(&"Fri 09:45 stand".to_string()));
    assert!(t.contains(&"Mon 09:45 stand".to_string()), "{t:?}");
}

// ---- gaps: suspend, clock changes ------------------------------------------

const DAY_TOML: &str = r#"
[general]
missed_grace = "30m"
ignore_after = "15m"
[[reminder]]
id = "stand"
kind = "stand"
every = "45m"
during = "work"
[[reminder]]
id = "dec"
kind = "decompress"
at = ["11:00", "16:00"]
"#;

#[test]
fn eight_hour_suspend_gives_one_showing_and_records_missed() {
    let mut sim = Sim::new(DAY_TOML, "Europe/Berlin", "2026-11-25 08:00");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 09:50");
    assert_eq!(sim.shows(), vec!["Wed 09:45 show stand"]);
    sim.clear();
    // Suspended at 09:50, resumed at 17:50: ~10 stand intervals and both
    // decompress times passed.
    sim.jump("2026-11-25 17:50");
    assert_eq!(
        sim.log,
        vec![
            "Wed 17:50 show stand",
            "Wed 17:50 missed dec (due Wed 11:00)",
            "Wed 17:50 missed dec (due Wed 16:00)",
            "Wed 17:50 done stand",
        ]
    );
}

#[test]
fn resume_within_grace_shows_the_fixed_time_late() {
    let mut sim = Sim::new(DAY_TOML, "Europe/Berlin", "2026-11-25 10:40");
    sim.auto = Some(Answer::Done);
    sim.tick();
    sim.jump("2026-11-25 11:20");
    assert!(
        sim.log.contains(&"Wed 11:20 show dec".to_string()),
        "{:?}",
        sim.log
    );
    assert!(!sim.log.iter().any(|l| l.contains("missed")));
}

#[test]
fn suspend_past_window_end_does_not_show_outside_the_window() {
    let mut sim = Sim::new(STAND_WORK, "UTC", "2026-11-25 17:00");
    sim.auto = Some(Answer::Done);
    sim.tick();
    // Due at 17:45; asleep from 17:40 to 21:00.
    sim.jump("2026-11-25 21:00");
    assert!(sim.shows().is_empty(), "{:?}", sim.log);
    assert_eq!(
        sim.engine.next_wake(&sim.now).map(|t| t.to_string()),
        Some("2026-11-26T09:45:00Z".into())
    );
}

#[test]
fn clock_set_back_an_hour_fires_nothing_again() {
    let mut sim = Sim::new(DAY_TOML, "Europe/Berlin", "2026-11-25 10:50");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 11:05");
    assert_eq!(sim.shows(), vec!["Wed 11:00 show dec"]);
    sim.clear();
    // The clock is set back to 10:05 and runs forward again to 11:30.
    sim.jump("2026-11-25 10:05");
    sim.run_until("2026-11-25 11:30");
    assert!(
        !sim.shows().iter().any(|s| s.ends_with("dec")),
        "11:00 fired twice: {:?}",
        sim.log
    );
    // The interval restarts from the new "now" instead of waiting out the jump.
    assert_eq!(sim.shows(), vec!["Wed 10:50 show stand"], "{:?}", sim.log);
}

#[test]
fn clock_set_forward_two_hours_collapses_and_misses() {
    let mut sim = Sim::new(DAY_TOML, "Europe/Berlin", "2026-11-25 10:00");
    sim.auto = Some(Answer::Done);
    sim.tick();
    sim.jump("2026-11-25 12:00");
    assert_eq!(
        sim.log,
        vec![
            "Wed 12:00 show stand",
            "Wed 12:00 missed dec (due Wed 11:00)",
            "Wed 12:00 done stand"
        ]
    );
}

#[test]
fn a_week_off_records_only_the_last_day_as_missed() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 10:00");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 11:05");
    sim.clear();
    sim.jump("2026-12-02 12:00");
    let missed: Vec<_> = sim.log.iter().filter(|l| l.contains("missed")).collect();
    // Tue 16:00 and Wed 11:00 fall in the last 24 hours.
    assert_eq!(
        missed,
        vec![
            "Wed 12:00 missed dec (due Tue 16:00)",
            "Wed 12:00 missed dec (due Wed 11:00)"
        ]
    );
}

// ---- pending, answers, snooze, ignore --------------------------------------

#[test]
fn pending_reminder_is_not_shown_again_and_is_ignored_after_the_limit() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 10:20");
    assert_eq!(
        sim.log,
        vec!["Wed 09:45 show stand", "Wed 10:00 ignored stand"],
        "shown once, ignored after 15 min"
    );
    assert!(sim.effects.contains(&Effect::Close { id: "stand".into() }));
    // The interval restarts at the ignore.
    assert_eq!(
        sim.engine.next_wake(&sim.now).unwrap().to_string(),
        "2026-11-25T10:45:00Z"
    );
}

#[test]
fn fixed_occurrence_during_an_open_showing_is_merged() {
    let toml = r#"
[general]
ignore_after = "1h"
[[reminder]]
id = "b"
kind = "meditate"
at = ["13:00", "13:20"]
"#;
    let mut sim = Sim::new(toml, "UTC", "2026-11-25 12:00");
    sim.run_until("2026-11-25 13:30");
    assert_eq!(sim.shows(), vec!["Wed 13:00 show b"]);
    sim.answer(None, Answer::Done).unwrap();
    sim.run_until("2026-11-25 13:50");
    assert_eq!(
        sim.shows(),
        vec!["Wed 13:00 show b"],
        "13:20 must not come after the answer: {:?}",
        sim.log
    );
}

#[test]
fn snooze_brings_the_same_reminder_back_after_its_length() {
    let mut sim = Sim::new(STAND_WORK, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    sim.answer(Some("stand"), Answer::Snooze(None)).unwrap();
    sim.run_until("2026-11-25 09:56");
    sim.answer(None, Answer::Snooze(Some(SignedDuration::from_mins(5))))
        .unwrap();
    sim.run_until("2026-11-25 10:02");
    sim.answer(None, Answer::Done).unwrap();
    assert_eq!(
        sim.log,
        vec![
            "Wed 09:45 show stand",
            "Wed 09:45 snoozed stand",
            "Wed 09:55 show stand",
            "Wed 09:56 snoozed stand",
            "Wed 10:01 show stand",
            "Wed 10:02 done stand",
        ]
    );
    let snoozes: Vec<_> = sim
        .records()
        .iter()
        .filter_map(|e| e.snooze)
        .map(|d| d.as_secs())
        .collect();
    assert_eq!(snoozes, vec![600, 300], "snooze lengths are recorded");
    assert_eq!(
        sim.engine.next_wake(&sim.now).unwrap().to_string(),
        "2026-11-25T10:47:00Z"
    );
}

#[test]
fn answers_resolve_their_target() {
    let two = r#"
[[reminder]]
id = "a"
kind = "neck"
at = ["10:00"]
[[reminder]]
id = "b"
kind = "stand"
at = ["10:00"]
"#;
    let mut sim = Sim::new(two, "UTC", "2026-11-25 09:00");
    assert_eq!(
        sim.answer(None, Answer::Done),
        Err(EngineError::NothingPending)
    );
    assert_eq!(
        sim.answer(Some("a"), Answer::Skip),
        Err(EngineError::NotPending("a".into()))
    );
    assert_eq!(
        sim.answer(Some("zz"), Answer::Done),
        Err(EngineError::UnknownReminder(
            "zz".into(),
            vec!["a".into(), "b".into()]
        ))
    );
    sim.run_until("2026-11-25 10:00");
    // One on screen at a time; the other put up by hand makes two.
    assert_eq!(sim.shows(), vec!["Wed 10:00 show a"]);
    sim.input(Input::Trigger {
        id: "b".into(),
        source: Source::Cli,
    })
    .unwrap();
    assert_eq!(
        sim.answer(None, Answer::Done),
        Err(EngineError::AmbiguousPending(vec!["a".into(), "b".into()]))
    );
    sim.answer(Some("b"), Answer::Skip).unwrap();
    sim.answer(None, Answer::Done).unwrap();
    assert_eq!(sim.engine.phase("a"), Some(Phase::Idle));
    // Done when nothing is showing is refused: it would count a showing
    // that never was.
    assert_eq!(
        sim.answer(Some("a"), Answer::Done),
        Err(EngineError::NotPending("a".into()))
    );
    let outcomes: Vec<_> = sim
        .records()
        .iter()
        .map(|e| (e.reminder.as_str(), e.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("a", Outcome::Shown),
            ("b", Outcome::Shown),
            ("b", Outcome::Skipped),
            ("a", Outcome::Done),
        ]
    );
}

#[test]
fn dismissed_and_expired_end_the_showing_late_signals_are_ignored() {
    let mut sim = Sim::new(STAND_WORK, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    sim.answer(Some("stand"), Answer::Dismissed).unwrap();
    // The server's close after an action arrives late: no second record.
    sim.answer(Some("stand"), Answer::Expired).unwrap();
    sim.run_until("2026-11-25 10:30");
    sim.answer(Some("stand"), Answer::Expired).unwrap();
    assert_eq!(
        sim.log,
        vec![
            "Wed 09:45 show stand",
            "Wed 09:45 dismissed stand",
            "Wed 10:30 show stand",
            "Wed 10:30 expired stand"
        ]
    );
}

#[test]
fn trigger_shows_now_once() {
    let mut sim = Sim::new(STAND_WORK, "UTC", "2026-11-25 20:00");
    sim.input(Input::Trigger {
        id: "stand".into(),
        source: Source::Cli,
    })
    .unwrap();
    assert_eq!(
        sim.input(Input::Trigger {
            id: "stand".into(),
            source: Source::Cli
        }),
        Err(EngineError::AlreadyShowing("stand".into()))
    );
    assert_eq!(sim.shows(), vec!["Wed 20:00 show stand"]);
    assert_eq!(sim.records()[0].source, Source::Cli);
}

#[test]
fn trigger_takes_a_kind_for_its_first_reminder() {
    let toml = r#"
[[reminder]]
id = "legs"
kind = "stand"
every = "1h"
[[reminder]]
id = "neck"
kind = "custom"
title = "Not a neck stretch"
body = "b"
every = "1h"
"#;
    let mut sim = Sim::new(toml, "UTC", "2026-11-25 20:00");
    // A kind with a reminder of that kind: that reminder.
    sim.input(Input::Trigger {
        id: "stand".into(),
        source: Source::Cli,
    })
    .unwrap();
    // An id wins over a kind of the same name.
    sim.input(Input::Trigger {
        id: "neck".into(),
        source: Source::Cli,
    })
    .unwrap();
    assert_eq!(
        sim.shows(),
        vec!["Wed 20:00 show legs", "Wed 20:00 show neck"]
    );
    // A kind with no reminder of that kind: unknown, under the name asked.
    assert_eq!(
        sim.input(Input::Trigger {
            id: "massage".into(),
            source: Source::Cli
        }),
        Err(EngineError::UnknownReminder(
            "massage".into(),
            vec!["legs".into(), "neck".into()]
        ))
    );
}

#[test]
fn tips_rotate() {
    let toml = r#"
[[reminder]]
id = "t"
kind = "custom"
title = "T"
body = "B"
tips = ["one", "two"]
every = "10m"
"#;
    let mut sim = Sim::new(toml, "UTC", "2026-11-25 09:00");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 09:30");
    let tips: Vec<_> = sim
        .effects
        .iter()
        .filter_map(|e| {
            if let Effect::Show(s) = e {
                s.tip.clone()
            } else {
                None
            }
        })
        .collect();
    assert_eq!(tips, vec!["one", "two", "one"]);
}

// ---- pause ----------------------------------------------------------------

#[test]
fn pause_holds_everything_then_resumes_without_a_burst() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.auto = Some(Answer::Done);
    sim.tick();
    let until = sim.at("2026-11-25 12:00").timestamp();
    sim.input(Input::Pause { until: Some(until) }).unwrap();
    // Nothing wakes during the pause but its end.
    assert_eq!(sim.engine.next_wake(&sim.now), Some(until));
    sim.run_until("2026-11-25 12:00");
    assert_eq!(
        sim.log,
        vec![
            "Wed 12:00 resumed",
            "Wed 12:00 show stand",
            "Wed 12:00 missed dec (due Wed 11:00)",
            "Wed 12:00 done stand",
        ]
    );
}

/// What `status` and the tray list as next is what will be shown, at that
/// time: a fixed time the pause holds past missed_grace is not listed (it
/// will be recorded missed), the one after it is.
#[test]
fn upcoming_during_a_pause_lists_only_what_will_be_shown() {
    for (until, grace_ok) in [("2026-11-25 12:00", false), ("2026-11-25 11:20", true)] {
        let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
        sim.auto = Some(Answer::Done);
        let u = sim.at(until).timestamp();
        sim.input(Input::Pause { until: Some(u) }).unwrap();
        let predicted: Vec<String> = sim
            .engine
            .upcoming(&sim.now)
            .iter()
            .map(|up| {
                let at = up.at.to_zoned_datetime(sim.now.time_zone().clone());
                format!("{} show {}", at.strftime("%a %H:%M"), up.id)
            })
            .collect();
        let dec = predicted.iter().find(|p| p.ends_with(" dec")).unwrap();
        // Within missed_grace (11:00 + 30m > 11:20): shown when the pause ends.
        let want = if grace_ok {
            "Wed 11:20 show dec"
        } else {
            "Wed 16:00 show dec"
        };
        assert_eq!(dec, want);
        sim.run_until("2026-11-25 16:30");
        for p in &predicted {
            assert!(
                sim.shows().contains(p),
                "{p} predicted, shown: {:?}",
                sim.shows()
            );
        }
    }
}

#[test]
fn pause_until_resumed_never_wakes_and_resume_errors_when_not_paused() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    assert_eq!(sim.input(Input::Resume), Err(EngineError::NotPaused));
    sim.input(Input::Pause { until: None }).unwrap();
    assert_eq!(sim.engine.next_wake(&sim.now), None);
    assert!(sim.engine.upcoming(&sim.now).is_empty());
    let past = sim.at("2026-11-25 08:00").timestamp();
    assert_eq!(
        sim.input(Input::Pause { until: Some(past) }),
        Err(EngineError::PauseInPast(past))
    );
    sim.now = sim.at("2026-11-25 10:15");
    sim.input(Input::Resume).unwrap();
    sim.tick();
    assert_eq!(sim.shows(), vec!["Wed 10:15 show stand"]);
}

// ---- restart --------------------------------------------------------------

fn ev(at: &str, id: &str, outcome: Outcome, due: Option<&str>) -> Event {
    Event {
        at: local("UTC", at).timestamp(),
        reminder: id.into(),
        kind: unhunch::core::Kind::Stand,
        outcome,
        source: Source::Notification,
        due: due.map(|d| local("UTC", d).timestamp()),
        snooze: None,
        progress: None,
        device: None,
    }
}

#[test]
fn restart_continues_the_interval_from_history() {
    // A 45 min interval answered at 10:00; the daemon stopped at 10:30 and
    // starts again at 10:35: due at 10:45, 15 minutes after.
    let mut engine = Engine::new(cfg(DAY_TOML), local("UTC", "2026-11-25 10:35").timestamp());
    engine.restore(&[
        ev(
            "2026-11-25 09:45",
            "stand",
            Outcome::Shown,
            Some("2026-11-25 09:45"),
        ),
        ev("2026-11-25 10:00", "stand", Outcome::Done, None),
        ev(
            "2026-11-25 11:00",
            "dec",
            Outcome::Shown,
            Some("2026-11-25 11:00"),
        ),
        ev("2026-11-25 11:01", "dec", Outcome::Done, None),
    ]);
    let now = local("UTC", "2026-11-25 10:35");
    assert_eq!(
        engine.next_wake(&now).unwrap().to_string(),
        "2026-11-25T10:45:00Z"
    );
    // And the 11:00 already shown does not show again after a restart at 11:05.
    let now = local("UTC", "2026-11-25 11:05");
    let effects = engine.tick(&now);
    let shows: Vec<_> = effects
        .iter()
        .filter_map(|e| {
            if let Effect::Show(s) = e {
                Some(&s.id)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        shows,
        vec!["stand"],
        "stand was due at 10:45; dec must not repeat"
    );
}

#[test]
fn restart_restores_pending_and_snoozed() {
    let start = local("UTC", "2026-11-25 10:05");
    let mut engine = Engine::new(cfg(DAY_TOML), start.timestamp());
    let mut snoozed = ev("2026-11-25 09:58", "dec", Outcome::Snoozed, None);
    snoozed.snooze = Some(SignedDuration::from_mins(10));
    engine.restore(&[
        ev(
            "2026-11-25 09:55",
            "stand",
            Outcome::Shown,
            Some("2026-11-25 09:55"),
        ),
        snoozed,
    ]);
    assert!(matches!(engine.phase("stand"), Some(Phase::Pending { .. })));
    // The snooze ends 10:08, but one reminder is on screen at a time: it
    // waits for the showing one, ignored at 10:10.
    assert_eq!(
        engine.next_wake(&start).unwrap().to_string(),
        "2026-11-25T10:10:00Z"
    );
    let effects = engine.tick(&local("UTC", "2026-11-25 10:10"));
    let shows: Vec<_> = effects
        .iter()
        .filter_map(|e| {
            if let Effect::Show(s) = e {
                Some(&s.id)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(shows, vec!["dec"]);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Record(r) if r.outcome == Outcome::Ignored))
    );
}

// ---- reload ---------------------------------------------------------------

#[test]
fn reload_keeps_state_of_unchanged_ids() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 10:00");
    // stand answered at 09:45. The new config shortens it and adds one.
    let new = DAY_TOML.replace("every = \"45m\"", "every = \"30m\"")
        + "[[reminder]]\nid = \"n\"\nkind = \"neck\"\nevery = \"1h\"\n";
    let effects = sim.engine.set_config(cfg(&new), sim.now.timestamp());
    assert!(effects.is_empty());
    let up = sim.engine.upcoming(&sim.now);
    let find = |id: &str| up.iter().find(|u| u.id == id).unwrap().at.to_string();
    assert_eq!(
        find("stand"),
        "2026-11-25T10:15:00Z",
        "from the kept answer at 09:45"
    );
    assert_eq!(
        find("n"),
        "2026-11-25T11:00:00Z",
        "a new reminder counts from the reload"
    );
}

#[test]
fn reload_closes_a_removed_reminder_that_is_showing() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    let effects = sim.engine.set_config(
        cfg(STAND_WORK
            .replace("stand\"\nkind", "other\"\nkind")
            .as_str()),
        sim.now.timestamp(),
    );
    // Its showing ends in the history too, or a restart would put it up again.
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert_eq!(effects[0], Effect::Close { id: "stand".into() });
    let Effect::Record(e) = &effects[1] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (e.reminder.as_str(), e.outcome, e.source),
        ("stand", Outcome::Dismissed, Source::Schedule)
    );
}

// ---- presence: away, do-not-disturb, fullscreen ------------------------------

use unhunch::core::HoldReason;

#[test]
fn away_credits_intervals_that_fall_due_and_restarts_them_on_return() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 09:40");
    let since = sim.at("2026-11-25 09:35").timestamp();
    sim.input(Input::Away { since }).unwrap();
    // Away from 09:35 to 11:50: stand falls due at 09:45 and 10:30 and 11:15.
    sim.run_until("2026-11-25 10:59");
    assert!(
        sim.shows().is_empty(),
        "nothing shown while away: {:?}",
        sim.log
    );
    assert_eq!(
        sim.log,
        vec![
            "Wed 09:45 away stand (due Wed 09:45)",
            "Wed 10:30 away stand (due Wed 10:30)"
        ]
    );
    sim.clear();
    // The fixed 11:00 waits for the return: back at 11:20, within grace.
    sim.run_until("2026-11-25 11:20");
    sim.input(Input::Back).unwrap();
    sim.tick();
    assert_eq!(
        sim.log,
        vec![
            "Wed 11:15 away stand (due Wed 11:15)",
            "Wed 11:20 show dec",
            "Wed 11:20 done dec"
        ],
        "the 11:00 showing comes on return, late"
    );
    // The interval starts again at the return: next stand at 12:05.
    let next = sim
        .engine
        .upcoming(&sim.now)
        .into_iter()
        .find(|u| u.id == "stand")
        .unwrap();
    assert_eq!(next.at.to_string(), "2026-11-25T12:05:00Z");
}

#[test]
fn a_fixed_time_long_past_while_away_is_missed_on_return() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 10:50");
    sim.auto = Some(Answer::Done);
    sim.tick();
    sim.input(Input::Away {
        since: sim.now.timestamp(),
    })
    .unwrap();
    sim.run_until("2026-11-25 12:30");
    sim.input(Input::Back).unwrap();
    sim.tick();
    // Recorded missed at the first wake past the grace (here 11:35, while
    // away), and never shown.
    assert!(
        sim.log
            .iter()
            .any(|l| l.ends_with("missed dec (due Wed 11:00)")),
        "{:?}",
        sim.log
    );
    assert!(
        !sim.log.iter().any(|l| l.contains("show dec")),
        "{:?}",
        sim.log
    );
}

#[test]
fn coming_back_before_anything_was_due_still_restarts_intervals() {
    let mut sim = Sim::new(STAND_WORK, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:20");
    sim.input(Input::Away {
        since: sim.at("2026-11-25 09:20").timestamp(),
    })
    .unwrap();
    sim.run_until("2026-11-25 09:40");
    sim.input(Input::Back).unwrap();
    assert!(sim.log.is_empty(), "{:?}", sim.log);
    assert_eq!(
        sim.engine.next_wake(&sim.now).unwrap().to_string(),
        "2026-11-25T10:25:00Z"
    );
}

#[test]
fn do_not_disturb_and_fullscreen_hold_reminders_then_show_each_once() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:30");
    sim.auto = Some(Answer::Done);
    sim.tick();
    sim.input(Input::Hold {
        reason: HoldReason::DoNotDisturb,
        on: true,
    })
    .unwrap();
    sim.input(Input::Hold {
        reason: HoldReason::Fullscreen,
        on: true,
    })
    .unwrap();
    // Held from 09:30 to 11:10: stand due 10:15, dec 11:00.
    sim.run_until("2026-11-25 11:05");
    assert!(
        sim.log.is_empty(),
        "nothing shown while held: {:?}",
        sim.log
    );
    assert!(
        sim.engine
            .next_wake(&sim.now)
            .is_none_or(|t| t > sim.at("2026-11-25 11:05").timestamp())
    );
    sim.input(Input::Hold {
        reason: HoldReason::DoNotDisturb,
        on: false,
    })
    .unwrap();
    sim.tick();
    assert!(sim.shows().is_empty(), "still fullscreen: {:?}", sim.log);
    sim.now = sim.at("2026-11-25 11:10");
    sim.input(Input::Hold {
        reason: HoldReason::Fullscreen,
        on: false,
    })
    .unwrap();
    sim.tick();
    // Each once, not a burst, one at a time; not credited as away.
    assert_eq!(sim.shows(), vec!["Wed 11:10 show stand"]);
    // (answered Done by the sim's auto answer)
    sim.tick();
    assert_eq!(
        sim.shows(),
        vec!["Wed 11:10 show stand", "Wed 11:10 show dec"]
    );
    assert!(!sim.log.iter().any(|l| l.contains("away")), "{:?}", sim.log);
}

#[test]
fn next_due_ignores_presence_so_the_daemon_knows_when_a_return_matters() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.auto = Some(Answer::Done);
    sim.run_until("2026-11-25 09:40");
    sim.input(Input::Away {
        since: sim.now.timestamp(),
    })
    .unwrap();
    // Away: the next stand interval still counts as "could come".
    let due = sim.engine.next_due(&sim.now).unwrap();
    assert_eq!(due.to_string(), "2026-11-25T09:45:00Z");
    // A fixed time waiting for the return is due already (in the past).
    sim.run_until("2026-11-25 11:10");
    assert!(sim.engine.next_due(&sim.now).unwrap() <= sim.now.timestamp());
    sim.input(Input::Back).unwrap();
    sim.tick();
    // Evening, after the last fixed time: nothing until tomorrow's window.
    sim.run_until("2026-11-25 20:00");
    let due = sim.engine.next_due(&sim.now).unwrap();
    assert!(
        due.duration_since(sim.now.timestamp()) > jiff::SignedDuration::from_hours(12),
        "{due}"
    );
    // Paused until resumed: nothing could come.
    sim.input(Input::Pause { until: None }).unwrap();
    assert_eq!(sim.engine.next_due(&sim.now), None);
}

#[test]
fn a_step_changes_nothing_until_it_is_committed() {
    let mut sim = Sim::new(DAY_TOML, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:45");
    assert!(matches!(
        sim.engine.phase("stand"),
        Some(Phase::Pending { .. })
    ));
    let done = || Input::Answer {
        id: Some("stand".into()),
        answer: Answer::Done,
        source: Source::Cli,
    };
    // Decided, not written (dropped): the engine is as it was.
    let mut step = sim.engine.begin();
    step.handle(done(), &sim.now).unwrap();
    assert!(step.needs_write());
    assert_eq!(step.records().count(), 1);
    assert_eq!(step.engine().phase("stand"), Some(Phase::Idle));
    drop(step);
    assert!(matches!(
        sim.engine.phase("stand"),
        Some(Phase::Pending { .. })
    ));
    // Committed: the answer is made and its effects come out.
    let mut step = sim.engine.begin();
    step.handle(done(), &sim.now).unwrap();
    let effects = sim.engine.commit(step);
    assert_eq!(sim.engine.phase("stand"), Some(Phase::Idle));
    assert_eq!(effects[0], Effect::Close { id: "stand".into() });
    // A refused input leaves nothing to write.
    let mut step = sim.engine.begin();
    assert_eq!(
        step.handle(Input::Resume, &sim.now),
        Err(EngineError::NotPaused)
    );
}

#[test]
fn reminders_due_together_show_one_at_a_time() {
    let two = r#"
[general]
ignore_after = "15m"
[[reminder]]
id = "a"
kind = "neck"
at = ["11:00"]
[[reminder]]
id = "b"
kind = "stand"
every = "1h"
"#;
    let mut sim = Sim::new(two, "UTC", "2026-11-25 10:00");
    sim.run_until("2026-11-25 11:05");
    // Both due at 11:00: one notification, the other waits its turn.
    assert_eq!(sim.shows(), vec!["Wed 11:00 show a"]);
    sim.answer(Some("a"), Answer::Done).unwrap();
    sim.tick();
    assert_eq!(sim.shows(), vec!["Wed 11:00 show a", "Wed 11:05 show b"]);
    // Answered, its interval counts from the answer.
    sim.answer(Some("b"), Answer::Done).unwrap();
    sim.run_until("2026-11-25 12:30");
    let shows = sim.shows();
    assert_eq!(
        shows.last().map(String::as_str),
        Some("Wed 12:05 show b"),
        "{shows:?}"
    );
}

// ---- guided routines --------------------------------------------------------

fn progress(done: u32) -> unhunch::core::routine::Progress {
    unhunch::core::routine::Progress {
        routine: "stand-walk".into(),
        done,
        of: 7,
        seconds: done * 10,
    }
}

/// A routine finished while its reminder shows is its done, with how far
/// it got; one walked through unprompted is shown, then done; one stopped
/// part-way is a skip. The interval restarts from the end, as for any done.
#[test]
fn a_guided_routine_ends_its_showing_with_its_progress() {
    let mut sim = Sim::new(STAND_WORK, "UTC", "2026-11-25 09:00");
    sim.run_until("2026-11-25 09:46");
    assert_eq!(sim.shows(), ["Wed 09:45 show stand"]);
    sim.input(Input::Guided {
        id: "stand".into(),
        answer: Answer::Done,
        progress: progress(7),
    })
    .unwrap();
    let last = sim.records().last().cloned().cloned().unwrap();
    assert_eq!(
        (last.outcome, last.source, last.progress),
        (Outcome::Done, Source::Guided, Some(progress(7)))
    );
    assert_eq!(sim.engine.phase("stand"), Some(Phase::Idle));

    // Not showing: shown first (by the routine, as it began: 30 s ago),
    // then its end; no notification goes up or down for it.
    let before = sim.records().len();
    let effects_before = sim.effects.len();
    sim.input(Input::Guided {
        id: "stand".into(),
        answer: Answer::Skip,
        progress: progress(3),
    })
    .unwrap();
    assert!(
        sim.effects[effects_before..]
            .iter()
            .all(|e| matches!(e, Effect::Record(_))),
        "{:?}",
        &sim.effects[effects_before..]
    );
    let began = sim.now.timestamp() - SignedDuration::from_secs(30);
    assert_eq!(sim.records()[before].at, began);
    assert_eq!(sim.records()[before].due, Some(began));
    let new: Vec<(Outcome, Source, Option<u32>)> = sim.records()[before..]
        .iter()
        .map(|e| (e.outcome, e.source, e.progress.as_ref().map(|p| p.done)))
        .collect();
    assert_eq!(
        new,
        [
            (Outcome::Shown, Source::Guided, None),
            (Outcome::Skipped, Source::Guided, Some(3)),
        ]
    );
    assert!(matches!(
        sim.input(Input::Guided {
            id: "nope".into(),
            answer: Answer::Done,
            progress: progress(7),
        }),
        Err(EngineError::UnknownReminder(..))
    ));
}

/// "Pause until tomorrow" ends at the start of work on the next work day.
#[test]
fn tomorrow_is_the_next_work_days_start() {
    let mut g = cfg("").general;
    let at = |s: &str| s.parse::<jiff::ZonedDateTime>().unwrap();
    let next =
        |g: &unhunch::core::model::General, s: &str| g.next_morning(&at(s)).unwrap().to_string();
    // Thursday late and Thursday noon: Friday 09:00.
    assert_eq!(
        next(&g, "2026-11-26T23:50[Europe/Berlin]"),
        "2026-11-27T08:00:00Z"
    );
    assert_eq!(
        next(&g, "2026-11-26T12:00[Europe/Berlin]"),
        "2026-11-27T08:00:00Z"
    );
    // Friday evening: Monday.
    assert_eq!(
        next(&g, "2026-11-27T19:00[Europe/Berlin]"),
        "2026-11-30T08:00:00Z"
    );
    // No work day at all: midnight.
    g.work_days = unhunch::core::time::Days::NONE;
    assert_eq!(
        next(&g, "2026-11-27T19:00[Europe/Berlin]"),
        "2026-11-27T23:00:00Z"
    );
}

/// The show requests among the effects since the last clear.
fn show_requests(sim: &Sim) -> Vec<unhunch::core::ShowRequest> {
    sim.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Show(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

const CATCH_UP: &str = r#"
[general]
ignore_after = "1h"
[[reminder]]
id = "neck"
kind = "neck"
every = "2h"
during = "work"
[[reminder]]
id = "stand"
kind = "stand"
every = "50m"
during = "work"
"#;

/// After a hold of at least catch_up_after, one reminder comes at once: the
/// most overdue movement reminder, worded for the occasion, recorded with
/// source catch-up; the rest that fell due wait behind it, one at a time.
#[test]
fn a_long_call_ends_with_one_catch_up_break() {
    let mut sim = Sim::new(CATCH_UP, "UTC", "2026-11-25 09:00");
    sim.tick();
    let hold = |sim: &mut Sim, on| {
        sim.input(Input::Hold {
            reason: HoldReason::Call,
            on,
        })
        .unwrap()
    };
    sim.jump("2026-11-25 09:10");
    hold(&mut sim, true);
    sim.run_until("2026-11-25 10:30");
    assert!(sim.shows().is_empty(), "{:?}", sim.log);
    hold(&mut sim, false);
    sim.tick();
    let shown = show_requests(&sim);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].id, "stand");
    assert_eq!(shown[0].cause, unhunch::core::Cause::CatchUp);
    assert_eq!(
        shown[0].body,
        "You've been on a call for 1 h 20 min — stand up and move?"
    );
    let rec = sim.records();
    assert_eq!(rec[0].source, Source::CatchUp, "{rec:?}");
    // Once: answered, no second catch-up.
    sim.answer(Some("stand"), Answer::Done).unwrap();
    sim.clear();
    sim.tick();
    assert!(
        show_requests(&sim)
            .iter()
            .all(|r| r.cause != unhunch::core::Cause::CatchUp)
    );
}

/// A short hold owes nothing; catch_up_after = "0s" turns it off.
#[test]
fn short_holds_and_catch_up_off_owe_no_break() {
    for (toml, until) in [
        (CATCH_UP.to_string(), "2026-11-25 09:40"),
        (
            CATCH_UP.replace("[general]", "[general]\ncatch_up_after = \"0s\""),
            "2026-11-25 10:30",
        ),
    ] {
        let mut sim = Sim::new(&toml, "UTC", "2026-11-25 09:00");
        sim.tick();
        sim.jump("2026-11-25 09:10");
        sim.input(Input::Hold {
            reason: HoldReason::DoNotDisturb,
            on: true,
        })
        .unwrap();
        sim.run_until(until);
        sim.input(Input::Hold {
            reason: HoldReason::DoNotDisturb,
            on: false,
        })
        .unwrap();
        sim.tick();
        assert!(
            show_requests(&sim)
                .iter()
                .all(|r| r.cause != unhunch::core::Cause::CatchUp),
            "{toml}: {:?}",
            show_requests(&sim)
        );
    }
}

/// A meeting by hand holds reminders until its end, which comes by itself,
/// then the catch-up break; ended early by hand, the same.
#[test]
fn a_meeting_by_hand_holds_then_ends_with_a_catch_up() {
    let mut sim = Sim::new(CATCH_UP, "UTC", "2026-11-25 09:00");
    sim.tick();
    let until = sim.at("2026-11-25 10:00").timestamp();
    sim.input(Input::MeetingStart { until: Some(until) })
        .unwrap();
    assert!(sim.engine.holds().contains(&HoldReason::Meeting));
    assert_eq!(sim.engine.meeting_now().unwrap().end, until);
    // Its end is a wake of its own.
    assert_eq!(sim.engine.next_wake(&sim.now), Some(until));
    sim.run_until("2026-11-25 10:00");
    assert!(!sim.engine.holds().contains(&HoldReason::Meeting));
    let shown = show_requests(&sim);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(
        shown[0].body,
        "You've been in a meeting for 1 h — stand up and move?"
    );
    assert_eq!(sim.input(Input::MeetingEnd), Err(EngineError::NoMeeting));
}

/// A calendar's busy time holds reminders from its start to its end.
#[test]
fn a_calendar_meeting_holds_reminders_from_start_to_end() {
    let mut sim = Sim::new(CATCH_UP, "UTC", "2026-11-25 09:00");
    sim.auto = Some(Answer::Done);
    sim.tick();
    let busy = unhunch::core::Meeting {
        start: sim.at("2026-11-25 09:45").timestamp(),
        end: sim.at("2026-11-25 11:00").timestamp(),
        title: Some("Team sync".into()),
    };
    sim.input(Input::Busy(vec![busy])).unwrap();
    assert!(!sim.engine.holds().contains(&HoldReason::Meeting));
    sim.run_until("2026-11-25 10:59");
    // stand was due 09:50: held from 09:45.
    assert!(sim.shows().is_empty(), "{:?}", sim.log);
    assert_eq!(
        sim.engine.meeting_now().unwrap().title.as_deref(),
        Some("Team sync")
    );
    sim.run_until("2026-11-25 11:00");
    // The catch-up break first; neck, due at 11:00 too, after its answer.
    assert_eq!(sim.shows(), ["Wed 11:00 show stand", "Wed 11:00 show neck"]);
    assert!(sim.engine.meeting_now().is_none());
}
