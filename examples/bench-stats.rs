//! Times `unhunch stats`, `history` and `report` on a history of 1,000,000
//! events spanning two years (generated once, in one transaction).
//!
//!     scripts/bench-stats            (builds, then runs this)
//!
//! Prints a table and a JSON line; targets: stats under 200 ms, a report
//! over all 1,000,000 events (`--weeks 52`: the year and the one before)
//! under 1 s.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const EVENTS: usize = 1_000_000;
const DAYS: i64 = 730;
const RUNS: usize = 11;

fn generate(dir: &Path) {
    let (store, _) = unhunch::store::Store::open_in(dir).unwrap();
    let conn = store.connection();
    conn.execute_batch("PRAGMA synchronous=OFF; BEGIN").unwrap();
    let mut insert = conn
        .prepare(
            "INSERT INTO events (at, utc_offset, reminder, kind, outcome, source, due, snooze)
             VALUES (?1, 3600, ?2, ?3, ?4, ?5, ?1, ?6)",
        )
        .unwrap();
    let reminders = [
        ("stand", "stand"),
        ("neck", "neck"),
        ("decompress", "decompress"),
        ("breathe", "meditate"),
        ("wind-down", "wind-down"),
        ("eyes", "custom"),
    ];
    let outcomes = [
        "shown",
        "done",
        "shown",
        "done",
        "shown",
        "snoozed",
        "shown",
        "done",
        "shown",
        "skipped",
        "shown",
        "ignored",
        "missed",
        "shown",
        "dismissed",
    ];
    let start = Timestamp::now()
        .checked_sub(SignedDuration::from_hours(24 * DAYS))
        .unwrap();
    let step = (DAYS * 86_400_000) / EVENTS as i64;
    // A small LCG keeps the data varied and the run repeatable.
    let mut x: u64 = 42;
    for i in 0..EVENTS {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (id, kind) = reminders[(x >> 33) as usize % reminders.len()];
        let outcome = outcomes[(x >> 40) as usize % outcomes.len()];
        let source = ["notification", "tray", "cli", "schedule"][(x >> 50) as usize % 4];
        let at = start.as_millisecond() + i as i64 * step;
        let snooze = (outcome == "snoozed").then_some(600);
        insert
            .execute(rusqlite::params![at, id, kind, outcome, source, snooze])
            .unwrap();
    }
    drop(insert);
    conn.execute_batch("COMMIT; ANALYZE").unwrap();
}

fn time(bin: &Path, data: &Path, args: &[&str]) -> Vec<Duration> {
    (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let o = Command::new(bin)
                .args(args)
                .env("UNHUNCH_DATA_DIR", data)
                .output()
                .unwrap();
            let d = t.elapsed();
            assert!(
                o.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            d
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bin = PathBuf::from(
        args.next()
            .expect("usage: bench-stats UNHUNCH_BINARY [DATA_DIR]"),
    );
    let data = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("unhunch-bench-stats"));
    let db = data.join("unhunch.db");
    if !db.exists() {
        let t = Instant::now();
        generate(&data);
        eprintln!(
            "generated {EVENTS} events over {DAYS} days in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "history: {} ({:.0} MB), {EVENTS} events over {DAYS} days; {RUNS} runs each, real process start to exit",
        db.display(),
        size as f64 / 1e6
    );
    println!(
        "{:<36} {:>9} {:>9} {:>9}",
        "command", "median", "min", "max"
    );
    let mut json = Vec::new();
    let page = data.join("bench-report.html");
    let page = page.to_str().expect("a UTF-8 path");
    for args in [
        &["stats"][..],
        &["stats", "--days", "30", "--format", "json"],
        &["stats", "--days", "365"],
        &["history", "--limit", "50"],
        &[
            "history",
            "--since",
            "2026-01-01",
            "--reminder",
            "neck",
            "--format",
            "csv",
            "--limit",
            "1000",
        ],
        &["stats", "--chart"],
        // Twelve weeks and the twelve before: about 230,000 events.
        &["report", "--output", page],
        // A year and the year before: every event.
        &["report", "--weeks", "52", "--output", page],
    ] {
        let mut t = time(&bin, &data, args);
        t.sort();
        let (med, min, max) = (ms(t[RUNS / 2]), ms(t[0]), ms(t[RUNS - 1]));
        println!(
            "{:<36} {:>6.1} ms {:>6.1} ms {:>6.1} ms",
            args.join(" "),
            med,
            min,
            max
        );
        json.push(format!(
            "{{\"command\":\"{}\",\"median_ms\":{med:.1},\"min_ms\":{min:.1},\"max_ms\":{max:.1}}}",
            args.join(" ")
        ));
    }
    let _ = TimeZone::system();
    println!(
        "{{\"events\":{EVENTS},\"days\":{DAYS},\"results\":[{}]}}",
        json.join(",")
    );
}
