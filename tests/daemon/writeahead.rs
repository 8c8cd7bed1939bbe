//! Write-ahead answers and a loop that never waits, on the real binary:
//! an answer changes state only once its row is on disk; a write that
//! fails changes nothing, says why, and the same answer works once the
//! history is writable; the daemon answers `status` throughout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::common::{SEC, Scene, wait_for};

/// Nothing falls due by itself during a test: every row comes from an answer.
const CONFIG: &str = r#"
[[reminder]]
id = "stand"
kind = "stand"
title = "Stand up"
every = "24h"
[[reminder]]
id = "neck"
kind = "neck"
title = "Neck stretch"
every = "24h"
"#;

fn pending(d: &Scene) -> Vec<String> {
    d.status().pending.into_iter().map(|p| p.id).collect()
}

/// Removes the history (with its WAL and shared memory) from under the daemon.
fn remove_history(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// Once the history is writable again, the same answer is taken, and the
/// history holds the showing and that one answer.
fn skip_is_taken_once(d: &Scene) {
    let (code, out, err) = d.cli(&["skip", "stand"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "Skipped: Stand up (stand).\n"),
        "{err}"
    );
    assert_eq!(d.outcomes(), ["stand shown cli", "stand skipped cli"]);
}

#[tokio::test]
async fn history_replaced_by_a_directory_refuses_answers_until_it_is_back() {
    let d = Scene::with(CONFIG).up().await;
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    remove_history(&d.db_path());
    std::fs::create_dir(d.db_path()).unwrap();

    for _ in 0..3 {
        let (code, out, err) = d.cli(&["done", "stand"]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(err.contains("history not written"), "{err}");
        assert!(err.contains("cannot be opened again"), "{err}");
        assert_eq!(pending(&d), ["stand"], "refused, so still showing");
    }

    std::fs::remove_dir(d.db_path()).unwrap();
    let (code, out, err) = d.cli(&["done", "stand"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "Done: Stand up (stand).\n"),
        "{err}"
    );
    assert!(pending(&d).is_empty());
    // A new history, with the one answer that was acknowledged.
    assert_eq!(d.outcomes(), ["stand done cli"]);
}

#[tokio::test]
async fn history_on_a_read_only_mount_refuses_answers_until_it_is_writable() {
    let mut d = Scene::with(CONFIG).build().await;
    // Its own mount namespace, so the test can cover its data directory.
    d.start_via(&["unshare", "-m", "--propagation", "private"], |_| {});
    d.wait_up().await;
    let pid = d.pid().to_string();
    let data = d.path("data").display().to_string();
    let in_its_namespace = |args: &[&str]| {
        let out = Command::new("nsenter")
            .args(["-t", &pid, "-m"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);

    in_its_namespace(&["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", &data]);
    let (code, _, err) = d.cli(&["skip", "stand"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("history not written"), "{err}");
    assert_eq!(pending(&d), ["stand"]);

    in_its_namespace(&["umount", &data]);
    skip_is_taken_once(&d);
}

/// Holds the history's write lock from another process-like connection
/// for `hold`; returns once it is held.
fn lock_history(db: PathBuf, hold: Duration) -> std::thread::JoinHandle<()> {
    let (tx, rx) = mpsc::channel();
    let t = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute_batch("BEGIN EXCLUSIVE;").unwrap();
        tx.send(()).unwrap();
        std::thread::sleep(hold);
        c.execute_batch("COMMIT;").unwrap();
    });
    rx.recv().unwrap();
    t
}

#[tokio::test]
async fn history_locked_past_the_busy_timeout_refuses_answers_and_keeps_serving() {
    let mut d = Scene::with(CONFIG).notifd().up().await;
    let server = d.notifd();
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    let shown = server.nth(1, 5 * SEC).await;

    // Two refused writes of 2 s each fit in the lock.
    let cpu_before = d.cpu_ticks();
    let lock = lock_history(d.db_path(), 6 * SEC);
    let skip = {
        let c = d.command(&["skip", "stand"]);
        std::thread::spawn(move || {
            let mut c = c;
            c.output().unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A Done click while the skip waits on the lock: it waits its turn.
    server.invoke(shown.id, "done").await;
    // The loop is not held up by the blocked write.
    let t = Instant::now();
    let status = d.status();
    assert!(t.elapsed() < SEC, "status took {:?}", t.elapsed());
    assert_eq!(
        status
            .pending
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        ["stand"]
    );
    let out = tokio::task::spawn_blocking(move || skip.join().unwrap())
        .await
        .unwrap();
    // Waiting on the lock costs no CPU: the loop sleeps until the write ends.
    let spent = d.cpu_ticks() - cpu_before;
    assert!(
        spent < 30,
        "{spent} clock ticks of CPU during a 2 s blocked write"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("history not written"), "{err}");
    assert!(err.contains("database is locked"), "{err}");

    // The click is refused too: the person is told, and the reminder is
    // put up again to be answered again.
    let told = wait_for(5 * SEC, || {
        server
            .calls()
            .into_iter()
            .find(|c| c.summary == "unhunch: answer not saved")
    })
    .await
    .unwrap_or_else(|| panic!("no notice: {:#?}\n{}", server.calls(), d.log()));
    assert!(
        told.body.contains("\"Stand up\" was not saved"),
        "{}",
        told.body
    );
    let again = wait_for(5 * SEC, || {
        server
            .calls()
            .into_iter()
            .skip(1)
            .find(|c| c.summary == "Stand up")
    })
    .await;
    assert!(again.is_some(), "not put up again: {:#?}", server.calls());
    tokio::task::spawn_blocking(move || lock.join().unwrap())
        .await
        .unwrap();
    assert_eq!(pending(&d), ["stand"], "still showing after two refusals");
    assert_eq!(d.outcomes(), ["stand shown cli"]);

    // The same answer, now that the history is writable: recorded once.
    skip_is_taken_once(&d);

    // And not shown again after a restart.
    let before = server.calls().len();
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0));
    d.up().await;
    assert!(pending(&d).is_empty());
    tokio::time::sleep(SEC).await;
    let after: Vec<String> = server.calls()[before..]
        .iter()
        .map(|c| c.summary.clone())
        .collect();
    assert!(!after.contains(&"Stand up".to_string()), "{after:?}");
}

#[tokio::test]
async fn config_saved_every_100ms_keeps_status_answering() {
    let d = Scene::with(CONFIG).up().await;
    let stop = Arc::new(AtomicBool::new(false));
    let saver = {
        let (stop, config, tmp) = (
            stop.clone(),
            d.config_path(),
            d.path("config/.config.toml.new"),
        );
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                // As editors save: a new file renamed over the old one, a
                // real change each time.
                let text = CONFIG.replace(
                    "every = \"24h\"\n[[",
                    &format!("every = \"{}m\"\n[[", 60 + n % 7),
                );
                std::fs::write(&tmp, text).unwrap();
                std::fs::rename(&tmp, &config).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            n
        })
    };
    let end = Instant::now() + 15 * SEC;
    let mut worst = Duration::ZERO;
    let mut asked = 0;
    while Instant::now() < end {
        let t = Instant::now();
        let (code, _, err) = d.cli(&["status"]);
        worst = worst.max(t.elapsed());
        assert_eq!(code, 0, "{err}");
        asked += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let saves = saver.join().unwrap();
    eprintln!("{saves} saves, {asked} status calls, the slowest {worst:?}");
    assert!(
        worst < SEC,
        "status took {worst:?} while the config was saved"
    );
    assert!(saves > 100);
    // Saved without pause, it was still read (at least once a second).
    let reloads = d.log().matches("config reloaded").count();
    assert!(reloads >= 10, "{reloads} reloads:\n{}", d.log());
}

#[tokio::test]
async fn a_reload_that_removes_a_showing_reminder_records_its_end() {
    let mut d = Scene::with(CONFIG).notifd().up().await;
    let server = d.notifd();
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    let n = server.nth(1, 5 * SEC).await;

    let without_stand =
        "[[reminder]]\nid = \"neck\"\nkind = \"neck\"\ntitle = \"Neck stretch\"\nevery = \"24h\"\n";
    d.write_config(without_stand);
    d.wait_outcome("stand dismissed schedule", 5 * SEC).await;
    server.wait_closed_by_client(n.id, 5 * SEC).await;

    // Put back and restarted: its showing ended, so it is not shown again.
    d.write_config(CONFIG);
    d.wait_status("both reminders again", 5 * SEC, |s| s.next.len() == 2)
        .await;
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0));
    d.up().await;
    assert!(pending(&d).is_empty(), "{:?}", d.status());
    tokio::time::sleep(SEC).await;
    assert_eq!(server.calls().len(), 1, "{:#?}", server.calls());
    assert_eq!(
        d.outcomes(),
        ["stand shown cli", "stand dismissed schedule"]
    );
}

#[derive(Debug, Clone)]
enum Op {
    Answer(&'static str, &'static str),
    /// The history is replaced by a directory (the old file kept aside).
    Break,
    /// The directory is removed: the next write makes a new history.
    Heal,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            prop::sample::select(vec!["trigger", "done", "skip", "snooze"]),
            prop::sample::select(vec!["stand", "neck"]),
        )
            .prop_map(|(verb, id)| Op::Answer(verb, id)),
        1 => Just(Op::Break),
        1 => Just(Op::Heal),
    ]
}

fn outcome_of(verb: &str) -> &'static str {
    match verb {
        "trigger" => "shown",
        "done" => "done",
        "skip" => "skipped",
        _ => "snoozed",
    }
}

/// Rows with source cli in every history file the run made: `(reminder, outcome)` counts.
fn rows(data: &Path) -> BTreeMap<(String, String), u32> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("unhunch.db") || name.ends_with("-wal") || name.ends_with("-shm") {
            continue;
        }
        let store = unhunch::store::Store::open_existing(&path).unwrap();
        for e in store
            .events_since(jiff::Timestamp::from_second(0).unwrap())
            .unwrap()
        {
            if e.source == unhunch::core::Source::Cli {
                *out.entry((e.reminder, e.outcome.to_string())).or_default() += 1;
            }
        }
    }
    out
}

#[test]
fn every_acknowledged_answer_has_its_row() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(8),
        ..ProptestConfig::default()
    });
    let result = runner.run(&prop::collection::vec(op(), 1..24), |ops| {
        let d = rt.block_on(Scene::with(CONFIG).up());
        let db = d.db_path();
        let (mut broken, mut generation) = (false, 0);
        let mut acknowledged: BTreeMap<(String, String), u32> = BTreeMap::new();
        for op in &ops {
            match op {
                Op::Answer(verb, id) => {
                    let (code, out, err) = d.cli(&[verb, id]);
                    match code {
                        0 => {
                            *acknowledged
                                .entry((id.to_string(), outcome_of(verb).to_string()))
                                .or_default() += 1;
                        }
                        1 => prop_assert!(!err.is_empty(), "refused without a reason"),
                        _ => prop_assert!(false, "{verb} {id}: exit {code}: {out}{err}"),
                    }
                }
                Op::Break if !broken => {
                    generation += 1;
                    for suffix in ["", "-wal", "-shm"] {
                        let from = format!("{}{suffix}", db.display());
                        let to = format!("{}.g{generation}{suffix}", db.display());
                        let _ = std::fs::rename(from, to);
                    }
                    std::fs::create_dir(&db).unwrap();
                    broken = true;
                }
                Op::Heal if broken => {
                    std::fs::remove_dir(&db).unwrap();
                    broken = false;
                }
                Op::Break | Op::Heal => {}
            }
        }
        if broken {
            std::fs::remove_dir(&db).unwrap();
        }
        let written = rows(&d.path("data"));
        drop(d);
        prop_assert_eq!(written, acknowledged);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[tokio::test]
async fn a_reminder_due_while_the_history_is_locked_waits_without_spinning() {
    let config = "[general]\nignore_after = \"1h\"\n[[reminder]]\nid = \"stand\"\nkind = \"stand\"\ntitle = \"Stand up\"\nevery = \"2s\"\n";
    let d = Scene::with(config).notifd().up().await;
    let server = d.notifd();
    let first = server.nth(1, 10 * SEC).await;
    server.invoke(first.id, "done").await;
    d.wait_outcome("stand done notification", 5 * SEC).await;
    let cpu_before = d.cpu_ticks();
    // Due again in 2 s, while the history is locked for 6.
    let lock = lock_history(d.db_path(), 6 * SEC);
    tokio::task::spawn_blocking(move || lock.join().unwrap())
        .await
        .unwrap();
    let spent = d.cpu_ticks() - cpu_before;
    assert!(
        spent < 50,
        "{spent} clock ticks of CPU while the history was locked for 6 s"
    );
    // Not shown while its row could not be written; told once; shown after.
    let told: Vec<_> = server
        .calls()
        .into_iter()
        .filter(|c| c.summary == "unhunch: history cannot be written")
        .collect();
    assert_eq!(told.len(), 1, "{:#?}", server.calls());
    let shown = wait_for(10 * SEC, || {
        server
            .calls()
            .into_iter()
            .filter(|c| c.summary == "Stand up")
            .nth(1)
    })
    .await;
    assert!(shown.is_some(), "not shown after the lock: {}", d.log());
    assert_eq!(
        d.outcomes(),
        [
            "stand shown schedule",
            "stand done notification",
            "stand shown schedule"
        ]
    );
}
