//! Sleeping until a wall-clock instant.
//!
//! tokio's timers run on CLOCK_MONOTONIC, which stops during suspend and does
//! not follow clock changes. On Linux a timerfd on CLOCK_REALTIME, armed with
//! an absolute time and TFD_TIMER_CANCEL_ON_SET, wakes exactly at the due
//! time, right after a resume that passed it, and whenever the clock is set.
//! Should the timerfd fail, the timer sleeps at most 30 s at a time and the
//! daemon looks again; a failed timerfd is made again at those wakes. The
//! timer never returns an error to the loop.

use jiff::{SignedDuration, Timestamp};
use tracing::{info, warn};

use crate::platform::Wake;

/// The longest monotonic sleep: the most a suspend or clock change can
/// delay a reminder where there is no wall-clock timer.
const CHUNK: SignedDuration = SignedDuration::from_secs(30);

pub struct WallTimer {
    fd: Option<linux::TimerFd>,
    at: Option<Timestamp>,
}

impl Default for WallTimer {
    fn default() -> WallTimer {
        WallTimer::new()
    }
}

impl WallTimer {
    pub fn new() -> WallTimer {
        WallTimer {
            fd: linux::TimerFd::new()
                .inspect_err(|e| {
                    warn!("no wall-clock timer ({e}): looking at the clock every 30 s")
                })
                .ok(),
            at: None,
        }
    }

    /// Arms the timer for `at` (a past instant fires at once); `None` disarms.
    pub fn set(&mut self, at: Option<Timestamp>) {
        self.at = at;
        if let Some(fd) = &mut self.fd
            && let Err(e) = fd.set(at)
        {
            warn!(
                "wall-clock timer failed ({e}): looking at the clock every 30 s until it works again"
            );
            self.fd = None;
        }
    }

    /// Waits for the armed instant or a clock change; never returns when disarmed.
    pub async fn wait(&mut self) -> Wake {
        if let Some(fd) = &mut self.fd {
            return match fd.wait().await {
                Ok(w) => w,
                Err(e) => {
                    warn!(
                        "wall-clock timer failed ({e}): looking at the clock every 30 s until it works again"
                    );
                    self.fd = None;
                    Wake::ClockChanged
                }
            };
        }
        let wake = chunk(self.at).await;
        if let Ok(fd) = linux::TimerFd::new() {
            info!("wall-clock timer works again");
            self.fd = Some(fd);
        }
        wake
    }
}

/// One monotonic sleep towards `at`, at most [`CHUNK`] long.
async fn chunk(at: Option<Timestamp>) -> Wake {
    let Some(at) = at else {
        return std::future::pending().await;
    };
    let left = at.duration_since(Timestamp::now());
    if left <= SignedDuration::ZERO {
        return Wake::Due;
    }
    tokio::time::sleep(left.min(CHUNK).unsigned_abs()).await;
    Wake::ClockChanged
}

mod linux {
    use std::io;

    use jiff::Timestamp;
    use rustix::fd::OwnedFd;
    use rustix::time::{
        Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec, timerfd_create,
        timerfd_settime,
    };
    use tokio::io::unix::AsyncFd;

    use super::Wake;

    pub(super) struct TimerFd {
        fd: AsyncFd<OwnedFd>,
        armed: bool,
    }

    impl TimerFd {
        pub fn new() -> io::Result<TimerFd> {
            let fd = timerfd_create(
                TimerfdClockId::Realtime,
                TimerfdFlags::CLOEXEC | TimerfdFlags::NONBLOCK,
            )?;
            // SAFETY: an OwnedFd is a valid descriptor that stays open and
            // the same for as long as the AsyncFd owns it.
            let fd = unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE)? };
            Ok(TimerFd { fd, armed: false })
        }

        pub fn set(&mut self, at: Option<Timestamp>) -> io::Result<()> {
            let zero = Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            let value = match at {
                // tv_sec 0 and tv_nsec 0 would disarm: the epoch is "now" enough.
                Some(t) => Timespec {
                    tv_sec: t.as_second().max(0),
                    tv_nsec: t.subsec_nanosecond().max(1) as _,
                },
                None => zero,
            };
            let spec = Itimerspec {
                it_interval: zero,
                it_value: value,
            };
            timerfd_settime(
                self.fd.get_ref(),
                TimerfdTimerFlags::ABSTIME | TimerfdTimerFlags::CANCEL_ON_SET,
                &spec,
            )?;
            self.armed = at.is_some();
            Ok(())
        }

        pub async fn wait(&mut self) -> io::Result<Wake> {
            if !self.armed {
                return std::future::pending().await;
            }
            loop {
                let mut guard = self.fd.readable().await?;
                let mut buf = [0u8; 8];
                match guard
                    .try_io(|fd| rustix::io::read(fd.get_ref(), &mut buf).map_err(io::Error::from))
                {
                    Ok(Ok(_)) => {
                        self.armed = false;
                        return Ok(Wake::Due);
                    }
                    Ok(Err(e))
                        if e.raw_os_error() == Some(rustix::io::Errno::CANCELED.raw_os_error()) =>
                    {
                        self.armed = false;
                        return Ok(Wake::ClockChanged);
                    }
                    Ok(Err(e)) => return Err(e),
                    Err(_would_block) => continue,
                }
            }
        }
    }
}
