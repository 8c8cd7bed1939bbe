//! The real daemon on a private bus with the test notification server.

use std::time::{Duration, Instant};

use crate::common::desktop::Notifd;
use crate::common::{SEC, Scene, wait_for};

/// One reminder due every `every`, snoozing for 2 s.
fn one(every: &str, extra_general: &str) -> String {
    format!(
        "[general]\nsnooze = \"2s\"\n{extra_general}\n[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"{every}\"\n"
    )
}

#[tokio::test]
async fn reminder_arrives_with_actions_hints_and_a_tip() {
    let d = Scene::with(&one("1s", "")).notifd().start().await;
    let server = d.notifd();
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.app_name, "unhunch");
    assert_eq!(n.summary, "Stand up and move");
    assert!(
        n.body.starts_with("Two minutes on your feet.\n"),
        "body with a tip: {:?}",
        n.body
    );
    assert_eq!(
        n.actions,
        vec![
            "done",
            "Done",
            "start",
            "Start",
            "snooze",
            "Snooze 2 s",
            "skip",
            "Skip",
            "default",
            ""
        ]
    );
    assert!(
        n.hints
            .get("desktop-entry")
            .is_some_and(|v| v.contains("unhunch")),
        "{:?}",
        n.hints
    );
    assert!(
        n.hints
            .get("category")
            .is_some_and(|v| v.contains("x-unhunch.reminder")),
        "{:?}",
        n.hints
    );
    assert!(n.hints.contains_key("urgency"), "{:?}", n.hints);
    assert!(
        n.hints.contains_key("resident"),
        "stays until answered: {:?}",
        n.hints
    );
    assert_eq!(n.timeout, 0, "notification_timeout 0s: never expires");
    // The icon of its kind, as a file the server can read.
    assert!(n.app_icon.ends_with("/icons/stand.png"), "{}", n.app_icon);
    assert_eq!(
        std::fs::read(&n.app_icon).unwrap(),
        unhunch::vocab::labels::kind_icon(unhunch::core::Kind::Stand)
    );
    d.wait_outcome("stand shown schedule", 5 * SEC).await;
}

#[tokio::test]
async fn done_skip_and_snooze_from_the_notification_are_recorded() {
    let d = Scene::with(&one("1s", "")).notifd().start().await;
    let server = d.notifd();

    let n1 = server.nth(1, 10 * SEC).await;
    server.invoke(n1.id, "done").await;
    d.wait_outcome("stand done notification", 5 * SEC).await;
    // A resident notification stays after a click: the daemon takes it down.
    wait_for(5 * SEC, || {
        server.closed_by_client().contains(&n1.id).then_some(())
    })
    .await
    .expect("closed");

    let n2 = server.nth(2, 10 * SEC).await;
    server.invoke(n2.id, "skip").await;
    d.wait_outcome("stand skipped notification", 5 * SEC).await;

    let n3 = server.nth(3, 10 * SEC).await;
    let snoozed_at = Instant::now();
    server.invoke(n3.id, "snooze").await;
    d.wait_outcome("stand snoozed notification", 5 * SEC).await;
    // It comes back after the 2 s snooze, not the 1 s interval.
    let n4 = server.nth(4, 10 * SEC).await;
    let back = snoozed_at.elapsed();
    assert!(
        back >= Duration::from_millis(1800),
        "came back after {back:?}"
    );
    assert_eq!(n4.summary, "Stand up and move");
    server.invoke(n4.id, "default").await;
    let o = wait_for(5 * SEC, || {
        let o = d.outcomes();
        (o.iter().filter(|l| *l == "stand done notification").count() == 2).then_some(o)
    })
    .await;
    assert!(
        o.is_some(),
        "a body click (\"default\") counts as done: {:?}",
        d.outcomes()
    );
    let snooze = d.events().iter().find_map(|e| e.snooze).unwrap();
    assert_eq!(snooze.as_secs(), 2, "the snooze length is recorded");
}

#[tokio::test]
async fn with_a_timeout_the_close_after_an_action_is_not_a_dismissal() {
    let d = Scene::with(&one("1s", "notification_timeout = \"30s\""))
        .notifd()
        .start()
        .await;
    let server = d.notifd();
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.timeout, 30_000);
    assert!(!n.hints.contains_key("resident"), "{:?}", n.hints);
    // The server closes it itself (reason 2) right after the click.
    server.invoke(n.id, "done").await;
    d.wait_outcome("stand done notification", 5 * SEC).await;
    server.nth(2, 10 * SEC).await;
    let o = d.outcomes();
    assert!(!o.iter().any(|l| l.contains("dismissed")), "{o:?}");
}

#[tokio::test]
async fn dismissed_expired_and_ignored_are_recorded() {
    let d = Scene::with(&one("1s", "ignore_after = \"2s\""))
        .notifd()
        .start()
        .await;
    let server = d.notifd();
    let n1 = server.nth(1, 10 * SEC).await;
    server.close(n1.id, 2).await;
    d.wait_outcome("stand dismissed notification", 5 * SEC)
        .await;
    let n2 = server.nth(2, 10 * SEC).await;
    server.close(n2.id, 1).await;
    d.wait_outcome("stand expired notification", 5 * SEC).await;
    // Unanswered: ignored after 2 s, and its notification taken down.
    let n3 = server.nth(3, 10 * SEC).await;
    d.wait_outcome("stand ignored schedule", 6 * SEC).await;
    wait_for(5 * SEC, || {
        server.closed_by_client().contains(&n3.id).then_some(())
    })
    .await
    .expect("closed");
}

#[tokio::test]
async fn server_without_actions_gets_no_buttons_and_a_log_line() {
    let d = Scene::with(&one("1s", ""))
        .notifd_caps(&["body"])
        .start()
        .await;
    let server = d.notifd();
    let n = server.nth(1, 10 * SEC).await;
    assert!(n.actions.is_empty(), "{:?}", n.actions);
    assert!(d.log_has("shows no buttons", 5 * SEC).await, "{}", d.log());
    // Said once, not per notification.
    server.close(n.id, 2).await;
    server.nth(2, 10 * SEC).await;
    assert_eq!(d.log().matches("shows no buttons").count(), 1);
}

#[tokio::test]
async fn no_server_at_first_then_one_appears() {
    let d = Scene::with(&one("1s", "")).start().await;
    assert!(
        d.log_has("notification not delivered", 10 * SEC).await,
        "{}",
        d.log()
    );
    // The daemon keeps scheduling meanwhile.
    d.wait_outcome("stand shown schedule", 5 * SEC).await;
    let server = Notifd::start(d.bus()).await;
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.summary, "Stand up and move");
    server.invoke(n.id, "done").await;
    d.wait_outcome("stand done notification", 5 * SEC).await;
}

#[tokio::test]
async fn server_restart_reshows_what_was_up() {
    let d = Scene::with(&one("1s", "ignore_after = \"1h\""))
        .notifd()
        .start()
        .await;
    let server = d.notifd();
    server.nth(1, 10 * SEC).await;
    server.stop().await;
    let server = Notifd::start(d.bus()).await;
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(
        n.summary, "Stand up and move",
        "the open reminder is shown on the new server"
    );
}

#[tokio::test]
async fn kill_9_loses_nothing_and_the_schedule_continues() {
    let mut d = Scene::with(&one("6s", "")).notifd().start().await;
    let server = d.notifd();
    let n = server.nth(1, 15 * SEC).await;
    server.invoke(n.id, "done").await;
    d.wait_outcome("stand done notification", 5 * SEC).await;
    let done_at = Instant::now();
    let before = d.outcomes();
    d.signal(9);
    assert_eq!(d.wait_exit(5 * SEC).await, None, "killed by a signal");
    d.up().await;
    // The history replayed: the next showing is due 6 s after the answer.
    let answered = d
        .events()
        .iter()
        .rev()
        .find(|e| e.outcome == unhunch::core::Outcome::Done)
        .map(|e| e.at)
        .unwrap();
    let next = &d.status().next[0];
    assert_eq!(next.id, "stand");
    let after = next.at.0.timestamp().duration_since(answered);
    assert!(
        (5..=6).contains(&after.as_secs()),
        "due {after:?} after the answer"
    );
    // The interval continues from the answer: due 6 s after it, not 6 s after the restart.
    let n2 = server.nth(2, 15 * SEC).await;
    let after = done_at.elapsed();
    assert!(
        after >= Duration::from_millis(5000) && after < Duration::from_millis(7500),
        "next after {after:?}"
    );
    assert_eq!(n2.summary, "Stand up and move");
    let now = d.outcomes();
    assert_eq!(&now[..before.len()], &before[..], "nothing lost");
}

#[tokio::test]
async fn pending_reminder_is_shown_again_after_a_restart() {
    let mut d = Scene::with(&one("1s", "ignore_after = \"1h\""))
        .notifd()
        .start()
        .await;
    let server = d.notifd();
    server.nth(1, 10 * SEC).await;
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0), "SIGTERM stops cleanly");
    assert!(
        !server.closed_by_client().is_empty(),
        "its notification was taken down on the way out"
    );
    d.start();
    let n = server.nth(2, 10 * SEC).await;
    assert_eq!(n.summary, "Stand up and move");
    // Still one showing in history: it is the same one, shown again.
    let shown = d.outcomes().iter().filter(|l| l.contains("shown")).count();
    assert_eq!(shown, 1, "{:?}", d.outcomes());
}

#[tokio::test]
async fn config_edits_apply_live_and_invalid_ones_keep_the_schedule() {
    let d = Scene::with(&one("1s", "")).notifd().start().await;
    let server = d.notifd();
    let n = server.nth(1, 10 * SEC).await;
    server.invoke(n.id, "done").await;

    // A valid edit: a new title, no restart.
    d.write_config(&one("1s", "").replace("every", "title = \"Walk about\"\nevery"));
    let renamed = wait_for(10 * SEC, || {
        server
            .calls()
            .into_iter()
            .find(|c| c.summary == "Walk about")
    })
    .await;
    let renamed = renamed.unwrap_or_else(|| panic!("{}", d.log()));
    server.invoke(renamed.id, "done").await;

    // An invalid edit: one error notification with line:col, reminders go on.
    d.write_config("[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevry = \"1s\"\n");
    let err = wait_for(10 * SEC, || {
        server
            .calls()
            .into_iter()
            .find(|c| c.summary == "unhunch: config error")
    })
    .await;
    let err = err.unwrap_or_else(|| panic!("{}", d.log()));
    assert!(
        err.body.contains("config.toml:4:1: unknown field \"evry\""),
        "{}",
        err.body
    );
    assert!(
        err.body.contains("The running schedule is unchanged."),
        "{}",
        err.body
    );
    // Short, with the theme's warning icon (not a kind's): the whole text
    // is in status, doctor and config check.
    assert_eq!(err.app_icon, "dialog-warning");
    assert_eq!(
        err.body,
        "config.toml:4:1: unknown field \"evry\": did you mean \"every\"?\nThe running schedule is unchanged. `unhunch config check` says all."
    );
    let count = server.calls().len();
    let more = server.nth(count + 1, 10 * SEC).await;
    assert_eq!(
        more.summary, "Walk about",
        "the running schedule keeps firing"
    );
    let errors = server
        .calls()
        .iter()
        .filter(|c| c.summary == "unhunch: config error")
        .count();
    assert_eq!(errors, 1, "the error is shown once");
}

#[tokio::test]
async fn a_second_daemon_is_refused() {
    let d = Scene::with(&one("1h", "")).notifd().up().await;
    let out = d.command(&["run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let pid = d.pid();
    assert!(
        err.contains(&format!("unhunch is already running (pid {pid})")),
        "{err}"
    );
}

#[tokio::test]
async fn a_corrupt_database_is_moved_aside_and_the_user_told() {
    let mut d = Scene::with(&one("1h", "")).notifd().build().await;
    let server = d.notifd();
    std::fs::create_dir_all(d.path("data")).unwrap();
    std::fs::write(
        d.db_path(),
        b"this is not a database, it is a shopping list",
    )
    .unwrap();
    d.start();
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.summary, "unhunch: history database replaced");
    assert!(n.body.contains("unhunch.db.corrupt-"), "{}", n.body);
    let moved: Vec<_> = std::fs::read_dir(d.path("data"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(
        std::fs::read(moved[0].path()).unwrap(),
        b"this is not a database, it is a shopping list"
    );
}

#[tokio::test]
async fn an_invalid_config_at_start_runs_nothing_until_fixed() {
    let d = Scene::with("[general]\nsnooze = \"soon\"\n")
        .notifd()
        .start()
        .await;
    let server = d.notifd();
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.summary, "unhunch: config error");
    assert!(
        n.body
            .contains("config.toml:2:10: invalid duration \"soon\""),
        "{}",
        n.body
    );
    d.write_config(&one("1s", ""));
    let n = server.nth(2, 10 * SEC).await;
    assert_eq!(n.summary, "Stand up and move");
}

#[tokio::test]
async fn a_symlinked_config_is_followed_to_its_target() {
    let mut d = Scene::with("").notifd().build().await;
    let server = d.notifd();
    // config/config.toml -> ../dotfiles/unhunch.toml, as dotfile managers do.
    let target_dir = d.path("dotfiles");
    std::fs::create_dir_all(&target_dir).unwrap();
    std::fs::write(target_dir.join("unhunch.toml"), one("1s", "")).unwrap();
    std::fs::remove_file(d.config_path()).unwrap();
    std::os::unix::fs::symlink("../dotfiles/unhunch.toml", d.config_path()).unwrap();
    d.start();
    let n = server.nth(1, 10 * SEC).await;
    server.invoke(n.id, "done").await;
    // Save the target the way editors do: a new file renamed over it.
    let tmp = target_dir.join(".unhunch.toml.swp");
    std::fs::write(
        &tmp,
        one("1s", "").replace("every", "title = \"Through the link\"\nevery"),
    )
    .unwrap();
    std::fs::rename(&tmp, target_dir.join("unhunch.toml")).unwrap();
    let seen = wait_for(10 * SEC, || {
        server
            .calls()
            .into_iter()
            .find(|c| c.summary == "Through the link")
    })
    .await;
    assert!(seen.is_some(), "{}", d.log());
}

#[tokio::test]
async fn reminders_due_together_are_shown_one_at_a_time() {
    let d = Scene::with(
        "[general]\nignore_after = \"1h\"\n[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"2s\"\n[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"2s\"\n",
    )
    .notifd()
    .start()
    .await;
    let server = d.notifd();
    let first = server.nth(1, 10 * SEC).await;
    tokio::time::sleep(2 * SEC).await;
    assert_eq!(server.calls().len(), 1, "a pile: {:#?}", server.calls());
    server.invoke(first.id, "done").await;
    let second = server.nth(2, 5 * SEC).await;
    assert_ne!(
        second.summary, first.summary,
        "the other one, after the answer"
    );
}

/// A longer step counts down its time left in place, every 10 s, in text
/// of steady width (figure spaces before a shorter number).
#[tokio::test]
async fn a_routine_step_counts_down_its_time_left() {
    let d = Scene::with(
        "[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"1h\"\nroutine = \"slow\"\n\
         [[routine]]\nid = \"slow\"\ntitle = \"Slow\"\n\
         steps = [{ text = \"Breathe\", seconds = 12 }, { text = \"Rest\", seconds = 1 }]\n",
    )
    .notifd()
    .up()
    .await;
    let server = d.notifd();
    assert_eq!(d.cli(&["trigger", "neck"]).0, 0);
    let n1 = server.nth(1, 10 * SEC).await;
    let started = Instant::now();
    server.invoke(n1.id, "start").await;
    let mut seen = Vec::new();
    for i in 2..=5 {
        let n = server.nth(i, 20 * SEC).await;
        assert_eq!(n.replaces_id, n1.id);
        seen.push((
            started.elapsed().as_secs_f64().round() as u64,
            n.body.clone(),
        ));
    }
    assert_eq!(
        seen,
        [
            (0, "1/2 — 12 s left\nBreathe".to_string()),
            (10, "1/2 — \u{2007}2 s left\nBreathe".to_string()),
            (
                12,
                "2/2 — \u{2007}1 s left\nRest\u{a0}\u{a0}\u{a0}".to_string()
            ),
            (13, "Done: 2 steps in 13 s. Recorded.".to_string()),
        ]
    );
}

/// Start on the notification runs the reminder's routine in that same
/// notification: one update per step, in order, each replacing it, a
/// progress value, at the pace of the steps; the end is recorded done with
/// source guided, and a last update says so. Stop half-way is a skip.
#[tokio::test]
async fn a_routine_started_on_the_notification_runs_in_it_and_is_recorded() {
    let d = Scene::with(
        "[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"1s\"\nroutine = \"quick\"\n\
         [[routine]]\nid = \"quick\"\ntitle = \"Quick\"\n\
         steps = [{ text = \"Tuck\", seconds = 1, repeat = 2 }, { text = \"Roll\", seconds = 1 }]\n",
    )
    .notifd()
    .start()
    .await;
    let server = d.notifd();
    let n1 = server.nth(1, 10 * SEC).await;
    assert!(
        n1.actions.contains(&"start".to_string()),
        "{:?}",
        n1.actions
    );
    let started = Instant::now();
    server.invoke(n1.id, "start").await;
    let mut updates = Vec::new();
    for i in 2..=5 {
        let n = server.nth(i, 10 * SEC).await;
        assert_eq!(n.replaces_id, n1.id, "update {i} replaces the reminder");
        assert_eq!(n.summary, "Neck stretch — Quick");
        updates.push((
            started.elapsed(),
            n.body.clone(),
            n.hints.get("value").cloned().unwrap_or_default(),
            n.actions.clone(),
        ));
    }
    let bodies: Vec<&str> = updates.iter().map(|u| u.1.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "1/3 — 1 s left\nTuck (1 of 2)",
            "2/3 — 1 s left\nTuck (2 of 2)",
            // Padded to the longest step (no-break spaces): a steady width.
            "3/3 — 1 s left\nRoll\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}",
            "Done: 3 steps in 3 s. Recorded."
        ]
    );
    assert!(
        updates[0].2.contains('0'),
        "{:?} {:?}",
        updates[0],
        server.calls()[1].hints
    );
    assert!(updates[3].2.contains("100"), "{:?}", updates[3].2);
    assert_eq!(updates[0].3, ["skip", "Stop"]);
    assert!(updates[3].3.is_empty());
    // At the steps' pace: a second apart, never sooner.
    for w in updates.windows(2) {
        let gap = w[1].0 - w[0].0;
        assert!(gap >= Duration::from_millis(900), "{gap:?}");
    }
    d.wait_outcome("neck done guided", 5 * SEC).await;
    let done = d
        .events()
        .into_iter()
        .find(|e| e.outcome == unhunch::core::Outcome::Done)
        .unwrap();
    let p = done.progress.expect("progress recorded");
    assert_eq!((p.routine.as_str(), p.done, p.of), ("quick", 3, 3));
    // The last update is left to expire, not taken down at once.
    assert!(!server.closed_by_client().contains(&n1.id));

    // The next showing: started, then stopped after its first step.
    let n6 = server.nth(6, 10 * SEC).await;
    assert_eq!(n6.summary, "Neck stretch");
    server.invoke(n6.id, "start").await;
    let step = server.nth(7, 10 * SEC).await;
    assert_eq!(step.body, "1/3 — 1 s left\nTuck (1 of 2)");
    server.invoke(step.id, "skip").await;
    d.wait_outcome("neck skipped guided", 5 * SEC).await;
    let skipped = d
        .events()
        .into_iter()
        .find(|e| e.outcome == unhunch::core::Outcome::Skipped)
        .unwrap();
    assert_eq!(skipped.progress.map(|p| (p.done, p.of)), Some((0, 3)));
}

/// A server that takes a notification down after any click (xfce4-notifyd)
/// closes it right after Start: the routine goes on in a new notification;
/// closed later by the person, it is recorded dismissed with its progress.
#[tokio::test]
async fn a_routine_outlives_the_servers_close_after_start_but_not_the_persons() {
    let d = Scene::with(
        "[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"1h\"\nroutine = \"slow\"\n\
         [[routine]]\nid = \"slow\"\ntitle = \"Slow\"\nsteps = [{ text = \"Hold\", seconds = 3, repeat = 3 }]\n",
    )
    .notifd()
    .start()
    .await;
    let server = d.notifd();
    d.wait_status("running", 10 * SEC, |_| true).await;
    let (code, _, err) = d.cli(&["trigger", "neck"]);
    assert_eq!(code, 0, "{err}");
    let n1 = server.nth(1, 10 * SEC).await;
    server.invoke(n1.id, "start").await;
    server.close(n1.id, 2).await;
    // The steps go on, in a notification of their own.
    let mut later = None;
    for i in 2..=3 {
        let n = server.nth(i, 10 * SEC).await;
        if n.body.starts_with("2/3") {
            later = Some(n);
        }
    }
    let n = later.expect("the second step shown");
    assert_ne!(n.id, n1.id);
    // Now the person closes it: dismissed, after one step done.
    server.close(n.id, 2).await;
    d.wait_outcome("neck dismissed guided", 5 * SEC).await;
    let e = d
        .events()
        .into_iter()
        .find(|e| e.outcome == unhunch::core::Outcome::Dismissed)
        .unwrap();
    assert_eq!(e.progress.map(|p| (p.done, p.of)), Some((1, 3)));
}
