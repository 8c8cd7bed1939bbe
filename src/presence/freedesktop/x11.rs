//! X11: the idle time (MIT-SCREEN-SAVER's time since the last user input)
//! and whether the active window is fullscreen (EWMH `_NET_WM_STATE`).
//! Asked at the daemon's own wakes (no timer of its own); the roundtrips run
//! off the scheduler thread.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tracing::{debug, info};
use x11rb::connection::{Connection as _, RequestConnection as _};
use x11rb::protocol::screensaver;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use super::{IdleSource, Sample};

pub struct X11Idle {
    conn: Arc<Mutex<RustConnection>>,
    root: u32,
}

fn atom(conn: &RustConnection, name: &str) -> Option<u32> {
    Some(
        conn.intern_atom(false, name.as_bytes())
            .ok()?
            .reply()
            .ok()?
            .atom,
    )
}

/// Is the active window (EWMH `_NET_ACTIVE_WINDOW`) fullscreen?
fn active_is_fullscreen(conn: &RustConnection, root: u32) -> bool {
    let (Some(active), Some(state), Some(full)) = (
        atom(conn, "_NET_ACTIVE_WINDOW"),
        atom(conn, "_NET_WM_STATE"),
        atom(conn, "_NET_WM_STATE_FULLSCREEN"),
    ) else {
        return false;
    };
    let window = conn
        .get_property(false, root, active, AtomEnum::WINDOW, 0, 1)
        .ok()
        .and_then(|c| c.reply().ok())
        .and_then(|r| r.value32().and_then(|mut v| v.next()));
    let Some(window) = window.filter(|w| *w != 0) else {
        return false;
    };
    conn.get_property(false, window, state, AtomEnum::ATOM, 0, 64)
        .ok()
        .and_then(|c| c.reply().ok())
        .is_some_and(|r| r.value32().is_some_and(|mut v| v.any(|a| a == full)))
}

impl X11Idle {
    /// Connects to $DISPLAY if there is one with the extension.
    pub fn connect() -> Option<X11Idle> {
        std::env::var_os("DISPLAY")?;
        let (conn, screen) = match x11rb::connect(None) {
            Ok(c) => c,
            Err(e) => {
                debug!("no X display for idle time: {e}");
                return None;
            }
        };
        let has = conn
            .extension_information(screensaver::X11_EXTENSION_NAME)
            .ok()
            .flatten()
            .is_some();
        if !has {
            info!("the X server has no MIT-SCREEN-SAVER extension: idle time is not known");
            return None;
        }
        let root = conn.setup().roots.get(screen)?.root;
        Some(X11Idle {
            conn: Arc::new(Mutex::new(conn)),
            root,
        })
    }
}

impl IdleSource for X11Idle {
    fn name(&self) -> &'static str {
        "X11"
    }

    /// Time since the last input, and fullscreen; `None` if X went away.
    fn sample(&self) -> BoxFuture<'_, Option<Sample>> {
        let (conn, root) = (self.conn.clone(), self.root);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let conn = conn.lock().ok()?;
                let reply = screensaver::query_info(&*conn, root).ok()?.reply().ok()?;
                Some(Sample {
                    idle: Duration::from_millis(u64::from(reply.ms_since_user_input)),
                    fullscreen: Some(active_is_fullscreen(&conn, root)),
                })
            })
            .await
            .ok()
            .flatten()
        })
    }
}
