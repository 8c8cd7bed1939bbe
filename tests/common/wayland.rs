//! Real Wayland compositors for tests: Debian's sway, headless
//! (`WLR_BACKENDS=headless`, drawn by pixman, no input devices), with input
//! typed by `wtype` through its virtual keyboard; and KWin's virtual
//! backend (`kwin_wayland --virtual`), which offers `ext_idle_notifier_v1`
//! but no way to inject input.
//!
//! sway refuses to run as root ("Unable to drop root"): as root, the test
//! runs it as an unprivileged user it creates (`unhunch-test`), in a
//! runtime directory of that user's. The daemon and the tools stay root,
//! which may open that user's socket.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The unprivileged user the compositor runs as when the tests run as root.
const USER: &str = "unhunch-test";

/// The user's uid and gid, made once (tests in one binary run at once).
fn user() -> (u32, u32) {
    static MADE: Mutex<()> = Mutex::new(());
    let _one = MADE.lock().unwrap_or_else(|e| e.into_inner());
    let id = |flag: &str| {
        let out = Command::new("id").args([flag, USER]).output().ok()?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u32>()
            .ok()
    };
    if id("-u").is_none() {
        let made = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                USER,
            ])
            .status()
            .unwrap_or_else(|e| panic!("useradd: {e}"));
        assert!(made.success(), "useradd {USER} failed");
    }
    (id("-u").unwrap(), id("-g").unwrap())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A headless sway; its socket is `runtime_dir/display`.
pub struct Sway {
    child: Child,
    pub runtime_dir: PathBuf,
    pub display: String,
    dir: tempfile::TempDir,
}

impl Sway {
    /// Starts sway and waits for its socket.
    pub fn start() -> Sway {
        let dir = tempfile::tempdir().unwrap();
        // Root's temporary directory is 700: the user must pass through it.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        let runtime_dir = dir.path().join("run");
        std::fs::create_dir(&runtime_dir).unwrap();
        std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let config = dir.path().join("config");
        // A bar the test starts itself (as root, on the test's bus): sway's
        // own start of it is a no-op.
        std::fs::write(
            &config,
            "output HEADLESS-1 resolution 1280x800\n\
             bar {\n  id bar-0\n  position top\n  swaybar_command true\n}\n",
        )
        .unwrap();
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
        let owner = is_root().then(user);
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&runtime_dir, Some(uid), Some(gid)).unwrap();
        }
        let mut sway = Sway {
            child: Command::new("true").spawn().unwrap(),
            runtime_dir,
            display: String::new(),
            dir,
        };
        sway.child = sway.spawn(owner);
        sway.display = sway.wait_socket();
        sway
    }

    fn spawn(&self, owner: Option<(u32, u32)>) -> Child {
        // setpriv execs sway itself (no parent left to forward signals):
        // killing the child kills the compositor.
        let mut c = match owner {
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.args([
                    format!("--reuid={uid}"),
                    format!("--regid={gid}"),
                    "--clear-groups".into(),
                    "--".into(),
                    "sway".into(),
                ]);
                c
            }
            None => Command::new("sway"),
        };
        let log = std::fs::File::create(self.dir.path().join("sway.log")).unwrap();
        c.arg("-c")
            .arg(self.dir.path().join("config"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_RUNTIME_DIR", &self.runtime_dir)
            .env("WLR_BACKENDS", "headless")
            .env("WLR_RENDERER", "pixman")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("sway is needed ({e}): run scripts/setup test"))
    }

    /// The name of the socket sway made (`wayland-1`, …).
    fn wait_socket(&mut self) -> String {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let found = std::fs::read_dir(&self.runtime_dir)
                .unwrap()
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .find(|n| n.starts_with("wayland-") && !n.ends_with(".lock"));
            if let Some(name) = found {
                return name;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("sway ended ({status}):\n{}", self.log());
            }
            assert!(Instant::now() < end, "no sway socket:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The compositor goes away (its socket with it).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A new compositor in the same place (the same socket name, now free).
    pub fn restart(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(self.runtime_dir.join(&self.display));
        let owner = is_root().then(user);
        self.child = self.spawn(owner);
        let name = self.wait_socket();
        assert_eq!(name, self.display, "sway took another socket name");
    }

    /// The environment a client of this compositor needs.
    pub fn env(&self) -> [(&'static str, String); 3] {
        [
            ("XDG_RUNTIME_DIR", self.runtime_dir.display().to_string()),
            ("WAYLAND_DISPLAY", self.display.clone()),
            ("XDG_SESSION_TYPE", "wayland".to_string()),
        ]
    }

    /// Runs a Wayland client of this compositor to its end.
    pub fn run(&self, program: &str, args: &[&str]) -> std::process::Output {
        Command::new(program)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(self.env())
            .output()
            .unwrap_or_else(|e| panic!("{program} is needed ({e}): run scripts/setup test"))
    }

    /// Starts a Wayland client of this compositor (a window: `foot`).
    pub fn client(&self, program: &str, args: &[&str]) -> Child {
        Command::new(program)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .envs(self.env())
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} is needed ({e}): run scripts/setup test"))
    }

    /// sway's IPC socket (the newest, after a restart).
    fn ipc(&self) -> PathBuf {
        std::fs::read_dir(&self.runtime_dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("sway-ipc."))
            .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
            .expect("sway's IPC socket")
            .path()
    }

    /// A sway command (`swaymsg`, over its IPC socket): its output.
    pub fn msg(&self, args: &[&str]) -> String {
        let out = Command::new("swaymsg")
            .arg("-s")
            .arg(self.ipc())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "swaymsg {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts swaybar (the bar `bar-0`), whose tray is a StatusNotifierItem
    /// host on `bus`.
    pub fn swaybar(&self, bus: &str) -> Child {
        Command::new("swaybar")
            .arg("-s")
            .arg(self.ipc())
            .args(["-b", "bar-0"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .envs(self.env())
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("swaybar is needed ({e}): run scripts/setup test"))
    }

    /// A screenshot (`grim`) of the top `rows` of the output: its width
    /// and its pixels, red first.
    pub fn pixels(&self, rows: u32) -> (usize, Vec<[u8; 3]>) {
        let out = self.run(
            "grim",
            &["-g", &format!("0,0 1280x{rows}"), "-t", "ppm", "-"],
        );
        assert!(out.status.success(), "grim: {out:?}");
        // P6, width, height, 255, then the bytes.
        let data = out.stdout;
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while data[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !data[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
        }
        assert_eq!(fields[0], "P6", "grim's PPM");
        let width: usize = fields[1].parse().unwrap();
        let pixels = data[at + 1..]
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        (width, pixels)
    }

    /// A PNG screenshot (`grim`) of `geometry` ("x,y wxh") into `path`.
    pub fn screenshot(&self, geometry: &str, path: &Path) {
        let out = self.run("grim", &["-g", geometry, &path.display().to_string()]);
        assert!(out.status.success(), "grim: {out:?}");
    }

    /// Starts mako, the notification server, on `bus`, with a
    /// `do-not-disturb` mode that hides notifications (as its users write).
    pub fn mako(&self, bus: &str) -> Child {
        let config = self.dir.path().join("cfg/mako/config");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, "[mode=do-not-disturb]\ninvisible=1\n").unwrap();
        Command::new("mako")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("cfg"))
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .envs(self.env())
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("mako is needed ({e}): run scripts/setup test"))
    }

    /// Starts SwayNotificationCenter, the notification server, on `bus`.
    pub fn swaync(&self, bus: &str) -> Child {
        Command::new("swaync")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("cfg"))
            .env("GSETTINGS_BACKEND", "memory")
            .env("NO_AT_BRIDGE", "1")
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .envs(self.env())
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join("swaync.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("swaync is needed ({e}): run scripts/setup test"))
    }

    /// `swaync-client` on `bus` (`--skip-wait`: it never waits for the
    /// server to start): whether it worked, and its output.
    pub fn swaync_client(&self, bus: &str, args: &[&str]) -> (bool, String) {
        // Its command first: it reads only the first argument as one.
        let out = Command::new("swaync-client")
            .args(args)
            .arg("--skip-wait")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .output()
            .unwrap_or_else(|e| panic!("swaync-client is needed ({e}): run scripts/setup test"));
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        )
    }

    /// `makoctl` on `bus`: whether it worked, and its output.
    pub fn makoctl(&self, bus: &str, args: &[&str]) -> (bool, String) {
        let out = Command::new("makoctl")
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .output()
            .unwrap_or_else(|e| panic!("makoctl is needed ({e}): run scripts/setup test"));
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sway.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Sway {
    fn drop(&mut self) {
        self.stop();
    }
}

/// KWin on its virtual backend, as root, from a copy of its binary (the
/// installed one carries a file capability a container refuses, and a copy
/// under another name does not find KWin's own Qt platform plugin).
pub struct Kwin {
    child: Child,
    pub runtime_dir: PathBuf,
    dir: tempfile::TempDir,
}

impl Kwin {
    pub const SOCKET: &'static str = "kwin-0";

    pub fn start() -> Kwin {
        let dir = tempfile::tempdir().unwrap();
        let runtime_dir = dir.path().join("run");
        std::fs::create_dir(&runtime_dir).unwrap();
        std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let binary = dir.path().join("kwin_wayland");
        std::fs::copy("/usr/bin/kwin_wayland", &binary)
            .unwrap_or_else(|e| panic!("kwin_wayland is needed ({e}): run scripts/setup test"));
        let log = std::fs::File::create(dir.path().join("kwin.log")).unwrap();
        let mut command = Command::new(&binary);
        command
            .args([
                "--virtual",
                "--socket",
                Kwin::SOCKET,
                "--no-lockscreen",
                "--no-global-shortcuts",
                "--no-kactivities",
            ])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // The copy's write descriptor may live on for a moment in a child
        // another test thread forked meanwhile ("Text file busy").
        let mut tries = 0;
        let child = loop {
            match command.spawn() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                r => break r.unwrap(),
            }
        };
        let mut kwin = Kwin {
            child,
            runtime_dir,
            dir,
        };
        let end = Instant::now() + Duration::from_secs(20);
        while !kwin.runtime_dir.join(Kwin::SOCKET).exists() {
            if let Ok(Some(status)) = kwin.child.try_wait() {
                panic!("kwin_wayland ended ({status}):\n{}", kwin.log());
            }
            assert!(Instant::now() < end, "no KWin socket:\n{}", kwin.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        kwin
    }

    /// The environment a client of this compositor needs.
    pub fn env(&self) -> [(&'static str, String); 3] {
        [
            ("XDG_RUNTIME_DIR", self.runtime_dir.display().to_string()),
            ("WAYLAND_DISPLAY", Kwin::SOCKET.to_string()),
            ("XDG_SESSION_TYPE", "wayland".to_string()),
        ]
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kwin.log")).unwrap_or_default()
    }
}

impl Drop for Kwin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
