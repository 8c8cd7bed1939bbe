//! Two real Syncthing instances on loopback, sharing one folder: what the
//! "Several computers" page walks through, without a network. Debian's
//! `syncthing` (1.19; scripts/setup installs it): each made with
//! `generate`, its config written before the first start with discovery,
//! relays, NAT, usage reports and upgrades off, the peer's id and
//! `tcp://127.0.0.1:PORT`, and a folder watched with a 1 s delay.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::desktop::wait_for;

pub struct Syncthing {
    child: Child,
    pub home: PathBuf,
    /// The shared folder as this instance has it.
    pub folder: PathBuf,
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two instances sharing folder `unhunch`; the files of both live in `dir`.
pub struct Pair {
    pub a: Syncthing,
    pub b: Syncthing,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn device_id(home: &Path) -> String {
    let out = Command::new("syncthing")
        .arg(format!("--home={}", home.display()))
        .arg("--device-id")
        .env("HOME", home)
        .output()
        .expect("syncthing (package syncthing) is needed: run scripts/setup test");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn config(folder: &Path, own: &str, peer: &str, port: u16, peer_port: u16) -> String {
    format!(
        r#"<configuration version="36">
    <folder id="unhunch" label="unhunch" path="{folder}" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        <device id="{own}" introducedBy=""></device>
        <device id="{peer}" introducedBy=""></device>
        <minDiskFree unit="%">0</minDiskFree>
        <markerName>.stfolder</markerName>
    </folder>
    <device id="{own}" name="self" compression="metadata" introducer="false">
        <address>dynamic</address>
    </device>
    <device id="{peer}" name="peer" compression="metadata" introducer="false">
        <address>tcp://127.0.0.1:{peer_port}</address>
    </device>
    <gui enabled="false" tls="false">
        <address>127.0.0.1:0</address>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <startBrowser>false</startBrowser>
        <crashReportingEnabled>false</crashReportingEnabled>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
    </options>
</configuration>
"#,
        folder = folder.display()
    )
}

impl Pair {
    /// Both running and connected: a file made in A's folder has reached
    /// B's (about 8 s of start-up here, then about 1 s a file).
    pub async fn start(dir: &Path) -> Pair {
        let homes = [dir.join("st-a"), dir.join("st-b")];
        let folders = [dir.join("folder-a"), dir.join("folder-b")];
        for (home, folder) in homes.iter().zip(&folders) {
            std::fs::create_dir_all(folder.join(".stfolder")).unwrap();
            let ok = Command::new("syncthing")
                .arg("generate")
                .arg(format!("--home={}", home.display()))
                .arg("--no-default-folder")
                .env("HOME", dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("syncthing (package syncthing) is needed: run scripts/setup test");
            assert!(ok.success());
        }
        let ids = [device_id(&homes[0]), device_id(&homes[1])];
        let ports = [free_port(), free_port()];
        for i in 0..2 {
            let xml = config(&folders[i], &ids[i], &ids[1 - i], ports[i], ports[1 - i]);
            std::fs::write(homes[i].join("config.xml"), xml).unwrap();
        }
        let run = |i: usize| Syncthing {
            child: Command::new("syncthing")
                .arg("serve")
                .arg(format!("--home={}", homes[i].display()))
                .arg("--no-browser")
                .arg("--no-restart")
                .arg(format!("--logfile={}", homes[i].join("log").display()))
                .env("HOME", dir)
                .env("STNOUPGRADE", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            home: homes[i].clone(),
            folder: folders[i].clone(),
        };
        let pair = Pair {
            a: run(0),
            b: run(1),
        };
        std::fs::write(pair.a.folder.join("probe"), b"x").unwrap();
        let crossed = wait_for(Duration::from_secs(60), || {
            pair.b.folder.join("probe").exists().then_some(())
        })
        .await;
        assert!(
            crossed.is_some(),
            "Syncthing did not carry a file within 60 s; its logs:\n{}\n{}",
            std::fs::read_to_string(pair.a.home.join("log")).unwrap_or_default(),
            std::fs::read_to_string(pair.b.home.join("log")).unwrap_or_default()
        );
        pair
    }
}
