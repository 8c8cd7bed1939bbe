//! Start-up: everything the loop needs, built once, and the schedule
//! restored from the history.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, error, info, warn};

use super::reload::ConfigSource;
use super::{Daemon, Options, clock, lock};
use crate::config::{self, LoadError, Loaded, last_good};
use crate::core::{Config, Engine};
use crate::notify::Notifier;
use crate::notify::{self, Request};
use crate::paths::Paths;
use crate::platform::{Signal, Signals, WallTimer};
use crate::presence::{Change, IdleSource};
use crate::store::{Opened, Store, StoreHandle};
use crate::tray::Tray;
use crate::vocab::reply::Fallback;
use crate::vocab::{Command, CommandError};
use crate::wait::Backoff;

/// How much history a start replays: enough for every reminder's last
/// answer and the fixed times of the last day.
const REPLAY: SignedDuration = SignedDuration::from_hours(48);

const ICON_PNG: &[u8] = include_bytes!("../../packaging/icons/hicolor/128x128/apps/unhunch.png");

/// What the loop waits on.
pub(super) struct Sources {
    pub commands: mpsc::UnboundedReceiver<Command>,
    pub presence: mpsc::UnboundedReceiver<Change>,
    /// Notices from the store thread (a history file made again).
    pub notices: mpsc::UnboundedReceiver<String>,
    pub config: ConfigSource,
    /// The calendars of `[calendar]`, read again when they change.
    pub calendars: super::calendars::CalendarSource,
    pub timer: WallTimer,
    /// The time zone's file: a change wakes the loop.
    pub zone: super::zone::ZoneWatch,
    /// The idle-time source, asked at the loop's wakes.
    pub idle: Option<Box<dyn IdleSource>>,
    pub signals: Signals,
    /// What the sync folder's watcher reads.
    pub sync: Option<mpsc::UnboundedReceiver<crate::sync::Incoming>>,
    pub notifier: JoinHandle<()>,
    /// Held for the life of the daemon.
    pub _lock: lock::InstanceLock,
}

/// Everything built; `None` when stopped (SIGTERM) before it could be.
pub(super) async fn start(opts: Options) -> anyhow::Result<Option<(Daemon, Sources)>> {
    let paths = opts.paths;
    crate::paths::make_private_dir(&paths.runtime_dir)?;
    let clock = clock::from_env()?;
    if clock.is_shifted() {
        warn!(
            "test clock: the daemon's clock runs {} off the system's",
            crate::core::time::humane(clock.offset())
        );
    }
    // The icons go beside the history; the history itself (and the
    // instance lock) may have to wait for the directory (open_history).
    let _ = std::fs::create_dir_all(&paths.data_dir);
    // Another daemon of this history is the one reason to stop at once, and
    // is said as such before anything else is touched (its socket among
    // them). A lock that cannot be taken for another reason is waited for.
    let lock = match lock::acquire(&paths.data_dir) {
        Ok(l) => Some(l),
        Err(e @ lock::LockError::Running { .. }) => return Err(e.into()),
        Err(e) => {
            debug!("the instance lock waits for the data directory: {e}");
            None
        }
    };
    let icon = write_icon(&paths.data_dir);
    let (config, embedded, config_problem) = first_config(&paths)?;
    let mut signals = Signals::new()?;

    // The notifier and the socket first: while the history cannot be
    // opened, the person is told, and `status` says why.
    let (commands_tx, mut commands) = mpsc::unbounded_channel();
    let (notify_tx, notify_rx) = mpsc::unbounded_channel();
    let (reach_tx, reach) = tokio::sync::watch::channel(notify::Reach::default());
    let notifier = Notifier::new(
        notify::Settings {
            timeout: config.general.notification_timeout,
            icon,
            kind_icons: write_kind_icons(&paths.data_dir),
            ids_file: Some(paths.runtime_dir.join("notifications.json")),
            reach: reach_tx,
        },
        commands_tx.clone(),
    );
    let notifier = tokio::spawn(notifier.run(notify_rx));
    let listener = crate::ipc::bind(&paths.runtime_dir).with_context(|| {
        format!(
            "cannot create the control socket in {}",
            paths.runtime_dir.display()
        )
    })?;
    tokio::spawn(crate::ipc::serve(
        listener,
        paths.runtime_dir.clone(),
        commands_tx.clone(),
    ));
    let Some((lock, store, opened)) = open_history(
        lock,
        &paths.data_dir,
        &mut commands,
        &notify_tx,
        &mut signals,
    )
    .await?
    else {
        return Ok(None);
    };

    info!("history: {}", store.path().display());
    let now = clock.now();
    let today = store.day_counts(now.date())?;
    let today_ids = store.uids_on(now.date())?;
    let mut engine = Engine::new(config, now.timestamp());
    let history = store.events_since_local(
        now.timestamp()
            .checked_sub(REPLAY)
            .unwrap_or(now.timestamp()),
    )?;
    // Rows up to a day ahead (the clock was set back: a wrong clock at
    // boot, an NTP step) are replayed: the history is the memory, so what
    // they record as shown, missed or answered is not shown again, and the
    // engine pulls their instants back to now. Rows further ahead stay in
    // the history but are not replayed: a showing "since next year" is not
    // showing now, nor does it hold a year of occurrences back.
    let ahead = now
        .timestamp()
        .checked_add(crate::core::engine::MISSED_LOOKBACK)
        .unwrap_or(jiff::Timestamp::MAX);
    let late = history
        .iter()
        .filter(|(e, _)| e.at > now.timestamp())
        .count();
    let (history, future): (Vec<_>, Vec<_>) = history.into_iter().partition(|(e, _)| e.at <= ahead);
    if late > future.len() {
        warn!(
            "{late} history rows are later than now: was the clock set back? The {} up to a day ahead are replayed, so what they record stays done",
            late - future.len()
        );
    } else if late > 0 {
        warn!("{late} history rows are later than now: was the clock set back?");
    }
    if let Some((last, _)) = future.last() {
        warn!(
            "{} history rows are more than a day ahead (the last at {}): kept, not replayed",
            future.len(),
            last.at
        );
    }
    debug!("replaying {} events", history.len());
    engine.restore_local(history.iter().map(|(e, off)| (e, *off)));
    engine.set_pause(store.pause()?);
    let closed = store.close_open_holds()?;
    if closed > 0 {
        info!("history: {closed} hold(s) left open by the last run closed");
    }
    if let Some(p) = engine.pause() {
        info!(
            "paused {}",
            p.until
                .map_or("until resumed".to_string(), |u| format!("until {u}"))
        );
    }
    if engine.config().general.away_after.is_zero() {
        info!("away_after = 0s: a locked screen, idle time or sleep do not count as away");
    }
    let (link, sync) = match engine.config().sync.clone() {
        Some(s) => {
            let (link, rx) = super::sync::SyncLink::start(*s, &history, &now);
            (Some(link), Some(rx))
        }
        None => (None, None),
    };
    let (presence, idle) = crate::presence::start().await;
    let (notices_tx, notices) = mpsc::unbounded_channel();
    let store = StoreHandle::spawn(store, notices_tx)?;

    let mut d = Daemon {
        engine,
        clock,
        store,
        notify: notify_tx,
        tray: None,
        config_path: paths.config.clone(),
        data_dir: paths.data_dir.clone(),
        config_problem: None,
        embedded,
        started: now.timestamp(),
        reach,
        today,
        presence: super::presence::Presence::default(),
        has_idle_source: idle.is_some(),
        writing: None,
        queue: Default::default(),
        new_config: None,
        presence_dirty: false,
        hold_marks: Vec::new(),
        sleep_acks: Vec::new(),
        retry: Default::default(),
        calendars: Default::default(),
        stuck: false,
        stopping: false,
        sync: link,
        remote: Default::default(),
        seen_elsewhere: Vec::new(),
        sync_changed: None,
        today_ids,
    };
    if opts.tray {
        match Tray::spawn(d.tray_state(&now), commands_tx).await {
            Ok(t) => d.tray = Some(t),
            Err(e) => warn!("no tray icon: {e}; notifications and `unhunch` commands still work"),
        }
    } else {
        info!("--no-tray: running without an icon");
    }
    if let Opened::Recovered { moved_to, reason } = opened {
        let msg = format!(
            "The history database was damaged ({reason}) and was moved to {}. A new one was started.",
            moved_to.display()
        );
        warn!("{msg}");
        d.alert("unhunch: history database replaced", &msg);
    }
    if let Some((e, running, kept)) = config_problem {
        d.config_failed(&e, Some((running, kept)));
    }
    d.notify(Request::Routines(d.engine.config().routines.clone()));
    // Put up again what was showing: in place of the last run's
    // notifications if they are still there.
    d.notify(Request::Restore(d.engine.showing()));
    let sources = Sources {
        commands,
        presence,
        notices,
        config: ConfigSource::new(&paths),
        calendars: super::calendars::CalendarSource::new(),
        timer: WallTimer::new(),
        zone: super::zone::ZoneWatch::new(),
        idle,
        signals,
        sync,
        notifier,
        _lock: lock,
    };
    // In use here from now, for the other devices (the presence sources
    // say soon if the screen is locked or idle).
    d.share_presence(None, &now);
    Ok(Some((d, sources)))
}

/// Takes the instance lock beside the history and opens the history,
/// trying again with back-off (1 s to 60 s) while either cannot be (a
/// read-only or full disk, a locked file, nothing there): never an exit
/// that a service manager would turn into a restart loop. Meanwhile the
/// person is told once, and commands are answered with the reason. Another
/// daemon holding the lock is the one exit: two never share a history.
/// `None`: stopped by a signal.
async fn open_history(
    mut lock: Option<lock::InstanceLock>,
    data_dir: &Path,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    notify: &mpsc::UnboundedSender<Request>,
    signals: &mut Signals,
) -> anyhow::Result<Option<(lock::InstanceLock, Store, Opened)>> {
    let mut delay = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut told = false;
    loop {
        let dir = data_dir.to_path_buf();
        let held = lock.take();
        let attempt = tokio::task::spawn_blocking(
            move || -> Result<_, (Option<lock::InstanceLock>, anyhow::Error)> {
                let lock = match held {
                    Some(l) => l,
                    None => lock::acquire(&dir).map_err(|e| (None, e.into()))?,
                };
                match Store::open_in(&dir) {
                    Ok((store, opened)) => Ok((lock, store, opened)),
                    // The lock stays held while the history waits.
                    Err(e) => Err((Some(lock), e.into())),
                }
            },
        )
        .await?;
        let e = match attempt {
            Ok(opened) => {
                if told {
                    info!("the history can be opened now");
                }
                return Ok(Some(opened));
            }
            Err((_, e)) if matches!(e.downcast_ref(), Some(lock::LockError::Running { .. })) => {
                return Err(e);
            }
            Err((held, e)) => {
                lock = held;
                e
            }
        };
        warn!(
            "the history cannot be opened ({e}): trying again in {} s",
            delay.wait().as_secs()
        );
        if !told {
            let _ = notify.send(Request::Alert {
                summary: "unhunch: history not available".into(),
                body: format!("{e}\nReminders start once it can be opened; unhunch tries again."),
            });
            told = true;
        }
        let again = tokio::time::Instant::now() + delay.next_wait();
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(again) => break,
                Some(c) = commands.recv() => c.answer(Err(CommandError::Starting(format!("{e:#}")))),
                s = signals.next() => if let Signal::Stop(name) = s {
                    info!("{name}: stopping");
                    return Ok(None);
                },
            }
        }
    }
}

/// The config to start on, whether it is the embedded default; with a file that cannot be used, why, what runs
/// instead, and when that was kept. `--config` naming nothing is an error.
#[allow(clippy::type_complexity)]
fn first_config(
    paths: &Paths,
) -> anyhow::Result<(
    Config,
    bool,
    Option<(LoadError, Fallback, Option<Timestamp>)>,
)> {
    match last_good::load_keeping(&paths.config, paths.config_given, &paths.data_dir) {
        Ok(loaded) => {
            log_loaded(&loaded, &paths.config);
            Ok((loaded.config, loaded.path.is_none(), None))
        }
        Err(e) if e.is_missing() => Err(e.into()),
        Err(e) => {
            error!("{e}");
            Ok(match last_good::load(&paths.data_dir) {
                Some((kept, at)) => {
                    warn!(
                        "running the last good config, {} ({} reminders), until the file is fixed",
                        last_good::path(&paths.data_dir).display(),
                        kept.config.reminders.len()
                    );
                    (kept.config, false, Some((e, Fallback::LastGood, at)))
                }
                None => {
                    error!(
                        "no reminders until the config is fixed (no valid one was ever run); it is read again when it changes"
                    );
                    (empty_config(), false, Some((e, Fallback::Nothing, None)))
                }
            })
        }
    }
}

fn log_loaded(loaded: &Loaded, path: &Path) {
    for w in &loaded.warnings {
        warn!("{w}");
    }
    let n = loaded.config.reminders.len();
    match &loaded.path {
        Some(p) => info!("config {}: {n} reminders", p.display()),
        None => info!(
            "no config at {}: running the embedded default ({n} reminders); `unhunch config init` writes it out",
            path.display()
        ),
    }
}

/// A configuration with no reminders: what runs while the file is invalid.
fn empty_config() -> Config {
    match config::parse("", "empty") {
        Ok((c, _)) => c,
        Err(_) => unreachable!("an empty config is valid"),
    }
}

/// The icon as a file, for notification servers that take a path. Beside
/// the history, which (unlike the runtime directory) stays.
fn write_icon(data_dir: &Path) -> Option<PathBuf> {
    let path = data_dir.join("unhunch.png");
    match std::fs::write(&path, ICON_PNG) {
        Ok(()) => Some(path),
        Err(e) => {
            debug!("icon not written to {}: {e}", path.display());
            None
        }
    }
}

/// Each kind's icon as a file, for notification servers (which take a
/// path): `icons/<kind>.png` in the data directory. `None` if they cannot
/// be written (the app icon stands in).
fn write_kind_icons(data_dir: &Path) -> Option<PathBuf> {
    let dir = data_dir.join("icons");
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        crate::core::Kind::ALL.iter().try_for_each(|k| {
            let path = dir.join(format!("{}.png", k.as_str()));
            let png = crate::vocab::labels::kind_icon(*k);
            // Written only when different: a start costs no writes.
            if std::fs::read(&path).is_ok_and(|old| old == png) {
                Ok(())
            } else {
                std::fs::write(&path, png)
            }
        })
    });
    match written {
        Ok(()) => Some(dir),
        Err(e) => {
            debug!("kind icons not written to {}: {e}", dir.display());
            None
        }
    }
}
