//! Local-time primitives of the schedule: weekday sets, `HH:MM-HH:MM` ranges,
//! windows, and the resolution of a local clock time to an instant under DST.
//!
//! Everything here is pure: the time zone comes in with the arguments.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// A set of weekdays.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Days(u8);

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Days {
    pub const ALL: Days = Days(0b111_1111);
    pub const NONE: Days = Days(0);
    pub const WORK_WEEK: Days = Days(0b001_1111);

    fn bit(day: Weekday) -> u8 {
        1 << (day.to_monday_zero_offset() as u8)
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    pub fn with(self, day: Weekday) -> Days {
        Days(self.0 | Self::bit(day))
    }

    pub fn intersect(self, other: Days) -> Days {
        Days(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_all(self) -> bool {
        self == Self::ALL
    }

    /// The most days in a row (around the week's end too): 7 for every day.
    pub fn longest_run(self) -> u32 {
        if self.is_all() {
            return 7;
        }
        let (mut best, mut run) = (0, 0);
        // Twice round the week, so a run across Sunday–Monday counts whole.
        for i in 0..14 {
            if self.0 & (1 << (i % 7)) != 0 {
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
        }
        best
    }

    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().filter(move |d| self.contains(*d))
    }

    /// Parses a three-letter English day name (`mon` … `sun`).
    pub fn parse_day(name: &str) -> Option<Weekday> {
        DAY_NAMES.iter().position(|n| *n == name).map(|i| WEEK[i])
    }
}

impl FromIterator<Weekday> for Days {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        iter.into_iter().fold(Days::NONE, Days::with)
    }
}

impl fmt::Debug for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Days({self})")
    }
}

impl fmt::Display for Days {
    /// `every day`, `mon-fri`, `sat,sun`, `mon,wed,fri`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("every day");
        }
        if self.is_empty() {
            return f.write_str("no day");
        }
        // Contiguous runs of three or more are written as a range.
        let idx: Vec<usize> = (0..7).filter(|i| self.0 & (1 << i) != 0).collect();
        let mut parts = Vec::new();
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && idx[j + 1] == idx[j] + 1 {
                j += 1;
            }
            if j - i >= 2 {
                parts.push(format!("{}-{}", DAY_NAMES[idx[i]], DAY_NAMES[idx[j]]));
            } else {
                parts.extend(idx[i..=j].iter().map(|k| DAY_NAMES[*k].to_string()));
            }
            i = j + 1;
        }
        f.write_str(&parts.join(","))
    }
}

/// Parses strict `HH:MM` (24-hour, two digits each).
pub fn parse_clock(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
    {
        return None;
    }
    let h = (b[0] - b'0') * 10 + (b[1] - b'0');
    let m = (b[3] - b'0') * 10 + (b[4] - b'0');
    if h > 23 || m > 59 {
        return None;
    }
    Time::new(h as i8, m as i8, 0, 0).ok()
}

/// Formats a time of day as `HH:MM`.
pub fn fmt_clock(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// A daily time range `start-end`; when `end <= start` it wraps past midnight
/// and belongs to the day it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Time,
    pub end: Time,
}

impl TimeRange {
    pub fn wraps(&self) -> bool {
        self.end <= self.start
    }

    /// Nominal length (ignoring DST).
    pub fn length(&self) -> SignedDuration {
        let d = self.end.duration_since(self.start);
        if self.wraps() {
            d + SignedDuration::from_hours(24)
        } else {
            d
        }
    }

    /// Parses `HH:MM-HH:MM`. Returns a message on error.
    pub fn parse(s: &str) -> Result<TimeRange, String> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("invalid time range \"{s}\": expected \"HH:MM-HH:MM\""))?;
        let start = parse_clock(a.trim()).ok_or_else(|| {
            format!(
                "invalid start time \"{}\" in \"{s}\": expected HH:MM, 00:00 to 23:59",
                a.trim()
            )
        })?;
        let end = parse_clock(b.trim()).ok_or_else(|| {
            format!(
                "invalid end time \"{}\" in \"{s}\": expected HH:MM, 00:00 to 23:59",
                b.trim()
            )
        })?;
        if start == end {
            return Err(format!(
                "empty time range \"{s}\": start and end are equal (use \"always\" for the whole day)"
            ));
        }
        Ok(TimeRange { start, end })
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", fmt_clock(self.start), fmt_clock(self.end))
    }
}

/// Resolves a local date and clock time to an instant in `tz`.
///
/// DST: a time that does not exist that day (spring forward) resolves to the
/// first valid instant after it, which is the transition itself; a time that
/// occurs twice (fall back) resolves to its first occurrence.
pub fn resolve_local(date: Date, time: Time, tz: &TimeZone) -> Option<Timestamp> {
    let dt = date.to_datetime(time);
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { before, after } => {
            // `dt` read with the new offset lies just before the transition.
            let probe = after.to_timestamp(dt).ok()?;
            tz.following(probe)
                .next()
                .map(|t| t.timestamp())
                .or_else(|| before.to_timestamp(dt).ok())
        }
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
    }
}

/// When a reminder may fire: every moment, or daily ranges on some weekdays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Always,
    /// `range: None` is the whole day.
    Daily {
        range: Option<TimeRange>,
        days: Days,
    },
}

/// One opening of a window: `[start, end)`; `end: None` never closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
}

impl Span {
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|e| t < e)
    }
}

impl Window {
    /// The opening that starts on `date`, if `date` is one of its days.
    fn opening_on(&self, date: Date, tz: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        let Window::Daily { range, days } = self else {
            return None;
        };
        if !days.contains(date.weekday()) {
            return None;
        }
        let next_day = date.tomorrow().ok()?;
        match range {
            None => Some((
                resolve_local(date, Time::midnight(), tz)?,
                resolve_local(next_day, Time::midnight(), tz)?,
            )),
            Some(r) => {
                let end_day = if r.wraps() { next_day } else { date };
                Some((
                    resolve_local(date, r.start, tz)?,
                    resolve_local(end_day, r.end, tz)?,
                ))
            }
        }
    }

    /// The opening that contains `t`, or else the first one after it, with
    /// back-to-back openings merged (so `always` on some days is one span).
    pub fn span_at_or_after(&self, t: Timestamp, tz: &TimeZone) -> Option<Span> {
        let days = match self {
            // No start: an interval counts from its anchor alone.
            Window::Always => {
                return Some(Span {
                    start: Timestamp::MIN,
                    end: None,
                });
            }
            Window::Daily { days, .. } => days,
        };
        if days.is_empty() {
            return None;
        }
        let first_date = tz.to_datetime(t).date().yesterday().ok()?;
        let mut date = first_date;
        // Eight days always reach a day of a non-empty set.
        for _ in 0..9 {
            if let Some((start, end)) = self.opening_on(date, tz)
                && end > t
            {
                let start = self.merge_preceding(start, date, tz);
                return Some(self.merge_following(start, end, date, tz));
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    fn merge_preceding(&self, mut start: Timestamp, mut date: Date, tz: &TimeZone) -> Timestamp {
        for _ in 0..8 {
            let Some(prev) = date.yesterday().ok() else {
                break;
            };
            match self.opening_on(prev, tz) {
                Some((s, e)) if e >= start => {
                    start = s;
                    date = prev;
                }
                _ => return start,
            }
        }
        // Contiguous for a whole week back: it never opened.
        Timestamp::MIN
    }

    fn merge_following(
        &self,
        start: Timestamp,
        mut end: Timestamp,
        mut date: Date,
        tz: &TimeZone,
    ) -> Span {
        for _ in 0..8 {
            let Some(next) = date.tomorrow().ok() else {
                break;
            };
            match self.opening_on(next, tz) {
                Some((s, e)) if s <= end => {
                    end = e;
                    date = next;
                }
                _ => {
                    return Span {
                        start,
                        end: Some(end),
                    };
                }
            }
        }
        // Still contiguous after a whole week: it never closes.
        Span { start, end: None }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Always => f.write_str("always"),
            Window::Daily { range: None, days } => write!(f, "all day, {days}"),
            Window::Daily {
                range: Some(r),
                days,
            } => write!(f, "{r}, {days}"),
        }
    }
}

/// An instant for people, absolute so it never needs updating: "14:05"
/// today, "tomorrow 09:45", "Thu 09:45" later in the week.
/// RFC 3339 with the local offset, to the second: "2026-11-25T14:15:00+01:00".
/// The one format of instants in JSON (status, plan, history).
pub fn rfc3339(at: &jiff::ZonedDateTime) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

pub fn when(at: &jiff::ZonedDateTime, today: Date) -> String {
    let hm = at.strftime("%H:%M").to_string();
    let d = at.date();
    if d == today {
        hm
    } else if today.tomorrow().ok() == Some(d) {
        format!("tomorrow {hm}")
    } else {
        format!("{} {hm}", at.strftime("%a"))
    }
}

/// A duration that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "invalid duration \"{0}\": expected numbers with units s, m, h, e.g. \"45m\", \"1h 30m\", \"90s\""
    )]
    Syntax(String),
    #[error("duration \"{0}\" is too long")]
    TooLong(String),
}

/// Reads a duration the way the config, the CLI and the socket write it:
/// `45m`, `1h 30m`, `90s`, `2d`; with a leading `-` where `signed`. The one
/// reader of durations (humantime's grammar; its messages help little, so
/// the error quotes the text and gives examples).
pub fn parse_duration(s: &str, signed: bool) -> Result<SignedDuration, DurationError> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) if signed => (true, rest.trim_start()),
        _ => (false, t),
    };
    let d = humantime::parse_duration(t).map_err(|_| DurationError::Syntax(s.trim().into()))?;
    let d = SignedDuration::try_from(d).map_err(|_| DurationError::TooLong(s.trim().into()))?;
    Ok(if neg { -d } else { d })
}

/// Formats a duration the way the config writes it: `45m`, `1h 30m`, `90s`.
/// A duration as a person reads it, the same wherever one does (status,
/// the tray, notifications, stats, the log): "45 s", "1 min 30 s",
/// "12 min", "1 h 30 min", "2 d 3 h". The two largest units; below a
/// second, nothing ("0 s").
pub fn humane(d: SignedDuration) -> String {
    let sign = if d.is_negative() { "-" } else { "" };
    let secs = d.as_secs().unsigned_abs();
    let (days, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    let text = match (days, h, m, s) {
        (0, 0, 0, s) => format!("{s} s"),
        (0, 0, m, 0) => format!("{m} min"),
        (0, 0, m, s) => format!("{m} min {s} s"),
        (0, h, 0, _) => format!("{h} h"),
        (0, h, m, _) => format!("{h} h {m} min"),
        (d, 0, _, _) => format!("{d} d"),
        (d, h, _, _) => format!("{d} d {h} h"),
    };
    format!("{sign}{text}")
}

/// [`humane`] to the nearest minute from a minute up ("1 min", "1 h 5
/// min"), where a table has room for no more.
pub fn humane_minutes(d: SignedDuration) -> String {
    if d.as_secs().abs() < 60 {
        return humane(d);
    }
    humane(SignedDuration::from_mins((d.as_secs() + 30).div_euclid(60)))
}

/// A duration as the config writes it ("1h 30m"): for what is read back.
pub fn fmt_duration(d: SignedDuration) -> String {
    let secs = d.as_secs();
    let ms = d.subsec_millis();
    if secs == 0 && ms == 0 {
        return "0s".into();
    }
    let (d, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    let mut parts = Vec::new();
    // Days as days: "8d" reads back as the user wrote it, not as "192h".
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 {
        parts.push(format!("{s}s"));
    }
    // Rare in a config, but "500ms" must not read as "0s".
    if ms > 0 {
        parts.push(format!("{ms}ms"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn longest_run_of_days_wraps_round_the_week() {
        let days = |names: &[&str]| -> Days {
            names.iter().map(|n| Days::parse_day(n).unwrap()).collect()
        };
        assert_eq!(Days::ALL.longest_run(), 7);
        assert_eq!(Days::NONE.longest_run(), 0);
        assert_eq!(Days::WORK_WEEK.longest_run(), 5);
        assert_eq!(days(&["mon", "wed"]).longest_run(), 1);
        assert_eq!(days(&["sat", "sun", "mon", "thu"]).longest_run(), 3);
    }

    #[test]
    fn clock_parsing_is_strict() {
        assert_eq!(parse_clock("09:05"), Some(time(9, 5, 0, 0)));
        assert_eq!(parse_clock("23:59"), Some(time(23, 59, 0, 0)));
        for bad in ["9:05", "24:00", "12:60", "12-00", "1200", " 12:00", "ab:cd"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    /// Regression: sub-second durations were shown as "0s" (found by a
    /// helper's property run: `every = "500ms"` warned as `every = "0s"`).
    #[test]
    fn durations_format_as_written() {
        assert_eq!(fmt_duration(SignedDuration::from_millis(500)), "500ms");
        assert_eq!(
            fmt_duration(SignedDuration::from_millis(90_250)),
            "1m 30s 250ms"
        );
        assert_eq!(fmt_duration(SignedDuration::from_mins(90)), "1h 30m");
        assert_eq!(fmt_duration(SignedDuration::ZERO), "0s");
    }

    #[test]
    fn days_display_compacts_runs() {
        assert_eq!(Days::WORK_WEEK.to_string(), "mon-fri");
        assert_eq!(Days::ALL.to_string(), "every day");
        let weekend: Days = [Weekday::Saturday, Weekday::Sunday].into_iter().collect();
        assert_eq!(weekend.to_string(), "sat,sun");
        let mwf: Days = [Weekday::Monday, Weekday::Wednesday, Weekday::Friday]
            .into_iter()
            .collect();
        assert_eq!(mwf.to_string(), "mon,wed,fri");
    }

    #[test]
    fn gap_resolves_to_transition_and_fold_to_first() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // 2026-03-29 02:30 does not exist in Berlin; the clock jumps 02:00 -> 03:00.
        let t = resolve_local(date(2026, 3, 29), time(2, 30, 0, 0), &tz).unwrap();
        assert_eq!(t.to_string(), "2026-03-29T01:00:00Z");
        // 2026-10-25 02:30 happens twice; the first is at +02:00.
        let t = resolve_local(date(2026, 10, 25), time(2, 30, 0, 0), &tz).unwrap();
        assert_eq!(t.to_string(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn range_parse_errors_name_the_part() {
        assert!(TimeRange::parse("09:00-18:00").is_ok());
        assert!(TimeRange::parse("22:00-02:00").unwrap().wraps());
        assert!(
            TimeRange::parse("9-18")
                .unwrap_err()
                .contains("invalid start time \"9\"")
        );
        assert!(
            TimeRange::parse("10:00-10:00")
                .unwrap_err()
                .contains("empty time range")
        );
        assert!(
            TimeRange::parse("10:00")
                .unwrap_err()
                .contains("expected \"HH:MM-HH:MM\"")
        );
    }

    #[test]
    fn always_on_some_days_merges_into_one_span() {
        let tz = TimeZone::get("UTC").unwrap();
        let w = Window::Daily {
            range: None,
            days: Days::WORK_WEEK,
        };
        // Wednesday 2026-11-25 12:00Z: the span runs Mon 00:00 to Sat 00:00.
        let t: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let s = w.span_at_or_after(t, &tz).unwrap();
        assert_eq!(s.start.to_string(), "2026-11-23T00:00:00Z");
        assert_eq!(s.end.unwrap().to_string(), "2026-11-28T00:00:00Z");
    }
}

#[cfg(test)]
mod humane_tests {
    use super::*;

    #[test]
    fn durations_read_the_same_everywhere() {
        let s = SignedDuration::from_secs;
        assert_eq!(humane(s(0)), "0 s");
        assert_eq!(humane(s(45)), "45 s");
        assert_eq!(humane(s(80)), "1 min 20 s");
        assert_eq!(humane(s(600)), "10 min");
        assert_eq!(
            humane(SignedDuration::from_millis(2_021_590)),
            "33 min 41 s"
        );
        assert_eq!(humane(s(3600)), "1 h");
        assert_eq!(humane(s(5430)), "1 h 30 min");
        assert_eq!(humane(s(2 * 86_400 + 3 * 3600 + 5)), "2 d 3 h");
        assert_eq!(humane(s(-90)), "-1 min 30 s");
        assert_eq!(humane_minutes(s(81)), "1 min");
        assert_eq!(humane_minutes(s(20)), "20 s");
        assert_eq!(humane_minutes(s(5410)), "1 h 30 min");
    }
}
