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
