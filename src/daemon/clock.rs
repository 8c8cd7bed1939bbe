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
