//! The tray icon and its menu, as every platform shows them: a [`TrayState`]
//! made by the daemon, the menu it stands for ([`Entry`], each item a
//! [`What`] to send), and which icon ([`Look`]). The platform's tray renders
//! them and turns clicks into [`Command`](crate::vocab::Command)s; it decides nothing: `sni`
//! (StatusNotifierItem over D-Bus, Linux) or `windows` (tray-icon and muda).

#[cfg(target_os = "linux")]
mod sni;
#[cfg(target_os = "linux")]
pub use sni::Tray;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::Tray;

use jiff::civil::Date;
use jiff::{SignedDuration, ZonedDateTime};

use crate::core::stats::Today;
use crate::core::time::when;
use crate::core::{Answer, HoldReason};
use crate::vocab::PauseEnd;
use crate::vocab::What;
use crate::vocab::reply::Fallback;

/// What the tray shows. Equal states render equal menus, so a state is
/// pushed only when it differs from the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct TrayState {
    /// The next reminder and when.
    pub next: Option<NextUp>,
    /// Reminders showing now.
    pub pending: Vec<PendingItem>,
    /// Enabled reminders, for "Take a break now".
    pub reminders: Vec<ReminderItem>,
    /// `Some(None)`: paused until resumed; `Some(Some(t))`: until `t`.
    pub paused: Option<Option<ZonedDateTime>>,
    pub today: Today,
    /// The local date "now" is on when the state was made.
    pub date: Date,
    /// Away (screen locked, idle, asleep) since when.
    pub away_since: Option<ZonedDateTime>,
    /// What holds reminders back.
    pub held_by: Vec<HoldReason>,
    /// The config file cannot be used; what runs instead.
    pub config_warning: Option<Fallback>,
    /// When "Pause → Until tomorrow" would end: the next work day's start.
    pub next_morning: Option<ZonedDateTime>,
    /// A meeting started by hand runs (the menu offers to end it).
    pub meeting_by_hand: bool,
    /// The meeting holding reminders: its title (a calendar's) and end.
    pub meeting: Option<(Option<String>, ZonedDateTime)>,
}

impl TrayState {
    /// Nothing to show yet, on `date`.
    #[cfg(test)]
    fn empty(date: Date) -> TrayState {
        TrayState {
            next: None,
            pending: Vec::new(),
            reminders: Vec::new(),
            paused: None,
            today: Today::new(date),
            date,
            away_since: None,
            held_by: Vec::new(),
            config_warning: None,
            next_morning: None,
            meeting_by_hand: false,
            meeting: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NextUp {
    pub title: String,
    pub at: ZonedDateTime,
}

/// A reminder showing now, with its answers.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingItem {
    pub id: String,
    pub title: String,
    /// "Snooze 10 min".
    pub snooze_label: String,
    /// It has a guided routine (the menu offers Start).
    pub routine: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReminderItem {
    pub id: String,
    pub title: String,
    pub kind: crate::core::Kind,
    /// Its guided routine's title, if it has one.
    pub routine: Option<String>,
}

impl TrayState {
    /// The first line of the menu and the tooltip.
    fn headline(&self) -> String {
        match &self.paused {
            Some(None) => "Paused until you resume".into(),
            Some(Some(until)) => format!("Paused until {}", when(until, self.date)),
            None => match &self.next {
                Some(n) => format!("Next: {} at {}", n.title, when(&n.at, self.date)),
                None if !self.pending.is_empty() => "Nothing else scheduled".into(),
                None => "Nothing scheduled".into(),
            },
        }
    }

    /// Why reminders do not show now, if that is because of presence.
    fn presence_line(&self) -> Option<String> {
        if let Some(since) = &self.away_since {
            return Some(format!(
                "Away since {}: counted as a break",
                when(since, self.date)
            ));
        }
        let call = self.held_by.contains(&HoldReason::Call);
        let held: Vec<String> = self
            .held_by
            .iter()
            .filter(|h| **h != HoldReason::Call)
            .map(|h| match (h, &self.meeting) {
                (HoldReason::Meeting, Some((title, until))) => format!(
                    "{}{} until {}",
                    h.describe(),
                    title
                        .as_ref()
                        .map(|t| format!(" ({t})"))
                        .unwrap_or_default(),
                    when(until, self.date)
                ),
                _ => h.describe().to_string(),
            })
            .collect();
        match (call, held.is_empty()) {
            (false, true) => None,
            (false, false) => Some(format!("Waiting while {}", held.join(" and "))),
            (true, true) => Some("Waiting until your call ends".to_string()),
            (true, false) => Some(format!(
                "Waiting until your call ends and while {}",
                held.join(" and ")
            )),
        }
    }

    /// The warning of a config file that cannot be used.
    fn warning_line(&self) -> Option<&'static str> {
        self.config_warning.map(|f| match f {
            Fallback::LastGood => "Config error: running the last good schedule",
            Fallback::Unchanged => "Config error: the schedule is unchanged",
            Fallback::Nothing => "Config error: no reminders until it is fixed",
        })
    }

    /// The tooltip: warning, what comes next, why nothing shows, what is
    /// due, today's tally.
    pub fn overview(&self) -> String {
        let mut lines: Vec<String> = self
            .warning_line()
            .map(str::to_string)
            .into_iter()
            .collect();
        lines.extend(
            self.pending
                .iter()
                .map(|p| format!("{} — due now", p.title)),
        );
        lines.push(self.headline());
        lines.extend(self.presence_line());
        lines.push(self.today_line());
        lines.join("\n")
    }

    fn today_line(&self) -> String {
        let today = self.today.on(self.date);
        if today.total == 0 {
            "Today: nothing yet".into()
        } else {
            format!("Today: {} of {} done", today.done, today.total)
        }
    }

    /// The menu, from the top.
    pub fn menu(&self) -> Vec<Entry> {
        let mut items = Vec::new();
        if let Some(w) = self.warning_line() {
            items.push(item(&format!("⚠ {w}…"), What::EditConfig));
        }
        // What is due now and its answers come first; what comes next after.
        for p in &self.pending {
            items.push(disabled(&format!("{} — due now", p.title)));
            let answers = [
                ("Done", Answer::Done),
                (p.snooze_label.as_str(), Answer::Snooze(None)),
                ("Skip", Answer::Skip),
            ];
            for (text, answer) in answers {
                items.push(item(
                    &format!("    {text}"),
                    What::Answer {
                        id: Some(p.id.clone()),
                        answer,
                    },
                ));
            }
            if p.routine {
                items.push(item("    Start routine", What::Start { id: p.id.clone() }));
            }
            items.push(Entry::Separator);
        }
        items.push(disabled(&self.headline()));
        if let Some(line) = self.presence_line() {
            items.push(disabled(&line));
        }
        items.push(Entry::Separator);
        if !self.reminders.is_empty() {
            let sub = self
                .reminders
                .iter()
                .map(|r| Entry::Action {
                    label: r.title.clone(),
                    what: What::Trigger { id: r.id.clone() },
                    icon: Some(r.kind),
                })
                .collect();
            items.push(Entry::Menu {
                label: "Take a break now".into(),
                items: sub,
            });
            let guided: Vec<Entry> = self
                .reminders
                .iter()
                .filter_map(|r| {
                    Some(Entry::Action {
                        label: format!("{} ({})", r.routine.as_ref()?, r.title),
                        what: What::Start { id: r.id.clone() },
                        icon: Some(r.kind),
                    })
                })
                .collect();
            if !guided.is_empty() {
                items.push(Entry::Menu {
                    label: "Guided routine now".into(),
                    items: guided,
                });
            }
        }
        let pause_for = |d| What::Pause(PauseEnd::For(d));
        let pause = vec![
            item("30 minutes", pause_for(SignedDuration::from_mins(30))),
            item("1 hour", pause_for(SignedDuration::from_hours(1))),
            item("2 hours", pause_for(SignedDuration::from_hours(2))),
            item(
                &match &self.next_morning {
                    Some(t) => format!("Until {}", when(t, self.date)),
                    None => "Until tomorrow".to_string(),
                },
                What::Pause(PauseEnd::Tomorrow),
            ),
        ];
        items.push(Entry::Menu {
            label: "Pause".into(),
            items: pause,
        });
        if self.paused.is_some() {
            items.push(item("Resume", What::Resume));
        }
        items.push(if self.meeting_by_hand {
            item("End the meeting", What::MeetingEnd)
        } else {
            item("In a meeting", What::MeetingStart(None))
        });
        items.push(Entry::Separator);
        items.push(disabled(&self.today_line()));
        items.push(item("Your weeks…", What::OpenReport));
        items.push(item("Edit schedule…", What::EditConfig));
        items.push(Entry::Separator);
        items.push(item("Quit", What::Stop));
        items
    }
}

/// One item of the tray's menu, as the platform's tray renders it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A line of text that cannot be clicked.
    Label(String),
    /// An item that sends the daemon `what`, with a kind's icon.
    Action {
        label: String,
        what: What,
        icon: Option<crate::core::Kind>,
    },
    Separator,
    Menu {
        label: String,
        items: Vec<Entry>,
    },
}

fn disabled(text: &str) -> Entry {
    Entry::Label(text.into())
}

/// A menu item that sends the daemon `what`.
fn item(text: &str, what: What) -> Entry {
    Entry::Action {
        label: text.into(),
        what,
        icon: None,
    }
}

/// Which icon the tray shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Normal,
    Pending,
    Paused,
    Warning,
}

/// The sizes each icon is drawn at.
pub const SIZES: [i32; 4] = [16, 22, 32, 48];

macro_rules! rgba {
    ($state:literal) => {
        [
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-16.rgba"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-22.rgba"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-32.rgba"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-48.rgba"
            ))
            .as_slice(),
        ]
    };
}

impl TrayState {
    /// The icon for this state.
    pub fn look(&self) -> Look {
        if !self.pending.is_empty() {
            Look::Pending
        } else if self.config_warning.is_some() {
            Look::Warning
        } else if self.paused.is_some() {
            Look::Paused
        } else {
            Look::Normal
        }
    }
}

/// Each look's icon as RGBA rows, at each of [`SIZES`].
pub fn rgba(look: Look) -> [&'static [u8]; 4] {
    match look {
        Look::Normal => rgba!("normal"),
        Look::Pending => rgba!("pending"),
        Look::Paused => rgba!("paused"),
        Look::Warning => rgba!("warning"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> ZonedDateTime {
        s.parse().unwrap()
    }

    #[test]
    fn headline_says_when_in_absolute_time() {
        let today = jiff::civil::date(2026, 11, 25);
        let mut s = TrayState::empty(today);
        assert_eq!(s.headline(), "Nothing scheduled");
        s.pending = vec![PendingItem {
            id: "neck".into(),
            title: "Neck stretch".into(),
            snooze_label: "Snooze 10 min".into(),
            routine: true,
        }];
        assert_eq!(s.headline(), "Nothing else scheduled");
        s.pending.clear();
        let next = |title: &str, t: &str| {
            Some(NextUp {
                title: title.into(),
                at: at(t),
            })
        };
        s.next = next("Neck stretch", "2026-11-25T14:05[UTC]");
        assert_eq!(s.headline(), "Next: Neck stretch at 14:05");
        s.next = next("Stand up and move", "2026-11-26T09:45[UTC]");
        assert_eq!(s.headline(), "Next: Stand up and move at tomorrow 09:45");
        s.next = next("Breathe", "2026-11-30T13:00[UTC]");
        assert_eq!(s.headline(), "Next: Breathe at Mon 13:00");
        s.paused = Some(Some(at("2026-11-25T15:30[UTC]")));
        assert_eq!(s.headline(), "Paused until 15:30");
        s.paused = Some(Some(at("2026-11-26T09:00[UTC]")));
        assert_eq!(s.headline(), "Paused until tomorrow 09:00");
        s.paused = Some(None);
        assert_eq!(s.headline(), "Paused until you resume");
    }

    /// What is due comes first, with its answers; the pause item names
    /// the time "tomorrow" means.
    #[test]
    fn the_menu_puts_what_is_due_first_and_names_tomorrow() {
        let today = jiff::civil::date(2026, 11, 27);
        let mut s = TrayState::empty(today);
        s.next = Some(NextUp {
            title: "Neck stretch".into(),
            at: at("2026-11-27T15:15[UTC]"),
        });
        s.pending = vec![PendingItem {
            id: "stand".into(),
            title: "Stand up and move".into(),
            snooze_label: "Snooze 10 min".into(),
            routine: false,
        }];
        s.next_morning = Some(at("2026-11-30T09:00[UTC]"));
        let labels: Vec<String> = s
            .menu()
            .into_iter()
            .filter_map(|e| match e {
                Entry::Label(l) | Entry::Action { label: l, .. } => Some(l),
                Entry::Menu { label, items } if label == "Pause" => {
                    items.last().and_then(|i| match i {
                        Entry::Action { label, .. } => Some(format!("Pause → {label}")),
                        _ => None,
                    })
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            labels[..5],
            [
                "Stand up and move — due now",
                "    Done",
                "    Snooze 10 min",
                "    Skip",
                "Next: Neck stretch at 15:15",
            ]
        );
        assert!(
            labels.contains(&"Pause → Until Mon 09:00".to_string()),
            "{labels:?}"
        );
        assert!(
            s.overview()
                .starts_with("Stand up and move — due now\nNext: "),
            "{}",
            s.overview()
        );
    }

    #[test]
    fn presence_line_says_why_nothing_shows() {
        let today = jiff::civil::date(2026, 11, 25);
        let mut s = TrayState::empty(today);
        assert_eq!(s.presence_line(), None);
        s.held_by = vec![HoldReason::DoNotDisturb, HoldReason::Fullscreen];
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Waiting while do-not-disturb is on and a window is fullscreen")
        );
        s.held_by = vec![HoldReason::Call];
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Waiting until your call ends")
        );
        s.held_by = vec![HoldReason::Fullscreen, HoldReason::Call];
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Waiting until your call ends and while a window is fullscreen")
        );
        s.held_by = vec![HoldReason::Meeting];
        s.meeting = Some((Some("Team sync".into()), at("2026-11-25T11:00[UTC]")));
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Waiting while you are in a meeting (Team sync) until 11:00")
        );
        s.away_since = Some(at("2026-11-25T14:02[UTC]"));
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Away since 14:02: counted as a break")
        );
    }

    #[test]
    fn today_line_ignores_counts_of_another_day() {
        let today = jiff::civil::date(2026, 11, 25);
        let mut s = TrayState::empty(today);
        s.today = Today {
            date: today,
            done: 5,
            total: 7,
        };
        assert_eq!(s.today_line(), "Today: 5 of 7 done");
        s.today.date = jiff::civil::date(2026, 11, 24);
        assert_eq!(s.today_line(), "Today: nothing yet");
    }
}
