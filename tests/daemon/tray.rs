//! The tray icon, through D-Bus, as a tray host sees it.

use std::time::Duration;

use crate::common::desktop::TrayHost;
use crate::common::{SEC, Scene, wait_for};

const TWO: &str = r#"
[general]
snooze = "2s"
ignore_after = "1h"
[[reminder]]
id = "stand"
kind = "stand"
every = "1h"
[[reminder]]
id = "neck"
kind = "neck"
every = "2h"
[[reminder]]
id = "massage"
kind = "massage"
at = ["15:00"]
enabled = false
"#;

#[tokio::test]
async fn the_item_registers_with_its_properties_and_menu() {
    let d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    assert_eq!(host.prop_str(&item, "Id").await, "unhunch");
    assert_eq!(host.prop_str(&item, "Title").await, "unhunch");
    assert_eq!(host.prop_str(&item, "Status").await, "Active");
    assert_eq!(host.prop_str(&item, "Category").await, "ApplicationStatus");
    let pixmaps =
        Vec::<(i32, i32, Vec<u8>)>::try_from(host.prop(&item, "IconPixmap").await).unwrap();
    let sizes: Vec<i32> = pixmaps.iter().map(|p| p.0).collect();
    assert_eq!(sizes, vec![16, 22, 32, 48]);
    assert!(pixmaps.iter().all(|(w, h, d)| d.len() as i32 == w * h * 4));

    let labels = host.labels(&item).await;
    let first = &labels[0];
    assert!(
        first.starts_with("Next: Stand up and move at "),
        "{labels:#?}"
    );
    // "Until tomorrow 09:00", or "Until Mon 09:00" from Friday on.
    let rest: Vec<&str> = labels[1..]
        .iter()
        .map(|l| match l.strip_suffix(" 09:00") {
            Some(until) if until.starts_with("  Until ") => "  Until",
            _ => l.as_str(),
        })
        .collect();
    assert_eq!(
        rest,
        vec![
            "Take a break now",
            "  Stand up and move",
            "  Neck stretch",
            "Guided routine now",
            "  Stand and walk (Stand up and move)",
            "  Neck reset (Neck stretch)",
            "Pause",
            "  30 minutes",
            "  1 hour",
            "  2 hours",
            "  Until",
            "In a meeting",
            "Today: nothing yet",
            "Your weeks…",
            "Edit schedule…",
            "Quit",
        ]
    );
    let menu = host.menu(&item).await;
    assert!(!menu[0].enabled, "the Next line is a label");
    assert!(
        !menu
            .iter()
            .find(|e| e.label.starts_with("Today"))
            .unwrap()
            .enabled
    );
    let tooltip = host.prop(&item, "ToolTip").await;
    let (_, _, title, text) =
        <(String, Vec<(i32, i32, Vec<u8>)>, String, String)>::try_from(tooltip).unwrap();
    assert_eq!(title, "unhunch");
    assert!(text.starts_with("Next: Stand up and move at "), "{text}");
}

#[tokio::test]
async fn pending_reminder_needs_attention_and_snooze_from_the_menu_works() {
    let d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let server = d.notifd();
    let item = host.item(10 * SEC).await;
    host.click(&item, Some("Take a break now"), "Stand up and move")
        .await;
    server.nth(1, 10 * SEC).await;
    d.wait_outcome("stand shown tray", 5 * SEC).await;
    host.wait_status(&item, "NeedsAttention", 5 * SEC).await;
    let labels = host
        .wait_label(&item, "Stand up and move — due now", 5 * SEC)
        .await;
    let i = labels
        .iter()
        .position(|l| l == "Stand up and move — due now")
        .unwrap();
    assert_eq!(
        &labels[i + 1..i + 4],
        ["    Done", "    Snooze 2 s", "    Skip"]
    );
    // What is due comes first, what comes next after it.
    assert_eq!(i, 0, "{labels:?}");
    assert!(
        labels[5].starts_with("Next: "),
        "after Start routine: {labels:?}"
    );

    host.click(&item, Some("Stand up and move — due now"), "Snooze 2 s")
        .await;
    d.wait_outcome("stand snoozed tray", 5 * SEC).await;
    host.wait_status(&item, "Active", 5 * SEC).await;
    // Its notification was taken down, and it comes back after the snooze.
    let first = server.calls()[0].id;
    assert!(
        wait_for(5 * SEC, || server
            .closed_by_client()
            .contains(&first)
            .then_some(()))
        .await
        .is_some()
    );
    server.nth(2, 10 * SEC).await;
    host.wait_status(&item, "NeedsAttention", 5 * SEC).await;
    host.click(&item, Some("Stand up and move — due now"), "Done")
        .await;
    d.wait_outcome("stand done tray", 5 * SEC).await;
    host.wait_label(&item, "Today: 1 of 1 done", 5 * SEC).await;
}

#[tokio::test]
async fn pause_and_resume_from_the_menu() {
    let d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    let before = host.prop(&item, "IconPixmap").await;
    host.click(&item, Some("Pause"), "30 minutes").await;
    let labels = host.wait_label(&item, "Resume", 5 * SEC).await;
    assert!(labels[0].starts_with("Paused until "), "{labels:#?}");
    assert_ne!(
        host.prop(&item, "IconPixmap").await,
        before,
        "the paused icon"
    );
    let paused = unhunch::store::Store::open_existing(&d.db_path())
        .unwrap()
        .pause()
        .unwrap();
    let p = paused.expect("the pause is saved");
    let len = p.until.unwrap().duration_since(p.since);
    assert_eq!(len.as_secs(), 30 * 60);

    host.click(&item, None, "Resume").await;
    let resumed = wait_for(5 * SEC, || {
        let p = unhunch::store::Store::open_existing(&d.db_path())
            .ok()?
            .pause()
            .ok()?;
        p.is_none().then_some(())
    })
    .await;
    assert!(resumed.is_some(), "resumed in the store");
    let mut labels = host.labels(&item).await;
    for _ in 0..100 {
        if labels[0].starts_with("Next: ") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        labels = host.labels(&item).await;
    }
    assert!(labels[0].starts_with("Next: "), "{labels:#?}");
    assert!(!labels.iter().any(|l| l == "Resume"), "{labels:#?}");
    assert_eq!(host.prop(&item, "IconPixmap").await, before);
}

#[tokio::test]
async fn quit_from_the_menu_exits_cleanly() {
    let mut d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    host.click(&item, None, "Quit").await;
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0), "{}", d.log());
}

#[tokio::test]
async fn without_a_tray_host_it_reminds_and_registers_when_one_appears() {
    let d = Scene::with(TWO.replace("every = \"1h\"", "every = \"1s\"").as_str())
        .notifd()
        .tray()
        .start()
        .await;
    let server = d.notifd();
    assert!(
        d.log_has("no system tray on this desktop", 10 * SEC).await,
        "{}",
        d.log()
    );
    server.nth(1, 10 * SEC).await;
    assert_eq!(d.log().matches("no system tray").count(), 1, "one warning");
    let host = TrayHost::start(d.bus()).await;
    let item = host.item(10 * SEC).await;
    assert_eq!(host.prop_str(&item, "Id").await, "unhunch");
}

#[tokio::test]
async fn no_tray_flag_never_registers() {
    let d = Scene::with(TWO.replace("every = \"1h\"", "every = \"1s\"").as_str())
        .tray_host()
        .notifd()
        .no_tray()
        .start()
        .await;
    let (host, server) = (d.host(), d.notifd());
    server.nth(1, 10 * SEC).await;
    assert!(host.registered().is_empty());
    assert!(d.log().contains("--no-tray"), "{}", d.log());
}

/// The menu's labels once its second line passes `ok` (panics after 5 s).
async fn second_line(host: &TrayHost, item: &str, ok: impl Fn(&str) -> bool) -> Vec<String> {
    let mut labels = Vec::new();
    for _ in 0..100 {
        labels = host.labels(item).await;
        if labels.get(1).is_some_and(|l| ok(l)) {
            return labels;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("unexpected menu: {labels:#?}");
}

#[tokio::test]
async fn the_menu_says_away_and_what_holds_reminders() {
    let d = Scene::with(TWO)
        .tray_host()
        .notifd()
        .screensaver()
        .start()
        .await;
    let host = d.host();
    let server = d.notifd();
    let saver = d.saver();
    let item = host.item(10 * SEC).await;
    server.set_inhibited(true).await;
    second_line(&host, &item, |l| l == "Waiting while do-not-disturb is on").await;
    saver.set_locked(true).await;
    second_line(&host, &item, |l| {
        l.starts_with("Away since ") && l.ends_with(": counted as a break")
    })
    .await;
    saver.set_locked(false).await;
    server.set_inhibited(false).await;
    second_line(&host, &item, |l| l == "Take a break now").await;
}

#[tokio::test]
async fn a_broken_config_shows_a_warning_in_the_tray() {
    let d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    let normal =
        Vec::<(i32, i32, Vec<u8>)>::try_from(host.prop(&item, "IconPixmap").await).unwrap();
    d.write_config("[[reminder]]\nid = \"x\"\nkind = \"stand\"\nevry = \"1h\"\n");
    let labels = host
        .wait_label(
            &item,
            "⚠ Config error: the schedule is unchanged…",
            10 * SEC,
        )
        .await;
    assert!(
        labels[1].starts_with("Next: Stand up and move at "),
        "{labels:#?}"
    );
    let warning =
        Vec::<(i32, i32, Vec<u8>)>::try_from(host.prop(&item, "IconPixmap").await).unwrap();
    assert_ne!(normal, warning, "the icon shows the warning");
    // Fixed: back to normal.
    d.write_config(TWO);
    let end = std::time::Instant::now() + 10 * SEC;
    while host.labels(&item).await[0].starts_with('⚠') {
        assert!(std::time::Instant::now() < end, "{}", d.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn edit_schedule_that_cannot_open_says_so() {
    let mut d = Scene::with(TWO).tray_host().notifd().build().await;
    let (host, server) = (d.host(), d.notifd());
    // An xdg-open that fails, as with no default editor set.
    let bin = d.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("xdg-open"), "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(
        bin.join("xdg-open"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    // No terminal to run an editor in: xdg-open is the last resort.
    let path = bin.display().to_string();
    d.start_with(|c| {
        c.env("PATH", &path);
    });
    let item = host.item(10 * SEC).await;
    host.click(&item, None, "Edit schedule…").await;
    let n = server.nth(1, 10 * SEC).await;
    assert_eq!(n.summary, "unhunch: cannot open the schedule");
    assert!(n.body.contains("failed (exit status: 3)"), "{}", n.body);
    assert!(
        n.body.contains(&d.config_path().display().to_string()),
        "{}",
        n.body
    );
}

/// "Your weeks…" writes the report beside the history and hands it to the
/// desktop's handler (here an xdg-open that notes what it was given).
#[tokio::test]
async fn your_weeks_writes_the_report_and_opens_it() {
    let mut d = Scene::with(TWO).tray_host().notifd().build().await;
    let host = d.host();
    let bin = d.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let noted = d.path("opened");
    std::fs::write(
        bin.join("xdg-open"),
        format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", noted.display()),
    )
    .unwrap();
    std::fs::set_permissions(
        bin.join("xdg-open"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    d.start_with(|c| {
        c.env("PATH", &path);
    });
    let item = host.item(10 * SEC).await;
    // Something to show: a break taken from the CLI.
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    assert_eq!(d.cli(&["done", "stand"]).0, 0);
    host.click(&item, None, "Your weeks…").await;
    let opened = wait_for(10 * SEC, || std::fs::read_to_string(&noted).ok())
        .await
        .unwrap_or_else(|| panic!("nothing opened: {}", d.log()));
    assert_eq!(opened, d.path("data/report.html").display().to_string());
    let page = std::fs::read_to_string(&opened).unwrap();
    assert!(page.contains("<h1>Your weeks</h1>"));
    assert!(page.contains("data-reminder=\"stand\""), "{page}");
    assert_eq!(
        page.matches("data-breaks=\"1\"").count(),
        1,
        "today's break"
    );
}

/// The tray starts a routine: "Guided routine now" shows the reminder and
/// runs its routine in the notification; the pending item offers it too.
#[tokio::test]
async fn a_routine_starts_from_the_tray() {
    let d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let server = d.notifd();
    let item = host.item(10 * SEC).await;
    host.click(
        &item,
        Some("Guided routine now"),
        "Neck reset (Neck stretch)",
    )
    .await;
    let shown = server.nth(1, 10 * SEC).await;
    assert_eq!(shown.summary, "Neck stretch");
    let step = server.nth(2, 10 * SEC).await;
    assert_eq!(step.replaces_id, shown.id);
    assert!(
        step.body.starts_with("1/10 — ") && step.body.contains("\nSit tall"),
        "{}",
        step.body
    );
    server.invoke(step.id, "skip").await;
    d.wait_outcome("neck skipped guided", 5 * SEC).await;

    // A reminder showing: its item in the menu has Start routine.
    host.click(&item, Some("Take a break now"), "Stand up and move")
        .await;
    let n = server.nth(3, 10 * SEC).await;
    host.wait_label(&item, "Stand up and move — due now", 5 * SEC)
        .await;
    host.click(&item, Some("Stand up and move — due now"), "Start routine")
        .await;
    let step = server.nth(4, 10 * SEC).await;
    assert_eq!(step.replaces_id, n.id);
    assert!(
        step.body.starts_with("1/7 — ") && step.body.contains("\nStand up"),
        "{}",
        step.body
    );
}

/// A server without actions offers no Start and no Stop: the tray still
/// starts the routine and it runs to its end in the notification, and
/// `unhunch guide` runs it in the terminal; both are recorded.
#[tokio::test]
async fn without_actions_the_tray_and_guide_still_run_a_routine() {
    const QUICK: &str = r#"
[general]
ignore_after = "1h"
[[routine]]
id = "quick"
title = "Quick one"
steps = [{ text = "Roll your shoulders", seconds = 1 }, { text = "Look away", seconds = 1 }]
[[reminder]]
id = "neck"
kind = "neck"
every = "2h"
routine = "quick"
"#;
    let d = Scene::with(QUICK)
        .tray_host()
        .notifd_caps(&["body"])
        .start()
        .await;
    let host = d.host();
    let server = d.notifd();
    let item = host.item(10 * SEC).await;
    host.click(
        &item,
        Some("Guided routine now"),
        "Quick one (Neck stretch)",
    )
    .await;
    let shown = server.nth(1, 10 * SEC).await;
    assert!(shown.actions.is_empty(), "{:?}", shown.actions);
    let mut steps = Vec::new();
    for n in 2..=4 {
        let step = server.nth(n, 10 * SEC).await;
        assert_eq!(step.replaces_id, shown.id);
        assert!(step.actions.is_empty(), "{:?}", step.actions);
        steps.push(step.body.lines().next().unwrap_or("").to_string());
    }
    assert_eq!(
        steps[..2],
        ["1/2 — 1 s left", "2/2 — 1 s left"],
        "{steps:?}"
    );
    assert_eq!(steps[2], "Done: 2 steps in 2 s. Recorded.");
    d.wait_outcome("neck done guided", 5 * SEC).await;

    let (code, out, err) = d.cli(&["guide", "neck"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.ends_with("Recorded: done for Neck stretch (neck).\n"),
        "{out}"
    );
    let done = d
        .outcomes()
        .iter()
        .filter(|o| *o == "neck done guided")
        .count();
    assert_eq!(done, 2, "{:?}", d.outcomes());
}

/// In a call (pw-record capturing on a headless PipeWire) the menu says
/// reminders wait for its end, and stops saying so when it ends.
#[tokio::test]
async fn the_menu_says_a_call_holds_reminders() {
    let d = Scene::with(TWO)
        .tray_host()
        .notifd()
        .pipewire()
        .start()
        .await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    assert!(d.log_has("calls: from PulseAudio", 10 * SEC).await);
    let call = d.sound().record(false);
    second_line(&host, &item, |l| l == "Waiting until your call ends").await;
    drop(call);
    second_line(&host, &item, |l| l == "Take a break now").await;
}

/// Started outside a desktop session (no session bus): `status` says
/// reminders cannot be shown and why; when the bus appears, the tray icon
/// goes up and reminders show, with no restart.
#[tokio::test]
async fn without_a_session_bus_status_says_so_and_all_comes_back_with_one() {
    let mut d = Scene::builder().config(TWO).late_bus().up().await;
    let st = d.status();
    let why = st
        .cannot_show
        .clone()
        .expect("status says they cannot be shown");
    assert!(why.contains("no D-Bus session bus"), "{why}");
    assert_eq!(st.notification_server, None);
    let (code, out, _) = d.cli(&["status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Reminders cannot be shown: no D-Bus session bus"),
        "{out}"
    );
    let (_, json, _) = d.cli(&["status", "--json"]);
    assert!(json.contains("\"cannot_show\""), "{json}");

    d.bus_appears().await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    assert_eq!(host.prop_str(&item, "Id").await, "unhunch");
    let (code, _, err) = d.cli(&["trigger", "stand"]);
    assert_eq!(code, 0, "{err}");
    let n = d.notifd().nth(1, 10 * SEC).await;
    assert!(n.summary.contains("Stand"), "{}", n.summary);
    let st = wait_for(10 * SEC, || {
        let st = d.status();
        st.cannot_show.is_none().then_some(st)
    })
    .await
    .expect("status no longer says they cannot be shown");
    assert!(st.notification_server.is_some(), "{st:?}");
    assert_eq!(d.log().matches("no tray icon").count(), 1, "{}", d.log());
}

/// "Edit schedule…" runs the editor `config edit` would ($EDITOR), in a
/// terminal found the freedesktop way (x-terminal-emulator here), on the
/// config file.
#[tokio::test]
async fn edit_schedule_runs_the_editor_in_a_terminal() {
    let mut d = Scene::with(TWO).tray_host().notifd().build().await;
    let host = d.host();
    let bin = d.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = |name: &str, text: String| {
        let p = bin.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    };
    // A terminal that records how it was asked, then runs the command.
    let asked = d.path("terminal-args");
    script(
        "x-terminal-emulator",
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n[ \"$1\" = -e ] && shift\nexec \"$@\"\n",
            asked.display()
        ),
    );
    let edited = d.path("edited");
    script(
        "my-editor",
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", edited.display()),
    );
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let editor = bin.join("my-editor").display().to_string();
    d.start_with(|c| {
        c.env("PATH", &path).env("EDITOR", &editor);
    });
    let item = host.item(10 * SEC).await;
    host.click(&item, None, "Edit schedule…").await;
    let got = wait_for(10 * SEC, || std::fs::read_to_string(&edited).ok())
        .await
        .unwrap_or_else(|| panic!("the editor did not run\n{}", d.log()));
    assert_eq!(got.trim(), d.config_path().display().to_string());
    let args = std::fs::read_to_string(&asked).unwrap();
    assert!(args.starts_with("-e\nsh\n-c\n"), "{args}");
    assert!(
        d.notifd()
            .calls()
            .iter()
            .all(|c| !c.summary.contains("cannot open"))
    );
}

/// "In a meeting" holds reminders until "End the meeting".
#[tokio::test]
async fn a_meeting_from_the_tray_holds_until_it_is_ended() {
    let d = Scene::with(TWO).tray_host().notifd().start().await;
    let host = d.host();
    let item = host.item(10 * SEC).await;
    host.click(&item, None, "In a meeting").await;
    let s = d
        .wait_status("in a meeting", 5 * SEC, |s| {
            s.held_by.contains(&unhunch::core::HoldReason::Meeting)
        })
        .await;
    assert!(s.meeting.unwrap().by_hand);
    host.wait_label(&item, "End the meeting", 5 * SEC).await;
    let labels = host.labels(&item).await;
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("Waiting while you are in a meeting until ")),
        "{labels:?}"
    );
    host.click(&item, None, "End the meeting").await;
    d.wait_status("the meeting over", 5 * SEC, |s| s.held_by.is_empty())
        .await;
    host.wait_label(&item, "In a meeting", 5 * SEC).await;
}
