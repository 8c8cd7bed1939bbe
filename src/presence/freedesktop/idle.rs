//! Idle time on Wayland, from the desktop over the session bus:
//! - GNOME: `org.gnome.Mutter.IdleMonitor` (`GetIdletime` in ms, and a
//!   one-shot "user active" watch that signals the next input, so nothing
//!   polls while the person is away);
//! - others: `org.freedesktop.ScreenSaver.GetSessionIdleTime` (seconds).
//!   KDE's screen locker implements it but cannot poll the idle time on
//!   Wayland, so it is not used there; logind's IdleHint stands in.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, watch};
use tracing::debug;
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

use super::{IdleSource, Sample};

const MUTTER: &str = "org.gnome.Mutter.IdleMonitor";
const MUTTER_PATH: &str = "/org/gnome/Mutter/IdleMonitor/Core";

/// GNOME's idle monitor.
pub struct Mutter {
    conn: Connection,
    /// Asks the watcher task to have a "user active" watch registered.
    arm: mpsc::UnboundedSender<()>,
    /// Bumped each time our watch fires (the person is back).
    fired: watch::Receiver<u64>,
    /// `fired` as of the last sample: a firing after it is news, even if
    /// it came before the daemon started waiting.
    seen: std::sync::atomic::AtomicU64,
}

impl Mutter {
    /// The monitor, if Mutter answers on this bus.
    pub async fn connect(conn: &Connection) -> Option<Mutter> {
        idle_time(conn).await?;
        let (arm, armed) = mpsc::unbounded_channel();
        let (fire, fired) = watch::channel(0);
        tokio::spawn(watch_input(conn.clone(), armed, fire));
        Some(Mutter {
            conn: conn.clone(),
            arm,
            fired,
            seen: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

async fn call<B>(conn: &Connection, method: &str, body: &B) -> zbus::Result<zbus::Message>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    conn.call_method(Some(MUTTER), MUTTER_PATH, Some(MUTTER), method, body)
        .await
}

async fn idle_time(conn: &Connection) -> Option<Duration> {
    let reply = call(conn, "GetIdletime", &()).await;
    match reply.and_then(|m| m.body().deserialize::<u64>()) {
        Ok(ms) => Some(Duration::from_millis(ms)),
        Err(e) => {
            debug!("Mutter idle time: {e}");
            None
        }
    }
}

/// Keeps at most one one-shot "user active" watch registered with Mutter,
/// adding it when asked, and reports when it fires. A task of its own, so a
/// waiter that gives up (the daemon woke for something else) can neither
/// leave a second watch behind nor miss the signal. Mutter sends WatchFired
/// only to the watch's owner, so nothing else arrives here.
async fn watch_input(
    conn: Connection,
    mut arm: mpsc::UnboundedReceiver<()>,
    fired: watch::Sender<u64>,
) {
    let rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface(MUTTER)
        .and_then(|b| b.member("WatchFired"))
        .and_then(|b| b.path(MUTTER_PATH))
        .map(|b| b.build());
    let Ok(rule) = rule else { return };
    let mut signals = match MessageStream::for_match_rule(rule, &conn, Some(8)).await {
        Ok(s) => s,
        Err(e) => {
            debug!("Mutter watches: {e}");
            return;
        }
    };
    let mut armed: Option<u32> = None;
    loop {
        tokio::select! {
            asked = arm.recv() => {
                if asked.is_none() {
                    return;
                }
                if armed.is_none() {
                    let reply = call(&conn, "AddUserActiveWatch", &()).await;
                    match reply.and_then(|m| m.body().deserialize::<u32>()) {
                        Ok(id) => armed = Some(id),
                        // Asked again at the next wake; meanwhile the
                        // daemon's own wakes still see the return.
                        Err(e) => debug!("Mutter user-active watch: {e}"),
                    }
                }
            }
            Some(Ok(msg)) = signals.next() => {
                if let Ok(id) = msg.body().deserialize::<u32>()
                    && Some(id) == armed
                {
                    armed = None;
                    fired.send_modify(|n| *n += 1);
                }
            }
            else => return,
        }
    }
}

impl IdleSource for Mutter {
    fn name(&self) -> &'static str {
        "GNOME's idle monitor"
    }

    fn sample(&self) -> BoxFuture<'_, Option<Sample>> {
        use std::sync::atomic::Ordering;
        self.seen.store(*self.fired.borrow(), Ordering::Relaxed);
        Box::pin(async move {
            Some(Sample {
                idle: idle_time(&self.conn).await?,
                fullscreen: None,
            })
        })
    }

    /// `None` once the watcher task is gone (the bus went away): the daemon
    /// then asks again as it does for sources without a signal.
    fn next_input(&self) -> Option<BoxFuture<'_, ()>> {
        use std::sync::atomic::Ordering;
        // Asked now, not when the future is first polled: it is done even
        // if the daemon drops the future for another wake.
        self.arm.send(()).ok()?;
        let mut fired = self.fired.clone();
        let seen = self.seen.load(Ordering::Relaxed);
        Some(Box::pin(async move {
            // Fired since the last sample (even before this wait): now.
            let _ = fired.wait_for(|n| *n != seen).await;
        }))
    }
}

const SCREENSAVER: &str = "org.freedesktop.ScreenSaver";

/// The freedesktop ScreenSaver's session idle time (seconds).
pub struct ScreenSaverIdle {
    conn: Connection,
}

impl ScreenSaverIdle {
    /// The source, if the screensaver answers GetSessionIdleTime here. Not
    /// KDE's: on Wayland its screen locker cannot poll the idle time and
    /// answers 0 (before Plasma 5.27) or an error.
    pub async fn connect(conn: &Connection) -> Option<ScreenSaverIdle> {
        if super::has_owner(conn, "org.kde.screensaver")
            .await
            .unwrap_or(false)
        {
            debug!("KDE's screen locker cannot tell the idle time on Wayland");
            return None;
        }
        let s = ScreenSaverIdle { conn: conn.clone() };
        s.idle_time().await.map(|_| s)
    }

    async fn idle_time(&self) -> Option<Duration> {
        let reply = self
            .conn
            .call_method(
                Some(SCREENSAVER),
                "/org/freedesktop/ScreenSaver",
                Some(SCREENSAVER),
                "GetSessionIdleTime",
                &(),
            )
            .await;
        match reply.and_then(|m| m.body().deserialize::<u32>()) {
            Ok(n) => Some(Duration::from_secs(n.into())),
            Err(e) => {
                debug!("ScreenSaver idle time: {e}");
                None
            }
        }
    }
}

impl IdleSource for ScreenSaverIdle {
    fn name(&self) -> &'static str {
        "org.freedesktop.ScreenSaver"
    }

    fn sample(&self) -> BoxFuture<'_, Option<Sample>> {
        Box::pin(async move {
            Some(Sample {
                idle: self.idle_time().await?,
                fullscreen: None,
            })
        })
    }
}
