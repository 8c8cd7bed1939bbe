//! `unhunch service install|uninstall|status`: start at login.
//!
//! With a systemd user instance: a user unit (the packaged one, pointing at
//! this executable), enabled; plus a hidden XDG autostart entry so that a
//! system-wide one (from the .deb) does not start a second copy. Without
//! systemd: an XDG autostart entry. Every file written carries a marker, and
//! `uninstall` removes only files that have it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

const MARKER: &str = "Written by `unhunch service install`";
const UNIT_TEMPLATE: &str = include_str!("../../packaging/systemd/unhunch.service");
const AUTOSTART_TEMPLATE: &str = include_str!("../../packaging/xdg/unhunch-autostart.desktop");
const UNIT: &str = "unhunch.service";

use super::Action;

/// How unhunch starts at login, as the files on disk say: the systemd user
/// unit, the user's autostart entry and the system-wide one (a user entry
/// with `Hidden=true` switches both entries off).
pub struct LoginStart {
    pub unit: Option<PathBuf>,
    pub user: Option<PathBuf>,
    pub system: Option<PathBuf>,
}

impl LoginStart {
    pub fn find(config_home: &Path) -> LoginStart {
        let unit = config_home.join("systemd/user").join(UNIT);
        let user = config_home.join("autostart/unhunch.desktop");
        let hidden = std::fs::read_to_string(&user)
            .is_ok_and(|s| s.lines().any(|l| l.trim() == "Hidden=true"));
        let system = crate::paths::system_autostart()
            .into_iter()
            .find(|p| p.exists())
            .filter(|_| !hidden);
        LoginStart {
            unit: unit.exists().then_some(unit),
            user: (user.exists() && !hidden).then_some(user),
            system,
        }
    }

    pub fn starts(&self) -> bool {
        self.unit.is_some() || self.user.is_some() || self.system.is_some()
    }
}

struct Service<'a> {
    config_home: PathBuf,
    /// The pid of the daemon running now, if one is.
    running: &'a dyn Fn() -> Option<u32>,
    /// The systemctl program; `UNHUNCH_SYSTEMCTL` replaces it in tests.
    systemctl: String,
}

impl Service<'_> {
    fn unit_path(&self) -> PathBuf {
        self.config_home.join("systemd/user").join(UNIT)
    }

    fn autostart_path(&self) -> PathBuf {
        self.config_home.join("autostart/unhunch.desktop")
    }

    fn systemctl(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        Command::new(&self.systemctl)
            .arg("--user")
            .args(args)
            .output()
    }

    /// A systemd user instance answers.
    fn has_systemd(&self) -> bool {
        self.systemctl(&["show-environment"])
            .is_ok_and(|o| o.status.success())
    }

    /// The desktop starts systemd's `graphical-session.target` (GNOME, KDE
    /// do; XFCE 4.18, MATE and LXQt do not), which the unit is wanted by.
    fn graphical_session(&self) -> bool {
        self.systemctl(&["is-active", "graphical-session.target"])
            .is_ok_and(|o| o.status.success())
    }

    fn must(&self, args: &[&str]) -> anyhow::Result<()> {
        let o = self
            .systemctl(args)
            .with_context(|| format!("cannot run {}", self.systemctl))?;
        if !o.status.success() {
            bail!(
                "systemctl --user {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&o.stderr).trim()
            );
        }
        Ok(())
    }

    fn running(&self) -> Option<u32> {
        (self.running)()
    }
}

fn ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.contains(MARKER))
}

/// Quotes a path for an Exec= line when it needs it.
fn exec_arg(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .any(|c| c.is_whitespace() || "\"'\\$`".contains(c))
    {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "$$")
                .replace('`', "\\`")
        )
    } else {
        s
    }
}

/// The packaged unit, run by this executable.
fn unit_for(exe: &Path) -> String {
    let body = UNIT_TEMPLATE.replace(
        "ExecStart=/usr/bin/unhunch run",
        &format!("ExecStart={} run", exec_arg(exe)),
    );
    format!("# {MARKER}; `unhunch service uninstall` removes it.\n{body}")
}

/// The packaged autostart entry, run by this executable; `hidden` masks a
/// system-wide entry of the same name instead.
fn autostart_for(exe: &Path, hidden: bool) -> String {
    let mut body =
        AUTOSTART_TEMPLATE.replace("Exec=unhunch run", &format!("Exec={} run", exec_arg(exe)));
    if hidden {
        // The systemd unit starts unhunch; this keeps /etc/xdg/autostart from
        // starting a second one.
        body.push_str("Hidden=true\n");
    }
    format!("# {MARKER}; `unhunch service uninstall` removes it.\n{body}")
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if path.exists() && !ours(path) {
        bail!(
            "{} exists and was not written by unhunch: move it away first",
            path.display()
        );
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Carries out `action`; `running` asks whether a daemon runs now.
pub fn run(cmd: Action, running: &dyn Fn() -> Option<u32>) -> anyhow::Result<ExitCode> {
    let config_home = directories::BaseDirs::new()
        .map(|b| b.config_dir().to_path_buf())
        .context("cannot find the config directory: set $HOME or $XDG_CONFIG_HOME")?;
    let svc = Service {
        config_home,
        running,
        systemctl: std::env::var("UNHUNCH_SYSTEMCTL").unwrap_or_else(|_| "systemctl".into()),
    };
    match cmd {
        Action::Install => install(&svc),
        Action::Uninstall => uninstall(&svc),
        Action::Status => status(&svc),
    }
}

/// With unhunch's systemd user unit installed and a user instance running:
/// starts it there (`unhunch start` then leaves it to systemd). `None`:
/// no unit of ours, or no systemd.
pub fn start_service() -> Option<anyhow::Result<()>> {
    let config_home = directories::BaseDirs::new()?.config_dir().to_path_buf();
    let svc = Service {
        config_home,
        running: &|| None,
        systemctl: std::env::var("UNHUNCH_SYSTEMCTL").unwrap_or_else(|_| "systemctl".into()),
    };
    (ours(&svc.unit_path()) && svc.has_systemd()).then(|| svc.must(&["start", UNIT]))
}

fn install(svc: &Service) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot tell where this unhunch is")?;
    if crate::paths::in_build_dir(&exe) {
        anyhow::bail!(
            "{} is a build of this repository, which `cargo clean` or moving the clone would \
             break at the next login: install it first (`scripts/setup run` puts it in \
             ~/.local/bin, or /usr/local/bin as root; or `cargo install --path .`), then run \
             that `unhunch service install`",
            exe.display()
        );
    }
    let systemd = svc.has_systemd();
    let graphical = systemd && svc.graphical_session();
    if systemd && !graphical {
        println!(
            "This desktop does not start systemd's graphical-session.target (XFCE, MATE and LXQt \
             do not), so a systemd unit would never start: using XDG autostart, which every \
             desktop runs."
        );
    }
    if graphical {
        write(&svc.unit_path(), &unit_for(&exe))?;
        write(&svc.autostart_path(), &autostart_for(&exe, true))?;
        svc.must(&["daemon-reload"])?;
        svc.must(&["enable", UNIT])?;
        println!(
            "Installed {} (systemd user unit, enabled: it starts at login).",
            svc.unit_path().display()
        );
        match svc.running() {
            Some(pid) => println!(
                "unhunch is running already (pid {pid}); from the next login systemd starts it.\n\
                 To hand it over now: stop it, then `systemctl --user start unhunch`."
            ),
            None => {
                svc.must(&["start", UNIT])?;
                println!("Started it now: `systemctl --user status unhunch` shows it.");
            }
        }
    } else {
        write(&svc.autostart_path(), &autostart_for(&exe, false))?;
        println!(
            "Installed {} (XDG autostart: it starts at your next login).",
            svc.autostart_path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn uninstall(svc: &Service) -> anyhow::Result<ExitCode> {
    let mut removed = Vec::new();
    let unit = svc.unit_path();
    if ours(&unit) {
        if svc.has_systemd() {
            // Stops it too; a failure (not loaded) is no reason to keep the file.
            let _ = svc.systemctl(&["disable", "--now", UNIT]);
        }
        std::fs::remove_file(&unit).with_context(|| format!("cannot remove {}", unit.display()))?;
        if svc.has_systemd() {
            svc.must(&["daemon-reload"])?;
        }
        removed.push(unit);
    } else if unit.exists() {
        println!("Left {} alone: unhunch did not write it.", unit.display());
    }
    let auto = svc.autostart_path();
    if ours(&auto) {
        std::fs::remove_file(&auto).with_context(|| format!("cannot remove {}", auto.display()))?;
        removed.push(auto);
    } else if auto.exists() {
        println!("Left {} alone: unhunch did not write it.", auto.display());
    }
    if removed.is_empty() {
        println!("Nothing to remove: `unhunch service install` has not been run.");
    }
    for p in removed {
        println!("Removed {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn status(svc: &Service) -> anyhow::Result<ExitCode> {
    let login = LoginStart::find(&svc.config_home);
    if let Some(unit) = &login.unit {
        let enabled = svc
            .systemctl(&["is-enabled", UNIT])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|_| "unknown (no systemctl)".into());
        println!("systemd user unit: {} ({enabled})", unit.display());
    }
    if let Some(user) = &login.user {
        println!("XDG autostart: {}", user.display());
    }
    if let Some(system) = &login.system {
        println!("XDG autostart for all users: {}", system.display());
    }
    if !login.starts() {
        println!("Not started at login: `unhunch service install` sets that up.");
    }
    match svc.running() {
        Some(pid) => println!("Running now (pid {pid})."),
        None => println!("Not running now."),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_point_at_the_executable_and_carry_the_marker() {
        let u = unit_for(Path::new("/home/a b/.cargo/bin/unhunch"));
        assert!(
            u.contains("ExecStart=\"/home/a b/.cargo/bin/unhunch\" run\n"),
            "{u}"
        );
        assert!(u.starts_with(&format!("# {MARKER}")));
        assert!(!u.contains("/usr/bin/unhunch"));
        let a = autostart_for(Path::new("/usr/local/bin/unhunch"), false);
        assert!(a.contains("Exec=/usr/local/bin/unhunch run\n"), "{a}");
        assert!(!a.contains("Hidden=true"));
        assert!(autostart_for(Path::new("/x/unhunch"), true).ends_with("Hidden=true\n"));
    }
}
