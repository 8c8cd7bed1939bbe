//! The sync folder, from the daemon's side: this device's answers go out
//! once they are on disk here; the other devices' events come in as the
//! engine's `Remote` inputs, decided and written like any other.

use std::collections::BTreeMap;

use jiff::{Timestamp, ZonedDateTime};
use tracing::debug;

use super::Daemon;
use crate::core::{Effect, Event, Outcome, Phase, Remote};
use crate::sync::{Incoming, Line, Sync};
use crate::vocab::reply::{SyncDevice, SyncStatus};

/// At most this many events of other devices go into one decision (the
/// first read of a folder holds all of their history).
const PER_DECISION: usize = 500;

/// The sync folder as the daemon knows it.
pub(super) struct SyncLink {
    pub sync: Sync,
    pub settings: crate::core::model::Sync,
    pub read_problem: Option<String>,
    pub write_problem: Option<String>,
    /// Each other device seen, with the time of its latest event.
    pub seen: BTreeMap<String, Timestamp>,
}

impl SyncLink {
    /// Starts the folder's reader and writer; `history`, the events a
    /// start replays, gives what the file may lack (see [`backlog`]).
    pub fn start(
        settings: crate::core::model::Sync,
        history: &[(Event, Option<jiff::tz::Offset>)],
        now: &ZonedDateTime,
    ) -> (SyncLink, tokio::sync::mpsc::UnboundedReceiver<Incoming>) {
        tracing::info!(
            "sync: folder {}, this device \"{}\"",
            settings.folder.display(),
            settings.device
        );
        let (sync, incoming) = Sync::start(
            settings.folder.clone(),
            settings.device.clone(),
            backlog(history, &settings.device, now),
        );
        (
            SyncLink {
                sync,
                settings,
                read_problem: None,
                write_problem: None,
                seen: BTreeMap::new(),
            },
            incoming,
        )
    }

    pub fn status(&self, tz: &jiff::tz::TimeZone) -> SyncStatus {
        SyncStatus {
            folder: self.settings.folder.display().to_string(),
            device: self.settings.device.clone(),
            problem: self
                .read_problem
                .iter()
                .chain(&self.write_problem)
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
            devices: self
                .seen
                .iter()
                .map(|(name, at)| SyncDevice {
                    name: name.clone(),
                    last: crate::vocab::reply::LocalTime::new(*at, tz),
                })
                .collect(),
        }
    }
}

/// This device's recent events as the folder's lines, each answer with
/// the occurrence of the showing before it: the writer adds those later
/// than its file's last line (ids are made from the event, so one written
/// twice is still kept once).
fn backlog(
    history: &[(Event, Option<jiff::tz::Offset>)],
    device: &str,
    now: &ZonedDateTime,
) -> Vec<Line> {
    let mut due: BTreeMap<&str, Timestamp> = BTreeMap::new();
    let mut out = Vec::new();
    for (e, off) in history {
        if e.device.is_none() && e.outcome == Outcome::Shown {
            due.insert(&e.reminder, e.due.unwrap_or(e.at));
        }
        if shared(e) {
            out.push(Line::new(
                e,
                device,
                off.unwrap_or(now.offset()),
                due.get(e.reminder.as_str()).copied(),
            ));
        }
        // A showing's end: what follows answers no occurrence of it.
        if e.outcome.is_terminal() {
            due.remove(e.reminder.as_str());
        }
    }
    out
}

/// Whether an event of this device goes to the folder: its answers and
/// breaks, not its showings (and not `elsewhere`, which echoes another's).
fn shared(e: &Event) -> bool {
    e.device.is_none() && !matches!(e.outcome, Outcome::Shown | Outcome::Elsewhere)
}

impl Daemon {
    /// `[sync]` changed in a reload: the old folder's writer ends (what it
    /// was given still written), the new one starts. Returns the new
    /// folder's receiver.
    pub(super) fn restart_sync(
        &mut self,
        settings: Option<Box<crate::core::model::Sync>>,
    ) -> Option<tokio::sync::mpsc::UnboundedReceiver<Incoming>> {
        if let Some(old) = self.sync.take() {
            tracing::info!("sync: {} no longer used", old.settings.folder.display());
            tokio::task::spawn_blocking(move || old.sync.close());
        }
        let settings = settings?;
        let now = self.clock.now();
        let (link, rx) = SyncLink::start(*settings, &[], &now);
        self.sync = Some(link);
        Some(rx)
    }

    /// Another device's event in "Today: 5 of 7 done", once, if it
    /// happened today here (and is no repeat of an answer counted).
    pub(super) fn count_remote(&mut self, r: &Remote, now: &ZonedDateTime) {
        let day = now.date();
        if self.today.on(day).date != self.today.date {
            self.today_ids.clear();
        }
        // Its day where it happened, as the history's `day` has it.
        let here = r
            .event
            .at
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(r.offset))
            .date();
        if r.repeat || here != day || !self.today_ids.insert(r.id.clone()) {
            return;
        }
        self.today.count(&r.event, day);
    }

    /// What the folder's watcher says.
    pub(super) fn sync_incoming(&mut self, i: Incoming) {
        let Some(link) = &mut self.sync else {
            return;
        };
        match i {
            Incoming::Events(events) => {
                for r in &events {
                    if let Some(d) = &r.event.device {
                        let last = link.seen.entry(d.clone()).or_insert(r.event.at);
                        *last = (*last).max(r.event.at);
                    }
                }
                self.remote.extend(events);
            }
            Incoming::Seen(seen) => {
                for s in &seen {
                    let last = link.seen.entry(s.device.clone()).or_insert(s.at);
                    *last = (*last).max(s.at);
                }
                self.seen_elsewhere.extend(seen);
            }
            Incoming::ReadProblem(p) => link.read_problem = p,
            Incoming::WriteProblem(p) => link.write_problem = p,
        }
    }

    /// The next share of other devices' events to decide on.
    pub(super) fn take_remote(&mut self) -> Vec<Remote> {
        let n = self.remote.len().min(PER_DECISION);
        self.remote.drain(..n).collect()
    }

    /// Before a decision is committed: the occurrence each of its answers
    /// belongs to (the showing's due instant), which the folder's line
    /// carries so another device can tell it is the same one.
    pub(super) fn occurrences(&self, effects: &[Effect]) -> BTreeMap<String, Timestamp> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Record(ev) if shared(ev) => match self.engine.phase(&ev.reminder)? {
                    Phase::Pending { due, .. } => Some((ev.reminder.clone(), due)),
                    Phase::Snoozed { at, .. } => Some((ev.reminder.clone(), at)),
                    Phase::Idle => None,
                },
                _ => None,
            })
            .collect()
    }

    /// This device went away (`Some(since)`) or came back (`None`, now):
    /// said in its file, so the others do not take the time as a break.
    pub(super) fn share_presence(&self, away: Option<Timestamp>, now: &ZonedDateTime) {
        let Some(link) = &self.sync else {
            return;
        };
        let (active, at) = match away {
            Some(since) => (false, since),
            None => (true, now.timestamp()),
        };
        debug!(
            "sync: {} since {at} written to the folder",
            if active { "active" } else { "away" }
        );
        link.sync.append(Line::presence(
            &link.settings.device,
            active,
            at,
            now.offset(),
        ));
    }

    /// After a decision is on disk: its answers go to this device's file.
    pub(super) fn share(&self, e: &Event, now: &ZonedDateTime, dues: &BTreeMap<String, Timestamp>) {
        let Some(link) = &self.sync else {
            return;
        };
        if !shared(e) {
            return;
        }
        debug!(reminder = %e.reminder, "sync: {} written to the folder", e.outcome);
        link.sync.append(Line::new(
            e,
            &link.settings.device,
            now.offset(),
            dues.get(&e.reminder).copied(),
        ));
    }
}
