//! Sleeping until a wall-clock instant on Windows, without polling: one
//! sleep for the time left by the wall clock, cut short when Windows says
//! the clock was set or the machine resumed (`WM_TIMECHANGE`, power
//! messages, seen by the desktop thread); then the daemon looks again.

use jiff::{SignedDuration, Timestamp};

use super::win32::CLOCK_CHANGED;
use crate::platform::Wake;

#[derive(Default)]
pub struct WallTimer {
    at: Option<Timestamp>,
}

impl WallTimer {
    pub fn new() -> WallTimer {
        // The clock's messages come to the desktop thread's window.
        if let Err(e) = super::win32::DesktopThread::get() {
            tracing::warn!("clock changes and resumes will not be seen at once ({e})");
        }
        WallTimer { at: None }
    }

    /// Arms the timer for `at` (a past instant fires at once); `None` disarms.
    pub fn set(&mut self, at: Option<Timestamp>) {
        self.at = at;
    }

    /// Waits for the armed instant or a clock change; never returns when
    /// disarmed (but for a clock change).
    pub async fn wait(&mut self) -> Wake {
        loop {
            let left = match self.at {
                Some(at) => at.duration_since(Timestamp::now()),
                None => SignedDuration::MAX,
            };
            if left <= SignedDuration::ZERO {
                return Wake::Due;
            }
            let sleep = async {
                match self.at {
                    Some(_) => tokio::time::sleep(left.unsigned_abs()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = sleep => {}
                () = CLOCK_CHANGED.notified() => return Wake::ClockChanged,
            }
        }
    }
}
