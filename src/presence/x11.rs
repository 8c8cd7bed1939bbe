//! Idle time on X11: the MIT-SCREEN-SAVER extension's time since the last
//! user input. Asked at the daemon's own wakes (no timer of its own); the
//! roundtrip runs off the scheduler thread.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::{debug, info};
use x11rb::connection::{Connection as _, RequestConnection as _};
use x11rb::protocol::screensaver;
use x11rb::rust_connection::RustConnection;

pub struct X11Idle {
    conn: Arc<Mutex<RustConnection>>,
    root: u32,
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

    /// Time since the last keyboard or mouse input; `None` if X went away.
    pub async fn idle(&self) -> Option<Duration> {
        let (conn, root) = (self.conn.clone(), self.root);
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().ok()?;
            let reply = screensaver::query_info(&*conn, root).ok()?.reply().ok()?;
            Some(Duration::from_millis(u64::from(reply.ms_since_user_input)))
        })
        .await
        .ok()
        .flatten()
    }
}
