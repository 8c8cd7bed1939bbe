//! The calendars while the daemon runs: read at start, again as soon as a
//! file or folder of `[calendar]` changes (inotify, with the config's
//! debounce), when `[calendar]` itself changes, and when the window of
//! days expanded runs out (a wall-clock instant the loop's timer includes,
//! so nothing polls). Files are read and expanded on a blocking thread;
//! only the busy times of the window are kept, and go to the engine as
//! `Input::Busy`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::Daemon;
use crate::calendar::Source;
use crate::core::{Calendars, Meeting};
use crate::platform::FileWatch;
use crate::wait::or_never;

/// How far ahead busy times are expanded ...
const WINDOW: SignedDuration = SignedDuration::from_hours(48);
/// ... and read again this long after a read, so a day is always known.
const REFRESH: SignedDuration = SignedDuration::from_hours(24);
const DEBOUNCE: Duration = Duration::from_millis(200);
const DEBOUNCE_MAX: Duration = Duration::from_secs(1);

/// One reading of every calendar.
#[derive(Debug)]
pub(super) struct Reading {
    pub meetings: Vec<Meeting>,
    pub sources: Vec<Source>,
    pub problems: Vec<String>,
    /// When to read again (the window's end coming near).
    pub refresh: Timestamp,
}

fn read(c: &Calendars, now: Timestamp, tz: &TimeZone) -> Reading {
    let read = crate::calendar::read(c);
    let until = now.checked_add(WINDOW).unwrap_or(Timestamp::MAX);
    Reading {
        meetings: crate::core::calendar::expand(&read.events, now, until, tz),
        sources: read.sources,
        problems: read.problems,
        refresh: now.checked_add(REFRESH).unwrap_or(Timestamp::MAX),
    }
}

/// The watches of `[calendar]`: each file's folder for its name, each
/// folder for anything in it (or, while it is missing, its parent for it).
fn watches(c: &Calendars) -> Vec<FileWatch> {
    let (files, dirs) = crate::calendar::paths(c);
    let mut out = Vec::new();
    let mut add = |what: &Path, w: std::io::Result<FileWatch>| match w {
        Ok(w) => out.push(w),
        Err(e) => warn!(
            "calendar {}: changes will not be seen ({e}); it is read again daily",
            what.display()
        ),
    };
    for f in &files {
        add(f, FileWatch::new(f));
    }
    for d in &dirs {
        if d.is_dir() {
            add(d, FileWatch::dir(d));
        } else {
            add(d, FileWatch::new(d));
        }
    }
    out
}

/// Resolves when any of `ws` reports; `Err` with the index of one whose
/// watch ended.
async fn any_changed(ws: &mut [FileWatch]) -> Result<(), usize> {
    if ws.is_empty() {
        return std::future::pending().await;
    }
    let all = ws.iter_mut().map(|w| Box::pin(w.changed()));
    let (r, i, _) = futures_util::future::select_all(all).await;
    r.map_err(|_| i)
}

pub(super) struct CalendarSource {
    config: Calendars,
    watches: Vec<FileWatch>,
    /// The first and the latest change not read yet.
    changed: Option<(Instant, Instant)>,
    loading: Option<JoinHandle<Reading>>,
    /// Changed again while a read was under way: read once more after it.
    again: bool,
    /// When the last reading runs out (in the clock's frame).
    pub refresh: Option<Timestamp>,
    /// Where the daemon's clock is (the test clock may be shifted).
    now: Timestamp,
    tz: TimeZone,
}

impl CalendarSource {
    pub(super) fn new() -> CalendarSource {
        CalendarSource {
            config: Calendars::default(),
            watches: Vec::new(),
            changed: None,
            loading: None,
            again: false,
            refresh: None,
            now: Timestamp::UNIX_EPOCH,
            tz: TimeZone::UTC,
        }
    }

    /// Each turn of the loop: the config's `[calendar]` (a change reads
    /// again at once) and the clock (the window ran out: read again).
    pub(super) fn follow(&mut self, c: &Calendars, now: &jiff::ZonedDateTime) {
        self.now = now.timestamp();
        self.tz = now.time_zone().clone();
        if *c != self.config {
            self.config = c.clone();
            self.watches = watches(c);
            if c.is_empty() {
                debug!("no calendars");
            }
            self.start_read();
        } else if self.refresh.is_some_and(|r| r <= self.now) {
            debug!("the calendars' window runs out: reading them again");
            self.start_read();
        }
    }

    fn start_read(&mut self) {
        self.refresh = None;
        if self.loading.is_some() {
            self.again = true;
            return;
        }
        let (c, now, tz) = (self.config.clone(), self.now, self.tz.clone());
        self.loading = Some(tokio::task::spawn_blocking(move || read(&c, now, &tz)));
    }

    fn due(&self) -> Option<Instant> {
        self.changed
            .map(|(first, last)| (last + DEBOUNCE).min(first + DEBOUNCE_MAX))
    }

    /// The next reading. Cancel-safe: the state lives in `self`.
    pub(super) async fn next(&mut self) -> Reading {
        loop {
            let due = self.due();
            tokio::select! {
                r = any_changed(&mut self.watches) => {
                    if let Err(i) = r {
                        // A folder removed or moved: watch again what is
                        // there after the read.
                        debug!("a calendar watch ended ({i})");
                        self.watches.remove(i);
                    }
                    let now = Instant::now();
                    let first = self.changed.map_or(now, |(f, _)| f);
                    self.changed = Some((first, now));
                }
                () = or_never(due.map(tokio::time::sleep_until)) => {
                    self.changed = None;
                    // A file made again, a folder made: watched anew.
                    self.watches = watches(&self.config);
                    self.start_read();
                }
                r = or_never(self.loading.as_mut()) => {
                    self.loading = None;
                    if std::mem::take(&mut self.again) {
                        self.start_read();
                        continue;
                    }
                    match r {
                        Ok(reading) => {
                            self.refresh = Some(reading.refresh);
                            return reading;
                        }
                        Err(e) => {
                            warn!("reading the calendars failed: {e}");
                            self.refresh = Some(self.now.checked_add(SignedDuration::from_mins(1)).unwrap_or(Timestamp::MAX));
                        }
                    }
                }
            }
        }
    }
}

/// What the daemon knows of its calendars for `status`.
#[derive(Debug, Default)]
pub(super) struct Known {
    pub sources: Vec<PathBuf>,
    pub problems: Vec<String>,
    /// Busy times not yet given to the engine.
    pub pending: Option<Vec<Meeting>>,
}

impl Daemon {
    /// A reading of the calendars finished: its problems said once, its
    /// busy times for the engine.
    pub(super) fn calendars_read(&mut self, r: Reading) {
        for p in &r.problems {
            if !self.calendars.problems.contains(p) {
                warn!("calendar: {p}");
            }
        }
        if !r.sources.is_empty() || !self.calendars.sources.is_empty() {
            info!(
                "calendars read: {} file(s), {} busy time(s) in the next {}",
                r.sources.len(),
                r.meetings.len(),
                crate::core::time::humane(WINDOW)
            );
        }
        self.calendars.sources = r.sources.into_iter().map(|s| s.path).collect();
        self.calendars.problems = r.problems;
        self.calendars.pending = Some(r.meetings);
        // A large calendar read and parsed leaves its freed pages dirty:
        // given back, so idle memory stays what it was (PERFORMANCE.md).
        crate::platform::release_unused_heap();
    }

    /// Gives the engine the busy times read.
    pub(super) fn sync_busy(&mut self) {
        let Some(meetings) = self.calendars.pending.take() else {
            return;
        };
        let now = self.clock.now();
        let mut step = self.engine.begin();
        if let Err(e) = step.handle(crate::core::Input::Busy(meetings.clone()), &now) {
            warn!("calendars: {e}");
        }
        if let Some(m) = meetings.first() {
            info!(
                "next busy time: {} from {}",
                m.title.as_deref().unwrap_or("(no title)"),
                m.start.to_zoned_datetime(now.time_zone().clone())
            );
        }
        self.decide(
            step,
            now,
            super::write::Origin::Schedule(super::write::Redo::Busy(meetings)),
        );
    }
}
