//! What `unhunch report` shows, computed from the history's counts: pure.
//!
//! The counts per local day, reminder and outcome are the very rows `stats`
//! reads ([`OutcomeCount`]), summed by the same [`summarize`], so the report
//! and `stats` agree to the event; when in the week answers come is a second,
//! small table ([`TimeCount`]). The period is whole weeks, Monday to Sunday,
//! ending with the week of `today` (cut at today); the period before it is
//! the same number of whole weeks.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};

use super::history::Outcome;
use super::stats::{OutcomeCount, Summary, Tally, summarize};

/// How many answers of one outcome came in one local hour of one weekday
/// (all reminders, over a period).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCount {
    /// Monday 0 to Sunday 6.
    pub weekday: u8,
    /// 0 to 23.
    pub hour: u8,
    pub outcome: Outcome,
    pub count: u32,
}

/// The days a report covers: `weeks` whole weeks, Monday first, the last
/// one the week of `today`, cut at `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub weeks: u32,
}

impl Period {
    pub fn ending(today: Date, weeks: u32) -> Result<Period, jiff::Error> {
        let weeks = weeks.max(1);
        let monday = today.checked_sub(jiff::Span::new().days(monday_index(today)))?;
        let from = monday.checked_sub(jiff::Span::new().weeks(i64::from(weeks) - 1))?;
        Ok(Period {
            from,
            to: today,
            weeks,
        })
    }

    /// The `weeks` whole weeks before this one.
    pub fn previous(&self) -> Result<Period, jiff::Error> {
        let to = self.from.yesterday()?;
        let from = self
            .from
            .checked_sub(jiff::Span::new().weeks(i64::from(self.weeks)))?;
        Ok(Period {
            from,
            to,
            weeks: self.weeks,
        })
    }

    /// Every day, oldest first.
    pub fn days(&self) -> impl Iterator<Item = Date> + '_ {
        self.from
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= self.to)
    }

    fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Monday 0 … Sunday 6.
fn monday_index(d: Date) -> i64 {
    i64::from(d.weekday().to_monday_zero_offset())
}

pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// Answers in one slot of time: done, snoozed, skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct When {
    pub done: u32,
    pub snoozed: u32,
    pub skipped: u32,
}

impl When {
    fn add(&mut self, outcome: Outcome, n: u32) {
        match outcome {
            Outcome::Done => self.done += n,
            Outcome::Snoozed => self.snoozed += n,
            Outcome::Skipped => self.skipped += n,
            _ => {}
        }
    }

    /// Snoozed or skipped.
    pub fn put_off(&self) -> u32 {
        self.snoozed + self.skipped
    }
}

/// One reminder over the period and the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderReport {
    pub id: String,
    pub now: Tally,
    pub before: Tally,
    /// Consecutive days it was done, up to today (as `stats` counts).
    pub streak: u32,
    /// Breaks ([`breaks`]) per week of the period, oldest first: the sparkline.
    pub weekly_done: Vec<u32>,
}

impl ReminderReport {
    /// The change in done rate, in percentage points, when both periods
    /// showed it.
    pub fn trend(&self) -> Option<f64> {
        Some((self.now.adherence()? - self.before.adherence()?) * 100.0)
    }
}

/// The report's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub previous: Period,
    pub today: Date,
    /// Per day of the period, oldest first: the day and its tally.
    pub days: Vec<(Date, Tally)>,
    pub total: Tally,
    pub total_before: Tally,
    pub reminders: Vec<ReminderReport>,
    /// By local hour, 0 to 23.
    pub by_hour: [When; 24],
    /// By weekday, Monday first.
    pub by_weekday: [When; 7],
    /// By weekday (Monday first) and hour.
    pub by_weekday_hour: [[When; 24]; 7],
    /// Days in a row with a break, up to today (as `stats` counts).
    pub streak: u32,
    /// The longest run of days with a break within the period.
    pub longest_streak: u32,
    /// Breaks this week up to today, and last week up to the same weekday.
    pub this_week: u32,
    pub last_week_so_far: u32,
    /// Seconds reminders were held, by reason (away, locked,
    /// do-not-disturb, fullscreen, call), most first.
    pub held: Vec<(String, u64)>,
}

/// What the caller knows beyond the counts: the streaks, which walk back
/// past the period (`Store::streak`, as `stats` uses).
pub struct Streaks {
    pub overall: u32,
    pub by_reminder: BTreeMap<String, u32>,
}

/// Builds the report from the counts of both periods (rows outside both
/// are ignored) and the answers' times in this one.
pub fn build(
    period: Period,
    today: Date,
    rows: &[OutcomeCount],
    times: &[TimeCount],
    streaks: &Streaks,
) -> Result<Report, jiff::Error> {
    let previous = period.previous()?;
    // Rows carry their day as text: parse each distinct day once.
    let mut dates: BTreeMap<&str, Option<Date>> = BTreeMap::new();
    let mut now_rows = Vec::new();
    let mut before_rows = Vec::new();
    for r in rows {
        let Some(date) = *dates
            .entry(r.day.as_str())
            .or_insert_with(|| r.day.parse::<Date>().ok())
        else {
            continue;
        };
        if period.contains(date) {
            now_rows.push(r);
        } else if previous.contains(date) {
            before_rows.push(r);
        }
    }
    let mut by_hour = [When::default(); 24];
    let mut by_weekday = [When::default(); 7];
    let mut by_weekday_hour = [[When::default(); 24]; 7];
    for t in times {
        let (w, h) = (usize::from(t.weekday.min(6)), usize::from(t.hour.min(23)));
        by_hour[h].add(t.outcome, t.count);
        by_weekday[w].add(t.outcome, t.count);
        by_weekday_hour[w][h].add(t.outcome, t.count);
    }
    let now: Summary = summarize(now_rows);
    let before: Summary = summarize(before_rows);

    let days: Vec<(Date, Tally)> = period
        .days()
        .map(|d| {
            let t = now.by_day.get(&d.to_string()).cloned().unwrap_or_default();
            (d, t)
        })
        .collect();

    let week_of = |d: Date| -> usize {
        let n = (d - period.from).get_days();
        (n / 7) as usize
    };
    let mut reminders: BTreeMap<String, ReminderReport> = BTreeMap::new();
    let new = |id: &str| ReminderReport {
        id: id.to_string(),
        now: Tally::default(),
        before: Tally::default(),
        streak: streaks.by_reminder.get(id).copied().unwrap_or(0),
        weekly_done: vec![0; period.weeks as usize],
    };
    for (id, t) in &now.by_reminder {
        reminders.entry(id.clone()).or_insert_with(|| new(id)).now = t.clone();
    }
    for (id, t) in &before.by_reminder {
        reminders
            .entry(id.clone())
            .or_insert_with(|| new(id))
            .before = t.clone();
    }
    for ((day, id), t) in &now.by_day_reminder {
        if let Ok(d) = day.parse::<Date>()
            && let Some(r) = reminders.get_mut(id)
            && let Some(w) = r.weekly_done.get_mut(week_of(d))
        {
            *w += breaks(t);
        }
    }

    let mut longest = 0;
    let mut run = 0;
    for (_, t) in &days {
        run = if t.done > 0 { run + 1 } else { 0 };
        longest = longest.max(run);
    }

    // This week so far, and last week to the same weekday.
    let wd = monday_index(today);
    let monday = today.checked_sub(jiff::Span::new().days(wd))?;
    let last_monday = monday.checked_sub(jiff::Span::new().weeks(1))?;
    let last_same = last_monday.checked_add(jiff::Span::new().days(wd))?;
    let done_between = |from: Date, to: Date| -> u32 {
        [&now, &before]
            .iter()
            .flat_map(|s| s.by_day.iter())
            .filter_map(|(d, t)| {
                let d = d.parse::<Date>().ok()?;
                (from <= d && d <= to).then_some(breaks(t))
            })
            .sum()
    };

    Ok(Report {
        period,
        previous,
        today,
        days,
        this_week: done_between(monday, today),
        last_week_so_far: done_between(last_monday, last_same),
        total: now.total,
        total_before: before.total,
        reminders: reminders.into_values().collect(),
        by_hour,
        by_weekday,
        by_weekday_hour,
        streak: streaks.overall,
        longest_streak: longest,
        held: Vec::new(),
    })
}

/// "3 h 20 min", "45 min", "20 s": the humane format, to the nearest
/// minute from a minute up.
pub fn fmt_held(seconds: u64) -> String {
    super::time::humane_minutes(jiff::SignedDuration::from_secs(
        i64::try_from(seconds).unwrap_or(i64::MAX),
    ))
}

/// What a hold's reason is called in a sentence.
pub fn held_by(reason: &str) -> &str {
    match reason {
        "away" => "you were away",
        "locked" => "the screen was locked",
        "do-not-disturb" => "do-not-disturb was on",
        "fullscreen" => "a window was fullscreen",
        "call" => "you were in a call",
        "meeting" => "you were in a meeting",
        other => other,
    }
}

/// Breaks: reminders done, and breaks taken on one's own (`unhunch took`).
pub fn breaks(t: &Tally) -> u32 {
    t.done + t.took
}

/// "morning", "afternoon" …: the part of the day an hour is in.
pub fn part_of_day(hour: usize) -> &'static str {
    match hour {
        0..=5 => "night",
        6..=11 => "morning",
        12..=17 => "afternoon",
        _ => "evening",
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Report {
    /// A few plain sentences on what the charts show.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.total.shown == 0 && breaks(&self.total) == 0 {
            out.push(format!(
                "Nothing was recorded in these {}: no reminder was shown or answered.",
                plural(self.period.weeks, "week", "weeks")
            ));
            return out;
        }
        let (a, b) = (self.this_week, self.last_week_so_far);
        let diff = match a.cmp(&b) {
            std::cmp::Ordering::Greater => format!("{} more than", a - b),
            std::cmp::Ordering::Less => format!("{} fewer than", b - a),
            std::cmp::Ordering::Equal => "as many as".into(),
        };
        out.push(format!(
            "You took {} this week, {diff} by this day last week.",
            plural(a, "break", "breaks")
        ));
        if let Some(rate) = self.total.adherence() {
            let mut s = format!("Of the reminders shown, {:.0}% were done", rate * 100.0);
            if let Some(before) = self.total_before.adherence() {
                let pts = (rate * 100.0).round() - (before * 100.0).round();
                if pts == 0.0 {
                    s.push_str(", the same as in the weeks before");
                } else {
                    s.push_str(&format!(
                        ", {} from {:.0}% in the {} before",
                        if pts > 0.0 { "up" } else { "down" },
                        before * 100.0,
                        plural(self.previous.weeks, "week", "weeks")
                    ));
                }
            }
            s.push('.');
            out.push(s);
        }
        // When reminders are put off most: weekday and part of the day.
        let mut parts: BTreeMap<(usize, &str), u32> = BTreeMap::new();
        for (w, hours) in self.by_weekday_hour.iter().enumerate() {
            for (h, c) in hours.iter().enumerate() {
                *parts.entry((w, part_of_day(h))).or_default() += c.put_off();
            }
        }
        if let Some(((w, part), n)) = parts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .max_by_key(|(k, n)| (*n, std::cmp::Reverse(*k)))
        {
            out.push(format!(
                "{} {part}s are when reminders get put off most ({} snoozed or skipped).",
                weekday_name(WEEKDAYS[w]),
                n
            ));
        }
        if let Some(best) = self
            .reminders
            .iter()
            .filter(|r| r.now.shown >= 3)
            .max_by(|a, b| {
                a.now
                    .adherence()
                    .partial_cmp(&b.now.adherence())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            && let Some(rate) = best.now.adherence()
        {
            out.push(format!(
                "Kept best: {}, done {:.0}% of the times it was shown.",
                best.id,
                rate * 100.0
            ));
        }
        let held: u64 = self.held.iter().map(|(_, s)| s).sum();
        if held >= 60
            && let Some((reason, most)) = self.held.iter().max_by_key(|(_, s)| *s)
        {
            out.push(if self.held.len() == 1 {
                format!("Reminders waited {} while {}.", fmt_held(held), held_by(reason))
            } else {
                format!(
                    "Reminders waited {} in all while you were busy or away; longest while {} ({}).",
                    fmt_held(held),
                    held_by(reason),
                    fmt_held(*most)
                )
            });
        }
        if self.total.routines > 0 {
            out.push(format!(
                "{} in guided routines ({} finished).",
                fmt_held(self.total.routine_seconds),
                self.total.routines
            ));
        }
        out.push(match self.streak {
            0 => format!(
                "No reminder done yet today or yesterday; the longest run in these weeks was {}.",
                plural(self.longest_streak, "day", "days")
            ),
            n => format!(
                "{} in a row with a reminder done; the longest in these weeks was {}.",
                plural(n, "day", "days"),
                plural(self.longest_streak, "day", "days")
            ),
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, reminder: &str, outcome: Outcome, count: u32) -> OutcomeCount {
        OutcomeCount {
            day: day.into(),
            reminder: reminder.into(),
            outcome,
            count,
            routines: 0,
            routine_seconds: 0,
        }
    }

    fn time(weekday: u8, hour: u8, outcome: Outcome, count: u32) -> TimeCount {
        TimeCount {
            weekday,
            hour,
            outcome,
            count,
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_is_whole_weeks_cut_at_today() {
        // Wed 25 Nov 2026.
        let p = Period::ending(date("2026-11-25"), 2).unwrap();
        assert_eq!((p.from, p.to), (date("2026-11-16"), date("2026-11-25")));
        assert_eq!(p.days().count(), 10);
        let b = p.previous().unwrap();
        assert_eq!((b.from, b.to), (date("2026-11-02"), date("2026-11-15")));
        let one = Period::ending(date("2026-11-23"), 1).unwrap();
        assert_eq!(one.days().count(), 1, "a Monday");
    }

    #[test]
    fn counts_split_by_period_hour_and_weekday() {
        let today = date("2026-11-25");
        let p = Period::ending(today, 2).unwrap();
        let rows = [
            row("2026-11-24", "stand", Outcome::Shown, 3),
            row("2026-11-24", "stand", Outcome::Done, 2),
            row("2026-11-24", "stand", Outcome::Snoozed, 1),
            row("2026-11-24", "stand", Outcome::Skipped, 1),
            row("2026-11-17", "neck", Outcome::Done, 1),
            // Last week to this weekday (Wed 18th) and after it.
            row("2026-11-18", "neck", Outcome::Done, 4),
            row("2026-11-19", "neck", Outcome::Done, 5),
            // The period before.
            row("2026-11-10", "stand", Outcome::Done, 1),
            row("2026-11-10", "stand", Outcome::Ignored, 1),
            // Outside both.
            row("2026-10-01", "stand", Outcome::Done, 7),
            row("not a day", "stand", Outcome::Done, 7),
        ];
        let times = [
            time(1, 14, Outcome::Done, 2),
            time(1, 15, Outcome::Snoozed, 1),
            time(1, 15, Outcome::Skipped, 1),
            time(1, 9, Outcome::Done, 1),
            time(2, 9, Outcome::Done, 4),
            time(3, 9, Outcome::Done, 5),
        ];
        let streaks = Streaks {
            overall: 2,
            by_reminder: [("stand".to_string(), 1)].into(),
        };
        let r = build(p, today, &rows, &times, &streaks).unwrap();
        assert_eq!(r.days.len(), 10);
        assert_eq!(r.total.done, 12);
        assert_eq!(r.total.shown, 13);
        assert_eq!(r.total_before.done, 1);
        assert_eq!(r.by_hour[14].done, 2);
        assert_eq!(r.by_hour[15].put_off(), 2);
        assert_eq!(
            r.by_weekday[1],
            When {
                done: 3,
                snoozed: 1,
                skipped: 1
            },
            "Tue 17 and 24"
        );
        let stand = r.reminders.iter().find(|x| x.id == "stand").unwrap();
        assert_eq!(stand.streak, 1);
        assert_eq!(stand.weekly_done, vec![0, 2]);
        assert_eq!(stand.before.adherence(), Some(0.5));
        assert_eq!(
            stand.trend().map(f64::round),
            Some(17.0),
            "2 of 3, up from 1 of 2"
        );
        let neck = r.reminders.iter().find(|x| x.id == "neck").unwrap();
        assert_eq!(neck.weekly_done, vec![10, 0]);
        assert_eq!((r.this_week, r.last_week_so_far), (2, 5));
        assert_eq!(r.longest_streak, 3, "Tue 17 to Thu 19");
        let s = r.sentences().join("\n");
        assert!(
            s.contains("You took 2 breaks this week, 3 fewer than"),
            "{s}"
        );
        assert!(
            s.contains(
                "Tuesday afternoons are when reminders get put off most (2 snoozed or skipped)"
            ),
            "{s}"
        );
        assert!(
            s.contains("92% were done, up from 50% in the 2 weeks before"),
            "{s}"
        );
    }

    #[test]
    fn held_time_is_said_in_hours_and_minutes() {
        assert_eq!(fmt_held(29), "29 s");
        assert_eq!(fmt_held(45 * 60 + 29), "45 min");
        assert_eq!(fmt_held(14 * 3600 - 1), "14 h");
        assert_eq!(fmt_held(2 * 3600), "2 h");
        assert_eq!(fmt_held(3 * 3600 + 20 * 60), "3 h 20 min");
        let today = date("2026-11-25");
        let streaks = Streaks {
            overall: 0,
            by_reminder: BTreeMap::new(),
        };
        let rows = [row("2026-11-24", "stand", Outcome::Done, 1)];
        let mut r = build(
            Period::ending(today, 1).unwrap(),
            today,
            &rows,
            &[],
            &streaks,
        )
        .unwrap();
        r.held = vec![("call".into(), 7200), ("fullscreen".into(), 1200)];
        let s = r.sentences().join("\n");
        assert!(
            s.contains("Reminders waited 2 h 20 min in all while you were busy or away; longest while you were in a call (2 h)."),
            "{s}"
        );
        r.held.truncate(1);
        let s = r.sentences().join("\n");
        assert!(
            s.contains("Reminders waited 2 h while you were in a call."),
            "{s}"
        );
    }

    #[test]
    fn an_empty_history_says_so() {
        let today = date("2026-11-25");
        let p = Period::ending(today, 12).unwrap();
        let streaks = Streaks {
            overall: 0,
            by_reminder: BTreeMap::new(),
        };
        let r = build(p, today, &[], &[], &streaks).unwrap();
        assert_eq!(r.days.len(), 7 * 11 + 3);
        assert_eq!(r.sentences().len(), 1);
    }
}
