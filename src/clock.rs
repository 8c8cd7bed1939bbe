//! The one clock of the daemon (and of the commands that say what time it
//! is). The engine never reads it; the daemon reads
//! it on every wake and passes `now` in.

use std::path::PathBuf;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};

/// The local time zone. `$TZ` naming a file that is not a small regular
/// file (a FIFO would block every clock read, `/dev/zero` would be read
/// without end) is refused once, with a warning, for UTC; otherwise the
/// zone `$TZ` or `/etc/localtime` names ([`named_zone`]), else jiff's
/// system zone. Either follows a change of `/etc/localtime`.
pub fn local_zone() -> TimeZone {
    static REFUSED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let refused = *REFUSED.get_or_init(|| match std::env::var_os("TZ") {
        Some(tz) => match tz_file_problem(&tz).or_else(|| tz_name_problem(&tz)) {
            Some(why) => {
                tracing::warn!("TZ={}: {why}; using UTC", tz.to_string_lossy());
                true
            }
            None => false,
        },
        None => false,
    });
    if refused {
        TimeZone::UTC
    } else {
        named_zone().unwrap_or_else(TimeZone::system)
    }
}

/// The file the local zone comes from, to watch for a change: the one
/// `$TZ` names (a path, or a zone's file), else `/etc/localtime`.
pub fn zone_source() -> Option<PathBuf> {
    match std::env::var_os("TZ") {
        Some(tz) => {
            let tz = tz.to_str()?;
            let name = tz.strip_prefix(':').unwrap_or(tz);
            if name.starts_with('/') {
                Some(PathBuf::from(name))
            } else {
                zone_file(name)
            }
        }
        None => Some(PathBuf::from("/etc/localtime")),
    }
}

/// A zone's name for messages.
pub fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("(unnamed)").to_string()
}

/// Where the system keeps its zone files (`$TZDIR` first, as libc does).
fn zoneinfo_dirs() -> impl Iterator<Item = PathBuf> {
    std::env::var_os("TZDIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/usr/share/zoneinfo",
                "/usr/lib/zoneinfo",
                "/usr/share/lib/zoneinfo",
                "/etc/zoneinfo",
            ]
            .map(PathBuf::from),
        )
}

/// The zone file of an IANA name (`Europe/Berlin`), if the system has one.
fn zone_file(name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.starts_with('/') || name.split('/').any(|p| p == "..") {
        return None;
    }
    zoneinfo_dirs().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The zone of an IANA name (a calendar's `TZID`), read straight from its
/// zone file where the system has one (not through jiff's index of every
/// zone, see `named_zone`), else from jiff's database (Windows).
pub fn zone_by_name(name: &str) -> Option<TimeZone> {
    if !zoneinfo_dirs().any(|d| d.is_dir()) {
        return TimeZone::get(name).ok();
    }
    let path = zone_file(name)?;
    let mut file = crate::platform::open_to_read(&path).ok()?;
    let opened = file.metadata().ok()?;
    if !opened.is_file() || opened.len() > 1024 * 1024 {
        return None;
    }
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut data).ok()?;
    TimeZone::tzif(name, &data).ok()
}

/// The zone that `$TZ` names (`Europe/Berlin`, `:UTC`), or else the one
/// `/etc/localtime` links to, or the file `$TZ` names, read straight from
/// its zone file. jiff's own way finds the same file through an index of
/// every zone, which it builds first and keeps (~100 KiB, a tenth of the
/// daemon's memory), and looks again only every few minutes. Anything else
/// (a POSIX rule, a copied `/etc/localtime`, Windows) is left to jiff.
/// Read again only when the link or the file changes.
fn named_zone() -> Option<TimeZone> {
    use std::sync::Mutex;
    let (name, path) = match std::env::var_os("TZ") {
        Some(tz) => {
            let tz = tz.to_str()?;
            let name = tz.strip_prefix(':').unwrap_or(tz);
            if name.starts_with('/') {
                // A file: named as the zone it links to, else by its path.
                let target = std::fs::canonicalize(name).ok()?;
                let named = target
                    .to_str()
                    .and_then(|t| t.rsplit_once("zoneinfo/"))
                    .map_or(name, |(_, n)| n);
                (named.to_string(), PathBuf::from(name))
            } else {
                (name.to_string(), zone_file(name)?)
            }
        }
        None => {
            let link = "/etc/localtime";
            let target = std::fs::read_link(link).ok()?;
            let (_, name) = target.to_str()?.rsplit_once("zoneinfo/")?;
            let name = name.strip_prefix("posix/").unwrap_or(name);
            (name.to_string(), PathBuf::from(link))
        }
    };
    // The link's target and the file's identity: what a zone change alters.
    let meta = std::fs::metadata(&path).ok()?;
    let key = (name.clone(), meta.modified().ok(), meta.len(), path.clone());
    static LAST: Mutex<Option<(ZoneKey, TimeZone)>> = Mutex::new(None);
    let mut last = LAST.lock().ok()?;
    if let Some((k, tz)) = last.as_ref()
        && *k == key
    {
        return Some(tz.clone());
    }
    // Opened without blocking and checked on the descriptor: a FIFO put
    // there meanwhile is refused, never waited on.
    let mut file = crate::platform::open_to_read(&path).ok()?;
    let opened = file.metadata().ok()?;
    if !opened.is_file() || opened.len() > 1024 * 1024 {
        return None;
    }
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut data).ok()?;
    let tz = TimeZone::tzif(&name, &data).ok()?;
    *last = Some((key, tz.clone()));
    Some(tz)
}

type ZoneKey = (String, Option<std::time::SystemTime>, u64, PathBuf);

/// What is wrong with `$TZ` if it is a zone name the system's database does
/// not have and not a POSIX rule either (`Europe/Berln`): the system would
/// silently use UTC.
fn tz_name_problem(tz: &std::ffi::OsStr) -> Option<String> {
    let s = tz.to_string_lossy();
    let name = s.strip_prefix(':').unwrap_or(&s);
    if name.is_empty() || name.starts_with('/') {
        return None;
    }
    if zone_file(name).is_some() {
        return None;
    }
    match TimeZone::get(name) {
        Ok(_) => None,
        Err(_) if TimeZone::posix(name).is_ok() => None,
        Err(_) => Some(format!(
            "no time zone \"{name}\" in the system's zone database"
        )),
    }
}

/// What is wrong with `$TZ` if it names a file (`/path` or `:/path`).
fn tz_file_problem(tz: &std::ffi::OsStr) -> Option<String> {
    let s = tz.to_string_lossy();
    let path = s.strip_prefix(':').unwrap_or(&s);
    if !path.starts_with('/') {
        return None;
    }
    match std::fs::metadata(path) {
        Err(e) => Some(format!("cannot read {path}: {e}")),
        Ok(m) if !m.is_file() => Some(format!("{path} is not a regular file")),
        Ok(m) if m.len() > 1024 * 1024 => Some(format!("{path} is too large for a time zone file")),
        Ok(_) => None,
    }
}

/// The system clock and zone (re-read each time, so a zone change is seen),
/// optionally shifted for tests that cannot set the machine's clock:
/// `UNHUNCH_CLOCK_OFFSET` ("2h", "-1h 30m") shifts it for the whole run;
/// `UNHUNCH_CLOCK_FILE` names a file holding such an offset, read on every
/// clock read, so a test can move the clock while the daemon runs (and then
/// send SIGUSR1, which stands for the kernel's "the clock was set").
#[derive(Debug, Default)]
pub struct SystemClock {
    fixed: SignedDuration,
    file: Option<PathBuf>,
}

/// "2h", "-1h 30m", "-3days", "90s".
fn parse_offset(v: &str) -> anyhow::Result<SignedDuration> {
    crate::core::time::parse_duration(v, true).map_err(|e| anyhow::anyhow!("clock offset: {e}"))
}

impl SystemClock {
    /// Wall-clock time in the local zone.
    pub fn now(&self) -> ZonedDateTime {
        // A system clock set past what jiff can hold (9999-12-30) reads as
        // its end, rather than a panic.
        let t = Timestamp::try_from(std::time::SystemTime::now()).unwrap_or(Timestamp::MAX);
        // Past the end of the calendar it stays at the end, in the same
        // frame as the timer (which subtracts the offset).
        let t = t.checked_add(self.offset()).unwrap_or(Timestamp::MAX);
        t.to_zoned_datetime(local_zone())
    }

    /// How far this clock is from the system clock (zero but in tests):
    /// the timer, which runs on the system clock, subtracts it.
    pub fn offset(&self) -> SignedDuration {
        let from_file = self
            .file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|s| parse_offset(&s).ok());
        from_file.unwrap_or(self.fixed)
    }
}

/// The clock as the environment asks for (the system clock in normal use).
pub fn from_env() -> anyhow::Result<SystemClock> {
    let fixed = match std::env::var("UNHUNCH_CLOCK_OFFSET") {
        Ok(v) => parse_offset(&v).map_err(|e| anyhow::anyhow!("UNHUNCH_CLOCK_OFFSET: {e}"))?,
        Err(_) => SignedDuration::ZERO,
    };
    let file = std::env::var_os("UNHUNCH_CLOCK_FILE").map(PathBuf::from);
    if let Some(f) = &file {
        let text = std::fs::read_to_string(f)
            .map_err(|e| anyhow::anyhow!("UNHUNCH_CLOCK_FILE {}: {e}", f.display()))?;
        parse_offset(&text)
            .map_err(|e| anyhow::anyhow!("UNHUNCH_CLOCK_FILE {}: {e}", f.display()))?;
    }
    Ok(SystemClock { fixed, file })
}

impl SystemClock {
    /// Whether a test shifts this clock.
    pub fn is_shifted(&self) -> bool {
        self.file.is_some() || !self.offset().is_zero()
    }
}
