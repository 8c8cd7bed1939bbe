//! What the presence sources said, and what the engine is told because of
//! it. The raw facts are kept apart from the config, so a reload that
//! changes `away_after`, `respect_dnd`, `respect_fullscreen` or `respect_calls` re-applies
//! them at once.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::BoxFuture;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use tracing::{debug, info, warn};

use super::Daemon;
use super::write::{Origin, Redo};
use crate::core::{General, HoldReason, Holds, IdleInhibitors, Input};
use crate::presence::{Change, Dnd, IdleSource, RECHECK, Watch};
use crate::store::HoldMark;

/// The longest the loop waits for an idle-time sample (a D-Bus call, or
/// the X server on a blocking thread) before it goes on without one.
const SAMPLE_TIMEOUT: Duration = Duration::from_millis(500);

/// While away or held, the idle-time source is asked again every 30 s (where
/// it cannot signal the return) only if a reminder could come within this.
const SOON: SignedDuration = SignedDuration::from_hours(1);

/// The raw facts, each with the time it began.
#[derive(Debug, Default)]
pub struct Presence {
    /// Locked, by the screensaver's state.
    pub locked: Option<Timestamp>,
    /// Locked by logind's Lock request (or LockedHint): until Unlock, the
    /// hint going off, or input after it.
    pub session_locked: Option<Timestamp>,
    pub asleep: Option<Timestamp>,
    /// No input for away_after, by the idle-time source: since the last input.
    pub idle: Option<Timestamp>,
    /// The desktop's own idle hint (logind), used without an idle-time source.
    pub desktop_idle: Option<Timestamp>,
    pub fullscreen: bool,
    pub dnd: BTreeSet<Dnd>,
    /// The applications capturing the microphone (a call), by name.
    pub capturing: Vec<String>,
}

/// What the engine should be told: away since when, and which holds.
#[derive(Debug, PartialEq, Eq)]
struct Wanted {
    pub away: Option<Timestamp>,
    pub holds: Holds,
}

impl Presence {
    /// The facts read through the config. `away_after = "0s"` ignores
    /// lock, idle and sleep; the desktop's idle hint counts only where no
    /// idle-time source exists.
    fn wanted(&self, g: &General, has_idle_source: bool) -> Wanted {
        let mut away = None;
        if !g.away_after.is_zero() {
            let hint = self.desktop_idle.filter(|_| !has_idle_source);
            away = [
                self.locked,
                self.session_locked,
                self.asleep,
                self.idle,
                hint,
            ]
            .into_iter()
            .flatten()
            .min();
        }
        let mut holds = Holds::new();
        if g.respect_dnd && !self.dnd.is_empty() {
            holds.insert(HoldReason::DoNotDisturb);
        }
        if g.respect_fullscreen && self.fullscreen {
            holds.insert(HoldReason::Fullscreen);
        }
        if g.respect_calls && !self.calls(g).0.is_empty() {
            holds.insert(HoldReason::Call);
        }
        Wanted { away, holds }
    }
}

impl Presence {
    /// The applications capturing the microphone: those that make a call,
    /// and those `calls_ignore` names (matched without case).
    pub fn calls(&self, g: &General) -> (Vec<String>, Vec<String>) {
        self.capturing
            .iter()
            .cloned()
            .partition(|app| !crate::core::model::call_ignored(&g.calls_ignore, app))
    }
}

/// When to ask a source that cannot signal again: in 30 s if a reminder
/// could come within [`SOON`], else when one could; never with none due.
fn look_again(next_due: Option<Timestamp>, t: Timestamp) -> Option<Timestamp> {
    match next_due {
        Some(due) if due.duration_since(t) <= SOON => t.checked_add(RECHECK).ok(),
        Some(due) => due.checked_sub(SOON).ok(),
        None => None,
    }
}

impl Daemon {
    /// Tells the engine what changed between the facts and its state, as
    /// one decision.
    pub(super) fn sync_presence(&mut self) {
        self.presence_dirty = false;
        let now = self.clock.now();
        let want = self
            .presence
            .wanted(&self.engine.config().general, self.has_idle_source);
        let mut step = self.engine.begin();
        let mut inputs = Vec::new();
        // Holds are noted as the decision writes (see `decide`); away
        // here, where it is known whether the screen was locked.
        let mut marks = Vec::new();
        let mark = |reason, on, at| HoldMark { reason, on, at };
        for reason in HoldReason::PRESENCE {
            let on = want.holds.contains(&reason);
            if on != self.engine.holds().contains(&reason) {
                inputs.push(Input::Hold { reason, on });
            }
        }
        match (want.away, self.engine.away()) {
            (Some(since), None) => {
                inputs.push(Input::Away { since });
                let locked =
                    self.presence.locked.is_some() || self.presence.session_locked.is_some();
                marks.push(mark(if locked { "locked" } else { "away" }, true, since));
            }
            (None, Some(_)) => {
                for reason in ["away", "locked"] {
                    marks.push(mark(reason, false, now.timestamp()));
                }
                // What fell due while away is a break: credit it before
                // the intervals start again from now.
                step.tick(&now);
                inputs.push(Input::Back);
            }
            _ => {}
        }
        for input in inputs {
            if let Err(e) = step.handle(input, &now) {
                warn!("presence: {e}");
            }
        }
        self.hold_marks = marks;
        self.decide(step, now, Origin::Schedule(Redo::Presence));
    }

    /// While away by idle time or held by a fullscreen window, how the
    /// loop sees it end: the source's signal of the next input (or of the
    /// fullscreen window's end) where it has one (free, so always); else the next wake is brought forward to ask
    /// again in 30 s, but only while a reminder could come within
    /// [`SOON`], and otherwise to when one could.
    pub(super) fn watch_for_return<'s>(
        &self,
        source: &'s dyn IdleSource,
        next: Option<Timestamp>,
        now: &ZonedDateTime,
    ) -> (Option<Timestamp>, Option<BoxFuture<'s, ()>>) {
        let p = &self.presence;
        let held = p.fullscreen && self.engine.config().general.respect_fullscreen;
        // A screensaver lock and sleep end by their own signal.
        let signalled = p.locked.is_some() || p.asleep.is_some();
        if signalled || (p.idle.is_none() && p.session_locked.is_none() && !held) {
            return (next, None);
        }
        if (!held || source.signals_fullscreen())
            && let Some(signal) = source.next_input()
        {
            return (next, Some(signal));
        }
        let look = look_again(self.engine.next_due(now), now.timestamp());
        (next.min(look).or(look).or(next), None)
    }

    /// Asks the idle-time source (at a wake): away after away_after without
    /// input, back at the first input; held while a fullscreen window is active.
    pub(super) async fn sample_idle(&mut self, source: &dyn IdleSource, now: &ZonedDateTime) {
        let g = &self.engine.config().general;
        source.watch(Watch {
            after: g.away_after.unsigned_abs(),
            inhibitors: g.idle_inhibitors == IdleInhibitors::Respect,
        });
        let sample = match tokio::time::timeout(SAMPLE_TIMEOUT, source.sample()).await {
            Ok(Some(sample)) => sample,
            Ok(None) => return,
            Err(_) => {
                debug!("{} did not answer in time: no idle sample", source.name());
                return;
            }
        };
        let g = &self.engine.config().general;
        if let Some(full) = sample.fullscreen
            && full != self.presence.fullscreen
        {
            self.presence.fullscreen = full;
            info!(
                "fullscreen window {}",
                match (full, g.respect_fullscreen) {
                    (true, true) => "active: reminders wait",
                    (true, false) => "active (respect_fullscreen = false: reminders still show)",
                    (false, _) => "gone",
                }
            );
        }
        let away_after = g.away_after;
        let idle = SignedDuration::try_from(sample.idle).unwrap_or(SignedDuration::ZERO);
        let last_input = now.timestamp().checked_sub(idle).unwrap_or(now.timestamp());
        if let Some(since) = self.presence.session_locked
            && last_input > since
        {
            info!("input after the session lock: back");
            self.presence.session_locked = None;
        }
        let idle_now = !away_after.is_zero() && idle >= away_after;
        match (idle_now, self.presence.idle) {
            (true, None) => {
                info!(
                    "no input for {}: away (intervals due meanwhile count as breaks)",
                    crate::core::time::humane(idle)
                );
                // Away never begins before this daemon did: what came
                // before it is not known to have been a break.
                self.presence.idle = Some(last_input.max(self.started));
            }
            (false, Some(_)) => {
                info!("input again: back");
                self.presence.idle = None;
            }
            _ => {}
        }
        self.presence_dirty = true;
    }

    /// An event source reported a change.
    pub(super) fn presence_changed(&mut self, change: Change) {
        let now = self.clock.now();
        let t = now.timestamp();
        let counts = !self.engine.config().general.away_after.is_zero();
        let away = if counts {
            "away (intervals due meanwhile count as breaks)"
        } else {
            "not counted as away (away_after = 0s)"
        };
        let p = &mut self.presence;
        match change {
            Change::Locked(true) if p.locked.is_none() => {
                info!("screen locked: {away}");
                p.locked = Some(t);
            }
            Change::Locked(false) if p.locked.is_some() => {
                info!("screen unlocked: back");
                p.locked = None;
                // Unlocking is input.
                p.idle = None;
                p.session_locked = None;
                p.desktop_idle = None;
            }
            Change::Locked(_) => {}
            Change::SessionLocked(true) if p.session_locked.is_none() => {
                info!("session locked: {away}");
                p.session_locked = Some(t);
            }
            Change::SessionLocked(false) if p.session_locked.is_some() => {
                info!("session unlocked: back");
                p.session_locked = None;
                p.idle = None;
                p.desktop_idle = None;
            }
            Change::SessionLocked(_) => {}
            Change::DesktopIdle { since } => {
                if self.has_idle_source {
                    debug!("the desktop says idle (the idle time decides here)");
                } else {
                    info!("the desktop says idle: {away}");
                }
                // Its time is on the system clock; ours may be offset (tests).
                let since = since.and_then(|s| s.checked_add(self.clock.offset()).ok());
                p.desktop_idle = Some(since.map_or(t, |s| s.min(t)));
            }
            Change::DesktopActive => {
                if p.desktop_idle.take().is_some() {
                    info!("the desktop says active: back");
                }
            }
            Change::Sleeping { ack } => {
                info!("going to sleep: {away}");
                p.asleep = Some(t);
                // Released once the engine has heard (see `succeeded`).
                self.sleep_acks.push(ack);
            }
            Change::Woke => {
                info!("woke up from sleep");
                p.asleep = None;
            }
            Change::DoNotDisturb { by, on } => {
                let changed = if on {
                    p.dnd.insert(by)
                } else {
                    p.dnd.remove(&by)
                };
                if changed {
                    let respect = self.engine.config().general.respect_dnd;
                    info!(
                        "do-not-disturb {}",
                        match (on, respect) {
                            (true, true) => "on: reminders wait",
                            (true, false) => "on (respect_dnd = false: reminders still show)",
                            (false, _) => "off",
                        }
                    );
                }
            }
            Change::Capturing(apps) if apps != p.capturing => {
                let g = &self.engine.config().general;
                let respect = g.respect_calls;
                p.capturing = apps;
                let (apps, ignored) = p.calls(g);
                if !ignored.is_empty() {
                    info!(
                        "{} captures the microphone: ignored (calls_ignore)",
                        ignored.join(", ")
                    );
                }
                match (apps.is_empty(), respect) {
                    (true, _) => {
                        info!("no application captures the microphone now: the call ended")
                    }
                    (false, true) => info!(
                        "a call: {} captures the microphone: reminders wait",
                        apps.join(", ")
                    ),
                    (false, false) => info!(
                        "a call: {} captures the microphone (respect_calls = false: reminders still show)",
                        apps.join(", ")
                    ),
                }
            }
            Change::Capturing(_) => {}
        }
        self.presence_dirty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(toml: &str) -> General {
        crate::config::parse(&format!("[general]\n{toml}"), "test")
            .unwrap()
            .0
            .general
    }

    fn at(s: i64) -> Option<Timestamp> {
        Some(Timestamp::from_second(s).unwrap())
    }

    #[test]
    fn asks_again_every_30s_only_when_a_reminder_is_near() {
        let t = Timestamp::from_second(1_000_000).unwrap();
        let secs = |n| t.checked_add(SignedDuration::from_secs(n)).unwrap();
        // Due in 20 min, or overdue (a fixed time waiting): look in 30 s.
        assert_eq!(look_again(Some(secs(1200)), t), Some(secs(30)));
        assert_eq!(look_again(Some(secs(-600)), t), Some(secs(30)));
        // Due in 5 h: not before 4 h from now.
        assert_eq!(look_again(Some(secs(5 * 3600)), t), Some(secs(4 * 3600)));
        // Nothing could come: no look.
        assert_eq!(look_again(None, t), None);
    }

    #[test]
    fn the_earliest_reason_is_when_away_began() {
        let g = general("");
        let p = Presence {
            locked: at(200),
            idle: at(100),
            ..Presence::default()
        };
        assert_eq!(p.wanted(&g, true).away, at(100));
    }

    #[test]
    fn away_after_zero_ignores_lock_idle_and_sleep() {
        let g = general("away_after = \"0s\"");
        let p = Presence {
            locked: at(1),
            asleep: at(2),
            idle: at(3),
            ..Presence::default()
        };
        assert_eq!(p.wanted(&g, true).away, None);
    }

    #[test]
    fn the_desktop_hint_counts_only_without_an_idle_source() {
        let g = general("");
        let p = Presence {
            desktop_idle: at(5),
            ..Presence::default()
        };
        assert_eq!(p.wanted(&g, false).away, at(5));
        assert_eq!(p.wanted(&g, true).away, None);
    }

    #[test]
    fn holds_follow_the_config() {
        let mut p = Presence {
            fullscreen: true,
            capturing: vec!["Zoom".into()],
            ..Presence::default()
        };
        p.dnd.insert(Dnd::Gnome);
        let g = general("");
        let both = Holds::from(HoldReason::PRESENCE);
        assert_eq!(p.wanted(&g, true).holds, both);
        let g = general("respect_calls = false");
        assert!(!p.wanted(&g, true).holds.contains(&HoldReason::Call));
        let g = general("respect_dnd = false\nrespect_fullscreen = false\nrespect_calls = false");
        assert!(p.wanted(&g, true).holds.is_empty());
        // One of two switches off: still held.
        p.dnd.insert(Dnd::Server);
        p.dnd.remove(&Dnd::Gnome);
        assert_eq!(p.wanted(&general(""), true).holds, both);
    }
}
