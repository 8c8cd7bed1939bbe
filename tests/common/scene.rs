//! One harness for every test that runs the real binary: a [`Scene`] is a
//! temporary home, the private session bus, the stand-ins a test asks for
//! (notification server, tray host, screen saver, GNOME's idle monitor,
//! logind on a system bus of its own, an X server, a sound server, a
//! headless sway), and the daemon, started when the test says.
//!
//! ```ignore
//! let s = Scene::with(CONFIG).notifd().up().await;     // the daemon answering
//! let n = s.notifd().nth(1, 10 * SEC).await;
//! s.notifd().invoke(n.id, "done").await;
//! s.wait_outcome("stand done notification", 5 * SEC).await;
//! ```
//!
//! The daemon runs with `--no-tray` unless the scene has a tray host (or
//! asks for `.tray()`); its stderr is the log (`Scene::log`), at debug
//! level. Every command runs with this home's environment only.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use unhunch::vocab::reply::Status;

use super::desktop::{Logind, Mutter, Notifd, PrivateBus, ScreenSaver, TrayHost, Xvfb, wait_for};
use super::sound::Sound;
use super::wayland::Sway;

pub const SEC: Duration = Duration::from_secs(1);

/// Never the machine's logind: a scene that wants one asks for `.logind()`.
const NO_SYSTEM_BUS: &str = "unix:path=/nonexistent/unhunch-test";

/// The capabilities of the test notification server unless told otherwise.
const CAPS: &[&str] = &["actions", "body", "persistence"];

enum Server {
    /// Serves with these capabilities.
    Caps(Vec<String>),
    /// Clicks Done on every reminder by itself.
    Answering,
}

enum Sounds {
    PipeWire,
    PulseAudio,
}

/// What a [`Scene`] is made of; `build`, `start` or `up` makes it.
#[must_use]
pub struct Builder {
    config: Option<String>,
    bus: bool,
    services: &'static [&'static str],
    env: Vec<(OsString, OsString)>,
    daemon_env: Vec<(OsString, OsString)>,
    server: Option<Server>,
    tray_host: bool,
    tray: Option<bool>,
    saver: Option<bool>,
    mutter: bool,
    logind: bool,
    x: bool,
    sway: bool,
    sound: Option<Sounds>,
    in_target_dir: bool,
    late_bus: bool,
}

impl Builder {
    /// The config file's text (`config/config.toml`, named by
    /// `UNHUNCH_CONFIG`). Without one, unhunch looks at the default place,
    /// `config/unhunch/config.toml` (`XDG_CONFIG_HOME` is the home's
    /// `config/`).
    pub fn config(mut self, text: &str) -> Builder {
        self.config = Some(text.to_string());
        self
    }

    /// A private session bus (no service activation).
    pub fn bus(mut self) -> Builder {
        self.bus = true;
        self
    }

    /// A private bus that can start these services only, from the system's
    /// D-Bus service files.
    pub fn services(mut self, names: &'static [&'static str]) -> Builder {
        self.bus = true;
        self.services = names;
        self
    }

    /// `TZ` (`UTC` unless told).
    pub fn tz(self, tz: &str) -> Builder {
        self.env("TZ", tz)
    }

    /// An environment variable for every command, the daemon's and the CLI's.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Builder {
        set(&mut self.env, key, value);
        self
    }

    /// An environment variable for the daemon only.
    pub fn daemon_env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Builder {
        self.daemon_env
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// The test notification server (buttons, body, persistence).
    pub fn notifd(self) -> Builder {
        self.notifd_caps(CAPS)
    }

    /// The test notification server with these capabilities.
    pub fn notifd_caps(mut self, caps: &[&str]) -> Builder {
        self.bus = true;
        self.server = Some(Server::Caps(caps.iter().map(|c| c.to_string()).collect()));
        self
    }

    /// The test notification server, answering every reminder Done 50 ms
    /// after it arrives.
    pub fn answering(mut self) -> Builder {
        self.bus = true;
        self.server = Some(Server::Answering);
        self
    }

    /// The test tray host; the daemon then has its tray.
    pub fn tray_host(mut self) -> Builder {
        self.bus = true;
        self.tray_host = true;
        self
    }

    /// No session bus yet, as when started from ssh or a console: its
    /// place (`$XDG_RUNTIME_DIR/bus`, no `DBUS_SESSION_BUS_ADDRESS`) is
    /// empty until `Scene::bus_appears`. The daemon has its tray.
    pub fn late_bus(mut self) -> Builder {
        self.bus = false;
        self.late_bus = true;
        self.tray = Some(true);
        self
    }

    /// The daemon has its tray (no `--no-tray`) even without a tray host.
    pub fn tray(mut self) -> Builder {
        self.tray = Some(true);
        self
    }

    /// `--no-tray`, even with a tray host.
    pub fn no_tray(mut self) -> Builder {
        self.tray = Some(false);
        self
    }

    /// org.freedesktop.ScreenSaver on the bus.
    pub fn screensaver(mut self) -> Builder {
        self.bus = true;
        self.saver = Some(false);
        self
    }

    /// The same as KDE's screen locker (which also owns org.kde.screensaver).
    pub fn kde_screensaver(mut self) -> Builder {
        self.bus = true;
        self.saver = Some(true);
        self
    }

    /// GNOME's idle monitor on the bus.
    pub fn mutter(mut self) -> Builder {
        self.bus = true;
        self.mutter = true;
        self
    }

    /// A system bus with the logind stand-in; the daemon's
    /// `DBUS_SYSTEM_BUS_ADDRESS`.
    pub fn logind(mut self) -> Builder {
        self.logind = true;
        self
    }

    /// An X server (Xvfb); the daemon's `DISPLAY`.
    pub fn x(mut self) -> Builder {
        self.x = true;
        self
    }

    /// A headless sway (a Wayland session): every command's
    /// `WAYLAND_DISPLAY`, `XDG_RUNTIME_DIR` and `XDG_SESSION_TYPE=wayland`.
    pub fn sway(mut self) -> Builder {
        self.sway = true;
        self
    }

    /// A headless PipeWire with pipewire-pulse and a virtual microphone;
    /// its runtime directory is the daemon's `XDG_RUNTIME_DIR`.
    pub fn pipewire(mut self) -> Builder {
        self.bus = true;
        self.sound = Some(Sounds::PipeWire);
        self
    }

    /// PulseAudio itself, with its cookie as the daemon's `PULSE_COOKIE`.
    pub fn pulseaudio(mut self) -> Builder {
        self.bus = true;
        self.sound = Some(Sounds::PulseAudio);
        self
    }

    /// The home beside the build (the same file system as the binary, for
    /// a hard link to it).
    pub fn in_target_dir(mut self) -> Builder {
        self.in_target_dir = true;
        self
    }

    /// The home (and the bus): nothing served, nothing started. For a
    /// scene without servers, outside a runtime.
    pub fn home(mut self) -> Scene {
        assert!(
            self.server.is_none()
                && !self.tray_host
                && self.saver.is_none()
                && !self.mutter
                && !self.logind
                && self.sound.is_none(),
            "a scene with servers is made by build(), start() or up()"
        );
        self.scene()
    }

    /// The home, the bus and the servers; the daemon not started yet.
    pub async fn build(mut self) -> Scene {
        let mut s = self.scene();
        if let Some(server) = &self.server {
            let bus = s.bus();
            s.notifd = Some(match server {
                Server::Caps(caps) => {
                    let caps: Vec<&str> = caps.iter().map(String::as_str).collect();
                    Notifd::start_with(bus, &caps).await
                }
                Server::Answering => Notifd::answering(bus).await,
            });
        }
        if self.tray_host {
            s.host = Some(TrayHost::start(s.bus()).await);
        }
        if let Some(kde) = self.saver {
            s.saver = Some(if kde {
                ScreenSaver::kde(s.bus()).await
            } else {
                ScreenSaver::start(s.bus()).await
            });
        }
        if self.mutter {
            s.mutter = Some(Mutter::start(s.bus()).await);
        }
        if self.logind {
            let system = PrivateBus::start();
            s.logind = Some(Logind::on(&system.address).await);
            s.daemon_env.push((
                "DBUS_SYSTEM_BUS_ADDRESS".into(),
                system.address.clone().into(),
            ));
            s.system = Some(system);
        }
        if let Some(kind) = &self.sound {
            let sound = match kind {
                Sounds::PipeWire => Sound::start(s.bus()),
                Sounds::PulseAudio => {
                    let sound = Sound::pulseaudio(s.bus());
                    s.daemon_env
                        .push(("PULSE_COOKIE".into(), sound.cookie().into()));
                    sound
                }
            };
            s.daemon_env
                .push(("XDG_RUNTIME_DIR".into(), sound.runtime_dir().into()));
            s.sound = Some(sound);
        }
        s
    }

    /// Built, and the daemon started (not waited for).
    pub async fn start(self) -> Scene {
        let mut s = self.build().await;
        s.start();
        s
    }

    /// Built, and the daemon started and answering `status`.
    pub async fn up(self) -> Scene {
        let s = self.start().await;
        s.wait_up().await;
        s
    }

    /// The home and its environment, the bus and the X server.
    fn scene(&mut self) -> Scene {
        let dir = if self.in_target_dir {
            tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
        } else {
            tempfile::tempdir().unwrap()
        };
        let home = dir.path();
        let mut env: Vec<(OsString, OsString)> = vec![
            ("PATH".into(), std::env::var_os("PATH").unwrap_or_default()),
            ("HOME".into(), home.into()),
            ("XDG_CONFIG_DIRS".into(), home.join("etc-xdg").into()),
            ("DBUS_SYSTEM_BUS_ADDRESS".into(), NO_SYSTEM_BUS.into()),
            ("UNHUNCH_DATA_DIR".into(), home.join("data").into()),
            ("UNHUNCH_RUNTIME_DIR".into(), home.join("run").into()),
            ("TZ".into(), "UTC".into()),
        ];
        let config = match &self.config {
            Some(text) => {
                let path = home.join("config/config.toml");
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                env.push(("UNHUNCH_CONFIG".into(), path.clone().into()));
                path
            }
            None => {
                env.push(("XDG_CONFIG_HOME".into(), home.join("config").into()));
                home.join("config/unhunch/config.toml")
            }
        };
        let bus = self.bus.then(|| PrivateBus::with_services(self.services));
        if let Some(bus) = &bus {
            env.push((
                "DBUS_SESSION_BUS_ADDRESS".into(),
                bus.address.clone().into(),
            ));
        }
        if self.late_bus {
            let run = home.join("xdg-run");
            std::fs::create_dir_all(&run).unwrap();
            env.push(("XDG_RUNTIME_DIR".into(), run.into()));
        }
        for (k, v) in std::mem::take(&mut self.env) {
            set(&mut env, k, v);
        }
        // The daemon's log (its stderr) at debug level; the CLI's stderr as
        // a person sees it.
        let mut daemon_env = vec![("UNHUNCH_LOG".into(), "debug".into())];
        daemon_env.append(&mut self.daemon_env);
        let x = self
            .x
            .then(|| Xvfb::start().expect("Xvfb (package xvfb) is needed: run scripts/setup test"));
        if let Some(x) = &x {
            daemon_env.push(("DISPLAY".into(), x.display.clone().into()));
        }
        let sway = self.sway.then(Sway::start);
        for (k, v) in sway.iter().flat_map(|s| s.env()) {
            set(&mut env, k, v);
        }
        Scene {
            child: None,
            tray: self.tray.unwrap_or(self.tray_host),
            env,
            daemon_env,
            config,
            notifd: None,
            host: None,
            saver: None,
            mutter: None,
            logind: None,
            sound: None,
            x,
            sway,
            system: None,
            bus,
            dir,
        }
    }
}

/// A temporary home, the servers asked for, and the daemon once started.
pub struct Scene {
    child: Option<Child>,
    tray: bool,
    env: Vec<(OsString, OsString)>,
    daemon_env: Vec<(OsString, OsString)>,
    config: PathBuf,
    notifd: Option<Notifd>,
    host: Option<TrayHost>,
    saver: Option<ScreenSaver>,
    mutter: Option<Mutter>,
    logind: Option<Logind>,
    sound: Option<Sound>,
    x: Option<Xvfb>,
    sway: Option<Sway>,
    system: Option<PrivateBus>,
    bus: Option<PrivateBus>,
    dir: tempfile::TempDir,
}

impl Scene {
    /// An empty home: no config file (the default place), no bus, `TZ=UTC`.
    pub fn builder() -> Builder {
        Builder {
            config: None,
            bus: false,
            services: &[],
            env: Vec::new(),
            daemon_env: Vec::new(),
            server: None,
            tray_host: false,
            tray: None,
            saver: None,
            mutter: false,
            logind: false,
            x: false,
            sway: false,
            sound: None,
            in_target_dir: false,
            late_bus: false,
        }
    }

    /// A home with `config` as its config file, on a private bus.
    pub fn with(config: &str) -> Builder {
        Scene::builder().config(config).bus()
    }

    // ---- the home ----------------------------------------------------------

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The config file: `config/config.toml` when the scene was given one,
    /// else the default place, `config/unhunch/config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.config.clone()
    }

    pub fn db_path(&self) -> PathBuf {
        self.path("data/unhunch.db")
    }

    pub fn log_path(&self) -> PathBuf {
        self.path("daemon.log")
    }

    /// Sets a variable of every command's environment from now on.
    pub fn set_env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) {
        set(&mut self.env, key, value);
    }

    /// `program` with this home's environment (and nothing else of the test's).
    pub fn program(&self, program: impl AsRef<OsStr>, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// The binary with this home's environment and `args`.
    pub fn command(&self, args: &[&str]) -> Command {
        self.program(env!("CARGO_BIN_EXE_unhunch"), args)
    }

    /// The binary run by `wrapper` (e.g. `unshare -m`), with this home's
    /// environment.
    pub fn command_via(&self, wrapper: &[&str], args: &[&str]) -> Command {
        let mut c = self.program(wrapper[0], &wrapper[1..]);
        c.arg(env!("CARGO_BIN_EXE_unhunch")).args(args);
        c
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

    /// Writes the config file as editors do: beside it, then renamed over.
    pub fn write_config(&self, text: &str) {
        let path = self.config_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let tmp = path.with_file_name(".config.toml.swp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }

    /// The history's events, oldest first (none without a history).
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

    /// Waits until the history has the event `needle` (as in `outcomes`).
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

    // ---- the daemon --------------------------------------------------------

    /// Starts the daemon (`run`, with `--no-tray` unless the scene has a tray).
    pub fn start(&mut self) {
        self.start_with(|_| {});
    }

    /// Starts the daemon, its command changed by `f` first.
    pub fn start_with(&mut self, f: impl FnOnce(&mut Command)) {
        self.start_via(&[], f);
    }

    /// Starts the daemon run by `wrapper` (e.g. `unshare -m`; none if
    /// empty), its command changed by `f` first.
    pub fn start_via(&mut self, wrapper: &[&str], f: impl FnOnce(&mut Command)) {
        let mut args = vec!["run"];
        if !self.tray {
            args.push("--no-tray");
        }
        let mut c = if wrapper.is_empty() {
            self.command(&args)
        } else {
            self.command_via(wrapper, &args)
        };
        c.envs(self.daemon_env.iter().map(|(k, v)| (k, v)));
        f(&mut c);
        self.spawn(c);
    }

    /// Starts `c` (a daemon command) with its stderr in the log.
    pub fn spawn(&mut self, mut c: Command) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        c.stdout(Stdio::null()).stderr(log);
        self.child = Some(c.spawn().unwrap());
    }

    /// Starts the daemon and waits until it answers `status`.
    pub async fn up(&mut self) {
        self.start();
        self.wait_up().await;
    }

    /// Waits until the control socket answers `status` (asked off this
    /// thread: the stand-ins it serves keep answering the daemon meanwhile).
    pub async fn wait_up(&self) {
        let end = Instant::now() + 10 * SEC;
        while !output(self.command(&["status"])).await.status.success() {
            assert!(
                Instant::now() < end,
                "the daemon did not come up:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the daemon was started").id()
    }

    /// The daemon was started and has not ended.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    pub fn signal(&self, sig: i32) {
        let _ = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status();
    }

    /// Waits for the daemon to end; its exit code.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let child = self.child.as_mut()?;
        let status = wait_for(within, || child.try_wait().ok().flatten()).await?;
        self.child = None;
        status.code()
    }

    /// User and system CPU time of the daemon so far, in clock ticks (1/100 s).
    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // The fields after the command name, which is in parentheses.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }

    /// The daemon's log so far (every run of it in this home).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Waits until the log contains `needle`.
    pub async fn log_has(&self, needle: &str, within: Duration) -> bool {
        wait_for(within, || self.log().contains(needle).then_some(()))
            .await
            .is_some()
    }

    /// `unhunch status --json`, read as the typed reply the CLI prints.
    /// Asked on this thread (as `cli` is): with an idle source this thread
    /// serves (`.mutter()`, or `.screensaver()` on Wayland), `wait_status`.
    pub fn status(&self) -> Status {
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

    /// `status --json`, if the daemon answers with one.
    pub fn try_status(&self) -> Option<Status> {
        let out = self.command(&["status", "--json"]).output().ok()?;
        serde_json::from_slice(&out.stdout).ok()
    }

    /// Waits until `status` shows `what` (checked by `f`); the last status.
    /// Asked off this thread, every 25 ms: the daemon samples its idle
    /// source at each wake, and a stand-in served by this thread must answer.
    pub async fn wait_status(
        &self,
        what: &str,
        within: Duration,
        f: impl Fn(&Status) -> bool,
    ) -> Status {
        let end = Instant::now() + within;
        loop {
            let out = output(self.command(&["status", "--json"])).await;
            let last: Option<Status> = serde_json::from_slice(&out.stdout).ok();
            match last {
                Some(s) if f(&s) => return s,
                _ if Instant::now() > end => panic!(
                    "status never showed {what} within {within:?}: {last:?}\nlog:\n{}",
                    self.log()
                ),
                _ => tokio::time::sleep(Duration::from_millis(25)).await,
            }
        }
    }

    // ---- the servers ---------------------------------------------------------

    pub fn bus(&self) -> &PrivateBus {
        self.bus
            .as_ref()
            .expect("a scene with a bus (Scene::with, .bus())")
    }

    /// The notification server (a handle: its clones are the same server).
    pub fn notifd(&self) -> Notifd {
        self.notifd
            .clone()
            .expect("a scene with a notification server (.notifd(), .answering())")
    }

    /// The session bus of a `late_bus` scene appears (a desktop session
    /// starts), with the test notification server and tray host on it.
    pub async fn bus_appears(&mut self) {
        let bus = PrivateBus::at(&self.path("xdg-run/bus"));
        self.notifd = Some(Notifd::start_with(&bus, CAPS).await);
        self.host = Some(TrayHost::start(&bus).await);
        self.bus = Some(bus);
    }

    /// The notification server leaves the bus (it "crashes").
    pub async fn stop_notifd(&mut self) {
        self.notifd
            .take()
            .expect("a scene with a notification server")
            .stop()
            .await;
    }

    pub fn host(&self) -> TrayHost {
        self.host.clone().expect("a scene with .tray_host()")
    }

    pub fn saver(&self) -> ScreenSaver {
        self.saver.clone().expect("a scene with .screensaver()")
    }

    pub fn mutter(&self) -> Mutter {
        self.mutter.clone().expect("a scene with .mutter()")
    }

    pub fn logind(&self) -> Logind {
        self.logind.clone().expect("a scene with .logind()")
    }

    pub fn x(&self) -> &Xvfb {
        self.x.as_ref().expect("a scene with .x()")
    }

    pub fn sway(&self) -> &Sway {
        self.sway.as_ref().expect("a scene with .sway()")
    }

    pub fn sway_mut(&mut self) -> &mut Sway {
        self.sway.as_mut().expect("a scene with .sway()")
    }

    pub fn sound(&self) -> &Sound {
        self.sound
            .as_ref()
            .expect("a scene with .pipewire() or .pulseaudio()")
    }

    pub fn sound_mut(&mut self) -> &mut Sound {
        self.sound
            .as_mut()
            .expect("a scene with .pipewire() or .pulseaudio()")
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Sets `key` in `env`, in place of what it was.
fn set(env: &mut Vec<(OsString, OsString)>, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) {
    let key = key.as_ref().to_os_string();
    env.retain(|(k, _)| *k != key);
    env.push((key, value.as_ref().to_os_string()));
}

/// Runs `c` off the test's runtime thread (the test servers on that thread
/// keep answering meanwhile): its output.
pub async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}
