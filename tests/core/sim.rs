//! The engine against a fake clock: [`Sim`] drives it, the clock moving only
//! when told; and the config and time helpers the engine's tests share.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use unhunch::core::{Answer, Config, Effect, Engine, Event, Input, Outcome, Source};

/// A config from TOML text; panics with the diagnostics if it is invalid.
pub fn cfg(toml: &str) -> Config {
    match unhunch::config::parse(toml, "test.toml") {
        Ok((c, _)) => c,
        Err(d) => panic!("test config invalid: {d:?}"),
    }
}

/// `"2026-11-25 09:00"` in `tz`.
pub fn local(tz: &str, s: &str) -> ZonedDateTime {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(TimeZone::get(tz).unwrap()).unwrap()
}

/// What happened, as `"HH:MM show id"`, `"HH:MM done id"` … in local time.
pub fn describe(now: &ZonedDateTime, e: &Effect) -> Option<String> {
    let hm = now.strftime("%a %H:%M").to_string();
    match e {
        Effect::Show(s) => Some(format!("{hm} show {}", s.id)),
        Effect::Record(ev) if ev.outcome != Outcome::Shown => {
            let due = ev
                .due
                .map(|d| {
                    format!(
                        " (due {})",
                        d.to_zoned_datetime(now.time_zone().clone())
                            .strftime("%a %H:%M")
                    )
                })
                .unwrap_or_default();
            Some(format!("{hm} {} {}{due}", ev.outcome, ev.reminder))
        }
        Effect::PauseChanged(None) => Some(format!("{hm} resumed")),
        _ => None,
    }
}

/// Drives an engine with a fake clock. The clock only moves when told to:
/// `run_until` wakes at every instant the engine asks for (a machine that is
/// awake); `jump` moves straight to an instant (suspend, clock change).
pub struct Sim {
    pub engine: Engine,
    pub now: ZonedDateTime,
    pub log: Vec<String>,
    pub effects: Vec<Effect>,
    /// Answer every showing at once with this answer.
    pub auto: Option<Answer>,
}

impl Sim {
    pub fn new(toml: &str, tz: &str, start: &str) -> Sim {
        let now = local(tz, start);
        let engine = Engine::new(cfg(toml), now.timestamp());
        Sim {
            engine,
            now,
            log: Vec::new(),
            effects: Vec::new(),
            auto: None,
        }
    }

    pub fn at(&self, s: &str) -> ZonedDateTime {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned_datetime(self.now.time_zone().clone()).unwrap()
    }

    fn take(&mut self, effects: Vec<Effect>) {
        let mut shown = Vec::new();
        for e in effects {
            if let Some(d) = describe(&self.now, &e) {
                self.log.push(d);
            }
            if let Effect::Show(s) = &e {
                shown.push(s.id.clone());
            }
            self.effects.push(e);
        }
        if let Some(a) = self.auto {
            for id in shown {
                self.answer(Some(&id), a).unwrap();
            }
        }
    }

    pub fn tick(&mut self) {
        let effects = self.engine.tick(&self.now);
        self.take(effects);
    }

    /// Moves the clock to `s` without waking in between, then wakes once.
    pub fn jump(&mut self, s: &str) {
        self.now = self.at(s);
        self.tick();
    }

    pub fn jump_to(&mut self, t: Timestamp) {
        self.now = t.to_zoned_datetime(self.now.time_zone().clone());
        self.tick();
    }

    /// Wakes at each instant the engine asks for, up to and including `s`.
    pub fn run_until(&mut self, s: &str) {
        let end = self.at(s).timestamp();
        self.tick();
        // Waking again at the same instant is right after an (auto) answer
        // let a queued reminder through, as the daemon does; more than once
        // per reminder would be a spin.
        let mut same = 0;
        for _ in 0..100_000 {
            match self.engine.next_wake(&self.now) {
                Some(t) if t <= end => {
                    assert!(t >= self.now.timestamp(), "next_wake went back in time");
                    if t == self.now.timestamp() {
                        same += 1;
                        if same > self.engine.config().reminders.len() {
                            panic!(
                                "engine asks to wake now again at {}: it would spin",
                                self.now
                            );
                        }
                    } else {
                        same = 0;
                    }
                    self.jump_to(t);
                }
                _ => break,
            }
        }
        self.now = self.at(s);
    }

    pub fn answer(
        &mut self,
        id: Option<&str>,
        a: Answer,
    ) -> Result<(), unhunch::core::EngineError> {
        self.input(Input::Answer {
            id: id.map(str::to_string),
            answer: a,
            source: Source::Cli,
        })
    }

    pub fn input(&mut self, input: Input) -> Result<(), unhunch::core::EngineError> {
        let effects = self.engine.handle(input, &self.now)?;
        self.take(effects);
        Ok(())
    }

    pub fn records(&self) -> Vec<&Event> {
        self.effects
            .iter()
            .filter_map(|e| {
                if let Effect::Record(ev) = e {
                    Some(ev)
                } else {
                    None
                }
            })
            .collect()
    }

    pub fn shows(&self) -> Vec<String> {
        self.log
            .iter()
            .filter(|l| l.contains(" show "))
            .cloned()
            .collect()
    }

    pub fn clear(&mut self) {
        self.log.clear();
        self.effects.clear();
    }
}
