//! From the file as written to the validated model: defaults filled in,
//! semantic checks made. Problems carry the byte span of what they are about.

use std::ops::Range as Bytes;

use jiff::SignedDuration;
use toml::Spanned;

use super::builtin::Builtin;
use super::file::{CalendarFile, ConfigFile, Day, Dur, During, ReminderFile, SyncFile};
use super::report::{MAX_BODY, MAX_TIP, MAX_TITLE, Report, check_id, check_text};
pub use super::report::{Problem, line_col};
use super::routines::routines;
use crate::core::routine::Routine;
use crate::core::time::{Days, TimeRange, Window, fmt_clock, humane};
use crate::core::{Calendars, Config, General, Kind, Reminder, Schedule, Sleep};

const DAY: SignedDuration = SignedDuration::from_hours(24);

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
        calls_ignore: g.calls_ignore.clone().unwrap_or_default(),
        catch_up_after: duration(
            &mut r,
            "catch_up_after",
            &g.catch_up_after,
            SignedDuration::from_mins(45),
            false,
        ),
        idle_inhibitors: g.idle_inhibitors.unwrap_or_default(),
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

    let sync = sync(&mut r, &file.sync);
    let routines = routines(
        &mut r,
        Builtin::get().routines().to_vec(),
        &file.routines,
        src,
    );
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
    let calendars = calendars(&mut r, &file.calendar);
    if r.errors.is_empty() {
        Ok((
            Config {
                general,
                sleep,
                reminders,
                routines,
                calendars,
                sync,
            },
            r.warnings,
        ))
    } else {
        Err(r.errors)
    }
}

/// `[calendar]`: paths as written (read, `~/` and all, by the calendar
/// reader), addresses in lower case without `mailto:`.
fn calendars(r: &mut Report, c: &CalendarFile) -> Calendars {
    let mut strings = |key: &str, v: &Option<Vec<Spanned<String>>>| -> Vec<String> {
        let mut out = Vec::new();
        for s in v.iter().flatten() {
            let t = s.get_ref().trim();
            if t.is_empty() {
                r.error(s.span(), format!("an entry of {key} is empty"));
            } else {
                out.push(t.to_string());
            }
        }
        out
    };
    let files = strings("files", &c.files);
    let dirs = strings("dirs", &c.dirs);
    let addresses = strings("addresses", &c.addresses)
        .into_iter()
        .map(|a| {
            let a = a.to_lowercase();
            a.strip_prefix("mailto:").map(str::to_string).unwrap_or(a)
        })
        .collect();
    Calendars {
        files,
        dirs,
        addresses,
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
    let defaults = Builtin::get().words(kind);
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
        None => defaults.map(|c| c.tips.clone()).unwrap_or_default(),
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
                        humane(tr.length())
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
    let (dtitle, dbody) = match defaults {
        Some(c) => (c.title.clone(), c.body.clone()),
        None => (String::new(), String::new()),
    };
    let body = body.unwrap_or_else(|| {
        if kind == Kind::WindDown {
            format!(
                "Bedtime at {} gives {} of sleep before {}. {}",
                fmt_clock(sleep.bedtime()),
                humane(sleep.goal),
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
        return Builtin::get().default_routine(kind).map(|d| d.id.clone());
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

/// `[sync]`: a folder (absolute, or `~/…`) and this device's name (by
/// default the host name). Off without a folder.
fn sync(r: &mut Report, f: &SyncFile) -> Option<Box<crate::core::model::Sync>> {
    use crate::core::model::Sync;
    let device = match &f.device {
        Some(d) => {
            let name = d.get_ref().trim();
            if !Sync::valid_device(name) {
                r.error(
                    d.span(),
                    format!(
                        "device = {name:?}: a device's name is 1 to 64 characters from A-Z, a-z, 0-9, '.', '_', '-', not starting with '.'"
                    ),
                );
            }
            name.to_string()
        }
        None => Sync::device_from_host(
            &crate::platform::host_name().unwrap_or_else(|| "this-computer".into()),
        ),
    };
    let Some(folder) = &f.folder else {
        if let Some(d) = &f.device {
            r.warn(d.span(), "device is set but folder is not: sync is off");
        }
        return None;
    };
    let written = folder.get_ref().trim();
    let path = match written
        .strip_prefix("~/")
        .or(if written == "~" { Some("") } else { None })
    {
        Some(rest) => match directories::BaseDirs::new() {
            Some(b) => b.home_dir().join(rest),
            None => {
                r.error(
                    folder.span(),
                    "folder starts with ~, but there is no home directory",
                );
                return None;
            }
        },
        None => std::path::PathBuf::from(written),
    };
    if written.is_empty() || !path.is_absolute() {
        r.error(
            folder.span(),
            format!(
                "folder = {written:?} is not a full path: write it from / (or ~/ for your home)"
            ),
        );
        return None;
    }
    Some(Box::new(Sync {
        folder: path,
        device,
    }))
}
