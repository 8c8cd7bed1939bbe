//! `unhunch report` on a history the real daemon made over fourteen weeks
//! of its test clock (common::weeks): the same totals read three ways —
//! `stats`, `history` and the report's page (and `stats --chart`) — must
//! agree.

use std::collections::BTreeMap;

use crate::common::weeks::{IDS, made_by_the_daemon, report_cells, report_reminders, rows_of, run};

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
    for id in IDS {
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
