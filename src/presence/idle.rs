//! Idle time on Wayland, from the desktop over the session bus:
//! - GNOME: `org.gnome.Mutter.IdleMonitor` (`GetIdletime` in ms, and a
//!   one-shot "user active" watch that signals the next input, so nothing
//!   polls while the person is away);
//! - KDE and others: `org.freedesktop.ScreenSaver.GetSessionIdleTime`. The
//!   specification says seconds; KDE's screen locker answers milliseconds
//!   (KIdleTime), so the unit follows who answers.

use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tracing::debug;
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

use super::{IdleSource, Sample};

const MUTTER: &str = "org.gnome.Mutter.IdleMonitor";
const MUTTER_PATH: &str = "/org/gnome/Mutter/IdleMonitor/Core";

/// GNOME's idle monitor.
pub struct Mutter {
    conn: Connection,
    /// Our pending "user active" watch, removed before another is added.
    watch: Mutex<Option<u32>>,
}

impl Mutter {
    /// The monitor, if Mutter answers on this bus.
    pub async fn connect(conn: &Connection) -> Option<Mutter> {
        let m = Mutter {
            conn: conn.clone(),
            watch: Mutex::new(None),
        };
        m.idle_time().await.map(|_| m)
    }

    async fn call<B>(&self, method: &str, body: &B) -> zbus::Result<zbus::Message>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        self.conn
            .call_method(Some(MUTTER), MUTTER_PATH, Some(MUTTER), method, body)
            .await
    }

    async fn idle_time(&self) -> Option<Duration> {
        let reply = self.call("GetIdletime", &()).await;
        match reply.and_then(|m| m.body().deserialize::<u64>()) {
            Ok(ms) => Some(Duration::from_millis(ms)),
            Err(e) => {
                debug!("Mutter idle time: {e}");
                None
            }
        }
    }

    /// Waits for Mutter's WatchFired of a fresh "user active" watch.
    async fn wait_for_input(&self) -> zbus::Result<()> {
        let rule = MatchRule::builder()
            .msg_type(MsgType::Signal)
            .interface(MUTTER)?
            .member("WatchFired")?
            .path(MUTTER_PATH)?
            .build();
        // Listen before adding the watch, so its signal cannot be missed.
        let mut fired = MessageStream::for_match_rule(rule, &self.conn, Some(8)).await?;
        let old = self.watch.lock().ok().and_then(|mut w| w.take());
        if let Some(old) = old {
            let _ = self.call("RemoveWatch", &(old)).await;
        }
        let id: u32 = self
            .call("AddUserActiveWatch", &())
            .await?
            .body()
            .deserialize()?;
        if let Ok(mut w) = self.watch.lock() {
            *w = Some(id);
        }
        while let Some(msg) = fired.next().await {
            if msg?
                .body()
                .deserialize::<u32>()
                .is_ok_and(|fired| fired == id)
            {
                if let Ok(mut w) = self.watch.lock() {
                    w.take();
                }
                return Ok(());
            }
        }
        Err(zbus::Error::InputOutput(std::sync::Arc::new(
            std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
        )))
    }
}

impl IdleSource for Mutter {
    fn name(&self) -> &'static str {
        "GNOME's idle monitor"
    }

    fn sample(&self) -> BoxFuture<'_, Option<Sample>> {
        Box::pin(async move {
            Some(Sample {
                idle: self.idle_time().await?,
                fullscreen: None,
            })
        })
    }

    fn next_input(&self) -> Option<BoxFuture<'_, ()>> {
        Some(Box::pin(async move {
            if let Err(e) = self.wait_for_input().await {
                // Cannot be told: look again in a while instead.
                debug!("Mutter user-active watch: {e}");
                tokio::time::sleep(super::RECHECK).await;
            }
        }))
    }
}

const SCREENSAVER: &str = "org.freedesktop.ScreenSaver";

/// The freedesktop ScreenSaver's session idle time.
pub struct ScreenSaverIdle {
    conn: Connection,
    /// KDE answers in milliseconds, the specification in seconds.
    millis: bool,
}

impl ScreenSaverIdle {
    /// The source, if the screensaver answers GetSessionIdleTime here.
    pub async fn connect(conn: &Connection) -> Option<ScreenSaverIdle> {
        let kde = conn
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "NameHasOwner",
                &("org.kde.screensaver"),
            )
            .await
            .and_then(|m| m.body().deserialize::<bool>())
            .unwrap_or(false);
        let s = ScreenSaverIdle {
            conn: conn.clone(),
            millis: kde,
        };
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
            Ok(n) if self.millis => Some(Duration::from_millis(n.into())),
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
        if self.millis {
            "KDE's screen locker"
        } else {
            "org.freedesktop.ScreenSaver"
        }
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
