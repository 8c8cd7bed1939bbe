//! The one clock of the daemon. The engine never reads it; the daemon reads
//! it on every wake and passes `now` in.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};

/// Wall-clock time in the local zone.
pub trait Clock: Send {
    fn now(&self) -> ZonedDateTime;
}

/// The system clock and zone (re-read each time, so a zone change is seen).
#[derive(Debug, Default)]
pub struct SystemClock {
    /// Added to the system time: lets a test run the daemon "in the future"
    /// without touching the machine's clock (`UNHUNCH_CLOCK_OFFSET`).
    pub offset: SignedDuration,
}

impl Clock for SystemClock {
    fn now(&self) -> ZonedDateTime {
        let t = Timestamp::now();
        let t = t.checked_add(self.offset).unwrap_or(t);
        t.to_zoned_datetime(TimeZone::system())
    }
}

/// `UNHUNCH_CLOCK_OFFSET` ("2h", "-1h 30m", "-3days"): runs unhunch's clock
/// ahead of or behind the system's, for timing tests that cannot set the
/// real clock. Unset in normal use.
pub fn offset_from_env() -> anyhow::Result<SignedDuration> {
    let Ok(v) = std::env::var("UNHUNCH_CLOCK_OFFSET") else {
        return Ok(SignedDuration::ZERO);
    };
    let (neg, s) = match v.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.trim()),
    };
    let d = humantime::parse_duration(s).map_err(|_| {
        anyhow::anyhow!("UNHUNCH_CLOCK_OFFSET=\"{v}\" is not a duration like \"2h\" or \"-1h 30m\"")
    })?;
    let d = SignedDuration::try_from(d)?;
    Ok(if neg { -d } else { d })
}

/// The clock commands use: the system clock, shifted by `UNHUNCH_CLOCK_OFFSET`.
pub fn from_env() -> anyhow::Result<SystemClock> {
    Ok(SystemClock {
        offset: offset_from_env()?,
    })
}
