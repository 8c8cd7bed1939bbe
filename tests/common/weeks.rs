//! A history the real daemon made over fourteen weeks of its test clock
//! (`UNHUNCH_CLOCK_FILE`, moved with SIGUSR1 as the kernel's "the clock was
//! set"): reminders shown by the schedule and by hand, answered done,
//! snoozed and skipped from the CLI, left to be ignored, breaks taken on
//! one's own (`took`), guided routines walked through, do-not-disturb over
//! lunch on Wednesdays. Today is Wed 25 Nov 2026, 18:00 UTC; the daemon is
//! stopped, the clock file stays for the commands run after.
//!
//! And what a report page carries in its markup, read back.

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;

use super::{SEC, Scene, wait_for};

/// The reminders of [`made_by_the_daemon`]'s history.
pub const IDS: [&str; 3] = ["eyes", "neck", "stand"];

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

/// Makes the daemon's (and every command's) clock read `at` now.
pub fn set_clock(file: &Path, at: Timestamp) {
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

pub fn at(day: Date, hour: i8, minute: i8) -> Timestamp {
    day.at(hour, minute, 0, 0).in_tz("UTC").unwrap().timestamp()
}

pub fn run(d: &Scene, args: &[&str]) -> String {
    let (code, out, err) = d.cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// The scene, its daemon stopped, its history made.
pub async fn made_by_the_daemon() -> Scene {
    let mut d = Scene::with(CONFIG).notifd().build().await;
    let clock = d.path("clock");
    // Two weeks before the twelve, for the trend; today is Wed 25 Nov.
    let first: Date = "2026-08-24".parse().unwrap();
    let today: Date = "2026-11-25".parse().unwrap();
    set_clock(&clock, at(first, 8, 0));
    d.set_env("UNHUNCH_CLOCK_FILE", &clock);
    d.start();
    d.wait_up().await;

    let ids = IDS;
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
            // Wednesdays after 11:15: do-not-disturb over lunch.
            if h == 14 && day.weekday() == jiff::civil::Weekday::Wednesday {
                let server = d.notifd();
                jump(&d, &clock, at(day, 12, 10), &mut jumps).await;
                server.set_inhibited(true).await;
                d.wait_status("held by do-not-disturb", 5 * SEC, |s| !s.held_by.is_empty())
                    .await;
                jump(&d, &clock, at(day, 13, 20), &mut jumps).await;
                server.set_inhibited(false).await;
                d.wait_status("held no more", 5 * SEC, |s| s.held_by.is_empty())
                    .await;
            }
            jump(&d, &clock, at(day, h, m), &mut jumps).await;
            // A walk of one's own at weekends, now and then a stretch late
            // in a work day.
            if weekend || (h == 16 && next(5) == 0) {
                run(&d, &["took", if weekend { "stand" } else { "neck" }]);
            }
            let id = ids[next(3) as usize];
            // Shown by hand now and then; the schedule shows the rest.
            if next(4) == 0 {
                let _ = d.cli(&["trigger", id]);
            }
            // Whatever is showing gets an answer of its own (or none, and
            // is ignored in the end).
            for id in ids {
                let answer = match next(10) {
                    0..=5 => "done",
                    6 => "skip",
                    7 | 8 => "snooze",
                    _ => continue,
                };
                let _ = d.cli(&[answer, id]);
            }
            // One at a time on screen: those that came up after get an
            // answer of their own too.
            for showing in d.status().pending {
                let answer = match next(10) {
                    0..=6 => "done",
                    7 => "skip",
                    8 => "snooze",
                    _ => continue,
                };
                let _ = d.cli(&[answer, &showing.id]);
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

    d
}

/// The numbers a report page carries in its markup: the days' cells (date,
/// breaks) and the reminders named.
pub fn report_cells(page: &str) -> Vec<(String, u32)> {
    page.split("<rect class=\"day ")
        .skip(1)
        .map(|cell| {
            let attr = |name: &str| {
                let start = cell.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                cell[start..].split('"').next().unwrap().to_string()
            };
            (attr("data-date"), attr("data-breaks").parse().unwrap())
        })
        .collect()
}

pub fn report_reminders(page: &str) -> Vec<String> {
    page.split("<tr class=\"reminder\" data-reminder=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_string())
        .collect()
}

/// The rows of the tables in the section `id` of the page: each row's
/// cells after its heading (`<th scope="row">`).
pub fn rows_of(page: &str, id: &str) -> Vec<Vec<String>> {
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
