//! `stats` and `history` on a fixture database, through the real binary,
//! with "today" fixed at Wed 25 Nov 2026 18:00 in Berlin. Table output is
//! compared with tests/golden/*.txt (UPDATE_GOLDEN=1 rewrites them); CSV and
//! JSON are parsed back.

use std::path::Path;

use crate::common::Scene;
use crate::common::fixture::{NOW, fixture, offset_to};
use crate::common::weeks::{report_cells, report_reminders};

/// A home whose history is the fixture, "now" its evening, in Berlin.
fn home() -> Scene {
    let h = Scene::builder()
        .tz("Europe/Berlin")
        .env("UNHUNCH_CLOCK_OFFSET", offset_to(NOW))
        .home();
    fixture(&h.path("data"));
    h
}

/// The binary's output for `args` (which must succeed).
fn run(h: &Scene, args: &[&str]) -> String {
    let o = h.command(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: UPDATE_GOLDEN=1", path.display()));
    assert!(
        got == want,
        "{name} differs from the golden file:\n--- got\n{got}\n--- want\n{want}"
    );
}

#[test]
fn stats_table_matches_the_golden_file_and_fits_80_columns() {
    let e = home();
    let out = run(&e, &["stats", "--days", "3"]);
    golden("stats.txt", &out);
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}

#[test]
fn stats_json_counts_showings_once_and_streaks() {
    let e = home();
    let v: serde_json::Value =
        serde_json::from_str(&run(&e, &["stats", "--days", "3", "--format", "json"])).unwrap();
    assert_eq!(v["from"], "2026-11-23");
    assert_eq!(v["to"], "2026-11-25");
    let r = |id: &str| {
        v["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let stand = r("stand");
    assert_eq!(
        (
            stand["shown"].as_u64(),
            stand["done"].as_u64(),
            stand["snoozed"].as_u64()
        ),
        (Some(3), Some(3), Some(1))
    );
    assert_eq!(stand["adherence"], 1.0);
    assert_eq!(stand["streak"], 3);
    let neck = r("neck");
    assert_eq!(
        (neck["shown"].as_u64(), neck["done"].as_u64()),
        (Some(4), Some(1))
    );
    // The guided routine finished on Wednesday: counted with its minutes.
    assert_eq!(
        (neck["routines"].as_u64(), neck["routine_minutes"].as_f64()),
        (Some(1), Some(1.4))
    );
    assert_eq!(
        (
            neck["ignored"].as_u64(),
            neck["skipped"].as_u64(),
            neck["dismissed"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(neck["streak"], 1);
    // Done yesterday, not yet today: the streak holds while today is not over.
    assert_eq!(r("wind-down")["streak"], 1);
    assert_eq!(r("decompress")["missed"], 1);
    assert_eq!(v["total"]["shown"], 8);
    assert_eq!(v["total"]["done"], 5);
    assert_eq!(v["total"]["routines"], 1);
    assert_eq!(v["days"][2]["routines"], 1);
    assert_eq!(v["days"][2]["routine_minutes"], 1.4);
    assert_eq!(v["days"][1]["routines"], 0);
    assert_eq!(v["total"]["streak"], 3);
    let days: Vec<&str> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["day"].as_str().unwrap())
        .collect();
    assert_eq!(days, vec!["2026-11-23", "2026-11-24", "2026-11-25"]);
}

#[test]
fn stats_csv_has_a_header_and_one_row_per_day_and_reminder() {
    let e = home();
    let out = run(&e, &["stats", "--days", "3", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        vec![
            "day",
            "reminder",
            "shown",
            "done",
            "snoozed",
            "skipped",
            "dismissed",
            "expired",
            "ignored",
            "missed",
            "away",
            "adherence",
            "routines",
            "routine_minutes",
            "took"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8, "Mon 3, Tue 3, Wed 2 reminders");
    let tue_stand = rows
        .iter()
        .find(|r| &r[0] == "2026-11-24" && &r[1] == "stand")
        .unwrap();
    assert_eq!(
        (&tue_stand[2], &tue_stand[3], &tue_stand[4], &tue_stand[11]),
        ("1", "1", "1", "1.000")
    );
    let missed = rows.iter().find(|r| &r[1] == "decompress").unwrap();
    assert_eq!((&missed[2], &missed[9], &missed[11]), ("0", "1", ""));
    let wed_neck = rows
        .iter()
        .find(|r| &r[0] == "2026-11-25" && &r[1] == "neck")
        .unwrap();
    assert_eq!((&wed_neck[12], &wed_neck[13]), ("1", "1.4"));
}

#[test]
fn history_table_json_csv_and_filters() {
    let e = home();
    golden(
        "history.txt",
        &run(&e, &["history", "--since", "2026-11-24"]),
    );

    let v: serde_json::Value = serde_json::from_str(&run(
        &e,
        &[
            "history",
            "--reminder",
            "stand",
            "--limit",
            "3",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 3, "the newest three");
    assert_eq!(a[0]["at"], "2026-11-24T09:58:00+01:00");
    assert_eq!(a[0]["outcome"], "done");
    assert_eq!(a[0]["source"], "tray");
    assert_eq!(a[2]["outcome"], "done");
    assert_eq!(a[2]["source"], "cli");

    let out = run(
        &e,
        &[
            "history",
            "--since",
            "2026-11-24",
            "--until",
            "2026-11-24",
            "--format",
            "csv",
        ],
    );
    let mut r = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        vec![
            "at",
            "reminder",
            "kind",
            "outcome",
            "source",
            "due",
            "snooze_seconds",
            "routine",
            "steps_done",
            "steps_total",
            "routine_seconds",
            "device",
            "answered_on"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r[0].starts_with("2026-11-24T")));
    let snooze = rows.iter().find(|r| &r[3] == "snoozed").unwrap();
    assert_eq!(&snooze[6], "600");

    // A guided routine's end carries how far it got.
    let v: serde_json::Value = serde_json::from_str(&run(
        &e,
        &[
            "history",
            "--reminder",
            "neck",
            "--limit",
            "1",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(v[0]["source"], "guided");
    assert_eq!(
        v[0]["routine"],
        serde_json::json!({"routine": "neck-reset", "done": 10, "of": 10, "seconds": 81})
    );

    assert_eq!(
        run(&e, &["history", "--reminder", "yoga"]),
        "No events match.\n"
    );
}

#[test]
fn report_on_the_fixture_counts_as_stats_does() {
    let e = home();
    let out = e.path("week.html");
    let printed = run(
        &e,
        &["report", "--weeks", "1", "--output", out.to_str().unwrap()],
    );
    assert_eq!(printed.trim(), out.to_str().unwrap());
    let page = std::fs::read_to_string(&out).unwrap();
    // Wednesday: Monday to today, a cell each.
    let cells = report_cells(&page);
    let days: Vec<&str> = cells.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(days, ["2026-11-23", "2026-11-24", "2026-11-25"]);
    let v: serde_json::Value =
        serde_json::from_str(&run(&e, &["stats", "--days", "3", "--format", "json"])).unwrap();
    for (cell, day) in cells.iter().zip(v["days"].as_array().unwrap()) {
        assert_eq!(u64::from(cell.1), day["done"].as_u64().unwrap(), "{cell:?}");
    }
    let mut named = report_reminders(&page);
    named.sort();
    assert_eq!(named, ["decompress", "neck", "stand", "wind-down"]);
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(!page.contains("<script"));
    // The default place: beside the history.
    let printed = run(&e, &["report"]);
    assert_eq!(printed.trim(), e.path("data/report.html").to_str().unwrap());
    let page = std::fs::read_to_string(e.path("data/report.html")).unwrap();
    assert_eq!(
        report_cells(&page).len(),
        7 * 11 + 3,
        "12 weeks to a Wednesday"
    );
    let (code, _, err) = e.cli(&["report", "--weeks", "0"]);
    assert_eq!(code, 2, "{err}");
    let dir = e.path("data");
    let (code, _, err) = e.cli(&["report", "-o", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("is a directory: name a file, such as"),
        "{err}"
    );
}

/// `--open` hands the page to the desktop's handler (an xdg-open here that
/// notes what it was given), and says so when that fails.
#[test]
fn report_open_uses_the_desktops_handler() {
    let mut e = home();
    let bin = e.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let noted = e.path("opened");
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", noted.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    e.set_env("PATH", &path);
    let out = e.path("w.html");
    run(&e, &["report", "--open", "-o", out.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&noted).unwrap(),
        out.to_str().unwrap()
    );
    std::fs::write(&opener, "#!/bin/sh\nexit 4\n").unwrap();
    let (code, _, err) = e.cli(&["report", "--open", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("failed (exit status: 4)"), "{err}");
}

#[test]
fn stats_chart_fits_80_columns_without_colour_off_a_terminal() {
    let e = home();
    let out = run(&e, &["stats", "--chart", "--days", "3"]);
    golden("chart.txt", &out);
    assert!(
        out.starts_with("Breaks per day, Mon 23 Nov to Wed 25 Nov 2026 (1 week): 5 in all\n"),
        "{out}"
    );
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    assert!(!out.contains('\x1b'), "{out}");
    for id in ["decompress", "neck", "stand", "wind-down"] {
        assert!(out.contains(&format!("\n{id:<12} ")), "{out}");
    }
    // Mon to Wed: a shade each, nothing after today.
    let days: Vec<&str> = out
        .lines()
        .filter(|l| {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&&l[..l.len().min(3)])
        })
        .collect();
    assert_eq!(days.len(), 7, "{out}");
    assert_eq!(days[0].chars().count(), 6, "{out}");
    assert_eq!(days[3], "Thu", "{out}");
    let (code, _, err) = e.cli(&["stats", "--chart", "--format", "json"]);
    assert_eq!(code, 2, "{err}");
}

/// On a terminal (a pseudo-terminal made by util-linux `script`) the chart
/// is coloured, unless NO_COLOR says not to.
#[test]
fn stats_chart_has_colour_only_on_a_terminal_without_no_color() {
    let mut e = home();
    let bin = env!("CARGO_BIN_EXE_unhunch");
    let in_pty = |e: &Scene| {
        let o = e
            .program(
                "script",
                &[
                    "-qec",
                    &format!("{bin} stats --chart --days 3"),
                    "/dev/null",
                ],
            )
            .stdin(std::process::Stdio::null())
            .output()
            .expect("script (util-linux)");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let coloured = in_pty(&e);
    assert!(coloured.contains("\x1b[38;5;"), "{coloured:?}");
    e.set_env("NO_COLOR", "1");
    let plain = in_pty(&e);
    assert!(plain.contains("5 in all"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
}
