//! Presence through the real daemon: a locked screen is a natural break.

use std::path::PathBuf;
use std::time::Duration;

use unhunch::core::HoldReason;
use unhunch::vocab::reply::Status;

use crate::common::desktop::{PrivateBus, Xvfb};
use crate::common::sound::Recording;
use crate::common::{SEC, Scene, output, wait_for};

const EVERY_SECOND: &str = "[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1s\"\n";
const CONFIG_HOURLY: &str = "[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1h\"\n";

fn away(s: &Status) -> bool {
    s.away_since.is_some()
}

fn back(s: &Status) -> bool {
    s.away_since.is_none()
}

/// Waits until `status` says away, with the last input `minutes` ago.
async fn away_for(d: &Scene, minutes: i64) {
    let s = d.wait_status("away", 5 * SEC, away).await;
    let since = s.away_since.unwrap().0.timestamp();
    let ago = jiff::Timestamp::now().duration_since(since).as_secs();
    assert!(
        (minutes * 60..=minutes * 60 + 30).contains(&ago),
        "away since {ago} s ago"
    );
}

/// The middle of every "away" test: once `status` says away, three
/// seconds show at most one reminder (one may have been on its way) and
/// credit `away`; after `back` and `status` saying so, reminders come again.
async fn stays_away_until(d: &Scene, back_again: impl std::future::Future<Output = ()>) {
    let server = d.notifd();
    d.wait_status("away", 5 * SEC, away).await;
    let shown = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert!(
        server.calls().len() <= shown + 1,
        "shown while away: {:?}",
        d.outcomes()
    );
    assert!(
        d.outcomes().iter().any(|l| l == "s away schedule"),
        "{:?}",
        d.outcomes()
    );
    let before = server.calls().len();
    back_again.await;
    d.wait_status("back", 5 * SEC, back).await;
    server.nth(before + 1, 8 * SEC).await;
}

#[tokio::test]
async fn a_locked_screen_shows_nothing_and_credits_away() {
    let d = Scene::with(EVERY_SECOND)
        .answering()
        .screensaver()
        .start()
        .await;
    d.notifd().nth(2, 10 * SEC).await;
    let saver = d.saver();
    saver.set_locked(true).await;
    stays_away_until(&d, saver.set_locked(false)).await;
}

#[tokio::test]
async fn locked_at_start_counts_as_away() {
    let mut d = Scene::with(EVERY_SECOND)
        .answering()
        .screensaver()
        .build()
        .await;
    d.saver().set_locked(true).await;
    d.start();
    let away = wait_for(10 * SEC, || {
        d.outcomes()
            .iter()
            .any(|l| l == "s away schedule")
            .then_some(())
    })
    .await;
    assert!(away.is_some(), "{}", d.log());
    assert!(d.notifd().calls().is_empty(), "nothing shown while locked");
}

#[tokio::test]
async fn away_after_zero_turns_presence_off() {
    let mut d = Scene::with(&format!("[general]\naway_after = \"0s\"\n{EVERY_SECOND}"))
        .answering()
        .screensaver()
        .build()
        .await;
    d.saver().set_locked(true).await;
    d.start();
    d.notifd().nth(1, 10 * SEC).await;
    assert!(d.log().contains("do not count as away"), "{}", d.log());
    assert!(back(&d.status()), "locked, but presence is off");
}

/// The daemon on an X server of its own, with a notification server that
/// answers every reminder; returns once it reads X.
async fn on_x(config: &str) -> Scene {
    let d = Scene::with(config).answering().x().start().await;
    assert!(
        d.log_has("presence: idle time from X11", 10 * SEC).await,
        "{}",
        d.log()
    );
    d
}

#[tokio::test]
async fn no_input_on_x11_is_away_and_input_brings_reminders_back() {
    let d =
        on_x("[general]\naway_after = \"4s\"\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"2s\"\n").await;
    let (x, server) = (d.x(), d.notifd());
    // Active: reminders come.
    for i in 0..12 {
        x.nudge(i);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let active = server.calls().len();
    assert!(active >= 1, "no reminder while active: {}", d.log());
    // Hands off: after 4 s without input, due intervals are breaks, not notifications.
    d.wait_status("away", 10 * SEC, away).await;
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
    d.wait_status("back", 5 * SEC, back).await;
    assert!(
        server.calls().len() > quiet_from,
        "no reminder after coming back: {}",
        d.log()
    );
}

/// Starts the daemon beside the scene's logind stand-in with `env` added;
/// returns once the daemon follows session c1.
async fn start_on_logind(d: &mut Scene, env: &[(&str, String)]) {
    d.start_with(|c| {
        c.envs(env.iter().map(|(k, v)| (*k, v)));
    });
    assert!(
        d.log_has("presence: logind lock signals for session c1", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
}

#[tokio::test]
async fn logind_lock_and_unlock_of_our_session() {
    let mut d = Scene::with(EVERY_SECOND).answering().logind().build().await;
    start_on_logind(&mut d, &[("XDG_SESSION_ID", "c1".into())]).await;
    d.notifd().nth(1, 10 * SEC).await;
    let logind = d.logind();
    logind.set_locked(true).await;
    stays_away_until(&d, logind.set_locked(false)).await;
}

#[tokio::test]
async fn do_not_disturb_holds_reminders_until_it_ends_without_a_burst() {
    let d = Scene::with(EVERY_SECOND).answering().start().await;
    let server = d.notifd();
    server.nth(1, 10 * SEC).await;
    server.set_inhibited(true).await;
    d.wait_status("held by do-not-disturb", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::DoNotDisturb)
    })
    .await;
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
    d.wait_status("no hold", 5 * SEC, |s| s.held_by.is_empty())
        .await;
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
    let mut d = Scene::with(&format!("[general]\nrespect_dnd = false\n{EVERY_SECOND}"))
        .answering()
        .build()
        .await;
    let server = d.notifd();
    server.set_inhibited(true).await;
    d.start();
    server.nth(2, 10 * SEC).await;
    assert!(
        d.log()
            .contains("do-not-disturb on (respect_dnd = false: reminders still show)"),
        "{}",
        d.log()
    );
    assert!(!d.log().contains("reminders wait"), "{}", d.log());
    assert!(d.status().held_by.is_empty());
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
    let d =
        on_x("[general]\naway_after = \"0s\"\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1s\"\n").await;
    let (x, server) = (d.x(), d.notifd());
    server.nth(1, 10 * SEC).await;
    set_fullscreen_window(&x.display, true);
    d.wait_status("held by a fullscreen window", 10 * SEC, |s| {
        s.held_by.contains(&HoldReason::Fullscreen)
    })
    .await;
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
    d.wait_status("no hold", 5 * SEC, |s| s.held_by.is_empty())
        .await;
    server.nth(held + 1, 5 * SEC).await;
}

#[tokio::test]
async fn status_says_away_and_held() {
    let d = Scene::with(EVERY_SECOND)
        .answering()
        .screensaver()
        .start()
        .await;
    let server = d.notifd();
    server.nth(1, 10 * SEC).await;
    d.saver().set_locked(true).await;
    server.set_inhibited(true).await;
    d.wait_status("held by do-not-disturb", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::DoNotDisturb)
    })
    .await;
    d.wait_status("away", 5 * SEC, away).await;
    let out = output(d.command(&["status"])).await;
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.contains("Away since "), "{out}");
    assert!(
        out.contains("Held by do-not-disturb: reminders wait until it ends"),
        "{out}"
    );
}

/// A scene in a Wayland session (no X display).
fn wayland(config: &str) -> crate::common::scene::Builder {
    Scene::with(config)
        .answering()
        .daemon_env("XDG_SESSION_TYPE", "wayland")
}

#[tokio::test]
async fn gnome_idle_monitor_on_wayland_signals_the_return_without_polling() {
    let mut d = wayland(
        "[general]\naway_after = \"1s\"\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"2m\"\n",
    )
    .mutter()
    .build()
    .await;
    let (server, mutter) = (d.notifd(), d.mutter());
    mutter.set_idle(10 * 60 * 1000);
    d.start();
    assert!(
        d.log_has("presence: idle time from GNOME's idle monitor", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    // Idle for 10 min before the daemon started: away since its start, never before.
    away_for(&d, 0).await;
    // Away, a reminder due within the hour: it waits for Mutter's signal.
    let watching = wait_for(5 * SEC, || (mutter.active_watches() == 1).then_some(())).await;
    assert!(watching.is_some(), "no user-active watch: {}", d.log());
    // Other wakes meanwhile (do-not-disturb on and off) keep that one watch.
    for on in [true, false, true, false] {
        server.set_inhibited(on).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The last "off" seen (the end state equals the start, so the log tells).
    let offs = || {
        d.log()
            .lines()
            .filter(|l| l.contains("INFO") && l.ends_with("do-not-disturb off"))
            .count()
    };
    assert!(
        wait_for(5 * SEC, || (offs() == 2).then_some(()))
            .await
            .is_some(),
        "{}",
        d.log()
    );
    assert_eq!(mutter.active_watches(), 1, "watches pile up");
    let asked = mutter.get_calls();
    tokio::time::sleep(2 * SEC).await;
    assert_eq!(mutter.get_calls(), asked, "polled while it could wait");
    mutter.input().await;
    assert!(
        d.log_has("input again (signalled)", 5 * SEC).await,
        "{}",
        d.log()
    );
    d.wait_status("back", 5 * SEC, back).await;
    assert_eq!(
        mutter.active_watches(),
        0,
        "a watch left behind:\n{}",
        d.log()
    );
}

#[tokio::test]
async fn screensaver_idle_time_on_wayland_but_not_kdes() {
    // The specification's seconds: 600 s idle is away after 1 minute.
    let config = "[general]\naway_after = \"1m\"\n[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"2m\"\n";
    let mut d = wayland(config).screensaver().build().await;
    let saver = d.saver();
    saver.set_idle(600);
    d.start();
    assert!(
        d.log_has(
            "presence: idle time from org.freedesktop.ScreenSaver",
            10 * SEC
        )
        .await,
        "{}",
        d.log()
    );
    // Idle for 10 min before the daemon started: away since its start, never before.
    away_for(&d, 0).await;
    // No signal here: it asks again (every 30 s; SIGUSR1 makes it now).
    saver.set_idle(0);
    d.signal(10);
    d.wait_status("back", 5 * SEC, back).await;

    // KDE's screen locker answers too, but cannot poll on Wayland: unused.
    let mut d = wayland(config).kde_screensaver().build().await;
    d.saver().set_idle(600);
    d.start();
    assert!(
        d.log_has("no idle-time source in this Wayland session", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    assert!(!d.log().contains("no input for"), "{}", d.log());
    assert!(back(&d.status()));
}

#[tokio::test]
async fn logind_idle_hint_of_the_users_display_session() {
    // No XDG_SESSION_ID (as under a systemd user service): the session is
    // the user's display session; no idle-time source, so the hint counts.
    let mut d = Scene::with(EVERY_SECOND).answering().logind().build().await;
    start_on_logind(&mut d, &[]).await;
    d.notifd().nth(1, 10 * SEC).await;
    let logind = d.logind();
    logind.set_idle(true).await;
    stays_away_until(&d, logind.set_idle(false)).await;
}

#[tokio::test]
async fn sleep_is_a_break_and_the_sleep_lock_is_released() {
    let mut d = Scene::with("[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"1h\"\n")
        .answering()
        .logind()
        .build()
        .await;
    let (server, logind) = (d.notifd(), d.logind());
    let clock = d.path("clock");
    std::fs::write(&clock, "0s").unwrap();
    let env = [("UNHUNCH_CLOCK_FILE", clock.display().to_string())];
    start_on_logind(&mut d, &env).await;
    let held = wait_for(10 * SEC, || (logind.inhibitors_held() == 1).then_some(())).await;
    assert!(held.is_some(), "no sleep delay lock: {}", d.log());
    logind.prepare_for_sleep(true).await;
    d.wait_status("away", 5 * SEC, away).await;
    let released = wait_for(5 * SEC, || (logind.inhibitors_held() == 0).then_some(())).await;
    assert!(released.is_some(), "the sleep lock was kept: {}", d.log());
    // Three hours asleep; logind says so on resume before any timer wake.
    std::fs::write(&clock, "3h").unwrap();
    logind.prepare_for_sleep(false).await;
    d.wait_status("back", 5 * SEC, back).await;
    let retaken = wait_for(5 * SEC, || (logind.inhibitors_held() == 1).then_some(())).await;
    assert!(retaken.is_some(), "the sleep lock was not taken again");
    assert_eq!(logind.inhibit_calls(), 2);
    // The interval due while asleep is a break, not a miss, and nothing
    // pops up on resume: the hour starts again.
    let away = wait_for(5 * SEC, || {
        d.outcomes()
            .iter()
            .any(|l| l == "s away schedule")
            .then_some(())
    })
    .await;
    assert!(away.is_some(), "{:?}\n{}", d.outcomes(), d.log());
    tokio::time::sleep(SEC).await;
    assert!(
        !d.outcomes().iter().any(|l| l.contains("missed")),
        "{:?}",
        d.outcomes()
    );
    assert!(server.calls().is_empty(), "shown on resume");
}

#[tokio::test]
async fn a_reload_applies_respect_dnd_at_once() {
    let mut d = Scene::with(&format!("[general]\nrespect_dnd = false\n{EVERY_SECOND}"))
        .answering()
        .build()
        .await;
    let server = d.notifd();
    server.set_inhibited(true).await;
    d.start();
    server.nth(2, 10 * SEC).await;
    std::fs::write(
        d.config_path(),
        format!("[general]\nrespect_dnd = true\n{EVERY_SECOND}"),
    )
    .unwrap();
    d.wait_status("held by do-not-disturb after the reload", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::DoNotDisturb)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert_eq!(server.calls().len(), held, "shown during do-not-disturb");
    std::fs::write(
        d.config_path(),
        format!("[general]\nrespect_dnd = false\n{EVERY_SECOND}"),
    )
    .unwrap();
    server.nth(held + 1, 5 * SEC).await;
}

/// A desktop's settings service in the scene's session (its bus, its
/// home, and `env`), and the tool that flips its switches; it ends when
/// dropped.
struct Settings {
    child: std::process::Child,
    env: Vec<(String, String)>,
}

impl Settings {
    fn start(d: &Scene, program: &str, package: &str, env: &[(&str, PathBuf)]) -> Settings {
        let mut all = vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), d.bus().address.clone()),
            ("HOME".into(), d.home().display().to_string()),
        ];
        all.extend(
            env.iter()
                .map(|(k, v)| (k.to_string(), v.display().to_string())),
        );
        let child = std::process::Command::new(program)
            .env_clear()
            .envs(all.iter().cloned())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{program} (package {package}) is needed ({e}): run scripts/setup test")
            });
        Settings { child, env: all }
    }

    /// Runs `tool` with `args` in the service's session: whether it succeeded.
    async fn run(&self, tool: &str, args: &[&str]) -> bool {
        let mut c = std::process::Command::new(tool);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(self.env.iter().cloned())
            .args(args);
        output(c).await.status.success()
    }
}

impl Drop for Settings {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GNOME's settings store on the private bus: the real dconf service.
fn dconf(d: &Scene) -> Settings {
    let runtime = d.path("xdg-runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    Settings::start(
        d,
        "/usr/libexec/dconf-service",
        "dconf-service",
        &[("XDG_RUNTIME_DIR", runtime)],
    )
}

/// GNOME's "Do Not Disturb" flipped with `gsettings`, as its panel does.
async fn set_banners(dconf: &Settings, on: bool) {
    let on = if on { "true" } else { "false" };
    let args = ["set", "org.gnome.desktop.notifications", "show-banners", on];
    assert!(dconf.run("gsettings", &args).await, "gsettings set failed");
}

#[tokio::test]
async fn gnome_do_not_disturb_through_dconf() {
    let mut d = Scene::with(EVERY_SECOND)
        .answering()
        .daemon_env("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
        .build()
        .await;
    let server = d.notifd();
    let dconf = dconf(&d);
    let runtime = d.path("xdg-runtime");
    d.start_with(|c| {
        c.env("XDG_RUNTIME_DIR", &runtime);
    });
    assert!(
        d.log_has("presence: do-not-disturb from GNOME (off)", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    server.nth(1, 10 * SEC).await;
    set_banners(&dconf, false).await;
    d.wait_status("held by do-not-disturb", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::DoNotDisturb)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert_eq!(
        server.calls().len(),
        held,
        "shown during GNOME's do-not-disturb"
    );
    set_banners(&dconf, true).await;
    d.wait_status("no hold", 5 * SEC, |s| s.held_by.is_empty())
        .await;
    server.nth(held + 1, 5 * SEC).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        server.calls().len(),
        held + 1,
        "a burst after do-not-disturb"
    );
}

/// `dunstctl` against the dunst on `bus`.
async fn dunstctl(bus: &PrivateBus, args: &'static [&'static str]) {
    let address = bus.address.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(status.success(), "dunstctl {args:?}");
}

#[tokio::test]
async fn dunst_paused_holds_reminders_and_a_late_server_is_read() {
    let x = Xvfb::start().expect("Xvfb (package xvfb) is needed: run scripts/setup test");
    // The daemon first: it reads dunst's state when dunst takes the name.
    let d = Scene::with(EVERY_SECOND).up().await;
    let bus = d.bus();
    let home = tempfile::tempdir().unwrap();
    let mut dunst = std::process::Command::new("dunst")
        .env_clear()
        .env("DISPLAY", &x.display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", home.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("dunst (package dunst) is needed: run scripts/setup test");
    assert!(
        d.log_has(
            "presence: do-not-disturb from org.dunstproject.cmd0.paused (off)",
            10 * SEC
        )
        .await,
        "{}",
        d.log()
    );
    let shown = |d: &Scene| {
        d.outcomes()
            .iter()
            .filter(|l| *l == "s shown schedule")
            .count()
    };
    assert!(
        wait_for(10 * SEC, || (shown(&d) >= 1).then_some(()))
            .await
            .is_some(),
        "{}",
        d.log()
    );
    dunstctl(bus, &["set-paused", "true"]).await;
    d.wait_status("held by do-not-disturb", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::DoNotDisturb)
    })
    .await;
    // Answer what is showing: nothing new comes while dunst is paused.
    output(d.command(&["done"])).await;
    let before = shown(&d);
    tokio::time::sleep(3 * SEC).await;
    assert_eq!(shown(&d), before, "{:?}", d.outcomes());
    dunstctl(bus, &["set-paused", "false"]).await;
    assert!(
        wait_for(5 * SEC, || (shown(&d) == before + 1).then_some(()))
            .await
            .is_some(),
        "{:?}",
        d.outcomes()
    );
    let _ = dunst.kill();
    let _ = dunst.wait();
}

#[tokio::test]
async fn a_session_lock_without_unlock_ends_at_the_next_input() {
    // swayidle/xss-lock run `loginctl lock-session`; the locker unlocks by
    // password and logind sends no Unlock. Input after the lock ends it.
    let mut d = Scene::with(EVERY_SECOND)
        .answering()
        .logind()
        .x()
        .build()
        .await;
    start_on_logind(&mut d, &[]).await;
    let (server, logind, x) = (d.notifd(), d.logind(), d.x());
    server.nth(1, 10 * SEC).await;
    logind.set_locked(true).await;
    d.wait_status("away", 5 * SEC, away).await;
    tokio::time::sleep(2 * SEC).await;
    let before = server.calls().len();
    x.nudge(7);
    d.wait_status("back", 5 * SEC, back).await;
    server.nth(before + 1, 5 * SEC).await;
}

/// XFCE's settings daemon on the private bus.
fn xfconf(d: &Scene) -> Settings {
    Settings::start(
        d,
        "/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd",
        "xfconf",
        &[("XDG_CONFIG_HOME", d.path("xfconf"))],
    )
}

/// xfce4-notifyd's "Do not disturb" flipped with `xfconf-query`, as its
/// settings dialog does; tried for a while, since xfconfd may not have its
/// bus name yet (a loaded machine is slow to start it).
async fn set_xfce_dnd(xfconf: &Settings, on: bool) {
    let end = std::time::Instant::now() + 10 * SEC;
    let args = crate::common::desktop::xfce_dnd_args(on);
    while !xfconf.run("xfconf-query", &args).await {
        assert!(
            std::time::Instant::now() < end,
            "xfconf-query failed for 10 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// xfce4-notifyd's own switch holds reminders (tests/desktops.rs, with the
/// real xfce4-notifyd); the same switch in xfconf means nothing while
/// another server shows the notifications.
#[tokio::test]
async fn xfconfs_do_not_disturb_counts_only_for_xfce4_notifyd() {
    let mut d = Scene::with(EVERY_SECOND).answering().build().await;
    let xfconf = xfconf(&d);
    set_xfce_dnd(&xfconf, true).await;
    d.start();
    d.notifd().nth(2, 10 * SEC).await;
    assert!(d.status().held_by.is_empty());
    let out = output(d.command(&["doctor"])).await;
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(!out.contains("do-not-disturb (xfce4-notifyd)"), "{out}");
}

/// `unhunch doctor` in the sound server's session: its output.
async fn doctor_in(d: &Scene) -> String {
    let mut doctor = d.command(&["doctor"]);
    doctor.env("XDG_RUNTIME_DIR", d.sound().runtime_dir());
    let out = output(doctor).await;
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A recording of the speakers' monitor holds nothing; then a recording
/// of the microphone by `app` is a call that holds reminders: it, running.
async fn a_call_not_a_monitor(d: &Scene, app: &str) -> Recording {
    let sound = d.sound();
    let monitor = sound.record(true);
    wait_for(5 * SEC, || {
        (!sound.source_outputs().trim().is_empty()).then_some(())
    })
    .await
    .expect("the monitor recording listed");
    tokio::time::sleep(SEC).await;
    assert!(d.status().held_by.is_empty(), "a monitor is not a call");
    drop(monitor);
    let call = sound.record(false);
    let s = d
        .wait_status("held by the call", 5 * SEC, |s| {
            s.held_by.contains(&HoldReason::Call)
        })
        .await;
    assert_eq!(s.in_call, [app]);
    call
}

/// A daemon beside a headless PipeWire, on an answering server.
async fn in_a_call_setup(config: &str) -> Scene {
    let d = Scene::with(config).answering().pipewire().start().await;
    assert!(
        d.log_has("calls: from PulseAudio (on PipeWire", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    d
}

/// A call (pw-record capturing the microphone) holds reminders; one shows
/// when it ends, not a burst. A recording of the speakers' monitor is not a
/// call.
#[tokio::test]
async fn a_call_holds_reminders_and_one_shows_when_it_ends() {
    let d = in_a_call_setup(EVERY_SECOND).await;
    let server = d.notifd();
    server.nth(1, 10 * SEC).await;

    let call = a_call_not_a_monitor(&d, "pw-record").await;
    let (_, out, _) = d.cli(&["status"]);
    assert!(
        out.contains("Held by call (pw-record): reminders wait until it ends"),
        "{out}"
    );
    let doctor = doctor_in(&d).await;
    assert!(
        doctor.contains("✓ calls: seen through PulseAudio (on PipeWire")
            && doctor.contains("; pw-record captures the microphone now (a call)"),
        "{doctor}"
    );
    let shown = server.calls().len();
    tokio::time::sleep(3 * SEC).await;
    assert!(
        server.calls().len() <= shown + 1,
        "shown during the call: {:?}",
        d.outcomes()
    );
    let before = server.calls().len();
    drop(call);
    d.wait_status("no hold", 5 * SEC, |s| s.held_by.is_empty())
        .await;
    server.nth(before + 1, 5 * SEC).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.calls().len(), before + 1, "a burst after the call");
}

/// `respect_calls = false`: a call is seen and said, and reminders show.
#[tokio::test]
async fn a_call_is_ignored_when_respect_calls_is_false() {
    let config = format!("[general]\nrespect_calls = false\n{EVERY_SECOND}");
    let d = in_a_call_setup(&config).await;
    let server = d.notifd();
    let _call = d.sound().record(false);
    assert!(
        d.log_has(
            "a call: pw-record captures the microphone (respect_calls = false: reminders still show)",
            5 * SEC
        )
        .await,
        "{}",
        d.log()
    );
    let n = server.calls().len();
    server.nth(n + 2, 5 * SEC).await;
    assert!(d.status().held_by.is_empty());
}

/// The PulseAudio-protocol server goes away mid-call and comes back: the
/// daemon lets reminders through while it is gone (nothing is known), and
/// sees the call again once it is back.
#[tokio::test]
async fn a_sound_server_that_goes_away_and_comes_back_is_survived() {
    let mut d = in_a_call_setup(CONFIG_HOURLY).await;
    let _call = d.sound().record(false);
    d.wait_status("held by the call", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::Call)
    })
    .await;
    d.sound_mut().stop_pulse();
    d.wait_status("no hold while it is gone", 5 * SEC, |s| {
        s.held_by.is_empty()
    })
    .await;
    assert!(
        d.log_has("calls: the sound server at", 5 * SEC).await,
        "{}",
        d.log()
    );
    let doctor = doctor_in(&d).await;
    assert!(
        doctor.contains("! calls: no sound server answers (")
            && doctor.contains("/pulse/native: Connection refused"),
        "{doctor}"
    );
    d.sound_mut().start_pulse();
    d.wait_status("held again", 10 * SEC, |s| {
        s.held_by.contains(&HoldReason::Call)
    })
    .await;
    assert_eq!(d.cli(&["status"]).0, 0);
}

/// A socket where the sound server should be that answers garbage (a
/// message claiming 4 GB): said, and tried again after 1 s, 2 s, 4 s … not
/// in a loop; the daemon goes on meanwhile.
#[tokio::test]
async fn a_garbage_sound_server_is_said_and_tried_again_ever_later() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let runtime = tempfile::tempdir().unwrap();
    std::fs::create_dir(runtime.path().join("pulse")).unwrap();
    let listener =
        std::os::unix::net::UnixListener::bind(runtime.path().join("pulse/native")).unwrap();
    // Connections that said something (a probe that only connects does not).
    let greeted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = greeted.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut hello = [0u8; 20];
            if conn.read_exact(&mut hello).is_ok() {
                count.fetch_add(1, Ordering::SeqCst);
                let mut garbage = [0u8; 20];
                garbage[..4].copy_from_slice(&u32::MAX.to_be_bytes());
                let _ = conn.write_all(&garbage);
            }
        }
    });
    let d = Scene::with(CONFIG_HOURLY)
        .answering()
        .daemon_env("XDG_RUNTIME_DIR", runtime.path())
        .start()
        .await;
    assert!(
        d.log_has(
            "failed (a message of 4294967295 bytes: not a sound server); tried again in 1 s",
            10 * SEC
        )
        .await,
        "{}",
        d.log()
    );
    // Tries at about 0, 1 and 3 s; the next at 7 s.
    tokio::time::sleep(5 * SEC).await;
    let tries = greeted.load(Ordering::SeqCst);
    assert!((2..=3).contains(&tries), "{tries} tries in 5 s");
    assert!(d.log().contains("tried again in 4 s"), "{}", d.log());
    assert_eq!(d.cli(&["trigger", "s"]).0, 0);
    d.wait_outcome("s shown cli", 5 * SEC).await;
}

/// The same on PulseAudio itself (parec from a null source standing for
/// the call), with its cookie: held while it records, not for a recording
/// of the speakers' monitor.
#[tokio::test]
async fn a_call_on_pulseaudio_holds_reminders() {
    let d = Scene::with(CONFIG_HOURLY)
        .answering()
        .pulseaudio()
        .start()
        .await;
    assert!(
        d.log_has("calls: from pulseaudio", 10 * SEC).await,
        "{}",
        d.log()
    );
    let call = a_call_not_a_monitor(&d, "parec").await;
    drop(call);
    d.wait_status("no hold", 5 * SEC, |s| s.held_by.is_empty())
        .await;
}

/// A reload that turns `respect_calls` off lets reminders through at once,
/// mid-call; turned on again, the call holds them again.
#[tokio::test]
async fn a_reload_applies_respect_calls_at_once() {
    let d = in_a_call_setup(CONFIG_HOURLY).await;
    let _call = d.sound().record(false);
    d.wait_status("held by the call", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::Call)
    })
    .await;
    d.write_config(&format!(
        "[general]\nrespect_calls = false\n{CONFIG_HOURLY}"
    ));
    d.wait_status("no hold after the reload", 5 * SEC, |s| {
        s.held_by.is_empty()
    })
    .await;
    d.write_config(CONFIG_HOURLY);
    d.wait_status("held again", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::Call)
    })
    .await;
}

/// `calls_ignore`: an application that keeps the microphone open all day
/// holds nothing; `status` says it was ignored.
#[tokio::test]
async fn an_ignored_application_capturing_holds_nothing() {
    let config = format!("[general]\ncalls_ignore = [\"PW-Record\"]\n{EVERY_SECOND}");
    let d = in_a_call_setup(&config).await;
    let server = d.notifd();
    let _call = d.sound().record(false);
    assert!(
        d.log_has(
            "pw-record captures the microphone: ignored (calls_ignore)",
            5 * SEC
        )
        .await,
        "{}",
        d.log()
    );
    let s = d.status();
    assert!(s.held_by.is_empty(), "{s:?}");
    assert_eq!(s.calls_ignored, ["pw-record"]);
    let (_, out, _) = d.cli(&["status"]);
    assert!(
        out.contains("Capturing the microphone, ignored (calls_ignore): pw-record"),
        "{out}"
    );
    let doctor = doctor_in(&d).await;
    assert!(
        doctor.contains(
            "nothing captures the microphone now; pw-record captures it too, ignored (calls_ignore)"
        ),
        "{doctor}"
    );
    let n = server.calls().len();
    server.nth(n + 2, 5 * SEC).await;
}

/// Writes the daemon's clock offset so that its "now" is `at` today (UTC).
fn set_clock(file: &std::path::Path, at: &str) {
    let target: jiff::Timestamp = format!("2026-11-25T{at}Z").parse().unwrap();
    let ms = target.duration_since(jiff::Timestamp::now()).as_millis();
    std::fs::write(file, format!("{ms}ms")).unwrap();
}

/// A call on the headless PipeWire longer than catch_up_after ends with
/// one catch-up break, worded for it, recorded with source catch-up (the
/// daemon on the test clock).
#[tokio::test]
async fn a_long_call_ends_with_one_catch_up_break() {
    let config = "[general]\nignore_after = \"2h\"\n[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"50m\"\n";
    let mut d = Scene::with(config).notifd().pipewire().build().await;
    let clock = d.path("clock");
    set_clock(&clock, "09:00:00");
    d.start_with(|c| {
        c.env("UNHUNCH_CLOCK_FILE", &clock);
    });
    assert!(
        d.log_has("calls: from PulseAudio (on PipeWire", 10 * SEC)
            .await,
        "{}",
        d.log()
    );
    let server = d.notifd();
    let call = d.sound().record(false);
    d.wait_status("held by the call", 5 * SEC, |s| {
        s.held_by.contains(&HoldReason::Call)
    })
    .await;
    // An hour and five minutes into the call: stand's 09:50 is held.
    set_clock(&clock, "10:05:00");
    d.signal(10);
    assert!(d.log_has("SIGUSR1", 5 * SEC).await, "{}", d.log());
    tokio::time::sleep(SEC).await;
    assert!(server.calls().is_empty(), "{:?}", d.outcomes());
    drop(call);
    let n = server.nth(1, 10 * SEC).await;
    assert!(
        n.body
            .starts_with("You've been on a call for 1 h 5 min — stand up and move?"),
        "{}",
        n.body
    );
    assert_eq!(d.outcomes(), ["stand shown catch-up"]);
    tokio::time::sleep(SEC).await;
    assert_eq!(server.calls().len(), 1, "one, not a burst");
}
