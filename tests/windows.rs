//! The Windows build, run under wine: the same config check, plan, stats
//! and history as the Linux build for the same files and zone; the daemon
//! over its named pipe, held by a call written in the capability access
//! store; start at login through the Run key.
//!
//! Ignored in a plain `cargo test`: `scripts/check-windows` builds the .exe
//! with mingw, puts it beside a stand-in `bcryptprimitives.dll` (which wine 8
//! lacks), makes a wine prefix, and runs these with `--ignored`, naming the
//! directory in `UNHUNCH_WINDOWS_DIR`.

#[path = "common/fixture.rs"]
mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;

use fixture::{NOW, fixture, offset_to};

/// The directory holding unhunch.exe (set by scripts/check-windows).
fn windows_dir() -> PathBuf {
    PathBuf::from(
        std::env::var_os("UNHUNCH_WINDOWS_DIR")
            .expect("UNHUNCH_WINDOWS_DIR: run these through scripts/check-windows"),
    )
}

/// A Linux path as the Windows program sees it (wine maps Z: to /).
fn win_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

/// unhunch.exe under wine, with `args` and `env`.
fn wine_command(args: &[&str], env: &[(&str, String)]) -> Command {
    let mut c = Command::new("/usr/lib/wine/wine64");
    c.arg(windows_dir().join("unhunch.exe"));
    c.env("WINEDEBUG", "-all");
    // Every wine process of a prefix shares one desktop, made by the first
    // with the display it had: all of them get scripts/check-windows's.
    for var in ["WINEPREFIX", "DISPLAY"] {
        if let Some(v) = std::env::var_os(var) {
            c.env(var, v);
        }
    }
    c.args(args).env("TZ", "Europe/Berlin");
    c.envs(env.iter().map(|(k, v)| (k, v)));
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the Linux build, or the Windows one under wine, with `env` (paths
/// in it already in the platform's form).
fn run(windows: bool, args: &[&str], env: &[(&str, String)]) -> Run {
    let mut c = if windows {
        wine_command(args, env)
    } else {
        let mut c = Command::new(env!("CARGO_BIN_EXE_unhunch"));
        c.args(args).env("TZ", "Europe/Berlin");
        c.envs(env.iter().map(|(k, v)| (k, v)));
        c
    };
    let o = c.output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).replace("\r\n", "\n");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: text(o.stdout),
        stderr: text(o.stderr),
    }
}

/// Both builds, the same arguments: the same exit code and output (with
/// each platform's form of `path` made alike).
fn same(args: &[&str], path: &Path, env: &[(&str, &Path)]) {
    let for_platform = |windows: bool| -> Vec<String> {
        args.iter()
            .map(|a| {
                if windows && *a == path.to_str().unwrap() {
                    win_path(path)
                } else {
                    a.to_string()
                }
            })
            .collect()
    };
    let envs = |windows: bool| -> Vec<(&str, String)> {
        env.iter()
            .map(|(k, p)| {
                let v = if windows {
                    win_path(p)
                } else {
                    p.display().to_string()
                };
                (*k, v)
            })
            .collect()
    };
    let lin_args = for_platform(false);
    let win_args = for_platform(true);
    let lin = run(
        false,
        &lin_args.iter().map(String::as_str).collect::<Vec<_>>(),
        &envs(false),
    );
    let win = run(
        true,
        &win_args.iter().map(String::as_str).collect::<Vec<_>>(),
        &envs(true),
    );
    let win_out = win
        .stdout
        .replace(&win_path(path), &path.display().to_string());
    assert_eq!(
        (lin.code, lin.stdout.as_str()),
        (win.code, win_out.as_str()),
        "{args:?}\nLinux stderr: {}\nWindows stderr: {}",
        lin.stderr,
        win.stderr
    );
}

#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn config_check_and_plan_match_linux() {
    let dir = tempfile::tempdir().unwrap();
    let default = dir.path().join("default.toml");
    std::fs::write(&default, unhunch::config::DEFAULT_TOML).unwrap();
    let own = dir.path().join("own.toml");
    std::fs::write(
        &own,
        "[general]\nwork_hours = \"08:30-17:00\"\n[[reminder]]\nid = \"look-away\"\nkind = \"custom\"\n\
         title = \"Look away\"\nbody = \"Far, for twenty seconds.\"\nevery = \"20m\"\nduring = \"work\"\n",
    )
    .unwrap();
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[[reminder]]\nid = \"x\"\nkind = \"stand\"\nevry = \"1h\"\ndays = [\"mun\"]\n",
    )
    .unwrap();
    for file in [&default, &own, &broken] {
        let f = file.to_str().unwrap();
        same(&["config", "check", f], file, &[]);
        same(
            &[
                "plan",
                "--config",
                f,
                "--from",
                "2026-11-25",
                "--days",
                "7",
                "--json",
            ],
            file,
            &[],
        );
        same(
            &[
                "plan",
                "--config",
                f,
                "--from",
                "2026-03-28 12:00",
                "--days",
                "2",
            ],
            file,
            &[],
        );
    }
}

#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn stats_and_history_of_a_history_match_linux() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fixture(&data);
    let offset = offset_to(NOW);
    for args in [
        &["stats", "--days", "3"][..],
        &["stats", "--days", "3", "--format", "json"],
        &["stats", "--days", "3", "--format", "csv"],
        &["history", "--format", "csv"],
        &["history", "--reminder", "stand"],
    ] {
        let a: Vec<&str> = args.to_vec();
        let lin = run(
            false,
            &a,
            &[
                ("UNHUNCH_DATA_DIR", data.display().to_string()),
                ("UNHUNCH_CLOCK_OFFSET", offset.clone()),
            ],
        );
        let win = run(
            true,
            &a,
            &[
                ("UNHUNCH_DATA_DIR", win_path(&data)),
                ("UNHUNCH_CLOCK_OFFSET", offset.clone()),
            ],
        );
        assert_eq!(lin.code, 0, "{args:?}: {}", lin.stderr);
        assert_eq!(
            (lin.code, &lin.stdout),
            (win.code, &win.stdout),
            "{args:?}: {}",
            win.stderr
        );
    }
}

/// The Windows daemon under wine (in scripts/check-windows's X server, for
/// the tray):
/// it answers `status` over its named pipe, shows a reminder on time (no
/// toast under wine: it says so once and keeps scheduling), takes `done`
/// from the CLI, refuses a second instance, and ends on `stop`. One test:
/// the pipe is per user, so two daemons would share it.
#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn the_daemon_runs_answers_over_its_pipe_and_stops() {
    let _one = one_daemon();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("config.toml");
    // Away never counts: wine's idle time starts at its boot.
    std::fs::write(
        &config,
        "[general]\naway_after = \"0s\"\n[[reminder]]\nid = \"neck\"\nkind = \"neck\"\n\
         title = \"Neck stretch\"\nevery = \"4s\"\n",
    )
    .unwrap();
    let env = [
        ("UNHUNCH_DATA_DIR", win_path(&data)),
        ("UNHUNCH_CONFIG", win_path(&config)),
    ];
    // The capability access store, as Windows keeps it: calls are read
    // from it (it must be there when the daemon starts).
    reg(&["add", &format!(r"{STORE}\microphone"), "/f"]);
    reg(&["delete", &format!(r"{STORE}\microphone\NonPackaged"), "/f"]);
    let log = dir.path().join("daemon.log");
    let mut daemon = run_daemon(&env, &log);
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let within = |secs: u64, what: &str, ok: &dyn Fn() -> bool| {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while !ok() {
            assert!(
                std::time::Instant::now() < end,
                "{what} not within {secs} s; log:\n{}",
                read_log()
            );
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
    };
    within(60, "status over the pipe", &|| {
        run(true, &["status"], &env).code == 0
    });
    let status = run(true, &["status"], &env);
    assert!(
        status.stdout.contains("is running (pid"),
        "{}",
        status.stdout
    );
    // Shown on time, recorded, with the toast's absence said once.
    let history = || run(true, &["history", "--format", "csv"], &env).stdout;
    within(30, "a shown reminder in the history", &|| {
        history().contains(",neck,shown,")
    });
    let log_now = read_log();
    assert!(log_now.contains("tray icon shown"), "{log_now}");
    assert_eq!(
        log_now.matches("toasts cannot be shown here").count(),
        1,
        "{log_now}"
    );
    let done = run(true, &["done"], &env);
    assert_eq!(done.code, 0, "{}{}", done.stdout, done.stderr);
    assert!(
        done.stdout.contains("Done: Neck stretch (neck)"),
        "{}",
        done.stdout
    );
    assert!(history().contains(",neck,done,"), "{}", history());
    // It keeps scheduling: shown again after the done.
    within(30, "the next showing", &|| {
        let h = history();
        h.rfind(",neck,shown,") > h.find(",neck,done,")
    });
    // The other commands over the pipe.
    for (args, says) in [
        (&["snooze", "--for", "10m"][..], "Snoozed: Neck stretch"),
        (&["trigger", "neck"], "Neck stretch"),
        (&["skip"], "Skipped: Neck stretch"),
        (&["pause", "--for", "1h"], "Paused until"),
        (&["resume"], "Resumed"),
    ] {
        let r = run(true, args, &env);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(says), "{args:?}: {}", r.stdout);
    }
    // A call: a program's microphone use starts (LastUsedTimeStop 0), and
    // the store's change notification holds reminders; its stop ends it.
    let caller = format!(r"{STORE}\microphone\NonPackaged\C:#Tools#caller.exe");
    let qword = |key: &str, name: &str, v: u64| {
        reg(&[
            "add",
            key,
            "/v",
            name,
            "/t",
            "REG_QWORD",
            "/d",
            &v.to_string(),
            "/f",
        ]);
    };
    qword(&caller, "LastUsedTimeStart", 134_000_000_000_000_000);
    qword(&caller, "LastUsedTimeStop", 0);
    within(20, "held by the call", &|| {
        run(true, &["status"], &env)
            .stdout
            .contains("Held by call (caller): reminders wait until it ends")
    });
    let doctor = run(true, &["doctor"], &env).stdout;
    assert!(
        doctor.contains(
            "✓ calls: from the capability access store; caller uses the microphone or camera now (a call)"
        ),
        "{doctor}"
    );
    qword(&caller, "LastUsedTimeStop", 134_000_000_100_000_000);
    within(20, "the call's end", &|| {
        !run(true, &["status"], &env).stdout.contains("Held by")
    });
    assert!(read_log().contains("the call ended"), "{}", read_log());
    // One daemon per user.
    let second = run(true, &["run"], &env);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(
        second.stderr.contains("unhunch is already running"),
        "{}",
        second.stderr
    );
    let stop = run(true, &["stop"], &env);
    assert_eq!(stop.code, 0, "{}{}", stop.stdout, stop.stderr);
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let code = loop {
        if let Some(s) = daemon.0.try_wait().unwrap() {
            break s.code();
        }
        assert!(std::time::Instant::now() < end, "still running after stop");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(code, Some(0), "{}", read_log());
    let status = run(true, &["status"], &env);
    assert_eq!(status.code, 3, "{}{}", status.stdout, status.stderr);
    assert!(
        status.stderr.contains(r"\\.\pipe\unhunch-"),
        "{}",
        status.stderr
    );
}

/// The capability access store, under HKEY_CURRENT_USER.
const STORE: &str =
    r"HKCU\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore";

/// wine's `reg` with `args`, in the test's prefix.
fn reg(args: &[&str]) {
    let mut c = Command::new("/usr/lib/wine/wine64");
    c.arg("reg").args(args).env("WINEDEBUG", "-all");
    for var in ["WINEPREFIX", "DISPLAY"] {
        if let Some(v) = std::env::var_os(var) {
            c.env(var, v);
        }
    }
    let o = c.output().unwrap();
    // Deleting what is not there fails, and is fine.
    assert!(
        o.status.success() || args[0] == "delete",
        "reg {args:?}: {o:?}"
    );
}

/// A daemon a failed test must not leave running (it would hold the pipe).
struct KillOnDrop(std::process::Child);

/// The daemon's pipe is one per Windows user (the prefix's), whatever its
/// data directory: two tests' daemons at once would answer each other's
/// commands. Each test that runs one holds this while it does.
static ONE_DAEMON: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_daemon() -> std::sync::MutexGuard<'static, ()> {
    ONE_DAEMON.lock().unwrap_or_else(|e| e.into_inner())
}

/// `unhunch run` under wine with `env`, its log to `log`.
fn run_daemon(env: &[(&str, String)], log: &Path) -> KillOnDrop {
    KillOnDrop(
        wine_command(&["run"], env)
            .stderr(std::fs::File::create(log).unwrap())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start at login is the user's Run key: install writes it, status reads
/// it, uninstall removes it; `doctor` reports each part.
#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn service_uses_the_run_key_and_doctor_reports() {
    // `service status` and `doctor` ask the pipe whether a daemon runs.
    let _one = one_daemon();
    let r = run(true, &["service", "install"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run runs"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("unhunch.exe\" run"), "{}", r.stdout);
    let s = run(true, &["service", "status"], &[]);
    assert!(s.stdout.starts_with("Starts at login:"), "{}", s.stdout);
    let d = run(true, &["doctor"], &[]);
    assert!(d.stdout.contains("✓ autostart: HKCU"), "{}", d.stdout);
    assert!(
        d.stdout
            .contains("! notifications: toasts cannot be shown here"),
        "{}",
        d.stdout
    );
    let u = run(true, &["service", "uninstall"], &[]);
    assert_eq!(u.code, 0, "{}{}", u.stdout, u.stderr);
    assert!(u.stdout.starts_with(r"Removed HKCU"), "{}", u.stdout);
    let s = run(true, &["service", "status"], &[]);
    assert!(s.stdout.starts_with("Not started at login"), "{}", s.stdout);
    let u = run(true, &["service", "uninstall"], &[]);
    assert!(u.stdout.starts_with("Nothing to remove"), "{}", u.stdout);
    // Usage errors are usage errors there too.
    assert_eq!(run(true, &["pause", "--for", "soon"], &[]).code, 2);
}

/// `config edit` runs the editor through cmd.exe on the config file, then
/// checks what it left: here the "editor" is cmd's `copy`, which puts another
/// schedule in place.
#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn config_edit_runs_the_editor_on_the_file_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, unhunch::config::DEFAULT_TOML).unwrap();
    let own = dir.path().join("own.toml");
    std::fs::write(
        &own,
        "[[reminder]]\nid = \"legs\"\nkind = \"stand\"\nevery = \"1h\"\n",
    )
    .unwrap();
    let r = run(
        true,
        &["config", "edit"],
        &[
            ("UNHUNCH_CONFIG", win_path(&config)),
            ("VISUAL", format!("copy /y \"{}\"", win_path(&own))),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("is valid: 1 reminder, 1 enabled"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        std::fs::read_to_string(&own).unwrap()
    );
}

/// A reader that goes away early (`unhunch.exe plan | more`, quit at the
/// first screen): the exe ends quietly with status 0, as on Linux, not
/// with a panic and a backtrace.
#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn a_closed_output_pipe_ends_quietly() {
    use std::io::BufRead;
    let mut c = wine_command(&["plan", "--days", "365", "--json"], &[]);
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with('['), "{first}");
    drop(out);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
}

/// Wine's last input is the start of its session, long before the daemon:
/// away never begins before the daemon did, so right after a start the
/// person is present and interval reminders are shown, not recorded away.
#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn away_never_begins_before_the_daemon_started() {
    let _one = one_daemon();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[general]\naway_after = \"5m\"\n[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"3s\"\n",
    )
    .unwrap();
    let env = [
        ("UNHUNCH_DATA_DIR", win_path(&data)),
        ("UNHUNCH_CONFIG", win_path(&config)),
    ];
    let log = dir.path().join("daemon.log");
    let _daemon = run_daemon(&env, &log);
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let history = || run(true, &["history", "--format", "csv"], &env).stdout;
    while !history().contains(",neck,shown,") {
        assert!(
            std::time::Instant::now() < end,
            "not shown; log:\n{}",
            read_log()
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let status = run(true, &["status", "--json"], &env);
    let v: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert!(
        v["away_since"].is_null(),
        "{}\n{}",
        status.stdout,
        read_log()
    );
    assert!(!history().contains(",neck,away,"), "{}", history());
    assert!(!read_log().contains("no input for"), "{}", read_log());
    assert!(
        read_log().contains("under wine, GetLastInputInfo sees only input to wine's windows"),
        "{}",
        read_log()
    );
    let _ = run(true, &["stop"], &env);
}
