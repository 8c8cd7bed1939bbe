//! Several computers: a folder a file-sync tool carries (Syncthing,
//! Nextcloud, a network share). Each device appends only to its own file
//! there, `unhunch-<device>.jsonl`, one event a line; it reads the others'
//! files (and the sync tool's conflict copies of them) when the folder
//! changes (inotify, no polling), from where it last stopped, up to the last
//! whole line. It never writes another device's file.
//!
//! A line is a JSON object, a tab and the CRC-32 of the JSON in hex, so a
//! line caught mid-sync, or torn by a crash, is known as such: an unended
//! line is read again when the file grows, a whole line that fails its
//! check is skipped. Each line has the format's version, `v`: a file with a
//! line of a newer version is left alone from there on, with one warning.
//!
//! What is in a line: the event's id (unique across devices), the device,
//! the UTC time and the device's offset from UTC then, the reminder and its
//! kind, the outcome and where it came from, the occurrence it belongs to,
//! a snooze's length and a guided routine's progress. Nothing else.

mod folder;
pub mod line;

use std::path::PathBuf;

use tokio::sync::mpsc;
use tracing::{debug, info, warn};

pub use folder::{Folder, Scan};
pub use line::{Item, Line, Presence, VERSION, What};

use crate::core::Remote;
use crate::platform::FileWatch;

/// What the folder's watcher tells the daemon.
#[derive(Debug)]
pub enum Incoming {
    /// Other devices' events, new since the last read (a conflict copy or a
    /// file read again may repeat some: they are kept once, by id).
    Events(Vec<Remote>),
    /// Other devices' presence, as read.
    Seen(Vec<crate::core::Seen>),
    /// The folder cannot be read (`Some`: why, said once until it can),
    /// or can again (`None`).
    ReadProblem(Option<String>),
    /// This device's file cannot be written, or can again.
    WriteProblem(Option<String>),
}

/// The sync folder: its watcher runs as a task, its writer as a thread.
pub struct Sync {
    writer: std::sync::mpsc::Sender<Line>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sync {
    /// Starts reading `folder` (the whole of the others' files first) and
    /// writing `device`'s file in it. What is read comes on the receiver.
    /// `backlog`: this device's recent events, oldest first; those later
    /// than the file's last line (a crash came between the history and
    /// the file) are written first.
    pub fn start(
        folder: PathBuf,
        device: String,
        backlog: Vec<Line>,
    ) -> (Sync, mpsc::UnboundedReceiver<Incoming>) {
        let (tx, incoming) = mpsc::unbounded_channel();
        let (writer, lines) = std::sync::mpsc::channel();
        let own = folder::file_name(&device);
        let write_to = folder.join(&own);
        let told = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("unhunch-sync-write".into())
            .spawn(move || folder::write_lines(&write_to, backlog, lines, &told));
        let thread = match spawned {
            Ok(t) => Some(t),
            Err(e) => {
                warn!("sync: cannot start the writer: {e}");
                None
            }
        };
        tokio::spawn(watch(Folder::new(folder, device), tx));
        (Sync { writer, thread }, incoming)
    }

    /// Ends the writer once what it was given is written (blocking: a
    /// blocking-pool thread waits for it).
    pub fn close(self) {
        let Sync { writer, thread } = self;
        drop(writer);
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    /// Appends one of this device's events to its file (in order, off the
    /// loop).
    pub fn append(&self, line: Line) {
        // The writer thread ends only with the process.
        let _ = self.writer.send(line);
    }
}

/// Reads the folder whenever it changes. A folder that is not there is said
/// once, and its parent watched for it to appear.
async fn watch(mut folder: Folder, tx: mpsc::UnboundedSender<Incoming>) {
    let mut problem: Option<String> = None;
    let mut say = |tx: &mpsc::UnboundedSender<Incoming>, p: Option<String>| {
        if p != problem {
            match &p {
                Some(p) => warn!("sync: {p}"),
                None => info!("sync: the folder can be read"),
            }
            let _ = tx.send(Incoming::ReadProblem(p.clone()));
            problem = p;
        }
    };
    let mut first = true;
    loop {
        let dir = folder.dir().to_path_buf();
        let mut w = match FileWatch::dir(&dir) {
            Ok(w) => w,
            Err(e) => {
                say(
                    &tx,
                    Some(format!(
                        "the folder {} cannot be watched: {e}",
                        dir.display()
                    )),
                );
                // Its parent says when it is made (or moved in).
                match FileWatch::new(&dir) {
                    Ok(mut parent) => {
                        if parent.changed().await.is_err() {
                            return;
                        }
                        continue;
                    }
                    Err(e) => {
                        debug!("sync: nor can its parent be watched ({e}): given up");
                        return;
                    }
                }
            }
        };
        loop {
            let (back, scan) = match tokio::task::spawn_blocking(move || {
                let scan = folder.scan();
                (folder, scan)
            })
            .await
            {
                Ok(r) => r,
                Err(e) => {
                    warn!("sync: the folder's reader failed: {e}");
                    return;
                }
            };
            folder = back;
            for w in scan.warnings {
                warn!("sync: {w}");
            }
            say(&tx, scan.problem);
            if first {
                info!(
                    "sync: the folder {} read: {} events of other devices",
                    dir.display(),
                    scan.events.len()
                );
                first = false;
            }
            if !scan.seen.is_empty() && tx.send(Incoming::Seen(scan.seen)).is_err() {
                return;
            }
            if !scan.events.is_empty() {
                debug!("sync: {} events read", scan.events.len());
                if tx.send(Incoming::Events(scan.events)).is_err() {
                    return;
                }
            }
            if w.changed().await.is_err() {
                say(
                    &tx,
                    Some(format!("the folder {} was removed or moved", dir.display())),
                );
                break;
            }
        }
    }
}
