//! Calendars' busy times: iCalendar (RFC 5545) events, as the calendar
//! adapter read them, expanded over a window into [`Meeting`]s. Pure: the
//! adapter parses the files and looks up each `TZID`; here are the values'
//! syntax (dates, durations, `RRULE`) and the recurrence.
//!
//! What holds: a timed event that is busy (`TRANSP:OPAQUE`, the default),
//! not `STATUS:CANCELLED` and not declined by the person. All-day (`DATE`)
//! events never hold. Recurrence: `RRULE` (`FREQ` daily, weekly, monthly,
//! yearly; `INTERVAL`, `COUNT`, `UNTIL`, `BYDAY` with ordinals,
//! `BYMONTHDAY`, `BYMONTH`, `WKST`), `EXDATE`, `RDATE`, and moved or
//! changed instances (`RECURRENCE-ID`).

use std::collections::HashMap;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use super::engine::Meeting;

/// A date or a date-time as an event gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum When {
    /// A `DATE` value: a whole day.
    Date(Date),
    /// A `DATE-TIME`: in UTC (`Z`), in a zone (`TZID`), or floating
    /// (`tz: None`, read in the local zone).
    Time { at: DateTime, tz: Option<TimeZone> },
}

impl When {
    /// The instant, floating times read in `local`; a date's midnight.
    pub fn instant(&self, local: &TimeZone) -> Option<Timestamp> {
        let (at, tz) = match self {
            When::Date(d) => (d.to_datetime(jiff::civil::Time::midnight()), local),
            When::Time { at, tz } => (*at, tz.as_ref().unwrap_or(local)),
        };
        // RFC 5545 3.3.5: a time in a gap is read with the offset before
        // it (so later), one in a fold as its first instant.
        tz.to_ambiguous_timestamp(at).compatible().ok()
    }
}

/// How long an event lasts.
#[derive(Clone, Debug, PartialEq)]
pub enum Length {
    /// `DTEND`.
    End(When),
    /// `DURATION`.
    Duration(SignedDuration),
    /// Neither: a timed event then takes no time (and holds nothing).
    None,
}

/// One `VEVENT`, its values read.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub uid: String,
    pub summary: Option<String>,
    pub start: When,
    pub length: Length,
    /// `TRANSP:OPAQUE` (the default); `TRANSPARENT` is free time.
    pub busy: bool,
    /// `STATUS:CANCELLED`.
    pub cancelled: bool,
    /// The person (an address of `[calendar] addresses`) declined it.
    pub declined: bool,
    pub rule: Option<Rule>,
    pub exdates: Vec<When>,
    pub rdates: Vec<When>,
    /// Set on a moved or changed instance of a recurring event: the start
    /// of the occurrence it replaces.
    pub recurrence_id: Option<When>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// An `RRULE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: i32,
    pub count: Option<u32>,
    pub until: Option<When>,
    /// `BYDAY`: weekdays, with an ordinal (1st, -1st …) or without.
    pub by_day: Vec<(Option<i8>, Weekday)>,
    pub by_month_day: Vec<i8>,
    pub by_month: Vec<i8>,
    pub wkst: Weekday,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    })
}

fn list<T>(v: &str, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    v.split(',')
        .map(|x| f(x.trim()).ok_or_else(|| format!("{what} has {x:?}, which is not one")))
        .collect()
}

fn ranged(x: &str, max: i8) -> Option<i8> {
    let n: i8 = x.parse().ok()?;
    (n != 0 && n.abs() <= max).then_some(n)
}

impl Rule {
    /// Reads an `RRULE` value (`FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`). Parts
    /// this expansion does not do (`BYHOUR`, `BYSETPOS` …, or a `FREQ`
    /// finer than a day) are an error rather than a wrong guess.
    pub fn parse(value: &str) -> Result<Rule, String> {
        let mut freq = None;
        let mut rule = Rule {
            freq: Freq::Daily,
            interval: 1,
            count: None,
            until: None,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_month: Vec::new(),
            wkst: Weekday::Monday,
        };
        for part in value.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("RRULE part {part:?} has no '='"))?;
            match k.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(match v {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        "YEARLY" => Freq::Yearly,
                        _ => {
                            return Err(format!(
                                "RRULE FREQ={v} is not supported (only DAILY, WEEKLY, MONTHLY, YEARLY)"
                            ));
                        }
                    })
                }
                "INTERVAL" => {
                    rule.interval = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| {
                            format!("RRULE INTERVAL={v} is not a whole number of at least 1")
                        })?
                }
                "COUNT" => {
                    rule.count = Some(
                        v.parse()
                            .map_err(|_| format!("RRULE COUNT={v} is not a whole number"))?,
                    )
                }
                "UNTIL" => rule.until = Some(parse_when(v, false)?),
                "BYDAY" => {
                    rule.by_day = list(v, "RRULE BYDAY", |x| {
                        let (n, d) = x.split_at(x.len().checked_sub(2)?);
                        let n = if n.is_empty() {
                            None
                        } else {
                            Some(ranged(n.trim_start_matches('+'), 53)?)
                        };
                        Some((n, weekday(d)?))
                    })?
                }
                "BYMONTHDAY" => rule.by_month_day = list(v, "RRULE BYMONTHDAY", |x| ranged(x, 31))?,
                "BYMONTH" => {
                    rule.by_month = list(v, "RRULE BYMONTH", |x| ranged(x, 12).filter(|m| *m > 0))?
                }
                "WKST" => {
                    rule.wkst =
                        weekday(v).ok_or_else(|| format!("RRULE WKST={v} is not a weekday"))?
                }
                other => return Err(format!("RRULE {other} is not supported")),
            }
        }
        rule.freq = freq.ok_or("RRULE has no FREQ")?;
        if rule.count.is_some() && rule.until.is_some() {
            return Err("RRULE has both COUNT and UNTIL".into());
        }
        if matches!(rule.freq, Freq::Daily | Freq::Weekly)
            && rule.by_day.iter().any(|d| d.0.is_some())
        {
            return Err("RRULE BYDAY with a number needs FREQ=MONTHLY or YEARLY".into());
        }
        Ok(rule)
    }
}

/// Reads a `DATE` (`20260305`) or `DATE-TIME` (`20260305T090000`, with `Z`
/// for UTC) value; `date` says the property was marked `VALUE=DATE`. A
/// date-time without `Z` is floating here: the caller sets its `TZID`.
pub fn parse_when(v: &str, date: bool) -> Result<When, String> {
    let bad = || format!("{v:?} is not an iCalendar date or date-time");
    let v = v.trim();
    if v.len() < 8 || !v.is_ascii() {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<i16>().map_err(|_| bad());
    let d = jiff::civil::Date::new(num(&v[0..4])?, num(&v[4..6])? as i8, num(&v[6..8])? as i8)
        .map_err(|_| bad())?;
    if v.len() == 8 {
        return Ok(When::Date(d));
    }
    if date || v.as_bytes()[8] != b'T' || !(v.len() == 15 || v.len() == 16) {
        return Err(bad());
    }
    let t = jiff::civil::Time::new(
        num(&v[9..11])? as i8,
        num(&v[11..13])? as i8,
        num(&v[13..15])?.min(59) as i8,
        0,
    )
    .map_err(|_| bad())?;
    let tz = match &v[15..] {
        "" => None,
        "Z" => Some(TimeZone::UTC),
        _ => return Err(bad()),
    };
    Ok(When::Time {
        at: d.to_datetime(t),
        tz,
    })
}

/// Reads a `DURATION` value (`PT1H30M`, `P1D`, `-PT15M`, `P1W`). Days
/// are taken as 24 hours.
pub fn parse_duration(v: &str) -> Result<SignedDuration, String> {
    let bad = || format!("{v:?} is not an iCalendar duration");
    let (neg, rest) = match v.trim().as_bytes().first() {
        Some(b'-') => (true, &v.trim()[1..]),
        Some(b'+') => (false, &v.trim()[1..]),
        _ => (false, v.trim()),
    };
    let rest = rest.strip_prefix('P').ok_or_else(bad)?;
    let mut secs: i64 = 0;
    let mut n = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => n.push(c),
            'T' if n.is_empty() => in_time = true,
            'W' | 'D' | 'H' | 'M' | 'S' if !n.is_empty() => {
                let k: i64 = n.parse().map_err(|_| bad())?;
                let unit = match (c, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return Err(bad()),
                };
                secs = k
                    .checked_mul(unit)
                    .and_then(|x| secs.checked_add(x))
                    .ok_or_else(bad)?;
                n.clear();
                any = true;
            }
            _ => return Err(bad()),
        }
    }
    if !any || !n.is_empty() {
        return Err(bad());
    }
    Ok(SignedDuration::from_secs(if neg { -secs } else { secs }))
}

/// How many occurrences a rule may walk through before giving up: a
/// daily rule from 1970 to now is under 21,000.
const MAX_STEPS: usize = 100_000;

/// The busy meetings of `events` that overlap `from..to`, sorted by start.
/// Floating times are read in `local`.
pub fn expand(events: &[Event], from: Timestamp, to: Timestamp, local: &TimeZone) -> Vec<Meeting> {
    let mut moved: HashMap<&str, Vec<Timestamp>> = HashMap::new();
    for e in events {
        if let Some(rid) = &e.recurrence_id
            && let Some(t) = rid.instant(local)
        {
            moved.entry(e.uid.as_str()).or_default().push(t);
        }
    }
    let mut out = Vec::new();
    for e in events {
        if !e.busy || e.cancelled || e.declined || matches!(e.start, When::Date(_)) {
            continue;
        }
        let Some(start) = e.start.instant(local) else {
            continue;
        };
        let length = match &e.length {
            Length::End(end) => match end.instant(local) {
                Some(end) => end.duration_since(start),
                None => continue,
            },
            Length::Duration(d) => *d,
            Length::None => SignedDuration::ZERO,
        };
        if length <= SignedDuration::ZERO {
            continue;
        }
        let starts = if e.recurrence_id.is_none() {
            let replaced = moved.get(e.uid.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let excluded = |t: &Timestamp| {
                replaced.contains(t)
                    || e.exdates.iter().any(|x| match x {
                        When::Date(d) => {
                            t.to_zoned_datetime(zone_of(&e.start, local).clone()).date() == *d
                        }
                        _ => x.instant(local) == Some(*t),
                    })
            };
            let mut starts = occurrences(e, start, to, local);
            for r in &e.rdates {
                if let Some(t) = r.instant(local) {
                    starts.push(t);
                }
            }
            starts.sort();
            starts.dedup();
            starts.retain(|t| !excluded(t));
            starts
        } else {
            vec![start]
        };
        for s in starts {
            let Some(end) = s.checked_add(length).ok() else {
                continue;
            };
            if s < to && end > from {
                out.push(Meeting {
                    start: s,
                    end,
                    title: e.summary.clone(),
                });
            }
        }
    }
    out.sort_by_key(|m| (m.start, m.end));
    out
}

fn zone_of<'a>(w: &'a When, local: &'a TimeZone) -> &'a TimeZone {
    match w {
        When::Time { tz: Some(tz), .. } => tz,
        _ => local,
    }
}

/// The starts of a (maybe recurring) event before `to`: DTSTART first (it
/// always counts, RFC 5545 3.8.5.3), then what the rule makes, in the
/// zone of DTSTART, at its time of day.
fn occurrences(e: &Event, start: Timestamp, to: Timestamp, local: &TimeZone) -> Vec<Timestamp> {
    let mut out = vec![start];
    let (Some(rule), When::Time { at, .. }) = (&e.rule, &e.start) else {
        return out;
    };
    let tz = zone_of(&e.start, local);
    let first = *at;
    // UNTIL: a date, a floating time (in DTSTART's zone) or an instant.
    let within = |dt: &DateTime, t: Timestamp| match &rule.until {
        None => true,
        Some(When::Date(d)) => dt.date() <= *d,
        Some(When::Time { at: u, tz: None }) => dt <= u,
        Some(w) => w.instant(local).is_some_and(|u| t <= u),
    };
    // The last date worth making: a day past `to` in the zone.
    let Ok(last) = to.to_zoned_datetime(tz.clone()).date().checked_add(1.day()) else {
        return out;
    };
    let mut count = 1u32;
    let time = first.time();
    let mut steps = 0usize;
    for k in 0.. {
        let Some(dates) = period(rule, first.date(), k) else {
            break;
        };
        let Some(period_start) = dates.0 else { break };
        if period_start > last {
            break;
        }
        for d in dates.1 {
            steps += 1;
            let dt = d.to_datetime(time);
            if dt <= first {
                continue;
            }
            if rule.count.is_some_and(|c| count >= c) || steps > MAX_STEPS {
                return out;
            }
            let Ok(t) = tz.to_ambiguous_timestamp(dt).compatible() else {
                continue;
            };
            if !within(&dt, t) {
                return out;
            }
            if d > last {
                return out;
            }
            count += 1;
            out.push(t);
        }
        if steps > MAX_STEPS {
            break;
        }
    }
    out
}

fn days_in_month(y: i16, m: i8) -> Option<i8> {
    Some(Date::new(y, m, 1).ok()?.days_in_month())
}

/// The dates of the `k`th period (day, week, month or year) of the rule
/// from `first`, sorted, with the period's first day (`None` past the
/// calendar's end).
fn period(rule: &Rule, first: Date, k: i64) -> Option<(Option<Date>, Vec<Date>)> {
    let step = k.checked_mul(rule.interval as i64)?;
    let in_month = |y: i16, m: i8| -> Vec<Date> { month_days(rule, first, y, m) };
    let month_ok = |d: &Date| rule.by_month.is_empty() || rule.by_month.contains(&d.month());
    let (start, mut dates) = match rule.freq {
        Freq::Daily => {
            let d = first.checked_add(step.days()).ok();
            let keep = d.filter(|d| {
                month_ok(d)
                    && (rule.by_day.is_empty()
                        || rule.by_day.iter().any(|(_, w)| *w == d.weekday()))
                    && (rule.by_month_day.is_empty() || month_day_ok(&rule.by_month_day, *d))
            });
            (d, keep.into_iter().collect())
        }
        Freq::Weekly => {
            let back = (first.weekday().to_monday_zero_offset()
                - rule.wkst.to_monday_zero_offset())
            .rem_euclid(7);
            let week = first
                .checked_sub((back as i64).days())
                .ok()?
                .checked_add((step * 7).days())
                .ok();
            let mut v = Vec::new();
            if let Some(w) = week {
                for i in 0..7 {
                    let Ok(d) = w.checked_add(i.days()) else {
                        continue;
                    };
                    let day_ok = if rule.by_day.is_empty() {
                        d.weekday() == first.weekday()
                    } else {
                        rule.by_day.iter().any(|(_, x)| *x == d.weekday())
                    };
                    if day_ok
                        && month_ok(&d)
                        && (rule.by_month_day.is_empty() || month_day_ok(&rule.by_month_day, d))
                    {
                        v.push(d);
                    }
                }
            }
            (week, v)
        }
        Freq::Monthly => {
            let months = first.month() as i64 - 1 + step;
            let y = first.year() as i64 + months.div_euclid(12);
            let m = (months.rem_euclid(12) + 1) as i8;
            let y = i16::try_from(y).ok()?;
            let start = Date::new(y, m, 1).ok();
            let v = if start.is_some() && (rule.by_month.is_empty() || rule.by_month.contains(&m)) {
                in_month(y, m)
            } else {
                Vec::new()
            };
            (start, v)
        }
        Freq::Yearly => {
            let y = i16::try_from(first.year() as i64 + step).ok()?;
            let start = Date::new(y, 1, 1).ok();
            let mut v = Vec::new();
            if start.is_some() {
                if rule.by_month.is_empty()
                    && rule.by_month_day.is_empty()
                    && !rule.by_day.is_empty()
                {
                    // BYDAY within the whole year.
                    v = year_days(&rule.by_day, y);
                } else {
                    let months: Vec<i8> = if !rule.by_month.is_empty() {
                        rule.by_month.clone()
                    } else if !rule.by_month_day.is_empty() {
                        (1..=12).collect()
                    } else {
                        vec![first.month()]
                    };
                    for m in months {
                        v.extend(in_month(y, m));
                    }
                }
            }
            (start, v)
        }
    };
    dates.sort();
    dates.dedup();
    Some((start, dates))
}

fn month_day_ok(by: &[i8], d: Date) -> bool {
    let n = d.days_in_month();
    by.iter().any(|&x| {
        if x > 0 {
            x == d.day()
        } else {
            n + 1 + x == d.day()
        }
    })
}

/// The days of month `m` of `y` the rule's BYMONTHDAY and BYDAY pick (or
/// DTSTART's day of the month, where it has one).
fn month_days(rule: &Rule, first: Date, y: i16, m: i8) -> Vec<Date> {
    let Some(n) = days_in_month(y, m) else {
        return Vec::new();
    };
    let all = (1..=n).filter_map(|d| Date::new(y, m, d).ok());
    if !rule.by_month_day.is_empty() {
        all.filter(|d| month_day_ok(&rule.by_month_day, *d))
            .filter(|d| rule.by_day.is_empty() || by_day_ok(&rule.by_day, *d, n, d.day()))
            .collect()
    } else if !rule.by_day.is_empty() {
        all.filter(|d| by_day_ok(&rule.by_day, *d, n, d.day()))
            .collect()
    } else {
        Date::new(y, m, first.day()).ok().into_iter().collect()
    }
}

/// Whether `d`, the `index`th (1-based) day of a span of `len` days,
/// matches a BYDAY entry (an ordinal counts that weekday within the span).
fn by_day_ok(by: &[(Option<i8>, Weekday)], d: Date, len: i8, index: i8) -> bool {
    by_day_ok_wide(by, d, len as i16, index as i16)
}

fn by_day_ok_wide(by: &[(Option<i8>, Weekday)], d: Date, len: i16, index: i16) -> bool {
    by.iter().any(|&(n, w)| {
        w == d.weekday()
            && match n {
                None => true,
                Some(n) if n > 0 => (index - 1) / 7 + 1 == n as i16,
                Some(n) => (len - index) / 7 + 1 == -n as i16,
            }
    })
}

/// BYDAY within a whole year (YEARLY without BYMONTH).
fn year_days(by: &[(Option<i8>, Weekday)], y: i16) -> Vec<Date> {
    let Ok(jan1) = Date::new(y, 1, 1) else {
        return Vec::new();
    };
    let len = jan1.days_in_year();
    (0..len)
        .filter_map(|i| jan1.checked_add((i as i64).days()).ok().map(|d| (i + 1, d)))
        .filter(|&(i, d)| by_day_ok_wide(by, d, len, i))
        .map(|(_, d)| d)
        .collect()
}
