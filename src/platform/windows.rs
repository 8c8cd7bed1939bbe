//! Windows: the desktop thread with a hidden window for what Windows
//! broadcasts, and the user's security (`win32`), the registry, the
//! wall-clock timer, the file watch, the console, signals, and file-system
//! facts.

pub mod registry;
mod timer;
mod watch;
pub mod win32;

use std::fs::{File, FileType};
use std::path::Path;

pub use timer::WallTimer;
pub use watch::FileWatch;

/// Readies this process to run as the daemon. Started by the Run key at
/// login, it has a console of its own (nobody reads it): it lets it go,
/// and logs to `daemon.log` in `data_dir` instead.
pub fn prepare_daemon(data_dir: &Path) {
    detach_console(data_dir);
}

/// When this process is alone on a console made for it (a start from the
/// Run key or a double click), sends its log to a file and frees the
/// console, whose window then goes. A console shared with a shell stays.
fn detach_console(data_dir: &Path) {
    use std::io::IsTerminal;
    use std::os::windows::io::IntoRawHandle;
    use windows_sys::Win32::System::Console::{
        FreeConsole, GetConsoleProcessList, STD_ERROR_HANDLE, SetStdHandle,
    };
    let mut pids = [0u32; 4];
    // SAFETY: a buffer of the length given.
    let on_console = unsafe { GetConsoleProcessList(pids.as_mut_ptr(), pids.len() as u32) };
    if on_console != 1 || !std::io::stderr().is_terminal() {
        return;
    }
    let _ = std::fs::create_dir_all(data_dir);
    let log = data_dir.join("daemon.log");
    match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
    {
        Ok(f) => {
            // SAFETY: the handle is ours and stays open for the process's
            // life as its standard error; the console goes after.
            unsafe {
                SetStdHandle(STD_ERROR_HANDLE, f.into_raw_handle());
                FreeConsole();
            }
        }
        Err(e) => tracing::warn!("cannot log to {} ({e}): the console stays", log.display()),
    }
}

/// The signals the daemon heeds: Ctrl+C, Ctrl+Break, the console closed,
/// log-off and shut-down all stop it.
pub struct Signals {
    c: tokio::signal::windows::CtrlC,
    brk: tokio::signal::windows::CtrlBreak,
    close: tokio::signal::windows::CtrlClose,
    shutdown: tokio::signal::windows::CtrlShutdown,
    logoff: tokio::signal::windows::CtrlLogoff,
}

impl Signals {
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close, ctrl_logoff, ctrl_shutdown};
        Ok(Signals {
            c: ctrl_c()?,
            brk: ctrl_break()?,
            close: ctrl_close()?,
            shutdown: ctrl_shutdown()?,
            logoff: ctrl_logoff()?,
        })
    }

    /// The next one. Cancel-safe.
    pub async fn next(&mut self) -> super::Signal {
        use super::Signal::Stop;
        tokio::select! {
            _ = self.c.recv() => Stop("Ctrl+C"),
            _ = self.brk.recv() => Stop("Ctrl+Break"),
            _ = self.close.recv() => Stop("the console closed"),
            _ = self.shutdown.recv() => Stop("shut-down"),
            _ = self.logoff.recv() => Stop("log-off"),
        }
    }
}

/// Opens the schedule for the tray's "Edit schedule…": in the editor
/// (`%VISUAL%`, `%EDITOR%`, else Notepad), since a .toml file often has no
/// application of its own on Windows.
pub fn open_with_desktop(path: &Path) -> (String, std::process::Command) {
    let chosen = chosen_editor();
    (chosen.clone(), editor(&chosen, path))
}

/// The editor a person chose (`%VISUAL%`, then `%EDITOR%`), else Notepad.
pub fn chosen_editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "notepad".to_string())
}

/// Makes `cmd` start a process with no console, in a process group of its
/// own (a Ctrl+C in this console does not reach it): a daemon started by
/// `unhunch start`.
pub fn detach(cmd: &mut std::process::Command) {
    use std::os::windows::process::CommandExt;
    use windows_sys::Win32::System::Threading::{CREATE_NEW_PROCESS_GROUP, DETACHED_PROCESS};
    cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
}

/// Opens a page with the application Windows has for it (the report, in
/// the browser): `start` through cmd.exe, the path quoted as cmd reads it.
pub fn open_page(path: &Path) -> (&'static str, std::process::Command) {
    use std::os::windows::process::CommandExt;
    let mut c = std::process::Command::new("cmd");
    c.arg("/C")
        .raw_arg(format!("start \"\" \"{}\"", path.display()));
    ("start", c)
}

/// `editor` (a command line, as in `%EDITOR%`) on `file`, through cmd.exe so
/// that EDITOR="code --wait" works; the line is passed as written (cmd's
/// own quoting, not the C runtime's).
pub fn editor(editor: &str, file: &Path) -> std::process::Command {
    use std::os::windows::process::CommandExt;
    let mut c = std::process::Command::new("cmd");
    c.arg("/C")
        .raw_arg(format!("\"{editor} \"{}\"\"", file.display()));
    c
}

/// Opening a file to read never blocks on Windows.
pub fn open_to_read(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

pub fn file_kind(t: FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// This user, for names in shared places (the pipe's name).
pub fn user_tag() -> String {
    std::env::var("USERNAME")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "user".into())
        .replace('\\', "_")
}

/// A directory under the user's profile is closed to others by its
/// inherited ACL.
pub fn private_dir_status(_meta: &std::fs::Metadata) -> Result<(), (Option<u32>, u32)> {
    Ok(())
}

pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

pub fn close_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// (volume serial, file index) of the file at `path`: to notice it being
/// removed or replaced under a process that has it open (the history).
pub fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        BY_HANDLE_FILE_INFORMATION, GetFileInformationByHandle,
    };
    let f = File::open(path).ok()?;
    // SAFETY: all-zero is a valid value of this plain struct.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: an open handle and an out-pointer to the struct.
    if unsafe { GetFileInformationByHandle(f.as_raw_handle(), &mut info) } == 0 {
        return None;
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    Some((u64::from(info.dwVolumeSerialNumber), index))
}

/// Windows commits a thread's stack as it grows and keeps it: nothing to
/// give back here.
pub fn release_unused_stack() {}

/// The Windows heap decommits what is freed by itself: nothing to do.
pub fn release_unused_heap() {}

/// Lets a short-lived command end quietly, with status 0, when its reader
/// goes away (`unhunch.exe status | more` quit early). Windows has no
/// SIGPIPE: a closed pipe is a write error (ERROR_NO_DATA, 232,
/// ERROR_BROKEN_PIPE, 109, or, under wine, ERROR_PIPE_NOT_CONNECTED, 233),
/// which `println!` turns into a panic and a backtrace; that one panic ends
/// the process quietly instead.
/// This computer's name (`COMPUTERNAME`), if it has one.
pub fn host_name() -> Option<String> {
    std::env::var("COMPUTERNAME")
        .ok()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

pub fn default_sigpipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        let closed = ["os error 232)", "os error 109)", "os error 233)"]
            .iter()
            .any(|code| msg.contains(code));
        if msg.starts_with("failed printing to std") && closed {
            std::process::exit(0);
        }
        default(info);
    }));
}
