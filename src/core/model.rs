//! The validated, typed configuration the engine runs on. `config::resolve`
//! builds it from the file; tests build it directly.

use std::fmt;

use jiff::SignedDuration;
use jiff::civil::Time;

pub use super::kind::Kind;
use super::time::{Days, Window, fmt_clock};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    Critical,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// Due `every` after the last answer or the start of the window.
    Every {
        every: SignedDuration,
        window: Window,
    },
    /// Fixed local times (sorted, distinct) on some weekdays.
    At { times: Vec<Time>, days: Days },
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Every { every, window } => {
                write!(f, "every {}, {window}", super::time::humane(*every))
            }
            Schedule::At { times, days } => {
                let ts: Vec<String> = times.iter().map(|t| fmt_clock(*t)).collect();
                write!(f, "at {}, {days}", ts.join(", "))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Reminder {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub tips: Vec<String>,
    pub schedule: Schedule,
    pub snooze: SignedDuration,
    pub urgency: Urgency,
    pub enabled: bool,
    /// The id of its guided routine, if it has one (in `Config::routines`).
    pub routine: Option<String>,
}

impl Reminder {
    /// The tip to show on the `n`th showing (they rotate).
    pub fn tip(&self, n: u64) -> Option<&str> {
        if self.tips.is_empty() {
            None
        } else {
            Some(&self.tips[(n % self.tips.len() as u64) as usize])
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct General {
    pub snooze: SignedDuration,
    pub work_hours: super::time::TimeRange,
    pub work_days: Days,
    /// Zero: stay until answered, where the server allows.
    pub notification_timeout: SignedDuration,
    pub ignore_after: SignedDuration,
    pub missed_grace: SignedDuration,
    /// Zero disables presence detection.
    pub away_after: SignedDuration,
    pub respect_dnd: bool,
    pub respect_fullscreen: bool,
    /// Hold reminders while another application captures the microphone.
    pub respect_calls: bool,
    /// Applications whose capture is no call (a voice assistant, input
    /// effects), by the name `status` shows; matched without case.
    pub calls_ignore: Vec<String>,
    /// After a hold (a meeting, a call, do-not-disturb, fullscreen) at
    /// least this long, one catch-up break; zero: none.
    pub catch_up_after: SignedDuration,
    /// What an idle inhibitor (a video playing) means where the desktop
    /// tells it apart from input.
    pub idle_inhibitors: IdleInhibitors,
}

/// `idle_inhibitors`: whether an application that keeps the screen awake
/// (a video playing) keeps the person present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdleInhibitors {
    /// The person is watching: present, not away.
    #[default]
    Respect,
    /// Only input counts: away after `away_after` without it, video or not.
    Ignore,
}

/// Whether `calls_ignore` names `app` (matched without case): its capture
/// of the microphone is no call.
pub fn call_ignored(calls_ignore: &[String], app: &str) -> bool {
    calls_ignore
        .iter()
        .any(|i| i.trim().eq_ignore_ascii_case(app.trim()))
}

impl General {
    /// "Until tomorrow": the start of work hours on the next work day after
    /// `now`'s date (Friday evening: Monday morning); the next midnight when
    /// no day of the week is a work day.
    pub fn next_morning(&self, now: &jiff::ZonedDateTime) -> Option<jiff::Timestamp> {
        let tz = now.time_zone();
        let mut date = now.date();
        for _ in 0..7 {
            date = date.tomorrow().ok()?;
            if self.work_days.contains(date.weekday()) {
                return super::time::resolve_local(date, self.work_hours.start, tz);
            }
        }
        super::time::resolve_local(
            now.date().tomorrow().ok()?,
            jiff::civil::Time::midnight(),
            tz,
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sleep {
    pub wake: Time,
    pub goal: SignedDuration,
    pub wind_down: SignedDuration,
}

impl Sleep {
    /// Bedtime: `wake - goal`, on a 24-hour clock.
    pub fn bedtime(&self) -> Time {
        self.wake.wrapping_sub(self.goal)
    }

    /// When the wind-down reminder fires: `wake - goal - wind_down`.
    pub fn wind_down_at(&self) -> Time {
        self.bedtime().wrapping_sub(self.wind_down)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub general: General,
    pub sleep: Sleep,
    pub reminders: Vec<Reminder>,
    /// The built-in routines, with the user's (which replace a built-in one
    /// of the same id) after them.
    pub routines: Vec<super::routine::Routine>,
    pub calendars: Calendars,
    /// `[sync]`: off without a folder.
    pub sync: Option<Box<Sync>>,
}

/// `[calendar]`: the iCalendar files and vdir folders whose busy events
/// hold reminders.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Calendars {
    /// `.ics` files (a leading `~/` is the home folder).
    pub files: Vec<String>,
    /// Folders of `.ics` files, one event or more each (vdir, as khal and
    /// vdirsyncer keep them).
    pub dirs: Vec<String>,
    /// The person's own addresses: an event one of them declined
    /// (`ATTENDEE;PARTSTAT=DECLINED:mailto:…`) does not hold. Lower case.
    pub addresses: Vec<String>,
}

impl Calendars {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.dirs.is_empty()
    }
}

/// Several computers: the folder a sync tool carries, and this device's
/// name in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sync {
    /// Absolute.
    pub folder: std::path::PathBuf,
    /// 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
    pub device: String,
}

impl Sync {
    /// Whether `name` can be a device's name (it is part of a file name).
    pub fn valid_device(name: &str) -> bool {
        (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !name.starts_with('.')
    }

    /// A host name made into a device's name: other characters become `-`.
    pub fn device_from_host(host: &str) -> String {
        let name: String = host
            .chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let name = name.trim_start_matches('.').to_string();
        if name.is_empty() {
            "this-computer".into()
        } else {
            name
        }
    }
}

impl Config {
    pub fn routine(&self, id: &str) -> Option<&super::routine::Routine> {
        self.routines.iter().find(|r| r.id == id)
    }

    /// The routine of reminder `id`, if it has one.
    pub fn routine_of(&self, id: &str) -> Option<&super::routine::Routine> {
        self.routine(self.reminder(id)?.routine.as_deref()?)
    }

    pub fn reminder(&self, id: &str) -> Option<&Reminder> {
        self.reminders.iter().find(|r| r.id == id)
    }

    pub fn enabled(&self) -> impl Iterator<Item = &Reminder> {
        self.reminders.iter().filter(|r| r.enabled)
    }
}
