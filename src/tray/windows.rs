//! The tray on Windows: tray-icon with a muda menu. Both live on the
//! desktop thread (`platform::windows::win32`), whose Win32 message loop
//! they need; states go there as posted work and menu clicks come back as
//! [`Command`]s through the daemon's channel, so the runtime never waits
//! on the tray.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::mpsc;
use tracing::{info, warn};
use tray_icon::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

use super::{Entry, Look, SIZES, TrayState, rgba};
use crate::core::Source;
use crate::platform::win32::DesktopThread;
use crate::vocab::{Command, What};

/// The tray, owned by the desktop thread.
struct OnThread {
    icon: TrayIcon,
    shown: TrayState,
}

thread_local! {
    static TRAY: std::cell::RefCell<Option<OnThread>> = const { std::cell::RefCell::new(None) };
}

/// What each menu id of the menu shown sends, and where.
struct Actions {
    by_id: HashMap<String, What>,
    commands: mpsc::UnboundedSender<Command>,
}

static ACTIONS: Mutex<Option<Actions>> = Mutex::new(None);

/// The icon at 32 px (Windows scales it for the taskbar's DPI).
fn icon(look: Look) -> Option<Icon> {
    let i = SIZES.iter().position(|s| *s == 32)?;
    Icon::from_rgba(rgba(look)[i].to_vec(), 32, 32).ok()
}

/// `&` marks a mnemonic in Win32 menus: keep it literal.
fn label(s: &str) -> String {
    s.replace('&', "&&")
}

/// The tooltip: Windows shows at most 127 characters.
fn tooltip(state: &TrayState) -> String {
    let text = state.overview();
    match text.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// The menu for `entries`, and what each of its ids sends.
fn render(entries: Vec<Entry>, actions: &mut HashMap<String, What>) -> Vec<Box<dyn IsMenuItem>> {
    entries
        .into_iter()
        .map(|e| -> Box<dyn IsMenuItem> {
            match e {
                Entry::Label(text) => Box::new(MenuItem::new(label(&text), false, None)),
                Entry::Action {
                    label: text, what, ..
                } => {
                    let id = actions.len().to_string();
                    actions.insert(id.clone(), what);
                    Box::new(MenuItem::with_id(id, label(&text), true, None))
                }
                Entry::Separator => Box::new(PredefinedMenuItem::separator()),
                Entry::Menu { label: text, items } => {
                    let items = render(items, actions);
                    let refs: Vec<&dyn IsMenuItem> = items.iter().map(|i| i.as_ref()).collect();
                    Box::new(
                        Submenu::with_items(label(&text), true, &refs)
                            .unwrap_or_else(|_| Submenu::new(label(&text), true)),
                    )
                }
            }
        })
        .collect()
}

/// The menu for `state`; its actions are what clicks send from now on.
fn menu(state: &TrayState, commands: &mpsc::UnboundedSender<Command>) -> Menu {
    let mut actions = HashMap::new();
    let items = render(state.menu(), &mut actions);
    let menu = Menu::new();
    for i in &items {
        if let Err(e) = menu.append(i.as_ref()) {
            warn!("tray menu: {e}");
        }
    }
    if let Ok(mut a) = ACTIONS.lock() {
        *a = Some(Actions {
            by_id: actions,
            commands: commands.clone(),
        });
    }
    menu
}

/// On the desktop thread: puts the icon up, or changes it to `state`.
fn show_on_thread(state: TrayState, commands: &mpsc::UnboundedSender<Command>) {
    TRAY.with_borrow_mut(|tray| match tray {
        Some(t) if t.shown == state => {}
        Some(t) => {
            if t.shown.look() != state.look()
                && let Err(e) = t.icon.set_icon(icon(state.look()))
            {
                warn!("tray icon: {e}");
            }
            let _ = t.icon.set_tooltip(Some(tooltip(&state)));
            t.icon.set_menu(Some(Box::new(menu(&state, commands))));
            t.shown = state;
        }
        None => {
            let mut b = TrayIconBuilder::new()
                .with_id("unhunch")
                .with_tooltip(tooltip(&state))
                .with_menu(Box::new(menu(&state, commands)))
                .with_menu_on_left_click(true);
            if let Some(i) = icon(state.look()) {
                b = b.with_icon(i);
            }
            match b.build() {
                Ok(icon) => {
                    info!("tray icon shown");
                    *tray = Some(OnThread { icon, shown: state });
                }
                Err(e) => {
                    warn!("no tray icon ({e}); notifications and `unhunch` commands still work")
                }
            }
        }
    });
}

/// A running tray icon.
pub struct Tray {
    thread: &'static DesktopThread,
    commands: mpsc::UnboundedSender<Command>,
}

impl Tray {
    /// Puts the icon up on the desktop thread. `Err`: no desktop thread.
    pub async fn spawn(
        state: TrayState,
        commands: mpsc::UnboundedSender<Command>,
    ) -> Result<Tray, String> {
        let thread = DesktopThread::get()?;
        MenuEvent::set_event_handler(Some(|e: MenuEvent| {
            if let Ok(a) = ACTIONS.lock()
                && let Some(actions) = a.as_ref()
                && let Some(what) = actions.by_id.get(&e.id.0)
            {
                let _ = actions
                    .commands
                    .send(Command::new(what.clone(), Source::Tray));
            }
        }));
        tray_icon::TrayIconEvent::set_event_handler(Some(|e: tray_icon::TrayIconEvent| {
            if let tray_icon::TrayIconEvent::Click { button, .. } = e {
                tracing::debug!("tray: {button:?} click");
            }
        }));
        let tray = Tray { thread, commands };
        tray.show(state);
        Ok(tray)
    }

    /// Shows `state` if it differs from what is shown; never waits.
    pub fn show(&self, state: TrayState) {
        let commands = self.commands.clone();
        self.thread.run(move || show_on_thread(state, &commands));
    }

    /// Takes the icon down and ends the desktop thread.
    pub async fn shutdown(self) {
        self.thread.run(|| TRAY.with_borrow_mut(|t| *t = None));
        self.thread.quit();
        // Let the thread take the icon down before the process ends.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
