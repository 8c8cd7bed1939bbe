//! The composition root: wires the clock, the config, the store and the
//! notifications around the pure engine, and runs the loop
//!
//! ```text
//! now = clock.now(); effects = engine.tick(now); carry them out;
//! sleep until engine.next_wake(now) by the wall clock, or until a message.
//! ```
//!
//! Every wake — the due time, a resume from suspend, a clock change, an
//! answer — takes the same path, and nothing wakes while nothing is due.

pub mod clock;
pub mod lock;
mod presence;
mod store_thread;
pub mod timer;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use jiff::{SignedDuration, ZonedDateTime};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tracing::{debug, error, info, warn};

use crate::config::{self, LoadError, watch::ConfigWatch};
use crate::core::{Answer, Config, Effect, Engine, Event, Input, Outcome, Phase, Source};
use crate::ipc::{
    self,
    protocol::{PauseEnd, Request as Control},
    server::Incoming,
};
use crate::notify::{self, Notifier, Report, Request};
use crate::store::{Opened, Store};
use crate::tray::{self, Tray, TrayState};
use clock::Clock;
use serde_json::{Value, json};
use store_thread::StoreHandle;
use timer::{Wake, WallTimer};

/// How much history a start replays: enough for every reminder's last
/// answer and the fixed times of the last day.
const REPLAY: SignedDuration = SignedDuration::from_hours(48);

/// How long edits must settle before the config is read again.
const DEBOUNCE: Duration = Duration::from_millis(200);

const ICON_PNG: &[u8] = include_bytes!("../../packaging/icons/hicolor/128x128/apps/unhunch.png");

pub struct Options {
    pub config_path: PathBuf,
    pub data_dir: PathBuf,
    pub runtime_dir: PathBuf,
    /// Show a tray icon (when the desktop has a tray).
    pub tray: bool,
}

pub fn run(opts: Options) -> anyhow::Result<ExitCode> {
    // One thread: the daemon is idle almost always, and a reminder needs no
    // parallelism. SQLite has its own thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run_async(opts))
}

async fn run_async(opts: Options) -> anyhow::Result<ExitCode> {
    let _lock = lock::acquire(&opts.runtime_dir)?;
    let clock = clock::from_env()?;
    if !clock.offset().is_zero() || clock.file.is_some() {
        warn!(
            "test clock: the daemon's clock runs {:#} off the system's",
            clock.offset()
        );
    }
    let icon = write_icon(&opts.runtime_dir);

    let (config, config_error) = match config::load_or_default(&opts.config_path) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                warn!("{w}");
            }
            match &loaded.path {
                Some(p) => info!(
                    "config {}: {} reminders",
                    p.display(),
                    loaded.config.reminders.len()
                ),
                None => info!(
                    "no config at {}: running the embedded default ({} reminders); `unhunch config init` writes it out",
                    opts.config_path.display(),
                    loaded.config.reminders.len()
                ),
            }
            (loaded.config, None)
        }
        Err(e) => {
            error!("{e}");
            error!("no reminders until the config is fixed; it is read again when it changes");
            (empty_config(), Some(e))
        }
    };

    let (store, opened) = Store::open_in(&opts.data_dir)?;
    info!("history: {}", store.path().display());
    let now = clock.now();
    let (done, total) = store.day_counts(now.date())?;
    let mut engine = Engine::new(config, now.timestamp());
    let history = store.events_since(
        now.timestamp()
            .checked_sub(REPLAY)
            .unwrap_or(now.timestamp()),
    )?;
    debug!("replaying {} events", history.len());
    engine.restore(&history);
    engine.set_pause(store.pause()?);
    if let Some(p) = engine.pause() {
        info!(
            "paused {}",
            p.until
                .map_or("until resumed".to_string(), |u| format!("until {u}"))
        );
    }
    let (mut presence, idle_source) = start_presence().await;
    if engine.config().general.away_after.is_zero() {
        info!("away_after = 0s: a locked screen, idle time or sleep do not count as away");
    }
    let (notices_tx, mut notices) = mpsc::unbounded_channel::<String>();
    let store = StoreHandle::spawn(store, notices_tx)?;

    let (reports_tx, mut reports) = mpsc::unbounded_channel();
    let (notify_tx, notify_rx) = mpsc::unbounded_channel();
    let notifier = Notifier::new(
        notify::Settings {
            timeout: engine.config().general.notification_timeout,
            icon,
        },
        reports_tx,
    );
    let notifier_task = tokio::spawn(notifier.run(notify_rx));
    let listener = ipc::server::bind(&opts.runtime_dir).with_context(|| {
        format!(
            "cannot create the control socket in {}",
            opts.runtime_dir.display()
        )
    })?;
    let (control_tx, mut control) = mpsc::channel::<Incoming>(64);
    tokio::spawn(ipc::server::serve(listener, control_tx));

    let (tray_tx, mut tray_actions) = mpsc::unbounded_channel();
    let mut d = Daemon {
        engine,
        clock: Box::new(clock),
        store,
        notify: notify_tx,
        config_path: opts.config_path,
        last_error: None,
        today: (now.date(), done, total),
        presence: presence::Presence::default(),
        has_idle_source: idle_source.is_some(),
    };
    let mut tray = if opts.tray {
        match Tray::spawn(d.tray_state(&now), tray_tx).await {
            Ok(t) => Some(t),
            Err(e) => {
                warn!("no tray icon: {e}; notifications and `unhunch` commands still work");
                None
            }
        }
    } else {
        info!("--no-tray: running without an icon");
        None
    };
    if let Opened::Recovered { moved_to, reason } = opened {
        let msg = format!(
            "The history database was damaged ({reason}) and was moved to {}. A new one was started.",
            moved_to.display()
        );
        warn!("{msg}");
        d.alert("unhunch: history database replaced", &msg);
    }
    if let Some(e) = config_error {
        d.config_failed(&e);
    }
    for req in d.engine.showing() {
        d.notify(Request::Show(req));
    }

    let mut watch = d.watch();
    let mut timer = WallTimer::new().context("cannot create the wall-clock timer")?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigusr1 = signal(SignalKind::user_defined1())?;
    info!("unhunch {} running", env!("CARGO_PKG_VERSION"));

    loop {
        let now = d.clock.now();
        if let Some(source) = &idle_source {
            d.sample_idle(source.as_ref(), &now).await;
        }
        let effects = d.engine.tick(&now);
        // Failures are logged where they happen; the schedule goes on.
        let _ = d.apply(effects, &now).await;
        if let Some(t) = &mut tray {
            t.show(d.tray_state(&now)).await;
        }
        let next = d.engine.next_wake(&now);
        match next {
            Some(t) => debug!(
                "next wake {} (in {:#})",
                t.to_zoned_datetime(now.time_zone().clone()),
                t.duration_since(now.timestamp())
            ),
            None => debug!("nothing due: sleeping until something happens"),
        }
        // Due times are in the clock's frame; the timer runs on the real one.
        let (next, mut input_signal) = match &idle_source {
            Some(source) => d.watch_for_return(source.as_ref(), next, &now),
            None => (next, None),
        };
        let offset = d.clock.offset();
        timer.set(next.map(|t| t.checked_sub(offset).unwrap_or(t)))?;
        tokio::select! {
            w = timer.wait() => match w {
                Ok(Wake::Due) => {}
                Ok(Wake::ClockChanged) => info!("the system clock was set: looking again"),
                Err(e) => {
                    error!("wall-clock timer failed ({e}); looking again in 30 s");
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            },
            Some(r) = reports.recv() => d.report(r).await,
            Some(n) = notices.recv() => d.alert("unhunch: history file replaced", &n),
            Some(p) = presence.recv() => d.presence_changed(p).await,
            () = maybe(&mut input_signal) => debug!("input again (signalled)"),
            Some(c) = control.recv() => {
                let result = d.request(c.request).await;
                let _ = c.reply.send(result);
            }
            Some(a) = tray_actions.recv() => if d.tray_action(a).await == Flow::Quit {
                info!("Quit from the tray");
                break;
            },
            changed = changed(&mut watch) => {
                match changed {
                    Ok(()) => {
                        debounce(&mut watch).await;
                        d.reload().await;
                    }
                    Err(e) => {
                        warn!("{e}: config changes are not seen until it is back and unhunch gets SIGHUP or restarts");
                        watch = None;
                    }
                }
            }
            _ = sighup.recv() => {
                info!("SIGHUP: reading the config again");
                if watch.is_none() {
                    watch = d.watch();
                }
                d.reload().await;
            }
            _ = sigusr1.recv() => info!("SIGUSR1: the clock was set (test clock): looking again"),
            _ = sigterm.recv() => { info!("SIGTERM: stopping"); break; }
            _ = sigint.recv() => { info!("SIGINT: stopping"); break; }
        }
    }

    // Notifications left up could no longer be answered: take them down.
    for r in d.engine.pending() {
        let _ = d.notify.send(Request::Close(r.id.clone()));
    }
    drop(d);
    if let Some(t) = tray {
        t.shutdown().await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), notifier_task).await;
    Ok(ExitCode::SUCCESS)
}

#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Quit,
}

struct Daemon {
    engine: Engine,
    clock: Box<dyn Clock>,
    store: StoreHandle,
    notify: mpsc::UnboundedSender<Request>,
    config_path: PathBuf,
    /// The last config error shown, so an unchanged error is shown once.
    last_error: Option<String>,
    /// Local date, answers Done, answers that ended a showing: "Today: 5 of 7 done".
    today: (jiff::civil::Date, u32, u32),
    /// What the presence sources said.
    presence: presence::Presence,
    /// Whether an idle-time source is in use (then the desktop's own idle
    /// hint is not needed).
    has_idle_source: bool,
}

impl Daemon {
    fn count_today(&mut self, e: &Event, now: &ZonedDateTime) {
        let date = now.date();
        if self.today.0 != date {
            self.today = (date, 0, 0);
        }
        if e.outcome == Outcome::Done {
            self.today.1 += 1;
        }
        if e.outcome.is_terminal() {
            self.today.2 += 1;
        }
    }

    fn tray_state(&self, now: &ZonedDateTime) -> TrayState {
        let tz = now.time_zone();
        let e = &self.engine;
        TrayState {
            next: e
                .upcoming(now)
                .into_iter()
                .next()
                .map(|u| (u.title, u.at.to_zoned_datetime(tz.clone()))),
            pending: e
                .pending()
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        r.title.clone(),
                        notify::snooze_label(r.snooze),
                    )
                })
                .collect(),
            reminders: e
                .config()
                .enabled()
                .map(|r| (r.id.clone(), r.title.clone()))
                .collect(),
            paused: e
                .pause()
                .map(|p| p.until.map(|u| u.to_zoned_datetime(tz.clone()))),
            today: self.today,
            date: now.date(),
            away_since: e.away().map(|t| t.to_zoned_datetime(tz.clone())),
            held_by: e
                .holds()
                .iter()
                .map(|h| match h {
                    crate::core::HoldReason::DoNotDisturb => "do-not-disturb is on",
                    crate::core::HoldReason::Fullscreen => "a window is fullscreen",
                })
                .collect(),
        }
    }

    /// Carries out a tray click; engine inputs are recorded with source tray.
    async fn tray_action(&mut self, a: tray::Action) -> Flow {
        let now = self.clock.now();
        let input = match a {
            tray::Action::Quit => return Flow::Quit,
            tray::Action::EditConfig => {
                self.edit_config();
                return Flow::Go;
            }
            tray::Action::Answer { id, answer } => Input::Answer {
                id: Some(id),
                answer,
                source: Source::Tray,
            },
            tray::Action::Trigger(id) => Input::Trigger {
                id,
                source: Source::Tray,
            },
            tray::Action::PauseFor(d) => Input::Pause {
                until: now.timestamp().checked_add(d).ok(),
            },
            tray::Action::PauseUntilTomorrow => Input::Pause {
                until: next_midnight(&now),
            },
            tray::Action::Resume => Input::Resume,
        };
        if let Err(e) = self.input(input, &now).await {
            warn!("tray: {e}");
        }
        Flow::Go
    }

    /// Opens the config in the desktop's editor, writing the default first
    /// if there is no file yet.
    fn edit_config(&self) {
        let path = self.config_path.clone();
        if !path.exists()
            && let Err(e) = std::fs::write(&path, config::DEFAULT_TOML)
        {
            warn!("cannot write {}: {e}", path.display());
            return;
        }
        tokio::task::spawn_blocking(move || {
            match std::process::Command::new("xdg-open").arg(&path).status() {
                Ok(s) if s.success() => {}
                Ok(s) => warn!("xdg-open {} failed ({s})", path.display()),
                Err(e) => warn!(
                    "cannot run xdg-open ({e}): edit {} yourself",
                    path.display()
                ),
            }
        });
    }

    fn notify(&self, r: Request) {
        // The notifier only stops with the daemon.
        let _ = self.notify.send(r);
    }

    fn alert(&self, summary: &str, body: &str) {
        self.notify(Request::Alert {
            summary: summary.into(),
            body: body.into(),
        });
    }

    async fn apply(&mut self, effects: Vec<Effect>, now: &ZonedDateTime) -> Result<(), String> {
        let mut result = Ok(());
        for effect in effects {
            match effect {
                Effect::Show(req) => {
                    info!(reminder = %req.id, "showing \"{}\" ({:?})", req.title, req.cause);
                    self.notify(Request::Show(req));
                }
                Effect::Close { id } => self.notify(Request::Close(id)),
                Effect::Record(e) => {
                    debug!(reminder = %e.reminder, "record {}", e.outcome);
                    self.count_today(&e, now);
                    if let Err(err) = self.store.record(e, now.offset()).await {
                        error!("history not written: {err}");
                        result = Err(format!("history not written: {err}"));
                    }
                }
                Effect::PauseChanged(p) => {
                    match p {
                        Some(p) => info!(
                            "paused {}",
                            p.until
                                .map_or("until resumed".into(), |u| format!("until {u}"))
                        ),
                        None => info!("resumed"),
                    }
                    if let Err(err) = self.store.set_pause(p).await {
                        error!("pause not saved: {err}");
                        result = Err(format!("pause not saved: {err}"));
                    }
                }
            }
        }
        result
    }

    /// Applies a command at `now`: one clock read per command, so a pause
    /// "for 30 minutes" starts and ends on the same reading.
    async fn input(&mut self, input: Input, now: &ZonedDateTime) -> Result<(), String> {
        let effects = self.engine.handle(input, now).map_err(|e| e.to_string())?;
        self.apply(effects, now).await
    }

    async fn report(&mut self, r: Report) {
        match r {
            Report::Answer { reminder, answer } => {
                let input = Input::Answer {
                    id: Some(reminder.clone()),
                    answer,
                    source: Source::Notification,
                };
                if let Err(e) = self.input(input, &self.clock.now()).await {
                    debug!(reminder = %reminder, "answer from the notification not taken: {e}");
                }
            }
        }
    }

    /// Answers a request from the control socket. Answers given here are
    /// recorded with source `cli`; "ok" means they are on disk.
    async fn request(&mut self, req: Control) -> Result<Value, String> {
        let now = self.clock.now();
        let tz = now.time_zone().clone();
        let rfc = |t: jiff::Timestamp| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        };
        let input = match req {
            Control::Status => return Ok(self.status(&now)),
            Control::Done { id } => Input::Answer {
                id,
                answer: Answer::Done,
                source: Source::Cli,
            },
            Control::Skip { id } => Input::Answer {
                id,
                answer: Answer::Skip,
                source: Source::Cli,
            },
            Control::Snooze { id, length } => Input::Answer {
                id,
                answer: Answer::Snooze(length),
                source: Source::Cli,
            },
            Control::Trigger { id } => Input::Trigger {
                id,
                source: Source::Cli,
            },
            Control::Resume => Input::Resume,
            Control::Pause(end) => Input::Pause {
                until: pause_end(&end, &now)?,
            },
        };
        let effects = self.engine.handle(input, &now).map_err(|e| e.to_string())?;
        // What happened, for the reply: the reminder answered or shown, the pause.
        let mut reply = json!({});
        for e in &effects {
            match e {
                Effect::Record(ev) => {
                    reply["id"] = json!(ev.reminder);
                    reply["title"] = json!(
                        self.engine
                            .config()
                            .reminder(&ev.reminder)
                            .map(|r| r.title.clone())
                    );
                    reply["outcome"] = json!(ev.outcome.as_str());
                    if let Some(len) = ev.snooze {
                        reply["until"] = json!(ev.at.checked_add(len).ok().map(rfc));
                    }
                }
                Effect::PauseChanged(p) => {
                    reply["paused"] = json!(p.is_some());
                    reply["until"] = json!(p.and_then(|p| p.until).map(rfc));
                }
                _ => {}
            }
        }
        self.apply(effects, &now).await?;
        Ok(reply)
    }

    /// What `unhunch status` shows.
    fn status(&self, now: &ZonedDateTime) -> Value {
        let tz = now.time_zone().clone();
        let rfc = |t: jiff::Timestamp| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        };
        let e = &self.engine;
        let mut pending = Vec::new();
        let mut snoozed = Vec::new();
        for r in &e.config().reminders {
            match e.phase(&r.id) {
                Some(Phase::Pending { shown_at, .. }) => {
                    pending.push(json!({"id": r.id, "title": r.title, "since": rfc(shown_at)}))
                }
                Some(Phase::Snoozed { until, .. }) => {
                    snoozed.push(json!({"id": r.id, "title": r.title, "until": rfc(until)}))
                }
                _ => {}
            }
        }
        let next: Vec<Value> = e
            .upcoming(now)
            .into_iter()
            .map(|u| json!({"id": u.id, "title": u.title, "at": rfc(u.at)}))
            .collect();
        json!({
            "running": true,
            "pid": std::process::id(),
            "version": env!("CARGO_PKG_VERSION"),
            "config": self.config_path.display().to_string(),
            "paused": e.pause().map(|p| json!({"since": rfc(p.since), "until": p.until.map(rfc)})),
            "away_since": e.away().map(rfc),
            "held_by": e.holds().iter().map(|h| match h {
                crate::core::HoldReason::DoNotDisturb => "do-not-disturb",
                crate::core::HoldReason::Fullscreen => "fullscreen",
            }).collect::<Vec<_>>(),
            "pending": pending,
            "snoozed": snoozed,
            "next": next,
            "today": {"date": self.today.0.to_string(), "done": self.today.1, "total": self.today.2},
        })
    }

    fn watch(&self) -> Option<ConfigWatch> {
        if let Some(dir) = self
            .config_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            warn!("cannot create {}: {e}", dir.display());
        }
        match ConfigWatch::new(&self.config_path) {
            Ok(w) => Some(w),
            Err(e) => {
                warn!("config changes will not be seen ({e}); send SIGHUP to read it again");
                None
            }
        }
    }

    async fn reload(&mut self) {
        match config::load(&self.config_path) {
            Ok(loaded) => {
                self.last_error = None;
                for w in &loaded.warnings {
                    warn!("{w}");
                }
                if loaded.config == *self.engine.config() {
                    debug!("config saved without changes");
                    return;
                }
                info!(
                    "config reloaded: {} reminders",
                    loaded.config.reminders.len()
                );
                let now = self.clock.now();
                self.notify(Request::Timeout(loaded.config.general.notification_timeout));
                let effects = self.engine.set_config(loaded.config, now.timestamp());
                let _ = self.apply(effects, &now).await;
                // away_after, respect_dnd and respect_fullscreen apply now.
                self.sync_presence(&now).await;
            }
            Err(LoadError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                info!(
                    "{} was removed: the running schedule continues",
                    self.config_path.display()
                );
            }
            Err(e) => self.config_failed(&e),
        }
    }

    /// Reports an invalid config once (and again only if the error changes).
    fn config_failed(&mut self, e: &LoadError) {
        let text = e.to_string();
        if self.last_error.as_deref() == Some(text.as_str()) {
            return;
        }
        error!("config not loaded, the running schedule is unchanged:\n{text}");
        let body = match e {
            LoadError::Invalid(d) => {
                let more = if d.len() > 1 {
                    format!("\n(and {} more: `unhunch config check`)", d.len() - 1)
                } else {
                    String::new()
                };
                format!("{}{more}\nThe running schedule is unchanged.", d[0])
            }
            other => format!("{other}\nThe running schedule is unchanged."),
        };
        self.alert("unhunch: config error", &body);
        self.last_error = Some(text);
    }
}

async fn changed(watch: &mut Option<ConfigWatch>) -> std::io::Result<()> {
    match watch {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

/// Waits until no change has come for `DEBOUNCE`.
async fn debounce(watch: &mut Option<ConfigWatch>) {
    loop {
        tokio::select! {
            r = changed(watch) => if r.is_err() { return },
            _ = tokio::time::sleep(DEBOUNCE) => return,
        }
    }
}

/// A configuration with no reminders: what runs while the file is invalid.
fn empty_config() -> Config {
    match config::parse("", "empty") {
        Ok((c, _)) => c,
        Err(_) => unreachable!("an empty config is valid"),
    }
}

/// The icon as a file, for notification servers that take a path.
fn write_icon(runtime_dir: &Path) -> Option<PathBuf> {
    let path = runtime_dir.join("unhunch.png");
    match std::fs::write(&path, ICON_PNG) {
        Ok(()) => Some(path),
        Err(e) => {
            debug!("icon not written to {}: {e}", path.display());
            None
        }
    }
}

/// The instant a pause ends: `None` until resumed.
fn pause_end(end: &PauseEnd, now: &ZonedDateTime) -> Result<Option<jiff::Timestamp>, String> {
    Ok(match end {
        PauseEnd::Never => None,
        PauseEnd::For(d) => Some(now.timestamp().checked_add(*d).map_err(|e| e.to_string())?),
        PauseEnd::Tomorrow => next_midnight(now),
        PauseEnd::At(t) => {
            let today = crate::core::time::resolve_local(now.date(), *t, now.time_zone());
            match today {
                Some(at) if at > now.timestamp() => Some(at),
                _ => {
                    let tomorrow = now.date().tomorrow().map_err(|e| e.to_string())?;
                    crate::core::time::resolve_local(tomorrow, *t, now.time_zone())
                }
            }
        }
    })
}

/// The start of the next local day: "pause until tomorrow".
pub fn next_midnight(now: &ZonedDateTime) -> Option<jiff::Timestamp> {
    now.date()
        .tomorrow()
        .ok()?
        .to_zoned_datetime(now.time_zone().clone())
        .ok()
        .map(|z| z.timestamp())
}

/// Starts every presence source this desktop has: their channel, and the
/// idle-time source the loop asks at its wakes. They all run whatever the
/// config says (they cost nothing while nothing happens); the config decides
/// what their reports mean, so a reload applies at once.
async fn start_presence() -> (
    mpsc::UnboundedReceiver<crate::presence::Change>,
    Option<Box<dyn crate::presence::IdleSource>>,
) {
    use crate::presence::{Session, choose_idle, dnd, lock, logind};
    let (tx, rx) = mpsc::unbounded_channel();
    // One session-bus connection for all of them.
    let bus = match zbus::Connection::session().await {
        Ok(bus) => {
            tokio::spawn(dnd::watch_server(bus.clone(), tx.clone()));
            tokio::spawn(dnd::watch_gnome(bus.clone(), tx.clone()));
            tokio::spawn(lock::watch_screen_lock(bus.clone(), tx.clone()));
            Some(bus)
        }
        Err(e) => {
            debug!("no session bus for presence: {e}");
            None
        }
    };
    tokio::spawn(logind::watch(tx));
    (rx, choose_idle(Session::detect(), bus.as_ref()).await)
}

/// Waits for an optional future; never, without one.
async fn maybe(f: &mut Option<futures_util::future::BoxFuture<'_, ()>>) {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}
