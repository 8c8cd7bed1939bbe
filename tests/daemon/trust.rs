//! Trust, round 3 (issue 26): each way a hostile round lost, repeated or
//! mistimed an answer, run as written against the real binary.
//! docs/RELIABILITY.md lists what each promises.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::common::{SEC, Scene, wait_for};

const TWO: &str = r#"
[[reminder]]
id = "stand"
kind = "stand"
every = "45m"

[[reminder]]
id = "neck"
kind = "neck"
every = "2h"
"#;

fn ok(s: &Scene, args: &[&str]) -> String {
    let (code, out, err) = s.cli(args);
    assert_eq!(code, 0, "{args:?}: {out}{err}\nlog:\n{}", s.log());
    out
}

/// Shows `id` and answers it Done from the command line.
fn trigger_and_done(s: &Scene, id: &str) {
    ok(s, &["trigger", id]);
    ok(s, &["done", id]);
}

fn count(s: &Scene, line: &str) -> usize {
    s.outcomes().iter().filter(|l| l.as_str() == line).count()
}

/// 1. The history's log deleted while the daemon runs: what is answered
/// after it is on disk (the log is copied into the history through the
/// descriptor SQLite still has), so a kill -9 loses nothing.
#[tokio::test]
async fn answers_after_the_wal_was_deleted_survive_kill_9() {
    let mut s = Scene::with(TWO).notifd().up().await;
    trigger_and_done(&s, "stand");
    let wal = s.path("data/unhunch.db-wal");
    std::fs::remove_file(&wal).unwrap();
    trigger_and_done(&s, "neck");
    trigger_and_done(&s, "stand");
    s.signal(9);
    s.wait_exit(5 * SEC).await;
    assert_eq!(count(&s, "stand done cli"), 2, "{:?}", s.outcomes());
    assert_eq!(count(&s, "neck done cli"), 1, "{:?}", s.outcomes());
    assert!(s.log().contains("write-ahead log"), "{}", s.log());
}

/// 2. The history emptied in place (`: > unhunch.db`): noticed before the
/// next answer is acknowledged; the emptied file is moved aside, a new
/// history keeps every answer since, and the person is told.
#[tokio::test]
async fn a_history_emptied_in_place_is_moved_aside_and_answers_kept() {
    let mut s = Scene::with(TWO).notifd().up().await;
    ok(&s, &["trigger", "stand"]);
    std::fs::File::create(s.db_path()).unwrap(); // truncates, same inode
    ok(&s, &["done", "stand"]);
    let told = wait_for(5 * SEC, || {
        s.notifd()
            .calls()
            .into_iter()
            .find(|c| c.body.contains("was emptied or cut short"))
    })
    .await;
    assert!(told.is_some(), "{:?}\n{}", s.notifd().calls(), s.log());
    trigger_and_done(&s, "neck");
    s.signal(9);
    s.wait_exit(5 * SEC).await;
    assert_eq!(count(&s, "stand done cli"), 1, "{:?}", s.outcomes());
    assert_eq!(count(&s, "neck done cli"), 1, "{:?}", s.outcomes());
    let aside = std::fs::read_dir(s.path("data"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains(".corrupt-"));
    assert!(aside, "the emptied file is kept aside");
}

/// 3. A daemon stopped (SIGSTOP) while a command waits: the CLI gives up
/// and says the command was not taken, and that is true after SIGCONT.
#[tokio::test]
async fn a_command_refused_for_time_is_never_applied() {
    let s = Scene::with(TWO).notifd().up().await;
    ok(&s, &["trigger", "stand"]);
    s.signal(19); // SIGSTOP
    let t = Instant::now();
    let (code, _, err) = s.cli(&["done", "stand"]);
    let waited = t.elapsed();
    s.signal(18); // SIGCONT
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("did not answer within") && err.contains("not taken"),
        "{err}"
    );
    assert!(waited < 20 * SEC, "{waited:?}");
    // Resumed, it reads the late line and refuses it.
    assert!(s.log_has("not carried out", 10 * SEC).await, "{}", s.log());
    let st = s.status();
    assert_eq!(st.pending.len(), 1, "still showing: {st:?}");
    assert_eq!(count(&s, "stand done cli"), 0, "{:?}", s.outcomes());
}

/// 4. Two Snooze actions for one showing (a double click on a resident
/// notification): one answer.
#[tokio::test]
async fn two_snooze_clicks_on_one_showing_are_one_answer() {
    let s = Scene::with(TWO).notifd().up().await;
    ok(&s, &["trigger", "stand"]);
    let n = s.notifd().nth(1, 10 * SEC).await;
    s.notifd().invoke(n.id, "snooze").await;
    s.notifd().invoke(n.id, "snooze").await;
    s.notifd().invoke(n.id, "skip").await;
    s.wait_outcome("stand snoozed notification", 5 * SEC).await;
    tokio::time::sleep(SEC).await;
    assert_eq!(
        count(&s, "stand snoozed notification"),
        1,
        "{:?}",
        s.outcomes()
    );
    assert_eq!(
        count(&s, "stand skipped notification"),
        0,
        "{:?}",
        s.outcomes()
    );
    assert_eq!(s.status().snoozed.len(), 1);
}

/// One request line on the socket, as any program could send it.
fn raw(s: &Scene, line: &str) -> String {
    let mut c = UnixStream::connect(s.path("run/unhunch.sock")).unwrap();
    c.set_read_timeout(Some(10 * SEC)).unwrap();
    writeln!(c, "{line}").unwrap();
    let mut reply = String::new();
    BufReader::new(c).read_line(&mut reply).unwrap();
    reply
}

/// 5. `guided` with nonsense is refused, each field checked against the
/// config; ids are quoted escaped, and history prints no control character.
#[tokio::test]
async fn guided_nonsense_is_refused_and_history_prints_no_escapes() {
    let s = Scene::with(TWO).notifd().up().await;
    let guided = |done: u64, of: u64, seconds: u64, routine: &str| {
        serde_json::json!({"v": 1, "cmd": "guided", "id": "neck", "finished": true,
            "progress": {"routine": routine, "done": done, "of": of, "seconds": seconds}})
        .to_string()
    };
    let of = unhunch::config::builtin::Builtin::get()
        .routines()
        .iter()
        .find(|r| r.id == "neck-reset")
        .unwrap()
        .cue_count();
    for (line, want) in [
        (guided(50, of, 60, "neck-reset"), "cannot be done"),
        (guided(0, 0, 60, "neck-reset"), "not 0"),
        (guided(1, of, 4_294_967_295, "neck-reset"), "it takes"),
        (guided(1, of, 60, "\u{1b}[31mred"), "no routine with id"),
    ] {
        let reply = raw(&s, &line);
        assert!(
            reply.contains("\"ok\":false") && reply.contains(want),
            "{line}\n{reply}"
        );
        assert!(!reply.contains('\u{1b}'), "{reply}");
    }
    assert!(s.events().is_empty(), "{:?}", s.outcomes());
    // A history written by something else: printed without its escapes.
    {
        let (store, _) = unhunch::store::Store::open_in(&s.path("data")).unwrap();
        let mut e = unhunch::core::Event {
            at: Timestamp::now(),
            reminder: "neck\u{1b}[2J".into(),
            kind: unhunch::core::Kind::Neck,
            outcome: unhunch::core::Outcome::Done,
            source: unhunch::core::Source::Guided,
            due: None,
            snooze: None,
            progress: None,
            device: None,
        };
        e.progress = Some(unhunch::core::routine::Progress {
            routine: "x\u{1b}]0;owned\u{7}".into(),
            done: 1,
            of: 2,
            seconds: 3,
        });
        store.record(&e, jiff::tz::Offset::UTC).unwrap();
    }
    let out = ok(&s, &["history"]);
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
}

/// A zone file of our own for TZ, pointing at `zone`, replaced as
/// `timedatectl` replaces /etc/localtime: a new link renamed over it.
fn point_zone(s: &Scene, zone: &str) {
    let link = s.path("localtime");
    let new = s.path("localtime.new");
    let _ = std::fs::remove_file(&new);
    std::os::unix::fs::symlink(format!("/usr/share/zoneinfo/{zone}"), &new).unwrap();
    std::fs::rename(&new, &link).unwrap();
}

/// 6. The time zone changed while the daemon runs: followed at once.
#[tokio::test]
async fn a_time_zone_change_is_followed_without_a_restart() {
    let mut s = Scene::with(TWO).notifd().build().await;
    point_zone(&s, "Europe/Berlin");
    let tz = s.path("localtime").display().to_string();
    s.set_env("TZ", &tz);
    s.up().await;
    // The reply carries local times with their offset.
    let offset = |s: &Scene| s.status().next[0].at.0.offset();
    let of = |zone: &str| {
        (Timestamp::now() + jiff::SignedDuration::from_mins(45))
            .in_tz(zone)
            .unwrap()
            .offset()
    };
    assert_eq!(offset(&s), of("Europe/Berlin"));
    point_zone(&s, "America/New_York");
    assert!(
        s.log_has(
            "the time zone changed from Europe/Berlin to America/New_York",
            5 * SEC
        )
        .await,
        "{}",
        s.log()
    );
    assert_eq!(offset(&s), of("America/New_York"));
}

/// A fixed-time reminder at `at` in `tz`'s local time.
fn fixed(at: &str) -> String {
    format!("[[reminder]]\nid = \"fix\"\nkind = \"neck\"\nat = [\"{at}\"]\n")
}

/// Starts the daemon with its clock at `at`, in zone `tz`.
async fn at_clock(s: &mut Scene, tz: &str, at: Timestamp) {
    let offset = crate::common::fixture::offset_to(&at.to_string());
    let tz = tz.to_string();
    s.start_with(|c| {
        c.env("UNHUNCH_CLOCK_OFFSET", &offset).env("TZ", &tz);
    });
    s.wait_up().await;
}

/// Today's `HH:MM` in `tz`, as an instant, plus `secs`.
fn today_at(tz: &str, hhmm: &str, secs: i64) -> Timestamp {
    let now = Timestamp::now().in_tz(tz).unwrap();
    let t: jiff::civil::Time = hhmm.parse().unwrap();
    unhunch::core::time::resolve_local(now.date(), t, now.time_zone()).unwrap()
        + jiff::SignedDuration::from_secs(secs)
}

/// 7. A fixed time done, the clock set back an hour, the daemon restarted:
/// the history is the memory, so 10:00 is neither shown again nor missed.
#[tokio::test]
async fn a_fixed_time_done_is_not_shown_again_after_the_clock_went_back_and_a_restart() {
    let mut s = Scene::with(&fixed("10:00")).notifd().build().await;
    at_clock(&mut s, "UTC", today_at("UTC", "10:00", -2)).await;
    s.wait_outcome("fix shown schedule", 10 * SEC).await;
    ok(&s, &["done", "fix"]);
    s.signal(15);
    s.wait_exit(5 * SEC).await;
    at_clock(&mut s, "UTC", today_at("UTC", "09:00", 10)).await;
    let next = s.status().next;
    let when = &next[0].at.0;
    assert_eq!(
        when.date(),
        Timestamp::now()
            .in_tz("UTC")
            .unwrap()
            .date()
            .tomorrow()
            .unwrap(),
        "{next:?}"
    );
    assert_eq!(count(&s, "fix shown schedule"), 1, "{:?}", s.outcomes());
    assert_eq!(count(&s, "fix missed schedule"), 0, "{:?}", s.outcomes());
}

/// 8. The zone moved west after a fixed time was done (Berlin, then
/// London): today's 11:00 is not shown again.
#[tokio::test]
async fn a_fixed_time_done_today_is_not_shown_again_after_a_move_west() {
    let mut s = Scene::with(&fixed("11:00")).notifd().build().await;
    let at = today_at("Europe/Berlin", "11:00", -2);
    at_clock(&mut s, "Europe/Berlin", at).await;
    s.wait_outcome("fix shown schedule", 10 * SEC).await;
    ok(&s, &["done", "fix"]);
    s.signal(15);
    s.wait_exit(5 * SEC).await;
    // The same instant, in London: 10:00, an hour before London's 11:00.
    at_clock(
        &mut s,
        "Europe/London",
        at + jiff::SignedDuration::from_secs(15),
    )
    .await;
    let next = s.status().next;
    let when = &next[0].at.0;
    let today = at.in_tz("Europe/London").unwrap().date();
    assert_eq!(when.date(), today.tomorrow().unwrap(), "{next:?}");
    assert_eq!(count(&s, "fix shown schedule"), 1, "{:?}", s.outcomes());
}

/// 9. A second daemon with another data directory but the same runtime
/// directory never takes the live socket over: it refuses, naming the
/// first's pid, and commands still reach the first.
#[tokio::test]
async fn a_second_daemon_never_takes_a_live_socket_over() {
    let first = Scene::with(TWO).notifd().up().await;
    let pid = first.status().pid;
    let mut c = first.command(&["run"]);
    c.env("UNHUNCH_DATA_DIR", first.path("data2"));
    let out = tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("another unhunch (pid {pid})")),
        "{err}"
    );
    for _ in 0..5 {
        assert_eq!(first.status().pid, pid);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// 10. A data directory that cannot be written at start: the daemon runs,
/// says why (status), tries again with back-off, and starts once it can.
#[tokio::test]
async fn an_unwritable_data_dir_at_start_is_waited_out_not_an_exit() {
    let mut s = Scene::with(TWO).notifd().build().await;
    // A file where the data directory's parent should be: nothing can be
    // made there (as on a read-only or full disk), even as root.
    let blocker = s.path("blocked");
    std::fs::write(&blocker, "").unwrap();
    let data = blocker.join("data");
    s.set_env("UNHUNCH_DATA_DIR", &data);
    s.start();
    let told = wait_for(10 * SEC, || {
        let (code, _, err) = s.cli(&["status"]);
        (code != 0 && err.contains("history cannot be opened")).then_some(err)
    })
    .await;
    assert!(told.is_some(), "{}", s.log());
    assert!(s.is_running(), "{}", s.log());
    std::fs::remove_file(&blocker).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    s.wait_status("the history opened", 15 * SEC, |st| st.running)
        .await;
    assert!(data.join("unhunch.db").exists());
}

/// 12. `config check` on a 1 MB title shows the part around the column.
#[test]
fn config_check_cuts_a_long_line_to_the_terminal() {
    let s = Scene::builder().home();
    let title = "x".repeat(1_000_000);
    std::fs::write(
        s.path("big.toml"),
        format!(
            "[[reminder]]\nid = \"a\"\nkind = \"stand\"\nevery = \"45m\"\ntitle = \"{title}\"\n"
        ),
    )
    .unwrap();
    let big = s.path("big.toml").display().to_string();
    let mut c = s.command(&["--config", &big, "config", "check"]);
    c.env("COLUMNS", "80");
    let out = c.output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(all.len() < 1000, "{} bytes", all.len());
    assert!(all.contains("title is 1000000 characters long"), "{all}");
    let excerpt = all.lines().find(|l| l.starts_with(" 5 |")).unwrap();
    assert!(excerpt.chars().count() <= 80, "{all}");
}

/// More clients than the daemon serves at once: each is told why, none
/// sees a broken pipe or a reset.
#[tokio::test]
async fn clients_beyond_the_limit_are_told_busy_not_reset() {
    let s = Scene::with(TWO).notifd().up().await;
    let sock = s.path("run/unhunch.sock");
    let clients: Vec<_> = (0..200)
        .map(|_| {
            let sock = sock.clone();
            std::thread::spawn(move || -> Result<String, String> {
                let mut c = UnixStream::connect(&sock).map_err(|e| e.to_string())?;
                c.set_read_timeout(Some(20 * SEC)).unwrap();
                std::thread::sleep(Duration::from_millis(300));
                c.write_all(b"{\"v\":1,\"cmd\":\"status\"}\n")
                    .map_err(|e| format!("write: {e}"))?;
                let mut line = String::new();
                BufReader::new(c)
                    .read_line(&mut line)
                    .map_err(|e| format!("read: {e}"))?;
                Ok(line)
            })
        })
        .collect();
    let mut busy = 0;
    for c in clients {
        let line = c.join().unwrap().unwrap_or_else(|e| panic!("{e}"));
        assert!(line.starts_with('{'), "{line}");
        busy += usize::from(line.contains("busy"));
    }
    assert!(busy < 200, "some were served");
}
