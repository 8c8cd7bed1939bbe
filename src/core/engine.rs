//! The schedule engine: a pure state machine over wall-clock time.
//!
//! The runtime calls [`Engine::tick`] whenever it wakes (at the instant
//! [`Engine::next_wake`] asked for, after a suspend, after the clock was set),
//! and [`Engine::handle`] for each command from a notification, the tray or the
//! socket. Both return [`Effect`]s to carry out. The engine never reads the clock,
//! so every rule of the timing semantics is tested with plain instants.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use tracing::debug;

use super::model::{Config, Kind, Reminder, Schedule, Urgency};
use super::time::{Window, resolve_local};
use jiff::civil::Time;

/// How far back a gap records `missed` occurrences. Older ones were most
/// likely nights and weekends with the computer off, not missed reminders.
pub const MISSED_LOOKBACK: SignedDuration = SignedDuration::from_hours(24);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Shown,
    Done,
    Snoozed,
    Skipped,
    Dismissed,
    Expired,
    Ignored,
    Missed,
    Away,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::Shown,
        Outcome::Done,
        Outcome::Snoozed,
        Outcome::Skipped,
        Outcome::Dismissed,
        Outcome::Expired,
        Outcome::Ignored,
        Outcome::Missed,
        Outcome::Away,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Shown => "shown",
            Outcome::Done => "done",
            Outcome::Snoozed => "snoozed",
            Outcome::Skipped => "skipped",
            Outcome::Dismissed => "dismissed",
            Outcome::Expired => "expired",
            Outcome::Ignored => "ignored",
            Outcome::Missed => "missed",
            Outcome::Away => "away",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcomes that end a showing (and restart an interval): the
    /// engine's state machine, the day's count and the stats all use this set.
    pub const ENDS_SHOWING: [Outcome; 6] = [
        Outcome::Done,
        Outcome::Skipped,
        Outcome::Dismissed,
        Outcome::Expired,
        Outcome::Ignored,
        Outcome::Away,
    ];

    /// Ends a showing and restarts an interval.
    pub fn is_terminal(self) -> bool {
        Outcome::ENDS_SHOWING.contains(&self)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an answer or a showing came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Notification,
    Tray,
    Cli,
    Schedule,
    /// A guided routine's end (finished: done; stopped: skipped).
    Guided,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Notification,
        Source::Tray,
        Source::Cli,
        Source::Schedule,
        Source::Guided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Notification => "notification",
            Source::Tray => "tray",
            Source::Cli => "cli",
            Source::Schedule => "schedule",
            Source::Guided => "guided",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One line of history.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub at: Timestamp,
    pub reminder: String,
    pub kind: Kind,
    pub outcome: Outcome,
    pub source: Source,
    /// The scheduled instant the showing belongs to (shown, missed).
    pub due: Option<Timestamp>,
    /// The snooze length (snoozed).
    pub snooze: Option<SignedDuration>,
    /// How far a guided routine got (source guided).
    pub progress: Option<super::routine::Progress>,
}

/// Why a reminder is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    Interval,
    Fixed,
    Snooze,
    Manual,
    /// Put up again: it was showing when the daemon stopped.
    Restored,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShowRequest {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub tip: Option<String>,
    pub urgency: Urgency,
    pub snooze: SignedDuration,
    pub due: Timestamp,
    pub cause: Cause,
    /// Its guided routine's id (the notification offers Start).
    pub routine: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    pub since: Timestamp,
    /// `None`: until resumed.
    pub until: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Put up a notification.
    Show(ShowRequest),
    /// Take down the notification of this reminder, if one is up.
    Close { id: String },
    /// Append to history.
    Record(Event),
    /// The pause state changed (persist it).
    PauseChanged(Option<Pause>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Done,
    Skip,
    /// `None`: the reminder's own snooze length.
    Snooze(Option<SignedDuration>),
    /// Closed by the user without an action.
    Dismissed,
    /// Closed by the notification server (timeout).
    Expired,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// `id: None` answers the one reminder that is showing.
    Answer {
        id: Option<String>,
        answer: Answer,
        source: Source,
    },
    Trigger {
        id: String,
        source: Source,
    },
    /// A guided routine of reminder `id` ended: finished (`Done`), stopped
    /// part-way (`Skip`) or its notification closed (`Dismissed`), with how
    /// far it got. A reminder not showing is recorded shown as the routine
    /// began: the routine was its showing.
    Guided {
        id: String,
        answer: Answer,
        progress: super::routine::Progress,
    },
    /// The person is away (idle or locked) since `since`.
    Away {
        since: Timestamp,
    },
    /// The person is back.
    Back,
    /// A hold (Do-Not-Disturb, a fullscreen window) began (`on`) or ended.
    Hold {
        reason: HoldReason,
        on: bool,
    },
    Pause {
        until: Option<Timestamp>,
    },
    Resume,
}

/// Why reminders wait without a pause.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum HoldReason {
    DoNotDisturb,
    Fullscreen,
    /// Another application captures the microphone (or, on Windows, the
    /// camera): a call.
    Call,
}

impl HoldReason {
    pub const ALL: [HoldReason; 3] = [
        HoldReason::DoNotDisturb,
        HoldReason::Fullscreen,
        HoldReason::Call,
    ];

    /// Its name in `status` (as in JSON): "do-not-disturb", "fullscreen",
    /// "call".
    pub fn name(self) -> &'static str {
        match self {
            HoldReason::DoNotDisturb => "do-not-disturb",
            HoldReason::Fullscreen => "fullscreen",
            HoldReason::Call => "call",
        }
    }

    /// What the tray says: "Waiting while {this}".
    pub fn describe(self) -> &'static str {
        match self {
            HoldReason::DoNotDisturb => "do-not-disturb is on",
            HoldReason::Fullscreen => "a window is fullscreen",
            HoldReason::Call => "a call is on",
        }
    }
}

/// The holds in force: a set, so each reason is added and removed in one place.
pub type Holds = BTreeSet<HoldReason>;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("no reminder with id \"{0}\"")]
    UnknownReminder(String),
    #[error("no reminder is showing")]
    NothingPending,
    #[error("several reminders are showing ({}): name one", .0.join(", "))]
    AmbiguousPending(Vec<String>),
    #[error("\"{0}\" is not showing")]
    NotPending(String),
    #[error("\"{0}\" is already showing")]
    AlreadyShowing(String),
    #[error("not paused")]
    NotPaused,
    #[error("the pause end {0} is not in the future")]
    PauseInPast(Timestamp),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Pending { shown_at: Timestamp, due: Timestamp },
    Snoozed { at: Timestamp, until: Timestamp },
}

#[derive(Clone, Debug)]
struct State {
    /// When the engine started tracking this reminder (start, or added by a reload).
    since: Timestamp,
    /// The last answer that ended a showing: the interval anchor.
    anchor: Option<Timestamp>,
    /// The latest fixed-time occurrence handled (shown, missed or merged).
    last_fixed: Option<Timestamp>,
    phase: Phase,
    /// Showings so far: rotates the tips.
    shown: u64,
}

impl State {
    fn new(since: Timestamp) -> State {
        State {
            since,
            anchor: None,
            last_fixed: None,
            phase: Phase::Idle,
            shown: 0,
        }
    }

    /// Folds one history event into the state (restart continuation).
    fn apply(&mut self, e: &Event) {
        match e.outcome {
            Outcome::Shown => {
                self.shown += 1;
                let due = e.due.unwrap_or(e.at);
                self.phase = Phase::Pending {
                    shown_at: e.at,
                    due,
                };
                self.last_fixed = self.last_fixed.max(Some(due));
            }
            Outcome::Snoozed => {
                let len = e.snooze.unwrap_or(SignedDuration::ZERO);
                let until = e.at.checked_add(len).unwrap_or(e.at);
                self.phase = Phase::Snoozed { at: e.at, until };
            }
            Outcome::Missed => {
                self.last_fixed = self.last_fixed.max(e.due);
            }
            o if o.is_terminal() => {
                self.anchor = Some(e.at);
                self.phase = Phase::Idle;
            }
            _ => {}
        }
    }

    fn is_open(&self) -> bool {
        self.phase != Phase::Idle
    }
}

/// What `status` and the tray show about one reminder.
#[derive(Clone, Debug, PartialEq)]
pub struct Upcoming {
    pub id: String,
    pub title: String,
    pub at: Timestamp,
}

/// The engine is small (a config and a state per reminder), so a decision
/// is made on a copy: see [`Step`].
#[derive(Clone)]
pub struct Engine {
    config: Config,
    states: HashMap<String, State>,
    pause: Option<Pause>,
    /// Idle or locked since then.
    away: Option<Timestamp>,
    holds: Holds,
}

/// A decision not yet made: the engine as it would be after some inputs,
/// and the effects that take it there. The runtime writes the step's
/// records (write-ahead) and only then [commits](Engine::commit) it; a step
/// dropped (the write failed, or an input was refused) changed nothing.
#[derive(Clone)]
pub struct Step {
    next: Engine,
    effects: Vec<Effect>,
}

impl Step {
    /// Adds what falls due at `now`.
    pub fn tick(&mut self, now: &ZonedDateTime) {
        let e = self.next.tick(now);
        self.effects.extend(e);
    }

    /// Adds one input. On an error the step is to be dropped.
    pub fn handle(&mut self, input: Input, now: &ZonedDateTime) -> Result<(), EngineError> {
        let e = self.next.handle(input, now)?;
        self.effects.extend(e);
        Ok(())
    }

    /// Adds a new configuration.
    pub fn set_config(&mut self, config: Config, now: Timestamp) {
        let e = self.next.set_config(config, now);
        self.effects.extend(e);
    }

    /// The engine as it would be.
    pub fn engine(&self) -> &Engine {
        &self.next
    }

    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// The history rows this step writes, in order.
    pub fn records(&self) -> impl Iterator<Item = &Event> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Record(ev) => Some(ev),
            _ => None,
        })
    }

    /// The pause to store, if the step changes it.
    pub fn pause_change(&self) -> Option<Option<Pause>> {
        self.effects.iter().rev().find_map(|e| match e {
            Effect::PauseChanged(p) => Some(*p),
            _ => None,
        })
    }

    /// Whether anything must reach the disk before the step is committed.
    pub fn needs_write(&self) -> bool {
        self.records().next().is_some() || self.pause_change().is_some()
    }
}

/// `t + d`, or `None` past the end of the calendar: an instant that never
/// comes (saturating to the end would make it "now" once the clock is
/// there, and fire it again and again).
fn add(t: Timestamp, d: SignedDuration) -> Option<Timestamp> {
    t.checked_add(d).ok()
}

fn sub(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_sub(d).unwrap_or(Timestamp::MIN)
}

/// The first instant after the `anchor` at which an interval reminder is due,
/// inside an opening of `window` that has not closed before `now`. The result
/// is at or before `now` when it is due now: however many intervals a gap
/// swallowed, this is a single instant, so a gap never makes a burst.
pub fn interval_due(
    anchor: Timestamp,
    every: SignedDuration,
    window: &Window,
    now: Timestamp,
    tz: &TimeZone,
) -> Option<Timestamp> {
    let mut probe = now;
    // Each opening that cannot fit the interval moves the probe to its end.
    for _ in 0..32 {
        let span = window.span_at_or_after(probe, tz)?;
        let due = add(anchor.max(span.start), every)?;
        match span.end {
            None => return Some(due),
            Some(end) if due < end => return Some(due),
            Some(end) => probe = end,
        }
    }
    None
}

/// The first fixed-time occurrence strictly after `after`.
pub fn next_fixed(
    after: Timestamp,
    times: &[Time],
    days: super::time::Days,
    tz: &TimeZone,
) -> Option<Timestamp> {
    if times.is_empty() || days.is_empty() {
        return None;
    }
    let mut date = tz.to_datetime(after).date().yesterday().ok()?;
    for _ in 0..10 {
        if days.contains(date.weekday()) {
            for &time in times {
                if let Some(o) = resolve_local(date, time, tz)
                    && o > after
                {
                    return Some(o);
                }
            }
        }
        date = date.tomorrow().ok()?;
    }
    None
}

impl Engine {
    /// A fresh engine; every reminder counts from `now`.
    pub fn new(config: Config, now: Timestamp) -> Engine {
        let states = config
            .reminders
            .iter()
            .map(|r| (r.id.clone(), State::new(now)))
            .collect();
        Engine {
            config,
            states,
            pause: None,
            away: None,
            holds: Holds::new(),
        }
    }

    /// A decision starting from the engine as it is.
    pub fn begin(&self) -> Step {
        Step {
            next: self.clone(),
            effects: Vec::new(),
        }
    }

    /// Makes a step's decision: the engine becomes what the step computed.
    /// Returns its effects, to carry out now that its records are on disk.
    pub fn commit(&mut self, step: Step) -> Vec<Effect> {
        *self = step.next;
        step.effects
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn pause(&self) -> Option<Pause> {
        self.pause
    }

    /// Restores a pause read back from storage.
    pub fn set_pause(&mut self, pause: Option<Pause>) {
        self.pause = pause;
    }

    /// Rebuilds the state from history, oldest event first, so the schedule
    /// continues where it stopped. Events of unknown reminders are ignored.
    pub fn restore<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) {
        for e in events {
            if let Some(s) = self.states.get_mut(&e.reminder) {
                s.apply(e);
            }
        }
    }

    /// Swaps in a new configuration, keeping the state of reminders whose id
    /// is unchanged; new ones count from `now`.
    pub fn set_config(&mut self, config: Config, now: Timestamp) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut states = HashMap::new();
        for r in &config.reminders {
            let s = self.states.remove(&r.id).unwrap_or_else(|| State::new(now));
            states.insert(r.id.clone(), s);
        }
        // A removed reminder that was showing (or snoozed) is taken down,
        // and its showing ends in the history like any other: dismissed, by
        // the schedule. Otherwise a restart would put it up again.
        for (id, s) in self.states.drain() {
            if s.is_open()
                && let Some(r) = self.config.reminder(&id)
            {
                debug!(reminder = %id, "removed while showing: dismissed");
                effects.push(Effect::Close { id });
                effects.push(Effect::Record(event(
                    r,
                    now,
                    Outcome::Dismissed,
                    Source::Schedule,
                )));
            }
        }
        self.states = states;
        self.config = config;
        effects
    }

    pub fn phase(&self, id: &str) -> Option<Phase> {
        self.states.get(id).map(|s| s.phase)
    }

    /// What to put up again for reminders that are showing (after a restart
    /// their notifications are gone or dead). Records nothing: it is the same
    /// showing.
    pub fn showing(&self) -> Vec<ShowRequest> {
        self.config
            .reminders
            .iter()
            .filter_map(|r| match self.states.get(&r.id)? {
                State {
                    phase: Phase::Pending { due, .. },
                    shown,
                    ..
                } => Some(request(r, shown.saturating_sub(1), *due, Cause::Restored)),
                _ => None,
            })
            .collect()
    }

    /// Reminders showing now, in config order.
    pub fn pending(&self) -> Vec<&Reminder> {
        self.config
            .reminders
            .iter()
            .filter(|r| matches!(self.phase(&r.id), Some(Phase::Pending { .. })))
            .collect()
    }

    /// Whether a reminder is showing now.
    fn showing_any(&self) -> bool {
        self.states
            .values()
            .any(|s| matches!(s.phase, Phase::Pending { .. }))
    }

    fn is_paused(&self) -> bool {
        self.pause.is_some()
    }

    /// Paused, or held by Do-Not-Disturb or a fullscreen window: nothing is
    /// shown, and what falls due waits (fixed times within missed_grace).
    fn is_holding(&self) -> bool {
        self.is_paused() || !self.holds.is_empty()
    }

    /// Since when the person is away, if they are.
    pub fn away(&self) -> Option<Timestamp> {
        self.away
    }

    /// What holds reminders back now, besides a pause.
    pub fn holds(&self) -> &Holds {
        &self.holds
    }

    /// Undo what a clock set backwards would otherwise do: instants "in the
    /// future" that are really past would hold reminders back by the jump.
    /// `last_fixed` is kept on purpose: it stops occurrences from firing twice.
    fn normalize_clock(&mut self, t: Timestamp) {
        for (id, s) in &mut self.states {
            if s.anchor.is_some_and(|a| a > t) {
                debug!(reminder = %id, "clock went back: interval restarts now");
                s.anchor = Some(t);
            }
            if s.since > t {
                s.since = t;
            }
            match &mut s.phase {
                Phase::Pending { shown_at, .. } if *shown_at > t => *shown_at = t,
                Phase::Snoozed { at, until } if *at > t => {
                    let back = at.duration_since(t);
                    *until = sub(*until, back);
                    *at = t;
                }
                _ => {}
            }
        }
    }

    /// Everything that falls due at `now`.
    pub fn tick(&mut self, now: &ZonedDateTime) -> Vec<Effect> {
        let t = now.timestamp();
        let tz = now.time_zone().clone();
        let mut effects = Vec::new();
        self.normalize_clock(t);
        if let Some(Pause {
            until: Some(until), ..
        }) = self.pause
            && until <= t
        {
            debug!("pause ended at {until}");
            self.pause = None;
            effects.push(Effect::PauseChanged(None));
        }
        let holding = self.is_holding();
        let away = self.away;
        let quiet = holding || away.is_some();
        let g = &self.config.general;
        for r in &self.config.reminders {
            let Some(s) = self.states.get_mut(&r.id) else {
                continue;
            };
            if let Phase::Pending { shown_at, .. } = s.phase
                && add(shown_at, g.ignore_after).is_some_and(|end| t >= end)
            {
                debug!(reminder = %r.id, "unanswered since {shown_at}: ignored");
                effects.push(Effect::Close { id: r.id.clone() });
                effects.push(Effect::Record(event(
                    r,
                    t,
                    Outcome::Ignored,
                    Source::Schedule,
                )));
                s.anchor = Some(t);
                s.phase = Phase::Idle;
            }
        }
        // One reminder on screen at a time: while one is showing, others
        // that fall due wait (in config order) until it is answered.
        let mut busy = self.showing_any();
        for r in &self.config.reminders {
            let Some(s) = self.states.get_mut(&r.id) else {
                continue;
            };
            if let Phase::Snoozed { until, .. } = s.phase
                && t >= until
                && !quiet
                && !busy
            {
                debug!(reminder = %r.id, "snooze ended");
                show(
                    r,
                    s,
                    t,
                    until,
                    Cause::Snooze,
                    Source::Schedule,
                    &mut effects,
                );
                busy = true;
            }
            if !r.enabled {
                continue;
            }
            match &r.schedule {
                Schedule::Every { every, window } => {
                    if s.phase != Phase::Idle || holding {
                        continue;
                    }
                    let anchor = s.anchor.unwrap_or(s.since);
                    let Some(due) = interval_due(anchor, *every, window, t, &tz) else {
                        continue;
                    };
                    if due <= t && away.is_some() {
                        // The person is away from the desk: that is the break.
                        debug!(reminder = %r.id, "due at {due} while away: a natural break");
                        let mut e = event(r, t, Outcome::Away, Source::Schedule);
                        e.due = Some(due);
                        s.apply(&e);
                        effects.push(Effect::Record(e));
                    } else if due <= t && busy {
                        debug!(reminder = %r.id, "due at {due}: waits while another reminder is showing");
                    } else if due <= t {
                        busy = true;
                        let late = t.duration_since(due);
                        if late >= *every {
                            debug!(reminder = %r.id, "due at {due}, {late:#} late: one showing for the whole gap");
                        } else {
                            debug!(reminder = %r.id, "interval due at {due}");
                        }
                        show(
                            r,
                            s,
                            t,
                            due,
                            Cause::Interval,
                            Source::Schedule,
                            &mut effects,
                        );
                    }
                }
                Schedule::At { times, days } => {
                    let horizon = sub(t, MISSED_LOOKBACK);
                    let mut after = s
                        .last_fixed
                        .unwrap_or_else(|| sub(s.since, SignedDuration::from_nanos(1)));
                    if after < horizon {
                        if s.last_fixed.is_some() {
                            debug!(reminder = %r.id, "occurrences before {horizon} not recorded (gap longer than a day)");
                        }
                        after = horizon;
                    }
                    while let Some(o) = next_fixed(after, times, *days, &tz) {
                        if o > t {
                            break;
                        }
                        if t.duration_since(o) > g.missed_grace {
                            debug!(reminder = %r.id, "occurrence {o} is past missed_grace: missed");
                            let mut e = event(r, t, Outcome::Missed, Source::Schedule);
                            e.due = Some(o);
                            effects.push(Effect::Record(e));
                        } else if quiet {
                            debug!(reminder = %r.id, "occurrence {o} held: paused, away or do-not-disturb");
                            break;
                        } else if s.is_open() {
                            debug!(reminder = %r.id, "occurrence {o} merged into the open showing");
                        } else if busy {
                            debug!(reminder = %r.id, "occurrence {o} waits while another reminder is showing");
                            break;
                        } else {
                            debug!(reminder = %r.id, "fixed time {o}");
                            show(r, s, t, o, Cause::Fixed, Source::Schedule, &mut effects);
                            busy = true;
                        }
                        s.last_fixed = Some(o);
                        after = o;
                    }
                }
            }
        }
        effects
    }

    /// The next instant at which [`tick`](Self::tick) has something to do,
    /// or `None` when nothing ever will (e.g. paused until resumed).
    pub fn next_wake(&self, now: &ZonedDateTime) -> Option<Timestamp> {
        let t = now.timestamp();
        let tz = now.time_zone();
        let holding = self.is_holding();
        let quiet = holding || self.away.is_some();
        // What waits behind a showing comes when it is answered or ignored.
        let busy = self.showing_any();
        let g = &self.config.general;
        let mut next: Option<Timestamp> = self.pause.and_then(|p| p.until);
        let mut consider = |c: Option<Timestamp>| {
            if let Some(c) = c {
                next = Some(next.map_or(c, |n| n.min(c)));
            }
        };
        for r in &self.config.reminders {
            let Some(s) = self.states.get(&r.id) else {
                continue;
            };
            match s.phase {
                Phase::Pending { shown_at, .. } => consider(add(shown_at, g.ignore_after)),
                Phase::Snoozed { until, .. } if !quiet && !busy => consider(Some(until)),
                _ => {}
            }
            // Intervals keep their time while away (to be credited then);
            // anything held waits for the hold to end.
            let wakes = match r.schedule {
                Schedule::Every { .. } => !holding && !busy,
                // An open showing merges its own occurrences as they come.
                Schedule::At { .. } => !quiet && (!busy || s.is_open()),
            };
            if r.enabled && wakes {
                consider(self.next_scheduled(r, s, t, tz));
            }
        }
        next.map(|n| n.max(t))
    }

    /// When a reminder could next show if nobody were away and nothing
    /// held it (possibly already past: one is waiting). The daemon watches
    /// for the end of an absence only while this is near. `None` while
    /// paused until resumed, or with nothing scheduled.
    pub fn next_due(&self, now: &ZonedDateTime) -> Option<Timestamp> {
        let t = now.timestamp();
        let pause_end = match self.pause {
            Some(Pause { until: None, .. }) => return None,
            Some(Pause { until, .. }) => until,
            None => None,
        };
        let due = self
            .config
            .enabled()
            .filter_map(|r| {
                let s = self.states.get(&r.id)?;
                match s.phase {
                    Phase::Snoozed { until, .. } => Some(until),
                    _ => self.next_scheduled(r, s, t, now.time_zone()),
                }
            })
            .min()?;
        Some(pause_end.map_or(due, |p| due.max(p)))
    }

    fn next_scheduled(
        &self,
        r: &Reminder,
        s: &State,
        t: Timestamp,
        tz: &TimeZone,
    ) -> Option<Timestamp> {
        match &r.schedule {
            Schedule::Every { every, window } if s.phase == Phase::Idle => {
                interval_due(s.anchor.unwrap_or(s.since).min(t), *every, window, t, tz)
            }
            Schedule::Every { .. } => None,
            Schedule::At { times, days } => {
                let after = s
                    .last_fixed
                    .unwrap_or_else(|| sub(s.since, SignedDuration::from_nanos(1)))
                    .max(sub(t, MISSED_LOOKBACK));
                next_fixed(after, times, *days, tz)
            }
        }
    }

    /// The next showing of each enabled reminder that is not showing now,
    /// soonest first. Snoozed reminders appear at their snooze end.
    pub fn upcoming(&self, now: &ZonedDateTime) -> Vec<Upcoming> {
        let t = now.timestamp();
        let mut list: Vec<Upcoming> = self
            .config
            .reminders
            .iter()
            .filter_map(|r| {
                let s = self.states.get(&r.id)?;
                let at = match s.phase {
                    Phase::Pending { .. } => return None,
                    Phase::Snoozed { until, .. } => Some(until),
                    Phase::Idle if r.enabled => self.next_scheduled(r, s, t, now.time_zone()),
                    Phase::Idle => None,
                }?;
                let at = at.max(t);
                let at = match (self.pause, &r.schedule, s.phase) {
                    (Some(Pause { until: None, .. }), ..) => return None,
                    // A fixed time the pause holds past missed_grace will be
                    // recorded missed, not shown: the next one that will be.
                    (
                        Some(Pause { until: Some(u), .. }),
                        Schedule::At { times, days },
                        Phase::Idle,
                    ) if at < u => {
                        let grace = self.config.general.missed_grace;
                        let after = sub(u, grace + SignedDuration::from_nanos(1));
                        next_fixed(after, times, *days, now.time_zone())?.max(u)
                    }
                    (Some(Pause { until: Some(u), .. }), ..) => at.max(u),
                    (None, ..) => at,
                };
                Some(Upcoming {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    at,
                })
            })
            .collect();
        list.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        list
    }

    /// Applies one command.
    pub fn handle(
        &mut self,
        input: Input,
        now: &ZonedDateTime,
    ) -> Result<Vec<Effect>, EngineError> {
        let t = now.timestamp();
        self.normalize_clock(t);
        let mut effects = Vec::new();
        match input {
            Input::Answer { id, answer, source } => {
                let id = self.resolve_target(id, &answer)?;
                let (r, s) = lookup(&self.config, &mut self.states, &id)?;
                let open = s.is_open();
                let (outcome, snooze) = match answer {
                    // Done with nothing showing would count a showing that
                    // never was (stats' SHOWN); `trigger` first shows it.
                    Answer::Done if open => (Outcome::Done, None),
                    Answer::Skip if open => (Outcome::Skipped, None),
                    Answer::Snooze(len) if open => {
                        (Outcome::Snoozed, Some(len.unwrap_or(r.snooze)))
                    }
                    Answer::Dismissed | Answer::Expired
                        if !matches!(s.phase, Phase::Pending { .. }) =>
                    {
                        // A late signal for a showing that already ended.
                        debug!(reminder = %id, "{answer:?} for a reminder not showing: ignored");
                        return Ok(effects);
                    }
                    Answer::Dismissed => (Outcome::Dismissed, None),
                    Answer::Expired => (Outcome::Expired, None),
                    Answer::Done | Answer::Skip | Answer::Snooze(_) => {
                        return Err(EngineError::NotPending(id));
                    }
                };
                debug!(reminder = %id, "answer {outcome} from {}", source.as_str());
                if open {
                    effects.push(Effect::Close { id: id.clone() });
                }
                let mut e = event(r, t, outcome, source);
                e.snooze = snooze;
                s.apply(&e);
                effects.push(Effect::Record(e));
            }
            Input::Guided {
                id,
                answer,
                progress,
            } => {
                let (_, st) = lookup(&self.config, &mut self.states, &id)?;
                let was_open = st.is_open();
                if !was_open {
                    // The routine was its showing: recorded as begun when
                    // the routine began, and no notification is put up (nor
                    // taken down) for it.
                    let began = t
                        .checked_sub(SignedDuration::from_secs(i64::from(progress.seconds)))
                        .unwrap_or(t);
                    for e in self.handle(
                        Input::Trigger {
                            id: id.clone(),
                            source: Source::Guided,
                        },
                        now,
                    )? {
                        match e {
                            Effect::Show(_) => {}
                            Effect::Record(mut ev) => {
                                ev.at = began;
                                ev.due = ev.due.map(|_| began);
                                effects.push(Effect::Record(ev));
                            }
                            e => effects.push(e),
                        }
                    }
                }
                let answer = match answer {
                    Answer::Done | Answer::Dismissed => answer,
                    _ => Answer::Skip,
                };
                for mut e in self.handle(
                    Input::Answer {
                        id: Some(id.clone()),
                        answer,
                        source: Source::Guided,
                    },
                    now,
                )? {
                    match &mut e {
                        Effect::Close { .. } if !was_open => continue,
                        Effect::Record(ev) if ev.reminder == id => {
                            ev.progress = Some(progress.clone());
                        }
                        _ => {}
                    }
                    effects.push(e);
                }
            }
            Input::Trigger { id, source } => {
                // A reminder's id, or else a kind: its first enabled
                // reminder (the application entry's "Stand up now" actions
                // cannot know the ids of a person's config).
                let id = match self.config.reminder(&id) {
                    Some(_) => id,
                    None => Kind::ALL
                        .iter()
                        .find(|k| k.as_str() == id)
                        .and_then(|k| self.config.enabled().find(|r| r.kind == *k))
                        .map_or(id, |r| r.id.clone()),
                };
                let (r, s) = lookup(&self.config, &mut self.states, &id)?;
                if matches!(s.phase, Phase::Pending { .. }) {
                    return Err(EngineError::AlreadyShowing(id));
                }
                show(r, s, t, t, Cause::Manual, source, &mut effects);
            }
            Input::Away { since } => {
                debug!("away since {since}");
                self.away = Some(since.min(t));
            }
            Input::Back => {
                if let Some(since) = self.away.take() {
                    debug!(
                        "back after {:#}: intervals start again",
                        t.duration_since(since)
                    );
                    // Away long enough to count is a break: every interval
                    // counts from now.
                    for r in self.config.enabled() {
                        if let (Schedule::Every { .. }, Some(s)) =
                            (&r.schedule, self.states.get_mut(&r.id))
                            && s.phase == Phase::Idle
                        {
                            s.anchor = Some(t);
                        }
                    }
                }
            }
            Input::Hold { reason, on } => {
                debug!(
                    "{reason:?} {}",
                    if on { "on: reminders wait" } else { "off" }
                );
                if on {
                    self.holds.insert(reason);
                } else {
                    self.holds.remove(&reason);
                }
            }
            Input::Pause { until } => {
                if let Some(u) = until
                    && u <= t
                {
                    return Err(EngineError::PauseInPast(u));
                }
                let p = Pause { since: t, until };
                self.pause = Some(p);
                effects.push(Effect::PauseChanged(Some(p)));
            }
            Input::Resume => {
                if self.pause.take().is_none() {
                    return Err(EngineError::NotPaused);
                }
                effects.push(Effect::PauseChanged(None));
            }
        }
        Ok(effects)
    }

    /// The reminder an answer is for: the named one, or the one open.
    fn resolve_target(&self, id: Option<String>, answer: &Answer) -> Result<String, EngineError> {
        if let Some(id) = id {
            if !self.states.contains_key(&id) {
                return Err(EngineError::UnknownReminder(id));
            }
            return Ok(id);
        }
        let open_with = |want: fn(&Phase) -> bool| -> Vec<String> {
            self.config
                .reminders
                .iter()
                .filter(|r| self.states.get(&r.id).is_some_and(|s| want(&s.phase)))
                .map(|r| r.id.clone())
                .collect()
        };
        let mut ids = open_with(|p| matches!(p, Phase::Pending { .. }));
        if ids.is_empty() && !matches!(answer, Answer::Dismissed | Answer::Expired) {
            ids = open_with(|p| matches!(p, Phase::Snoozed { .. }));
        }
        match ids.len() {
            0 => Err(EngineError::NothingPending),
            1 => Ok(ids.remove(0)),
            _ => Err(EngineError::AmbiguousPending(ids)),
        }
    }
}

/// A reminder and its state, by id (two fields, so both can be borrowed).
fn lookup<'a>(
    config: &'a Config,
    states: &'a mut HashMap<String, State>,
    id: &str,
) -> Result<(&'a Reminder, &'a mut State), EngineError> {
    match (config.reminder(id), states.get_mut(id)) {
        (Some(r), Some(s)) => Ok((r, s)),
        _ => Err(EngineError::UnknownReminder(id.to_string())),
    }
}

fn event(r: &Reminder, at: Timestamp, outcome: Outcome, source: Source) -> Event {
    Event {
        at,
        reminder: r.id.clone(),
        kind: r.kind,
        outcome,
        source,
        due: None,
        snooze: None,
        progress: None,
    }
}

fn show(
    r: &Reminder,
    s: &mut State,
    t: Timestamp,
    due: Timestamp,
    cause: Cause,
    source: Source,
    effects: &mut Vec<Effect>,
) {
    let request = request(r, s.shown, due, cause);
    let mut e = event(r, t, Outcome::Shown, source);
    e.due = Some(due);
    s.apply(&e);
    effects.push(Effect::Show(request));
    effects.push(Effect::Record(e));
}

fn request(r: &Reminder, shown: u64, due: Timestamp, cause: Cause) -> ShowRequest {
    ShowRequest {
        id: r.id.clone(),
        kind: r.kind,
        title: r.title.clone(),
        body: r.body.clone(),
        tip: r.tip(shown).map(str::to_string),
        urgency: r.urgency,
        snooze: r.snooze,
        due,
        cause,
        routine: r.routine.clone(),
    }
}
