//! Presence through the real daemon: a locked screen is a natural break.

mod common;

use std::time::Duration;

use common::daemon::Daemon;
use common::desktop::{Notifd, PrivateBus, ScreenSaver, wait_for};

const SEC: Duration = Duration::from_secs(1);

const EVERY_SECOND: &str = "[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1s\"\n";

#[tokio::test]
async fn a_locked_screen_shows_nothing_and_credits_away() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(2, 10 * SEC).await;
    saver.set_locked(true).await;
    assert!(
        d.log_has("screen locked: away", 5 * SEC).await,
        "{}",
        d.log()
    );
    let shown = server.calls().len();
    // Locked for three seconds: no notification, intervals credited away.
    tokio::time::sleep(3 * SEC).await;
    assert!(
        server.calls().len() <= shown + 1,
        "shown while locked: {:?}",
        d.outcomes()
    );
    let away = d
        .outcomes()
        .iter()
        .filter(|l| *l == "s away schedule")
        .count();
    assert!(away >= 1, "{:?}", d.outcomes());
    let before = server.calls().len();
    saver.set_locked(false).await;
    assert!(d.log_has("screen unlocked: back", 5 * SEC).await);
    server.nth(before + 1, 5 * SEC).await;
}

#[tokio::test]
async fn locked_at_start_counts_as_away() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    saver.set_locked(true).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    let away = wait_for(10 * SEC, || {
        d.outcomes()
            .iter()
            .any(|l| l == "s away schedule")
            .then_some(())
    })
    .await;
    assert!(away.is_some(), "{}", d.log());
    assert!(server.calls().is_empty(), "nothing shown while locked");
}

#[tokio::test]
async fn away_after_zero_turns_presence_off() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    saver.set_locked(true).await;
    let mut d = Daemon::new(
        &bus,
        &format!("[general]\naway_after = \"0s\"\n{EVERY_SECOND}"),
    );
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(1, 10 * SEC).await;
    assert!(d.log().contains("do not count as away"), "{}", d.log());
}

/// An X server of our own (Xvfb), on a free display.
struct Xvfb {
    child: std::process::Child,
    display: String,
}

impl Xvfb {
    fn start() -> Option<Xvfb> {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take()?)
            .read_line(&mut line)
            .ok()?;
        Some(Xvfb {
            child,
            display: format!(":{}", line.trim()),
        })
    }

    /// The person moves the mouse.
    fn nudge(&self, i: u32) {
        let _ = std::process::Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(["mousemove", &(100 + i % 50).to_string(), "100"])
            .status();
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The daemon on an X server and a bus of its own, with a notification
/// server that answers every reminder; returns once it reads X.
async fn on_x(config: &str) -> (Xvfb, PrivateBus, Notifd, Daemon) {
    let x = Xvfb::start().expect("Xvfb (package xvfb) is needed: run scripts/setup test");
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let mut d = Daemon::new(&bus, config);
    let display = x.display.clone();
    d.start_with(|c| {
        c.env("DISPLAY", &display).arg("--no-tray");
    });
    assert!(
        d.log_has("presence: idle time from X11", 10 * SEC).await,
        "{}",
        d.log()
    );
    (x, bus, server, d)
}

#[tokio::test]
async fn no_input_on_x11_is_away_and_input_brings_reminders_back() {
    let (x, _bus, server, d) =
        on_x("[general]\naway_after = \"4s\"\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"2s\"\n").await;
    // Active: reminders come.
    for i in 0..12 {
        x.nudge(i);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let active = server.calls().len();
    assert!(active >= 1, "no reminder while active: {}", d.log());
    // Hands off: after 4 s without input, due intervals are breaks, not notifications.
    assert!(d.log_has("no input for", 10 * SEC).await, "{}", d.log());
    let quiet_from = server.calls().len();
    tokio::time::sleep(5 * SEC).await;
    assert_eq!(
        server.calls().len(),
        quiet_from,
        "shown while away: {:?}",
        d.outcomes()
    );
    assert!(
        d.outcomes().iter().any(|l| l == "s away schedule"),
        "{:?}",
        d.outcomes()
    );
    // Back at the keyboard: reminders again.
    for i in 0..16 {
        x.nudge(i);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(d.log_has("input again: back", 5 * SEC).await, "{}", d.log());
    assert!(
        server.calls().len() > quiet_from,
        "no reminder after coming back: {}",
        d.log()
    );
}

#[tokio::test]
async fn logind_lock_and_unlock_of_our_session() {
    let bus = PrivateBus::start();
    let system = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let logind = common::desktop::Logind::on(&system.address).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    let address = system.address.clone();
    d.start_with(|c| {
        c.env("DBUS_SYSTEM_BUS_ADDRESS", &address)
            .env("XDG_SESSION_ID", "c1")
            .arg("--no-tray");
    });
    assert!(
        d.log_has("presence: logind lock signals for session c1", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    server.nth(1, 10 * SEC).await;
    logind.set_locked(true).await;
    assert!(
        d.log_has("screen locked: away", 5 * SEC).await,
        "{}",
        d.log()
    );
    let shown = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert!(
        server.calls().len() <= shown + 1,
        "shown while locked: {:?}",
        d.outcomes()
    );
    assert!(
        d.outcomes().iter().any(|l| l == "s away schedule"),
        "{:?}",
        d.outcomes()
    );
    logind.set_locked(false).await;
    assert!(
        d.log_has("screen unlocked: back", 5 * SEC).await,
        "{}",
        d.log()
    );
    server.nth(shown + 2, 8 * SEC).await;
}

#[tokio::test]
async fn do_not_disturb_holds_reminders_until_it_ends_without_a_burst() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(1, 10 * SEC).await;
    server.set_inhibited(true).await;
    assert!(
        d.log_has("do-not-disturb on: reminders wait", 5 * SEC)
            .await,
        "{}",
        d.log()
    );
    let shown = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert!(
        server.calls().len() <= shown + 1,
        "shown during do-not-disturb: {:?}",
        d.outcomes()
    );
    assert!(
        !d.outcomes().iter().any(|l| l.contains("away")),
        "a hold is not a break"
    );
    let before = server.calls().len();
    server.set_inhibited(false).await;
    assert!(d.log_has("do-not-disturb off", 5 * SEC).await);
    server.nth(before + 1, 5 * SEC).await;
    // One showing, not one per second that passed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        server.calls().len(),
        before + 1,
        "a burst after do-not-disturb"
    );
}

#[tokio::test]
async fn do_not_disturb_is_ignored_when_respect_dnd_is_false() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    server.set_inhibited(true).await;
    let mut d = Daemon::new(
        &bus,
        &format!("[general]\nrespect_dnd = false\n{EVERY_SECOND}"),
    );
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(2, 10 * SEC).await;
    assert!(!d.log().contains("reminders wait"), "{}", d.log());
}

/// Plays window manager: one window, fullscreen and active, or none active.
fn set_fullscreen_window(display: &str, on: bool) {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{
        AtomEnum, ConnectionExt as _, CreateWindowAux, PropMode, WindowClass,
    };
    use x11rb::wrapper::ConnectionExt as _;
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    let atom = |n: &str| {
        conn.intern_atom(false, n.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom
    };
    let (active, state, full) = (
        atom("_NET_ACTIVE_WINDOW"),
        atom("_NET_WM_STATE"),
        atom("_NET_WM_STATE_FULLSCREEN"),
    );
    if on {
        let w = conn.generate_id().unwrap();
        conn.create_window(
            0,
            w,
            root,
            0,
            0,
            640,
            480,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new(),
        )
        .unwrap();
        conn.change_property32(PropMode::REPLACE, w, state, AtomEnum::ATOM, &[full])
            .unwrap();
        conn.change_property32(PropMode::REPLACE, root, active, AtomEnum::WINDOW, &[w])
            .unwrap();
    } else {
        conn.delete_property(root, active).unwrap();
    }
    conn.flush().unwrap();
    // The window lives as long as its client: keep this one open.
    if on {
        std::mem::forget(conn);
    }
}

#[tokio::test]
async fn a_fullscreen_window_holds_reminders_until_it_is_gone() {
    let (x, _bus, server, d) =
        on_x("[general]\naway_after = \"0s\"\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1s\"\n").await;
    server.nth(1, 10 * SEC).await;
    set_fullscreen_window(&x.display, true);
    assert!(
        d.log_has("fullscreen window active: reminders wait", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    let held = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert_eq!(
        server.calls().len(),
        held,
        "shown over a fullscreen window: {:?}",
        d.outcomes()
    );
    set_fullscreen_window(&x.display, false);
    // It looks again every 30 s while held; SIGUSR1 makes it look now.
    d.signal(10);
    assert!(
        d.log_has("fullscreen window gone", 5 * SEC).await,
        "{}",
        d.log()
    );
    server.nth(held + 1, 5 * SEC).await;
}

#[tokio::test]
async fn status_says_away_and_held() {
    let bus = PrivateBus::start();
    let server = Notifd::answering(&bus).await;
    let saver = ScreenSaver::start(&bus).await;
    let mut d = Daemon::new(&bus, EVERY_SECOND);
    d.start_with(|c| {
        c.arg("--no-tray");
    });
    server.nth(1, 10 * SEC).await;
    saver.set_locked(true).await;
    server.set_inhibited(true).await;
    assert!(d.log_has("do-not-disturb on", 5 * SEC).await, "{}", d.log());
    assert!(
        d.log_has("screen locked: away", 5 * SEC).await,
        "{}",
        d.log()
    );
    let mut cmd = d.command(&["status"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.contains("Away since "), "{out}");
    assert!(
        out.contains("Held by do-not-disturb: reminders wait until it ends"),
        "{out}"
    );
}
