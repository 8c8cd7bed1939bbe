//! The engine's inputs: [`Engine::handle`] hands each to a method of its
//! own (an answer, a guided routine's end, a trigger, away and back, a
//! hold, pause and resume).

use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use tracing::debug;

use super::*;
use crate::core::routine::Progress;

impl Engine {
    /// Applies one command.
    pub fn handle(
        &mut self,
        input: Input,
        now: &ZonedDateTime,
    ) -> Result<Vec<Effect>, EngineError> {
        let t = now.timestamp();
        self.normalize_clock(t);
        self.refresh_meetings(t);
        let mut effects = Vec::new();
        match input {
            Input::Answer { id, answer, source } => {
                self.answer(id, answer, source, t, &mut effects)?
            }
            Input::Guided {
                id,
                answer,
                progress,
            } => self.guided(id, answer, progress, now, &mut effects)?,
            Input::Trigger { id, source } => self.trigger(id, source, t, &mut effects)?,
            Input::Took { id, source } => self.took(id, source, t, &mut effects)?,
            Input::Away { since } => {
                debug!("away since {since}");
                self.away = Some(since.min(t));
            }
            Input::Back => self.back(t),
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
                self.track_hold(t);
            }
            Input::MeetingStart { until } => {
                let end = until
                    .filter(|u| *u > t)
                    .or_else(|| t.checked_add(MEETING_LONGEST).ok())
                    .unwrap_or(Timestamp::MAX);
                debug!("a meeting by hand until {end}");
                self.meeting = Some(Meeting {
                    start: t,
                    end,
                    title: None,
                });
                self.refresh_meetings(t);
            }
            Input::MeetingEnd => {
                if self.meeting.take().is_none() {
                    return Err(EngineError::NoMeeting);
                }
                debug!("the meeting by hand ended");
                self.refresh_meetings(t);
            }
            Input::Busy(mut times) => {
                times.sort_by_key(|m| m.start);
                self.busy = times;
                self.refresh_meetings(t);
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
            Input::Remote(r) => self.remote(r, t, &mut effects),
            Input::Seen(s) => {
                let newer = self
                    .elsewhere
                    .get(&s.device)
                    .is_none_or(|(_, at)| *at <= s.at);
                if newer {
                    debug!(
                        "{} {} since {}",
                        s.device,
                        if s.active { "active" } else { "away" },
                        s.at
                    );
                    self.elsewhere.insert(s.device, (s.active, s.at.min(t)));
                }
            }
        }
        Ok(effects)
    }

    /// Another device's event. Kept; an answer there (done, skip, a break
    /// taken) for a reminder showing or snoozed here, whose occurrence is
    /// within the reminder's snooze length of this showing's, takes this
    /// showing down as answered elsewhere. Either way the interval counts
    /// from that break (one in the future, by a clock ahead, counts from
    /// now). An unknown reminder is only kept.
    fn remote(&mut self, mut r: Remote, t: Timestamp, effects: &mut Vec<Effect>) {
        let e = r.event.clone();
        let offset = r.offset;
        let (Some(rem), Some(s), Some(device)) = (
            self.config.reminder(&e.reminder),
            self.states.get_mut(&e.reminder),
            e.device.clone(),
        ) else {
            effects.push(Effect::Import(r));
            return;
        };
        // A snooze there of the occurrence showing here takes it down too:
        // the person answered it there, and it comes back there.
        let snoozed = e.outcome == Outcome::Snoozed;
        if !e.is_break_elsewhere() && !snoozed {
            effects.push(Effect::Import(r));
            return;
        }
        let occurrence = e.due.unwrap_or(e.at);
        // Both answered the same occurrence (at the same second, say): one
        // break. Each device counts the answer it had first.
        r.repeat = !snoozed
            && e.due.is_some()
            && s.answered
                .is_some_and(|a| occurrence.duration_since(a).abs() <= rem.snooze);
        if r.repeat {
            debug!(reminder = %rem.id, "answered on {device} too: counted once");
            effects.push(Effect::Import(r));
            s.anchor = s.anchor.max(Some(e.at.min(t)));
            return;
        }
        effects.push(Effect::Import(r));
        let here = match s.phase {
            Phase::Pending { due, .. } => Some((due, true)),
            Phase::Snoozed { at, .. } if !snoozed => Some((at, false)),
            _ => None,
        };
        if let Some((mine, up)) = here
            && occurrence.duration_since(mine).abs() <= rem.snooze
        {
            debug!(reminder = %rem.id, "answered on {device}: taken down here");
            if up {
                effects.push(Effect::Close { id: rem.id.clone() });
            }
            let mut ended = event(rem, t, Outcome::Elsewhere, Source::Sync);
            ended.device = Some(device);
            s.apply(&ended, None);
            effects.push(Effect::Record(ended));
        }
        if !snoozed {
            s.apply_remote(&e, e.at.min(t), Some(offset));
        }
    }

    /// Done, skip, snooze, dismissed or expired, for the named reminder or
    /// the one open.
    fn answer(
        &mut self,
        id: Option<String>,
        answer: Answer,
        source: Source,
        t: Timestamp,
        effects: &mut Vec<Effect>,
    ) -> Result<(), EngineError> {
        let id = self.resolve_target(id, &answer)?;
        let (r, s) = lookup(&self.config, &mut self.states, &id)?;
        let open = s.is_open();
        // A notification answers its own showing, once: a second click
        // (a double click on a resident notification) finds it snoozed or
        // over, and is no second answer.
        if source == Source::Notification && !matches!(s.phase, Phase::Pending { .. }) {
            return match answer {
                Answer::Dismissed | Answer::Expired => Ok(()),
                _ => Err(EngineError::NotPending(id)),
            };
        }
        let (outcome, snooze) = match answer {
            // Done with nothing showing would count a showing that
            // never was (stats' SHOWN); `trigger` first shows it.
            Answer::Done if open => (Outcome::Done, None),
            Answer::Skip if open => (Outcome::Skipped, None),
            Answer::Snooze(len) if open => (Outcome::Snoozed, Some(len.unwrap_or(r.snooze))),
            Answer::Dismissed | Answer::Expired if !matches!(s.phase, Phase::Pending { .. }) => {
                // A late signal for a showing that already ended.
                debug!(reminder = %id, "{answer:?} for a reminder not showing: ignored");
                return Ok(());
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
        s.apply(&e, None);
        effects.push(Effect::Record(e));
        Ok(())
    }

    /// A guided routine ended: its answer, with how far it got. A reminder
    /// not showing is recorded shown as the routine began.
    fn guided(
        &mut self,
        id: String,
        answer: Answer,
        progress: Progress,
        now: &ZonedDateTime,
        effects: &mut Vec<Effect>,
    ) -> Result<(), EngineError> {
        let t = now.timestamp();
        self.check_progress(&progress)?;
        let (_, st) = lookup(&self.config, &mut self.states, &id)?;
        let was_open = st.is_open();
        if !was_open {
            // The routine was its showing: recorded as begun when the
            // routine began, and no notification is put up (nor taken
            // down) for it.
            let began = t
                .checked_sub(SignedDuration::from_secs(i64::from(progress.seconds)))
                .unwrap_or(t);
            let mut shown = Vec::new();
            self.trigger(id.clone(), Source::Guided, t, &mut shown)?;
            for e in shown {
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
        let mut answered = Vec::new();
        self.answer(Some(id.clone()), answer, Source::Guided, t, &mut answered)?;
        for mut e in answered {
            match &mut e {
                Effect::Close { .. } if !was_open => continue,
                Effect::Record(ev) if ev.reminder == id => {
                    ev.progress = Some(progress.clone());
                }
                _ => {}
            }
            effects.push(e);
        }
        Ok(())
    }

    /// A routine's progress as the config knows it can be: the routine
    /// exists, at most all its steps done, and no longer spent in it than
    /// it takes (and a minute's slack for a slow notification server).
    fn check_progress(&self, p: &Progress) -> Result<(), EngineError> {
        let Some(routine) = self.config.routines.iter().find(|r| r.id == p.routine) else {
            return Err(EngineError::UnknownRoutine(p.routine.clone()));
        };
        let of = routine.cue_count();
        let bad = |why: String| EngineError::BadProgress {
            routine: routine.id.clone(),
            of,
            why,
        };
        if u64::from(p.of) != of {
            return Err(bad(format!("not {}", p.of)));
        }
        if p.done > p.of {
            return Err(bad(format!("{} cannot be done", p.done)));
        }
        let most = routine.length().as_secs().saturating_add(60);
        if i64::from(p.seconds) > most {
            return Err(bad(format!(
                "it takes {} s, not {} s",
                routine.length().as_secs(),
                p.seconds
            )));
        }
        Ok(())
    }

    /// A reminder by its id or else by a kind: its first enabled reminder
    /// (the application entry's "Stand up now" actions cannot know the ids
    /// of a person's config).
    fn by_id_or_kind(&self, id: String) -> String {
        match self.config.reminder(&id) {
            Some(_) => id,
            None => Kind::ALL
                .iter()
                .find(|k| k.as_str() == id)
                .and_then(|k| self.config.enabled().find(|r| r.kind == *k))
                .map_or(id, |r| r.id.clone()),
        }
    }

    /// A break taken on one's own: the reminder's showing (or snooze) is
    /// done; with none, it is recorded as taken and its interval restarts.
    fn took(
        &mut self,
        id: String,
        source: Source,
        t: Timestamp,
        effects: &mut Vec<Effect>,
    ) -> Result<(), EngineError> {
        let id = self.by_id_or_kind(id);
        let (r, s) = lookup(&self.config, &mut self.states, &id)?;
        if s.is_open() {
            return self.answer(Some(id), Answer::Done, source, t, effects);
        }
        debug!(reminder = %id, "a break taken on one's own, from {}", source.as_str());
        let e = event(r, t, Outcome::Took, source);
        s.apply(&e, None);
        effects.push(Effect::Record(e));
        Ok(())
    }

    /// Shows a reminder now, by its id or else by a kind.
    fn trigger(
        &mut self,
        id: String,
        source: Source,
        t: Timestamp,
        effects: &mut Vec<Effect>,
    ) -> Result<(), EngineError> {
        let id = self.by_id_or_kind(id);
        let (r, s) = lookup(&self.config, &mut self.states, &id)?;
        if matches!(s.phase, Phase::Pending { .. }) {
            return Err(EngineError::AlreadyShowing(id));
        }
        show(r, s, t, t, Cause::Manual, source, effects);
        Ok(())
    }

    /// The person is back: away long enough to count is a break, so every
    /// interval counts from now.
    fn back(&mut self, t: Timestamp) {
        let Some(since) = self.away.take() else {
            return;
        };
        if self.active_elsewhere_since(since, t) {
            debug!("back; in use on another device meanwhile: no break, intervals go on");
            return;
        }
        debug!(
            "back after {}: intervals start again",
            crate::core::time::humane(t.duration_since(since))
        );
        for r in self.config.enabled() {
            if let (Schedule::Every { .. }, Some(s)) = (&r.schedule, self.states.get_mut(&r.id))
                && s.phase == Phase::Idle
            {
                s.anchor = Some(t);
            }
        }
    }

    /// The reminder an answer is for: the named one, or the one open.
    fn resolve_target(&self, id: Option<String>, answer: &Answer) -> Result<String, EngineError> {
        if let Some(id) = id {
            if !self.states.contains_key(&id) {
                return Err(EngineError::unknown(&self.config, &id));
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
