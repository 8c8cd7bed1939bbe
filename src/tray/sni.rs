//! The tray on Linux: a StatusNotifierItem with a dbusmenu, served by
//! `ksni` on our tokio runtime (pure Rust over D-Bus: no GTK, no X
//! connection, no thread of its own).
//!
//! Without a tray host (GNOME without the AppIndicator extension, a bare
//! session) ksni waits for `org.kde.StatusNotifierWatcher` to appear, driven
//! by D-Bus signals, and registers then.

use ksni::menu::{MenuItem, StandardItem, SubMenu};
use ksni::{Category, Icon, Status, ToolTip, TrayMethods};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{info, warn};

use super::{Entry, Look, SIZES, TrayState, rgba};
use crate::core::Source;
use crate::vocab::Command;

/// Menu labels treat `_` as a mnemonic marker; keep underscores literal.
fn label(s: &str) -> String {
    s.replace('_', "__")
}

/// The menu as dbusmenu items.
fn render(entries: Vec<Entry>) -> Vec<MenuItem<UnhunchTray>> {
    entries
        .into_iter()
        .map(|e| match e {
            Entry::Label(text) => MenuItem::Standard(StandardItem {
                label: label(&text),
                enabled: false,
                ..Default::default()
            }),
            Entry::Action {
                label: text,
                what,
                icon,
            } => MenuItem::Standard(StandardItem {
                label: label(&text),
                icon_data: icon
                    .map(|k| crate::vocab::labels::kind_icon_small(k).to_vec())
                    .unwrap_or_default(),
                activate: Box::new(move |t: &mut UnhunchTray| {
                    let _ = t.commands.send(Command::new(what.clone(), Source::Tray));
                }),
                ..Default::default()
            }),
            Entry::Separator => MenuItem::Separator,
            Entry::Menu { label: text, items } => MenuItem::SubMenu(SubMenu {
                label: label(&text),
                submenu: render(items),
                ..Default::default()
            }),
        })
        .collect()
}

struct UnhunchTray {
    state: TrayState,
    commands: mpsc::UnboundedSender<Command>,
}

/// RGBA rows (as rendered by `scripts/icons`) to SNI's ARGB32, network order.
fn to_argb(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect()
}

/// The icon in every size, made when the host asks (rarely: at a change)
/// rather than kept: four looks in four sizes would hold 64 KiB for good.
fn pixmaps(look: Look) -> Vec<Icon> {
    SIZES
        .iter()
        .zip(rgba(look))
        .map(|(s, d)| Icon {
            width: *s,
            height: *s,
            data: to_argb(d),
        })
        .collect()
}

impl ksni::Tray for UnhunchTray {
    // A left click opens the menu, as in most tray apps (ItemIsMenu; ksni
    // refuses Activate so that GNOME and KDE fall back to the menu). MATE's
    // panel neither opens it nor falls back: there a right click does
    // (tests/desktops.rs).
    const MENU_ON_ACTIVATE: bool = true;

    fn id(&self) -> String {
        "unhunch".into()
    }

    fn title(&self) -> String {
        "unhunch".into()
    }

    fn category(&self) -> Category {
        Category::ApplicationStatus
    }

    fn status(&self) -> Status {
        if self.state.pending.is_empty() {
            Status::Active
        } else {
            Status::NeedsAttention
        }
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        pixmaps(self.state.look())
    }

    fn attention_icon_pixmap(&self) -> Vec<Icon> {
        pixmaps(Look::Pending)
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            title: "unhunch".into(),
            description: self.state.overview(),
            ..Default::default()
        }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        render(self.state.menu())
    }

    fn watcher_online(&self) {
        info!("a system tray appeared: the icon is shown");
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        match reason {
            ksni::OfflineReason::No => {
                warn!("the system tray went away; the icon comes back when it does")
            }
            ksni::OfflineReason::Error(e) => warn!(
                "no system tray on this desktop ({e}); running without an icon — notifications and `unhunch` \
                 commands still work, and the icon appears if a tray starts later"
            ),
            _ => warn!("the system tray is not available; running without an icon"),
        }
        // Keep waiting for a tray host.
        true
    }
}

/// A running tray icon. States go to it through a watch channel and a task
/// of its own, so the daemon never waits on the tray's D-Bus traffic.
///
/// Without a session bus (started from ssh or a console) the icon waits for
/// one: the bus's socket is watched, and the icon goes up when it appears.
pub struct Tray {
    state: watch::Sender<TrayState>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Tray {
    /// Puts the icon up, or waits for a tray host or a session bus.
    pub async fn spawn(
        state: TrayState,
        commands: mpsc::UnboundedSender<Command>,
    ) -> Result<Tray, ksni::Error> {
        let (tx, rx) = watch::channel(state);
        let (stop_tx, stop) = oneshot::channel();
        let task = tokio::spawn(serve(rx, commands, stop));
        Ok(Tray {
            state: tx,
            stop: Some(stop_tx),
            task,
        })
    }

    /// Shows `state` if it differs from what is shown; never waits.
    pub fn show(&self, state: TrayState) {
        self.state.send_if_modified(|shown| {
            let changed = *shown != state;
            if changed {
                *shown = state;
            }
            changed
        });
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

/// How long after its socket appears the session bus is tried.
const BUS_SETTLES: std::time::Duration = std::time::Duration::from_millis(100);

/// The icon's task: puts it up (once there is a session bus), then passes
/// each new state on, until told to stop.
async fn serve(
    mut rx: watch::Receiver<TrayState>,
    commands: mpsc::UnboundedSender<Command>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut told = false;
    let handle = loop {
        let tray = UnhunchTray {
            state: rx.borrow_and_update().clone(),
            commands: commands.clone(),
        };
        match tray.assume_sni_available(true).spawn().await {
            Ok(h) => {
                if told {
                    info!("a session bus appeared: the tray icon is put up");
                }
                break h;
            }
            Err(e) => {
                let watch = crate::platform::bus::watch_session();
                if !told {
                    warn!(
                        "no tray icon: {e}; notifications and `unhunch` commands still work{}",
                        if watch.is_some() {
                            ", and the icon goes up when a session bus appears"
                        } else {
                            ""
                        }
                    );
                    told = true;
                }
                let Some(mut watch) = watch else {
                    let _ = stop.await;
                    return;
                };
                tokio::select! {
                    _ = &mut stop => return,
                    r = watch.changed() => if r.is_err() {
                        let _ = stop.await;
                        return;
                    },
                }
                // Its socket is bound a moment before it listens.
                tokio::time::sleep(BUS_SETTLES).await;
            }
        }
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            r = rx.changed() => {
                if r.is_err() {
                    break;
                }
                let state = rx.borrow_and_update().clone();
                handle.update(move |t| t.state = state).await;
            }
        }
    }
    handle.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixmaps_are_whole_and_argb() {
        for look in [Look::Normal, Look::Pending, Look::Paused, Look::Warning] {
            for icon in pixmaps(look) {
                assert_eq!(icon.data.len() as i32, icon.width * icon.height * 4);
            }
        }
        assert_eq!(to_argb(&[1, 2, 3, 4]), vec![4, 1, 2, 3]);
    }
}
