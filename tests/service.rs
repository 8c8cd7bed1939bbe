//! `unhunch service install|uninstall|status` in a temporary home, with a
//! fake systemctl that records its calls (and a real check where a user
//! systemd runs).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// `systemd`: whether the fake systemctl reports a user instance, one
    /// whose desktop starts graphical-session.target.
    fn new(systemd: bool) -> Home {
        Home::with(systemd, systemd)
    }

    /// `graphical`: whether graphical-session.target is active.
    fn with(systemd: bool, graphical: bool) -> Home {
        // Beside the build (same file system): the binary is linked in as
        // an installed one, since `service install` refuses a build dir's.
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        let bin = dir.path().join("bin/unhunch");
        if std::fs::hard_link(env!("CARGO_BIN_EXE_unhunch"), &bin).is_err() {
            std::fs::copy(env!("CARGO_BIN_EXE_unhunch"), &bin).unwrap();
        }
        let fake = dir.path().join("systemctl");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$2\" in\n  show-environment) exit {} ;;\n  is-active) echo {}; exit {} ;;\n  is-enabled) echo enabled ;;\nesac\nexit 0\n",
                dir.path().join("calls").display(),
                if systemd { 0 } else { 1 },
                if graphical { "active" } else { "inactive" },
                if graphical { 0 } else { 3 },
            ),
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        Home { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_exe(&self.exe(), args)
    }

    /// The installed binary's path.
    fn exe(&self) -> String {
        self.path("bin/unhunch").display().to_string()
    }

    fn run_exe(&self, exe: &str, args: &[&str]) -> (i32, String, String) {
        let o = Command::new(exe)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_DIRS", self.dir.path().join("etc-xdg"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("UNHUNCH_RUNTIME_DIR", self.path("run"))
            .env("UNHUNCH_SYSTEMCTL", self.path("systemctl"))
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into(),
            String::from_utf8_lossy(&o.stderr).into(),
        )
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
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
    let h = Home::new(true);
    let (code, out, err) = h.run(&["service", "install"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("systemd user unit, enabled"), "{out}");
    let unit = h.read(UNIT);
    assert!(
        unit.contains(&format!("ExecStart={} run\n", h.exe())),
        "{unit}"
    );
    assert!(unit.contains("Written by `unhunch service install`"));
    assert!(unit.contains("WantedBy=graphical-session.target"));
    assert!(h.read(AUTOSTART).contains("Hidden=true"));
    assert_eq!(
        h.calls(),
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
    let (code, _, _) = h.run(&["service", "install"]);
    assert_eq!(code, 0);
    assert_eq!(h.read(UNIT), unit);

    let (code, out, _) = h.run(&["service", "status"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!(
            "systemd user unit: {} (enabled)",
            h.path(UNIT).display()
        )),
        "{out}"
    );
    assert!(out.contains("Not running now."), "{out}");

    let (code, out, _) = h.run(&["service", "uninstall"]);
    assert_eq!(code, 0);
    assert!(out.contains("Removed"), "{out}");
    assert!(!h.path(UNIT).exists() && !h.path(AUTOSTART).exists());
    assert!(
        h.calls()
            .contains(&"--user disable --now unhunch.service".to_string()),
        "{:?}",
        h.calls()
    );
    let (_, out, _) = h.run(&["service", "uninstall"]);
    assert!(out.contains("Nothing to remove"), "{out}");
}

#[test]
fn without_systemd_install_writes_an_autostart_entry() {
    let h = Home::new(false);
    let (code, out, err) = h.run(&["service", "install"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("XDG autostart"), "{out}");
    let entry = h.read(AUTOSTART);
    assert!(
        entry.contains(&format!("Exec={} run\n", h.exe())),
        "{entry}"
    );
    assert!(!entry.contains("Hidden"));
    assert!(!h.path(UNIT).exists());
    validate(&["desktop-file-validate"], &h.path(AUTOSTART));
    let (_, out, _) = h.run(&["service", "status"]);
    assert!(
        out.contains(&format!("XDG autostart: {}", h.path(AUTOSTART).display())),
        "{out}"
    );
    let (_, out, _) = h.run(&["doctor"]);
    assert!(
        out.contains(&format!("✓ autostart: {}", h.path(AUTOSTART).display())),
        "{out}"
    );
    h.run(&["service", "uninstall"]);
    assert!(!h.path(AUTOSTART).exists());
}

#[test]
fn files_it_did_not_write_are_left_alone() {
    let h = Home::new(true);
    std::fs::create_dir_all(h.path("config/systemd/user")).unwrap();
    std::fs::write(h.path(UNIT), "[Service]\nExecStart=/opt/mine\n").unwrap();
    let (code, _, err) = h.run(&["service", "install"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("exists and was not written by unhunch: move it away first"),
        "{err}"
    );
    let (code, out, _) = h.run(&["service", "uninstall"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Left") && out.contains("unhunch did not write it"),
        "{out}"
    );
    assert_eq!(h.read(UNIT), "[Service]\nExecStart=/opt/mine\n");
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
    let h = Home::new(true);
    h.run(&["service", "install"]);
    h.read(UNIT)
}

#[test]
fn a_system_wide_entry_counts_until_install_masks_it() {
    let h = Home::new(true);
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
    let (_, out, _) = h.run(&["doctor"]);
    assert!(
        out.contains(&format!("✓ autostart: {system} (for all users)")),
        "{out}"
    );
    let (_, out, _) = h.run(&["service", "status"]);
    assert!(
        out.contains(&format!("XDG autostart for all users: {system}")),
        "{out}"
    );
    // With systemd, install hides the system entry: one copy starts, not two.
    h.run(&["service", "install"]);
    let (_, out, _) = h.run(&["service", "status"]);
    assert!(out.contains("systemd user unit: "), "{out}");
    assert!(!out.contains("for all users"), "{out}");
}

#[test]
fn a_desktop_without_graphical_session_target_gets_xdg_autostart() {
    // XFCE 4.18, MATE, LXQt: a systemd user instance, but the target the
    // unit is wanted by never starts, so the unit would never run.
    let h = Home::with(true, false);
    let (code, out, err) = h.run(&["service", "install"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("does not start systemd's graphical-session.target"),
        "{out}"
    );
    assert!(out.contains("XDG autostart"), "{out}");
    let entry = h.read(AUTOSTART);
    assert!(!entry.contains("Hidden"), "{entry}");
    assert!(
        entry.contains(&format!("Exec={} run\n", h.exe())),
        "{entry}"
    );
    assert!(!h.path(UNIT).exists());
    assert!(
        !h.calls().iter().any(|c| c.contains("enable")),
        "{:?}",
        h.calls()
    );
    let (_, out, _) = h.run(&["service", "status"]);
    assert!(
        out.contains(&format!("XDG autostart: {}", h.path(AUTOSTART).display())),
        "{out}"
    );
}

#[test]
fn install_refuses_a_binary_in_a_build_directory() {
    let h = Home::new(true);
    let (code, out, err) = h.run_exe(env!("CARGO_BIN_EXE_unhunch"), &["service", "install"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("is a build of this repository"), "{err}");
    assert!(err.contains("scripts/setup run"), "{err}");
    assert!(!h.path(UNIT).exists() && !h.path(AUTOSTART).exists());
    assert!(h.calls().is_empty(), "{:?}", h.calls());
}
