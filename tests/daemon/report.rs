//! `unhunch report` on a history the real daemon made over fourteen weeks
//! of its test clock (common::weeks): the same totals read three ways —
//! `stats`, `history` and the report's page (and `stats --chart`) — must
//! agree.

use std::collections::BTreeMap;

use unhunch::core::HoldReason;
use unhunch::vocab::reply::Status;

use crate::common::weeks::{
    IDS, at, made_by_the_daemon, report_cells, report_reminders, rows_of, run, set_clock,
};
use crate::common::{SEC, Scene};

#[tokio::test]
async fn stats_history_and_report_agree_on_weeks_made_by_the_daemon() {
    let d = made_by_the_daemon().await;
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
    assert_eq!(named, IDS);

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
        // Breaks: done, and taken on one's own.
        if outcome == "done" || outcome == "took" {
            *h_days
                .entry(e["at"].as_str().unwrap()[..10].to_string())
                .or_default() += 1;
            h_routines +=
                u64::from(outcome == "done" && e["source"] == "guided" && e["routine"].is_object());
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
        .map(|x| {
            let breaks = n(&x["done"]) + n(&x["took"]);
            (x["day"].as_str().unwrap().to_string(), breaks)
        })
        .collect();
    for (date, breaks) in &cells {
        let s = s_days.get(date).copied().unwrap_or(0);
        let hist = h_days.get(date).copied().unwrap_or(0);
        assert_eq!((s, hist, u64::from(*breaks)), (s, s, s), "{date}");
    }
    // 4. The terminal's chart says the same.
    let chart = run(&d, &["stats", "--chart"]);
    assert!(
        chart.contains(&format!(
            "): {} in all\n",
            n(&total["done"]) + n(&total["took"])
        )),
        "{chart}"
    );
    assert!(chart.lines().all(|l| l.chars().count() <= 80), "{chart}");
    for id in IDS {
        assert!(chart.contains(&format!("\n{id:<12} ")), "{chart}");
    }

    // A history worth the name: every kind of answer, most days.
    assert!(n(&total["done"]) > 150, "{total}");
    assert!(n(&total["took"]) > 5, "{total}");
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

/// The time reminders were held, and why, as the daemon wrote it: 40
/// minutes of do-not-disturb, 25 of a locked screen, a meeting of 20, and
/// do-not-disturb again, still on when the report is made (it counts to
/// then).
#[tokio::test]
async fn the_report_says_how_long_reminders_were_held_and_why() {
    let mut d = Scene::with("[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"2h\"\n")
        .notifd()
        .screensaver()
        .build()
        .await;
    let clock = d.path("clock");
    let day: jiff::civil::Date = "2026-11-25".parse().unwrap();
    set_clock(&clock, at(day, 10, 0));
    d.set_env("UNHUNCH_CLOCK_FILE", &clock);
    d.start();
    d.wait_up().await;
    let (server, saver) = (d.notifd(), d.saver());
    let dnd = |on: bool| move |s: &Status| s.held_by.contains(&HoldReason::DoNotDisturb) == on;

    server.set_inhibited(true).await;
    d.wait_status("held by do-not-disturb", 5 * SEC, dnd(true))
        .await;
    set_clock(&clock, at(day, 10, 40));
    server.set_inhibited(false).await;
    d.wait_status("no longer held", 5 * SEC, dnd(false)).await;

    set_clock(&clock, at(day, 12, 0));
    saver.set_locked(true).await;
    d.wait_status("away", 5 * SEC, |s| s.away_since.is_some())
        .await;
    set_clock(&clock, at(day, 12, 25));
    saver.set_locked(false).await;
    d.wait_status("back", 5 * SEC, |s| s.away_since.is_none())
        .await;

    // A meeting, by hand: 20 minutes.
    set_clock(&clock, at(day, 13, 0));
    run(&d, &["meeting", "start"]);
    set_clock(&clock, at(day, 13, 20));
    run(&d, &["meeting", "end"]);

    set_clock(&clock, at(day, 14, 0));
    server.set_inhibited(true).await;
    d.wait_status("held again", 5 * SEC, dnd(true)).await;
    // Half a minute more: the sums below are not at a minute's edge.
    let half = jiff::SignedDuration::from_secs(30);
    set_clock(&clock, at(day, 14, 30).checked_add(half).unwrap());

    let page_path = d.path("report.html");
    run(&d, &["report", "--output", page_path.to_str().unwrap()]);
    let page = std::fs::read_to_string(&page_path).unwrap();
    let held: BTreeMap<String, u64> = page
        .split("<tr data-held=\"")
        .skip(1)
        .map(|row| {
            let (reason, rest) = row.split_once('"').unwrap();
            let secs = rest.split("data-seconds=\"").nth(1).unwrap();
            (
                reason.to_string(),
                secs.split('"').next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    // Real time passes between moving the clock and the change: seconds.
    let about = |reason: &str, want: u64| {
        let s = held.get(reason).copied().unwrap_or(0);
        assert!(
            (want - 5..want + 15).contains(&s),
            "{reason}: {s} s, not {want} s: {held:?}\n{}",
            d.log()
        );
    };
    about("do-not-disturb", (40 + 30) * 60 + 30);
    about("locked", 25 * 60);
    about("meeting", 20 * 60);
    assert_eq!(held.len(), 3, "{held:?}");
    assert!(
        page.contains("Reminders waited <strong>1 h 55 min</strong>"),
        "{page}"
    );
    assert!(
        page.contains("longest while do-not-disturb was on (1 h 10 min)"),
        "{page}"
    );

    // Stopped while held, the hold is closed at the next start, at the
    // last thing written: not left to grow.
    run(&d, &["stop"]);
    assert!(d.wait_exit(10 * SEC).await.is_some());
    set_clock(&clock, at(day, 16, 0));
    server.set_inhibited(false).await;
    d.start();
    d.wait_up().await;
    assert!(
        d.log().contains("hold(s) left open by the last run closed"),
        "{}",
        d.log()
    );
}
