//! Notices changes in the config file's directory on Windows: a thread
//! blocked on a directory change notification (no polling) tells the
//! runtime through a channel. Editors save by writing a new file and
//! renaming it, so the directory is watched, for names and writes.

use std::io;
use std::path::Path;

use tokio::sync::mpsc;
use tracing::debug;
use windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE;
use windows_sys::Win32::Storage::FileSystem::{
    FILE_NOTIFY_CHANGE_FILE_NAME, FILE_NOTIFY_CHANGE_LAST_WRITE, FindCloseChangeNotification,
    FindFirstChangeNotificationW, FindNextChangeNotification,
};
use windows_sys::Win32::System::Threading::{INFINITE, WaitForSingleObject};

use super::win32::wide;

pub struct FileWatch {
    changes: mpsc::UnboundedReceiver<()>,
    path: std::path::PathBuf,
    /// What the config file looked like at the last change reported.
    seen: Option<Look>,
    /// A folder watched for any change in it (`FileWatch::dir`).
    any: bool,
}

/// Enough of a file's metadata to tell that it changed: the directory
/// notification does not say which file did.
type Look = Option<(std::time::SystemTime, u64)>;

fn look(path: &Path) -> Look {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl FileWatch {
    /// Watches the folder `dir` for any file in it made, written, renamed
    /// or removed (a vdir calendar); it must exist.
    pub fn dir(dir: &Path) -> io::Result<FileWatch> {
        let mut w = FileWatch::watch(dir, dir)?;
        w.any = true;
        Ok(w)
    }

    /// Watches `path`'s directory, which must exist.
    pub fn new(path: &Path) -> io::Result<FileWatch> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        FileWatch::watch(dir, path)
    }

    fn watch(dir: &Path, path: &Path) -> io::Result<FileWatch> {
        let name = wide(&dir.to_string_lossy());
        // SAFETY: a NUL-terminated path; the handle is closed by the thread.
        let handle = unsafe {
            FindFirstChangeNotificationW(
                name.as_ptr(),
                0,
                FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE,
            )
        };
        if handle == INVALID_HANDLE_VALUE || handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        debug!("watching {}", dir.display());
        let (tx, changes) = mpsc::unbounded_channel();
        let handle = handle as usize;
        std::thread::Builder::new()
            .name("unhunch-config-watch".into())
            .spawn(move || {
                let handle = handle as windows_sys::Win32::Foundation::HANDLE;
                // SAFETY: the change handle made above, used by this thread
                // alone and closed once when the watch ends.
                unsafe {
                    while WaitForSingleObject(handle, INFINITE) == 0 {
                        if tx.send(()).is_err() || FindNextChangeNotification(handle) == 0 {
                            break;
                        }
                    }
                    FindCloseChangeNotification(handle);
                }
            })?;
        Ok(FileWatch {
            changes,
            path: path.to_path_buf(),
            seen: Some(look(path)),
            any: false,
        })
    }

    /// Waits for the next change of the config file (made, written,
    /// replaced or removed). `Err` when the watch ended (the directory
    /// went away).
    pub async fn changed(&mut self) -> io::Result<()> {
        loop {
            if self.changes.recv().await.is_none() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "the config directory's watch ended",
                ));
            }
            if self.any {
                return Ok(());
            }
            let now = Some(look(&self.path));
            if self.any || now != self.seen {
                self.seen = now;
                return Ok(());
            }
        }
    }
}
