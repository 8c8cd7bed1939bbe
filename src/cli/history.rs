//! `unhunch stats` and `unhunch history`: read the history database
//! directly, so they work whether or not the daemon runs.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

use super::table;
use crate::core::stats::{Summary, Tally, summarize};
use crate::core::{Kind, Outcome, Source};
use crate::store::{DB_FILE, HistoryQuery, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// How many days, up to today [default: 7; with --chart, 84: the
    /// whole weeks they fall in].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: Option<u32>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Draw breaks per day and each reminder's weeks (Unicode blocks).
    #[arg(long, conflicts_with = "format")]
    pub chart: bool,
    /// Only this device's answers ([sync]: this computer's name, or another's).
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// From this day on (YYYY-MM-DD, today, yesterday).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub since: Option<Date>,
    /// Up to and including this day.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub until: Option<Date>,
    /// Only this reminder.
    #[arg(long, value_name = "ID")]
    pub reminder: Option<String>,
    /// Only this device's events ([sync]: this computer's name, or another's).
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// At most this many events (the newest).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Today by unhunch's clock (which tests may shift, like the daemon's).
fn today() -> anyhow::Result<Date> {
    Ok(crate::clock::from_env()?.now().date())
}

fn parse_day(s: &str) -> Result<Date, String> {
    match s {
        "today" => today().map_err(|e| e.to_string()),
        "yesterday" => today()
            .map_err(|e| e.to_string())?
            .yesterday()
            .map_err(|e| e.to_string()),
        _ => s
            .parse::<Date>()
            .map_err(|_| format!("invalid date \"{s}\": expected YYYY-MM-DD, today or yesterday")),
    }
}

fn open(data_dir: &Path) -> anyhow::Result<Option<Store>> {
    let path = data_dir.join(DB_FILE);
    Store::open_reader(&path)
        .with_context(|| format!("cannot read the history at {}", path.display()))
}

fn pct(t: &Tally) -> String {
    t.adherence()
        .map_or("-".into(), |a| format!("{:.0}%", a * 100.0))
}

fn days_label(n: u32) -> String {
    match n {
        0 => "-".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

fn counts(t: &Tally) -> Vec<String> {
    [t.shown, t.done, t.snoozed, t.skipped, t.ignored, t.missed]
        .iter()
        .map(u32::to_string)
        .collect()
}

/// A tally as `stats --format json` writes it, with its adherence.
#[derive(Serialize)]
struct TallyJson<'a> {
    #[serde(flatten)]
    tally: &'a Tally,
    adherence: Option<f64>,
    routine_minutes: f64,
}

impl<'a> TallyJson<'a> {
    fn new(tally: &'a Tally) -> TallyJson<'a> {
        TallyJson {
            tally,
            adherence: tally.adherence().map(|a| (a * 1000.0).round() / 1000.0),
            routine_minutes: minutes(tally),
        }
    }
}

/// The minutes of guided routines finished, to a tenth.
fn minutes(t: &Tally) -> f64 {
    (t.routine_seconds as f64 / 6.0).round() / 10.0
}

/// "2 (5 min 30 s)", or "0".
fn routines(t: &Tally) -> String {
    if t.routines == 0 {
        "0".into()
    } else {
        format!(
            "{} ({})",
            t.routines,
            crate::core::time::humane_minutes(jiff::SignedDuration::from_secs(
                i64::try_from(t.routine_seconds).unwrap_or(i64::MAX)
            ))
        )
    }
}

#[derive(Serialize)]
struct StatsJson<'a> {
    from: String,
    to: String,
    reminders: Vec<ReminderJson<'a>>,
    days: Vec<DayJson<'a>>,
    total: TotalJson<'a>,
}

#[derive(Serialize)]
struct ReminderJson<'a> {
    id: &'a str,
    #[serde(flatten)]
    tally: TallyJson<'a>,
    streak: u32,
}

#[derive(Serialize)]
struct DayJson<'a> {
    day: &'a str,
    #[serde(flatten)]
    tally: TallyJson<'a>,
}

#[derive(Serialize)]
struct TotalJson<'a> {
    #[serde(flatten)]
    tally: TallyJson<'a>,
    streak: u32,
}

/// One event as `history --format json` writes it.
#[derive(Serialize)]
struct EventJson<'a> {
    at: String,
    reminder: &'a str,
    kind: Kind,
    outcome: Outcome,
    source: Source,
    due: Option<String>,
    snooze_seconds: Option<i64>,
    /// How far a guided routine got.
    #[serde(skip_serializing_if = "Option::is_none")]
    routine: Option<&'a crate::core::routine::Progress>,
    /// The device it happened on ([sync]); absent: this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<&'a str>,
    /// With `elsewhere`: the device that answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    answered_on: Option<&'a str>,
}

/// This computer's name in the sync folder, if `[sync]` is on.
fn this_device(config: &Path) -> Option<String> {
    crate::config::load::load(config)
        .ok()
        .and_then(|l| l.config.sync)
        .map(|s| s.device)
}

/// The device an event happened on (`None`: this one), and for
/// `elsewhere` the device that answered.
fn device_of(e: &crate::core::Event) -> (Option<&str>, Option<&str>) {
    match e.outcome {
        Outcome::Elsewhere => (None, e.device.as_deref()),
        _ => (e.device.as_deref(), None),
    }
}

pub fn stats(data_dir: &Path, config: &Path, args: StatsArgs) -> anyhow::Result<ExitCode> {
    let to = today()?;
    if args.chart {
        let days = args.days.unwrap_or(7 * crate::report::DEFAULT_WEEKS);
        let weeks = days.div_ceil(7).min(crate::report::chart::MAX_WEEKS);
        let r = crate::report::compute(data_dir, &crate::clock::from_env()?.now(), weeks)?;
        let colour = std::io::IsTerminal::is_terminal(&std::io::stdout())
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        write!(
            std::io::stdout().lock(),
            "{}",
            crate::report::chart::render(&r, colour)
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let days = args.days.unwrap_or(7);
    let from = to.checked_sub(jiff::Span::new().days(i64::from(days) - 1))?;
    let store = open(data_dir)?;
    let here = this_device(config);
    let device = args.device.as_deref().map(|d| {
        if Some(d) == here.as_deref() || d == "this" {
            None
        } else {
            Some(d)
        }
    });
    let rows = match &store {
        Some(s) => s.outcome_counts_of(from, to, device)?,
        None => Vec::new(),
    };
    let summary = summarize(&rows);
    // Streaks walk back one day at a time through the (day, reminder) index.
    let streak_of = |reminder: Option<&str>| -> anyhow::Result<u32> {
        Ok(match &store {
            Some(s) => s.streak(to, reminder)?,
            None => 0,
        })
    };
    let mut streaks = Vec::new();
    for id in summary.by_reminder.keys() {
        streaks.push((id.clone(), streak_of(Some(id))?));
    }
    let overall = streak_of(None)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let v = StatsJson {
                from: from.to_string(),
                to: to.to_string(),
                reminders: summary
                    .by_reminder
                    .iter()
                    .zip(&streaks)
                    .map(|((id, t), (_, streak))| ReminderJson {
                        id,
                        tally: TallyJson::new(t),
                        streak: *streak,
                    })
                    .collect(),
                days: summary
                    .by_day
                    .iter()
                    .map(|(day, t)| DayJson {
                        day,
                        tally: TallyJson::new(t),
                    })
                    .collect(),
                total: TotalJson {
                    tally: TallyJson::new(&summary.total),
                    streak: overall,
                },
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Csv => write_stats_csv(&mut out, &summary)?,
        Format::Table => {
            writeln!(
                out,
                "Last {} day{}, {} to {}{}\n",
                days,
                if days == 1 { "" } else { "s" },
                from.strftime("%a %-d %b"),
                to.strftime("%a %-d %b %Y"),
                if store.is_none() {
                    " — no history yet"
                } else {
                    ""
                }
            )?;
            let head = [
                "SHOWN", "DONE", "SNOOZED", "SKIPPED", "IGNORED", "MISSED", "DONE %",
            ];
            // Breaks taken on one's own: a column once there are any.
            let own = summary.total.took > 0;
            let mut rows = vec![
                std::iter::once("REMINDER")
                    .chain(head)
                    .chain(own.then_some("OWN"))
                    .chain(["STREAK"])
                    .map(String::from)
                    .collect::<Vec<_>>(),
            ];
            let row = |name: String, t: &Tally, streak: u32| {
                let mut r = vec![name];
                r.extend(counts(t));
                r.push(pct(t));
                r.extend(own.then(|| t.took.to_string()));
                r.push(days_label(streak));
                r
            };
            for ((id, t), (_, st)) in summary.by_reminder.iter().zip(&streaks) {
                rows.push(row(id.clone(), t, *st));
            }
            rows.push(row("all".into(), &summary.total, overall));
            write!(
                out,
                "{}",
                table::render_aligned(&rows, 0, &[1, 2, 3, 4, 5, 6, 7, 8, 9])
            )?;

            // Routines per day only: the reminders' table has no room.
            let mut rows = vec![
                std::iter::once("DAY")
                    .chain(head)
                    .chain(["ROUTINES"])
                    .map(String::from)
                    .collect::<Vec<_>>(),
            ];
            let mut day = from;
            while day <= to {
                let t = summary
                    .by_day
                    .get(&day.to_string())
                    .cloned()
                    .unwrap_or_default();
                let mut r = vec![day.strftime("%a %-d %b").to_string()];
                r.extend(counts(&t));
                r.push(pct(&t));
                r.push(routines(&t));
                rows.push(r);
                day = day.tomorrow()?;
            }
            write!(
                out,
                "\n{}",
                table::render_aligned(&rows, 0, &[1, 2, 3, 4, 5, 6, 7, 8])
            )?;
            writeln!(
                out,
                "\nA showing counts once however often it was snoozed; DONE % is done / shown;\n{}ROUTINES are the guided routines finished, with their minutes.",
                if own {
                    "OWN are breaks taken on your own (`unhunch took`), apart from DONE %;\n"
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One row per day and reminder.
fn write_stats_csv(out: &mut impl Write, s: &Summary) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "day",
        "reminder",
        "shown",
        "done",
        "snoozed",
        "skipped",
        "dismissed",
        "expired",
        "ignored",
        "missed",
        "away",
        "adherence",
        "routines",
        "routine_minutes",
        "took",
    ])?;
    for ((day, reminder), t) in &s.by_day_reminder {
        let n = [
            t.shown,
            t.done,
            t.snoozed,
            t.skipped,
            t.dismissed,
            t.expired,
            t.ignored,
            t.missed,
            t.away,
        ];
        let mut rec = vec![day.clone(), reminder.clone()];
        rec.extend(n.iter().map(u32::to_string));
        rec.push(t.adherence().map_or(String::new(), |a| format!("{a:.3}")));
        rec.push(t.routines.to_string());
        rec.push(minutes(t).to_string());
        rec.push(t.took.to_string());
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The event's time in the offset it happened in.
fn local(at: Timestamp, offset: i32) -> ZonedDateTime {
    let off = Offset::from_seconds(offset).unwrap_or(Offset::UTC);
    at.to_zoned_datetime(TimeZone::fixed(off))
}

pub fn history(data_dir: &Path, config: &Path, args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let here = this_device(config);
    let q = HistoryQuery {
        since: args.since,
        until: args.until,
        reminder: args.reminder,
        limit: args.limit,
        device: args.device.as_ref().map(|d| {
            if Some(d) == here.as_ref() || d == "this" {
                None
            } else {
                Some(d.clone())
            }
        }),
    };
    let here = here.as_deref().unwrap_or("this");
    let rows = match open(data_dir)? {
        Some(s) => s.history(&q)?,
        None => Vec::new(),
    };
    let rfc = |at: Timestamp, off: i32| crate::core::time::rfc3339(&local(at, off));
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let v: Vec<EventJson> = rows
                .iter()
                .map(|(e, off)| EventJson {
                    at: rfc(e.at, *off),
                    reminder: &e.reminder,
                    kind: e.kind,
                    outcome: e.outcome,
                    source: e.source,
                    due: e.due.map(|d| rfc(d, *off)),
                    snooze_seconds: e.snooze.map(|s| s.as_secs()),
                    routine: e.progress.as_ref(),
                    device: device_of(e).0,
                    answered_on: device_of(e).1,
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "at",
                "reminder",
                "kind",
                "outcome",
                "source",
                "due",
                "snooze_seconds",
                "routine",
                "steps_done",
                "steps_total",
                "routine_seconds",
                "device",
                "answered_on",
            ])?;
            for (e, off) in &rows {
                let p = e.progress.as_ref();
                w.write_record([
                    rfc(e.at, *off),
                    e.reminder.clone(),
                    e.kind.as_str().into(),
                    e.outcome.as_str().into(),
                    e.source.as_str().into(),
                    e.due.map(|d| rfc(d, *off)).unwrap_or_default(),
                    e.snooze
                        .map(|s| s.as_secs().to_string())
                        .unwrap_or_default(),
                    p.map(|p| p.routine.clone()).unwrap_or_default(),
                    p.map(|p| p.done.to_string()).unwrap_or_default(),
                    p.map(|p| p.of.to_string()).unwrap_or_default(),
                    p.map(|p| p.seconds.to_string()).unwrap_or_default(),
                    device_of(e).0.unwrap_or(here).to_string(),
                    device_of(e).1.unwrap_or_default().to_string(),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            if rows.is_empty() {
                writeln!(
                    out,
                    "No events{}.",
                    if q.since.is_some()
                        || q.until.is_some()
                        || q.reminder.is_some()
                        || q.device.is_some()
                    {
                        " match"
                    } else {
                        " yet"
                    }
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            // The DEVICE column once other devices' events are there.
            let devices = rows.iter().any(|(e, _)| e.device.is_some());
            let mut head = vec!["WHEN".to_string()];
            if devices {
                head.push("DEVICE".into());
            }
            head.extend(["REMINDER", "OUTCOME", "SOURCE", "NOTE"].map(String::from));
            let mut t = vec![head];
            for (e, off) in &rows {
                let note = match (e.snooze, e.due) {
                    _ if e.outcome == Outcome::Elsewhere => {
                        format!("answered on {}", e.device.as_deref().unwrap_or("?"))
                    }
                    _ if e.progress.is_some() => e.progress.as_ref().map_or(String::new(), |p| {
                        format!("{}, {} of {} steps", p.routine, p.done, p.of)
                    }),
                    (Some(s), _) => format!("for {}", crate::core::time::humane(s)),
                    (None, Some(d)) if e.outcome == crate::core::Outcome::Missed => {
                        format!("due {}", local(d, *off).strftime("%H:%M"))
                    }
                    _ => String::new(),
                };
                let mut row = vec![local(e.at, *off).strftime("%a %-d %b %H:%M").to_string()];
                if devices {
                    row.push(device_of(e).0.unwrap_or(here).to_string());
                }
                row.extend([
                    e.reminder.clone(),
                    e.outcome.as_str().into(),
                    e.source.as_str().into(),
                    note,
                ]);
                t.push(row);
            }
            write!(out, "{}", table::render(&t, 0))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
