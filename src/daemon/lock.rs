//! One daemon per user: an exclusive lock on a file beside the history (not
//! in the runtime directory, which can be removed under a running daemon),
//! released by the kernel however the process ends, so a killed daemon never
//! leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = "unhunch.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("unhunch is already running{}: see `unhunch status`, or stop it with `unhunch stop`", .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Running { pid: Option<u32> },
    #[error("cannot take the instance lock in {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held for the life of the daemon.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

/// Takes the lock in `data_dir` (made if missing).
pub fn acquire(data_dir: &Path) -> Result<InstanceLock, LockError> {
    std::fs::create_dir_all(data_dir).map_err(|source| LockError::Io {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let path = data_dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut s = String::new();
            let _ = file.read_to_string(&mut s);
            return Err(LockError::Running {
                pid: s.trim().parse().ok(),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    Ok(InstanceLock { _file: file })
}
