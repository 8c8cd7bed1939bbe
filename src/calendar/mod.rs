//! The calendars of `[calendar]`: iCalendar files and vdir folders (one or
//! more `.ics` files in a folder, as khal and vdirsyncer keep them) read
//! into `core::calendar::Event`s. The `ical` crate splits the file into
//! components and properties; the values are read in `core::calendar`.
//!
//! A `TZID` is looked up as an IANA zone name (`Europe/Berlin`), also at
//! the end of a longer one (`/mozilla.org/20050126_1/Europe/Berlin`) or
//! as its `VTIMEZONE`'s `X-LIC-LOCATION`; the `VTIMEZONE`'s own rules are
//! not read, so a zone named otherwise (`W. Europe Standard Time`) is an
//! error for the events that use it. A broken file is a problem naming it
//! (and its line where the parser says one); the others are read.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use ical::property::Property;
use jiff::tz::TimeZone;

use crate::core::Calendars;
use crate::core::calendar::{Event, Length, Rule, When, parse_duration, parse_when};

/// Larger files are refused (a calendar of many years is a few MiB).
const MAX_FILE: u64 = 64 << 20;

/// One calendar file read.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub path: PathBuf,
    /// Its events (each `VEVENT`, recurring ones once).
    pub events: usize,
}

/// What the calendars hold, and what could not be read.
#[derive(Clone, Debug, Default)]
pub struct Read {
    pub events: Vec<Event>,
    pub sources: Vec<Source>,
    /// "file:line: what" (the line where known), one per file or event.
    pub problems: Vec<String>,
}

/// `~/x` is the home folder's `x`.
pub fn expand_home(p: &str) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Some(b) = directories::BaseDirs::new()
    {
        return b.home_dir().join(rest);
    }
    PathBuf::from(p)
}

/// The files and folders to watch: `[calendar]`'s, `~/` read.
pub fn paths(c: &Calendars) -> (Vec<PathBuf>, Vec<PathBuf>) {
    (
        c.files.iter().map(|f| expand_home(f)).collect(),
        c.dirs.iter().map(|d| expand_home(d)).collect(),
    )
}

/// Reads every calendar of `c`.
pub fn read(c: &Calendars) -> Read {
    let mut out = Read::default();
    let (files, dirs) = paths(c);
    let mut all = files;
    for dir in dirs {
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().is_some_and(|x| x.eq_ignore_ascii_case("ics")) && p.is_file()
                    })
                    .collect();
                found.sort();
                all.extend(found);
            }
            Err(e) => out
                .problems
                .push(format!("{}: cannot read the folder: {e}", dir.display())),
        }
    }
    for path in all {
        match read_file(&path, &c.addresses) {
            Ok((events, problems)) => {
                out.sources.push(Source {
                    path: path.clone(),
                    events: events.len(),
                });
                out.events.extend(events);
                out.problems.extend(problems);
            }
            Err(e) => out.problems.push(e),
        }
    }
    out
}

/// One file: its events, and the problems of single events (an unknown
/// zone, an `RRULE` part not done), which leave the rest of it read. `Err`:
/// the file could not be read or parsed at all.
pub fn read_file(path: &Path, addresses: &[String]) -> Result<(Vec<Event>, Vec<String>), String> {
    let at = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{at}: cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{at}: not a regular file"));
    }
    if meta.len() > MAX_FILE {
        return Err(format!("{at}: larger than {} MiB", MAX_FILE >> 20));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{at}: cannot read: {e}"))?;
    parse(&text, addresses)
        .map_err(|e| format!("{at}:{e}"))
        .map(|(events, problems)| {
            let problems = problems.into_iter().map(|p| format!("{at}:{p}")).collect();
            (events, problems)
        })
}

/// Reads the text of an iCalendar file. Problems are "line: what" (or
/// " what" where no line is known), for the caller to put the name before.
pub fn parse(text: &str, addresses: &[String]) -> Result<(Vec<Event>, Vec<String>), String> {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let mut any = false;
    for cal in ical::IcalParser::new(BufReader::new(text.as_bytes())) {
        let cal = cal.map_err(|e| {
            let e = e.to_string();
            // The property errors say "Line N: …": put the line first.
            match e.split_once("Line ").and_then(|(_, r)| r.split_once(": ")) {
                Some((n, what)) if n.parse::<usize>().is_ok() => format!("{n}: {what}"),
                _ => format!(" not an iCalendar file ({e})"),
            }
        })?;
        any = true;
        let mut zones = Zones::new(&cal);
        for ev in &cal.events {
            match event(ev, &mut zones, addresses) {
                Ok(Some(e)) => events.push(e),
                Ok(None) => {}
                Err(what) => {
                    let uid = prop(ev, "UID").unwrap_or("");
                    let line = line_of(text, uid)
                        .map(|n| format!("{n}:"))
                        .unwrap_or_default();
                    problems.push(format!("{line} event {uid:?}: {what}"));
                }
            }
        }
    }
    if !any {
        return Err(" not an iCalendar file (no BEGIN:VCALENDAR)".into());
    }
    Ok((events, problems))
}

/// The line of the event's `UID` (1-based).
fn line_of(text: &str, uid: &str) -> Option<usize> {
    if uid.is_empty() {
        return None;
    }
    text.lines()
        .position(|l| {
            l.len() > 4 && l[..4].eq_ignore_ascii_case("UID:") && l[4..].trim_end() == uid
        })
        .map(|i| i + 1)
}

fn props<'a>(ev: &'a IcalEvent, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
    ev.properties
        .iter()
        .filter(move |p| p.name.eq_ignore_ascii_case(name))
}

fn prop<'a>(ev: &'a IcalEvent, name: &'a str) -> Option<&'a str> {
    props(ev, name).next().and_then(|p| p.value.as_deref())
}

fn param<'a>(p: &'a Property, name: &str) -> Option<&'a str> {
    p.params
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.first())
        .map(|s| s.trim_matches('"'))
}

/// `TZID`s to zones, each looked up once per file.
struct Zones {
    /// TZID -> X-LIC-LOCATION of the file's VTIMEZONE.
    locations: HashMap<String, String>,
    found: HashMap<String, Result<TimeZone, String>>,
}

impl Zones {
    fn new(cal: &IcalCalendar) -> Zones {
        let mut locations = HashMap::new();
        for tz in &cal.timezones {
            let get = |n: &str| {
                tz.properties
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(n))
                    .and_then(|p| p.value.clone())
            };
            if let (Some(id), Some(loc)) = (get("TZID"), get("X-LIC-LOCATION")) {
                locations.insert(id, loc);
            }
        }
        Zones {
            locations,
            found: HashMap::new(),
        }
    }

    fn get(&mut self, id: &str) -> Result<TimeZone, String> {
        if let Some(z) = self.found.get(id) {
            return z.clone();
        }
        let mut names = vec![id.to_string()];
        // "/mozilla.org/20050126_1/Europe/Berlin": each tail after a '/'.
        names.extend(id.match_indices('/').map(|(i, _)| id[i + 1..].to_string()));
        names.extend(self.locations.get(id).cloned());
        let z = names
            .iter()
            .filter(|n| !n.is_empty())
            .find_map(|n| crate::clock::zone_by_name(n))
            .ok_or_else(|| {
                format!(
                    "TZID {id:?} is not an IANA time zone name (the file's VTIMEZONE rules are not read)"
                )
            });
        self.found.insert(id.to_string(), z.clone());
        z
    }
}

/// A date or date-time property's values (EXDATE and RDATE may list
/// several), in its TZID's zone.
fn whens(p: &Property, zones: &mut Zones) -> Result<Vec<When>, String> {
    let value = p.value.as_deref().unwrap_or("");
    let date = param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    if param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD")) || value.contains('/') {
        return Err(format!("{} periods are not supported", p.name));
    }
    let zone = match param(p, "TZID") {
        Some(id) => Some(zones.get(id)?),
        None => None,
    };
    value
        .split(',')
        .map(|v| {
            let w = parse_when(v, date).map_err(|e| format!("{}: {e}", p.name))?;
            Ok(match (w, &zone) {
                (When::Time { at, tz: None }, Some(z)) => When::Time {
                    at,
                    tz: Some(z.clone()),
                },
                (w, _) => w,
            })
        })
        .collect()
}

fn one_when(ev: &IcalEvent, name: &str, zones: &mut Zones) -> Result<Option<When>, String> {
    let Some(p) = props(ev, name).next() else {
        return Ok(None);
    };
    let mut v = whens(p, zones)?;
    if v.len() != 1 {
        return Err(format!("{name} has {} values, not one", v.len()));
    }
    Ok(v.pop())
}

/// A text value unescaped (RFC 5545 3.3.11), on one line.
fn text(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(c) => out.push(c),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// One `VEVENT` read; `None` for one without a start (nothing to hold).
fn event(ev: &IcalEvent, zones: &mut Zones, addresses: &[String]) -> Result<Option<Event>, String> {
    let Some(start) = one_when(ev, "DTSTART", zones)? else {
        return Ok(None);
    };
    let length = if let Some(end) = one_when(ev, "DTEND", zones)? {
        Length::End(end)
    } else if let Some(d) = prop(ev, "DURATION") {
        Length::Duration(parse_duration(d).map_err(|e| format!("DURATION: {e}"))?)
    } else {
        Length::None
    };
    let upper = |name: &str| prop(ev, name).map(|v| v.trim().to_ascii_uppercase());
    let declined = props(ev, "ATTENDEE").any(|p| {
        let declined = param(p, "PARTSTAT").is_some_and(|s| s.eq_ignore_ascii_case("DECLINED"));
        let address = |v: &str| {
            let v = v.trim().to_lowercase();
            v.strip_prefix("mailto:").map(str::to_string).unwrap_or(v)
        };
        declined
            && (p
                .value
                .as_deref()
                .is_some_and(|v| addresses.contains(&address(v)))
                || param(p, "EMAIL").is_some_and(|v| addresses.contains(&address(v))))
    });
    let rule = match props(ev, "RRULE").count() {
        0 => None,
        1 => Some(Rule::parse(prop(ev, "RRULE").unwrap_or("")).map_err(|e| e.to_string())?),
        _ => return Err("more than one RRULE is not supported".into()),
    };
    let mut exdates = Vec::new();
    for p in props(ev, "EXDATE") {
        exdates.extend(whens(p, zones)?);
    }
    let mut rdates = Vec::new();
    for p in props(ev, "RDATE") {
        rdates.extend(whens(p, zones)?);
    }
    let recurrence_id = one_when(ev, "RECURRENCE-ID", zones)?;
    Ok(Some(Event {
        uid: prop(ev, "UID").unwrap_or("").to_string(),
        summary: prop(ev, "SUMMARY").map(text).filter(|s| !s.is_empty()),
        start,
        length,
        busy: upper("TRANSP").as_deref() != Some("TRANSPARENT"),
        cancelled: upper("STATUS").as_deref() == Some("CANCELLED"),
        declined,
        rule,
        exdates,
        rdates,
        recurrence_id,
    }))
}
