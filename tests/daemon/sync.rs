//! Several computers on one machine: two daemons, two private homes, one
//! plain folder between them (what a sync tool would carry).

use std::path::Path;
use std::time::Duration;

use crate::common::{SEC, Scene, wait_for};

fn config(folder: &Path, device: &str) -> String {
    format!(
        r#"[sync]
folder = "{}"
device = "{device}"

[[reminder]]
id = "stand"
kind = "stand"
every = "2h"
"#,
        folder.display()
    )
}

/// The two devices, "a" and "b", both up, sharing `folder`.
async fn pair(folder: &Path, a_env: &[(&str, &str)]) -> (Scene, Scene) {
    pair_in(folder, folder, a_env).await
}

/// The same, each with its own copy of the folder (a sync tool's).
async fn pair_in(folder_a: &Path, folder_b: &Path, a_env: &[(&str, &str)]) -> (Scene, Scene) {
    let mut a = Scene::with(&config(folder_a, "a")).notifd();
    for (k, v) in a_env {
        a = a.daemon_env(k, v);
    }
    let a = a.up().await;
    let b = Scene::with(&config(folder_b, "b")).notifd().up().await;
    (a, b)
}

/// Both show `stand`; A answers Done on its notification; B's comes down
/// and is recorded answered elsewhere, within 10 s.
async fn done_on_a_comes_down_on_b(a: &Scene, b: &Scene) {
    assert_eq!(a.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(b.cli(&["trigger", "stand"]).0, 0);
    let on_a = a.notifd().nth(1, 10 * SEC).await;
    let on_b = b.notifd().nth(1, 10 * SEC).await;
    a.notifd().invoke(on_a.id, "done").await;
    a.wait_outcome("stand done notification", 5 * SEC).await;
    b.notifd().wait_closed_by_client(on_b.id, 10 * SEC).await;
    b.wait_outcome("stand elsewhere sync", 5 * SEC).await;
    let ended = b
        .events()
        .into_iter()
        .find(|e| e.outcome == unhunch::core::Outcome::Elsewhere)
        .unwrap();
    assert_eq!(ended.device.as_deref(), Some("a"));
}

/// The answers in a device's file (its other lines say it is in use or away).
fn answers(file: &str) -> usize {
    file.lines().filter(|l| l.contains(r#""outcome":"#)).count()
}

fn stats_total(s: &Scene) -> serde_json::Value {
    let (code, out, err) = s.cli(&["stats", "--days", "1", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["total"].clone()
}

#[tokio::test]
async fn done_on_one_computer_takes_the_other_ones_showing_down_and_counts_once() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = pair(folder.path(), &[]).await;
    done_on_a_comes_down_on_b(&a, &b).await;
    // B's stats: A's answer, once; B's showing that came down is not a
    // second one.
    let total = stats_total(&b);
    assert_eq!(
        (total["shown"].as_u64(), total["done"].as_u64()),
        (Some(1), Some(1)),
        "{total}"
    );
    // A has nothing of B's to count: B's `elsewhere` is not written out.
    let total = stats_total(&a);
    assert_eq!(
        (total["shown"].as_u64(), total["done"].as_u64()),
        (Some(1), Some(1)),
        "{total}"
    );
    // --device: A's answer is A's; B's showing that came down counts for
    // neither.
    let of = |d: &str| {
        let (code, out, err) = b.cli(&["stats", "--days", "1", "--device", d, "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        (v["total"]["shown"].as_u64(), v["total"]["done"].as_u64())
    };
    assert_eq!(of("a"), (Some(1), Some(1)));
    assert_eq!(of("b"), (Some(0), Some(0)));
    // History on B names the device; --device picks one.
    let (_, out, _) = b.cli(&["history"]);
    assert!(
        out.contains("DEVICE") && out.contains("answered on a"),
        "{out}"
    );
    let (_, out, _) = b.cli(&["history", "--device", "a", "--format", "csv"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    // Status says what sync does.
    let today = b.status().today;
    assert_eq!(
        (today.done, today.total),
        (1, 1),
        "B's Today counts A's answer"
    );
    let st = b.status().sync.expect("sync in status");
    assert_eq!(st.device, "b");
    assert_eq!(
        st.devices
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        vec!["a"]
    );
    assert!(st.problem.is_empty(), "{}", st.problem);
    let (_, out, _) = b.cli(&["status"]);
    assert!(
        out.contains("Sync: on, as \"b\"") && out.contains("a seen"),
        "{out}"
    );
    // Read again from the start (B restarted): nothing counted twice.
    let mut b = b;
    b.signal(15);
    assert!(b.wait_exit(10 * SEC).await.is_some());
    b.start();
    b.wait_up().await;
    assert!(
        b.log_has("sync: 1 events read", 10 * SEC).await,
        "{}",
        b.log()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let total = stats_total(&b);
    assert_eq!(total["done"].as_u64(), Some(1), "{total}");
    let today = b.status().today;
    assert_eq!(
        (today.done, today.total),
        (1, 1),
        "read again, counted once"
    );
}

#[tokio::test]
async fn a_clock_five_minutes_ahead_still_takes_the_showing_down() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = pair(folder.path(), &[("UNHUNCH_CLOCK_OFFSET", "5m")]).await;
    done_on_a_comes_down_on_b(&a, &b).await;
    // B's stand counts from now, not from A's clock: next in about 2 h.
    let st = b.status();
    let next = st.next.iter().find(|n| n.id == "stand").unwrap();
    let in_secs = next
        .at
        .0
        .timestamp()
        .duration_since(jiff::Timestamp::now())
        .as_secs();
    assert!(
        (7000..=7210).contains(&in_secs),
        "next stand in {in_secs} s"
    );
}

#[tokio::test]
async fn a_torn_line_garbage_and_a_newer_file_are_skipped_with_one_warning_each() {
    let folder = tempfile::tempdir().unwrap();
    // A line cut short by a crash, garbage, and a file of a newer format.
    std::fs::write(
        folder.path().join("unhunch-a.jsonl"),
        b"{\"v\":1,\"id\":\"a-1\",\"dev",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("unhunch-junk.jsonl"),
        b"\x00\x01garbage\n\xff\xfe\n",
    )
    .unwrap();
    let json = r#"{"v":9,"id":"z-1","device":"z"}"#;
    std::fs::write(
        folder.path().join("unhunch-z.jsonl"),
        format!("{json}\t{:08x}\n", crc32fast::hash(json.as_bytes())),
    )
    .unwrap();
    let (a, b) = pair(folder.path(), &[]).await;
    // A cut its own torn line off before its first line: B reads A whole.
    done_on_a_comes_down_on_b(&a, &b).await;
    let log = b.log();
    assert_eq!(log.matches("unhunch-junk.jsonl: ").count(), 1, "{log}");
    assert_eq!(
        log.matches("unhunch-z.jsonl has a line from a newer unhunch")
            .count(),
        1,
        "{log}"
    );
    // More garbage later: not said again.
    std::fs::write(
        folder.path().join("unhunch-junk.jsonl"),
        b"\x00\x01garbage\n\xff\xfe\nmore\n",
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(b.try_status().is_some());
    assert_eq!(b.log().matches("unhunch-junk.jsonl: ").count(), 1);
    let a_file = std::fs::read_to_string(folder.path().join("unhunch-a.jsonl")).unwrap();
    assert_eq!(answers(&a_file), 1, "{a_file}");
}

#[tokio::test]
async fn a_folder_missing_or_read_only_is_said_once_and_the_history_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("Sync");
    let a = Scene::with(&config(&folder, "a")).notifd().up().await;
    let st = a
        .wait_status("the folder's problem", 10 * SEC, |s| {
            s.sync.as_ref().is_some_and(|s| !s.problem.is_empty())
        })
        .await;
    assert!(st.sync.unwrap().problem.contains("Sync"));
    // The local history is unaffected.
    assert_eq!(a.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(a.cli(&["done"]).0, 0);
    a.wait_outcome("stand done cli", 5 * SEC).await;
    // The folder appears: read, and the answer that waited is written
    // with the next.
    std::fs::create_dir(&folder).unwrap();
    assert_eq!(a.cli(&["took", "stand"]).0, 0);
    let lines = wait_for(10 * SEC, || {
        let text = std::fs::read_to_string(folder.join("unhunch-a.jsonl")).ok()?;
        (answers(&text) == 2).then_some(text)
    })
    .await;
    assert!(lines.is_some(), "log:\n{}", a.log());
    a.wait_status("no problem", 10 * SEC, |s| {
        s.sync.as_ref().is_some_and(|s| s.problem.is_empty())
    })
    .await;
    // This device's file cannot be written (a directory in its place: as
    // root, CI's user, a read-only mode would not stop a write): said
    // once, answers still recorded here.
    std::fs::remove_file(folder.join("unhunch-a.jsonl")).unwrap();
    std::fs::create_dir(folder.join("unhunch-a.jsonl")).unwrap();
    assert_eq!(a.cli(&["took", "stand"]).0, 0);
    assert_eq!(a.cli(&["took", "stand"]).0, 0);
    a.wait_status("the write problem", 10 * SEC, |s| {
        s.sync
            .as_ref()
            .is_some_and(|s| s.problem.contains("cannot be written"))
    })
    .await;
    assert_eq!(
        a.log().matches("cannot be written (Is a directory").count(),
        1,
        "{}",
        a.log()
    );
    let took = a
        .outcomes()
        .iter()
        .filter(|o| o.starts_with("stand took"))
        .count();
    assert_eq!(took, 3);
}

#[tokio::test]
async fn through_two_real_syncthing_instances_done_on_one_comes_down_on_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let st = crate::common::syncthing::Pair::start(dir.path()).await;
    let (a, b) = pair_in(&st.a.folder, &st.b.folder, &[]).await;
    done_on_a_comes_down_on_b(&a, &b).await;
    let total = stats_total(&b);
    assert_eq!(
        (total["shown"].as_u64(), total["done"].as_u64()),
        (Some(1), Some(1)),
        "{total}"
    );
    // And back: a break taken on B restarts A's stand, through Syncthing.
    assert_eq!(b.cli(&["took", "stand"]).0, 0);
    let seen = wait_for(10 * SEC, || {
        let st = a.status().sync?;
        st.devices.iter().any(|d| d.name == "b").then_some(())
    })
    .await;
    assert!(seen.is_some(), "A never read B's file:\n{}", a.log());
}

#[tokio::test]
async fn both_answering_the_same_showing_at_the_same_second_count_one_break() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = pair(folder.path(), &[]).await;
    assert_eq!(a.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(b.cli(&["trigger", "stand"]).0, 0);
    a.notifd().nth(1, 10 * SEC).await;
    b.notifd().nth(1, 10 * SEC).await;
    // Both at once: each may find its showing already answered elsewhere.
    let (ca, cb) = (a.command(&["done"]), b.command(&["done"]));
    let (ra, rb) = tokio::join!(crate::common::output(ca), crate::common::output(cb));
    assert!(ra.status.success() || rb.status.success());
    // Each counts one break: its own answer, or the other's that took its
    // showing down; the other's answer to the same showing, when it
    // arrives, is no second one.
    let one = |s: &Scene| {
        let t = stats_total(s);
        (t["shown"].as_u64(), t["done"].as_u64()) == (Some(1), Some(1))
    };
    for s in [&a, &b] {
        let counted = wait_for(10 * SEC, || one(s).then_some(())).await;
        assert!(counted.is_some(), "{:?}\n{}", s.outcomes(), s.log());
    }
    // Both answers (where both were given) read by the other by now.
    let answered = [&a, &b]
        .iter()
        .filter(|s| {
            s.events()
                .iter()
                .any(|e| e.device.is_none() && e.outcome == unhunch::core::Outcome::Done)
        })
        .count();
    let imported = wait_for(10 * SEC, || {
        let n: usize = [&a, &b]
            .iter()
            .map(|s| {
                s.events()
                    .iter()
                    .filter(|e| e.device.is_some() && e.outcome == unhunch::core::Outcome::Done)
                    .count()
            })
            .sum();
        (n == answered).then_some(())
    })
    .await;
    assert!(imported.is_some(), "{:?} {:?}", a.outcomes(), b.outcomes());
    for s in [&a, &b] {
        assert!(one(s), "{:?}", s.outcomes());
    }
}

#[tokio::test]
async fn kill_9_of_one_mid_write_never_makes_the_other_crash_lose_or_double() {
    let folder = tempfile::tempdir().unwrap();
    let (mut a, b) = pair(folder.path(), &[]).await;
    // A takes breaks as fast as it can answer; killed among them.
    let mut given = 0;
    for i in 0..40 {
        if i == 25 {
            a.signal(9);
        }
        if a.cli(&["took", "stand"]).0 == 0 {
            given += 1;
        }
    }
    assert_eq!(a.wait_exit(10 * SEC).await, None, "killed by a signal");
    // As if the kill came between the history and the file: the file's
    // last line gone (B may have read it already).
    let file = folder.path().join("unhunch-a.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    let cut = cut[..cut.len() - 1].join("\n") + "\n";
    std::fs::write(&file, cut).unwrap();
    // Whatever A's history holds reaches B, once, when A is back: what it
    // wrote to the folder at once, and what the kill kept it from writing.
    a.start();
    a.wait_up().await;
    let a_took = a
        .outcomes()
        .iter()
        .filter(|o| o.starts_with("stand took"))
        .count();
    assert!(a_took >= given, "{a_took} < {given}");
    let got = wait_for(10 * SEC, || {
        let n = b
            .events()
            .iter()
            .filter(|e| e.outcome == unhunch::core::Outcome::Took)
            .count();
        (n >= a_took).then_some(n)
    })
    .await;
    assert_eq!(
        got,
        Some(a_took),
        "B: {:?}\nA's log:\n{}",
        b.outcomes(),
        a.log()
    );
    assert!(b.try_status().is_some(), "B still answers");
    let lines = answers(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(lines, a_took, "A's file has each of its breaks once");
    let total = stats_total(&b);
    assert_eq!(total["took"].as_u64(), Some(a_took as u64), "{total}");
}

#[tokio::test]
async fn a_device_that_stops_says_it_is_away() {
    let folder = tempfile::tempdir().unwrap();
    let (mut a, b) = pair(folder.path(), &[]).await;
    a.signal(15);
    assert_eq!(a.wait_exit(10 * SEC).await, Some(0));
    let text = std::fs::read_to_string(folder.path().join("unhunch-a.jsonl")).unwrap();
    let last = text.lines().last().unwrap_or_default();
    assert!(last.contains(r#""presence":"away""#), "{text}");
    // B read it: A is among the devices seen.
    b.wait_status("a seen", 10 * SEC, |s| {
        s.sync
            .as_ref()
            .is_some_and(|s| s.devices.iter().any(|d| d.name == "a"))
    })
    .await;
}

#[tokio::test]
async fn sync_turned_on_by_editing_the_config_applies_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let plain = "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"2h\"\n";
    let a = Scene::with(plain).notifd().up().await;
    assert!(a.status().sync.is_none());
    a.write_config(&config(folder.path(), "a"));
    a.wait_status("sync on", 10 * SEC, |s| s.sync.is_some())
        .await;
    assert_eq!(a.cli(&["took", "stand"]).0, 0);
    let written = wait_for(10 * SEC, || {
        std::fs::read_to_string(folder.path().join("unhunch-a.jsonl"))
            .ok()
            .filter(|t| t.contains(r#""outcome":"took""#))
    })
    .await;
    assert!(written.is_some(), "{}", a.log());
    // And off again.
    a.write_config(plain);
    a.wait_status("sync off", 10 * SEC, |s| s.sync.is_none())
        .await;
}

#[tokio::test]
async fn a_break_on_one_restarts_the_others_stand_timer_and_doctor_says_so() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = pair(folder.path(), &[]).await;
    let next_of = |s: &Scene| {
        s.status()
            .next
            .iter()
            .find(|n| n.id == "stand")
            .map(|n| n.at.0.timestamp())
            .unwrap()
    };
    let before = next_of(&b);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(a.cli(&["took", "stand"]).0, 0);
    let took = a
        .events()
        .into_iter()
        .find(|e| e.outcome == unhunch::core::Outcome::Took)
        .unwrap()
        .at;
    let moved = wait_for(10 * SEC, || {
        let n = next_of(&b);
        (n > before).then_some(n)
    })
    .await
    .unwrap_or_else(|| panic!("B's stand did not move:\n{}", b.log()));
    // Status shows whole seconds.
    let want = took + jiff::SignedDuration::from_hours(2);
    assert!(
        moved.duration_since(want).abs() < jiff::SignedDuration::from_secs(1),
        "{moved} is not {want}"
    );
    // doctor on B: sync on, A seen.
    let (_, out, _) = b.cli(&["doctor"]);
    assert!(
        out.contains("sync: on, as \"b\"") && out.contains("seen: a (latest event"),
        "{out}"
    );
}

#[tokio::test]
async fn locked_here_while_in_use_on_the_other_is_no_natural_break() {
    let folder = tempfile::tempdir().unwrap();
    let every = |device: &str| {
        format!(
            "[sync]\nfolder = \"{}\"\ndevice = \"{device}\"\n\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"2s\"\n",
            folder.path().display()
        )
    };
    // B, in use (it says so when it starts).
    let b = Scene::with(&every("b")).notifd().up().await;
    // A, locked from its start: away, while B is in use.
    let mut a = Scene::with(&every("a"))
        .notifd()
        .screensaver()
        .build()
        .await;
    a.saver().set_locked(true).await;
    a.start();
    a.wait_status("away", 10 * SEC, |s| s.away_since.is_some())
        .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        !a.outcomes().iter().any(|o| o == "s away schedule"),
        "credited as a break: {:?}\n{}",
        a.outcomes(),
        a.log()
    );
    assert!(a.notifd().calls().is_empty(), "nothing shown while locked");
    // Back at A: the stand is due, at once.
    a.saver().set_locked(false).await;
    a.notifd().nth(1, 10 * SEC).await;
    drop(b);
}
