//! The control socket and the commands that use it, against the real daemon.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::process::Output;

use crate::common::{SEC, Scene, output, wait_for};

const CONFIG: &str = r#"
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
"#;

/// Sends raw bytes, returns the reply lines until the server closes or 2 s pass.
fn raw(d: &Scene, bytes: &[u8]) -> Vec<String> {
    let mut s = UnixStream::connect(d.path("run/unhunch.sock")).unwrap();
    s.set_read_timeout(Some(2 * SEC)).unwrap();
    s.write_all(bytes).unwrap();
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().map(str::to_string).collect()
}

#[tokio::test]
async fn commands_work_end_to_end_and_record_source_cli() {
    let d = Scene::with(CONFIG).notifd().up().await;
    let server = d.notifd();

    let (code, out, _) = d.cli(&["status"]);
    assert_eq!(code, 0);
    assert!(out.contains("is running (pid"), "{out}");
    assert!(out.contains("Next:\n"), "{out}");
    assert!(out.contains("Today: nothing yet"), "{out}");

    let (code, out, err) = d.cli(&["trigger", "stand"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "Showing Stand up and move (stand) now.\n"),
        "{err}"
    );
    let n = server.nth(1, 5 * SEC).await;
    let (code, out, _) = d.cli(&["status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Showing now: Stand up and move (stand), since "),
        "{out}"
    );

    // Answered here: recorded with source cli, and its notification taken down.
    let (code, out, _) = d.cli(&["snooze", "--for", "3m"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Snoozed: Stand up and move (stand), back at "),
        "{out}"
    );
    server.wait_closed_by_client(n.id, 5 * SEC).await;
    let v = d.status();
    assert_eq!(v.snoozed[0].id, "stand");
    assert!(v.pending.is_empty());

    // An answer that goes to a snoozed reminder says so.
    let (code, out, _) = d.cli(&["done"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Done: Stand up and move (stand), which was snoozed until "),
        "{out}"
    );
    // Done with nothing showing is refused: it would count a showing that
    // never was.
    for _ in 0..3 {
        let (code, _, err) = d.cli(&["done", "stand"]);
        assert_eq!(
            (code, err.as_str()),
            (
                1,
                "unhunch: error: \"stand\" is not showing: to record a break taken on your own: \
                 `unhunch took stand`\n"
            )
        );
    }
    // An unknown id gets no such hint.
    let (_, _, err) = d.cli(&["done", "yoga"]);
    assert_eq!(
        err,
        "unhunch: error: no reminder with id \"yoga\": the reminders are stand, neck\n"
    );
    d.cli(&["trigger", "neck"]);
    let (code, out, _) = d.cli(&["skip"]);
    assert_eq!((code, out.as_str()), (0, "Skipped: Neck stretch (neck).\n"));

    let o = d.outcomes();
    assert_eq!(
        o,
        vec![
            "stand shown cli",
            "stand snoozed cli",
            "stand done cli",
            "neck shown cli",
            "neck skipped cli"
        ]
    );
    let (_, out, _) = d.cli(&["status"]);
    assert!(out.contains("Today: 1 of 2 done"), "{out}");
    // The log goes to a file here: no colour codes in it.
    let log = d.log();
    assert!(log.contains(" INFO "), "{log}");
    assert!(!log.contains('\x1b'), "colour codes in a log file: {log}");
}

#[tokio::test]
async fn pause_and_resume_from_the_terminal() {
    let d = Scene::with(CONFIG).notifd().up().await;
    let (code, out, _) = d.cli(&["pause", "--for", "45m"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Paused until "), "{out}");
    let v = d.status();
    assert!(
        v.paused.as_ref().is_some_and(|p| p.until.is_some()),
        "{v:?}"
    );
    let (_, out, _) = d.cli(&["status"]);
    assert!(out.contains("Paused until "), "{out}");

    let (code, out, _) = d.cli(&["pause"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "Paused until you resume (`unhunch resume`).\n")
    );
    let (code, _, _) = d.cli(&["pause", "--until", "tomorrow"]);
    assert_eq!(code, 0);
    let (code, out, _) = d.cli(&["resume"]);
    assert_eq!((code, out.as_str()), (0, "Resumed.\n"));
    let (code, _, err) = d.cli(&["resume"]);
    assert_eq!((code, err.as_str()), (1, "unhunch: error: not paused\n"));
}

#[tokio::test]
async fn refusals_and_usage_errors_have_their_exit_codes() {
    let d = Scene::with(CONFIG).notifd().up().await;
    let (code, _, err) = d.cli(&["done"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "unhunch: error: no reminder is showing\n")
    );
    let (code, _, err) = d.cli(&["trigger", "yoga"]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "unhunch: error: no reminder with id \"yoga\": the reminders are stand, neck\n"
        )
    );
    let (code, _, err) = d.cli(&["skip", "neck"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "unhunch: error: \"neck\" is not showing\n")
    );
    let (code, _, err) = d.cli(&["pause", "--for", "soon"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid duration \"soon\""), "{err}");
    let (code, _, err) = d.cli(&["pause", "--until", "25:00"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected HH:MM or \"tomorrow\""), "{err}");
    let (code, _, _) = d.cli(&["trigger"]);
    assert_eq!(code, 2);
}

#[tokio::test]
async fn without_a_daemon_commands_exit_3_with_a_hint() {
    let d = Scene::with(CONFIG).home();
    for args in [
        &["status"][..],
        &["done"],
        &["pause", "--for", "1h"],
        &["trigger", "stand"],
    ] {
        let (code, _, err) = d.cli(args);
        assert_eq!(code, 3, "{args:?}");
        assert!(
            err.starts_with("unhunch is not running (no daemon at "),
            "{err}"
        );
        assert!(err.contains("start it with `unhunch start`"), "{err}");
    }
}

#[tokio::test]
async fn socket_and_directory_are_private() {
    let d = Scene::with(CONFIG).up().await;
    let mode = |p| std::fs::metadata(d.path(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("run"), 0o700);
    assert_eq!(mode("run/unhunch.sock"), 0o600);
}

#[tokio::test]
async fn malformed_input_gets_errors_and_the_daemon_keeps_serving() {
    let d = Scene::with(CONFIG).up().await;
    let replies = raw(
        &d,
        b"{not json}\n\n[1,2]\n{\"v\":9,\"cmd\":\"status\"}\n{\"v\":1,\"cmd\":\"dance\"}\n\xff\xfe\n{\"v\":1,\"cmd\":\"status\"}\n",
    );
    assert_eq!(replies.len(), 6, "{replies:#?}");
    assert!(
        replies[0].starts_with(r#"{"ok":false,"error":"bad JSON: "#),
        "{}",
        replies[0]
    );
    assert_eq!(
        replies[1],
        r#"{"ok":false,"error":"expected a JSON object like {\"v\":1,\"cmd\":\"status\"}"}"#
    );
    assert!(
        replies[2].contains("protocol version 9 is not supported"),
        "{}",
        replies[2]
    );
    assert!(
        replies[3].contains("unknown command \\\"dance\\\""),
        "{}",
        replies[3]
    );
    assert_eq!(
        replies[4],
        r#"{"ok":false,"error":"the line is not UTF-8"}"#
    );
    assert!(
        replies[5].contains(r#""ok":true"#) && replies[5].contains(r#""running":true"#),
        "{}",
        replies[5]
    );

    // A line over 64 KiB: an error, then the connection is closed.
    let mut big = vec![b'x'; 70 * 1024];
    big.push(b'\n');
    assert_eq!(
        raw(&d, &big),
        vec![r#"{"ok":false,"error":"line longer than 64 KiB"}"#]
    );

    // A client that stops halfway holds only its own connection.
    let mut slow = UnixStream::connect(d.path("run/unhunch.sock")).unwrap();
    slow.write_all(b"{\"v\":1,\"cmd\":").unwrap();
    let (code, _, _) = d.cli(&["status"]);
    assert_eq!(code, 0, "served while another client dawdles");
    drop(slow);
    let (code, _, _) = d.cli(&["status"]);
    assert_eq!(code, 0);
}

#[tokio::test]
async fn a_stale_socket_from_a_killed_daemon_is_replaced() {
    let mut d = Scene::with(CONFIG).up().await;
    d.signal(9);
    d.wait_exit(5 * SEC).await;
    assert!(
        d.path("run/unhunch.sock").exists(),
        "kill -9 leaves the socket behind"
    );
    let (code, _, _) = d.cli(&["status"]);
    assert_eq!(code, 3, "a dead socket is not a running daemon");
    d.start();
    let ok = wait_for(10 * SEC, || (d.cli(&["status"]).0 == 0).then_some(())).await;
    assert!(ok.is_some(), "{}", d.log());
}

#[tokio::test]
async fn one_request_per_line_on_one_connection() {
    let d = Scene::with(CONFIG).up().await;
    let s = UnixStream::connect(d.path("run/unhunch.sock")).unwrap();
    let mut w = &s;
    let mut r = BufReader::new(&s);
    for _ in 0..3 {
        w.write_all(b"{\"v\":1,\"cmd\":\"status\"}\n").unwrap();
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(line.contains(r#""ok":true"#), "{line}");
    }
}

/// Runs `doctor` off the test's runtime thread: the test servers it talks to
/// run on that thread and must keep answering meanwhile.
async fn doctor(d: &Scene, desktop: &str) -> Output {
    let mut cmd = d.command(&["doctor"]);
    cmd.env("XDG_SESSION_TYPE", "wayland")
        .env("XDG_CURRENT_DESKTOP", desktop);
    output(cmd).await
}

#[tokio::test]
async fn doctor_in_a_working_session_passes() {
    let d = Scene::with(CONFIG)
        .notifd()
        .tray_host()
        .no_tray()
        .screensaver()
        .up()
        .await;
    let o = doctor(&d, "KDE").await;
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for line in [
        "✓ session: wayland, desktop: KDE",
        "✓ notifications: unhunch-test-server 1.0 (with buttons)",
        "✓ tray: a StatusNotifierItem host is running",
        "✓ presence: screen lock (org.freedesktop.ScreenSaver), idle time (org.freedesktop.ScreenSaver), do-not-disturb (notification server)",
        "! fullscreen: this compositor does not show its windows to unhunch",
        "✓ config: ",
        "✓ history: ",
        "✓ daemon: running (pid ",
        "! autostart: unhunch does not start at login",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[tokio::test]
async fn doctor_says_how_to_get_a_tray_on_gnome() {
    let d = Scene::with(CONFIG).notifd_caps(&["body"]).build().await;
    let o = doctor(&d, "ubuntu:GNOME").await;
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "nothing essential fails: {out}");
    assert!(
        out.contains("! notifications: unhunch-test-server 1.0 shows no buttons"),
        "{out}"
    );
    assert!(
        out.contains("! tray: no tray host on this desktop"),
        "{out}"
    );
    assert!(out.contains("gnome-shell-extension-appindicator"), "{out}");
    assert!(out.contains("! daemon: not running"), "{out}");
    // GNOME's own switch is read with gsettings (its default here: off).
    assert!(
        out.contains("✓ presence: do-not-disturb (notification server), do-not-disturb (GNOME)"),
        "{out}"
    );
    assert!(
        out.contains("! idle time: this desktop does not tell it"),
        "{out}"
    );
}

#[tokio::test]
async fn stop_ends_the_daemon_and_takes_its_notifications_down() {
    let mut d = Scene::with(CONFIG).notifd().up().await;
    assert_eq!(d.cli(&["trigger", "stand"]).0, 0);
    let n = d.notifd().nth(1, 5 * SEC).await;
    // Off the test's thread: `stop` waits until the daemon is gone, and
    // its notifications are taken down by the test server on this thread.
    let o = output(d.command(&["stop"])).await;
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.starts_with("Stopped unhunch (pid "), "{out}");
    assert_eq!(d.wait_exit(5 * SEC).await, Some(0), "{}", d.log());
    assert!(d.notifd().closed_by_client().contains(&n.id));
    let (code, _, err) = d.cli(&["stop"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.starts_with("unhunch is not running"), "{err}");
}

#[tokio::test]
async fn a_length_without_its_flag_is_understood_or_explained() {
    let d = Scene::with(CONFIG).notifd().up().await;
    // `pause 30m` is `pause --for 30m`.
    let (code, out, err) = d.cli(&["pause", "30m"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Paused until "), "{out}");
    assert_eq!(d.cli(&["resume"]).0, 0);
    // `snooze 5m`: no reminder has that id; the daemon says so, with the fix.
    d.cli(&["trigger", "stand"]);
    let (code, _, err) = d.cli(&["snooze", "5m"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim(),
        "unhunch: error: no reminder with id \"5m\": did you mean `unhunch snooze --for 5m`?"
    );
    assert_eq!(d.status().pending.len(), 1, "nothing was snoozed");
}

/// The application entry's actions ("Neck stretch now"…) run their Exec line
/// against the default schedule: each shows a reminder of its kind.
#[tokio::test]
async fn the_application_entrys_actions_show_their_kind() {
    let entry = include_str!("../../packaging/xdg/io.github.unhunch.unhunch.desktop");
    let d = Scene::with(unhunch::config::DEFAULT_TOML)
        .notifd()
        .up()
        .await;
    let mut kinds = Vec::new();
    for exec in entry
        .lines()
        .filter_map(|l| l.strip_prefix("Exec=unhunch trigger "))
    {
        let (code, out, err) = d.cli(&["trigger", exec]);
        assert_eq!(code, 0, "trigger {exec}: {out}{err}");
        let kind = d
            .events()
            .last()
            .map(|e| e.kind.as_str().to_string())
            .unwrap();
        assert_eq!(kind, exec, "trigger {exec}: {out}");
        assert_eq!(d.cli(&["done"]).0, 0);
        kinds.push(kind);
    }
    assert_eq!(
        kinds,
        [
            "stand",
            "neck",
            "decompress",
            "massage",
            "meditate",
            "wind-down"
        ]
    );
}

/// With two reminders showing, `status` names each one's id in its hint,
/// and the hinted command is taken.
#[tokio::test]
async fn with_two_showing_the_hint_names_the_ids() {
    let d = Scene::with(CONFIG).notifd().up().await;
    for id in ["stand", "neck"] {
        let (code, _, err) = d.cli(&["trigger", id]);
        assert_eq!(code, 0, "{err}");
    }
    let (_, out, _) = d.cli(&["status"]);
    assert!(
        out.contains("(stand), since ")
            && out.contains("answer with `unhunch done stand`, `snooze stand` or `skip stand`"),
        "{out}"
    );
    assert!(out.contains("`unhunch done neck`"), "{out}");
    let (code, out, err) = d.cli(&["done", "neck"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Done: "), "{out}");
    let (_, out, _) = d.cli(&["status"]);
    assert!(
        out.contains("answer with `unhunch done`, `snooze` or `skip`"),
        "one showing: no id needed\n{out}"
    );
}

/// With no config file, `status` says the embedded default runs and how to
/// write it out, not a file that does not exist.
#[tokio::test]
async fn status_names_the_embedded_default() {
    let d = Scene::builder().bus().up().await;
    let (code, out, _) = d.cli(&["status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("on the embedded default schedule: no file at ")
            && out.contains("`unhunch config init` writes it out"),
        "{out}"
    );
    assert!(d.status().config_embedded);
    std::fs::create_dir_all(d.config_path().parent().unwrap()).unwrap();
    std::fs::write(d.config_path(), CONFIG).unwrap();
    let st = wait_for(10 * SEC, || {
        let st = d.status();
        (!st.config_embedded).then_some(st)
    })
    .await;
    assert!(st.is_some(), "a file written meanwhile is the config now");
    let (_, out, _) = d.cli(&["status"]);
    assert!(out.contains("), config "), "{out}");
}

/// An unknown id in `trigger` or `done`: the nearest one is suggested, or
/// the ids there are listed.
#[tokio::test]
async fn an_unknown_id_is_answered_with_the_ones_there_are() {
    let d = Scene::with(CONFIG).notifd().up().await;
    let (code, _, err) = d.cli(&["trigger", "stnd"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no reminder with id \"stnd\": did you mean \"stand\"?"),
        "{err}"
    );
    let (code, _, err) = d.cli(&["done", "yoga"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no reminder with id \"yoga\": the reminders are stand, neck"),
        "{err}"
    );
}

/// `unhunch took`: a break taken on one's own is its own outcome, restarts
/// the interval, and is counted apart from answered reminders; with the
/// reminder showing it is that showing's Done.
#[tokio::test]
async fn took_records_a_break_of_ones_own() {
    let d = Scene::with(CONFIG).notifd().up().await;
    let next_stand = || {
        let s = d.status();
        s.next.into_iter().find(|n| n.id == "stand").unwrap().at.0
    };
    let before = next_stand();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (code, out, err) = d.cli(&["took", "stand"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "Recorded a break of your own: Stand up and move (stand); its interval starts again.\n"
    );
    let after = next_stand();
    assert!(
        after > before,
        "the interval restarted: {before} -> {after}"
    );
    // A kind names its first reminder; showing, it is that showing's Done.
    assert_eq!(d.cli(&["trigger", "neck"]).0, 0);
    let (code, out, _) = d.cli(&["took", "neck"]);
    assert_eq!((code, out.as_str()), (0, "Done: Neck stretch (neck).\n"));
    assert_eq!(
        d.outcomes(),
        ["stand took cli", "neck shown cli", "neck done cli"]
    );
    let (_, json, _) = d.cli(&["stats", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let total = &v["total"];
    assert_eq!(
        (
            total["took"].as_u64(),
            total["shown"].as_u64(),
            total["done"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{total}"
    );
    let (_, table, _) = d.cli(&["stats"]);
    assert!(
        table.contains(" OWN ") && table.contains("OWN are breaks taken on your own"),
        "{table}"
    );
}

/// `pause --until tomorrow` ends at the start of work on the next work day.
#[tokio::test]
async fn pause_until_tomorrow_ends_at_the_next_work_days_start() {
    let d = Scene::with(CONFIG).notifd().up().await;
    let (code, out, err) = d.cli(&["pause", "--until", "tomorrow"]);
    assert_eq!(code, 0, "{err}");
    let until = d.status().paused.unwrap().until.unwrap().0;
    assert_eq!(until.strftime("%H:%M").to_string(), "09:00", "{until}");
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    assert!(until.date() > today, "{until}");
    assert!(
        !matches!(
            until.date().weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ),
        "{until}"
    );
    assert!(out.starts_with("Paused until "), "{out}");
}
