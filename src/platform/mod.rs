//! The ground floor: the operating system's helpers, one half per platform
//! chosen at compile time (DESIGN.md, Platforms): the wall-clock timer, the
//! file watch, signals, private directories and file facts, the editor and
//! the desktop's opener; on Linux the bus, on Windows the Win32 wrappers,
//! the registry and the desktop thread. It imports nothing else of ours.
//! The features (`notify`, `tray`, `presence`, `ipc`, `login`) pick their
//! own Linux or Windows half in their own `mod.rs`.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

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
