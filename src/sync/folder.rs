//! The folder: reading the other devices' files from where each was left,
//! and appending this device's lines to its own.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;
use tracing::{info, warn};

use super::Incoming;
use super::line::{Bad, Item, Line};
use crate::core::{Remote, Seen};

/// This device's file in the folder.
pub fn file_name(device: &str) -> String {
    format!("unhunch-{device}.jsonl")
}

/// Whether a file in the folder is a device's file, or a sync tool's
/// conflict copy of one (`unhunch-laptop.sync-conflict-….jsonl`). A sync
/// tool's temporary files start otherwise (`.syncthing.…`, `~…`).
fn is_device_file(name: &str) -> bool {
    name.starts_with("unhunch-") && name.ends_with(".jsonl")
}

/// At most this much of a file is read at a time (a file grows by a few
/// kilobytes a day; anything larger is read in turns).
const READ_AT_MOST: u64 = 16 << 20;

/// The other devices' files, and how far each was read.
pub struct Folder {
    dir: PathBuf,
    device: String,
    own: OsString,
    read: HashMap<OsString, u64>,
    /// Files warned about (damaged lines), once each.
    warned: HashSet<OsString>,
    /// Files with a line from a newer unhunch: not read past it.
    newer: HashSet<OsString>,
}

/// What one read of the folder found.
#[derive(Debug, Default)]
pub struct Scan {
    pub events: Vec<Remote>,
    /// Other devices' presence, oldest first.
    pub seen: Vec<Seen>,
    /// Said once each.
    pub warnings: Vec<String>,
    /// The folder cannot be read.
    pub problem: Option<String>,
}

impl Folder {
    pub fn new(dir: PathBuf, device: String) -> Folder {
        Folder {
            own: file_name(&device).into(),
            dir,
            device,
            read: HashMap::new(),
            warned: HashSet::new(),
            newer: HashSet::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads what is new in the other devices' files: whole lines only.
    pub fn scan(&mut self) -> Scan {
        let mut scan = Scan::default();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) => {
                scan.problem = Some(format!(
                    "the folder {} cannot be read: {e}",
                    self.dir.display()
                ));
                return scan;
            }
        };
        let mut names: Vec<OsString> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .filter(|n| *n != self.own && n.to_str().is_some_and(is_device_file))
            .collect();
        names.sort();
        for name in names {
            if !self.newer.contains(&name) {
                self.read_file(&name, &mut scan);
            }
        }
        scan
    }

    fn read_file(&mut self, name: &OsString, scan: &mut Scan) {
        let path = self.dir.join(name);
        let shown = name.to_string_lossy();
        let mut from = self.read.get(name).copied().unwrap_or(0);
        let bytes = match read_from(&path, &mut from) {
            Ok(b) => b,
            Err(e) => {
                if self.warned.insert(name.clone()) {
                    scan.warnings.push(format!("{shown} cannot be read: {e}"));
                }
                return;
            }
        };
        // Whole lines only: a last line without its end is being written
        // (or carried) and is read again when the file grows. A whole
        // read's worth without one is no line of unhunch's: passed over.
        let Some(end) = bytes.iter().rposition(|b| *b == b'\n') else {
            let skip = if bytes.len() as u64 >= READ_AT_MOST {
                if self.warned.insert(name.clone()) {
                    scan.warnings.push(format!(
                        "{shown}: {} MiB without a line's end skipped (said once for this file)",
                        READ_AT_MOST >> 20
                    ));
                }
                bytes.len() as u64
            } else {
                0
            };
            self.read.insert(name.clone(), from + skip);
            if skip > 0 {
                self.read_file(name, scan);
            }
            return;
        };
        let mut bad = 0usize;
        let mut first_bad = None;
        let mut done = 0usize;
        for raw in bytes[..end].split(|b| *b == b'\n') {
            let at = done;
            done += raw.len() + 1;
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match Line::decode(raw).and_then(|l| {
                if l.device == self.device {
                    Ok(None)
                } else {
                    l.item().map(Some)
                }
            }) {
                Ok(Some(Item::Event(r))) => scan.events.push(r),
                Ok(Some(Item::Seen(s))) => scan.seen.push(s),
                // This device's own lines, in a conflict copy of its file.
                Ok(None) => {}
                Err(Bad::Newer(v)) => {
                    self.newer.insert(name.clone());
                    scan.warnings.push(format!(
                        "{shown} has a line from a newer unhunch (format {v}; this one reads {}): not read from there on; update unhunch on this computer",
                        super::VERSION
                    ));
                    self.read.insert(name.clone(), from + at as u64);
                    return;
                }
                Err(e) => {
                    bad += 1;
                    first_bad.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_bad
            && self.warned.insert(name.clone())
        {
            scan.warnings.push(format!(
                "{shown}: {bad} line(s) skipped: {e} (said once for this file)"
            ));
        }
        self.read.insert(name.clone(), from + done as u64);
        // More than one read's worth: the rest now, not at the next change.
        if bytes.len() as u64 >= READ_AT_MOST {
            self.read_file(name, scan);
        }
    }
}

/// What `path` holds from `*from` on (at most [`READ_AT_MOST`]); a file
/// now shorter than that (made again) is read from its start.
fn read_from(path: &Path, from: &mut u64) -> std::io::Result<Vec<u8>> {
    let mut f = crate::platform::open_to_read(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() < *from {
        *from = 0;
    }
    if meta.len() == *from {
        return Ok(Vec::new());
    }
    f.seek(SeekFrom::Start(*from))?;
    let mut out = Vec::new();
    f.take(READ_AT_MOST).read_to_end(&mut out)?;
    Ok(out)
}

/// At most this many lines wait for a folder that cannot be written.
const BACKLOG: usize = 10_000;

/// The writer thread: appends each line to this device's file, in order.
/// Lines that cannot be written wait (up to [`BACKLOG`]) and go with the
/// next that can; the trouble is said once until it passes.
pub(super) fn write_lines(
    path: &Path,
    backlog: Vec<Line>,
    lines: std::sync::mpsc::Receiver<Line>,
    tx: &mpsc::UnboundedSender<Incoming>,
) {
    let mut problem: Option<String> = None;
    let mut waiting: Vec<u8> = Vec::new();
    let mut count = 0usize;
    let mut mended = false;
    let mut backlog = Some(backlog);
    // The backlog first (a `None` line), then each line as it comes.
    for line in std::iter::once(None).chain(lines.into_iter().map(Some)) {
        if let Some(line) = line
            && count < BACKLOG
        {
            waiting.extend_from_slice(&line.encode());
            count += 1;
        }
        let r = (|| -> std::io::Result<()> {
            if !mended {
                mend(path)?;
                mended = true;
            }
            if let Some(early) = backlog.take() {
                let last = last_at(path);
                let mut missed = Vec::new();
                for l in early.iter().filter(|l| last.is_none_or(|t| l.at > t)) {
                    missed.extend_from_slice(&l.encode());
                }
                if !missed.is_empty() {
                    info!(
                        "sync: {} written again: events of the history it did not have yet",
                        path.display()
                    );
                    missed.append(&mut waiting);
                    waiting = missed;
                }
            }
            append(path, &waiting)
        })();
        let now = match r {
            Ok(()) => {
                waiting.clear();
                count = 0;
                None
            }
            Err(e) => Some(format!(
                "{} cannot be written ({e}): this computer's answers stay in its own history, and are added when it can be",
                path.display()
            )),
        };
        if now != problem {
            match &now {
                Some(p) => warn!("sync: {p}"),
                None => info!("sync: {} can be written again", path.display()),
            }
            let _ = tx.send(Incoming::WriteProblem(now.clone()));
            problem = now;
        }
    }
}

/// A last line cut short (the process was killed mid-write) is cut off,
/// so the next line starts on a line of its own.
fn mend(path: &Path) -> std::io::Result<()> {
    let mut f = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let tail = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - tail))?;
    let mut buf = Vec::new();
    (&mut f).take(tail).read_to_end(&mut buf)?;
    if buf.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = match buf.iter().rposition(|b| *b == b'\n') {
        Some(i) => len - tail + i as u64 + 1,
        None if tail == len => 0,
        // A line longer than any unhunch writes: end it instead.
        None => {
            f.seek(SeekFrom::End(0))?;
            return f.write_all(b"\n");
        }
    };
    warn!(
        "sync: {} ended in a line cut short: cut off",
        path.display()
    );
    f.set_len(keep)
}

/// The time of the last whole line of this device's file, if it has one.
fn last_at(path: &Path) -> Option<jiff::Timestamp> {
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let tail = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - tail)).ok()?;
    let mut buf = Vec::new();
    f.take(tail).read_to_end(&mut buf).ok()?;
    buf.split(|b| *b == b'\n')
        .rev()
        .find_map(|raw| Line::decode(raw).ok())
        .map(|l| l.at)
}

/// One write of whole lines at the file's end.
fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_data()
}
