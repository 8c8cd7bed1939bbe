//! Adherence maths for `unhunch stats`: pure sums over outcome counts.
//!
//! A *showing* is counted once however often it was snoozed: it is the
//! answer that ended it (done, skipped, dismissed, expired, ignored, away).
//! Adherence is done / shown.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::engine::{Event, Outcome};

/// "Today: 5 of 7 done": on `date`, the answers Done and all the answers
/// that ended a showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Today {
    pub date: Date,
    pub done: u32,
    pub total: u32,
}

impl Today {
    pub fn new(date: Date) -> Today {
        Today {
            date,
            done: 0,
            total: 0,
        }
    }

    /// Counts an event recorded on local day `date`.
    pub fn count(&mut self, e: &Event, date: Date) {
        if self.date != date {
            *self = Today::new(date);
        }
        self.done += u32::from(e.outcome == Outcome::Done);
        self.total += u32::from(e.outcome.is_terminal());
    }

    /// The counts as they stand on `date` (none yet, on a new day).
    pub fn on(self, date: Date) -> Today {
        if self.date == date {
            self
        } else {
            Today::new(date)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub shown: u32,
    pub done: u32,
    pub snoozed: u32,
    pub skipped: u32,
    pub dismissed: u32,
    pub expired: u32,
    pub ignored: u32,
    pub missed: u32,
    pub away: u32,
    /// Breaks taken on one's own (`unhunch took`), not answers.
    #[serde(default)]
    pub took: u32,
    /// Guided routines finished, and the seconds they took.
    pub routines: u32,
    #[serde(skip)]
    pub routine_seconds: u64,
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome, n: u32) {
        match outcome {
            Outcome::Shown => {}
            Outcome::Done => self.done += n,
            Outcome::Snoozed => self.snoozed += n,
            Outcome::Skipped => self.skipped += n,
            Outcome::Dismissed => self.dismissed += n,
            Outcome::Expired => self.expired += n,
            Outcome::Ignored => self.ignored += n,
            Outcome::Missed => self.missed += n,
            Outcome::Away => self.away += n,
            Outcome::Took => self.took += n,
            // Counted on the device that answered.
            Outcome::Elsewhere => {}
        }
        if outcome.is_terminal() {
            self.shown += n;
        }
    }

    /// done / shown, 0.0 to 1.0; `None` when nothing was shown.
    pub fn adherence(&self) -> Option<f64> {
        (self.shown > 0).then(|| f64::from(self.done) / f64::from(self.shown))
    }
}

/// How many events of one outcome one reminder had on one local day.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeCount {
    /// The local day, `YYYY-MM-DD`.
    pub day: String,
    pub reminder: String,
    pub outcome: Outcome,
    pub count: u32,
    /// Of those, guided routines finished (done, source guided), and the
    /// seconds they took.
    pub routines: u32,
    pub routine_seconds: u64,
}

/// Sums of [`OutcomeCount`] rows by reminder, by day, and in all.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    pub by_reminder: BTreeMap<String, Tally>,
    pub by_day: BTreeMap<String, Tally>,
    pub by_day_reminder: BTreeMap<(String, String), Tally>,
    pub total: Tally,
}

pub fn summarize<'a>(rows: impl IntoIterator<Item = &'a OutcomeCount>) -> Summary {
    let mut s = Summary::default();
    for r in rows {
        let add = |t: &mut Tally| {
            t.add(r.outcome, r.count);
            t.routines += r.routines;
            t.routine_seconds += r.routine_seconds;
        };
        add(s.by_reminder.entry(r.reminder.clone()).or_default());
        add(s.by_day.entry(r.day.clone()).or_default());
        add(s
            .by_day_reminder
            .entry((r.day.clone(), r.reminder.clone()))
            .or_default());
        add(&mut s.total);
    }
    s
}

/// Consecutive days with a Done, counted back from today — or from
/// yesterday while today has none yet, since today is not over.
pub fn streak(today_done: bool, mut done_on_day_before: impl FnMut(u32) -> bool) -> u32 {
    let mut n = u32::from(today_done);
    // Day k back from today: 1 = yesterday.
    let mut k = 1;
    while done_on_day_before(k) {
        n += 1;
        k += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snoozed_then_done_showing_counts_once() {
        let rows: Vec<OutcomeCount> = [
            ("2026-11-25", "stand", Outcome::Shown, 3),
            ("2026-11-25", "stand", Outcome::Snoozed, 1),
            ("2026-11-25", "stand", Outcome::Done, 1),
            ("2026-11-25", "stand", Outcome::Ignored, 1),
            ("2026-11-25", "neck", Outcome::Missed, 2),
            ("2026-11-24", "neck", Outcome::Skipped, 1),
        ]
        .into_iter()
        .map(|(day, reminder, outcome, count)| OutcomeCount {
            day: day.into(),
            reminder: reminder.into(),
            outcome,
            count,
            routines: 0,
            routine_seconds: 0,
        })
        .collect();
        let s = summarize(&rows);
        let stand = &s.by_reminder["stand"];
        assert_eq!(
            (stand.shown, stand.done, stand.snoozed, stand.ignored),
            (2, 1, 1, 1)
        );
        assert_eq!(stand.adherence(), Some(0.5));
        let neck = &s.by_reminder["neck"];
        assert_eq!((neck.shown, neck.missed, neck.skipped), (1, 2, 1));
        assert_eq!(s.by_day["2026-11-25"].shown, 2);
        assert_eq!(s.total.shown, 3);
        assert_eq!(Tally::default().adherence(), None);
    }

    #[test]
    fn streak_counts_back_and_spares_an_unfinished_today() {
        let days = [true, true, false, true]; // yesterday, the day before, ...
        assert_eq!(
            streak(true, |k| days.get(k as usize - 1).copied().unwrap_or(false)),
            3
        );
        assert_eq!(
            streak(false, |k| days
                .get(k as usize - 1)
                .copied()
                .unwrap_or(false)),
            2
        );
        assert_eq!(streak(false, |_| false), 0);
    }
}
