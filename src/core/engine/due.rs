//! When things fall due: the interval and fixed-time rules, and the
//! engine's `tick`, `next_wake`, `next_due` and `upcoming`.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use tracing::debug;

use super::*;
use crate::core::time::{Window, resolve_local};

/// The first instant after the `anchor` at which an interval reminder is due,
/// inside an opening of `window` that has not closed before `now`. The result
/// is at or before `now` when it is due now: however many intervals a gap
/// swallowed, this is a single instant, so a gap never makes a burst.
fn interval_due(
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
fn next_fixed(
    after: Timestamp,
    times: &[Time],
    days: crate::core::time::Days,
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

/// The first fixed-time occurrence after `after` not handled already: one
/// whose local date and time is later than the last handled occurrence's,
/// in the zone it was handled in. (By the instant alone, a zone moved west
/// would bring today's 11:00 again; the same rule as the autumn fold.)
fn next_unhandled(
    s: &State,
    mut after: Timestamp,
    times: &[Time],
    days: crate::core::time::Days,
    tz: &TimeZone,
) -> Option<Timestamp> {
    // Each occurrence skipped is a time of the day already answered: about
    // a day's worth at most. Past that bound the next one counts anyway:
    // better shown than never.
    for _ in 0..2 * times.len() + 2 {
        let o = next_fixed(after, times, days, tz)?;
        match s.last_fixed_local {
            Some(done) if tz.to_datetime(o) <= done => after = o,
            _ => return Some(o),
        }
    }
    next_fixed(after, times, days, tz)
}

impl Engine {
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
        self.refresh_meetings(t);
        let holding = self.is_holding();
        let away = self.away;
        let quiet = holding || away.is_some();
        // Away here while in use elsewhere: not a break, and nothing shows
        // here; intervals wait for the return.
        let elsewhere = self.away_but_elsewhere(t);
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
        if !busy && self.catch_up.is_some() {
            busy = self.catch_up(t, &tz, &mut effects);
        }
        let g = &self.config.general;
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
                    if due <= t && elsewhere {
                        debug!(reminder = %r.id, "due at {due} while away here but active elsewhere: waits");
                    } else if due <= t && away.is_some() {
                        // The person is away from the desk: that is the break.
                        debug!(reminder = %r.id, "due at {due} while away: a natural break");
                        let mut e = event(r, t, Outcome::Away, Source::Schedule);
                        e.due = Some(due);
                        s.apply(&e, None);
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
                    while let Some(o) = next_unhandled(s, after, times, *days, &tz) {
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
                        s.handled(o, Some(tz.to_offset(o)));
                        after = o;
                    }
                }
            }
        }
        effects
    }

    /// The catch-up break owed after a long hold, once nothing holds or
    /// shows: the most overdue movement reminder (stand; else any interval
    /// reminder), worded for the occasion. Away or paused, it is dropped:
    /// that is a break, or a choice. Returns whether one is showing.
    fn catch_up(
        &mut self,
        t: Timestamp,
        tz: &jiff::tz::TimeZone,
        effects: &mut Vec<Effect>,
    ) -> bool {
        if self.is_holding() && !self.is_paused() {
            return false;
        }
        let Some((lasted, reason)) = self.catch_up.take() else {
            return false;
        };
        if self.away.is_some() || self.is_paused() {
            debug!("catch-up break dropped: away or paused");
            return false;
        }
        let due_of = |r: &Reminder| match (&r.schedule, self.states.get(&r.id)) {
            (Schedule::Every { every, window }, Some(s)) if s.phase == Phase::Idle => {
                interval_due(s.anchor.unwrap_or(s.since), *every, window, t, tz)
            }
            _ => None,
        };
        let pick = |movement: bool| {
            self.config
                .enabled()
                .filter(|r| !movement || r.kind == Kind::Stand)
                .filter_map(|r| Some((due_of(r)?, r.id.clone())))
                .min()
        };
        let Some((due, id)) = pick(true).or_else(|| pick(false)) else {
            debug!("catch-up break: no interval reminder free to show");
            return false;
        };
        let (Some(r), Some(s)) = (self.config.reminder(&id), self.states.get_mut(&id)) else {
            return false;
        };
        debug!(reminder = %id, "catch-up break after {lasted:#} {}", reason.been());
        let from = effects.len();
        show(
            r,
            s,
            t,
            due.min(t),
            Cause::CatchUp,
            Source::CatchUp,
            effects,
        );
        for e in &mut effects[from..] {
            if let Effect::Show(req) = e {
                req.body = format!(
                    "You've been {} for {} — stand up and move?",
                    reason.been(),
                    crate::core::time::humane(lasted)
                );
            }
        }
        true
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
        // A meeting's start and end; a catch-up break owed, at once.
        consider(self.meeting.as_ref().map(|m| m.end));
        if let Some(b) = self.busy.first() {
            consider(Some(if b.start > t { b.start } else { b.end }));
        }
        if self.catch_up.is_some() && !holding && !busy {
            consider(Some(t));
        }
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
                Schedule::Every { .. } => !holding && !busy && !self.away_but_elsewhere(t),
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
                next_unhandled(s, after, times, *days, tz)
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
}
