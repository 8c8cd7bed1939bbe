//! The one handler. Every [`Command`] (a click in the tray, a button on a
//! notification, a line on the socket) comes here; an answer is decided by
//! the engine, written, and only then made (see [`write`](super::write)).

use jiff::{Timestamp, ZonedDateTime};
use tracing::{debug, info, warn};

use super::Daemon;
use super::write::{Origin, Redo};
use crate::config;
use crate::core::time::resolve_local;
use crate::core::{Decision, Effect, Input, Phase, Source};
use crate::vocab::PauseEnd;
use crate::vocab::reply::{Answered, LocalTime, MeetingState, PauseState, Stopping};
use crate::vocab::{Command, CommandError, Reply, What};

impl Daemon {
    /// Handles one command, from any source.
    pub(super) fn command(&mut self, cmd: Command) {
        if cmd.too_late() {
            warn!(
                "{:?} waited too long (or its client left): not carried out",
                cmd.what
            );
            cmd.answer(Err(CommandError::TooLate));
            return;
        }
        if cmd.what.reads_only() {
            let now = self.clock.now();
            cmd.answer(Ok(Reply::Status(Box::new(self.status(&now)))));
            return;
        }
        if self.stopping {
            cmd.answer(Err(CommandError::Stopping));
            return;
        }
        if self.writing.is_some() {
            // One decision at a time: this one is made on what is on disk.
            self.queue.push_back(cmd);
            return;
        }
        match cmd.what {
            What::Stop => {
                info!("stop asked for ({})", cmd.source.as_str());
                self.stopping = true;
                cmd.answer(Ok(Reply::Stopping(Stopping {
                    pid: std::process::id(),
                })));
                return;
            }
            What::EditConfig => {
                self.edit_config();
                cmd.answer(Ok(Reply::Empty {}));
                return;
            }
            What::OpenReport => {
                self.open_report();
                cmd.answer(Ok(Reply::Empty {}));
                return;
            }
            What::Start { ref id } => {
                // Showing: the notifier starts it now. Else it is shown
                // first, and started once that is written (`succeeded`).
                if matches!(
                    self.engine.phase(id),
                    Some(crate::core::Phase::Pending { .. })
                ) {
                    self.notify(crate::notify::Request::Start(id.clone()));
                    cmd.answer(Ok(Reply::Empty {}));
                    return;
                }
            }
            _ => {}
        }
        let now = self.clock.now();
        match self.decide_command(&cmd, &now) {
            Ok((step, reply)) => self.decide(
                step,
                now,
                Origin::Command {
                    cmd,
                    reply: Box::new(reply),
                },
            ),
            Err(e) => {
                match cmd.source {
                    // A click on a notification that already ended, say.
                    Source::Notification => debug!("answer from the notification not taken: {e}"),
                    Source::Tray => warn!("tray: {e}"),
                    Source::Cli
                    | Source::Schedule
                    | Source::Guided
                    | Source::CatchUp
                    | Source::Sync => {}
                }
                cmd.answer(Err(e));
            }
        }
    }

    /// What the engine would do, and the reply that says so.
    fn decide_command(
        &self,
        cmd: &Command,
        now: &ZonedDateTime,
    ) -> Result<(Decision, Reply), CommandError> {
        let source = cmd.source;
        let input = match &cmd.what {
            What::Answer { id, answer } => Input::Answer {
                id: id.clone(),
                answer: *answer,
                source,
            },
            What::Took { id } => Input::Took {
                id: id.clone(),
                source,
            },
            What::MeetingStart(d) => Input::MeetingStart {
                until: d.and_then(|d| now.timestamp().checked_add(d).ok()),
            },
            What::MeetingEnd => Input::MeetingEnd,
            What::Trigger { id } | What::Start { id } => Input::Trigger {
                id: id.clone(),
                source,
            },
            What::Guided {
                id,
                answer,
                progress,
            } => Input::Guided {
                id: id.clone(),
                answer: *answer,
                progress: progress.clone(),
            },
            What::Pause(end) => Input::Pause {
                until: pause_end(end, now, &self.engine.config().general)?,
            },
            What::Resume => Input::Resume,
            What::Status | What::Stop | What::EditConfig | What::OpenReport => {
                unreachable!("handled before any decision")
            }
        };
        let mut step = self.engine.begin();
        step.handle(input, now)?;
        let reply = match &cmd.what {
            What::MeetingStart(_) | What::MeetingEnd => {
                let by_hand = step.engine().meeting_by_hand();
                Reply::Meeting(MeetingState {
                    in_meeting: by_hand,
                    until: step
                        .engine()
                        .meeting_now()
                        .filter(|_| by_hand)
                        .map(|m| LocalTime::new(m.end, now.time_zone())),
                })
            }
            _ => self.reply_for(&step, now),
        };
        Ok((step, reply))
    }

    /// What a decided step did, as the reply to its command.
    fn reply_for(&self, step: &Decision, now: &ZonedDateTime) -> Reply {
        let tz = now.time_zone();
        // The last record: a guided routine's end comes after the showing
        // it may have made.
        for effect in step.effects().iter().rev() {
            match effect {
                Effect::Record(ev) => {
                    return Reply::Answered(Answered {
                        id: ev.reminder.clone(),
                        title: step
                            .engine()
                            .config()
                            .reminder(&ev.reminder)
                            .map(|r| r.title.clone())
                            .unwrap_or_default(),
                        outcome: ev.outcome,
                        until: ev
                            .snooze
                            .and_then(|len| ev.at.checked_add(len).ok())
                            .map(|t| LocalTime::new(t, tz)),
                        was_snoozed_until: match self.engine.phase(&ev.reminder) {
                            Some(Phase::Snoozed { until, .. }) => Some(LocalTime::new(until, tz)),
                            _ => None,
                        },
                    });
                }
                Effect::PauseChanged(p) => {
                    return Reply::Pause(PauseState {
                        paused: p.is_some(),
                        until: p.and_then(|p| p.until).map(|t| LocalTime::new(t, tz)),
                    });
                }
                Effect::Show(_) | Effect::Close { .. } | Effect::Import(_) => {}
            }
        }
        Reply::Empty {}
    }

    /// Does what waited while a write was under way (the commands, a new
    /// config, presence), then what falls due now. Returns with a write
    /// under way or with nothing left to do; never waits.
    pub(super) fn settle(&mut self) {
        while self.writing.is_none() && !self.stopping {
            if let Some(cmd) = self.queue.pop_front() {
                self.command(cmd);
                continue;
            }
            // Schedule writes failed a moment ago: let the back-off pass.
            if self.retry.waiting().is_some() {
                return;
            }
            if let Some(c) = self.new_config.take() {
                self.swap_config(c);
                continue;
            }
            if self.presence_dirty {
                self.sync_presence();
                continue;
            }
            if self.calendars.pending.is_some() {
                self.sync_busy();
                continue;
            }
            if !self.seen_elsewhere.is_empty() {
                let now = self.clock.now();
                let mut step = self.engine.begin();
                for s in std::mem::take(&mut self.seen_elsewhere) {
                    // Presence is never refused.
                    let _ = step.handle(crate::core::Input::Seen(s), &now);
                }
                self.decide(step, now, Origin::Schedule(Redo::Tick));
                continue;
            }
            if !self.remote.is_empty() {
                let events = self.take_remote();
                let now = self.clock.now();
                let mut step = self.engine.begin();
                for r in &events {
                    // A remote event is never refused.
                    let _ = step.handle(crate::core::Input::Remote(r.clone()), &now);
                }
                self.decide(step, now, Origin::Schedule(Redo::Remote(events)));
                continue;
            }
            let now = self.clock.now();
            let mut step = self.engine.begin();
            step.tick(&now);
            self.decide(step, now, Origin::Schedule(Redo::Tick));
            return;
        }
    }

    /// Opens the config in the desktop's editor, writing the default first
    /// if there is no file yet; off the loop. A failure is shown, not only
    /// logged: the person clicked and expects a window.
    fn edit_config(&self) {
        let path = self.config_path.clone();
        let notify = self.notify.clone();
        tokio::task::spawn_blocking(move || {
            let failed = if !path.exists()
                && let Err(e) = std::fs::write(&path, config::DEFAULT_TOML)
            {
                Some(format!("{} cannot be written ({e}).", path.display()))
            } else {
                let (opener, mut command) = crate::platform::open_with_desktop(&path);
                match command.status() {
                    Ok(s) if s.success() => None,
                    Ok(s) => Some(format!("`{opener} {}` failed ({s}).", path.display())),
                    Err(e) => Some(format!("`{opener}` cannot be run ({e}).")),
                }
            };
            if let Some(why) = failed {
                warn!("edit schedule: {why}");
                let _ = notify.send(crate::notify::Request::Alert {
                    summary: "unhunch: cannot open the schedule".into(),
                    body: format!(
                        "{why}\nEdit {} in your editor, or run `unhunch config edit` in a terminal.",
                        path.display()
                    ),
                });
            }
        });
    }

    /// Writes the report of the last weeks beside the history and opens it
    /// with the desktop's handler; off the loop. A failure is shown.
    fn open_report(&self) {
        let data_dir = self.data_dir.clone();
        let now = self.clock.now();
        let notify = self.notify.clone();
        tokio::task::spawn_blocking(move || {
            let path = crate::report::default_path(&data_dir);
            let written = crate::report::compute(&data_dir, &now, crate::report::DEFAULT_WEEKS)
                .and_then(|r| crate::report::write(&r, &path));
            let failed = match written {
                Err(e) => Some(format!("The report cannot be written: {e:#}.")),
                Ok(()) => {
                    let (opener, mut command) = crate::platform::open_page(&path);
                    match command.status() {
                        Ok(s) if s.success() => None,
                        Ok(s) => Some(format!("`{opener} {}` failed ({s}).", path.display())),
                        Err(e) => Some(format!("`{opener}` cannot be run ({e}).")),
                    }
                }
            };
            if let Some(why) = failed {
                warn!("your weeks: {why}");
                let _ = notify.send(crate::notify::Request::Alert {
                    summary: "unhunch: cannot show your weeks".into(),
                    body: format!("{why}\nRun `unhunch report --open` in a terminal."),
                });
            }
        });
    }
}

/// The instant a pause ends: `None` until resumed.
fn pause_end(
    end: &PauseEnd,
    now: &ZonedDateTime,
    general: &crate::core::model::General,
) -> Result<Option<Timestamp>, jiff::Error> {
    Ok(match end {
        PauseEnd::Never => None,
        PauseEnd::For(d) => Some(now.timestamp().checked_add(*d)?),
        PauseEnd::Tomorrow => general.next_morning(now),
        PauseEnd::At(t) => match resolve_local(now.date(), *t, now.time_zone()) {
            Some(at) if at > now.timestamp() => Some(at),
            _ => resolve_local(now.date().tomorrow()?, *t, now.time_zone()),
        },
    })
}
