//! The real daemon binary in a temporary home, on a private bus.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::desktop::{PrivateBus, wait_for};

/// The daemon binary in a temporary home on a private bus.
pub struct Daemon {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
    pub bus_address: String,
}

impl Daemon {
    /// A home with `config` as the config file (not started yet).
    pub fn new(bus: &PrivateBus, config: &str) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/config.toml"), config).unwrap();
        Daemon {
            dir,
            child: None,
            bus_address: bus.address.clone(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("config/config.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.path("data/unhunch.db")
    }

    pub fn log_path(&self) -> PathBuf {
        self.path("daemon.log")
    }

    /// The binary with this home's environment and `args`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_unhunch"));
        c.args(args);
        self.environment(&mut c);
        c
    }

    /// The binary run by `wrapper` (e.g. `unshare -m`), with this home's environment.
    pub fn command_via(&self, wrapper: &[&str], args: &[&str]) -> Command {
        let mut c = Command::new(wrapper[0]);
        c.args(&wrapper[1..])
            .arg(env!("CARGO_BIN_EXE_unhunch"))
            .args(args);
        self.environment(&mut c);
        c
    }

    fn environment(&self, c: &mut Command) {
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_DIRS", self.dir.path().join("etc-xdg"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            // Never the machine's logind: tests that want one give theirs.
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                "unix:path=/nonexistent/unhunch-test",
            )
            .env("UNHUNCH_CONFIG", self.config_path())
            .env("UNHUNCH_DATA_DIR", self.path("data"))
            .env("UNHUNCH_RUNTIME_DIR", self.path("run"))
            .env("UNHUNCH_LOG", "debug")
            .env("TZ", "UTC");
    }

    pub fn start(&mut self) {
        self.start_with(|_| {});
    }

    pub fn start_with(&mut self, f: impl FnOnce(&mut Command)) {
        let mut c = self.command(&["run"]);
        f(&mut c);
        self.spawn(c);
    }

    /// Starts `c` (a daemon command) with its output in the log.
    pub fn spawn(&mut self, mut c: Command) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        c.stdout(Stdio::null()).stderr(log);
        self.child = Some(c.spawn().unwrap());
    }

    /// Runs the CLI: exit code, stdout, stderr.
    pub fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// User and system CPU time of the daemon so far, in clock ticks (1/100 s).
    pub fn cpu_ticks(&self) -> u64 {
        let pid = self.child.as_ref().unwrap().id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        // The fields after the command name, which is in parentheses.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }

    /// Waits until the control socket answers `status`.
    pub async fn wait_up(&self) {
        let up = wait_for(Duration::from_secs(10), || {
            self.command(&["status"])
                .output()
                .ok()
                .filter(|o| o.status.success())
        })
        .await;
        assert!(up.is_some(), "the daemon did not come up:\n{}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Waits until the log contains `needle`.
    pub async fn log_has(&self, needle: &str, within: Duration) -> bool {
        wait_for(within, || self.log().contains(needle).then_some(()))
            .await
            .is_some()
    }

    pub fn events(&self) -> Vec<unhunch::core::Event> {
        match unhunch::store::Store::open_existing(&self.db_path()) {
            Ok(s) => s
                .events_since(jiff::Timestamp::from_second(0).unwrap())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// `"reminder outcome source"` for each event.
    pub fn outcomes(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| format!("{} {} {}", e.reminder, e.outcome, e.source.as_str()))
            .collect()
    }

    pub async fn wait_outcome(&self, needle: &str, within: Duration) -> Vec<String> {
        wait_for(within, || {
            let o = self.outcomes();
            o.iter().any(|l| l == needle).then_some(o)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "no \"{needle}\" within {within:?}: {:?}\nlog:\n{}",
                self.outcomes(),
                self.log()
            )
        })
    }

    pub fn signal(&self, sig: i32) {
        let pid = self.child.as_ref().unwrap().id();
        kill(pid, sig);
    }

    /// Waits for the process to end; its exit code.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let child = self.child.as_mut()?;
        let status = wait_for(within, || child.try_wait().ok().flatten()).await?;
        self.child = None;
        status.code()
    }

    /// `unhunch status --json`, read as the typed reply the CLI prints.
    pub fn status(&self) -> unhunch::vocab::reply::Status {
        let out = self.command(&["status", "--json"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "status --json: {e}: {text}{}\nlog:\n{}",
                String::from_utf8_lossy(&out.stderr),
                self.log()
            )
        })
    }

    /// Waits until `status` shows `what` (checked by `f`); the last status.
    pub async fn wait_status(
        &self,
        what: &str,
        within: Duration,
        f: impl Fn(&unhunch::vocab::reply::Status) -> bool,
    ) -> unhunch::vocab::reply::Status {
        wait_for(within, || self.try_status().filter(|s| f(s)))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "status never showed {what} within {within:?}: {:?}\nlog:\n{}",
                    self.try_status(),
                    self.log()
                )
            })
    }

    /// `status --json`, if the daemon answers with one.
    pub fn try_status(&self) -> Option<unhunch::vocab::reply::Status> {
        let out = self.command(&["status", "--json"]).output().ok()?;
        serde_json::from_slice(&out.stdout).ok()
    }

    pub fn write_config(&self, text: &str) {
        // As editors do: write beside, then rename over.
        let tmp = self.path("config/.config.toml.swp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, self.config_path()).unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn kill(pid: u32, sig: i32) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status();
}
