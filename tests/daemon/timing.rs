//! Timing through the real daemon: on time within a second, and the
//! DESIGN.md rules when the clock jumps or the machine sleeps.
//!
//! The daemon's clock is the system clock plus an offset read from
//! UNHUNCH_CLOCK_FILE; a test moves it by rewriting the file and sending
//! SIGUSR1, which stands for the kernel's "the clock was set" (the
//! CANCEL_ON_SET wake of the timerfd), so nothing here needs root or touches
//! the machine's clock. Days are in UTC.

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::common::{SEC, Scene, wait_for};

/// Makes the daemon's clock read `target` now.
pub(crate) fn set_clock(file: &Path, target: &str) {
    let target: Timestamp = format!("2026-11-25T{target}Z").parse().unwrap();
    let ms = target.duration_since(Timestamp::now()).as_millis();
    std::fs::write(
        file,
        if ms < 0 {
            format!("-{}ms", -ms)
        } else {
            format!("{ms}ms")
        },
    )
    .unwrap();
}

/// The daemon with its clock at `at` (not waited for).
pub(crate) async fn start(config: &str, at: &str) -> Scene {
    let mut d = Scene::with(config).notifd().build().await;
    let file = d.path("clock");
    set_clock(&file, at);
    d.start_with(|c| {
        c.env("UNHUNCH_CLOCK_FILE", &file);
    });
    d
}

/// Moves the clock and tells the daemon, as a clock change would.
pub(crate) async fn jump(d: &Scene, to: &str) {
    set_clock(&d.path("clock"), to);
    d.signal(10); // SIGUSR1
    assert!(d.log_has("SIGUSR1", 5 * SEC).await, "{}", d.log());
}

fn count(d: &Scene, line: &str) -> usize {
    d.outcomes().iter().filter(|l| *l == line).count()
}

const FIXED: &str = r#"
[general]
missed_grace = "30m"
ignore_after = "2h"
[[reminder]]
id = "dec"
kind = "decompress"
at = ["11:00", "16:00"]
"#;

#[tokio::test]
async fn a_reminder_is_shown_within_a_second_of_its_due_time() {
    let d = start(FIXED, "10:59:57").await;
    let server = d.notifd();
    let due = Instant::now() + 3 * SEC;
    let n = server.nth(1, 10 * SEC).await;
    let late = Instant::now().saturating_duration_since(due);
    let early = due.saturating_duration_since(Instant::now());
    assert_eq!(n.summary, "Decompress your spine");
    assert!(early < Duration::from_millis(100), "shown {early:?} early");
    assert!(late < SEC, "shown {late:?} after its due time");
    eprintln!("shown {late:?} after the due time");
    let e = d.events();
    assert_eq!(e[0].due.unwrap().to_string(), "2026-11-25T11:00:00Z");
}

#[tokio::test]
async fn clock_forward_two_hours_gives_one_showing_and_a_miss() {
    let config =
        format!("{FIXED}[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"45m\"\n");
    let d = start(&config, "10:00:00").await;
    let server = d.notifd();
    d.wait_up().await;
    jump(&d, "12:00:00").await;
    let n = server.nth(1, 5 * SEC).await;
    assert_eq!(n.summary, "Stand up and move");
    d.wait_outcome("dec missed schedule", 5 * SEC).await;
    tokio::time::sleep(2 * SEC).await;
    assert_eq!(server.calls().len(), 1, "no burst: {:?}", d.outcomes());
    assert_eq!(count(&d, "stand shown schedule"), 1);
    assert_eq!(count(&d, "dec shown schedule"), 0);
    let missed = d
        .events()
        .into_iter()
        .find(|e| e.outcome == unhunch::core::Outcome::Missed)
        .unwrap();
    assert_eq!(missed.due.unwrap().to_string(), "2026-11-25T11:00:00Z");
}

#[tokio::test]
async fn clock_back_an_hour_fires_nothing_twice() {
    let d = start(FIXED, "10:59:58").await;
    let server = d.notifd();
    let n = server.nth(1, 10 * SEC).await;
    server.invoke(n.id, "done").await;
    d.wait_outcome("dec done notification", 5 * SEC).await;
    // Set back an hour, then past 11:00 again.
    jump(&d, "10:00:30").await;
    tokio::time::sleep(SEC).await;
    jump(&d, "11:00:30").await;
    tokio::time::sleep(2 * SEC).await;
    assert_eq!(
        server.calls().len(),
        1,
        "11:00 fired again: {:?}",
        d.outcomes()
    );
    assert_eq!(count(&d, "dec shown schedule"), 1);
}

#[tokio::test]
async fn clock_forward_across_a_fixed_time_within_grace_shows_it_once() {
    let d = start(FIXED, "10:50:00").await;
    let server = d.notifd();
    d.wait_up().await;
    jump(&d, "11:10:00").await;
    let n = server.nth(1, 5 * SEC).await;
    assert_eq!(n.summary, "Decompress your spine");
    tokio::time::sleep(2 * SEC).await;
    assert_eq!(server.calls().len(), 1);
    assert_eq!(count(&d, "dec missed schedule"), 0);
}

#[tokio::test]
async fn an_eight_hour_suspend_gives_one_showing_and_misses() {
    let config = format!(
        "{FIXED}[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"45m\"\nduring = \"09:00-18:00\"\n"
    );
    let d = start(&config, "09:00:00").await;
    let server = d.notifd();
    d.wait_up().await;
    // Frozen, as in suspend, while eight hours pass; then it wakes up.
    d.signal(19); // SIGSTOP
    set_clock(&d.path("clock"), "17:00:00");
    d.signal(18); // SIGCONT
    jump(&d, "17:00:00").await;
    let n = server.nth(1, 5 * SEC).await;
    assert_eq!(n.summary, "Stand up and move");
    let o = wait_for(5 * SEC, || {
        let o = d.outcomes();
        (o.iter().filter(|l| *l == "dec missed schedule").count() == 2).then_some(o)
    })
    .await;
    assert!(o.is_some(), "11:00 and 16:00 missed: {:?}", d.outcomes());
    tokio::time::sleep(2 * SEC).await;
    assert_eq!(
        server.calls().len(),
        1,
        "one showing after the gap, not ten: {:?}",
        d.outcomes()
    );
}

const MOVE: &str = r#"
[general]
ignore_after = "2h"
[[reminder]]
id = "stand"
kind = "stand"
every = "50m"
"#;

/// A meeting by hand (`unhunch meeting start --for 1h`) holds reminders;
/// when it ends by itself, one catch-up break comes, worded for it and
/// recorded with source catch-up.
#[tokio::test]
async fn a_meeting_by_hand_ends_with_one_catch_up_break() {
    let d = start(MOVE, "09:00:00").await;
    d.wait_up().await;
    let server = d.notifd();
    let (code, out, err) = d.cli(&["meeting", "start", "--for", "1h"]);
    assert_eq!(code, 0, "{err}");
    // (The CLI's "today" is the real one: the day is named.)
    assert!(
        out.starts_with("In a meeting until ")
            && out.ends_with(" 10:00: reminders wait; `unhunch meeting end` ends it.\n"),
        "{out}"
    );
    let (_, status, _) = d.cli(&["status"]);
    assert!(
        status.contains("Held by meeting (started by hand; `unhunch meeting end` ends it) until ")
            && status.contains(" 10:00: reminders wait until it ends"),
        "{status}"
    );
    // Past stand's 09:50 and the meeting's end.
    jump(&d, "09:55:00").await;
    tokio::time::sleep(SEC).await;
    assert!(server.calls().is_empty(), "held: {:?}", d.outcomes());
    jump(&d, "10:00:01").await;
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.summary, "Stand up and move");
    assert!(
        n.body
            .starts_with("You've been in a meeting for 1 h — stand up and move?"),
        "{}",
        n.body
    );
    assert_eq!(d.outcomes(), ["stand shown catch-up"]);
    tokio::time::sleep(SEC).await;
    assert_eq!(server.calls().len(), 1, "one, not a burst");
    let (code, out, _) = d.cli(&["meeting", "end"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
}
