//! What `status` and the tray show, read from the engine as it is (what is
//! on disk: a decision being written is not shown until it is made).

use jiff::ZonedDateTime;

use super::Daemon;
use crate::core::{HoldReason, Phase};
use crate::notify::Reach;
use crate::tray::{NextUp, PendingItem, ReminderItem, TrayState};
use crate::vocab::labels::snooze_label;
use crate::vocab::reply::{LocalTime, Next, Paused, Showing, Snoozed, Status};

impl Daemon {
    pub(super) fn status(&self, now: &ZonedDateTime) -> Status {
        let tz = now.time_zone();
        let local = |t| LocalTime::new(t, tz);
        let e = &self.engine;
        let mut pending = Vec::new();
        let mut snoozed = Vec::new();
        for r in &e.config().reminders {
            match e.phase(&r.id) {
                Some(Phase::Pending { shown_at, .. }) => pending.push(Showing {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    since: local(shown_at),
                }),
                Some(Phase::Snoozed { until, .. }) => snoozed.push(Snoozed {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    until: local(until),
                }),
                _ => {}
            }
        }
        Status {
            running: true,
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").into(),
            config: self.config_path.display().to_string(),
            config_embedded: self.embedded,
            cannot_show: match &*self.reach.borrow() {
                Reach::Blocked(why) => Some(why.clone()),
                _ => None,
            },
            notification_server: match &*self.reach.borrow() {
                Reach::Server(name) => Some(name.clone()),
                _ => None,
            },
            paused: e.pause().map(|p| Paused {
                since: local(p.since),
                until: p.until.map(local),
            }),
            away_since: e.away().map(local),
            held_by: e.holds().iter().copied().collect(),
            in_call: if e.holds().contains(&HoldReason::Call) {
                self.presence.calls(&e.config().general).0
            } else {
                Vec::new()
            },
            calls_ignored: self.presence.calls(&e.config().general).1,
            meeting: e.meeting_now().map(|m| crate::vocab::reply::MeetingNow {
                title: m.title.clone(),
                until: local(m.end),
                by_hand: e.meeting_by_hand(),
            }),
            calendars: self
                .calendars
                .sources
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            calendar_problems: self.calendars.problems.clone(),
            pending,
            snoozed,
            next: e
                .upcoming(now)
                .into_iter()
                .map(|u| Next {
                    id: u.id,
                    title: u.title,
                    at: local(u.at),
                })
                .collect(),
            today: self.today.on(now.date()),
            config_error: self.config_error(tz),
            sync: self.sync.as_ref().map(|s| Box::new(s.status(tz))),
        }
    }

    pub(super) fn tray_state(&self, now: &ZonedDateTime) -> TrayState {
        let tz = now.time_zone();
        let e = &self.engine;
        TrayState {
            next: e.upcoming(now).into_iter().next().map(|u| NextUp {
                title: u.title,
                at: u.at.to_zoned_datetime(tz.clone()),
            }),
            pending: e
                .pending()
                .iter()
                .map(|r| PendingItem {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    snooze_label: snooze_label(r.snooze),
                    routine: e.config().routine_of(&r.id).is_some(),
                })
                .collect(),
            reminders: e
                .config()
                .enabled()
                .map(|r| ReminderItem {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    kind: r.kind,
                    routine: e.config().routine_of(&r.id).map(|x| x.title.clone()),
                })
                .collect(),
            paused: e
                .pause()
                .map(|p| p.until.map(|u| u.to_zoned_datetime(tz.clone()))),
            today: self.today,
            date: now.date(),
            away_since: e.away().map(|t| t.to_zoned_datetime(tz.clone())),
            held_by: e.holds().iter().copied().collect(),
            config_warning: self.config_error(tz).map(|c| c.running),
            meeting_by_hand: e.meeting_by_hand(),
            meeting: e
                .meeting_now()
                .map(|m| (m.title.clone(), m.end.to_zoned_datetime(tz.clone()))),
            next_morning: e
                .config()
                .general
                .next_morning(now)
                .map(|t| t.to_zoned_datetime(tz.clone())),
        }
    }

    /// Pushes the tray's state (the tray shows it only if it changed).
    pub(super) fn show_tray(&self, now: &ZonedDateTime) {
        if let Some(t) = &self.tray {
            t.show(self.tray_state(now));
        }
    }
}
