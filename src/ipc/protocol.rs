//! The control protocol: one JSON object per line, with a version.
//!
//! ```text
//! -> {"v":1,"cmd":"snooze","id":"neck","for":"10m"}
//! <- {"ok":true,"id":"neck","until":"2026-11-25T14:15:00+01:00"}
//! <- {"ok":false,"error":"no reminder is showing"}
//! ```

use jiff::SignedDuration;
use jiff::civil::Time;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::time::parse_clock;

pub const VERSION: u64 = 1;
/// Longest request line accepted.
pub const MAX_LINE: usize = 64 * 1024;
pub const SOCKET: &str = "unhunch.sock";

const COMMANDS: &str = "status, done, skip, snooze, pause, resume, trigger, stop";

/// When a pause ends.
#[derive(Debug, Clone, PartialEq)]
pub enum PauseEnd {
    For(SignedDuration),
    /// The next time the clock shows this (today, or tomorrow if past).
    At(Time),
    /// The start of tomorrow.
    Tomorrow,
    /// Until `resume`.
    Never,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Status,
    Done {
        id: Option<String>,
    },
    Skip {
        id: Option<String>,
    },
    Snooze {
        id: Option<String>,
        length: Option<SignedDuration>,
    },
    Pause(PauseEnd),
    Resume,
    Trigger {
        id: String,
    },
    /// Stop the daemon.
    Stop,
}

/// A request line as written; absent fields are left out, not null.
#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct Wire {
    v: Option<u64>,
    cmd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    for_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

/// What is wrong with a request line (the daemon sends it back) or a
/// duration or time given on the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("bad JSON: {0}")]
    Json(String),
    #[error("expected a JSON object like {{\"v\":1,\"cmd\":\"status\"}}")]
    NotAnObject,
    #[error("bad request: {0}")]
    Fields(String),
    #[error("protocol version {0} is not supported: this daemon speaks version {VERSION}")]
    Version(u64),
    #[error("missing \"v\": this daemon speaks protocol version {VERSION}")]
    NoVersion,
    #[error("missing \"cmd\": expected one of {COMMANDS}")]
    NoCommand,
    #[error("unknown command \"{0}\": expected one of {COMMANDS}")]
    UnknownCommand(String),
    #[error("\"{cmd}\" takes no \"{field}\"")]
    ExtraField { cmd: String, field: &'static str },
    #[error("trigger needs an \"id\"")]
    NoId,
    #[error("pause takes \"for\" or \"until\", not both")]
    ForAndUntil,
    #[error("invalid duration \"{0}\": expected e.g. \"10m\", \"1h 30m\"")]
    Duration(String),
    #[error("duration \"{0}\" is too long")]
    TooLong(String),
    #[error("the duration must be longer than zero")]
    Zero,
    #[error("duration \"{0}\" is longer than a week")]
    OverAWeek(String),
    #[error("invalid time \"{0}\": expected HH:MM or \"tomorrow\"")]
    Time(String),
}

/// A duration as the CLI and config write it: "10m", "1h 30m".
pub fn parse_duration(s: &str) -> Result<SignedDuration, RequestError> {
    let d = humantime::parse_duration(s.trim()).map_err(|_| RequestError::Duration(s.into()))?;
    let d = SignedDuration::try_from(d).map_err(|_| RequestError::TooLong(s.into()))?;
    if d.is_zero() {
        return Err(RequestError::Zero);
    }
    if d > SignedDuration::from_hours(24 * 7) {
        return Err(RequestError::OverAWeek(s.into()));
    }
    Ok(d)
}

/// `HH:MM` or `tomorrow`.
pub fn parse_until(s: &str) -> Result<PauseEnd, RequestError> {
    match s.trim() {
        "tomorrow" => Ok(PauseEnd::Tomorrow),
        t => parse_clock(t)
            .map(PauseEnd::At)
            .ok_or_else(|| RequestError::Time(s.into())),
    }
}

/// Parses one request line.
pub fn parse(line: &str) -> Result<Request, RequestError> {
    let value: Value = serde_json::from_str(line).map_err(|e| RequestError::Json(e.to_string()))?;
    if !value.is_object() {
        return Err(RequestError::NotAnObject);
    }
    let w: Wire = serde_json::from_value(value).map_err(|e| RequestError::Fields(e.to_string()))?;
    match w.v {
        Some(VERSION) => {}
        Some(v) => return Err(RequestError::Version(v)),
        None => return Err(RequestError::NoVersion),
    }
    let cmd = w.cmd.ok_or(RequestError::NoCommand)?;
    let no_extra = |allowed: &[&str]| -> Result<(), RequestError> {
        let given = [
            ("id", w.id.is_some()),
            ("for", w.for_.is_some()),
            ("until", w.until.is_some()),
        ];
        match given.iter().find(|(k, set)| *set && !allowed.contains(k)) {
            Some((k, _)) => Err(RequestError::ExtraField {
                cmd: cmd.clone(),
                field: k,
            }),
            None => Ok(()),
        }
    };
    let req = match cmd.as_str() {
        "status" => {
            no_extra(&[])?;
            Request::Status
        }
        "done" => {
            no_extra(&["id"])?;
            Request::Done { id: w.id }
        }
        "skip" => {
            no_extra(&["id"])?;
            Request::Skip { id: w.id }
        }
        "snooze" => {
            no_extra(&["id", "for"])?;
            Request::Snooze {
                id: w.id,
                length: w.for_.as_deref().map(parse_duration).transpose()?,
            }
        }
        "pause" => {
            no_extra(&["for", "until"])?;
            match (w.for_, w.until) {
                (Some(_), Some(_)) => return Err(RequestError::ForAndUntil),
                (Some(f), None) => Request::Pause(PauseEnd::For(parse_duration(&f)?)),
                (None, Some(u)) => Request::Pause(parse_until(&u)?),
                (None, None) => Request::Pause(PauseEnd::Never),
            }
        }
        "resume" => {
            no_extra(&[])?;
            Request::Resume
        }
        "trigger" => {
            no_extra(&["id"])?;
            Request::Trigger {
                id: w.id.ok_or(RequestError::NoId)?,
            }
        }
        "stop" => {
            no_extra(&[])?;
            Request::Stop
        }
        other => return Err(RequestError::UnknownCommand(other.into())),
    };
    Ok(req)
}

/// The line that asks for `req` (what the CLI sends).
pub fn encode(req: &Request) -> String {
    let fmt = crate::core::time::fmt_duration;
    let (cmd, id, for_, until) = match req {
        Request::Status => ("status", None, None, None),
        Request::Done { id } => ("done", id.clone(), None, None),
        Request::Skip { id } => ("skip", id.clone(), None, None),
        Request::Snooze { id, length } => ("snooze", id.clone(), length.map(fmt), None),
        Request::Pause(PauseEnd::For(d)) => ("pause", None, Some(fmt(*d)), None),
        Request::Pause(PauseEnd::At(t)) => {
            ("pause", None, None, Some(crate::core::time::fmt_clock(*t)))
        }
        Request::Pause(PauseEnd::Tomorrow) => ("pause", None, None, Some("tomorrow".into())),
        Request::Pause(PauseEnd::Never) => ("pause", None, None, None),
        Request::Resume => ("resume", None, None, None),
        Request::Trigger { id } => ("trigger", Some(id.clone()), None, None),
        Request::Stop => ("stop", None, None, None),
    };
    let wire = Wire {
        v: Some(VERSION),
        cmd: Some(cmd.into()),
        id,
        for_,
        until,
    };
    serde_json::to_string(&wire).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        for req in [
            Request::Status,
            Request::Done { id: None },
            Request::Skip {
                id: Some("neck".into()),
            },
            Request::Snooze {
                id: Some("neck".into()),
                length: Some(SignedDuration::from_mins(10)),
            },
            Request::Snooze {
                id: None,
                length: None,
            },
            Request::Pause(PauseEnd::For(SignedDuration::from_hours(1))),
            Request::Pause(PauseEnd::At(jiff::civil::time(14, 0, 0, 0))),
            Request::Pause(PauseEnd::Tomorrow),
            Request::Pause(PauseEnd::Never),
            Request::Resume,
            Request::Trigger { id: "stand".into() },
            Request::Stop,
        ] {
            assert_eq!(parse(&encode(&req)), Ok(req.clone()), "{}", encode(&req));
        }
        assert_eq!(
            encode(&Request::Snooze {
                id: Some("neck".into()),
                length: Some(SignedDuration::from_mins(10))
            }),
            r#"{"v":1,"cmd":"snooze","id":"neck","for":"10m"}"#
        );
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let cases = [
            ("", "bad JSON: EOF while parsing a value at line 1 column 0"),
            (
                "[1]",
                "expected a JSON object like {\"v\":1,\"cmd\":\"status\"}",
            ),
            (
                r#"{"cmd":"status"}"#,
                "missing \"v\": this daemon speaks protocol version 1",
            ),
            (
                r#"{"v":2,"cmd":"status"}"#,
                "protocol version 2 is not supported: this daemon speaks version 1",
            ),
            (
                r#"{"v":1}"#,
                "missing \"cmd\": expected one of status, done, skip, snooze, pause, resume, trigger, stop",
            ),
            (
                r#"{"v":1,"cmd":"dance"}"#,
                "unknown command \"dance\": expected one of status, done, skip, snooze, pause, resume, trigger, stop",
            ),
            (
                r#"{"v":1,"cmd":"status","id":"x"}"#,
                "\"status\" takes no \"id\"",
            ),
            (r#"{"v":1,"cmd":"trigger"}"#, "trigger needs an \"id\""),
            (
                r#"{"v":1,"cmd":"snooze","for":"soon"}"#,
                "invalid duration \"soon\": expected e.g. \"10m\", \"1h 30m\"",
            ),
            (
                r#"{"v":1,"cmd":"pause","for":"1h","until":"14:00"}"#,
                "pause takes \"for\" or \"until\", not both",
            ),
            (
                r#"{"v":1,"cmd":"pause","until":"25:00"}"#,
                "invalid time \"25:00\": expected HH:MM or \"tomorrow\"",
            ),
            (
                r#"{"v":1,"cmd":"pause","for":"0s"}"#,
                "the duration must be longer than zero",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(
                parse(line).map_err(|e| e.to_string()),
                Err(want.to_string()),
                "{line}"
            );
        }
        assert!(
            parse(r#"{"v":1,"cmd":"done","extra":1}"#)
                .unwrap_err()
                .to_string()
                .starts_with("bad request: unknown field `extra`")
        );
    }
}
