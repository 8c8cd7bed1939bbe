//! The daemon's replies: typed, defined once, serialized by the daemon and
//! read back by the CLI (and the tests), so a renamed field is a compile
//! error rather than a silent 0.
//!
//! On the wire a reply is one line, its fields beside `"ok": true`; a
//! refusal is `{"ok":false,"error":"..."}`.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::core::stats::Today;
use crate::core::time::rfc3339;
use crate::core::{HoldReason, Outcome};

/// An instant in the daemon's local time, written RFC 3339 with its
/// offset ("2026-11-25T14:15:00+01:00").
#[derive(Debug, Clone, PartialEq)]
pub struct LocalTime(pub ZonedDateTime);

impl LocalTime {
    pub fn new(t: Timestamp, tz: &TimeZone) -> LocalTime {
        LocalTime(t.to_zoned_datetime(tz.clone()))
    }

    /// The same instant in this machine's zone (what the CLI shows).
    pub fn local(&self) -> ZonedDateTime {
        self.0
            .timestamp()
            .to_zoned_datetime(crate::clock::local_zone())
    }
}

impl Serialize for LocalTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(&self.0))
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LocalTime, D::Error> {
        let s = String::deserialize(d)?;
        let tm = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%:z", &s)
            .map_err(|e| serde::de::Error::custom(format!("time \"{s}\": {e}")))?;
        let (Some(offset), Ok(t)) = (tm.offset(), tm.to_timestamp()) else {
            return Err(serde::de::Error::custom(format!(
                "time \"{s}\" has no offset"
            )));
        };
        Ok(LocalTime(t.to_zoned_datetime(TimeZone::fixed(offset))))
    }
}

/// `unhunch status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub running: bool,
    pub pid: u32,
    pub version: String,
    pub config: String,
    /// No file at `config`: the embedded default runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub config_embedded: bool,
    /// Reminders cannot be put on screen now: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cannot_show: Option<String>,
    /// The notification server that shows them (name and version), once
    /// one has answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_server: Option<String>,
    pub paused: Option<Paused>,
    /// Idle, locked or asleep since then.
    pub away_since: Option<LocalTime>,
    pub held_by: Vec<HoldReason>,
    /// With the `call` hold: the applications capturing the microphone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_call: Vec<String>,
    /// Applications capturing the microphone that `calls_ignore` names: no
    /// call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls_ignored: Vec<String>,
    /// The meeting that holds reminders: its title (a calendar's), when it
    /// ends, and whether it was started by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingNow>,
    /// The calendar files of `[calendar]` read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendars: Vec<String>,
    /// What of them could not be read ("file:line: what").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendar_problems: Vec<String>,
    /// Showing now, waiting for an answer.
    pub pending: Vec<Showing>,
    pub snoozed: Vec<Snoozed>,
    /// The next showing of each reminder, soonest first.
    pub next: Vec<Next>,
    pub today: Today,
    /// The config file cannot be used; what runs meanwhile.
    pub config_error: Option<ConfigError>,
    /// `[sync]`: absent when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<Box<SyncStatus>>,
}

/// Several computers: the folder, this device's name, the others seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub folder: String,
    pub device: String,
    /// Empty when the folder can be read and this device's file written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub problem: String,
    /// The other devices whose events were read, by name.
    pub devices: Vec<SyncDevice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncDevice {
    pub name: String,
    /// Its latest event.
    pub last: LocalTime,
}

/// A meeting holding reminders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingNow {
    pub title: Option<String>,
    pub until: LocalTime,
    pub by_hand: bool,
}

/// A config file that cannot be used, and what runs instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigError {
    /// What is wrong (`file:line:col: message`, one problem a line).
    pub error: String,
    pub running: Fallback,
    /// With `last-good`: when that copy was kept.
    pub kept: Option<LocalTime>,
}

/// What runs while the config file cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fallback {
    /// The last valid config, kept in the data directory (at start).
    LastGood,
    /// The schedule that ran before the file was broken (a reload).
    Unchanged,
    /// No valid config ever: no reminders.
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paused {
    pub since: LocalTime,
    /// `None`: until resumed.
    pub until: Option<LocalTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Showing {
    pub id: String,
    pub title: String,
    pub since: LocalTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snoozed {
    pub id: String,
    pub title: String,
    pub until: LocalTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Next {
    pub id: String,
    pub title: String,
    pub at: LocalTime,
}

/// What an answer (done, skip, snooze) or a trigger recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
    /// When a snoozed reminder comes back.
    pub until: Option<LocalTime>,
    /// The answer went to a snoozed reminder (none was showing): when it
    /// was to come back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was_snoozed_until: Option<LocalTime>,
}

/// The pause after `pause` or `resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseState {
    pub paused: bool,
    /// `None` while paused: until resumed.
    pub until: Option<LocalTime>,
}

/// The meeting by hand after `meeting` or `meeting-end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingState {
    pub in_meeting: bool,
    pub until: Option<LocalTime>,
}

/// `stop`: the daemon that is stopping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stopping {
    pub pid: u32,
}

/// Every reply the daemon sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Status(Box<Status>),
    Answered(Answered),
    Pause(PauseState),
    Meeting(MeetingState),
    Stopping(Stopping),
    /// For commands with nothing to say (the tray's "Edit schedule…").
    Empty {},
}

#[derive(Serialize)]
struct OkLine<'a> {
    ok: bool,
    #[serde(flatten)]
    reply: &'a Reply,
}

#[derive(Serialize, Deserialize)]
struct Head {
    ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The line for a reply.
pub fn ok_line(reply: &Reply) -> String {
    serde_json::to_string(&OkLine { ok: true, reply })
        .unwrap_or_else(|e| error_line(&format!("reply not encoded: {e}")))
}

/// The line for a refusal.
pub fn error_line(message: &str) -> String {
    serde_json::to_string(&Head {
        ok: false,
        error: Some(message.to_string()),
    })
    .unwrap_or_default()
}

/// Reads a reply line: `Ok(Ok(reply))`, `Ok(Err(the daemon's refusal))`, or
/// `Err` for a line that is not a reply of type `T`.
pub fn read_line<T: DeserializeOwned>(line: &str) -> Result<Result<T, String>, String> {
    let head: Head = serde_json::from_str(line).map_err(|e| format!("{e}: {line:?}"))?;
    if !head.ok {
        return Ok(Err(head
            .error
            .unwrap_or_else(|| "refused without a reason".into())));
    }
    serde_json::from_str(line)
        .map(Ok)
        .map_err(|e| format!("{e}: {line:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_back_as_written() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let t = Timestamp::from_second(1_764_079_200).unwrap();
        let answered = Answered {
            id: "neck".into(),
            title: "Neck stretch".into(),
            outcome: Outcome::Snoozed,
            until: Some(LocalTime::new(t, &tz)),
            was_snoozed_until: None,
        };
        let line = ok_line(&Reply::Answered(answered.clone()));
        assert_eq!(
            line,
            r#"{"ok":true,"id":"neck","title":"Neck stretch","outcome":"snoozed","until":"2025-11-25T15:00:00+01:00"}"#
        );
        assert_eq!(read_line::<Answered>(&line), Ok(Ok(answered)));
        assert_eq!(
            read_line::<Answered>(&error_line("no reminder is showing")),
            Ok(Err("no reminder is showing".into()))
        );
        // A reply of another shape is an error, not a default.
        assert!(read_line::<Answered>(r#"{"ok":true,"paused":true,"until":null}"#).is_err());
        assert!(read_line::<Answered>("nonsense").is_err());
    }
}
