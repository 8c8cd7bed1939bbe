//! The pure core: schedule engine, reminder state machine, plan. No I/O, no
//! clock reads, no async: it takes `now` and inputs and returns effects.

pub mod calendar;
pub mod engine;
pub mod history;
pub mod kind;
pub mod model;
pub mod plan;
pub mod report;
pub mod routine;
pub mod spell;
pub mod stats;
pub mod time;

pub use engine::{
    Answer, Cause, Decision, Effect, Engine, EngineError, Event, HoldReason, Holds, Input, Meeting,
    Outcome, Pause, Phase, Remote, Seen, ShowRequest, Source,
};
pub use model::{
    Calendars, Config, General, IdleInhibitors, Kind, Reminder, Schedule, Sleep, Urgency,
};
