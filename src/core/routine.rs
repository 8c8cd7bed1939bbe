//! Guided routines: a reminder's "what to do" as timed steps. A routine is
//! data (ordered steps, each a sentence, a length and a repeat count, the
//! whole repeated `rounds` times); [`Routine::cues`] lays it out as the
//! timeline a guide walks through, one cue per update. Each kind ships
//! one to three (`config/builtin.toml`); users add their own in the config.

use jiff::SignedDuration;

use super::kind::Kind;

/// One step: "Chin tuck: draw your chin straight back and hold", 5 s, 5 times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub text: String,
    /// Seconds for each time it is done (at least 1: no update comes
    /// sooner than a second after the last).
    pub seconds: u32,
    /// How many times in a row (at least 1).
    pub repeat: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routine {
    pub id: String,
    pub title: String,
    /// The kind it is for, if any (built-in routines have one).
    pub kind: Option<Kind>,
    pub steps: Vec<Step>,
    /// The steps, this many times over (breathing cycles).
    pub rounds: u32,
}

/// How far a guided routine got, as recorded with its end.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub routine: String,
    /// Steps (phases) done, of `of`.
    pub done: u32,
    pub of: u32,
    /// Seconds spent in it.
    pub seconds: u32,
}

/// One update of a running routine: what to do now and for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cue {
    /// The step's text, with "(2 of 5)" when it repeats, and the round
    /// when there are several.
    pub text: String,
    pub seconds: u32,
    /// Where it starts, in seconds from the routine's start.
    pub starts_at: u32,
}

impl Routine {
    /// The timeline: every repeat of every step of every round, in order.
    pub fn cues(&self) -> Vec<Cue> {
        let mut out = Vec::new();
        let mut t = 0u32;
        for round in 1..=self.rounds {
            for s in &self.steps {
                for n in 1..=s.repeat {
                    let mut text = s.text.clone();
                    if s.repeat > 1 {
                        text.push_str(&format!(" ({n} of {})", s.repeat));
                    }
                    if self.rounds > 1 {
                        text.push_str(&format!(" — round {round} of {}", self.rounds));
                    }
                    out.push(Cue {
                        text,
                        seconds: s.seconds,
                        starts_at: t,
                    });
                    t = t.saturating_add(s.seconds);
                }
            }
        }
        out
    }

    /// How long it takes, start to end.
    pub fn length(&self) -> SignedDuration {
        let one: u64 = self
            .steps
            .iter()
            .map(|s| u64::from(s.seconds) * u64::from(s.repeat))
            .sum();
        SignedDuration::from_secs((one * u64::from(self.rounds)).min(i64::MAX as u64) as i64)
    }

    /// How many updates it makes (one per phase).
    pub fn cue_count(&self) -> u64 {
        self.steps.iter().map(|s| u64::from(s.repeat)).sum::<u64>() * u64::from(self.rounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(text: &str, seconds: u32, repeat: u32) -> Step {
        Step {
            text: text.into(),
            seconds,
            repeat,
        }
    }

    #[test]
    fn cues_lay_out_repeats_and_rounds_in_order() {
        let r = Routine {
            id: "t".into(),
            title: "T".into(),
            kind: None,
            steps: vec![step("In", 4, 1), step("Tuck", 5, 2)],
            rounds: 2,
        };
        let p = r.cues();
        let texts: Vec<_> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "In — round 1 of 2",
                "Tuck (1 of 2) — round 1 of 2",
                "Tuck (2 of 2) — round 1 of 2",
                "In — round 2 of 2",
                "Tuck (1 of 2) — round 2 of 2",
                "Tuck (2 of 2) — round 2 of 2",
            ]
        );
        let starts: Vec<_> = p.iter().map(|p| p.starts_at).collect();
        assert_eq!(starts, [0, 4, 9, 14, 18, 23]);
        assert_eq!(r.length(), SignedDuration::from_secs(28));
    }
}
