//! Write-ahead: a decision of the engine (a [`Decision`]) changes nothing until
//! its history rows are on disk. The store thread writes them while the
//! loop goes on; when the write is done the step is committed and its
//! effects carried out (notifications up or down), or, if the write failed,
//! dropped: the engine is as it was, and whoever gave the answer is told.

use std::time::Duration;

use jiff::ZonedDateTime;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{debug, error, info, warn};

use super::Daemon;
use crate::core::{Config, Decision, Effect, Source};
use crate::notify::Request;
use crate::store::{Batch, StoreError, WriteError, Written};
use crate::vocab::{Command, CommandError, Reply, What};
use crate::wait::{Backoff, or_never};

/// Who a decision is for, which says what to do once it is written or not.
pub(super) enum Origin {
    /// A command: its giver gets `reply` once the rows are on disk.
    Command { cmd: Command, reply: Box<Reply> },
    /// The schedule: a tick, a new config, a change of presence.
    Schedule(Redo),
}

/// A schedule decision, to be made again if its write fails.
pub(super) enum Redo {
    /// The next tick decides again anyway.
    Tick,
    Config(Box<Config>),
    Presence,
    /// The calendars' busy times.
    Busy(Vec<crate::core::Meeting>),
    /// Other devices' events: decided again.
    Remote(Vec<crate::core::Remote>),
}

pub(super) struct Writing {
    step: Decision,
    now: ZonedDateTime,
    origin: Origin,
    rx: oneshot::Receiver<Written>,
}

/// Waits for the write under way; never, without one.
pub(super) async fn finished(writing: &mut Option<Writing>) -> Written {
    or_never(writing.as_mut().map(|w| &mut w.rx))
        .await
        .unwrap_or(Err(WriteError::Stopped))
}

/// The back-off of schedule writes that failed: 1 s, doubling to 60 s.
#[derive(Debug)]
pub(super) struct Retry {
    at: Option<Instant>,
    delay: Backoff,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            at: None,
            delay: Backoff::new(Duration::from_secs(1), Duration::from_secs(60)),
        }
    }
}

impl Retry {
    /// When the schedule may try again, while that is still ahead.
    pub(super) fn waiting(&self) -> Option<Instant> {
        self.at.filter(|t| *t > Instant::now())
    }

    /// Returns whether this is the first failure in a row.
    fn failed(&mut self) -> bool {
        let first = self.at.is_none();
        self.at = Some(Instant::now() + self.delay.next_wait());
        first
    }

    /// Returns whether writes had been failing.
    fn succeeded(&mut self) -> bool {
        let was = self.at.is_some();
        *self = Retry::default();
        was
    }
}

impl Daemon {
    /// Carries out a decision: at once when it writes nothing, else once
    /// its rows are on disk.
    pub(super) fn decide(&mut self, step: Decision, now: ZonedDateTime, origin: Origin) {
        // The holds that begin or end with this decision, whatever made
        // them (presence, a meeting), and away (noted by `sync_presence`).
        let mut holds = std::mem::take(&mut self.hold_marks);
        for reason in crate::core::HoldReason::ALL {
            let is = step.engine().holds().contains(&reason);
            if is != self.engine.holds().contains(&reason) {
                holds.push(crate::store::HoldMark {
                    reason: reason.name(),
                    on: is,
                    at: now.timestamp(),
                });
            }
        }
        if !step.needs_write() {
            // Holds alone are noted on the side: reminders are held at
            // once, whether or not the disk keeps up (or has room).
            if !holds.is_empty() {
                self.note_holds(holds, &now);
            }
            self.commit(step, &now);
            self.succeeded(origin);
            return;
        }
        let batch = Batch {
            events: step.records().cloned().collect(),
            imports: step.imports().cloned().collect(),
            pause: step.pause_change(),
            holds,
            offset: now.offset(),
            // A command's asker gives up at its deadline: not committed after.
            not_after: match &origin {
                Origin::Command { cmd, .. } => cmd.deadline.map(|d| d.into_std()),
                Origin::Schedule(_) => None,
            },
        };
        let rx = self.store.write(batch);
        self.writing = Some(Writing {
            step,
            now,
            origin,
            rx,
        });
    }

    /// Writes holds that began or ended, on their own, without waiting: a
    /// failure is logged (the report then misses that stretch).
    fn note_holds(&self, holds: Vec<crate::store::HoldMark>, now: &ZonedDateTime) {
        let rx = self.store.write(Batch {
            events: Vec::new(),
            imports: Vec::new(),
            pause: None,
            holds,
            offset: now.offset(),
            not_after: None,
        });
        tokio::spawn(async move {
            if let Ok(Err(e)) = rx.await {
                warn!("the time held could not be written: {e}");
            }
        });
    }

    /// The write under way ended.
    pub(super) fn written(&mut self, result: Written) {
        let Some(w) = self.writing.take() else {
            return;
        };
        match result {
            Ok(()) => {
                if self.retry.succeeded() {
                    info!("the history can be written again");
                }
                self.commit(w.step, &w.now);
                self.succeeded(w.origin);
            }
            Err(e) => self.refused(w.origin, e),
        }
    }

    /// Makes the decision and carries out its effects.
    fn commit(&mut self, step: Decision, now: &ZonedDateTime) {
        let dues = self.occurrences(step.effects());
        let away = self.engine.away();
        let effects = self.engine.commit(step);
        if self.engine.away() != away {
            self.share_presence(self.engine.away(), now);
        }
        for effect in effects {
            match effect {
                Effect::Show(req) => {
                    info!(reminder = %req.id, "showing \"{}\" ({:?})", req.title, req.cause);
                    self.notify(Request::Show(req));
                }
                Effect::Close { id } => self.notify(Request::Close(id)),
                Effect::Record(e) => {
                    debug!(reminder = %e.reminder, "recorded {}", e.outcome);
                    self.today.count(&e, now.date());
                    self.share(&e, now, &dues);
                }
                Effect::Import(r) => {
                    debug!(reminder = %r.event.reminder, "kept {} from {}", r.event.outcome, r.id);
                    self.count_remote(&r, now);
                }
                Effect::PauseChanged(Some(p)) => info!(
                    "paused {}",
                    p.until
                        .map_or("until resumed".into(), |u| format!("until {u}"))
                ),
                Effect::PauseChanged(None) => info!("resumed"),
            }
        }
    }

    fn succeeded(&mut self, origin: Origin) {
        match origin {
            Origin::Command { cmd, reply } => {
                // The tray's Start on a reminder not showing: shown now, so
                // the notifier starts its routine once the notification is
                // up. A refused trigger starts nothing.
                if let What::Start { id } = &cmd.what {
                    self.notify(Request::Start(id.clone()));
                }
                cmd.answer(Ok(*reply));
            }
            Origin::Schedule(Redo::Tick | Redo::Remote(_)) => {}
            Origin::Schedule(Redo::Config(c)) => {
                info!("config reloaded: {} reminders", c.reminders.len());
                let now = self.sync.as_ref().map(|l| &l.settings);
                if now != c.sync.as_deref() {
                    self.sync_changed = Some(c.sync.clone());
                }
                self.notify(Request::Timeout(c.general.notification_timeout));
                self.notify(Request::Routines(c.routines.clone()));
                // away_after, respect_dnd and respect_fullscreen apply now.
                self.presence_dirty = true;
            }
            Origin::Schedule(Redo::Busy(_)) => {}
            Origin::Schedule(Redo::Presence) => {
                for ack in self.sleep_acks.drain(..) {
                    let _ = ack.send(());
                }
            }
        }
    }

    /// A write failed: nothing changed. Says so, and to whom.
    fn refused(&mut self, origin: Origin, e: WriteError) {
        if let (Origin::Command { cmd, .. }, WriteError::Store(StoreError::TooLate)) = (&origin, &e)
        {
            warn!(
                "{:?} was not written before its asker gave up: not carried out",
                cmd.what
            );
            if let Origin::Command { cmd, .. } = origin {
                cmd.answer(Err(CommandError::TooLate));
            }
            return;
        }
        error!("{e}");
        match origin {
            Origin::Command { cmd, .. } => {
                if matches!(cmd.source, Source::Notification | Source::Tray) {
                    self.answer_not_saved(&cmd, &e);
                }
                cmd.answer(Err(CommandError::NotWritten(e.to_string())));
            }
            Origin::Schedule(redo) => {
                match redo {
                    Redo::Tick => {}
                    Redo::Config(c) => self.new_config = self.new_config.take().or(Some(*c)),
                    Redo::Presence => self.presence_dirty = true,
                    Redo::Busy(m) => {
                        self.calendars.pending = self.calendars.pending.take().or(Some(m))
                    }
                    Redo::Remote(events) => {
                        for r in events.into_iter().rev() {
                            self.remote.push_front(r);
                        }
                    }
                }
                if self.retry.failed() {
                    self.alert(
                        "unhunch: history cannot be written",
                        &format!(
                            "{e}\nReminders wait until it can be written; unhunch tries again."
                        ),
                    );
                }
            }
        }
    }

    /// An answer given on a notification or in the tray was not saved: the
    /// person is told, and the reminder is put up again to answer again.
    fn answer_not_saved(&self, cmd: &Command, e: &WriteError) {
        let What::Answer { id: Some(id), .. } = &cmd.what else {
            self.alert("unhunch: not saved", &format!("{e}\nNothing changed."));
            return;
        };
        let title = self
            .engine
            .config()
            .reminder(id)
            .map_or(id.as_str(), |r| r.title.as_str());
        self.alert(
            "unhunch: answer not saved",
            &format!(
                "Your answer to \"{title}\" was not saved, so nothing changed: {e}\n\
                 Answer again once the history can be written."
            ),
        );
        if let Some(req) = self.engine.showing().into_iter().find(|r| r.id == *id) {
            self.notify(Request::Show(req));
        }
    }
}
