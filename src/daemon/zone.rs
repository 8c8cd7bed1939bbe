//! The time zone, followed while the daemon runs: `/etc/localtime` replaced
//! (what `timedatectl set-timezone` does), or the file `$TZ` names changed,
//! wakes the loop, which then looks again in the new zone (the clock reads
//! the zone afresh at every wake; see `clock::local_zone`).

use tracing::{info, warn};

use crate::clock::{local_zone, zone_name, zone_source};
use crate::platform::FileWatch;

pub(super) struct ZoneWatch {
    watch: Option<FileWatch>,
    /// The zone's name as last seen.
    name: String,
}

fn watch() -> Option<FileWatch> {
    let path = zone_source()?;
    match FileWatch::new(&path) {
        Ok(w) => Some(w),
        Err(e) => {
            warn!(
                "time zone changes at {} will not be seen ({e}); a restart picks them up",
                path.display()
            );
            None
        }
    }
}

impl ZoneWatch {
    pub(super) fn new() -> ZoneWatch {
        ZoneWatch {
            watch: watch(),
            name: zone_name(&local_zone()),
        }
    }

    /// Resolves when the zone's file may have changed. Cancel-safe: what
    /// changed is found by [`ZoneWatch::check`], not here.
    pub(super) async fn changed(&mut self) {
        let Some(w) = self.watch.as_mut() else {
            return std::future::pending().await;
        };
        if w.changed().await.is_err() {
            // Its directory went (or the link now points elsewhere): watch
            // what there is now.
            self.watch = watch();
        }
    }

    /// Says (once) when the zone is not the one it was, and watches where
    /// the zone comes from now (a link retargeted moves its directory).
    pub(super) fn check(&mut self) {
        let name = zone_name(&local_zone());
        if name != self.name {
            info!(
                "the time zone changed from {} to {name}: reminders follow it",
                self.name
            );
            self.name = name;
            self.watch = watch();
        }
    }
}
