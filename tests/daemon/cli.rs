//! The real binary in a temporary home: `config` and `plan`.

use std::path::Path;
use std::process::Output;

use crate::common::Scene;

/// A home with every location inside it and a fixed zone: no daemon, no bus.
fn home() -> Scene {
    Scene::builder().tz("Europe/Berlin").home()
}

/// The binary in `h` with `args`.
fn run(h: &Scene, args: &[&str]) -> Out {
    Out(h.command(args).output().unwrap())
}

struct Out(Output);

impl Out {
    fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn config_path_follows_xdg_env_and_flag() {
    let h = home();
    let o = run(&h, &["config", "path"]);
    assert_eq!(o.code(), 0);
    assert_eq!(o.stdout().trim(), h.config_path().display().to_string());
    assert!(o.stderr().contains("embedded default is in use"));

    let o = Out(h
        .command(&["config", "path"])
        .env("UNHUNCH_CONFIG", "/elsewhere/c.toml")
        .output()
        .unwrap());
    assert_eq!(o.stdout().trim(), "/elsewhere/c.toml");
    let o = run(&h, &["--config", "/x/y.toml", "config", "path"]);
    assert_eq!(o.stdout().trim(), "/x/y.toml");
}

#[test]
fn config_init_writes_the_commented_default_once() {
    let h = home();
    let o = run(&h, &["config", "init"]);
    assert_eq!(o.code(), 0, "{}", o.stderr());
    let text = std::fs::read_to_string(h.config_path()).unwrap();
    assert_eq!(text, unhunch::config::DEFAULT_TOML);
    assert!(text.contains("# unhunch"), "written with its comments");

    let o = run(&h, &["config", "init"]);
    assert_eq!(o.code(), 1);
    assert!(
        o.stderr()
            .contains("exists already: use `unhunch config init --force`"),
        "{}",
        o.stderr()
    );

    write(&h.config_path(), "# mine\n");
    let o = run(&h, &["config", "init", "--force"]);
    assert_eq!(o.code(), 0);
    assert_eq!(
        std::fs::read_to_string(h.config_path()).unwrap(),
        unhunch::config::DEFAULT_TOML
    );
    // The customised one is kept beside it, and said where.
    let dir = h.config_path().parent().unwrap().to_path_buf();
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("config.toml.bak-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{:?}", kept);
    assert_eq!(std::fs::read_to_string(kept[0].path()).unwrap(), "# mine\n");
    assert!(
        o.stdout().contains(&format!(
            "Kept your old config as {}",
            kept[0].path().display()
        )),
        "{}",
        o.stdout()
    );

    // A preset: the gentle day, valid, its plan as its note says.
    let o = run(&h, &["config", "init", "--force", "--preset", "gentle"]);
    assert_eq!(o.code(), 0, "{}", o.stderr());
    assert!(
        o.stdout().contains("Wrote the gentle schedule to "),
        "{}",
        o.stdout()
    );
    let text = std::fs::read_to_string(h.config_path()).unwrap();
    assert!(
        text.contains("# The gentle day: 12 reminders on a work day"),
        "{text}"
    );
    assert_eq!(plan_monday(&h, "1").as_array().unwrap().len(), 12);
    let o = run(&h, &["config", "init", "--force", "--preset", "busy"]);
    assert_eq!(o.code(), 2);
    assert!(
        o.stderr()
            .contains("[possible values: balanced, gentle, active]"),
        "{}",
        o.stderr()
    );
}

#[test]
fn config_check_lists_reminders_and_exits_by_validity() {
    let h = home();
    let o = run(&h, &["config", "check"]);
    assert_eq!(o.code(), 0, "{}", o.stderr());
    let out = o.stdout();
    assert!(out.contains("checking the embedded default"), "{out}");
    assert!(out.contains("is valid: 6 reminders, 5 enabled."), "{out}");
    assert!(
        out.contains("stand       stand       every 50 min, 09:00-18:00, mon-fri"),
        "{out}"
    );
    assert!(out.contains("at 14:25, mon-fri  (disabled)"), "{out}");

    let bad = h.path("bad.toml");
    write(
        &bad,
        "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevry = \"45m\"\n",
    );
    let o = run(&h, &["config", "check", bad.to_str().unwrap()]);
    assert_eq!(o.code(), 1);
    let err = o.stderr();
    assert!(
        err.contains(&format!("{}:4:1: unknown field \"evry\"", bad.display())),
        "{err}"
    );
    assert!(err.contains(" 4 | evry = \"45m\""), "shows the line: {err}");
    assert!(
        err.contains("unknown field \"evry\": did you mean \"every\"?"),
        "{err}"
    );
    assert!(err.contains("✗ invalid: 1 error"), "{err}");

    let warn = h.path("warn.toml");
    write(
        &warn,
        "[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"20s\"\n",
    );
    let o = run(&h, &["config", "check", warn.to_str().unwrap()]);
    assert_eq!(o.code(), 0);
    assert!(o.stdout().contains("warning: "), "{}", o.stdout());
    assert!(
        o.stdout()
            .contains("warn.toml:4:9: every = \"20s\" is under a minute"),
        "{}",
        o.stdout()
    );

    let o = run(&h, &["config", "check", "/no/such/file.toml"]);
    assert_eq!(o.code(), 1);
    assert!(
        o.stderr()
            .contains("the config file /no/such/file.toml does not exist"),
        "{}",
        o.stderr()
    );
}

#[test]
fn config_edit_runs_the_editor_then_checks() {
    let h = home();
    // An "editor" that appends an unknown key.
    let editor = h.path("ed.sh");
    write(&editor, "#!/bin/sh\nprintf 'bogus = 1\\n' >> \"$1\"\n");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let o = Out(h
        .command(&["config", "edit"])
        .env("EDITOR", &editor)
        .output()
        .unwrap());
    assert_eq!(o.code(), 1, "stdout: {} stderr: {}", o.stdout(), o.stderr());
    assert!(o.stdout().contains("Created"), "{}", o.stdout());
    assert!(
        o.stderr().contains("unknown field \"bogus\""),
        "{}",
        o.stderr()
    );

    // VISUAL wins over EDITOR; a harmless editor leaves it valid.
    let o = Out(h
        .command(&["config", "edit"])
        .env("EDITOR", &editor)
        .env("VISUAL", "true")
        .output()
        .unwrap());
    assert_eq!(o.code(), 1, "still invalid from before");
    std::fs::remove_file(h.config_path()).unwrap();
    let o = Out(h
        .command(&["config", "edit"])
        .env("VISUAL", "true")
        .output()
        .unwrap());
    assert_eq!(o.code(), 0, "{}", o.stderr());
    assert!(o.stdout().contains("is valid"), "{}", o.stdout());
}

#[test]
fn plan_json_has_rfc3339_times_in_the_local_zone() {
    let h = home();
    let o = run(&h, &["plan", "--from", "2026-11-25", "--json"]);
    assert_eq!(o.code(), 0, "{}", o.stderr());
    let v: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(
        items.len(),
        16,
        "10 stand, 2 neck, 2 decompress, 1 breathe, 1 wind-down"
    );
    assert_eq!(items[0]["id"], "stand");
    assert_eq!(items[0]["kind"], "stand");
    assert_eq!(items[0]["title"], "Stand up and move");
    assert_eq!(items[0]["at"], "2026-11-25T09:50:00+01:00");
    assert_eq!(items.last().unwrap()["at"], "2026-11-25T22:00:00+01:00");
    assert_eq!(items.last().unwrap()["id"], "wind-down");
}

/// `plan --json` from Monday 2026-11-23 00:00 for `days` days.
fn plan_monday(h: &Scene, days: &str) -> serde_json::Value {
    let o = run(
        h,
        &[
            "plan",
            "--from",
            "2026-11-23 00:00",
            "--days",
            days,
            "--json",
        ],
    );
    assert_eq!(o.code(), 0, "{}", o.stderr());
    serde_json::from_str(&o.stdout()).unwrap()
}

#[test]
fn plan_of_the_default_over_a_week() {
    let h = home();
    let v = plan_monday(&h, "7");
    let mut per_day = std::collections::BTreeMap::<String, usize>::new();
    for i in v.as_array().unwrap() {
        *per_day
            .entry(i["at"].as_str().unwrap()[..10].to_string())
            .or_default() += 1;
    }
    let counts: Vec<usize> = per_day.values().copied().collect();
    // Work days: 10 + 2 + 2 + 1 + 1; weekend: the wind-down only.
    assert_eq!(counts, vec![16, 16, 16, 16, 16, 1, 1], "{per_day:?}");
}

#[test]
fn plan_table_is_grouped_by_day_and_aligned() {
    let h = home();
    let o = run(&h, &["plan", "--from", "2026-11-28 00:00", "--days", "2"]);
    assert_eq!(o.code(), 0, "{}", o.stderr());
    let out = o.stdout();
    assert!(
        out.starts_with("Plan from Sat 2026-11-28 00:00 for 2 days (Europe/Berlin), 2 reminders"),
        "{out}"
    );
    assert!(
        out.contains("\nSat 28 Nov 2026\n  22:00  wind-down  Time to wind down\n"),
        "{out}"
    );
    assert!(
        out.contains("\nSun 29 Nov 2026\n  22:00  wind-down  Time to wind down\n"),
        "{out}"
    );
}

#[test]
fn plan_from_accepts_offsets_and_zones() {
    let h = home();
    let o = run(&h, &["plan", "--from", "2026-11-25T12:00:00Z", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    // 13:00 Berlin: breathe at 13:35, the first stand 50 minutes later.
    assert_eq!(v[0]["id"], "breathe");
    assert_eq!(v[0]["at"], "2026-11-25T13:35:00+01:00");
    let stand = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "stand")
        .unwrap();
    assert_eq!(stand["at"], "2026-11-25T13:50:00+01:00");
    let o = run(
        &h,
        &[
            "plan",
            "--from",
            "2026-11-25T12:00[America/New_York]",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout()).unwrap();
    let stand = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "stand")
        .unwrap();
    assert_eq!(stand["at"], "2026-11-25T12:50:00-05:00");
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let h = home();
    for (args, needle) in [
        (vec!["plan", "--days", "0"], "0 is not in 1..=366"),
        (
            vec!["plan", "--from", "next tuesday"],
            "invalid date and time \"next tuesday\"",
        ),
        (vec!["plan", "--bogus"], "unexpected argument '--bogus'"),
        (vec!["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (vec!["config"], "Usage: unhunch config [OPTIONS] <COMMAND>"),
    ] {
        let o = run(&h, &args);
        assert_eq!(o.code(), 2, "{args:?}: {}", o.stderr());
        assert!(o.stderr().contains(needle), "{args:?}: {}", o.stderr());
    }
}

#[test]
fn plan_with_an_invalid_config_fails_with_the_location() {
    let h = home();
    write(&h.config_path(), "[general]\nsnooze = \"5 mns\"\n");
    let o = run(&h, &["plan"]);
    assert_eq!(o.code(), 1);
    assert!(
        o.stderr()
            .contains("config.toml:2:10: invalid duration \"5 mns\""),
        "{}",
        o.stderr()
    );
}

#[test]
fn packaged_completions_and_man_pages_are_up_to_date() {
    let h = home();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in [
        ("bash", "unhunch.bash"),
        ("zsh", "_unhunch"),
        ("fish", "unhunch.fish"),
    ] {
        let o = run(&h, &["completions", shell]);
        assert_eq!(o.code(), 0);
        let committed =
            std::fs::read_to_string(root.join("packaging/completions").join(file)).unwrap();
        assert!(
            o.stdout() == committed,
            "packaging/completions/{file} is stale: run scripts/generate"
        );
    }
    let dir = h.path("man");
    std::fs::create_dir_all(&dir).unwrap();
    assert_eq!(run(&h, &["man", "--dir", dir.to_str().unwrap()]).code(), 0);
    let names = |d: &Path| {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    let committed = root.join("packaging/man");
    assert_eq!(names(&dir), names(&committed), "run scripts/generate");
    for name in names(&dir) {
        let fresh = std::fs::read_to_string(dir.join(&name)).unwrap();
        let old = std::fs::read_to_string(committed.join(&name)).unwrap();
        assert!(
            fresh == old,
            "packaging/man/{} is stale: run scripts/generate",
            name.to_string_lossy()
        );
    }
    // unhunch(1) is a manual, not a copy of --help.
    let page = std::fs::read_to_string(committed.join("unhunch.1")).unwrap();
    for section in [
        ".SH DESCRIPTION",
        ".SH CONFIGURATION",
        ".SH FILES",
        ".SH ENVIRONMENT",
        ".SH EXIT STATUS",
        ".SH EXAMPLES",
    ] {
        assert!(page.contains(section), "unhunch.1 has no {section}");
    }
    // The scripts ask the installed `unhunch` (not a build path).
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&h, &["completions", shell]).stdout();
        assert!(
            out.contains(&format!("COMPLETE=\"{shell}\""))
                || out.contains(&format!("COMPLETE={shell}")),
            "{out}"
        );
        assert!(!out.contains("target/"), "{out}");
    }
}

#[test]
fn doctor_without_a_session_bus_fails_and_says_why() {
    let h = home();
    let o = Out(h
        .command(&["doctor"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap());
    assert_eq!(o.code(), 1);
    let out = o.stdout();
    assert!(out.contains("✗ D-Bus session bus: not reachable"), "{out}");
    assert!(out.contains("✓ config: embedded default"), "{out}");
    assert!(
        out.contains("✓ history: ") && out.contains("not created yet"),
        "{out}"
    );
    assert!(out.contains("! daemon: not running"), "{out}");
}

/// A misspelt zone is named in a warning (the system would silently use UTC);
/// a POSIX rule is a zone, not a mistake.
#[test]
fn a_misspelt_time_zone_is_warned_about() {
    let h = home();
    let o = Out(h
        .command(&["plan", "--days", "1"])
        .env("TZ", "Europe/Berln")
        .output()
        .unwrap());
    assert_eq!(o.code(), 0);
    assert!(
        o.stderr()
            .contains("TZ=Europe/Berln: no time zone \"Europe/Berln\" in the system's zone database; using UTC"),
        "{}",
        o.stderr()
    );
    assert!(o.stdout().contains("(UTC)"), "{}", o.stdout());
    for tz in ["Europe/Berlin", "EST5EDT", ":Europe/Paris"] {
        let o = Out(h
            .command(&["plan", "--days", "1"])
            .env("TZ", tz)
            .output()
            .unwrap());
        assert!(o.stderr().is_empty(), "TZ={tz}: {}", o.stderr());
    }
}

/// `--from` and the plan's end follow the gap rule of every local time: a
/// time in the spring-forward gap is its first valid instant (Europe/Berlin,
/// 2026-03-29 02:00-03:00 does not exist).
#[test]
fn plan_from_in_a_dst_gap_starts_at_the_transition() {
    let h = home();
    let config = h.path("q.toml");
    write(
        &config,
        "[[reminder]]\nid = \"q\"\nkind = \"stand\"\nevery = \"15m\"\n",
    );
    let c = config.display().to_string();
    let o = run(
        &h,
        &[
            "plan",
            "--config",
            &c,
            "--from",
            "2026-03-29 02:30",
            "--days",
            "1",
        ],
    );
    assert_eq!(o.code(), 0, "{}", o.stderr());
    let out = o.stdout();
    assert!(out.starts_with("Plan from Sun 2026-03-29 03:00 "), "{out}");
    assert!(out.contains("\n  03:15  q  "), "03:15 dropped: {out}");
    // Ends at the gap's transition the day before too: 01:45 is the last.
    let o = run(
        &h,
        &[
            "plan",
            "--config",
            &c,
            "--from",
            "2026-03-28 02:30",
            "--days",
            "1",
            "--json",
        ],
    );
    let items: Vec<serde_json::Value> = serde_json::from_str(&o.stdout()).unwrap();
    assert_eq!(
        items.last().unwrap()["at"].as_str().unwrap(),
        "2026-03-29T01:45:00+01:00"
    );
}

/// The packaged bash completion, run by a real bash: reminder ids come from
/// the config (through `unhunch` itself), `trigger` adds the kinds.
#[test]
fn bash_completes_reminder_ids_from_the_config() {
    let h = home();
    write(
        &h.config_path(),
        "[[reminder]]\nid = \"legs\"\nkind = \"stand\"\nevery = \"1h\"\n\
         [[reminder]]\nid = \"look-away\"\nkind = \"custom\"\ntitle = \"Look away\"\nbody = \"b\"\nevery = \"20m\"\n",
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/completions/unhunch.bash");
    let complete = |line: &str| -> Vec<String> {
        let test = format!(
            "source '{}'\nCOMP_LINE='{line}'\nread -ra COMP_WORDS <<< \"$COMP_LINE\"\n\
             [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')\nCOMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
             COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9\n\
             _clap_complete_unhunch unhunch \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display()
        );
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_unhunch")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = h
            .program("bash", &["-c", &test])
            .env("PATH", path)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with('-'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(complete("unhunch done "), ["legs", "look-away"]);
    assert_eq!(complete("unhunch snooze lo"), ["look-away"]);
    assert_eq!(
        complete("unhunch trigger "),
        ["legs", "look-away", "stand", "custom"]
    );
}
