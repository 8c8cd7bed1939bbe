//! Commands for the running daemon: status, done, skip, snooze, pause,
//! resume, trigger. They talk to it over the control socket.

use std::process::ExitCode;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use serde_json::Value;

use super::table;
use crate::core::time::when;
use crate::ipc::client::{self, ClientError};
use crate::ipc::protocol::{PauseEnd, Request, parse_duration, parse_until};

/// Exit status when the daemon is not running.
pub const EXIT_NOT_RUNNING: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The daemon's answer as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct AnswerArgs {
    /// The reminder to answer (default: the one showing).
    pub id: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct SnoozeArgs {
    /// The reminder to snooze (default: the one showing).
    pub id: Option<String>,
    /// How long (default: the reminder's snooze length), e.g. 10m, 1h.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub length: Option<jiff::SignedDuration>,
}

#[derive(Debug, clap::Args)]
pub struct PauseArgs {
    /// Pause for this long, e.g. 30m, 2h.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration, conflicts_with = "until")]
    pub length: Option<jiff::SignedDuration>,
    /// Pause until this time (HH:MM) or "tomorrow".
    #[arg(long, value_name = "HH:MM|tomorrow", value_parser = parse_until)]
    pub until: Option<PauseEnd>,
}

#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The reminder to show now.
    pub id: String,
}

fn local(s: &str) -> Option<ZonedDateTime> {
    let t: Timestamp = s.parse().ok()?;
    Some(t.to_zoned_datetime(TimeZone::system()))
}

/// "14:05" (or "tomorrow 09:45") for an RFC 3339 string.
fn at(v: &Value) -> String {
    let today = Timestamp::now()
        .to_zoned_datetime(TimeZone::system())
        .date();
    v.as_str()
        .and_then(local)
        .map(|z| when(&z, today))
        .unwrap_or_else(|| "?".into())
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Sends `req`; prints the daemon's refusal or the not-running hint.
fn send(runtime: &std::path::Path, req: Request) -> Result<Value, ExitCode> {
    match client::request(runtime, &req) {
        Ok(v) => Ok(v),
        Err(e @ ClientError::NotRunning(_)) => {
            eprintln!("{e}");
            Err(ExitCode::from(EXIT_NOT_RUNNING))
        }
        Err(e) => {
            eprintln!("unhunch: error: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}

pub fn status(runtime: &std::path::Path, args: StatusArgs) -> ExitCode {
    let v = match send(runtime, Request::Status) {
        Ok(v) => v,
        Err(code) => return code,
    };
    if args.json {
        let mut v = v;
        if let Value::Object(m) = &mut v {
            m.remove("ok");
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    println!(
        "unhunch {} is running (pid {}), config {}",
        str_of(&v, "version"),
        v.get("pid").and_then(Value::as_u64).unwrap_or(0),
        str_of(&v, "config")
    );
    if let Some(p) = v.get("paused").filter(|p| !p.is_null()) {
        match p.get("until").filter(|u| !u.is_null()) {
            Some(u) => println!("Paused until {} (`unhunch resume` to go on)", at(u)),
            None => println!("Paused until you resume (`unhunch resume`)"),
        }
    }
    if let Some(since) = v.get("away_since").filter(|a| !a.is_null()) {
        println!(
            "Away since {} (locked or idle): intervals due meanwhile count as breaks",
            at(since)
        );
    }
    let held: Vec<&str> = v
        .get("held_by")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !held.is_empty() {
        println!(
            "Held by {}: reminders wait until it ends",
            held.join(" and ")
        );
    }
    for p in v
        .get("pending")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        println!(
            "Showing now: {} ({}), since {} — answer with `unhunch done`, `snooze` or `skip`",
            str_of(p, "title"),
            str_of(p, "id"),
            at(&p["since"])
        );
    }
    for s in v
        .get("snoozed")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        println!(
            "Snoozed: {} ({}) until {}",
            str_of(s, "title"),
            str_of(s, "id"),
            at(&s["until"])
        );
    }
    let next: Vec<Vec<String>> = v
        .get("next")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|n| {
            vec![
                at(&n["at"]),
                str_of(n, "id").to_string(),
                str_of(n, "title").to_string(),
            ]
        })
        .collect();
    if next.is_empty() {
        println!("Next: nothing scheduled");
    } else {
        println!("Next:");
        print!("{}", table::render(&next, 2));
    }
    let today = &v["today"];
    let (done, total) = (
        today["done"].as_u64().unwrap_or(0),
        today["total"].as_u64().unwrap_or(0),
    );
    if total > 0 {
        println!("Today: {done} of {total} done");
    } else {
        println!("Today: nothing yet");
    }
    ExitCode::SUCCESS
}

/// done, skip, snooze, pause, resume, trigger.
pub fn command(runtime: &std::path::Path, req: Request) -> ExitCode {
    let v = match send(runtime, req.clone()) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let name = match (str_of(&v, "title"), str_of(&v, "id")) {
        ("", id) => id.to_string(),
        (title, id) => format!("{title} ({id})"),
    };
    match req {
        Request::Done { .. } => println!("Done: {name}."),
        Request::Skip { .. } => println!("Skipped: {name}."),
        Request::Snooze { .. } => println!("Snoozed: {name}, back at {}.", at(&v["until"])),
        Request::Trigger { .. } => println!("Showing {name} now."),
        Request::Pause(_) => match v.get("until").filter(|u| !u.is_null()) {
            Some(u) => println!("Paused until {}.", at(u)),
            None => println!("Paused until you resume (`unhunch resume`)."),
        },
        Request::Resume => println!("Resumed."),
        Request::Status => {}
    }
    ExitCode::SUCCESS
}
