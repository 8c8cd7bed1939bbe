//! Presence on Windows: the session's lock and unlock and the machine's
//! suspend and resume come as window messages to the desktop thread
//! (`platform::win32`), which reports them here as [`Change`]s;
//! the idle time is `GetLastInputInfo`, and "a fullscreen program or a
//! presentation is running" is `SHQueryUserNotificationState`, both asked
//! at the daemon's own wakes. Calls come from the capability access store
//! (`capture`).

pub mod capture;

use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tracing::{info, warn};
use windows_sys::Win32::System::SystemInformation::GetTickCount;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{GetLastInputInfo, LASTINPUTINFO};
use windows_sys::Win32::UI::Shell::{
    QUERY_USER_NOTIFICATION_STATE, QUNS_BUSY, QUNS_PRESENTATION_MODE, QUNS_QUIET_TIME,
    QUNS_RUNNING_D3D_FULL_SCREEN, SHQueryUserNotificationState,
};

use super::{Change, IdleSource, Sample};

/// The idle time since the last input in this session, and whether a
/// fullscreen program or presentation asks not to be disturbed.
pub struct WindowsIdle;

/// Time since the last keyboard or pointer input, if Windows says.
fn idle_time() -> Option<Duration> {
    let mut info = LASTINPUTINFO {
        cbSize: std::mem::size_of::<LASTINPUTINFO>() as u32,
        dwTime: 0,
    };
    // SAFETY: a LASTINPUTINFO with its size set.
    if unsafe { GetLastInputInfo(&mut info) } == 0 {
        return None;
    }
    // SAFETY: no arguments. Both are the same 32-bit tick count, which
    // wraps after 49 days: the difference wraps with it. An input stamped
    // a moment after this tick (taken between the two calls) wraps to
    // nearly 50 days: it is no idle time at all.
    let now = unsafe { GetTickCount() };
    let idle = now.wrapping_sub(info.dwTime);
    Some(Duration::from_millis(if idle > i32::MAX as u32 {
        0
    } else {
        u64::from(idle)
    }))
}

/// Whether a fullscreen program (a game, a video, a presentation) runs, or
/// Windows keeps its quiet time: then reminders wait, as for fullscreen.
fn fullscreen() -> Option<bool> {
    let mut state: QUERY_USER_NOTIFICATION_STATE = 0;
    // SAFETY: an out-pointer to a plain integer.
    if unsafe { SHQueryUserNotificationState(&mut state) } < 0 {
        return None;
    }
    Some(matches!(
        state,
        QUNS_BUSY | QUNS_RUNNING_D3D_FULL_SCREEN | QUNS_PRESENTATION_MODE | QUNS_QUIET_TIME
    ))
}

impl WindowsIdle {
    /// Asks now (for `doctor`).
    pub fn idle_now() -> Option<Duration> {
        idle_time()
    }
}

impl IdleSource for WindowsIdle {
    fn name(&self) -> &'static str {
        "GetLastInputInfo"
    }

    fn sample(&self) -> BoxFuture<'_, Option<Sample>> {
        Box::pin(async {
            Some(Sample {
                idle: idle_time()?,
                fullscreen: fullscreen(),
            })
        })
    }
}

/// Starts the presence sources: the desktop thread's messages, calls, and
/// the idle time.
pub async fn start() -> (mpsc::UnboundedReceiver<Change>, Option<Box<dyn IdleSource>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    capture::start(tx.clone());
    crate::platform::win32::report_session_to(move |e| {
        use crate::platform::win32::SessionEvent;
        let _ = tx.send(match e {
            SessionEvent::Suspending => {
                // Windows gives no time to wait for the record: the ack is
                // not waited for (the wake after says how long).
                let (ack, _) = tokio::sync::oneshot::channel();
                Change::Sleeping { ack }
            }
            SessionEvent::Resumed => Change::Woke,
            SessionEvent::Locked(on) => Change::SessionLocked(on),
        });
    });
    if let Err(e) = crate::platform::win32::DesktopThread::get() {
        warn!("the session's lock and the machine's sleep will not be seen ({e})");
    }
    let idle: Option<Box<dyn IdleSource>> = match idle_time() {
        // Wine's GetLastInputInfo sees only input to wine's own windows, and
        // its clock starts with wine's session: a person typing elsewhere
        // would be "away since" then. Not used there.
        Some(_) if crate::platform::win32::under_wine() => {
            warn!(
                "presence: under wine, GetLastInputInfo sees only input to wine's windows: idle time is not used (a locked session and sleep still count)"
            );
            None
        }
        Some(_) => {
            info!("presence: idle time from GetLastInputInfo");
            Some(Box::new(WindowsIdle))
        }
        None => {
            warn!("GetLastInputInfo does not answer: idle time is not known");
            None
        }
    };
    (rx, idle)
}
