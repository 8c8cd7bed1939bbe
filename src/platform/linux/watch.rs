//! Notices changes to a file (the config, the time zone). Editors save by writing a new file and
//! renaming it over the old one, so the *directory* is watched, and a symlinked
//! config has the directory of its target watched too. Events come from
//! inotify through tokio: no thread, no polling.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use inotify::{EventMask, EventStream, Inotify, WatchMask};
use tracing::debug;

pub struct FileWatch {
    stream: EventStream<Vec<u8>>,
    /// File names (in any watched directory) that mean "the config changed".
    names: Vec<OsString>,
    /// A folder watched for any change in it (`FileWatch::dir`).
    any: bool,
}

/// The directories and names to watch for `path`: its own directory, and
/// for each symlink on the way, the directory of the target.
fn targets(path: &Path) -> Vec<(PathBuf, OsString)> {
    let mut out = Vec::new();
    let mut p = path.to_path_buf();
    for _ in 0..8 {
        let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
            break;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        out.push((dir.to_path_buf(), name.to_os_string()));
        match std::fs::read_link(&p) {
            Ok(target) => {
                p = if target.is_absolute() {
                    target
                } else {
                    dir.join(target)
                }
            }
            Err(_) => break,
        }
    }
    out
}

const MASK: WatchMask = WatchMask::CLOSE_WRITE
    .union(WatchMask::MOVED_TO)
    .union(WatchMask::MOVED_FROM)
    .union(WatchMask::CREATE)
    .union(WatchMask::DELETE)
    .union(WatchMask::DELETE_SELF)
    .union(WatchMask::MOVE_SELF);

impl FileWatch {
    /// Watches the folder `dir` for any file in it made, written, renamed
    /// or removed (a vdir calendar); it must exist.
    pub fn dir(dir: &Path) -> io::Result<FileWatch> {
        let inotify = Inotify::init()?;
        inotify.watches().add(dir, MASK)?;
        debug!("watching {} for any change", dir.display());
        let stream = inotify.into_event_stream(vec![0u8; 4096])?;
        Ok(FileWatch {
            stream,
            names: Vec::new(),
            any: true,
        })
    }

    /// Watches `path`; its directory must exist.
    pub fn new(path: &Path) -> io::Result<FileWatch> {
        let inotify = Inotify::init()?;
        let mask = MASK;
        let mut names = Vec::new();
        let mut watched = 0;
        for (dir, name) in targets(path) {
            match inotify.watches().add(&dir, mask) {
                Ok(_) => {
                    debug!("watching {} for {}", dir.display(), name.to_string_lossy());
                    watched += 1;
                }
                Err(e) => debug!("cannot watch {}: {e}", dir.display()),
            }
            names.push(name);
        }
        if watched == 0 {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no directory of {} to watch", path.display()),
            ));
        }
        let stream = inotify.into_event_stream(vec![0u8; 4096])?;
        Ok(FileWatch {
            stream,
            names,
            any: false,
        })
    }

    /// Waits for the next change that may concern the config file. Returns
    /// `Err` when the watch is gone (its directory was removed).
    pub async fn changed(&mut self) -> io::Result<()> {
        loop {
            let Some(event) = self.stream.next().await else {
                return Err(io::Error::other("the inotify stream ended"));
            };
            let event = event?;
            if event
                .mask
                .intersects(EventMask::DELETE_SELF | EventMask::MOVE_SELF | EventMask::IGNORED)
            {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "the config directory was removed or moved",
                ));
            }
            if event
                .name
                .as_ref()
                .is_some_and(|n| self.any || self.names.iter().any(|m| m == n))
            {
                return Ok(());
            }
        }
    }
}
