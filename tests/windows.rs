//! The Windows build, run under wine, against the Linux build: the same
//! config check, plan, stats and history for the same files and zone, and a
//! clear refusal from the commands whose Windows parts are still to come.
//!
//! Ignored in a plain `cargo test`: `scripts/check-windows` builds the .exe
//! with mingw, puts it beside a stand-in `bcryptprimitives.dll` (which wine 8
//! lacks), makes a wine prefix, and runs these with `--ignored`, naming the
//! directory in `UNHUNCH_WINDOWS_DIR`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::fixture::{NOW, fixture, offset_to};

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

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the Linux build, or the Windows one under wine, with `env` (paths
/// in it already in the platform's form).
fn run(windows: bool, args: &[&str], env: &[(&str, String)]) -> Run {
    let mut c = if windows {
        let mut c = Command::new("/usr/lib/wine/wine64");
        c.arg(windows_dir().join("unhunch.exe"));
        c.env("WINEDEBUG", "-all");
        if let Some(prefix) = std::env::var_os("WINEPREFIX") {
            c.env("WINEPREFIX", prefix);
        }
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_unhunch"))
    };
    c.args(args).env("TZ", "Europe/Berlin");
    for (k, v) in env {
        c.env(k, v);
    }
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

#[test]
#[ignore = "run by scripts/check-windows, under wine"]
fn commands_that_need_the_daemon_say_it_is_not_here_yet() {
    for args in [
        &["status"][..],
        &["done"],
        &["run"],
        &["service", "install"],
        &["doctor"],
    ] {
        let r = run(true, args, &[]);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains("the unhunch daemon does not run on Windows yet"),
            "{args:?}: {}",
            r.stderr
        );
    }
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
