//! From the file as written to the validated model: defaults filled in,
//! semantic checks made. Problems carry the byte span of what they are about.

use std::ops::Range as Bytes;

use jiff::SignedDuration;
use toml::Spanned;

use super::file::{ConfigFile, Count, Day, Dur, During, ReminderFile, RoutineFile};
use crate::core::content;
use crate::core::routine::{self, Routine, Step};
use crate::core::time::{Days, TimeRange, Window, fmt_clock, fmt_duration};
use crate::core::{Config, General, Kind, Reminder, Schedule, Sleep};

/// A problem at a place in the file (`span: None`: about the whole file).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: Option<Bytes<usize>>,
    pub message: String,
}

#[derive(Default)]
struct Report {
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Report {
    fn error(&mut self, span: Bytes<usize>, message: impl Into<String>) {
        self.errors.push(Problem {
            span: Some(span),
            message: message.into(),
        });
    }
    fn warn(&mut self, span: Bytes<usize>, message: impl Into<String>) {
        self.warnings.push(Problem {
            span: Some(span),
            message: message.into(),
        });
    }
    /// A warning about the file as a whole.
    fn warn_file(&mut self, message: impl Into<String>) {
        self.warnings.push(Problem {
            span: None,
            message: message.into(),
        });
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(src.len());
    let before = src.get(..byte).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

const DAY: SignedDuration = SignedDuration::from_hours(24);
const MAX_ID: usize = 32;

/// Reads an optional duration with its default; `positive` rejects zero and
/// everything is capped at a day.
fn duration(
    r: &mut Report,
    key: &str,
    v: &Option<Spanned<Dur>>,
    default: SignedDuration,
    positive: bool,
) -> SignedDuration {
    let Some(v) = v else { return default };
    let Dur(d, written) = v.get_ref();
    if positive && d.is_zero() {
        r.error(v.span(), format!("{key} must be longer than zero"));
    } else if *d > DAY {
        r.error(
            v.span(),
            format!("{key} = \"{written}\" is longer than a day"),
        );
    }
    *d
}

fn days(r: &mut Report, key: &str, v: &Spanned<Vec<Day>>) -> Days {
    let set: Days = v.get_ref().iter().map(|d| d.0).collect();
    if set.is_empty() {
        r.error(
            v.span(),
            format!("{key} is empty: list at least one day, e.g. [\"mon\", \"tue\"]"),
        );
    } else if set.iter().count() != v.get_ref().len() {
        r.warn(v.span(), format!("{key} names a day twice"));
    }
    set
}

/// Validates a whole file. On success: the model and any warnings.
pub fn resolve(file: &ConfigFile, src: &str) -> Result<(Config, Vec<Problem>), Vec<Problem>> {
    let mut r = Report::default();
    let g = &file.general;
    let general = General {
        snooze: duration(
            &mut r,
            "snooze",
            &g.snooze,
            SignedDuration::from_mins(10),
            true,
        ),
        work_hours: g
            .work_hours
            .as_ref()
            .map(|v| v.get_ref().0)
            .unwrap_or(TimeRange {
                start: jiff::civil::time(9, 0, 0, 0),
                end: jiff::civil::time(18, 0, 0, 0),
            }),
        work_days: g
            .work_days
            .as_ref()
            .map(|v| days(&mut r, "work_days", v))
            .unwrap_or(Days::WORK_WEEK),
        notification_timeout: duration(
            &mut r,
            "notification_timeout",
            &g.notification_timeout,
            SignedDuration::ZERO,
            false,
        ),
        ignore_after: duration(
            &mut r,
            "ignore_after",
            &g.ignore_after,
            SignedDuration::from_mins(15),
            true,
        ),
        missed_grace: duration(
            &mut r,
            "missed_grace",
            &g.missed_grace,
            SignedDuration::from_mins(30),
            false,
        ),
        away_after: duration(
            &mut r,
            "away_after",
            &g.away_after,
            SignedDuration::from_mins(5),
            false,
        ),
        respect_dnd: g.respect_dnd.unwrap_or(true),
        respect_fullscreen: g.respect_fullscreen.unwrap_or(true),
        respect_calls: g.respect_calls.unwrap_or(true),
    };
    let s = &file.sleep;
    let sleep = Sleep {
        wake: s
            .wake
            .as_ref()
            .map(|v| v.get_ref().0)
            .unwrap_or(jiff::civil::time(7, 0, 0, 0)),
        goal: duration(&mut r, "goal", &s.goal, SignedDuration::from_hours(8), true),
        wind_down: duration(
            &mut r,
            "wind_down",
            &s.wind_down,
            SignedDuration::from_mins(30),
            false,
        ),
    };
    if let Some(goal) = &s.goal
        && sleep.goal + sleep.wind_down >= DAY
    {
        r.error(
            goal.span(),
            "goal plus wind_down must be shorter than a day",
        );
    }

    let routines = routines(&mut r, &file.routines, src);
    let mut reminders: Vec<Reminder> = Vec::new();
    let mut seen: Vec<(String, Bytes<usize>)> = Vec::new();
    for spanned in &file.reminders {
        let table = spanned.span();
        let rf = spanned.get_ref();
        let id = rf.id.get_ref();
        if let Some((_, first)) = seen.iter().find(|(s, _)| s == id) {
            let (line, _) = line_col(src, first.start);
            r.error(
                rf.id.span(),
                format!("duplicate id \"{id}\": ids must be unique (first used on line {line})"),
            );
        } else {
            seen.push((id.clone(), rf.id.span()));
        }
        if let Some(rem) = reminder(&mut r, rf, table, &general, &sleep, &routines) {
            reminders.push(rem);
        }
    }
    if file.reminders.is_empty() {
        r.warn_file("no [[reminder]] tables: nothing will be shown");
    } else if !reminders.is_empty() && reminders.iter().all(|r| !r.enabled) {
        r.warn_file("every reminder is disabled: nothing will be shown");
    }
    if r.errors.is_empty() {
        Ok((
            Config {
                general,
                sleep,
                reminders,
                routines,
            },
            r.warnings,
        ))
    } else {
        Err(r.errors)
    }
}

fn check_id(r: &mut Report, id: &Spanned<String>) {
    let s = id.get_ref();
    if s.is_empty()
        || s.len() > MAX_ID
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        r.error(
            id.span(),
            format!("invalid id \"{s}\": use 1 to {MAX_ID} characters from a-z, 0-9 and \"-\""),
        );
    }
}

/// The longest title, body and tip: what a notification can show, and
/// far below what would weigh on D-Bus or memory.
const MAX_TITLE: usize = 100;
const MAX_BODY: usize = 1000;
const MAX_TIP: usize = 300;

/// A text shown on a notification: no control characters (a NUL gets the
/// daemon's bus connection dropped; line breaks only where lines can
/// break), and a length a notification can show.
fn check_text(r: &mut Report, key: &str, span: Bytes<usize>, s: &str, max: usize, lines: bool) {
    let allowed = |c: char| lines && (c == '\n' || c == '\t');
    if let Some(c) = s.chars().find(|c| c.is_control() && !allowed(*c)) {
        r.error(
            span.clone(),
            format!(
                "{key} contains the control character U+{:04X}: remove it",
                u32::from(c)
            ),
        );
    }
    let n = s.chars().count();
    if n > max {
        r.error(span, format!("{key} is {n} characters long: at most {max}"));
    }
}

fn text(
    r: &mut Report,
    key: &str,
    v: &Option<Spanned<String>>,
    max: usize,
    lines: bool,
) -> Option<String> {
    let v = v.as_ref()?;
    let s = v.get_ref().trim();
    if s.is_empty() {
        r.error(
            v.span(),
            format!("{key} is empty: remove the key to use the default"),
        );
    }
    check_text(r, key, v.span(), s, max, lines);
    Some(s.to_string())
}

fn reminder(
    r: &mut Report,
    rf: &ReminderFile,
    table: Bytes<usize>,
    g: &General,
    sleep: &Sleep,
    routines: &[Routine],
) -> Option<Reminder> {
    check_id(r, &rf.id);
    let id = rf.id.get_ref().clone();
    let kind = rf.kind.get_ref().0;
    let defaults = content::defaults(kind);
    let title = text(r, "title", &rf.title, MAX_TITLE, false);
    let body = text(r, "body", &rf.body, MAX_BODY, true);
    if defaults.is_none() && (title.is_none() || body.is_none()) {
        r.error(
            table.clone(),
            format!("reminder \"{id}\": kind \"custom\" needs a title and a body"),
        );
    }
    let tips = match &rf.tips {
        Some(v) => {
            for t in v.get_ref() {
                if t.get_ref().trim().is_empty() {
                    r.error(t.span(), "empty tip: remove it or write one");
                }
                check_text(r, "a tip", t.span(), t.get_ref(), MAX_TIP, true);
            }
            v.get_ref()
                .iter()
                .map(|t| t.get_ref().trim().to_string())
                .collect()
        }
        None => defaults
            .as_ref()
            .map(|c| c.tips.iter().map(|t| t.to_string()).collect())
            .unwrap_or_default(),
    };
    let days = rf.days.as_ref().map(|v| days(r, "days", v));

    let schedule = match (&rf.every, &rf.at) {
        (Some(_), Some(at)) => {
            r.error(
                at.span(),
                format!("reminder \"{id}\" has both every and at: keep exactly one"),
            );
            return None;
        }
        (Some(every), None) => {
            let e = duration(r, "every", &rf.every, SignedDuration::ZERO, true);
            if e.is_zero() || e > DAY {
                return None;
            }
            let written = &every.get_ref().1;
            if e < SignedDuration::from_secs(1) {
                r.error(
                    every.span(),
                    format!("every = \"{written}\" is under a second: use at least \"1m\""),
                );
                return None;
            }
            if e < SignedDuration::from_mins(1) {
                r.warn(
                    every.span(),
                    format!("every = \"{written}\" is under a minute: that is a lot of reminders"),
                );
            }
            let (range, base_days) = match rf.during.as_ref().map(|d| *d.get_ref()) {
                None | Some(During::Always) => (None, Days::ALL),
                Some(During::Work) => (Some(g.work_hours), g.work_days),
                Some(During::Range(tr)) => (Some(tr), Days::ALL),
            };
            let set = days.map(|d| d.intersect(base_days)).unwrap_or(base_days);
            // (An empty days list has its own error.)
            if let (Some(v), true) = (&rf.days, set.is_empty() && days != Some(Days::NONE)) {
                r.error(
                    v.span(),
                    "days has no day in common with work_days: this reminder would never fire",
                );
            }
            if let Some(tr) = range
                && e >= tr.length()
            {
                r.error(
                    every.span(),
                    format!(
                        "every = \"{written}\" does not fit in its window {tr} ({}): it would never fire",
                        fmt_duration(tr.length())
                    ),
                );
            }
            // All day on some days: the days in a row are one window.
            let run = set.longest_run();
            if range.is_none()
                && run > 0
                && run < 7
                && e >= SignedDuration::from_hours(24 * i64::from(run))
            {
                r.error(
                    every.span(),
                    format!(
                        "every = \"{written}\" does not fit in its days ({set}: at most {run} day{} in a row): it would never fire",
                        if run == 1 { "" } else { "s" }
                    ),
                );
            }
            let window = match range {
                None if set.is_all() => Window::Always,
                range => Window::Daily { range, days: set },
            };
            Schedule::Every { every: e, window }
        }
        (None, at) => {
            if let Some(d) = &rf.during {
                r.error(d.span(), "during applies to interval reminders (every); a fixed-time reminder (at) uses days");
            }
            let times = match at {
                Some(at) => {
                    let mut times: Vec<_> = at.get_ref().iter().map(|c| c.get_ref().0).collect();
                    if times.is_empty() {
                        r.error(
                            at.span(),
                            "at is empty: list at least one time, e.g. [\"11:00\"]",
                        );
                    }
                    times.sort();
                    if times.windows(2).any(|w| w[0] == w[1]) {
                        r.error(at.span(), "at lists the same time twice");
                    }
                    times
                }
                None if kind == Kind::WindDown => vec![sleep.wind_down_at()],
                None => {
                    r.error(table.clone(), format!("reminder \"{id}\" has neither every nor at: add one, e.g. every = \"45m\" or at = [\"11:00\"]"));
                    return None;
                }
            };
            Schedule::At {
                times,
                days: days.unwrap_or(Days::ALL),
            }
        }
    };
    let snooze = duration(r, "snooze", &rf.snooze, g.snooze, true);
    let (dtitle, dbody) = match &defaults {
        Some(c) => (c.title.to_string(), c.body.to_string()),
        None => (String::new(), String::new()),
    };
    let body = body.unwrap_or_else(|| {
        if kind == Kind::WindDown {
            format!(
                "Bedtime at {} gives {} of sleep before {}. {}",
                fmt_clock(sleep.bedtime()),
                fmt_duration(sleep.goal),
                fmt_clock(sleep.wake),
                "Start getting ready."
            )
        } else {
            dbody
        }
    });
    Some(Reminder {
        id,
        kind,
        title: title.unwrap_or(dtitle),
        body,
        tips,
        schedule,
        snooze,
        urgency: rf.urgency.unwrap_or_default(),
        enabled: rf.enabled.unwrap_or(true),
        routine: routine_for(r, rf, kind, routines),
    })
}

/// The routine a reminder names, else its kind's default.
fn routine_for(
    r: &mut Report,
    rf: &ReminderFile,
    kind: Kind,
    routines: &[Routine],
) -> Option<String> {
    let Some(v) = &rf.routine else {
        return routine::default_for(kind).map(|d| d.id);
    };
    let id = v.get_ref();
    if routines.iter().any(|x| &x.id == id) {
        return Some(id.clone());
    }
    let known: Vec<&str> = routines.iter().map(|x| x.id.as_str()).collect();
    r.error(
        v.span(),
        format!(
            "unknown routine \"{id}\": name one of {}, or add [[routine]] id = \"{id}\"",
            known.join(", ")
        ),
    );
    None
}

/// The most a routine may take, and its parts.
const MAX_ROUTINE: SignedDuration = SignedDuration::from_mins(30);
const MAX_STEP_SECONDS: u32 = 600;
const MAX_REPEAT: u32 = 100;
const MAX_STEPS: usize = 100;

/// The built-in routines, then the user's: one with a built-in's id
/// replaces it.
fn routines(r: &mut Report, files: &[Spanned<RoutineFile>], src: &str) -> Vec<Routine> {
    let mut out = routine::builtin();
    let mut seen: Vec<(String, Bytes<usize>)> = Vec::new();
    for spanned in files {
        let f = spanned.get_ref();
        check_id(r, &f.id);
        let id = f.id.get_ref().clone();
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
            let (line, _) = line_col(src, first.start);
            r.error(
                f.id.span(),
                format!("duplicate routine id \"{id}\" (first used on line {line})"),
            );
            continue;
        }
        seen.push((id.clone(), f.id.span()));
        let title = f.title.get_ref().trim();
        if title.is_empty() {
            r.error(f.title.span(), "title is empty: name the routine");
        }
        check_text(r, "title", f.title.span(), title, MAX_TITLE, false);
        let counted = |r: &mut Report, key: &str, v: &Option<Spanned<Count>>, max: u32| match v {
            None => 1,
            Some(v) if v.get_ref().0 <= max => v.get_ref().0,
            Some(v) => {
                r.error(v.span(), format!("{key} must be from 1 to {max}"));
                1
            }
        };
        let rounds = counted(r, "rounds", &f.rounds, MAX_REPEAT);
        let list = f.steps.get_ref();
        if list.is_empty() {
            r.error(
                f.steps.span(),
                "steps is empty: add at least one, e.g. { text = \"Roll your shoulders\", seconds = 10 }",
            );
        } else if list.len() > MAX_STEPS {
            r.error(
                f.steps.span(),
                format!("{} steps: at most {MAX_STEPS}", list.len()),
            );
        }
        let steps: Vec<Step> = list
            .iter()
            .map(|s| {
                let s = s.get_ref();
                let text = s.text.get_ref().trim();
                if text.is_empty() {
                    r.error(s.text.span(), "a step's text is empty: say what to do");
                }
                check_text(r, "a step's text", s.text.span(), text, MAX_TIP, false);
                let seconds = s.seconds.get_ref().0;
                if seconds > MAX_STEP_SECONDS {
                    r.error(
                        s.seconds.span(),
                        format!("seconds must be from 1 to {MAX_STEP_SECONDS}"),
                    );
                }
                Step {
                    text: text.to_string(),
                    seconds: seconds.clamp(1, MAX_STEP_SECONDS),
                    repeat: counted(r, "repeat", &s.repeat, MAX_REPEAT),
                }
            })
            .collect();
        let routine = Routine {
            id: id.clone(),
            title: title.to_string(),
            kind: f.kind.as_ref().map(|k| k.get_ref().0),
            steps,
            rounds,
        };
        if routine.length() > MAX_ROUTINE {
            r.error(
                spanned.span(),
                format!(
                    "routine \"{id}\" takes {}: at most {}",
                    fmt_duration(routine.length()),
                    fmt_duration(MAX_ROUTINE)
                ),
            );
        }
        match out.iter_mut().find(|b| b.id == id) {
            Some(builtin) => *builtin = routine,
            None => out.push(routine),
        }
    }
    out
}
