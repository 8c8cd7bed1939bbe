//! The schedule engine: a pure state machine over wall-clock time.
//!
//! The runtime calls [`Engine::tick`] whenever it wakes (at the instant
//! [`Engine::next_wake`] asked for, after a suspend, after the clock was set),
//! and [`Engine::handle`] for each command from a notification, the tray or the
//! socket. Both return [`Effect`]s to carry out. The engine never reads the clock,
//! so every rule of the timing semantics is tested with plain instants.
//!
//! Here: the engine's state, its inputs and effects, and the [`Decision`]
//! made on a copy; `due` says when things fall due (`tick`, `next_wake`),
//! `handle` applies one input.

mod due;
mod handle;

use std::collections::{BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use tracing::debug;

pub use super::history::{Event, Outcome, Remote, Seen, Source};
use super::model::{Config, Kind, Reminder, Schedule, Urgency};

/// Another device said it is in use, and nothing since: taken as in use
/// for at most this long.
pub const ACTIVE_AT_MOST: SignedDuration = SignedDuration::from_hours(12);

/// How far back a gap records `missed` occurrences. Older ones were most
/// likely nights and weekends with the computer off, not missed reminders.
pub const MISSED_LOOKBACK: SignedDuration = SignedDuration::from_hours(24);

/// Why a reminder is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    Interval,
    Fixed,
    Snooze,
    Manual,
    /// The break owed after a long hold.
    CatchUp,
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
    /// Keep another device's event (from the sync folder) in the history,
    /// once.
    Import(Remote),
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
    /// A break taken on one's own: reminder `id` (or the first of a kind)
    /// is done if it is showing or snoozed, else recorded as taken.
    Took {
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
        progress: crate::core::routine::Progress,
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
    /// A meeting by hand begins (until `until`, or [`MEETING_LONGEST`]).
    MeetingStart {
        until: Option<Timestamp>,
    },
    /// The meeting by hand ends.
    MeetingEnd,
    /// The calendars' busy times from now on (replacing those known).
    Busy(Vec<Meeting>),
    /// Another device's event, read from the sync folder: kept, and an
    /// answer there ends the same showing here (`elsewhere`) and restarts
    /// the interval, as a break taken on any device does.
    Remote(Remote),
    /// Another device's presence: while it is active, time away here is
    /// no break.
    Seen(Seen),
}

/// A meeting: by hand, or a busy event of a calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub start: Timestamp,
    pub end: Timestamp,
    /// The event's summary (a calendar's); none by hand.
    pub title: Option<String>,
}

/// A meeting by hand with no end given ends by itself after this long.
pub const MEETING_LONGEST: SignedDuration = SignedDuration::from_hours(4);

/// A hold under way: since when, and the reason that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    since: Timestamp,
    reason: HoldReason,
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
    /// A meeting: started by hand (`unhunch meeting start`), or a busy
    /// event of a calendar.
    Meeting,
}

impl HoldReason {
    pub const ALL: [HoldReason; 4] = [
        HoldReason::DoNotDisturb,
        HoldReason::Fullscreen,
        HoldReason::Call,
        HoldReason::Meeting,
    ];

    /// What the desktop's presence reports (the engine keeps meetings).
    pub const PRESENCE: [HoldReason; 3] = [
        HoldReason::DoNotDisturb,
        HoldReason::Fullscreen,
        HoldReason::Call,
    ];

    /// "You've been {this} for 1 h 20 min": the catch-up break's words.
    fn been(self) -> &'static str {
        match self {
            HoldReason::Meeting => "in a meeting",
            HoldReason::Call => "on a call",
            HoldReason::Fullscreen => "in a fullscreen window",
            HoldReason::DoNotDisturb => "in do-not-disturb",
        }
    }

    /// Its name in `status` (as in JSON): "do-not-disturb", "fullscreen",
    /// "call".
    pub fn name(self) -> &'static str {
        match self {
            HoldReason::DoNotDisturb => "do-not-disturb",
            HoldReason::Fullscreen => "fullscreen",
            HoldReason::Call => "call",
            HoldReason::Meeting => "meeting",
        }
    }

    /// What the tray says: "Waiting while {this}".
    pub fn describe(self) -> &'static str {
        match self {
            HoldReason::DoNotDisturb => "do-not-disturb is on",
            HoldReason::Fullscreen => "a window is fullscreen",
            HoldReason::Call => "a call is on",
            HoldReason::Meeting => "you are in a meeting",
        }
    }
}

/// The holds in force: a set, so each reason is added and removed in one place.
pub type Holds = BTreeSet<HoldReason>;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    // Debug quoting: an id from the socket is shown escaped, never raw.
    #[error("no reminder with id {0:?}{more}", more = known_ids(.0, .1))]
    UnknownReminder(String, Vec<String>),
    #[error("no routine with id {0:?}")]
    UnknownRoutine(String),
    #[error("routine {routine:?} has {of} steps: {why}")]
    BadProgress {
        routine: String,
        of: u64,
        why: String,
    },
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
    #[error("no meeting was started by hand")]
    NoMeeting,
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
    /// The same as a local date and time, in the zone it was handled in:
    /// after a move west, today's 11:00 comes again by the instant, but
    /// was answered today by the clock on the wall.
    last_fixed_local: Option<jiff::civil::DateTime>,
    phase: Phase,
    /// Showings so far: rotates the tips.
    shown: u64,
    /// The occurrence of the last showing answered (here, or on another
    /// device): another device's answer to the same one is a repeat,
    /// counted once. Breaks taken with nothing showing have none.
    answered: Option<Timestamp>,
}

impl State {
    fn new(since: Timestamp) -> State {
        State {
            since,
            anchor: None,
            last_fixed: None,
            last_fixed_local: None,
            phase: Phase::Idle,
            shown: 0,
            answered: None,
        }
    }

    /// Folds one history event into the state (restart continuation);
    /// `offset`, the local offset it was written with, where known.
    fn apply(&mut self, e: &Event, offset: Option<jiff::tz::Offset>) {
        if e.device.is_some() && e.outcome != Outcome::Elsewhere {
            self.apply_remote(e, e.at, offset);
            return;
        }
        if let (Outcome::Done | Outcome::Skipped, Phase::Pending { due, .. }) =
            (e.outcome, self.phase)
        {
            self.answered = Some(due);
        }
        match e.outcome {
            Outcome::Shown => {
                self.shown += 1;
                let due = e.due.unwrap_or(e.at);
                self.phase = Phase::Pending {
                    shown_at: e.at,
                    due,
                };
                self.handled(due, offset);
            }
            Outcome::Snoozed => {
                let len = e.snooze.unwrap_or(SignedDuration::ZERO);
                let until = e.at.checked_add(len).unwrap_or(e.at);
                self.phase = Phase::Snoozed { at: e.at, until };
            }
            Outcome::Missed => {
                if let Some(due) = e.due {
                    self.handled(due, offset);
                }
            }
            o if o.is_terminal() => {
                self.anchor = Some(e.at);
                self.phase = Phase::Idle;
            }
            // A break taken with nothing showing: the interval restarts.
            Outcome::Took => self.anchor = Some(e.at),
            // Another device answered this showing: it ended here too.
            Outcome::Elsewhere => {
                self.anchor = Some(e.at);
                self.phase = Phase::Idle;
            }
            _ => {}
        }
    }

    /// Another device's event: a break there is a break here (the
    /// interval counts from it, `at`, no earlier than the last one), and
    /// the fixed-time occurrence it answered is handled. Its showings,
    /// snoozes and unanswered ends change nothing here.
    fn apply_remote(&mut self, e: &Event, at: Timestamp, offset: Option<jiff::tz::Offset>) {
        if !e.is_break_elsewhere() {
            return;
        }
        if e.due.is_some() {
            self.answered = e.due;
        }
        self.anchor = self.anchor.max(Some(at));
        if let Some(due) = e.due {
            self.handled(due, offset);
        }
    }

    /// A fixed-time occurrence (`due`) was handled, at `offset` from UTC.
    fn handled(&mut self, due: Timestamp, offset: Option<jiff::tz::Offset>) {
        self.last_fixed = self.last_fixed.max(Some(due));
        if let Some(o) = offset {
            self.last_fixed_local = self.last_fixed_local.max(Some(o.to_datetime(due)));
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
/// is made on a copy: see [`Decision`].
#[derive(Clone)]
pub struct Engine {
    config: Config,
    states: HashMap<String, State>,
    pause: Option<Pause>,
    /// Idle or locked since then.
    away: Option<Timestamp>,
    holds: Holds,
    /// The meeting started by hand, if one runs.
    meeting: Option<Meeting>,
    /// The calendars' busy times ahead.
    busy: Vec<Meeting>,
    /// The hold under way (any reason): its catch-up break is owed once
    /// it ends, if it lasted `catch_up_after`.
    held: Option<Held>,
    /// A catch-up break owed: how long the hold was, and why.
    catch_up: Option<(SignedDuration, HoldReason)>,
    /// Other devices' presence: active, or away since, by name.
    elsewhere: std::collections::BTreeMap<String, (bool, Timestamp)>,
}

/// A decision not yet made: the engine as it would be after some inputs,
/// and the effects that take it there. The runtime writes the step's
/// records (write-ahead) and only then [commits](Engine::commit) it; a step
/// dropped (the write failed, or an input was refused) changed nothing.
#[derive(Clone)]
pub struct Decision {
    next: Engine,
    effects: Vec<Effect>,
}

impl Decision {
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

    /// Other devices' events this step keeps.
    pub fn imports(&self) -> impl Iterator<Item = &Remote> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Import(r) => Some(r),
            _ => None,
        })
    }

    /// Whether anything must reach the disk before the step is committed.
    pub fn needs_write(&self) -> bool {
        self.records().next().is_some()
            || self.imports().next().is_some()
            || self.pause_change().is_some()
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
            meeting: None,
            busy: Vec::new(),
            held: None,
            catch_up: None,
            elsewhere: Default::default(),
        }
    }

    /// A decision starting from the engine as it is.
    pub fn begin(&self) -> Decision {
        Decision {
            next: self.clone(),
            effects: Vec::new(),
        }
    }

    /// Makes a step's decision: the engine becomes what the step computed.
    /// Returns its effects, to carry out now that its records are on disk.
    pub fn commit(&mut self, step: Decision) -> Vec<Effect> {
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
        self.restore_local(events.into_iter().map(|e| (e, None)));
    }

    /// The same, each event with the local offset it was written at, so an
    /// occurrence answered today is not shown again today after the zone
    /// moved west.
    pub fn restore_local<'a>(
        &mut self,
        events: impl IntoIterator<Item = (&'a Event, Option<jiff::tz::Offset>)>,
    ) {
        for (e, offset) in events {
            if let Some(s) = self.states.get_mut(&e.reminder) {
                s.apply(e, offset);
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
    pub(super) fn is_holding(&self) -> bool {
        self.is_paused() || !self.holds.is_empty()
    }

    /// Since when the person is away, if they are.
    pub fn away(&self) -> Option<Timestamp> {
        self.away
    }

    /// Whether another device has been in use since `since` (active now,
    /// or gone away after it): the person was there, not on a break. A
    /// device in use since more than [`ACTIVE_AT_MOST`] without a word
    /// (killed, or its file no longer carried) is not taken as in use.
    pub fn active_elsewhere_since(&self, since: Timestamp, t: Timestamp) -> bool {
        self.elsewhere.values().any(|(active, at)| {
            (*active && t.duration_since(*at) < ACTIVE_AT_MOST) || (!*active && *at > since)
        })
    }

    /// Away here, but in use on another device meanwhile.
    fn away_but_elsewhere(&self, t: Timestamp) -> bool {
        self.away.is_some_and(|s| self.active_elsewhere_since(s, t))
    }

    /// What holds reminders back now, besides a pause.
    pub fn holds(&self) -> &Holds {
        &self.holds
    }

    /// The meeting holding reminders now (by hand, else a calendar's), as
    /// of the last step.
    pub fn meeting_now(&self) -> Option<&Meeting> {
        if !self.holds.contains(&HoldReason::Meeting) {
            return None;
        }
        self.meeting.as_ref().or_else(|| self.busy.first())
    }

    /// Whether the meeting now was started by hand.
    pub fn meeting_by_hand(&self) -> bool {
        self.meeting.is_some()
    }

    /// Brings the meeting hold up to `t` (a meeting by hand past its end
    /// is over; calendar times past are dropped), then the hold's record.
    pub(super) fn refresh_meetings(&mut self, t: Timestamp) {
        if self.meeting.as_ref().is_some_and(|m| m.end <= t) {
            debug!("the meeting by hand reached its end");
            self.meeting = None;
        }
        self.busy.retain(|b| b.end > t);
        let on = self.meeting.is_some() || self.busy.first().is_some_and(|b| b.start <= t);
        if on {
            self.holds.insert(HoldReason::Meeting);
        } else {
            self.holds.remove(&HoldReason::Meeting);
        }
        self.track_hold(t);
    }

    /// Keeps the record of the hold under way: begun now, or over now
    /// (owing a catch-up break when it lasted long enough).
    pub(super) fn track_hold(&mut self, t: Timestamp) {
        // The reason that names it: a meeting, else a call, else the rest.
        let named = [
            HoldReason::Meeting,
            HoldReason::Call,
            HoldReason::Fullscreen,
            HoldReason::DoNotDisturb,
        ]
        .into_iter()
        .find(|r| self.holds.contains(r));
        match (named, self.held) {
            (Some(reason), None) => self.held = Some(Held { since: t, reason }),
            (Some(reason), Some(h))
                if reason == HoldReason::Meeting
                    || (reason == HoldReason::Call && h.reason != HoldReason::Meeting) =>
            {
                self.held = Some(Held { reason, ..h });
            }
            (None, Some(h)) => {
                self.held = None;
                let lasted = t.duration_since(h.since);
                let after = self.config.general.catch_up_after;
                if !after.is_zero() && lasted >= after {
                    debug!(
                        "held {lasted:#} ({}): a catch-up break is owed",
                        h.reason.name()
                    );
                    self.catch_up = Some((lasted, h.reason));
                }
            }
            _ => {}
        }
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
}

impl EngineError {
    /// No reminder `id` among the enabled ones of `config`.
    pub fn unknown(config: &Config, id: &str) -> EngineError {
        EngineError::UnknownReminder(
            id.to_string(),
            config.enabled().map(|r| r.id.clone()).collect(),
        )
    }
}

/// ": did you mean "stand"?", or the ids there are.
fn known_ids(id: &str, known: &[String]) -> String {
    match crate::core::spell::nearest(id, known.iter().map(String::as_str)) {
        Some(near) => format!(": did you mean {near:?}?"),
        None if known.is_empty() => ": no reminder is enabled".to_string(),
        None => format!(": the reminders are {}", known.join(", ")),
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
        _ => Err(EngineError::unknown(config, id)),
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
        device: None,
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
    s.apply(&e, None);
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
