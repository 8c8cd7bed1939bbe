//! `unhunch report` on a history the real daemon made over fourteen weeks
//! of its test clock: reminders shown by the schedule and by hand, answered
//! done, snoozed and skipped from the CLI, left to be ignored, and guided
//! routines walked through; then the same totals read three ways — `stats`,
//! `history` and the report's page — must agree.
//!
//! The page is kept as `CARGO_TARGET_TMPDIR/report-12-weeks.html`, for
//! scripts/check-report to render in a real browser.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::common::{SEC, Scene, wait_for};
use crate::history::{report_cells, report_reminders};

const CONFIG: &str = r#"
[general]
ignore_after = "2h"
[[reminder]]
id = "stand"
kind = "stand"
every = "2h"
during = "09:00-17:00"
[[reminder]]
id = "neck"
kind = "neck"
every = "3h"
during = "09:00-17:00"
routine = "short"
[[reminder]]
id = "eyes"
kind = "custom"
title = "Look away"
body = "Twenty seconds at something far away."
every = "4h"
during = "09:00-17:00"
[[routine]]
id = "short"
title = "Short one"
steps = [{ text = "Roll", seconds = 1 }]
"#;

/// Where the page is kept for the browser checks.
pub fn kept_page() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-12-weeks.html")
}

/// Makes the daemon's (and every command's) clock read `at` now.
fn set_clock(file: &Path, at: Timestamp) {
    let ms = at.duration_since(Timestamp::now()).as_millis();
    let text = if ms < 0 {
        format!("-{}ms", -ms)
    } else {
        format!("{ms}ms")
    };
    std::fs::write(file, text).unwrap();
}

/// Moves the clock to `to` and tells the daemon, as the kernel tells it
/// of a clock set (SIGUSR1 stands for that): it has looked again, and
/// decided what falls due, once its log says so for the `n`th time.
async fn jump(d: &Scene, clock: &Path, to: Timestamp, n: &mut usize) {
    set_clock(clock, to);
    d.signal(10);
    *n += 1;
    let seen = wait_for(5 * SEC, || {
        (d.log().matches("SIGUSR1: the clock was set").count() >= *n).then_some(())
    })
    .await;
    assert!(seen.is_some(), "no look at {to}: {}", d.log());
}

fn at(day: Date, hour: i8, minute: i8) -> Timestamp {
    day.at(hour, minute, 0, 0).in_tz("UTC").unwrap().timestamp()
}

fn run(d: &Scene, args: &[&str]) -> String {
    let (code, out, err) = d.cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// The rows of the tables in the section `id` of the page: each row's
/// cells after its heading (`<th scope="row">`).
fn rows_of(page: &str, id: &str) -> Vec<Vec<String>> {
    let start = page.find(&format!(" id=\"{id}\"><h2")).unwrap();
    let section = &page[start..];
    let section = &section[..section.find("</section>").unwrap()];
    section
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            row.split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn stats_history_and_report_agree_on_weeks_made_by_the_daemon() {
    let mut d = Scene::with(CONFIG).notifd().build().await;
    let clock = d.path("clock");
    // Two weeks before the twelve, for the trend; today is Wed 25 Nov.
    let first: Date = "2026-08-24".parse().unwrap();
    let today: Date = "2026-11-25".parse().unwrap();
    set_clock(&clock, at(first, 8, 0));
    d.set_env("UNHUNCH_CLOCK_FILE", &clock);
    d.start();
    d.wait_up().await;

    let ids = ["stand", "neck", "eyes"];
    // A small LCG: varied, and the same every run.
    let mut x: u64 = 7;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let mut day = first;
    let mut guided = 0;
    let mut jumps = 0;
    while day <= today {
        let weekend = day.weekday().to_monday_one_offset() > 5;
        // Weekends: now and then a look in the evening.
        let slots: &[(i8, i8)] = if weekend {
            if next(3) == 0 { &[(19, 10)] } else { &[] }
        } else {
            &[(9, 40), (11, 15), (14, 5), (16, 30)]
        };
        for &(h, m) in slots {
            if day == today && h >= 18 {
                continue;
            }
            jump(&d, &clock, at(day, h, m), &mut jumps).await;
            let id = ids[next(3) as usize];
            // Shown by hand now and then; the schedule shows the rest.
            if next(4) == 0 {
                let _ = d.cli(&["trigger", id]);
            }
            // Whatever is showing gets an answer (or none, and is ignored).
            let answer = match next(10) {
                0..=5 => Some("done"),
                6 => Some("skip"),
                7 | 8 => Some("snooze"),
                _ => None,
            };
            for id in ids {
                if let Some(a) = answer {
                    let _ = d.cli(&[a, id]);
                }
            }
        }
        // A guided routine on some Thursdays.
        if day.weekday() == jiff::civil::Weekday::Thursday && guided < 3 && next(2) == 0 {
            jump(&d, &clock, at(day, 12, 30), &mut jumps).await;
            let out = run(&d, &["guide", "neck"]);
            assert!(out.contains("Recorded: done"), "{out}");
            guided += 1;
        }
        day = day.tomorrow().unwrap();
    }
    jump(&d, &clock, at(today, 18, 0), &mut jumps).await;
    // Whatever the schedule still writes, then a clean stop.
    run(&d, &["status"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    run(&d, &["stop"]);
    assert!(d.wait_exit(10 * SEC).await.is_some(), "{}", d.log());

    // 1. The report.
    let page_path = d.path("report.html");
    run(
        &d,
        &[
            "report",
            "--weeks",
            "12",
            "--output",
            page_path.to_str().unwrap(),
        ],
    );
    let page = std::fs::read_to_string(&page_path).unwrap();
    std::fs::copy(&page_path, kept_page()).unwrap();
    let cells = report_cells(&page);
    let from = cells[0].0.clone();
    assert_eq!(from, "2026-09-07", "twelve weeks, Monday first");
    assert_eq!(cells.last().unwrap().0, "2026-11-25");
    assert_eq!(cells.len(), 80, "one cell per day");
    let (mut r_done, mut r_shown) = (0, 0);
    for row in rows_of(&page, "reminders") {
        let (done, shown) = row[0].split_once(" of ").unwrap();
        r_done += done.parse::<u64>().unwrap();
        r_shown += shown.parse::<u64>().unwrap();
    }
    let (mut r_snoozed, mut r_skipped) = (0, 0);
    for row in rows_of(&page, "hours") {
        r_snoozed += row[1].parse::<u64>().unwrap();
        r_skipped += row[2].parse::<u64>().unwrap();
    }
    let r_routines: u64 = rows_of(&page, "routines")
        .iter()
        .map(|r| r[0].parse::<u64>().unwrap())
        .sum();
    let mut named = report_reminders(&page);
    named.sort();
    assert_eq!(named, ["eyes", "neck", "stand"]);

    // 2. stats over the same days.
    let stats: serde_json::Value = serde_json::from_str(&run(
        &d,
        &[
            "stats",
            "--days",
            &cells.len().to_string(),
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(stats["from"], from.as_str());
    let total = &stats["total"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();

    // 3. history, every event of those days.
    let events: serde_json::Value = serde_json::from_str(&run(
        &d,
        &[
            "history",
            "--since",
            &from,
            "--until",
            "2026-11-25",
            "--limit",
            "1000000",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let mut h: BTreeMap<&str, u64> = BTreeMap::new();
    let mut h_days: BTreeMap<String, u64> = BTreeMap::new();
    let mut h_routines = 0;
    for e in events.as_array().unwrap() {
        let outcome = e["outcome"].as_str().unwrap();
        *h.entry(outcome).or_default() += 1;
        if outcome == "done" {
            *h_days
                .entry(e["at"].as_str().unwrap()[..10].to_string())
                .or_default() += 1;
            h_routines += u64::from(e["source"] == "guided" && e["routine"].is_object());
        }
    }
    let ends = ["done", "skipped", "dismissed", "expired", "ignored", "away"];
    let h_shown: u64 = ends.iter().map(|o| h.get(o).copied().unwrap_or(0)).sum();
    let hn = |o: &str| h.get(o).copied().unwrap_or(0);

    let three = [
        ("done", n(&total["done"]), hn("done"), r_done),
        ("shown", n(&total["shown"]), h_shown, r_shown),
        ("snoozed", n(&total["snoozed"]), hn("snoozed"), r_snoozed),
        ("skipped", n(&total["skipped"]), hn("skipped"), r_skipped),
        ("routines", n(&total["routines"]), h_routines, r_routines),
    ];
    for (what, s, hist, rep) in three {
        assert_eq!((s, hist, rep), (s, s, s), "{what}: stats, history, report");
    }
    // Per day too.
    let s_days: BTreeMap<String, u64> = stats["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["day"].as_str().unwrap().to_string(), n(&x["done"])))
        .collect();
    for (date, breaks) in &cells {
        let s = s_days.get(date).copied().unwrap_or(0);
        let hist = h_days.get(date).copied().unwrap_or(0);
        assert_eq!((s, hist, u64::from(*breaks)), (s, s, s), "{date}");
    }
    // 4. The terminal's chart says the same.
    let chart = run(&d, &["stats", "--chart"]);
    assert!(
        chart.contains(&format!("): {} in all\n", n(&total["done"]))),
        "{chart}"
    );
    assert!(chart.lines().all(|l| l.chars().count() <= 80), "{chart}");
    for id in ["eyes", "neck", "stand"] {
        assert!(chart.contains(&format!("\n{id:<12} ")), "{chart}");
    }

    // A history worth the name: every kind of answer, most days.
    assert!(n(&total["done"]) > 150, "{total}");
    assert!(
        n(&total["snoozed"]) > 20 && n(&total["skipped"]) > 10,
        "{total}"
    );
    assert!(n(&total["ignored"]) > 5, "{total}");
    assert!(r_routines >= 1, "{total}");
    let busy = cells.iter().filter(|(_, b)| *b > 0).count();
    assert!(busy > 50, "{busy} days with a break");
    assert!(page.contains("Kept best: "), "{page}");
    eprintln!("{total}");
}
