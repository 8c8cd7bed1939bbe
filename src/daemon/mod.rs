//! The composition root. It wires the clock, the config, the store, the
//! notifications, the tray and the socket around the pure engine, in short
//! pieces:
//!
//! - [`start`]: builds everything and restores the schedule from history;
//! - [`run`]: the loop, one `select!` over every source, which never waits
//!   on a slow thing (files, SQLite, D-Bus run elsewhere or with a bound);
//! - [`command`]: the one handler of every [`Command`](crate::vocab::Command),
//!   from the tray, a notification or the socket;
//! - [`write`]: write-ahead: the engine decides, the store writes, and only
//!   then does the engine's state change and the notification come down;
//! - [`view`]: what `status` and the tray show;
//! - [`reload`], [`presence`]: the config file and the presence sources.
//!
//! ```text
//! now = clock.now(); step = engine.begin().tick(now); write step; commit;
//! sleep until engine.next_wake(now) by the wall clock, or until a message.
//! ```
//!
//! Every wake (the due time, a resume from suspend, a clock change, an
//! answer) takes the same path, and nothing wakes while nothing is due.

use crate::clock;
mod calendars;
mod command;
pub mod lock;
mod presence;
mod reload;
mod run;
mod start;
mod sync;
mod view;
mod write;
mod zone;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::{mpsc, oneshot};

use crate::core::Engine;
use crate::core::stats::Today;
use crate::notify;
use crate::store::StoreHandle;
use crate::tray::Tray;
use crate::vocab::Command;

/// How the daemon is to run (`unhunch run`).
pub struct Options {
    pub paths: crate::paths::Paths,
    /// Show a tray icon (when the desktop has a tray).
    pub tray: bool,
}

/// Runs the daemon in the foreground until it is stopped.
pub fn run(opts: Options) -> anyhow::Result<ExitCode> {
    crate::platform::prepare_daemon(&opts.paths.data_dir);
    // One thread: the daemon is idle almost always, and a reminder needs no
    // parallelism. SQLite has its own thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match start::start(opts).await? {
            Some((daemon, sources)) => Ok(run::run(daemon, sources).await),
            None => {
                tracing::info!("stopped before the history could be opened");
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// The daemon's state and where its output goes.
struct Daemon {
    engine: Engine,
    clock: clock::SystemClock,
    store: StoreHandle,
    notify: mpsc::UnboundedSender<notify::Request>,
    tray: Option<Tray>,
    config_path: PathBuf,
    /// Where the history is (the report is written beside it).
    data_dir: PathBuf,
    /// The config file cannot be used (shown once, and in status and the
    /// tray until it can).
    config_problem: Option<reload::ConfigProblem>,
    /// No config file: the embedded default runs.
    embedded: bool,
    /// When this daemon started: the earliest away can begin.
    started: jiff::Timestamp,
    /// Whether reminders reach the screen (the notifier says).
    reach: tokio::sync::watch::Receiver<notify::Reach>,
    /// "Today: 5 of 7 done".
    today: Today,
    /// What the presence sources said.
    presence: presence::Presence,
    /// Whether an idle-time source is in use (then the desktop's own idle
    /// hint is not needed).
    has_idle_source: bool,
    /// The write under way; while there is one, nothing else changes the
    /// engine, and what comes in waits below.
    writing: Option<write::Writing>,
    /// Commands that came in while a write was under way.
    queue: VecDeque<Command>,
    /// A valid config read from the file, to swap in.
    new_config: Option<crate::core::Config>,
    /// The presence facts changed: tell the engine.
    presence_dirty: bool,
    /// Holds that began or ended, for the next decision to write.
    hold_marks: Vec<crate::store::HoldMark>,
    /// logind waits for these before the machine sleeps: sent once the
    /// engine knows the person is away.
    sleep_acks: Vec<oneshot::Sender<()>>,
    /// Schedule writes that failed are tried again after a back-off.
    retry: write::Retry,
    /// The calendars read: their files, problems, busy times for the engine.
    calendars: calendars::Known,
    /// The last wake asked for was already past (see `run::next_wake`).
    stuck: bool,
    /// `[sync]`, when on.
    sync: Option<sync::SyncLink>,
    /// Other devices' events read from the folder, to decide on.
    remote: VecDeque<crate::core::Remote>,
    /// Other devices' presence read from the folder, to tell the engine.
    seen_elsewhere: Vec<crate::core::Seen>,
    /// Other devices' events in `today` (a folder read again repeats them).
    today_ids: std::collections::HashSet<String>,
    /// `[sync]` changed in a reload: the folder to use now (`None`: off).
    sync_changed: Option<Option<Box<crate::core::model::Sync>>>,
    stopping: bool,
}

impl Daemon {
    fn notify(&self, r: notify::Request) {
        // The notifier only stops with the daemon.
        let _ = self.notify.send(r);
    }

    fn alert(&self, summary: &str, body: &str) {
        self.notify(notify::Request::Alert {
            summary: summary.into(),
            body: body.into(),
        });
    }
}
