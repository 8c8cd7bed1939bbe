//! Hostile and unlucky inputs on the real binary: odd files as the config,
//! a config broken while unhunch was not looking. Each gives a clear error,
//! never a hang, and never silently no reminders.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use unhunch::vocab::reply::Fallback;

use crate::common::desktop::Notifd;
use crate::common::{SEC, Scene, wait_for};

const GOOD: &str = "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"1h\"\n";
const BROKEN: &str = "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevry = \"1h\"\n";

/// Runs `c`, failing the test if it has not ended within `within`.
fn output_within(mut c: Command, within: Duration) -> Output {
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + within;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > end {
            let _ = child.kill();
            panic!("{c:?} did not end within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn mkfifo(path: &std::path::Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

#[tokio::test]
async fn a_config_broken_before_a_start_runs_the_last_good_one_and_says_so() {
    let mut d = Scene::with(GOOD).notifd().up().await;
    let server = d.notifd();
    assert!(d.status().config_error.is_none());
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0));

    // A typo saved while it was not running; then the next login.
    std::fs::write(d.config_path(), BROKEN).unwrap();
    d.up().await;
    let s = d.status();
    let problem = s.config_error.expect("status says the config is broken");
    assert_eq!(problem.running, Fallback::LastGood);
    assert!(problem.kept.is_some());
    assert!(
        problem
            .error
            .contains("config.toml:4:1: unknown field \"evry\""),
        "{}",
        problem.error
    );
    assert_eq!(
        s.next.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["stand"],
        "the last good schedule runs"
    );
    let told = server.nth(1, 5 * SEC).await;
    assert_eq!(told.summary, "unhunch: config error");
    assert!(
        told.body
            .contains("Running the last good schedule until the file is fixed."),
        "{}",
        told.body
    );
    let (code, out, _) = d.cli(&["status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Config error: running the last good schedule (kept "),
        "{out}"
    );
    assert!(out.contains("unknown field \"evry\""), "{out}");

    // Fixed: the problem is gone everywhere.
    d.write_config(&GOOD.replace("1h", "2h"));
    d.wait_status("no config error", 5 * SEC, |s| s.config_error.is_none())
        .await;
}

#[tokio::test]
async fn a_broken_config_and_no_good_copy_says_there_is_no_schedule() {
    let d = Scene::with(BROKEN).notifd().up().await;
    let server = d.notifd();
    let s = d.status();
    assert_eq!(s.config_error.map(|c| c.running), Some(Fallback::Nothing));
    let told = server.nth(1, 5 * SEC).await;
    assert!(
        told.body.contains("No reminders until the file is fixed."),
        "{}",
        told.body
    );
    let (_, out, _) = d.cli(&["status"]);
    assert!(out.contains("Config error: no reminders run"), "{out}");
}

#[tokio::test]
async fn a_fifo_renamed_over_the_config_is_an_error_not_a_frozen_daemon() {
    let d = Scene::with(GOOD).notifd().up().await;
    let server = d.notifd();
    let fifo = d.path("config/fifo");
    mkfifo(&fifo);
    std::fs::rename(&fifo, d.config_path()).unwrap();
    let told = server.nth(1, 5 * SEC).await;
    assert!(
        told.body
            .contains("it is a named pipe (FIFO), not a regular file"),
        "{}",
        told.body
    );
    let t = Instant::now();
    let s = d.status();
    assert!(t.elapsed() < SEC);
    assert_eq!(s.config_error.map(|c| c.running), Some(Fallback::Unchanged));
    assert_eq!(s.next.len(), 1, "the schedule goes on");
}

#[test]
fn fifos_and_devices_as_the_config_are_errors_at_once() {
    let d = Scene::with(GOOD).home();
    let fifo = d.path("config/fifo.toml");
    mkfifo(&fifo);
    let fifo = fifo.display().to_string();
    for (args, what) in [
        (
            vec!["config", "check", fifo.as_str()],
            "a named pipe (FIFO)",
        ),
        (
            vec!["--config", fifo.as_str(), "plan"],
            "a named pipe (FIFO)",
        ),
        (vec!["--config", "/dev/zero", "plan"], "a character device"),
        (
            vec!["config", "check", "/dev/urandom"],
            "a character device",
        ),
        (vec!["config", "check", "/tmp"], "a directory"),
    ] {
        let o = output_within(d.command(&args), 5 * SEC);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("it is {what}, not a regular file")),
            "{args:?}: {}",
            text(&o)
        );
    }
    // A daemon started on a FIFO does not hang: it says what is wrong.
    let mut c = d.command(&["run", "--no-tray"]);
    c.env("UNHUNCH_CONFIG", &fifo);
    let mut child = c.stderr(std::process::Stdio::null()).spawn().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let up = rt.block_on(wait_for(10 * SEC, || {
        d.command(&["status", "--json"])
            .env("UNHUNCH_CONFIG", &fifo)
            .output()
            .ok()
            .filter(|o| o.status.success())
    }));
    let _ = child.kill();
    let _ = child.wait();
    let out = up.expect("the daemon came up");
    let s: unhunch::vocab::reply::Status = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        s.config_error
            .is_some_and(|c| c.error.contains("named pipe (FIFO)")),
    );
}

#[test]
fn a_config_path_given_that_names_nothing_is_an_error() {
    let d = Scene::with(GOOD).home();
    let missing = d.path("config/nope.toml").display().to_string();
    for args in [
        vec!["--config", missing.as_str(), "config", "check"],
        vec!["--config", missing.as_str(), "plan"],
        vec!["--config", missing.as_str(), "run", "--no-tray"],
    ] {
        let o = output_within(d.command(&args), 5 * SEC);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("the config file {missing} does not exist")),
            "{args:?}: {}",
            text(&o)
        );
    }
    // A link to nothing, at the default place too.
    std::fs::remove_file(d.config_path()).unwrap();
    std::os::unix::fs::symlink("gone.toml", d.config_path()).unwrap();
    let o = output_within(d.command(&["config", "check"]), 5 * SEC);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("is a link to gone.toml, which does not exist"),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn text_is_escaped_where_the_server_reads_markup() {
    let config = "[[reminder]]\nid = \"snack\"\nkind = \"custom\"\ntitle = \"Salt & <b>vinegar</b>\"\nbody = \"Salt & vinegar, 3 < 4 <i>tags</i>\"\nevery = \"1h\"\n";
    for (caps, body) in [
        (
            vec!["actions", "body", "body-markup"],
            "Salt &amp; vinegar, 3 &lt; 4 &lt;i&gt;tags&lt;/i&gt;",
        ),
        (vec!["actions", "body"], "Salt & vinegar, 3 < 4 <i>tags</i>"),
    ] {
        let d = Scene::with(config).notifd_caps(&caps).up().await;
        let server = d.notifd();
        assert_eq!(d.cli(&["trigger", "snack"]).0, 0);
        let n = server.nth(1, 5 * SEC).await;
        assert_eq!(n.body, body, "{caps:?}");
        // The summary is never markup.
        assert_eq!(n.summary, "Salt & <b>vinegar</b>");
    }
}

#[test]
fn encoding_errors_have_a_line_and_column() {
    let d = Scene::with(GOOD).home();
    let latin1 = d.path("config/latin1.toml");
    std::fs::write(
        &latin1,
        b"[[reminder]]\nid = \"st\xe9nd\"\nkind = \"stand\"\n",
    )
    .unwrap();
    let o = output_within(
        d.command(&["config", "check", &latin1.display().to_string()]),
        5 * SEC,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("latin1.toml:2:9: byte 0xE9 is not UTF-8 text: save the file as UTF-8"),
        "{}",
        text(&o)
    );
    // A byte-order mark does not shift the columns of the first line.
    let bom = d.path("config/bom.toml");
    std::fs::write(&bom, "\u{feff}snooze = \"10m\"\n").unwrap();
    let o = output_within(
        d.command(&["config", "check", &bom.display().to_string()]),
        5 * SEC,
    );
    assert!(
        text(&o).contains("bom.toml:1:1: unknown field \"snooze\""),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn removing_the_runtime_dir_neither_lets_a_second_daemon_in_nor_loses_the_socket() {
    let d = Scene::with(GOOD).up().await;
    std::fs::remove_dir_all(d.path("run")).unwrap();
    // The socket is made again, in a directory closed to others.
    let back = wait_for(5 * SEC, || {
        d.command(&["status"])
            .output()
            .ok()
            .filter(|o| o.status.success())
    })
    .await;
    assert!(
        back.is_some(),
        "the socket was not made again:\n{}",
        d.log()
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.path("run"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    // The lock is beside the history, so a second daemon is still refused.
    std::fs::remove_dir_all(d.path("run")).unwrap();
    let o = output_within(d.command(&["run", "--no-tray"]), 10 * SEC);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("unhunch is already running (pid "),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn idle_clients_cannot_lock_others_out() {
    let d = Scene::with(GOOD).up().await;
    let idle: Vec<std::os::unix::net::UnixStream> = (0..80)
        .map(|_| std::os::unix::net::UnixStream::connect(d.path("run/unhunch.sock")).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Every place is taken: a clear answer at once, not a hang.
    let t = Instant::now();
    let (code, _, err) = d.cli(&["status"]);
    assert!(t.elapsed() < SEC, "{:?}", t.elapsed());
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the daemon is busy with other clients"),
        "{err}"
    );
    // Idle ones are closed after a few seconds; then there is room.
    d.wait_up().await;
    drop(idle);
}

#[test]
fn the_cli_does_not_trust_a_socket_another_user_could_serve() {
    use std::os::unix::fs::PermissionsExt;
    let d = Scene::with(GOOD).home();
    let run = d.path("run");
    std::fs::create_dir(&run).unwrap();
    // Open to others: not trusted.
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, err) = d.cli(&["done"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is open to other users (mode 755)"), "{err}");
    // Made by another user (as in a shared temp dir): not trusted.
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::chown(&run, Some(65534), Some(65534)).unwrap();
    let (code, _, err) = d.cli(&["done"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("belongs to another user (uid 65534)"), "{err}");
    std::os::unix::fs::chown(&run, Some(0), Some(0)).unwrap();

    // A socket served by another user, in our own directory: not trusted.
    let theirs = tempfile::tempdir().unwrap();
    std::fs::set_permissions(theirs.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let sock = theirs.path().join("s");
    let server = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(); print("ready", flush=True)
c, _ = s.accept()
try:
    c.recv(1000)
    c.sendall(b'{"ok":true,"id":"stand","title":"Stand","outcome":"done","until":null}\n')
except OSError:
    pass  # the client hung up, as it should
"#;
    let mut fake = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/usr/bin/python3",
            "-c",
            server,
        ])
        .arg(&sock)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(fake.stdout.as_mut().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    std::fs::rename(&sock, run.join("unhunch.sock")).unwrap();
    let (code, out, err) = d.cli(&["done"]);
    let _ = fake.kill();
    let _ = fake.wait();
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("it is served by another user (uid 65534)"),
        "{err}"
    );
    assert!(!out.contains("Done"), "{out}");
}

#[tokio::test]
async fn a_tz_naming_a_device_or_fifo_is_refused_not_read() {
    let mut d = Scene::with(GOOD).build().await;
    let fifo = d.path("tz-fifo");
    mkfifo(&fifo);
    let fifo = fifo.display().to_string();
    for tz in ["/dev/zero", ":/dev/urandom", fifo.as_str()] {
        let mut c = d.command(&["plan", "--days", "1"]);
        c.env("TZ", tz);
        let o = output_within(c, 5 * SEC);
        assert_eq!(o.status.code(), Some(0), "TZ={tz}: {}", text(&o));
        assert!(text(&o).contains("using UTC"), "TZ={tz}: {}", text(&o));
    }
    // The daemon reads its clock at every wake: it must not read the file.
    d.start_with(|c| {
        c.env("TZ", "/dev/zero");
    });
    d.wait_up().await;
    let t = Instant::now();
    let (code, _, err) = d.cli(&["status"]);
    assert_eq!(code, 0, "{err}");
    assert!(t.elapsed() < SEC);
    assert!(
        d.log()
            .contains("TZ=/dev/zero: /dev/zero is not a regular file; using UTC")
    );
}

#[tokio::test]
async fn a_history_with_our_version_but_no_tables_is_damaged_not_fatal() {
    let mut d = Scene::with(GOOD).build().await;
    std::fs::create_dir_all(d.path("data")).unwrap();
    let c = rusqlite::Connection::open(d.db_path()).unwrap();
    c.execute_batch("PRAGMA user_version = 1; CREATE TABLE notes (t TEXT);")
        .unwrap();
    drop(c);
    // (Before the test's notification server: doctor would ask it, and this
    // thread, which serves it, waits for doctor.)
    let (code, out, _) = d.cli(&["doctor"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is damaged: it has no events table"), "{out}");
    let server = Notifd::start(d.bus()).await;
    d.up().await;
    let n = server.nth(1, 5 * SEC).await;
    assert_eq!(n.summary, "unhunch: history database replaced");
    assert!(n.body.contains("it has no events table"), "{}", n.body);
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(d.outcomes(), ["stand shown cli"]);
}

#[tokio::test]
async fn a_read_only_data_dir_can_still_be_read() {
    let mut d = Scene::with(GOOD).up().await;
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(d.cli(&["done"]).0, 0);
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0));
    let data = d.path("data").display().to_string();
    // In a mount namespace of its own, the data dir is made read-only, then
    // the reading commands run ($0 is unhunch).
    let script = format!(
        "mount --bind {data} {data} && mount -o remount,bind,ro {data} && \
         touch {data}/probe 2>/dev/null && echo WRITABLE; \
         \"$0\" history --format csv && \"$0\" stats --days 1 --format csv"
    );
    let c = d.command_via(
        &[
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
        ],
        &[],
    );
    let o = output_within(c, 10 * SEC);
    assert!(!text(&o).contains("WRITABLE"), "the mount is not read-only");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(",stand,stand,shown,cli,"), "{out}");
    assert!(out.contains(",stand,stand,done,cli,"), "{out}");
}

#[tokio::test]
async fn a_history_that_cannot_be_opened_at_start_is_retried_not_a_restart_loop() {
    let mut d = Scene::with(GOOD).notifd().build().await;
    let server = d.notifd();
    std::fs::create_dir_all(d.db_path()).unwrap();
    d.start();
    let told = server.nth(1, 10 * SEC).await;
    assert_eq!(told.summary, "unhunch: history not available");
    // It runs, and says why it is not ready.
    let t = Instant::now();
    let (code, _, err) = d.cli(&["status"]);
    assert!(t.elapsed() < SEC);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("unhunch is starting, but the history cannot be opened"),
        "{err}"
    );
    assert!(d.is_running());
    std::fs::remove_dir(d.db_path()).unwrap();
    d.wait_status("running", 10 * SEC, |s| s.next.len() == 1)
        .await;
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0));
}

#[tokio::test]
async fn at_the_end_of_the_calendar_the_daemon_neither_spins_nor_stops_answering() {
    let mut d = Scene::with(
        "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"1s\"\n[[reminder]]\nid = \"d\"\nkind = \"decompress\"\nat = [\"21:59\", \"23:30\"]\n",
    )
    .build()
    .await;
    // The test clock two seconds before the last instant jiff can hold:
    // intervals fall due there, and the clock then stays at the end.
    let end = jiff::Timestamp::MAX;
    let offset = end.duration_since(jiff::Timestamp::now()).as_secs() - 2;
    d.start_with(|c| {
        c.env("UNHUNCH_CLOCK_OFFSET", format!("{offset}s"));
    });
    d.wait_up().await;
    let before = d.cpu_ticks();
    tokio::time::sleep(3 * SEC).await;
    let spent = d.cpu_ticks() - before;
    assert!(
        spent < 30,
        "{spent} clock ticks of CPU in 3 s:\n{}",
        d.log()
    );
    let t = Instant::now();
    assert_eq!(d.cli(&["status"]).0, 0);
    assert!(t.elapsed() < SEC);
    d.signal(15);
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0));
}

#[tokio::test]
async fn a_client_that_never_reads_its_replies_is_dropped() {
    let d = Scene::with(GOOD).up().await;
    let path = d.path("run/unhunch.sock");
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut s = std::os::unix::net::UnixStream::connect(path).unwrap();
        s.set_write_timeout(Some(SEC)).unwrap();
        let start = Instant::now();
        let line = b"{\"v\":1,\"cmd\":\"status\"}\n";
        // Asks and asks, never reading: once the replies fill the socket,
        // the daemon gives this client up.
        while start.elapsed() < 30 * SEC {
            match s.write_all(line) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return Some(start.elapsed()),
            }
        }
        None
    });
    tokio::time::sleep(2 * SEC).await;
    let t = Instant::now();
    assert_eq!(d.cli(&["status"]).0, 0, "others are served meanwhile");
    assert!(t.elapsed() < SEC);
    let dropped = tokio::task::spawn_blocking(move || writer.join().unwrap())
        .await
        .unwrap();
    assert!(
        dropped.is_some_and(|t| t < 20 * SEC),
        "the silent reader kept its connection: {dropped:?}"
    );
}

#[tokio::test]
async fn after_kill_9_the_last_runs_notifications_are_replaced_or_closed() {
    let two = format!("{GOOD}[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"1h\"\n");
    let mut d = Scene::with(&two).notifd().up().await;
    let server = d.notifd();
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(d.cli(&["trigger", "neck"]).0, 0);
    let stand = server.nth(1, 5 * SEC).await;
    let neck = server.nth(2, 5 * SEC).await;
    d.signal(9);
    let _ = d.wait_exit(5 * SEC).await;
    // Neck removed from the schedule meanwhile; stand still showing.
    std::fs::write(d.config_path(), GOOD).unwrap();
    d.up().await;
    let again = server.nth(3, 5 * SEC).await;
    assert_eq!(again.summary, stand.summary);
    assert_eq!(
        again.replaces_id, stand.id,
        "put up in place of the old one"
    );
    server.wait_closed_by_client(neck.id, 5 * SEC).await;
    tokio::time::sleep(SEC).await;
    assert_eq!(server.calls().len(), 3, "{:#?}", server.calls());
}

#[tokio::test]
async fn a_config_removed_at_the_default_place_keeps_the_running_schedule() {
    // No UNHUNCH_CONFIG: the file at the default place (XDG_CONFIG_HOME).
    let mut d = Scene::builder().bus().build().await;
    d.write_config(GOOD);
    d.up().await;
    let s = d.status();
    assert_eq!(s.config, d.config_path().display().to_string());
    assert_eq!(
        s.next.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["stand"]
    );
    std::fs::remove_file(d.config_path()).unwrap();
    assert!(
        d.log_has("was removed: the running schedule continues", 5 * SEC)
            .await
    );
    // Not the embedded default (five reminders): the one that ran.
    let next: Vec<String> = d.status().next.into_iter().map(|n| n.id).collect();
    assert_eq!(next, ["stand"]);
}

/// The clock was a year ahead while a reminder was shown, then set right: a
/// restart does not take that row for a reminder showing now (it stays in
/// the history), and says why.
#[tokio::test]
async fn rows_from_the_future_are_kept_but_not_replayed() {
    let mut d = Scene::with(GOOD).notifd().build().await;
    let ahead = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 365);
    std::fs::create_dir_all(d.path("data")).unwrap();
    {
        let (store, _) = unhunch::store::Store::open_in(&d.path("data")).unwrap();
        let shown = unhunch::core::Event {
            at: ahead,
            reminder: "stand".into(),
            kind: unhunch::core::Kind::Stand,
            outcome: unhunch::core::Outcome::Shown,
            source: unhunch::core::Source::Schedule,
            due: Some(ahead),
            snooze: None,
            progress: None,
            device: None,
        };
        store.record(&shown, jiff::tz::Offset::UTC).unwrap();
    }
    d.up().await;
    let s = d.status();
    assert!(s.pending.is_empty(), "{:?}", s.pending);
    assert!(
        d.log().contains("1 history rows are later than now"),
        "{}",
        d.log()
    );
    assert_eq!(d.events().len(), 1);
}
