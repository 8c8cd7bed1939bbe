//! Adherence maths for `unhunch stats`: pure sums over outcome counts.
//!
//! A *showing* is counted once however often it was snoozed: it is the
//! answer that ended it (done, skipped, dismissed, expired, ignored, away).
//! Adherence is done / shown.

use std::collections::BTreeMap;

use super::engine::Outcome;

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
        }
        if outcome.is_terminal() {
            self.shown += n;
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.shown += o.shown;
        self.done += o.done;
        self.snoozed += o.snoozed;
        self.skipped += o.skipped;
        self.dismissed += o.dismissed;
        self.expired += o.expired;
        self.ignored += o.ignored;
        self.missed += o.missed;
        self.away += o.away;
    }

    /// done / shown, 0.0 to 1.0; `None` when nothing was shown.
    pub fn adherence(&self) -> Option<f64> {
        (self.shown > 0).then(|| f64::from(self.done) / f64::from(self.shown))
    }
}

/// Sums of `(day, reminder, outcome, count)` rows by reminder, by day, and in all.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    pub by_reminder: BTreeMap<String, Tally>,
    pub by_day: BTreeMap<String, Tally>,
    pub by_day_reminder: BTreeMap<(String, String), Tally>,
    pub total: Tally,
}

pub fn summarize<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, Outcome, u32)>) -> Summary {
    let mut s = Summary::default();
    for (day, reminder, outcome, n) in rows {
        s.by_reminder
            .entry(reminder.to_string())
            .or_default()
            .add(outcome, n);
        s.by_day.entry(day.to_string()).or_default().add(outcome, n);
        s.by_day_reminder
            .entry((day.to_string(), reminder.to_string()))
            .or_default()
            .add(outcome, n);
        s.total.add(outcome, n);
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
        let s = summarize([
            ("2026-11-25", "stand", Outcome::Shown, 3),
            ("2026-11-25", "stand", Outcome::Snoozed, 1),
            ("2026-11-25", "stand", Outcome::Done, 1),
            ("2026-11-25", "stand", Outcome::Ignored, 1),
            ("2026-11-25", "neck", Outcome::Missed, 2),
            ("2026-11-24", "neck", Outcome::Skipped, 1),
        ]);
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
