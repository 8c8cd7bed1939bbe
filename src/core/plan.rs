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
}

fn ser_zoned<S: serde::Serializer>(z: &ZonedDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::time::rfc3339(z))
}

/// Occurrences in `[from, until)`, in order. Reminders count from `from`.
pub fn plan(config: &Config, from: &ZonedDateTime, until: Timestamp) -> Vec<Planned> {
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
