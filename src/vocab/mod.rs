//! The words the adapters share, and nothing else: the one command every
//! source sends the daemon and its typed reply (`command`, `reply`), and
//! what every front shows of a reminder (`labels`: icons, the Snooze label,
//! button keys). The notifiers, the tray, the control socket and the CLI
//! import these, never each other.

pub mod command;
pub mod labels;
pub mod reply;

pub use command::{Command, CommandError, PauseEnd, What};
pub use reply::Reply;
