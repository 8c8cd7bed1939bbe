//! Start at login (`unhunch service install|uninstall|status`): on Linux a
//! systemd user unit or an XDG autostart entry, on Windows the user's Run
//! key. Each platform's half is chosen here; the CLI names only `run`.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub(crate) use linux::{LoginStart, run, start_service};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::{RUN_KEY, VALUE, entry, run, start_service};

/// What `unhunch service` is asked to do.
#[derive(Debug, Clone, Copy, clap::Subcommand)]
pub enum Action {
    /// Start unhunch at login (systemd user unit, or XDG autostart).
    Install,
    /// Undo `install` (only files it wrote are removed).
    Uninstall,
    /// How unhunch starts at login, and whether it runs now.
    Status,
}
