//! A sound server for tests, without sound hardware, in a runtime directory
//! of its own, on the test's private bus, with one virtual microphone: either
//! PipeWire, WirePlumber and pipewire-pulse (the PulseAudio protocol), where
//! `pw-record` stands for a call; or PulseAudio itself, where `parec` does.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::desktop::PrivateBus;

pub struct Sound {
    dir: tempfile::TempDir,
    bus: String,
    pipewire: Vec<Child>,
    pulse: Option<Child>,
    /// PulseAudio itself, not PipeWire.
    pulseaudio: bool,
}

impl Sound {
    fn new(bus: &PrivateBus, pulseaudio: bool) -> Sound {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Sound {
            dir,
            bus: bus.address.clone(),
            pipewire: Vec::new(),
            pulse: None,
            pulseaudio,
        }
    }

    /// PulseAudio, with a null sink (`speakers`) and a null source
    /// (`desk-mic`). It makes its cookie in its home: see [`Sound::cookie`].
    pub fn pulseaudio(bus: &PrivateBus) -> Sound {
        let mut s = Sound::new(bus, true);
        s.pulse = Some(s.spawn(
            "pulseaudio",
            &[
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--load=module-native-protocol-unix",
                "--load=module-null-sink sink_name=speakers",
                "--load=module-null-source source_name=desk-mic",
            ],
        ));
        s.wait_for(&s.runtime_dir().join("pulse/native"), "pulseaudio");
        s
    }

    /// The cookie PulseAudio made (the daemon's `PULSE_COOKIE`).
    pub fn cookie(&self) -> PathBuf {
        self.dir.path().join("home/.config/pulse/cookie")
    }

    /// PipeWire with WirePlumber and pipewire-pulse.
    pub fn start(bus: &PrivateBus) -> Sound {
        let mut s = Sound::new(bus, false);
        s.pipewire.push(s.spawn("pipewire", &[]));
        s.wait_for(&s.runtime_dir().join("pipewire-0"), "pipewire");
        s.pipewire.push(s.spawn("wireplumber", &[]));
        // The microphone belongs to PipeWire itself (it outlives
        // pipewire-pulse), and stays after pw-cli is gone.
        let out = s
            .command("pw-cli")
            .args([
                "create-node",
                "adapter",
                "{ factory.name=support.null-audio-sink node.name=desk-mic \
                 media.class=Audio/Source/Virtual audio.position=[FL FR] object.linger=true }",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "pw-cli: {out:?}");
        s.start_pulse();
        s
    }

    /// The runtime directory its sockets are in (the daemon's
    /// `XDG_RUNTIME_DIR`).
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .env("HOME", self.dir.path().join("home"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn spawn(&self, program: &str, args: &[&str]) -> Child {
        self.command(program)
            .args(args)
            .spawn()
            .unwrap_or_else(|e| panic!("{program} is needed ({e}): run scripts/setup test"))
    }

    fn wait_for(&self, path: &Path, what: &str) {
        let end = Instant::now() + Duration::from_secs(10);
        while !path.exists() {
            assert!(Instant::now() < end, "{what} did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// pipewire-pulse, the PulseAudio-protocol server, started (again).
    pub fn start_pulse(&mut self) {
        self.pulse = Some(self.spawn("pipewire-pulse", &[]));
        self.wait_for(&self.runtime_dir().join("pulse/native"), "pipewire-pulse");
    }

    /// pipewire-pulse killed: the PulseAudio-protocol server goes away.
    pub fn stop_pulse(&mut self) {
        if let Some(mut c) = self.pulse.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A recording from the microphone, as a call's would be; or, with
    /// `monitor`, of what the speakers play (not a call).
    pub fn record(&self, monitor: bool) -> Recording {
        let file = self.dir.path().join("rec.wav");
        let mut c = if self.pulseaudio {
            let mut c = self.command("parec");
            c.arg("-d").arg(if monitor {
                "speakers.monitor"
            } else {
                "desk-mic"
            });
            c
        } else {
            let mut c = self.command("pw-record");
            if monitor {
                c.args(["-P", "stream.capture.sink=true", "--target", "auto_null"]);
            } else {
                c.args(["--target", "desk-mic"]);
            }
            c.arg(&file);
            c
        };
        Recording(
            c.spawn()
                .expect("pw-record / parec are needed: run scripts/setup test"),
        )
    }

    /// The source outputs the PulseAudio-protocol server lists now (`pactl`).
    pub fn source_outputs(&self) -> String {
        let out = self
            .command("pactl")
            .args(["list", "short", "source-outputs"])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Sound {
    fn drop(&mut self) {
        self.stop_pulse();
        for c in self.pipewire.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A running `pw-record`; it stops when dropped.
pub struct Recording(Child);

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
