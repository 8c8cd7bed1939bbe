//! The control protocol: one JSON object per line, with a version.
//!
//! ```text
//! -> {"v":1,"cmd":"snooze","id":"neck","for":"10m"}
//! <- {"ok":true,"id":"neck","until":"2026-11-25T14:15:00+01:00"}
//! <- {"ok":false,"error":"no reminder is showing"}
//! ```

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::Answer;
use crate::core::time::parse_clock;
use crate::vocab::{PauseEnd, What};

const VERSION: u64 = 1;
/// Longest request line accepted.
pub const MAX_LINE: usize = 64 * 1024;
pub const SOCKET: &str = "unhunch.sock";

const COMMANDS: &str =
    "status, done, skip, snooze, pause, resume, trigger, took, meeting, meeting-end, guided, stop";

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
    #[serde(skip_serializing_if = "Option::is_none")]
    finished: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<crate::core::routine::Progress>,
    /// When the asker gives up (RFC 3339), on any command: not carried out
    /// after it, so that "not taken" is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
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
    #[error("{0} needs an \"id\"")]
    NoId(&'static str),
    #[error("guided needs \"finished\" and \"progress\"")]
    NoProgress,
    #[error("pause takes \"for\" or \"until\", not both")]
    ForAndUntil,
    #[error(transparent)]
    Duration(#[from] crate::core::time::DurationError),
    #[error("the duration must be longer than zero")]
    Zero,
    #[error("duration \"{0}\" is longer than a week")]
    OverAWeek(String),
    #[error("invalid time \"{0}\": expected HH:MM or \"tomorrow\"")]
    Time(String),
    #[error("{0} is not sent over the control socket")]
    NotOnTheWire(&'static str),
    #[error("invalid deadline \"{0}\": expected an RFC 3339 time")]
    Deadline(String),
}

/// A duration as the CLI and config write it: "10m", "1h 30m".
pub fn parse_duration(s: &str) -> Result<SignedDuration, RequestError> {
    let d = crate::core::time::parse_duration(s, false)?;
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

/// Parses one request line: what it asks, and when its asker gives up.
pub fn parse(line: &str) -> Result<(What, Option<Timestamp>), RequestError> {
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
            ("finished", w.finished.is_some()),
            ("progress", w.progress.is_some()),
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
            What::Status
        }
        "done" => {
            no_extra(&["id"])?;
            What::Answer {
                id: w.id,
                answer: Answer::Done,
            }
        }
        "skip" => {
            no_extra(&["id"])?;
            What::Answer {
                id: w.id,
                answer: Answer::Skip,
            }
        }
        "snooze" => {
            no_extra(&["id", "for"])?;
            What::Answer {
                id: w.id,
                answer: Answer::Snooze(w.for_.as_deref().map(parse_duration).transpose()?),
            }
        }
        "pause" => {
            no_extra(&["for", "until"])?;
            match (w.for_, w.until) {
                (Some(_), Some(_)) => return Err(RequestError::ForAndUntil),
                (Some(f), None) => What::Pause(PauseEnd::For(parse_duration(&f)?)),
                (None, Some(u)) => What::Pause(parse_until(&u)?),
                (None, None) => What::Pause(PauseEnd::Never),
            }
        }
        "resume" => {
            no_extra(&[])?;
            What::Resume
        }
        "trigger" => {
            no_extra(&["id"])?;
            What::Trigger {
                id: w.id.ok_or(RequestError::NoId("trigger"))?,
            }
        }
        "took" => {
            no_extra(&["id"])?;
            What::Took {
                id: w.id.ok_or(RequestError::NoId("took"))?,
            }
        }
        "meeting" => {
            no_extra(&["for"])?;
            What::MeetingStart(w.for_.as_deref().map(parse_duration).transpose()?)
        }
        "meeting-end" => {
            no_extra(&[])?;
            What::MeetingEnd
        }
        "guided" => {
            no_extra(&["id", "finished", "progress"])?;
            match (w.id, w.finished, w.progress) {
                (None, _, _) => return Err(RequestError::NoId("guided")),
                (Some(id), Some(finished), Some(progress)) => What::Guided {
                    id,
                    answer: if finished { Answer::Done } else { Answer::Skip },
                    progress,
                },
                _ => return Err(RequestError::NoProgress),
            }
        }
        "stop" => {
            no_extra(&[])?;
            What::Stop
        }
        other => return Err(RequestError::UnknownCommand(other.into())),
    };
    let deadline = match &w.deadline {
        Some(d) => Some(
            d.parse::<Timestamp>()
                .map_err(|_| RequestError::Deadline(d.clone()))?,
        ),
        None => None,
    };
    Ok((req, deadline))
}

/// The line that asks for `what` (what the CLI sends); the tray's own
/// commands and the answers only a notification gives have no line.
pub fn encode(what: &What, deadline: Option<Timestamp>) -> Result<String, RequestError> {
    let fmt = crate::core::time::fmt_duration;
    let wire = |cmd: &str| Wire {
        v: Some(VERSION),
        cmd: Some(cmd.into()),
        ..Wire::default()
    };
    let w = match what {
        What::Status => wire("status"),
        What::Answer { id, answer } => {
            let (cmd, length) = match answer {
                Answer::Done => ("done", None),
                Answer::Skip => ("skip", None),
                Answer::Snooze(length) => ("snooze", *length),
                Answer::Dismissed | Answer::Expired => {
                    return Err(RequestError::NotOnTheWire("a closed notification"));
                }
            };
            Wire {
                id: id.clone(),
                for_: length.map(fmt),
                ..wire(cmd)
            }
        }
        What::Pause(PauseEnd::For(d)) => Wire {
            for_: Some(fmt(*d)),
            ..wire("pause")
        },
        What::Pause(PauseEnd::At(t)) => Wire {
            until: Some(crate::core::time::fmt_clock(*t)),
            ..wire("pause")
        },
        What::Pause(PauseEnd::Tomorrow) => Wire {
            until: Some("tomorrow".into()),
            ..wire("pause")
        },
        What::Pause(PauseEnd::Never) => wire("pause"),
        What::Resume => wire("resume"),
        What::Trigger { id } => Wire {
            id: Some(id.clone()),
            ..wire("trigger")
        },
        What::Took { id } => Wire {
            id: Some(id.clone()),
            ..wire("took")
        },
        What::MeetingStart(d) => Wire {
            for_: d.map(fmt),
            ..wire("meeting")
        },
        What::MeetingEnd => wire("meeting-end"),
        What::Guided {
            id,
            answer,
            progress,
        } => Wire {
            id: Some(id.clone()),
            finished: Some(*answer == Answer::Done),
            progress: Some(progress.clone()),
            ..wire("guided")
        },
        What::Stop => wire("stop"),
        What::EditConfig => return Err(RequestError::NotOnTheWire("the tray's Edit schedule")),
        What::OpenReport => return Err(RequestError::NotOnTheWire("the tray's Your weeks")),
        What::Start { .. } => return Err(RequestError::NotOnTheWire("the tray's Start")),
    };
    let w = Wire {
        deadline: deadline.map(|d| d.to_string()),
        ..w
    };
    serde_json::to_string(&w).map_err(|e| RequestError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        let answer = |id: Option<&str>, answer| What::Answer {
            id: id.map(Into::into),
            answer,
        };
        for what in [
            What::Status,
            answer(None, Answer::Done),
            answer(Some("neck"), Answer::Skip),
            answer(
                Some("neck"),
                Answer::Snooze(Some(SignedDuration::from_mins(10))),
            ),
            answer(None, Answer::Snooze(None)),
            What::Pause(PauseEnd::For(SignedDuration::from_hours(1))),
            What::Pause(PauseEnd::At(jiff::civil::time(14, 0, 0, 0))),
            What::Pause(PauseEnd::Tomorrow),
            What::Pause(PauseEnd::Never),
            What::Resume,
            What::Trigger { id: "stand".into() },
            What::Took { id: "stand".into() },
            What::MeetingStart(Some(SignedDuration::from_mins(45))),
            What::MeetingStart(None),
            What::MeetingEnd,
            What::Guided {
                id: "neck".into(),
                answer: Answer::Skip,
                progress: crate::core::routine::Progress {
                    routine: "neck-reset".into(),
                    done: 3,
                    of: 10,
                    seconds: 25,
                },
            },
            What::Stop,
        ] {
            let line = encode(&what, None).unwrap();
            assert_eq!(parse(&line), Ok((what.clone(), None)), "{line}");
        }
        assert_eq!(
            encode(
                &answer(
                    Some("neck"),
                    Answer::Snooze(Some(SignedDuration::from_mins(10)))
                ),
                None
            )
            .unwrap(),
            r#"{"v":1,"cmd":"snooze","id":"neck","for":"10m"}"#
        );
        let by: Timestamp = "2026-12-05T14:00:09Z".parse().unwrap();
        let line = encode(&What::Status, Some(by)).unwrap();
        assert_eq!(
            line,
            r#"{"v":1,"cmd":"status","deadline":"2026-12-05T14:00:09Z"}"#
        );
        assert_eq!(parse(&line), Ok((What::Status, Some(by))));
        assert_eq!(
            parse(r#"{"v":1,"cmd":"status","deadline":"soon"}"#).map_err(|e| e.to_string()),
            Err("invalid deadline \"soon\": expected an RFC 3339 time".into())
        );
        assert_eq!(
            encode(&What::EditConfig, None).map_err(|e| e.to_string()),
            Err("the tray's Edit schedule is not sent over the control socket".into())
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
                "missing \"cmd\": expected one of status, done, skip, snooze, pause, resume, trigger, took, meeting, meeting-end, guided, stop",
            ),
            (
                r#"{"v":1,"cmd":"dance"}"#,
                "unknown command \"dance\": expected one of status, done, skip, snooze, pause, resume, trigger, took, meeting, meeting-end, guided, stop",
            ),
            (
                r#"{"v":1,"cmd":"status","id":"x"}"#,
                "\"status\" takes no \"id\"",
            ),
            (r#"{"v":1,"cmd":"trigger"}"#, "trigger needs an \"id\""),
            (
                r#"{"v":1,"cmd":"guided","id":"neck"}"#,
                "guided needs \"finished\" and \"progress\"",
            ),
            (
                r#"{"v":1,"cmd":"done","progress":{"routine":"r","done":1,"of":2,"seconds":3}}"#,
                "\"done\" takes no \"progress\"",
            ),
            (
                r#"{"v":1,"cmd":"snooze","for":"soon"}"#,
                "invalid duration \"soon\": expected numbers with units s, m, h, e.g. \"45m\", \"1h 30m\", \"90s\"",
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
