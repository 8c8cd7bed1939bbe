//! `unhunch plan`: the occurrences a schedule produces, found by running the
//! real engine forward and answering each reminder Done the moment it shows.

use jiff::{Timestamp, ZonedDateTime};

use super::engine::{Answer, Cause, Effect, Engine, Input, Source};
use super::model::{Config, Kind};

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Planned {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// RFC 3339 with offset in JSON.
    #[serde(serialize_with = "ser_zoned")]
    pub at: ZonedDateTime,
    pub cause: Cause,
    /// It falls inside a calendar's meeting (and would wait until its end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<PlannedMeeting>,
}

/// The meeting an occurrence falls inside.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PlannedMeeting {
    pub title: Option<String>,
    #[serde(serialize_with = "ser_zoned")]
    pub until: ZonedDateTime,
}

/// Marks the occurrences inside one of `meetings` (busy times, sorted or
/// not).
pub fn mark_meetings(items: &mut [Planned], meetings: &[super::engine::Meeting]) {
    for p in items {
        let t = p.at.timestamp();
        p.meeting = meetings
            .iter()
            .filter(|m| m.start <= t && t < m.end)
            .max_by_key(|m| m.end)
            .map(|m| PlannedMeeting {
                title: m.title.clone(),
                until: m.end.to_zoned_datetime(p.at.time_zone().clone()),
            });
    }
}

fn ser_zoned<S: serde::Serializer>(z: &ZonedDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::time::rfc3339(z))
}

/// Occurrences in `[from, until)`, in order. Reminders count from `from`.
///
/// In a plan every reminder is answered the moment it shows, so none ever
/// waits behind another past the instant they share: each reminder's
/// occurrences are found with an engine of its own, and merged by time,
/// then config order (the order the engine shows reminders due together).
/// Each step is then one reminder's, not all of them: 10,000 reminders
/// plan in about the time one does 10,000 times (`scripts/bench-plan`).
pub fn plan(config: &Config, from: &ZonedDateTime, until: Timestamp) -> Vec<Planned> {
    let mut all: Vec<(Timestamp, usize, Planned)> = Vec::new();
    for (order, r) in config.reminders.iter().enumerate() {
        // Not `..config.clone()`: that would copy every reminder each time.
        let one = Config {
            general: config.general.clone(),
            sleep: config.sleep.clone(),
            reminders: vec![r.clone()],
            routines: Vec::new(),
            calendars: Default::default(),
            sync: None,
        };
        all.extend(
            plan_together(&one, from, until)
                .into_iter()
                .map(|p| (p.at.timestamp(), order, p)),
        );
    }
    all.sort_by_key(|(t, order, _)| (*t, *order));
    all.into_iter().map(|(_, _, p)| p).collect()
}

/// The plan of `config`, run on one engine: each turn ticks every reminder.
fn plan_together(config: &Config, from: &ZonedDateTime, until: Timestamp) -> Vec<Planned> {
    let tz = from.time_zone().clone();
    let mut engine = Engine::new(config.clone(), from.timestamp());
    let mut out = Vec::new();
    let mut now = from.clone();
    // A guard, not a limit anyone meets: each step moves time forward.
    for _ in 0..1_000_000 {
        let mut shown = false;
        for effect in engine.tick(&now) {
            if let Effect::Show(s) = effect {
                shown = true;
                out.push(Planned {
                    id: s.id.clone(),
                    kind: s.kind,
                    title: s.title,
                    at: now.clone(),
                    cause: s.cause,
                    meeting: None,
                });
                let done = Input::Answer {
                    id: Some(s.id),
                    answer: Answer::Done,
                    source: Source::Schedule,
                };
                // Answering what was just shown cannot fail.
                let _ = engine.handle(done, &now);
            }
        }
        // Reminders due together show one after the other: what waited
        // behind one answered now comes at the same instant.
        match engine.next_wake(&now) {
            Some(next) if next < until && (next > now.timestamp() || shown) => {
                now = next.to_zoned_datetime(tz.clone())
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merged plan is the plan of one engine running them all: the
    /// same occurrences, in the same order (ties in config order).
    #[test]
    fn merged_plans_are_the_engine_s_own() {
        let toml = r#"
[[reminder]]
id = "a"
kind = "stand"
every = "45m"
during = "09:00-17:00"
[[reminder]]
id = "b"
kind = "neck"
at = ["09:00", "10:30", "12:00"]
[[reminder]]
id = "c"
kind = "massage"
every = "30m"
[[reminder]]
id = "d"
kind = "meditate"
at = ["09:00"]
days = ["mon", "wed"]
"#;
        let (config, _) = crate::config::parse(toml, "t.toml").unwrap();
        let from = Timestamp::from_second(1_764_576_000)
            .unwrap()
            .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
        let until = from.timestamp() + jiff::SignedDuration::from_hours(24 * 9);
        let merged = plan(&config, &from, until);
        assert!(merged.len() > 100);
        assert_eq!(merged, plan_together(&config, &from, until));
    }
}
