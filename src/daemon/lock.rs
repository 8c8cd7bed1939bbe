//! One daemon per user: an exclusive lock on a file in the runtime directory,
//! released by the kernel however the process ends, so a killed daemon never
//! leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "unhunch.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("unhunch is already running{}: see `unhunch status`, or stop it with `unhunch stop`", .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Running { pid: Option<u32> },
    #[error("runtime directory {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("runtime directory {} belongs to another user (uid {owner}): set UNHUNCH_RUNTIME_DIR", path.display())]
    NotOurs { path: PathBuf, owner: u32 },
}

/// Held for the life of the daemon.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

/// Creates the runtime directory (mode 0700) if needed and checks it is ours.
pub fn runtime_dir(dir: &Path) -> Result<(), LockError> {
    let io = |source| LockError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io)?;
    let meta = std::fs::metadata(dir).map_err(io)?;
    let uid = rustix::process::getuid().as_raw();
    if meta.uid() != uid {
        return Err(LockError::NotOurs {
            path: dir.to_path_buf(),
            owner: meta.uid(),
        });
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

pub fn acquire(dir: &Path) -> Result<InstanceLock, LockError> {
    runtime_dir(dir)?;
    let path = dir.join(LOCK_FILE);
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
