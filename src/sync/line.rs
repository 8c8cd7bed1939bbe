//! One line of a device's file: `{json}\t{crc32 of json, 8 hex}\n`.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::core::routine::Progress;
use crate::core::{Event, Kind, Outcome, Remote, Seen, Source};

/// The format's version: a line with a higher one is from a newer unhunch.
pub const VERSION: u32 = 1;

/// One line as it is in the folder: who and when, then what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub v: u32,
    /// Unique across devices: the device's name, the time in milliseconds
    /// and a check of what happened, so the same event written again
    /// (after a crash) has the same id and is kept once.
    pub id: String,
    pub device: String,
    /// UTC.
    pub at: Timestamp,
    /// The device's offset from UTC at that moment, in seconds.
    pub offset: i32,
    #[serde(flatten)]
    pub what: What,
}

/// An answer, or the device's presence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum What {
    Answer {
        reminder: String,
        kind: Kind,
        outcome: Outcome,
        source: Source,
        /// The occurrence (the scheduled instant) an answer belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<Timestamp>,
        /// A snooze's length, in seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snooze: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        progress: Option<Progress>,
    },
    /// In use there (input) since `at`, or away (idle, locked, asleep,
    /// stopped) since `at`.
    Presence { presence: Presence },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Active,
    Away,
}

/// What a line of another device holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Event(Remote),
    Seen(Seen),
}

/// Why a whole line was not read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Bad {
    #[error("a line fails its check (damaged, or not written by unhunch)")]
    Check,
    #[error("a line is from a newer unhunch (format {0}, this one reads {VERSION})")]
    Newer(u32),
    #[error("a line cannot be read: {0}")]
    Invalid(String),
}

/// Only the version, read first: a newer line may hold anything else.
#[derive(Deserialize)]
struct Version {
    v: u32,
}

impl Line {
    /// This device's event, with its id.
    pub fn new(e: &Event, device: &str, offset: jiff::tz::Offset, due: Option<Timestamp>) -> Line {
        let what = format!("{}/{}/{}", e.reminder, e.outcome, e.source.as_str());
        Line {
            v: VERSION,
            id: id(device, e.at, &what),
            device: device.to_string(),
            at: e.at,
            offset: offset.seconds(),
            what: What::Answer {
                reminder: e.reminder.clone(),
                kind: e.kind,
                outcome: e.outcome,
                source: e.source,
                due: e.due.or(due),
                snooze: e.snooze.map(|d| d.as_secs()),
                progress: e.progress.clone(),
            },
        }
    }

    /// This device in use (`active`) or away, since `at`.
    pub fn presence(device: &str, active: bool, at: Timestamp, offset: jiff::tz::Offset) -> Line {
        let presence = if active {
            Presence::Active
        } else {
            Presence::Away
        };
        Line {
            v: VERSION,
            id: id(device, at, &format!("{presence:?}")),
            device: device.to_string(),
            at,
            offset: offset.seconds(),
            what: What::Presence { presence },
        }
    }

    /// The line as written, with its check and its end.
    pub fn encode(&self) -> Vec<u8> {
        // A struct of strings, numbers and instants always serializes.
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("{json}\t{:08x}\n", crc32fast::hash(json.as_bytes())).into_bytes()
    }

    /// One whole line, without its end.
    pub fn decode(raw: &[u8]) -> Result<Line, Bad> {
        let tab = raw.iter().rposition(|b| *b == b'\t').ok_or(Bad::Check)?;
        let (json, sum) = (&raw[..tab], &raw[tab + 1..]);
        let sum = std::str::from_utf8(sum)
            .ok()
            .filter(|s| s.len() == 8)
            .and_then(|s| u32::from_str_radix(s, 16).ok())
            .ok_or(Bad::Check)?;
        if crc32fast::hash(json) != sum {
            return Err(Bad::Check);
        }
        let v: Version = serde_json::from_slice(json).map_err(|e| Bad::Invalid(e.to_string()))?;
        if v.v > VERSION {
            return Err(Bad::Newer(v.v));
        }
        let line: Line = serde_json::from_slice(json).map_err(|e| Bad::Invalid(e.to_string()))?;
        if !crate::core::model::Sync::valid_device(&line.device) || line.id.is_empty() {
            return Err(Bad::Invalid(format!("device {:?}", line.device)));
        }
        Ok(line)
    }

    /// What it holds, as another device's.
    pub fn item(self) -> Result<Item, Bad> {
        let offset = jiff::tz::Offset::from_seconds(self.offset)
            .map_err(|e| Bad::Invalid(format!("offset {}: {e}", self.offset)))?;
        Ok(match self.what {
            What::Answer {
                reminder,
                kind,
                outcome,
                source,
                due,
                snooze,
                progress,
            } => Item::Event(Remote {
                id: self.id,
                offset,
                event: Event {
                    at: self.at,
                    reminder,
                    kind,
                    outcome,
                    source,
                    due,
                    snooze: snooze.map(SignedDuration::from_secs),
                    progress,
                    device: Some(self.device),
                },
                repeat: false,
            }),
            What::Presence { presence } => Item::Seen(Seen {
                device: self.device,
                active: presence == Presence::Active,
                at: self.at,
            }),
        })
    }
}

/// An id made from the event: the device, the time and a check of what.
fn id(device: &str, at: Timestamp, what: &str) -> String {
    format!(
        "{device}-{:x}-{:08x}",
        at.as_millisecond(),
        crc32fast::hash(what.as_bytes())
    )
}
