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

pub struct ConfigWatch {
    changes: mpsc::UnboundedReceiver<()>,
}

impl ConfigWatch {
    /// Watches `path`'s directory, which must exist.
    pub fn new(path: &Path) -> io::Result<ConfigWatch> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
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
        Ok(ConfigWatch { changes })
    }

    /// Waits for the next change in the directory. `Err` when the watch
    /// ended (the directory went away).
    pub async fn changed(&mut self) -> io::Result<()> {
        match self.changes.recv().await {
            Some(()) => Ok(()),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the config directory's watch ended",
            )),
        }
    }
}
