//! Guided routines: a reminder's "what to do" as timed steps. A routine is
//! data (ordered steps, each a sentence, a length and a repeat count, the
//! whole repeated `rounds` times); [`Routine::phases`] lays it out as the
//! timeline a guide walks through, one phase per update. Each kind ships
//! one to three ([`builtin`]); users add their own in the config.
//!
//! The words follow the same rules as the tips: neutral and practical, no
//! products, no medical claims, nothing that needs equipment or a helper,
//! nothing risky to do alone at a desk.

use jiff::SignedDuration;

use super::model::Kind;

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
pub struct Phase {
    /// The step's text, with "(2 of 5)" when it repeats, and the round
    /// when there are several.
    pub text: String,
    pub seconds: u32,
    /// Where it starts, in seconds from the routine's start.
    pub starts_at: u32,
}

impl Routine {
    /// The timeline: every repeat of every step of every round, in order.
    pub fn phases(&self) -> Vec<Phase> {
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
                    out.push(Phase {
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
    pub fn phase_count(&self) -> u64 {
        self.steps.iter().map(|s| u64::from(s.repeat)).sum::<u64>() * u64::from(self.rounds)
    }
}

fn step(text: &str, seconds: u32, repeat: u32) -> Step {
    Step {
        text: text.into(),
        seconds,
        repeat,
    }
}

fn routine(id: &str, title: &str, kind: Kind, rounds: u32, steps: Vec<Step>) -> Routine {
    Routine {
        id: id.into(),
        title: title.into(),
        kind: Some(kind),
        steps,
        rounds,
    }
}

/// The routines unhunch ships, each kind's first being its default.
pub fn builtin() -> Vec<Routine> {
    use Kind::*;
    vec![
        routine(
            "neck-reset",
            "Neck reset",
            Neck,
            1,
            vec![
                step("Sit tall and let your shoulders drop.", 5, 1),
                step("Chin tuck: draw your chin straight back and hold.", 5, 5),
                step(
                    "Tilt your right ear towards your right shoulder and hold. No forcing.",
                    15,
                    1,
                ),
                step(
                    "Tilt your left ear towards your left shoulder and hold.",
                    15,
                    1,
                ),
                step("Roll your shoulders backwards, slowly.", 10, 1),
                step("Roll your shoulders forwards, slowly.", 10, 1),
            ],
        ),
        routine(
            "neck-turns",
            "Slow neck turns",
            Neck,
            1,
            vec![
                step(
                    "Turn your head slowly to the right, as far as is comfortable, and hold.",
                    10,
                    3,
                ),
                step(
                    "Turn your head slowly to the left, as far as is comfortable, and hold.",
                    10,
                    3,
                ),
                step(
                    "Lace your fingers behind your back, open your chest and breathe.",
                    20,
                    1,
                ),
            ],
        ),
        routine(
            "stand-walk",
            "Stand and walk",
            Stand,
            1,
            vec![
                step("Stand up, feet hip-width apart.", 5, 1),
                step(
                    "Walk at an easy pace: to the window, the kitchen, or around the room.",
                    60,
                    1,
                ),
                step(
                    "Shift your weight slowly from your heels to your toes and back.",
                    20,
                    1,
                ),
                step("Reach both arms up, then let them fall loose.", 5, 3),
                step("Look at something far away and let your eyes rest.", 20, 1),
            ],
        ),
        routine(
            "decompress-floor",
            "Floor rest",
            Decompress,
            1,
            vec![
                step(
                    "Lie on your back, knees bent, feet flat on the floor.",
                    10,
                    1,
                ),
                step(
                    "Let your lower back rest on the floor. Breathe slowly.",
                    90,
                    1,
                ),
                step(
                    "Roll to one side and come onto your hands and knees.",
                    10,
                    1,
                ),
                step(
                    "Cat-cow: round your back slowly, then let it gently sag.",
                    10,
                    6,
                ),
                step(
                    "Child's pose: sit back towards your heels, arms reaching forward. Breathe.",
                    45,
                    1,
                ),
            ],
        ),
        routine(
            "decompress-standing",
            "Standing stretch",
            Decompress,
            1,
            vec![
                step("Stand tall, feet hip-width apart, knees soft.", 5, 1),
                step(
                    "Reach both arms overhead and lengthen through your fingertips.",
                    15,
                    3,
                ),
                step(
                    "Hands on the desk, step back until your back is long and level. Breathe.",
                    20,
                    2,
                ),
                step("Walk a few easy steps and let your arms swing.", 20, 1),
            ],
        ),
        routine(
            "massage-shoulders",
            "Neck and shoulder massage",
            Massage,
            1,
            vec![
                step("Rest your right hand on your left shoulder.", 5, 1),
                step(
                    "Knead the muscle between neck and shoulder in slow circles.",
                    30,
                    1,
                ),
                step(
                    "Switch: left hand on your right shoulder, slow circles.",
                    30,
                    1,
                ),
                step(
                    "With your fingertips, make small circles at the base of your skull.",
                    30,
                    1,
                ),
                step(
                    "Shrug your shoulders up towards your ears, then let them drop.",
                    5,
                    5,
                ),
            ],
        ),
        routine(
            "box-breathing",
            "Box breathing",
            Meditate,
            6,
            vec![
                step("Breathe in through your nose", 4, 1),
                step("Hold", 4, 1),
                step("Breathe out slowly", 4, 1),
                step("Hold", 4, 1),
            ],
        ),
        routine(
            "breathing-4-7-8",
            "4-7-8 breathing",
            Meditate,
            4,
            vec![
                step("Breathe in quietly through your nose", 4, 1),
                step(
                    "Hold (breathe normally instead if you feel light-headed)",
                    7,
                    1,
                ),
                step("Breathe out slowly through your mouth", 8, 1),
            ],
        ),
        routine(
            "slow-breaths",
            "Slow counted breaths",
            Meditate,
            10,
            vec![
                step("Breathe in slowly, counting to five", 5, 1),
                step("Breathe out slowly, counting to five", 5, 1),
            ],
        ),
        routine(
            "wind-down",
            "Wind down",
            WindDown,
            1,
            vec![
                step("Dim the lights and put your screens face down.", 20, 1),
                step(
                    "Sit or lie comfortably. Let your jaw and shoulders go loose.",
                    20,
                    1,
                ),
                step(
                    "One slow breath: in for a count of four, out for six.",
                    10,
                    6,
                ),
                step("Think of one thing that went well today.", 30, 1),
                step(
                    "Stretch your arms and legs long, then let them rest.",
                    20,
                    1,
                ),
            ],
        ),
    ]
}

/// A kind's default routine: its first built-in one.
pub fn default_for(kind: Kind) -> Option<Routine> {
    builtin().into_iter().find(|r| r.kind == Some(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_but_custom_has_one_to_three_routines_of_one_to_five_minutes() {
        let all = builtin();
        for kind in Kind::ALL {
            let n = all.iter().filter(|r| r.kind == Some(kind)).count();
            if kind == Kind::Custom {
                assert_eq!(n, 0);
            } else {
                assert!((1..=3).contains(&n), "{kind}: {n} routines");
            }
        }
        for r in &all {
            let secs = r.length().as_secs();
            assert!((60..=300).contains(&secs), "{}: {secs} s", r.id);
            assert!(r.steps.iter().all(|s| s.seconds >= 1 && s.repeat >= 1));
            assert_eq!(r.phases().len() as u64, r.phase_count());
        }
        let mut ids: Vec<_> = all.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "routine ids are unique");
    }

    #[test]
    fn phases_lay_out_repeats_and_rounds_in_order() {
        let r = Routine {
            id: "t".into(),
            title: "T".into(),
            kind: None,
            steps: vec![step("In", 4, 1), step("Tuck", 5, 2)],
            rounds: 2,
        };
        let p = r.phases();
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
