//! The one command type. The tray, the notifications and the control socket
//! each turn what happened into a [`Command`]; the daemon handles every
//! command in one function, so an answer takes the same path (and the same
//! write-ahead rule) wherever it was given.

use tokio::sync::oneshot;
use tokio::time::Instant;

use jiff::SignedDuration;
use jiff::civil::Time;

use super::reply::Reply;
use crate::core::{Answer, EngineError, Source};

/// When a pause ends.
#[derive(Debug, Clone, PartialEq)]
pub enum PauseEnd {
    For(SignedDuration),
    /// The next time the clock shows this (today, or tomorrow if past).
    At(Time),
    /// The start of work hours on the next work day.
    Tomorrow,
    /// Until `resume`.
    Never,
}

/// What a command asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Status,
    /// `id: None` answers the one reminder showing.
    Answer {
        id: Option<String>,
        answer: Answer,
    },
    Trigger {
        id: String,
    },
    /// A break taken on one's own (`unhunch took stand`).
    Took {
        id: String,
    },
    /// A meeting by hand begins: for this long, or until it is ended.
    MeetingStart(Option<SignedDuration>),
    /// The meeting by hand ends.
    MeetingEnd,
    /// A guided routine of reminder `id` ended: done, skipped or dismissed.
    Guided {
        id: String,
        answer: Answer,
        progress: crate::core::routine::Progress,
    },
    Pause(PauseEnd),
    Resume,
    /// Stop the daemon (the tray's Quit, `unhunch stop`).
    Stop,
    // Not on the wire: the tray's own.
    /// Open the config in the desktop's editor (the tray's "Edit schedule…").
    EditConfig,
    /// Write the report and open it (the tray's "Your weeks…").
    OpenReport,
    /// Run reminder `id`'s routine in its notification (the tray's Start):
    /// shown first if it is not showing.
    Start {
        id: String,
    },
}

impl What {
    /// Reads only: answered from the state as it is, even while a write
    /// is under way.
    pub fn reads_only(&self) -> bool {
        matches!(self, What::Status)
    }
}

/// Why a command was refused.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The history could not be written (the store's words).
    #[error("{0}")]
    NotWritten(String),
    #[error("that time is out of range: {0}")]
    Time(#[from] jiff::Error),
    #[error("the daemon is stopping")]
    Stopping,
    #[error("unhunch is starting, but the history cannot be opened: {0}; it tries again")]
    Starting(String),
    #[error("not carried out: the daemon was busy writing the history for too long; try again")]
    TooLate,
}

pub type Replied = Result<Reply, CommandError>;

pub struct Command {
    pub what: What,
    pub source: Source,
    /// Where the answer goes; `None` when nobody waits for one (a click).
    pub reply: Option<oneshot::Sender<Replied>>,
    /// Not to be begun after this: whoever asked will have given up.
    pub deadline: Option<Instant>,
}

impl Command {
    /// A command whose giver does not wait for the answer.
    pub fn new(what: What, source: Source) -> Command {
        Command {
            what,
            source,
            reply: None,
            deadline: None,
        }
    }

    /// A command and the receiver of its answer.
    pub fn asking(what: What, source: Source) -> (Command, oneshot::Receiver<Replied>) {
        let (tx, rx) = oneshot::channel();
        (
            Command {
                what,
                source,
                reply: Some(tx),
                deadline: None,
            },
            rx,
        )
    }

    /// Whoever asked has gone, or will have given up: not to be carried out.
    pub fn too_late(&self) -> bool {
        self.reply.as_ref().is_some_and(|r| r.is_closed())
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Sends the answer to whoever waits for it.
    pub fn answer(self, result: Replied) {
        if let Some(r) = self.reply {
            let _ = r.send(result);
        }
    }
}
