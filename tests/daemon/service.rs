//! `unhunch service install|uninstall|status` in a temporary home, with a
//! fake systemctl that records its calls (and a real check where a user
//! systemd runs).

use std::path::Path;
use std::process::Command;

use crate::common::Scene;

/// A home with unhunch installed in its `bin/` (linked: `service install`
/// refuses a build directory's binary) and a fake systemctl that records
/// its calls. `systemd`: whether it reports a user instance; `graphical`:
/// whether graphical-session.target is active.
fn home_with(systemd: bool, graphical: bool) -> Scene {
    // Beside the build, on its file system, for the hard link.
    let mut h = Scene::builder().in_target_dir().home();
    std::fs::create_dir(h.path("bin")).unwrap();
    let bin = h.path("bin/unhunch");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_unhunch"), &bin).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_unhunch"), &bin).unwrap();
    }
    let fake = h.path("systemctl");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$2\" in\n  show-environment) exit {} ;;\n  is-active) echo {}; exit {} ;;\n  is-enabled) echo enabled ;;\nesac\nexit 0\n",
            h.path("calls").display(),
            if systemd { 0 } else { 1 },
            if graphical { "active" } else { "inactive" },
            if graphical { 0 } else { 3 },
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    h.set_env("UNHUNCH_SYSTEMCTL", &fake);
    h
}

/// `systemd`: a user instance whose desktop starts graphical-session.target.
fn home(systemd: bool) -> Scene {
    home_with(systemd, systemd)
}

/// The installed binary's path.
fn exe(h: &Scene) -> String {
    h.path("bin/unhunch").display().to_string()
}

/// Runs the installed binary.
fn run(h: &Scene, args: &[&str]) -> (i32, String, String) {
    run_exe(h, &exe(h), args)
}

fn run_exe(h: &Scene, exe: &str, args: &[&str]) -> (i32, String, String) {
    let o = h.program(exe, args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// What the fake systemctl was asked, a line a call.
fn calls(h: &Scene) -> Vec<String> {
    std::fs::read_to_string(h.path("calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn read(h: &Scene, rel: &str) -> String {
    std::fs::read_to_string(h.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const UNIT: &str = "config/systemd/user/unhunch.service";
const AUTOSTART: &str = "config/autostart/unhunch.desktop";

/// Validates with the real tool when it is installed (scripts/setup test installs it).
fn validate(tool: &[&str], file: &Path) {
    match Command::new(tool[0]).args(&tool[1..]).arg(file).output() {
        Ok(o) => assert!(
            o.status.success(),
            "{tool:?} {}: {}{}",
            file.display(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!(
            "{} not installed ({e}): {} not validated",
            tool[0],
            file.display()
        ),
    }
}

#[test]
fn with_systemd_install_writes_an_enabled_unit_and_masks_the_system_autostart() {
    let h = home(true);
    let (code, out, err) = run(&h, &["service", "install"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("systemd user unit, enabled"), "{out}");
    let unit = read(&h, UNIT);
    assert!(
        unit.contains(&format!("ExecStart={} run\n", exe(&h))),
        "{unit}"
    );
    assert!(unit.contains("Written by `unhunch service install`"));
    assert!(unit.contains("WantedBy=graphical-session.target"));
    assert!(read(&h, AUTOSTART).contains("Hidden=true"));
    assert_eq!(
        calls(&h),
        vec![
            "--user show-environment",
            "--user is-active graphical-session.target",
            "--user daemon-reload",
            "--user enable unhunch.service",
            "--user start unhunch.service"
        ]
    );
    // The unit as written passes systemd's own check.
    validate(&["systemd-analyze", "verify", "--man=no"], &h.path(UNIT));
    validate(&["desktop-file-validate"], &h.path(AUTOSTART));

    // Idempotent.
    let (code, _, _) = run(&h, &["service", "install"]);
    assert_eq!(code, 0);
    assert_eq!(read(&h, UNIT), unit);

    let (code, out, _) = run(&h, &["service", "status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!(
            "systemd user unit: {} (enabled)",
            h.path(UNIT).display()
        )),
        "{out}"
    );
    assert!(out.contains("Not running now."), "{out}");

    let (code, out, _) = run(&h, &["service", "uninstall"]);
    assert_eq!(code, 0);
    assert!(out.contains("Removed"), "{out}");
    assert!(!h.path(UNIT).exists() && !h.path(AUTOSTART).exists());
    assert!(
        calls(&h).contains(&"--user disable --now unhunch.service".to_string()),
        "{:?}",
        calls(&h)
    );
    let (_, out, _) = run(&h, &["service", "uninstall"]);
    assert!(out.contains("Nothing to remove"), "{out}");
}

#[test]
fn without_systemd_install_writes_an_autostart_entry() {
    let h = home(false);
    let (code, out, err) = run(&h, &["service", "install"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("XDG autostart"), "{out}");
    let entry = read(&h, AUTOSTART);
    assert!(
        entry.contains(&format!("Exec={} run\n", exe(&h))),
        "{entry}"
    );
    assert!(!entry.contains("Hidden"));
    assert!(!h.path(UNIT).exists());
    // Not on a terminal: told how to start it now, not asked.
    assert!(
        out.contains("unhunch is not running now.\nStart it now with `unhunch start`."),
        "{out}"
    );
    validate(&["desktop-file-validate"], &h.path(AUTOSTART));
    let (_, out, _) = run(&h, &["service", "status"]);
    assert!(
        out.contains(&format!("XDG autostart: {}", h.path(AUTOSTART).display())),
        "{out}"
    );
    let (_, out, _) = run(&h, &["doctor"]);
    assert!(
        out.contains(&format!("✓ autostart: {}", h.path(AUTOSTART).display())),
        "{out}"
    );
    run(&h, &["service", "uninstall"]);
    assert!(!h.path(AUTOSTART).exists());
}

#[test]
fn files_it_did_not_write_are_left_alone() {
    let h = home(true);
    std::fs::create_dir_all(h.path("config/systemd/user")).unwrap();
    std::fs::write(h.path(UNIT), "[Service]\nExecStart=/opt/mine\n").unwrap();
    let (code, _, err) = run(&h, &["service", "install"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("exists and was not written by unhunch: move it away first"),
        "{err}"
    );
    let (code, out, _) = run(&h, &["service", "uninstall"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Left") && out.contains("unhunch did not write it"),
        "{out}"
    );
    assert_eq!(read(&h, UNIT), "[Service]\nExecStart=/opt/mine\n");
}

#[test]
fn with_a_real_user_systemd_the_unit_loads() {
    let available = Command::new("systemctl")
        .args(["--user", "show-environment"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("no systemd user instance here: the fake-systemctl tests cover install");
        return;
    }
    // Verify the unit we would install in a scratch directory, not the user's.
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("unhunch.service");
    std::fs::write(&unit, unhunch_unit()).unwrap();
    validate(&["systemd-analyze", "--user", "verify", "--man=no"], &unit);
}

fn unhunch_unit() -> String {
    let h = home(true);
    run(&h, &["service", "install"]);
    read(&h, UNIT)
}

#[test]
fn a_system_wide_entry_counts_until_install_masks_it() {
    let h = home(true);
    std::fs::create_dir_all(h.path("etc-xdg/autostart")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/xdg/unhunch-autostart.desktop"),
        h.path("etc-xdg/autostart/unhunch.desktop"),
    )
    .unwrap();
    let system = h
        .path("etc-xdg/autostart/unhunch.desktop")
        .display()
        .to_string();
    let (_, out, _) = run(&h, &["doctor"]);
    assert!(
        out.contains(&format!("✓ autostart: {system} (for all users)")),
        "{out}"
    );
    let (_, out, _) = run(&h, &["service", "status"]);
    assert!(
        out.contains(&format!("XDG autostart for all users: {system}")),
        "{out}"
    );
    // With systemd, install hides the system entry: one copy starts, not two.
    run(&h, &["service", "install"]);
    let (_, out, _) = run(&h, &["service", "status"]);
    assert!(out.contains("systemd user unit: "), "{out}");
    assert!(!out.contains("for all users"), "{out}");
}

#[test]
fn a_desktop_without_graphical_session_target_gets_xdg_autostart() {
    // XFCE 4.18, MATE, LXQt: a systemd user instance, but the target the
    // unit is wanted by never starts, so the unit would never run.
    let h = home_with(true, false);
    let (code, out, err) = run(&h, &["service", "install"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("does not start systemd's graphical-session.target"),
        "{out}"
    );
    assert!(out.contains("XDG autostart"), "{out}");
    let entry = read(&h, AUTOSTART);
    assert!(!entry.contains("Hidden"), "{entry}");
    assert!(
        entry.contains(&format!("Exec={} run\n", exe(&h))),
        "{entry}"
    );
    assert!(!h.path(UNIT).exists());
    assert!(
        !calls(&h).iter().any(|c| c.contains("enable")),
        "{:?}",
        calls(&h)
    );
    let (_, out, _) = run(&h, &["service", "status"]);
    assert!(
        out.contains(&format!("XDG autostart: {}", h.path(AUTOSTART).display())),
        "{out}"
    );
}

#[test]
fn install_refuses_a_binary_in_a_build_directory() {
    let h = home(true);
    let (code, out, err) = run_exe(&h, env!("CARGO_BIN_EXE_unhunch"), &["service", "install"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("is a build of this repository"), "{err}");
    assert!(err.contains("scripts/setup run"), "{err}");
    assert!(!h.path(UNIT).exists() && !h.path(AUTOSTART).exists());
    assert!(calls(&h).is_empty(), "{:?}", calls(&h));
}

/// `unhunch start`: the daemon in the background, detached, logging to
/// daemon.log; refused while one runs; `stop` waits until it is gone, so
/// `stop` then `start` works at once.
#[test]
fn start_runs_the_daemon_in_the_background_and_refuses_a_second() {
    let h = home(false);
    let (code, out, err) = run(&h, &["start", "--no-tray"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Started unhunch (pid "), "{out}");
    let log = h.path(".local/state/unhunch/daemon.log");
    assert!(
        out.contains(&format!("its log: {}", log.display())),
        "{out}"
    );
    assert!(out.contains("`unhunch stop` stops it"), "{out}");
    let pid: u32 = out["Started unhunch (pid ".len()..]
        .split(')')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Its own session: no terminal's hang-up or Ctrl+C reaches it.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let session: u32 = stat
        .rsplit(") ")
        .next()
        .unwrap()
        .split(' ')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(session, pid, "a session of its own: {stat}");
    assert!(std::fs::read_to_string(&log).unwrap().contains("running"));

    let (code, _, err) = run(&h, &["start"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("running already (pid {pid})")),
        "{err}"
    );

    let (code, out, err) = run(&h, &["stop"]);
    assert_eq!(
        (code, out),
        (0, format!("Stopped unhunch (pid {pid}).\n")),
        "{err}"
    );
    let (code, out, err) = run(&h, &["start", "--no-tray"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Started unhunch (pid "), "{out}");
    let (code, _, err) = run(&h, &["stop"]);
    assert_eq!(code, 0, "{err}");

    // A daemon that cannot start: the end of its log says why.
    let (code, _, err) = run(&h, &["start", "--config", "/nonexistent/config.toml"]);
    assert_eq!(code, 1);
    assert!(err.contains("the daemon stopped at once"), "{err}");
    assert!(
        err.contains("/nonexistent/config.toml does not exist"),
        "{err}"
    );
}

/// With its systemd unit installed, `start` leaves the daemon to systemd
/// (here a systemctl whose `start` runs the unit's command).
#[test]
fn start_goes_through_systemd_when_its_unit_is_installed() {
    let h = home(true);
    assert_eq!(run(&h, &["service", "install"]).0, 0);
    std::fs::write(
        h.path("systemctl"),
        format!(
            "#!/bin/sh\necho \"$*\" >> '{calls}'\ncase \"$2\" in\n  start) setsid '{exe}' run --no-tray >/dev/null 2>&1 < /dev/null & ;;\nesac\nexit 0\n",
            calls = h.path("calls").display(),
            exe = exe(&h),
        ),
    )
    .unwrap();
    std::fs::remove_file(h.path("calls")).unwrap();
    let (code, out, err) = run(&h, &["start"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("its log: systemd (`systemctl --user status unhunch`)"),
        "{out}"
    );
    assert!(
        calls(&h).contains(&"--user start unhunch.service".to_string()),
        "{:?}",
        calls(&h)
    );
    assert_eq!(run(&h, &["stop"]).0, 0);
}
