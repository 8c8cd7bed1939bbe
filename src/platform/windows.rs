//! Windows. So far the commands that need no daemon (config, including
//! `config edit`, plan, stats, history, completions) run here; the daemon's parts (tray-icon, toasts,
//! the named pipe, presence, the Run key) are still to come (issue 17), and
//! the commands that need them say so.

use std::fs::{File, FileType};
use std::path::Path;
use std::process::ExitCode;

use serde::de::DeserializeOwned;

use crate::ipc::ClientError;
use crate::ipc::protocol::Request;

pub use crate::cli::ServiceCommand;

const NOT_YET: &str = "the unhunch daemon does not run on Windows yet: `config`, `plan`, `stats` and `history` work here";

pub fn run_daemon(_options: super::DaemonOptions) -> anyhow::Result<ExitCode> {
    anyhow::bail!("{NOT_YET}")
}

pub fn doctor(_paths: &crate::paths::Paths) -> anyhow::Result<ExitCode> {
    anyhow::bail!("{NOT_YET}")
}

pub fn service(_cmd: ServiceCommand, _runtime_dir: std::path::PathBuf) -> anyhow::Result<ExitCode> {
    anyhow::bail!("{NOT_YET}")
}

/// The control transport: none yet (a per-user named pipe is to come).
pub fn request<T: DeserializeOwned>(_runtime_dir: &Path, _req: &Request) -> Result<T, ClientError> {
    Err(ClientError::Unavailable(NOT_YET))
}

/// The editor when neither `%VISUAL%` nor `%EDITOR%` names one.
pub const DEFAULT_EDITOR: &str = "notepad";

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

/// This user, for names in shared places.
pub fn user_tag() -> String {
    std::env::var("USERNAME").unwrap_or_else(|_| "user".into())
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

/// No stable file identity without opening the file: the history's
/// "replaced under us" check is the daemon's, which is not here yet.
pub fn file_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Windows has no SIGPIPE: a closed reader is an ordinary write error.
pub fn default_sigpipe() {}
