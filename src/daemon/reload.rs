//! The config file while the daemon runs: edits are noticed by inotify,
//! settle for a debounce that is a timer the loop selects on, and are read
//! on a blocking thread, so a slow, huge or strange file never holds up the
//! loop. A valid config is swapped in as a decision of its own (a reminder
//! removed while showing ends in the history); an invalid one keeps the
//! running schedule and is shown once.

use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, error, info, warn};

use jiff::Timestamp;

use super::Daemon;
use super::write::{Origin, Redo};
use crate::config::{LoadError, Loaded, last_good};
use crate::core::Config;
use crate::paths::Paths;
use crate::platform::FileWatch;
use crate::vocab::reply::{ConfigError, Fallback, LocalTime};
use crate::wait::or_never;

/// How long edits must settle before the config is read again ...
const DEBOUNCE: Duration = Duration::from_millis(200);
/// ... but a file saved without pause is still read this often.
const DEBOUNCE_MAX: Duration = Duration::from_secs(1);

type Loading = JoinHandle<Result<Loaded, LoadError>>;

/// The config file cannot be used: why, and what runs instead.
pub(super) struct ConfigProblem {
    error: String,
    running: Fallback,
    /// With `LastGood`: when the copy was kept.
    kept: Option<Timestamp>,
}

/// The config file as a source of new configs for the loop.
pub(super) struct ConfigSource {
    path: PathBuf,
    /// Where a valid config is kept (the last good one).
    data_dir: PathBuf,
    watch: Option<FileWatch>,
    /// The first and the latest change not read yet.
    changed: Option<(Instant, Instant)>,
    loading: Option<Loading>,
    /// Changed again while a read was under way: read once more after it.
    again: bool,
}

impl ConfigSource {
    pub(super) fn new(paths: &Paths) -> ConfigSource {
        let path = paths.config.clone();
        let watch = watch(&path);
        ConfigSource {
            path,
            data_dir: paths.data_dir.clone(),
            watch,
            changed: None,
            loading: None,
            again: false,
        }
    }

    /// SIGHUP: read now (and watch again, if the watch was lost).
    pub(super) fn reload_now(&mut self) {
        if self.watch.is_none() {
            self.watch = watch(&self.path);
        }
        self.changed = None;
        self.start_read();
    }

    fn start_read(&mut self) {
        if self.loading.is_some() {
            self.again = true;
            return;
        }
        let (path, data_dir) = (self.path.clone(), self.data_dir.clone());
        // As a path given: a file removed while running is "removed" (the
        // schedule goes on), never a switch to the embedded default.
        self.loading = Some(tokio::task::spawn_blocking(move || {
            last_good::load_keeping(&path, true, &data_dir)
        }));
    }

    fn due(&self) -> Option<Instant> {
        self.changed
            .map(|(first, last)| (last + DEBOUNCE).min(first + DEBOUNCE_MAX))
    }

    /// The next config read from the file. Cancel-safe: the state lives
    /// in `self`, so the loop may drop this for another event at any await.
    pub(super) async fn next(&mut self) -> Result<Loaded, LoadError> {
        loop {
            let due = self.due();
            tokio::select! {
                r = or_never(self.watch.as_mut().map(|w| w.changed())) => match r {
                    Ok(()) => {
                        let now = Instant::now();
                        let first = self.changed.map_or(now, |(f, _)| f);
                        self.changed = Some((first, now));
                    }
                    Err(e) => {
                        warn!("{e}: config changes are not seen until it is back and unhunch gets SIGHUP or restarts");
                        self.watch = None;
                    }
                },
                () = or_never(due.map(tokio::time::sleep_until)) => {
                    self.changed = None;
                    self.start_read();
                }
                r = or_never(self.loading.as_mut()) => {
                    self.loading = None;
                    if std::mem::take(&mut self.again) {
                        self.start_read();
                        continue;
                    }
                    return r.unwrap_or_else(|e| Err(LoadError::Io {
                        path: self.path.clone(),
                        source: std::io::Error::other(e),
                    }));
                }
            }
        }
    }
}

fn watch(path: &std::path::Path) -> Option<FileWatch> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        warn!("cannot create {}: {e}", dir.display());
    }
    match FileWatch::new(path) {
        Ok(w) => Some(w),
        Err(e) => {
            warn!("config changes will not be seen ({e}); send SIGHUP to read it again");
            None
        }
    }
}

/// The config error as a notification says it: short (the first mistake,
/// in the file's name and a message of a line at most; what runs meanwhile),
/// the whole of it being in `status`, `doctor` and `config check`.
fn alert_body(e: &LoadError, meanwhile: &str) -> String {
    const LONGEST: usize = 100;
    let first = match e {
        LoadError::Invalid(d) => {
            let name = std::path::Path::new(&d[0].file)
                .file_name()
                .map_or_else(|| d[0].file.clone(), |n| n.to_string_lossy().into_owned());
            let at = d[0].at.map_or(String::new(), |(l, c)| format!(":{l}:{c}"));
            format!("{name}{at}: {}", d[0].message)
        }
        other => other.to_string(),
    };
    let first = if first.chars().count() > LONGEST {
        let cut: String = first.chars().take(LONGEST - 1).collect();
        format!("{cut}…")
    } else {
        first
    };
    let more = match e {
        LoadError::Invalid(d) if d.len() > 1 => format!(" (and {} more)", d.len() - 1),
        _ => String::new(),
    };
    format!("{first}{more}\n{meanwhile} `unhunch config check` says all.")
}

impl Daemon {
    /// A read of the config file finished.
    pub(super) fn config_read(&mut self, result: Result<Loaded, LoadError>) {
        match result {
            Ok(loaded) => {
                if self.config_problem.take().is_some() {
                    info!("the config file is valid again");
                }
                for w in &loaded.warnings {
                    warn!("{w}");
                }
                self.embedded = loaded.path.is_none();
                self.new_config = Some(loaded.config);
            }
            Err(e) if e.is_missing() => {
                info!(
                    "{} was removed: the running schedule continues",
                    self.config_path.display()
                );
            }
            Err(e) => self.config_failed(&e, None),
        }
    }

    /// Swaps in a valid config, keeping the state of reminders whose id is
    /// unchanged.
    pub(super) fn swap_config(&mut self, config: Config) {
        if config == *self.engine.config() {
            debug!("config saved without changes");
            return;
        }
        let now = self.clock.now();
        let mut step = self.engine.begin();
        step.set_config(config.clone(), now.timestamp());
        self.decide(step, now, Origin::Schedule(Redo::Config(Box::new(config))));
    }

    /// The config file cannot be used. `fallback`: what runs instead, at
    /// start; on a reload, what ran goes on. Shown once (again only if the
    /// error changes), and in status and the tray until it is fixed.
    pub(super) fn config_failed(
        &mut self,
        e: &LoadError,
        fallback: Option<(Fallback, Option<Timestamp>)>,
    ) {
        let text = e.to_string();
        // On a reload: still on the last good copy, or on nothing, or else
        // on what ran before.
        let (running, kept) = fallback.unwrap_or(match &self.config_problem {
            Some(p) => (p.running, p.kept),
            None => (Fallback::Unchanged, None),
        });
        if self
            .config_problem
            .as_ref()
            .is_some_and(|p| p.error == text)
        {
            return;
        }
        let meanwhile = match running {
            Fallback::LastGood => "Running the last good schedule until the file is fixed.",
            Fallback::Unchanged => "The running schedule is unchanged.",
            Fallback::Nothing => "No reminders until the file is fixed.",
        };
        error!("config not loaded: {meanwhile}\n{text}");
        self.alert("unhunch: config error", &alert_body(e, meanwhile));
        self.config_problem = Some(ConfigProblem {
            error: text,
            running,
            kept,
        });
    }

    /// The config problem as `status` shows it.
    pub(super) fn config_error(&self, tz: &jiff::tz::TimeZone) -> Option<ConfigError> {
        self.config_problem.as_ref().map(|p| ConfigError {
            error: p.error.clone(),
            running: p.running,
            kept: p.kept.map(|t| LocalTime::new(t, tz)),
        })
    }
}
