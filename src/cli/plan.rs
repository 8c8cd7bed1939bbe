//! `unhunch plan`: the occurrences the schedule will produce.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

use super::table;
use crate::config;
use crate::core::plan::{Planned, mark_meetings, plan};
use crate::core::time::parse_clock;

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Start here instead of now: 2026-11-25, "2026-11-25 09:00", 14:00,
    /// 2026-11-25T09:00:00+01:00 or 2026-11-25T09:00[Europe/Berlin].
    #[arg(long, value_name = "DATETIME", value_parser = parse_from_arg)]
    pub from: Option<ZonedDateTime>,
    /// How many days to show.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=366))]
    pub days: u16,
    /// One JSON array of {id, kind, title, at, cause}; `at` is RFC 3339.
    #[arg(long)]
    pub json: bool,
}

fn parse_from_arg(s: &str) -> Result<ZonedDateTime, String> {
    parse_from(s, &crate::clock::local_zone(), Timestamp::now())
}

/// Reads a `--from` value in the local zone `tz`; a bare `HH:MM` is today.
pub fn parse_from(s: &str, tz: &TimeZone, now: Timestamp) -> Result<ZonedDateTime, String> {
    let s = s.trim();
    if let Ok(z) = s.parse::<ZonedDateTime>() {
        return Ok(z);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t.to_zoned_datetime(tz.clone()));
    }
    let civil = if let Ok(dt) = s.parse::<DateTime>() {
        dt
    } else if let Ok(d) = s.parse::<Date>() {
        d.to_datetime(jiff::civil::Time::midnight())
    } else if let Some(t) = parse_clock(s) {
        tz.to_datetime(now).date().to_datetime(t)
    } else {
        return Err(format!(
            "invalid date and time \"{s}\": expected e.g. 2026-11-25, \"2026-11-25 09:00\", 14:00 or 2026-11-25T09:00:00+01:00"
        ));
    };
    local(civil, tz).ok_or_else(|| format!("\"{s}\": not a time unhunch can plan from"))
}

/// A local date and time in `tz` by the rule every local time in unhunch
/// follows: in a spring-forward gap, the first valid instant (the transition);
/// in a fold, the earlier.
fn local(civil: DateTime, tz: &TimeZone) -> Option<ZonedDateTime> {
    crate::core::time::resolve_local(civil.date(), civil.time(), tz)
        .map(|t| t.to_zoned_datetime(tz.clone()))
}

pub fn run(config_path: &Path, given: bool, args: PlanArgs) -> anyhow::Result<ExitCode> {
    let loaded = config::load_or_default(config_path, given)?;
    let from = match args.from {
        Some(z) => z,
        None => Timestamp::now().to_zoned_datetime(crate::clock::local_zone()),
    };
    let until = from
        .datetime()
        .checked_add(jiff::Span::new().days(i64::from(args.days)))
        .ok()
        .and_then(|end| local(end, from.time_zone()))
        .context("--days reaches past the calendar")?;
    if until <= from {
        bail!("--days must be at least 1");
    }
    let mut items = plan(&loaded.config, &from, until.timestamp());
    let calendars = crate::calendar::read(&loaded.config.calendars);
    for p in &calendars.problems {
        eprintln!("calendar not read: {p}");
    }
    let meetings = crate::core::calendar::expand(
        &calendars.events,
        from.timestamp(),
        until.timestamp(),
        from.time_zone(),
    );
    mark_meetings(&mut items, &meetings);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    let source = match &loaded.path {
        Some(p) => p.display().to_string(),
        None => "the embedded default (no config file yet)".to_string(),
    };
    let zone = from
        .time_zone()
        .iana_name()
        .map(str::to_string)
        .unwrap_or_else(|| from.strftime("%:z").to_string());
    println!(
        "Plan from {} for {} day{} ({zone}), {} reminder{}, from {source}:",
        from.strftime("%a %Y-%m-%d %H:%M"),
        args.days,
        if args.days == 1 { "" } else { "s" },
        items.len(),
        if items.len() == 1 { "" } else { "s" },
    );
    print!("{}", render(&items));
    if items.is_empty() {
        println!("  (nothing: check `enabled`, `days` and `during`)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Groups the occurrences by day under a date heading.
pub fn render(items: &[Planned]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < items.len() {
        let day = items[i].at.date();
        let rows: Vec<Vec<String>> = items[i..]
            .iter()
            .take_while(|p| p.at.date() == day)
            .map(|p| {
                let mut row = vec![
                    p.at.strftime("%H:%M").to_string(),
                    p.id.clone(),
                    p.title.clone(),
                ];
                if let Some(m) = &p.meeting {
                    row.push(format!(
                        "in a meeting until {}{}: it waits",
                        m.until.strftime("%H:%M"),
                        m.title
                            .as_ref()
                            .map(|t| format!(" ({t})"))
                            .unwrap_or_default(),
                    ));
                }
                row
            })
            .collect();
        out.push_str(&format!("\n{}\n", day.strftime("%a %-d %b %Y")));
        out.push_str(&table::render(&rows, 2));
        i += rows.len();
    }
    out
}
