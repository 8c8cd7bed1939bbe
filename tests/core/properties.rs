//! Property tests: random valid configs never panic and plan sensibly;
//! mutated config text never panics and every error has a line and column.

use std::collections::HashSet;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use unhunch::config::{DEFAULT_TOML, parse};
use unhunch::core::plan::plan;
use unhunch::core::time::{fmt_duration, resolve_local};
use unhunch::core::{Config, Schedule};

const ZONES: [&str; 6] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/St_Johns",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn hm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn days_strategy() -> impl Strategy<Value = Option<Vec<&'static str>>> {
    prop::option::of(prop::sample::subsequence(DAYS.to_vec(), 1..=7))
}

/// One `[[reminder]]` table.
fn reminder(i: usize) -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec!["stand", "neck", "decompress", "massage", "meditate"]);
    let during = prop_oneof![
        Just("\"work\"".to_string()),
        Just("\"always\"".to_string()),
        (0u32..1440, 1u32..1439).prop_map(|(s, len)| format!(
            "\"{}-{}\"",
            hm(s),
            hm((s + len) % 1440)
        )),
    ];
    let interval = (1u32..=240, during, days_strategy()).prop_map(|(every, during, days)| {
        let every = fmt_duration(SignedDuration::from_mins(i64::from(every)));
        let days = days.map(|d| format!("days = {d:?}\n")).unwrap_or_default();
        format!("every = \"{every}\"\nduring = {during}\n{days}")
    });
    // Times around 01:00-03:59 often, to hit DST gaps and folds.
    let time = prop_oneof![60u32..240, 0u32..1440];
    let fixed =
        (prop::collection::btree_set(time, 1..=4), days_strategy()).prop_map(|(times, days)| {
            let at: Vec<String> = times.into_iter().map(hm).collect();
            let days = days.map(|d| format!("days = {d:?}\n")).unwrap_or_default();
            format!("at = {at:?}\n{days}")
        });
    (kind, prop_oneof![interval, fixed]).prop_map(move |(kind, sched)| {
        format!("[[reminder]]\nid = \"r{i}\"\nkind = \"{kind}\"\n{sched}")
    })
}

fn config_text() -> impl Strategy<Value = String> {
    let general =
        prop::option::of((0u32..1440, 1u32..1439, days_strategy())).prop_map(|g| match g {
            None => String::new(),
            Some((s, len, days)) => {
                let days = days
                    .map(|d| format!("work_days = {d:?}\n"))
                    .unwrap_or_default();
                format!(
                    "[general]\nwork_hours = \"{}-{}\"\n{days}",
                    hm(s),
                    hm((s + len) % 1440)
                )
            }
        });
    (
        general,
        (1usize..=5).prop_flat_map(|n| (0..n).map(reminder).collect::<Vec<_>>()),
    )
        .prop_map(|(g, rs)| format!("{g}\n{}", rs.join("\n")))
}

fn check_plan(config: &Config, zone: &str, start_minute: i64, days: i64) {
    let tz = TimeZone::get(zone).unwrap();
    let base: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let from = base
        .checked_add(SignedDuration::from_mins(start_minute))
        .unwrap()
        .to_zoned_datetime(tz.clone());
    let until = from
        .timestamp()
        .checked_add(SignedDuration::from_hours(24 * days))
        .unwrap();
    let items = plan(config, &from, until);

    let mut seen = HashSet::new();
    let mut fixed_seen = HashSet::new();
    let mut last_at: Option<Timestamp> = None;
    let mut last_of: std::collections::HashMap<&str, Timestamp> = Default::default();
    for p in &items {
        let t = p.at.timestamp();
        assert!(
            last_at.is_none_or(|l| l <= t),
            "plan not sorted at {}",
            p.at
        );
        last_at = Some(t);
        assert!(
            t >= from.timestamp() && t < until,
            "{} outside [{from}, {until})",
            p.at
        );
        assert!(
            seen.insert((p.id.clone(), t)),
            "duplicate {} at {}",
            p.id,
            p.at
        );
        let r = config.reminder(&p.id).unwrap();
        match &r.schedule {
            Schedule::Every { every, window } => {
                let span = window.span_at_or_after(t, &tz).unwrap();
                assert!(
                    span.contains(t),
                    "{} at {} is outside its window {window}",
                    p.id,
                    p.at
                );
                if let Some(prev) = last_of.get(p.id.as_str()) {
                    assert!(
                        t.duration_since(*prev) >= *every,
                        "{} twice within {every:?} at {}",
                        p.id,
                        p.at
                    );
                }
                last_of.insert(&p.id, t);
            }
            Schedule::At { times, days } => {
                let date = p.at.date();
                assert!(
                    days.contains(date.weekday()),
                    "{} on a day not in {days}",
                    p.at
                );
                let time = times
                    .iter()
                    .find(|tm| resolve_local(date, **tm, &tz) == Some(t))
                    .unwrap_or_else(|| {
                        panic!("{} at {} is none of its times {times:?}", p.id, p.at)
                    });
                assert!(
                    fixed_seen.insert((p.id.clone(), date, *time)),
                    "{} {date} {time} fired twice",
                    p.id
                );
            }
        }
    }
}

proptest! {
    // PROPTEST_CASES=100000 for the long run; 256 in CI.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        .. ProptestConfig::default()
    })]

    #[test]
    fn random_configs_plan_sorted_inside_windows_without_duplicates(
        text in config_text(),
        zone in prop::sample::select(ZONES.to_vec()),
        start in 0i64..(365 * 1440),
        days in 1i64..=3,
    ) {
        match parse(&text, "random.toml") {
            Ok((config, _)) => check_plan(&config, zone, start, days),
            // Some random configs are invalid (an interval longer than its
            // window, days outside work_days): then every error is located.
            Err(diags) => {
                for d in diags {
                    prop_assert!(d.at.is_some_and(|(l, c)| l >= 1 && c >= 1), "unlocated: {d}\n{text}");
                }
            }
        }
    }

    #[test]
    fn mutated_config_text_never_panics_and_errors_are_located(
        edits in prop::collection::vec((0usize..4, any::<usize>(), any::<usize>(), 0usize..12), 1..=4),
    ) {
        let snippets = ["\"45x\"", "\"25:00\"", "\"mon\"", "=", "[", "]]", "\n[[reminder]]\n", "\"", "every = \"0s\"", "\n", "x", "é"];
        let mut text = DEFAULT_TOML.to_string();
        for (op, a, b, s) in edits {
            let lines: Vec<&str> = text.lines().collect();
            let at = |n: usize| {
                let mut i = n % (text.len() + 1);
                while !text.is_char_boundary(i) { i -= 1; }
                i
            };
            text = match op {
                0 => { let (i, j) = (at(a), at(b)); let (i, j) = (i.min(j), i.max(j)); format!("{}{}", &text[..i], &text[j..]) }
                1 => { let i = at(a); format!("{}{}{}", &text[..i], snippets[s], &text[i..]) }
                2 if !lines.is_empty() => { let mut l = lines.clone(); let k = a % l.len(); l.insert(k, lines[k]); l.join("\n") }
                _ if lines.len() > 1 => { let mut l = lines.clone(); let (i, j) = (a % l.len(), b % l.len()); l.swap(i, j); l.join("\n") }
                _ => text.clone(),
            };
        }
        let total_lines = text.lines().count() + 1;
        if let Err(diags) = parse(&text, "mutated.toml") {
            for d in diags {
                let (line, col) = d.at.unwrap_or_else(|| panic!("error without a location: {d}\n{text}"));
                prop_assert!((1..=total_lines).contains(&line) && col >= 1, "{d}");
            }
        }
    }

    #[test]
    fn durations_round_trip_through_the_config(minutes in 1i64..=1440) {
        let d = SignedDuration::from_mins(minutes);
        let (c, _) = parse(&format!("[general]\nsnooze = \"{}\"\n", fmt_duration(d)), "d.toml").unwrap();
        prop_assert_eq!(c.general.snooze, d);
    }
}

#[test]
fn a_week_of_every_zone_for_the_default() {
    let (config, _) = parse(DEFAULT_TOML, "default.toml").unwrap();
    for zone in ZONES {
        check_plan(&config, zone, 0, 7);
    }
}
