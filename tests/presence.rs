//! Presence through the real daemon: a locked screen is a natural break.

mod common;

use std::time::Duration;

use common::daemon::Daemon;
use common::desktop::{Notifd, PrivateBus, ScreenSaver, wait_for};

const SEC: Duration = Duration::from_secs(1);

const EVERY_SECOND: &str = "[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1s\"\n";

#[tokio::test]
async fn a_locked_screen_shows_nothing_and_credits_away() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(2, 10 * SEC).await;
    saver.set_locked(true).await;
    assert!(
        d.log_has("screen locked: away", 5 * SEC).await,
        "{}",
        d.log()
    );
    let shown = server.calls().len();
    // Locked for three seconds: no notification, intervals credited away.
    tokio::time::sleep(3 * SEC).await;
    assert!(
        server.calls().len() <= shown + 1,
        "shown while locked: {:?}",
        d.outcomes()
    );
    let away = d
        .outcomes()
        .iter()
        .filter(|l| *l == "s away schedule")
        .count();
    assert!(away >= 1, "{:?}", d.outcomes());
    let before = server.calls().len();
    saver.set_locked(false).await;
    assert!(d.log_has("screen unlocked: back", 5 * SEC).await);
    server.nth(before + 1, 5 * SEC).await;
}

#[tokio::test]
async fn locked_at_start_counts_as_away() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    saver.set_locked(true).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    let away = wait_for(10 * SEC, || {
        d.outcomes()
            .iter()
            .any(|l| l == "s away schedule")
            .then_some(())
    })
    .await;
    assert!(away.is_some(), "{}", d.log());
    assert!(server.calls().is_empty(), "nothing shown while locked");
}

#[tokio::test]
async fn away_after_zero_turns_presence_off() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    saver.set_locked(true).await;
    let mut d = Daemon::new(
        &bus,
        &format!("[general]\naway_after = \"0s\"\n{EVERY_SECOND}"),
    );
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(1, 10 * SEC).await;
    assert!(d.log().contains("presence is not watched"), "{}", d.log());
}
