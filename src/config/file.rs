//! The configuration as written: serde structs, `deny_unknown_fields`, and
//! value types that check their own syntax so toml can point at the value.

use std::fmt;

use jiff::SignedDuration;
use jiff::civil::{Time, Weekday};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

use crate::core::time::{Days, TimeRange, parse_clock, parse_duration};
use crate::core::{IdleInhibitors, Kind, Urgency};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub general: GeneralFile,
    #[serde(default)]
    pub sleep: SleepFile,
    #[serde(default, rename = "reminder")]
    pub reminders: Vec<Spanned<ReminderFile>>,
    #[serde(default, rename = "routine")]
    pub routines: Vec<Spanned<RoutineFile>>,
    #[serde(default)]
    pub calendar: CalendarFile,
    #[serde(default)]
    pub sync: SyncFile,
}

/// `[calendar]`: iCalendar files and vdir folders whose busy events hold
/// reminders.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    pub files: Option<Vec<Spanned<String>>>,
    pub dirs: Option<Vec<Spanned<String>>>,
    pub addresses: Option<Vec<Spanned<String>>>,
}

/// `[sync]`: a folder a file-sync tool carries between computers.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncFile {
    pub folder: Option<Spanned<String>>,
    pub device: Option<Spanned<String>>,
}

/// `[[routine]]`: a guided routine of the user's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutineFile {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub kind: Option<Spanned<KindName>>,
    pub steps: Spanned<Vec<Spanned<StepFile>>>,
    pub rounds: Option<Spanned<Count>>,
}

/// One step: `{ text = "Chin tuck, hold", seconds = 5, repeat = 5 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    pub text: Spanned<String>,
    pub seconds: Spanned<Count>,
    pub repeat: Option<Spanned<Count>>,
}

/// A whole number of at least 1 (seconds, times): a negative one, a float
/// or a string is an error at the value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Count(pub u32);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number, at least 1")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Count, E> {
                u32::try_from(n)
                    .ok()
                    .filter(|n| *n >= 1)
                    .map(Count)
                    .ok_or_else(|| E::custom(format!("{n} is not a whole number of at least 1")))
            }
        }
        d.deserialize_i64(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneralFile {
    pub snooze: Option<Spanned<Dur>>,
    pub work_hours: Option<Spanned<Range>>,
    pub work_days: Option<Spanned<Vec<Day>>>,
    pub notification_timeout: Option<Spanned<Dur>>,
    pub ignore_after: Option<Spanned<Dur>>,
    pub missed_grace: Option<Spanned<Dur>>,
    pub away_after: Option<Spanned<Dur>>,
    pub respect_dnd: Option<bool>,
    pub respect_fullscreen: Option<bool>,
    pub respect_calls: Option<bool>,
    pub calls_ignore: Option<Vec<String>>,
    pub catch_up_after: Option<Spanned<Dur>>,
    pub idle_inhibitors: Option<IdleInhibitors>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SleepFile {
    pub wake: Option<Spanned<Clock>>,
    pub goal: Option<Spanned<Dur>>,
    pub wind_down: Option<Spanned<Dur>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderFile {
    pub id: Spanned<String>,
    pub kind: Spanned<KindName>,
    pub title: Option<Spanned<String>>,
    pub body: Option<Spanned<String>>,
    pub tips: Option<Spanned<Vec<Spanned<String>>>>,
    pub every: Option<Spanned<Dur>>,
    pub at: Option<Spanned<Vec<Spanned<Clock>>>>,
    pub during: Option<Spanned<During>>,
    pub days: Option<Spanned<Vec<Day>>>,
    pub snooze: Option<Spanned<Dur>>,
    pub urgency: Option<Urgency>,
    pub enabled: Option<bool>,
    /// The guided routine's id (default: the kind's first built-in one).
    pub routine: Option<Spanned<String>>,
}

/// Implements `Deserialize` for a type parsed from a string, so a bad value
/// becomes a toml error located at that value.
macro_rules! from_str_value {
    ($ty:ident, $expecting:literal, $parse:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        let parse: fn(&str) -> Result<$ty, String> = $parse;
                        parse(s).map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// A humantime duration: `45m`, `1h 30m`, `90s`; and the text as written,
/// for messages that quote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Dur(pub SignedDuration, pub String);

from_str_value!(Dur, "a duration string like \"45m\" or \"1h 30m\"", |s| {
    parse_duration(s, false)
        .map(|d| Dur(d, s.trim().to_string()))
        .map_err(|e| e.to_string())
});

/// A local clock time `HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock(pub Time);

from_str_value!(Clock, "a time string \"HH:MM\"", |s| {
    parse_clock(s)
        .map(Clock)
        .ok_or_else(|| format!("invalid time \"{s}\": expected \"HH:MM\", 00:00 to 23:59"))
});

/// `HH:MM-HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range(pub TimeRange);

from_str_value!(Range, "a time range string \"HH:MM-HH:MM\"", |s| {
    TimeRange::parse(s).map(Range)
});

/// `mon` … `sun`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Day(pub Weekday);

from_str_value!(
    Day,
    "a day name: mon, tue, wed, thu, fri, sat or sun",
    |s| {
        Days::parse_day(s).map(Day).ok_or_else(|| {
            let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            match crate::core::spell::nearest(&s.to_ascii_lowercase(), days) {
                Some(near) => format!("invalid day \"{s}\": did you mean \"{near}\"?"),
                None => format!("invalid day \"{s}\": expected one of {}", days.join(", ")),
            }
        })
    }
);

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KindName(pub Kind);

from_str_value!(KindName, "a reminder kind", |s| {
    Kind::parse(s).map(KindName).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        match crate::core::spell::nearest(s, all.iter().copied()) {
            Some(near) => format!("unknown kind \"{s}\": did you mean \"{near}\"?"),
            None => format!("unknown kind \"{s}\": expected one of {}", all.join(", ")),
        }
    })
});

/// `work`, `always`, or `HH:MM-HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum During {
    Work,
    Always,
    Range(TimeRange),
}

from_str_value!(
    During,
    "\"work\", \"always\" or \"HH:MM-HH:MM\"",
    |s| match s {
        "work" => Ok(During::Work),
        "always" => Ok(During::Always),
        _ if s.contains('-') => TimeRange::parse(s).map(During::Range),
        _ => Err(format!(
            "invalid during \"{s}\": expected \"work\", \"always\" or a range \"HH:MM-HH:MM\""
        )),
    }
);
