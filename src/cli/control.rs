//! Commands for the running daemon: status, done, skip, snooze, pause,
//! resume, trigger, stop. They talk to it over the control socket.

use std::process::ExitCode;

use std::path::Path;

use jiff::Timestamp;
use serde::de::DeserializeOwned;

use super::table;
use crate::core::Answer;
use crate::core::HoldReason;
use crate::core::time::when;
use crate::ipc::ClientError;
use crate::ipc::protocol::{parse_duration, parse_until};
use crate::vocab::reply::{
    Answered, Fallback, LocalTime, MeetingState, PauseState, Status, Stopping,
};
use crate::vocab::{PauseEnd, What};

/// Exit status when the daemon is not running.
const EXIT_NOT_RUNNING: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The daemon's answer as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct AnswerArgs {
    /// The reminder to answer (default: the one showing).
    #[arg(add = clap_complete::ArgValueCompleter::new(complete_ids))]
    pub id: Option<String>,
}

/// Shell completion of reminder ids, from the config (`--config` is not
/// known yet while completing: `UNHUNCH_CONFIG` or the default path).
fn complete_ids(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    candidates(current, false, false)
}

/// Ids, then the kinds `trigger` also takes.
fn complete_ids_and_kinds(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    candidates(current, true, false)
}

/// Routine ids, then reminder ids (`guide`).
pub(super) fn complete_routines_and_ids(
    current: &std::ffi::OsStr,
) -> Vec<clap_complete::CompletionCandidate> {
    candidates(current, false, true)
}

fn candidates(
    current: &std::ffi::OsStr,
    kinds: bool,
    routines: bool,
) -> Vec<clap_complete::CompletionCandidate> {
    use clap_complete::CompletionCandidate;
    let current = current.to_string_lossy();
    let Ok(paths) = crate::paths::Paths::resolve(None) else {
        return Vec::new();
    };
    let Ok(loaded) = crate::config::load_or_default(&paths.config, paths.config_given) else {
        return Vec::new();
    };
    let mut out: Vec<CompletionCandidate> = loaded
        .config
        .enabled()
        .filter(|r| r.id.starts_with(current.as_ref()))
        .map(|r| CompletionCandidate::new(r.id.clone()).help(Some(r.title.clone().into())))
        .collect();
    if routines {
        let mut r: Vec<CompletionCandidate> = loaded
            .config
            .routines
            .iter()
            .filter(|r| r.id.starts_with(current.as_ref()))
            .map(|r| CompletionCandidate::new(r.id.clone()).help(Some(r.title.clone().into())))
            .collect();
        r.append(&mut out);
        out = r;
    }
    if kinds {
        for k in crate::core::Kind::ALL {
            let name = k.as_str();
            let has = loaded.config.enabled().any(|r| r.kind == k);
            if has
                && name.starts_with(current.as_ref())
                && !out.iter().any(|c| c.get_value() == name)
            {
                out.push(
                    CompletionCandidate::new(name)
                        .help(Some(format!("the first {name} reminder").into())),
                );
            }
        }
    }
    out
}

#[derive(Debug, clap::Args)]
pub struct SnoozeArgs {
    /// The reminder to snooze (default: the one showing).
    #[arg(add = clap_complete::ArgValueCompleter::new(complete_ids))]
    pub id: Option<String>,
    /// How long (default: the reminder's snooze length), e.g. 10m, 1h.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub length: Option<jiff::SignedDuration>,
}

#[derive(Debug, clap::Args)]
pub struct PauseArgs {
    /// Pause for this long, e.g. 30m, 2h (the same as --for).
    #[arg(value_name = "DURATION", value_parser = parse_duration, conflicts_with_all = ["length", "until"])]
    pub duration: Option<jiff::SignedDuration>,
    /// Pause for this long, e.g. 30m, 2h.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration, conflicts_with = "until")]
    pub length: Option<jiff::SignedDuration>,
    /// Pause until this time (HH:MM) or "tomorrow".
    #[arg(long, value_name = "HH:MM|tomorrow", value_parser = parse_until)]
    pub until: Option<PauseEnd>,
}

#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The reminder to show now: its id, or a kind (stand, neck, decompress,
    /// massage, meditate, wind-down) for the first reminder of that kind.
    #[arg(add = clap_complete::ArgValueCompleter::new(complete_ids_and_kinds))]
    pub id: String,
}

#[derive(Debug, clap::Args)]
pub struct TookArgs {
    /// The break you took: a reminder's id, or a kind (stand, neck,
    /// decompress, massage, meditate, wind-down) for its first reminder.
    #[arg(add = clap_complete::ArgValueCompleter::new(complete_ids_and_kinds))]
    pub id: String,
}

/// "14:05" (or "tomorrow 09:45"), in this machine's zone.
fn at(t: &LocalTime) -> String {
    let today = Timestamp::now()
        .to_zoned_datetime(crate::clock::local_zone())
        .date();
    when(&t.local(), today)
}

/// Sends `req`; prints the daemon's refusal or the not-running hint.
fn send<T: DeserializeOwned>(runtime: &Path, req: &What) -> Result<T, ExitCode> {
    send_hinted(runtime, req, None)
}

/// A hint said after a refusal whose words contain `when` ("" for any).
struct Hint {
    when: &'static str,
    text: String,
}

/// The same, with a hint after a refusal.
fn send_hinted<T: DeserializeOwned>(
    runtime: &Path,
    req: &What,
    hint: Option<Hint>,
) -> Result<T, ExitCode> {
    match crate::ipc::request(runtime, req) {
        Ok(v) => Ok(v),
        Err(e @ ClientError::NotRunning(_)) => {
            eprintln!("{e}");
            Err(ExitCode::from(EXIT_NOT_RUNNING))
        }
        Err(e) => {
            match (&e, hint) {
                // A hint for any refusal replaces what the daemon added
                // after its first clause (the ids there are).
                (ClientError::Refused(why), Some(hint)) if hint.when.is_empty() => {
                    let first = why.split(": ").next().unwrap_or(why);
                    eprintln!("unhunch: error: {first}: {}", hint.text)
                }
                (ClientError::Refused(why), Some(hint)) if why.contains(hint.when) => {
                    eprintln!("unhunch: error: {e}: {}", hint.text)
                }
                _ => eprintln!("unhunch: error: {e}"),
            }
            Err(ExitCode::FAILURE)
        }
    }
}

pub fn status(runtime: &Path, args: StatusArgs) -> ExitCode {
    let v: Status = match send(runtime, &What::Status) {
        Ok(v) => v,
        Err(code) => return code,
    };
    if args.json {
        match serde_json::to_string_pretty(&v) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("unhunch: error: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    if v.config_embedded {
        println!(
            "unhunch {} is running (pid {}) on the embedded default schedule: no file at {} (`unhunch config init` writes it out to change)",
            v.version, v.pid, v.config
        );
    } else {
        println!(
            "unhunch {} is running (pid {}), config {}",
            v.version, v.pid, v.config
        );
    }
    if let Some(why) = &v.cannot_show {
        println!("Reminders cannot be shown: {why}");
        println!("  They wait and are shown once they can; `unhunch doctor` checks the desktop.");
    }
    if let Some(c) = &v.config_error {
        let meanwhile = match (c.running, &c.kept) {
            (Fallback::LastGood, Some(kept)) => {
                format!("running the last good schedule (kept {})", at(kept))
            }
            (Fallback::LastGood, None) => "running the last good schedule".into(),
            (Fallback::Unchanged, _) => "the running schedule is unchanged".into(),
            (Fallback::Nothing, _) => "no reminders run".into(),
        };
        println!("Config error: {meanwhile} until the file is fixed:");
        for line in c.error.lines() {
            println!("  {line}");
        }
    }
    if let Some(p) = &v.paused {
        match &p.until {
            Some(u) => println!("Paused until {} (`unhunch resume` to go on)", at(u)),
            None => println!("Paused until you resume (`unhunch resume`)"),
        }
    }
    if let Some(since) = &v.away_since {
        println!(
            "Away since {} (locked or idle): intervals due meanwhile count as breaks",
            at(since)
        );
    }
    for p in &v.calendar_problems {
        println!("Calendar not read: {p}");
    }
    if !v.calls_ignored.is_empty() {
        println!(
            "Capturing the microphone, ignored (calls_ignore): {}",
            v.calls_ignored.join(", ")
        );
    }
    if !v.held_by.is_empty() {
        let held: Vec<String> = v
            .held_by
            .iter()
            .map(|h| match h {
                HoldReason::Call if !v.in_call.is_empty() => {
                    format!("call ({})", v.in_call.join(", "))
                }
                HoldReason::Meeting if v.meeting.is_some() => {
                    let m = v.meeting.as_ref().expect("checked");
                    match (&m.title, m.by_hand) {
                        (Some(t), _) => format!("meeting: {t} until {}", at(&m.until)),
                        (None, true) => format!(
                            "meeting (started by hand; `unhunch meeting end` ends it) until {}",
                            at(&m.until)
                        ),
                        (None, false) => format!("meeting until {}", at(&m.until)),
                    }
                }
                h => h.name().to_string(),
            })
            .collect();
        println!(
            "Held by {}: reminders wait until it ends",
            held.join(" and ")
        );
    }
    // With one showing, `unhunch done` answers it; with more, each needs
    // its id.
    let several = v.pending.len() > 1;
    for p in &v.pending {
        let how = if several {
            format!("`unhunch done {0}`, `snooze {0}` or `skip {0}`", p.id)
        } else {
            "`unhunch done`, `snooze` or `skip`".to_string()
        };
        println!(
            "Showing now: {} ({}), since {} — answer with {how}",
            p.title,
            p.id,
            at(&p.since)
        );
    }
    for s in &v.snoozed {
        println!("Snoozed: {} ({}) until {}", s.title, s.id, at(&s.until));
    }
    let next: Vec<Vec<String>> = v
        .next
        .iter()
        .map(|n| vec![at(&n.at), n.id.clone(), n.title.clone()])
        .collect();
    if next.is_empty() {
        println!("Next: nothing scheduled");
    } else {
        println!("Next:");
        print!("{}", table::render(&next, 2));
    }
    if v.today.total > 0 {
        println!("Today: {} of {} done", v.today.done, v.today.total);
    } else {
        println!("Today: nothing yet");
    }
    if let Some(s) = &v.sync {
        println!("Sync: on, as \"{}\", folder {}", s.device, s.folder);
        if !s.problem.is_empty() {
            println!("  Problem: {}", s.problem);
        }
        if s.devices.is_empty() {
            println!("  No other device seen yet");
        }
        for d in &s.devices {
            println!("  {} seen, its latest event {}", d.name, at(&d.last));
        }
    }
    ExitCode::SUCCESS
}

/// Sends `req` and prints its reply with `say`.
fn command<T: DeserializeOwned>(runtime: &Path, req: What, say: impl FnOnce(T)) -> ExitCode {
    match send(runtime, &req) {
        Ok(v) => {
            say(v);
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// done, skip, snooze, trigger.
pub fn answer(runtime: &Path, req: What) -> ExitCode {
    let verb = match &req {
        What::Answer {
            answer: Answer::Done,
            ..
        } => "Done",
        What::Answer {
            answer: Answer::Skip,
            ..
        } => "Skipped",
        What::Took { .. } => "Done",
        What::Answer {
            answer: Answer::Snooze(_),
            ..
        } => "Snoozed",
        _ => "Showing",
    };
    // `unhunch snooze 5m`: a length where the reminder's id goes.
    let hint = match &req {
        What::Answer {
            id: Some(id),
            answer: Answer::Snooze(None),
        } if parse_duration(id).is_ok() => Some(Hint {
            when: "",
            text: format!("did you mean `unhunch snooze --for {id}`?"),
        }),
        // `unhunch done stand` after a break taken unprompted.
        What::Answer {
            id: Some(id),
            answer: Answer::Done,
        } => Some(Hint {
            when: "is not showing",
            text: format!("to record a break taken on your own: `unhunch took {id}`"),
        }),
        _ => None,
    };
    let a: Answered = match send_hinted(runtime, &req, hint) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut name = format!("{} ({})", a.title, a.id);
    if let Some(w) = &a.was_snoozed_until {
        name.push_str(&format!(", which was snoozed until {}", at(w)));
    }
    match (&a.until, verb) {
        _ if a.outcome == crate::core::Outcome::Took => {
            println!("Recorded a break of your own: {name}; its interval starts again.")
        }
        (Some(u), _) => println!("{verb}: {name}, back at {}.", at(u)),
        (None, "Showing") => println!("Showing {name} now."),
        (None, _) => println!("{verb}: {name}."),
    }
    ExitCode::SUCCESS
}

#[derive(Debug, clap::Subcommand)]
pub enum MeetingAction {
    /// A meeting begins: reminders wait, and a catch-up break comes after.
    Start {
        /// How long it lasts (default: until `unhunch meeting end`, at most 4 h).
        #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
        length: Option<jiff::SignedDuration>,
    },
    /// The meeting ends.
    End,
}

/// meeting start, meeting end.
pub fn meeting(runtime: &Path, action: MeetingAction) -> ExitCode {
    let what = match action {
        MeetingAction::Start { length } => What::MeetingStart(length),
        MeetingAction::End => What::MeetingEnd,
    };
    command(runtime, what, |m: MeetingState| {
        match (m.in_meeting, &m.until) {
            (true, Some(u)) => println!(
                "In a meeting until {}: reminders wait; `unhunch meeting end` ends it.",
                at(u)
            ),
            (true, None) => println!("In a meeting: reminders wait."),
            (false, _) => println!("The meeting ended."),
        }
    })
}

/// pause, resume.
pub fn pause(runtime: &Path, req: What) -> ExitCode {
    command(runtime, req, |p: PauseState| match (p.paused, &p.until) {
        (false, _) => println!("Resumed."),
        (true, Some(u)) => println!("Paused until {}.", at(u)),
        (true, None) => println!("Paused until you resume (`unhunch resume`)."),
    })
}

/// Asks the daemon to stop, and waits (a few seconds at most) until it no
/// longer answers: `unhunch stop; unhunch start` starts a new one.
pub fn stop(runtime: &Path) -> ExitCode {
    command(runtime, What::Stop, |s: Stopping| {
        let since = std::time::Instant::now();
        while super::running(runtime) == Some(s.pid) {
            if since.elapsed() > std::time::Duration::from_secs(10) {
                println!("Stopping unhunch (pid {}): it has not exited yet.", s.pid);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        println!("Stopped unhunch (pid {}).", s.pid)
    })
}
