//! What differs between platforms, chosen at compile time (DESIGN.md,
//! Platforms): the daemon with its desktop parts (timer, notifier, tray,
//! presence), the control transport, start at login, `doctor`, and the few
//! file-system checks the shared code needs. The core, the config, the
//! store and the CLI are the same everywhere and call only what is here.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

/// How the daemon is to run (`unhunch run`).
pub struct DaemonOptions {
    pub paths: crate::paths::Paths,
    /// Show a tray icon (when the desktop has a tray).
    pub tray: bool,
}

/// Why the wall-clock timer returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    Due,
    /// The wall clock was set, the machine woke, or a fallback chunk
    /// passed: look again.
    ClockChanged,
}

/// What the daemon is told from outside, besides its commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Stop (SIGTERM, SIGINT; Ctrl+C, log-off, shut-down): its name.
    Stop(&'static str),
    /// Read the config again (SIGHUP).
    Reload,
    /// The test clock was moved (SIGUSR1): look again.
    ClockMoved,
}
