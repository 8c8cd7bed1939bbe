//! `unhunch doctor`: one line per check, ✓ / ✗ / !, with what to do.
//! Exit 1 when something essential (notifications, config, history) fails.

use std::path::Path;
use std::process::ExitCode;

// The desktop's half of the checks.
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as desktop;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as desktop;

use crate::config;
use crate::ipc::ClientError;
use crate::paths::Paths;
use crate::store::{DB_FILE, SCHEMA_VERSION, Store, StoreError};
use crate::vocab::reply::Status;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Ok,
    /// Worth fixing, but unhunch works without it.
    Warn,
    /// unhunch cannot do its job.
    Fail,
}

pub(crate) struct Check {
    pub mark: Mark,
    pub what: String,
    pub advice: Option<String>,
}

pub(crate) fn ok(what: impl Into<String>) -> Check {
    Check {
        mark: Mark::Ok,
        what: what.into(),
        advice: None,
    }
}

pub(crate) fn warn(what: impl Into<String>, advice: impl Into<String>) -> Check {
    Check {
        mark: Mark::Warn,
        what: what.into(),
        advice: Some(advice.into()),
    }
}

pub(crate) fn fail(what: impl Into<String>, advice: impl Into<String>) -> Check {
    Check {
        mark: Mark::Fail,
        what: what.into(),
        advice: Some(advice.into()),
    }
}

pub fn run(p: &Paths) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // What the config says of calls (its own check follows).
    let calls_ignore = config::load_or_default(&p.config, p.config_given)
        .map(|l| l.config.general.calls_ignore)
        .unwrap_or_default();
    let mut checks = rt.block_on(desktop::desktop(&calls_ignore));
    checks.push(config_check(&p.config, p.config_given));
    checks.extend(calendars(&p.config, p.config_given));
    checks.push(database(&p.data_dir));
    checks.push(daemon(&p.runtime_dir));
    checks.push(sync_check(&p.config, &p.data_dir));
    checks.push(desktop::autostart());
    let mut failed = false;
    for c in &checks {
        let mark = match c.mark {
            Mark::Ok => "✓",
            Mark::Warn => "!",
            Mark::Fail => "✗",
        };
        failed |= c.mark == Mark::Fail;
        println!("{mark} {}", c.what);
        if let Some(a) = &c.advice {
            for line in a.lines() {
                println!("    {line}");
            }
        }
    }
    if failed {
        println!("\nSomething unhunch needs is missing (✗): see above.");
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn config_check(path: &Path, given: bool) -> Check {
    match config::load_or_default(path, given) {
        Ok(l) => {
            let n = l.config.reminders.len();
            let enabled = l.config.enabled().count();
            let src = match &l.path {
                Some(p) => p.display().to_string(),
                None => format!("embedded default (no file at {})", path.display()),
            };
            let what = format!("config: {src}, {n} reminders, {enabled} enabled");
            if l.warnings.is_empty() {
                ok(what)
            } else {
                let w: Vec<String> = l.warnings.iter().map(|d| d.to_string()).collect();
                warn(what, w.join("\n"))
            }
        }
        Err(e) => fail(
            format!("config: {} is not valid", path.display()),
            format!("{e}\nFix it with `unhunch config edit`."),
        ),
    }
}

/// How far ahead doctor looks for the next busy event.
const NEXT_BUSY: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// `[calendar]`: each file read (and its events), what could not be read,
/// and the next busy event.
fn calendars(path: &Path, given: bool) -> Vec<Check> {
    let Ok(l) = config::load_or_default(path, given) else {
        return Vec::new();
    };
    let c = &l.config.calendars;
    if c.is_empty() {
        return Vec::new();
    }
    let read = crate::calendar::read(c);
    let mut out: Vec<Check> = read
        .sources
        .iter()
        .map(|s| {
            ok(format!(
                "calendar: {}, {} event{}",
                s.path.display(),
                s.events,
                if s.events == 1 { "" } else { "s" }
            ))
        })
        .collect();
    for p in &read.problems {
        out.push(warn(
            format!("calendar: {p}"),
            "Fix the file or take it out of [calendar]; the other calendars are read.",
        ));
    }
    let now = match crate::clock::from_env() {
        Ok(c) => c.now(),
        Err(_) => jiff::Timestamp::now().to_zoned_datetime(crate::clock::local_zone()),
    };
    let t = now.timestamp();
    let until = t.checked_add(NEXT_BUSY).unwrap_or(jiff::Timestamp::MAX);
    let meetings = crate::core::calendar::expand(&read.events, t, until, now.time_zone());
    out.push(ok(match meetings.first() {
        Some(m) => {
            let z = |x: jiff::Timestamp| x.to_zoned_datetime(now.time_zone().clone());
            format!(
                "next busy event: {}, {} until {}",
                m.title.as_deref().unwrap_or("(no title)"),
                crate::core::time::when(&z(m.start), now.date()),
                z(m.end).strftime("%H:%M")
            )
        }
        None => "next busy event: none in the next 7 days".to_string(),
    }));
    out
}

fn database(data_dir: &Path) -> Check {
    let path = data_dir.join(DB_FILE);
    match Store::open_reader(&path) {
        Ok(None) => ok(format!(
            "history: {} not created yet (the daemon makes it)",
            path.display()
        )),
        Ok(Some(s)) => {
            let read = || -> rusqlite::Result<(i64, String)> {
                let c = s.connection();
                Ok((
                    c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?,
                    c.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?,
                ))
            };
            let version = s
                .schema_version()
                .map_or_else(|e| e.to_string(), |v| v.to_string());
            match read() {
                Ok((events, integrity)) if integrity == "ok" => ok(format!(
                    "history: {}, {events} events, schema version {version} of {SCHEMA_VERSION}",
                    path.display()
                )),
                Ok((_, problem)) => fail(
                    format!("history: {} is damaged ({problem})", path.display()),
                    "Restart the daemon: it moves a damaged file aside and starts a new one.",
                ),
                Err(e) => fail(
                    format!("history: {} cannot be read ({e})", path.display()),
                    "Restart the daemon: it moves a damaged file aside and starts a new one.",
                ),
            }
        }
        Err(e @ StoreError::Damaged { .. }) => fail(
            format!("history: {e}"),
            "Restart the daemon: it moves a damaged file aside and starts a new one.",
        ),
        Err(e) => fail(
            format!("history: {e}"),
            "Check the file's permissions, or move it away to start a new history.",
        ),
    }
}

fn daemon(runtime_dir: &Path) -> Check {
    match crate::ipc::request::<Status>(runtime_dir, &crate::vocab::What::Status) {
        Ok(v) => ok(format!(
            "daemon: running (pid {}), {}",
            v.pid,
            crate::ipc::address(runtime_dir)
        )),
        Err(ClientError::NotRunning(_)) => warn(
            format!(
                "daemon: not running (no {})",
                crate::ipc::address(runtime_dir)
            ),
            "Start it with `unhunch`.",
        ),
        Err(e) => fail(format!("daemon: {e}"), "Stop it and start it again."),
    }
}

/// `[sync]`: off, or the folder, whether it can be read and written, and
/// the other devices the history has events of.
fn sync_check(config: &Path, data_dir: &Path) -> Check {
    let Some(s) = config::load::load(config).ok().and_then(|l| l.config.sync) else {
        return ok("sync: off (no [sync] folder in the config)");
    };
    let folder = s.folder.display();
    let seen = Store::open_reader(&data_dir.join(DB_FILE))
        .ok()
        .flatten()
        .and_then(|st| st.devices().ok())
        .unwrap_or_default();
    let seen = if seen.is_empty() {
        "no other device seen yet".to_string()
    } else {
        let tz = jiff::tz::TimeZone::system();
        let list: Vec<String> = seen
            .iter()
            .map(|(d, at)| {
                format!(
                    "{d} (latest event {})",
                    at.to_zoned_datetime(tz.clone()).strftime("%a %-d %b %H:%M")
                )
            })
            .collect();
        format!("seen: {}", list.join(", "))
    };
    match std::fs::metadata(&s.folder) {
        Ok(m) if m.is_dir() => {
            let own = s.folder.join(format!("unhunch-{}.jsonl", s.device));
            let writable = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&own)
                .is_ok();
            if writable {
                ok(format!(
                    "sync: on, as \"{}\", folder {folder}; {seen}",
                    s.device
                ))
            } else {
                warn(
                    format!("sync: {} cannot be written", own.display()),
                    "this computer's answers stay in its own history until it can be: check the folder's permissions",
                )
            }
        }
        Ok(_) => warn(
            format!("sync: {folder} is not a folder"),
            "set [sync] folder to the folder your sync tool carries",
        ),
        Err(e) => warn(
            format!("sync: the folder {folder} cannot be read: {e}"),
            "make it, or start your sync tool (Syncthing, Nextcloud, …); local reminders and history work meanwhile",
        ),
    }
}
