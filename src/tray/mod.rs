//! The tray icon and its menu: a StatusNotifierItem with a dbusmenu, served
//! by `ksni` on our tokio runtime (pure Rust over D-Bus: no GTK, no X
//! connection, no thread of its own). It renders a [`TrayState`] and turns
//! clicks into [`Action`]s; it decides nothing.
//!
//! Without a tray host (GNOME without the AppIndicator extension, a bare
//! session) ksni waits for `org.kde.StatusNotifierWatcher` to appear, driven
//! by D-Bus signals, and registers then.

use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::{SignedDuration, ZonedDateTime};
use ksni::menu::{MenuItem, StandardItem, SubMenu};
use ksni::{Category, Icon, Status, ToolTip, TrayMethods};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::core::Answer;
use crate::core::time::when;

/// What the tray shows. Equal states render equal menus, so the daemon
/// pushes a state only when it differs from the last one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrayState {
    /// The next reminder and when.
    pub next: Option<(String, ZonedDateTime)>,
    /// Reminders showing now: id, title, snooze label.
    pub pending: Vec<(String, String, String)>,
    /// Enabled reminders, for "Take a break now": id, title.
    pub reminders: Vec<(String, String)>,
    /// `Some(None)`: paused until resumed; `Some(Some(t))`: until `t`.
    pub paused: Option<Option<ZonedDateTime>>,
    /// Answers on `date`: done, and all that ended a showing.
    pub today: (Date, u32, u32),
    /// The local date "now" is on when the state was made.
    pub date: Date,
    /// Away (screen locked, idle, asleep) since when.
    pub away_since: Option<ZonedDateTime>,
    /// What holds reminders back: "do-not-disturb is on", "a window is fullscreen".
    pub held_by: Vec<&'static str>,
}

/// What a click asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Answer { id: String, answer: Answer },
    Trigger(String),
    PauseFor(SignedDuration),
    PauseUntilTomorrow,
    Resume,
    EditConfig,
    Quit,
}

/// Menu labels treat `_` as a mnemonic marker; keep underscores literal.
fn label(s: &str) -> String {
    s.replace('_', "__")
}

impl TrayState {
    /// The first line of the menu and the tooltip.
    pub fn headline(&self) -> String {
        match &self.paused {
            Some(None) => "Paused until you resume".into(),
            Some(Some(until)) => {
                let tomorrow = self.date.tomorrow().ok();
                if Some(until.date()) == tomorrow && until.strftime("%H:%M").to_string() == "00:00"
                {
                    "Paused until tomorrow".into()
                } else {
                    format!("Paused until {}", when(until, self.date))
                }
            }
            None => match &self.next {
                Some((title, at)) => format!("Next: {title} at {}", when(at, self.date)),
                None if !self.pending.is_empty() => "Nothing else scheduled".into(),
                None => "Nothing scheduled".into(),
            },
        }
    }

    /// Why reminders do not show now, if that is because of presence.
    pub fn presence_line(&self) -> Option<String> {
        if let Some(since) = &self.away_since {
            return Some(format!(
                "Away since {}: counted as a break",
                when(since, self.date)
            ));
        }
        (!self.held_by.is_empty()).then(|| format!("Waiting while {}", self.held_by.join(" and ")))
    }

    pub fn today_line(&self) -> String {
        let (date, done, total) = self.today;
        if date != self.date || total == 0 {
            "Today: nothing yet".into()
        } else {
            format!("Today: {done} of {total} done")
        }
    }

    fn menu(&self) -> Vec<MenuItem<UnhunchTray>> {
        let mut items: Vec<MenuItem<UnhunchTray>> = vec![disabled(&self.headline())];
        if let Some(line) = self.presence_line() {
            items.push(disabled(&line));
        }
        for (id, title, snooze) in &self.pending {
            items.push(MenuItem::Separator);
            items.push(disabled(&format!("{title} — due now")));
            let answers = [
                ("Done", Answer::Done),
                (snooze.as_str(), Answer::Snooze(None)),
                ("Skip", Answer::Skip),
            ];
            for (text, answer) in answers {
                let id = id.clone();
                items.push(item(&format!("    {text}"), move || Action::Answer {
                    id: id.clone(),
                    answer,
                }));
            }
        }
        items.push(MenuItem::Separator);
        if !self.reminders.is_empty() {
            let sub = self
                .reminders
                .iter()
                .map(|(id, title)| {
                    let id = id.clone();
                    item(title, move || Action::Trigger(id.clone()))
                })
                .collect();
            items.push(MenuItem::SubMenu(SubMenu {
                label: "Take a break now".into(),
                submenu: sub,
                ..Default::default()
            }));
        }
        let pause = vec![
            item("30 minutes", || {
                Action::PauseFor(SignedDuration::from_mins(30))
            }),
            item("1 hour", || Action::PauseFor(SignedDuration::from_hours(1))),
            item("2 hours", || {
                Action::PauseFor(SignedDuration::from_hours(2))
            }),
            item("Until tomorrow", || Action::PauseUntilTomorrow),
        ];
        items.push(MenuItem::SubMenu(SubMenu {
            label: "Pause".into(),
            submenu: pause,
            ..Default::default()
        }));
        if self.paused.is_some() {
            items.push(item("Resume", || Action::Resume));
        }
        items.push(MenuItem::Separator);
        items.push(disabled(&self.today_line()));
        items.push(item("Edit schedule…", || Action::EditConfig));
        items.push(MenuItem::Separator);
        items.push(item("Quit", || Action::Quit));
        items
    }
}

fn disabled(text: &str) -> MenuItem<UnhunchTray> {
    MenuItem::Standard(StandardItem {
        label: label(text),
        enabled: false,
        ..Default::default()
    })
}

fn item(text: &str, action: impl Fn() -> Action + Send + Sync + 'static) -> MenuItem<UnhunchTray> {
    MenuItem::Standard(StandardItem {
        label: label(text),
        activate: Box::new(move |t: &mut UnhunchTray| {
            let _ = t.actions.send(action());
        }),
        ..Default::default()
    })
}

pub struct UnhunchTray {
    state: TrayState,
    actions: mpsc::UnboundedSender<Action>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Look {
    Normal,
    Pending,
    Paused,
}

const SIZES: [i32; 4] = [16, 22, 32, 48];

macro_rules! rgba {
    ($state:literal) => {
        [
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-16.rgba"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-22.rgba"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-32.rgba"
            ))
            .as_slice(),
            include_bytes!(concat!(
                "../../packaging/icons/tray/unhunch-",
                $state,
                "-48.rgba"
            ))
            .as_slice(),
        ]
    };
}

/// RGBA rows (as rendered by `scripts/icons`) to SNI's ARGB32, network order.
pub fn to_argb(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect()
}

fn pixmaps(look: Look) -> Vec<Icon> {
    static ICONS: OnceLock<[Vec<Icon>; 3]> = OnceLock::new();
    let all = ICONS.get_or_init(|| {
        let make = |raw: [&[u8]; 4]| {
            SIZES
                .iter()
                .zip(raw)
                .map(|(s, d)| Icon {
                    width: *s,
                    height: *s,
                    data: to_argb(d),
                })
                .collect::<Vec<_>>()
        };
        [
            make(rgba!("normal")),
            make(rgba!("pending")),
            make(rgba!("paused")),
        ]
    });
    all[look as usize].clone()
}

impl UnhunchTray {
    fn look(&self) -> Look {
        if !self.state.pending.is_empty() {
            Look::Pending
        } else if self.state.paused.is_some() {
            Look::Paused
        } else {
            Look::Normal
        }
    }
}

impl ksni::Tray for UnhunchTray {
    // A left click opens the menu, as in most tray apps.
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
        pixmaps(self.look())
    }

    fn attention_icon_pixmap(&self) -> Vec<Icon> {
        pixmaps(Look::Pending)
    }

    fn tool_tip(&self) -> ToolTip {
        let mut description = self.state.headline();
        if let Some(line) = self.state.presence_line() {
            description.push('\n');
            description.push_str(&line);
        }
        for (_, title, _) in &self.state.pending {
            description.push_str(&format!("\n{title} — due now"));
        }
        ToolTip {
            title: "unhunch".into(),
            description,
            ..Default::default()
        }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        self.state.menu()
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

/// A running tray icon.
pub struct Tray {
    handle: ksni::Handle<UnhunchTray>,
    last: TrayState,
}

impl Tray {
    /// Puts the icon up (or waits for a tray host). `Err`: no session bus.
    pub async fn spawn(
        state: TrayState,
        actions: mpsc::UnboundedSender<Action>,
    ) -> Result<Tray, String> {
        let tray = UnhunchTray {
            state: state.clone(),
            actions,
        };
        let handle = tray
            .assume_sni_available(true)
            .spawn()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Tray {
            handle,
            last: state,
        })
    }

    /// Shows `state` if it differs from what is shown.
    pub async fn show(&mut self, state: TrayState) {
        if state == self.last {
            return;
        }
        self.last = state.clone();
        self.handle.update(move |t| t.state = state).await;
    }

    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> ZonedDateTime {
        s.parse().unwrap()
    }

    #[test]
    fn headline_says_when_in_absolute_time() {
        let today = jiff::civil::date(2026, 11, 25);
        let mut s = TrayState {
            date: today,
            ..Default::default()
        };
        assert_eq!(s.headline(), "Nothing scheduled");
        s.pending = vec![("neck".into(), "Neck stretch".into(), "Snooze 10 min".into())];
        assert_eq!(s.headline(), "Nothing else scheduled");
        s.pending.clear();
        s.next = Some(("Neck stretch".into(), at("2026-11-25T14:05[UTC]")));
        assert_eq!(s.headline(), "Next: Neck stretch at 14:05");
        s.next = Some(("Stand up and move".into(), at("2026-11-26T09:45[UTC]")));
        assert_eq!(s.headline(), "Next: Stand up and move at tomorrow 09:45");
        s.next = Some(("Breathe".into(), at("2026-11-30T13:00[UTC]")));
        assert_eq!(s.headline(), "Next: Breathe at Mon 13:00");
        s.paused = Some(Some(at("2026-11-25T15:30[UTC]")));
        assert_eq!(s.headline(), "Paused until 15:30");
        s.paused = Some(Some(at("2026-11-26T00:00[UTC]")));
        assert_eq!(s.headline(), "Paused until tomorrow");
        s.paused = Some(None);
        assert_eq!(s.headline(), "Paused until you resume");
    }

    #[test]
    fn presence_line_says_why_nothing_shows() {
        let today = jiff::civil::date(2026, 11, 25);
        let mut s = TrayState {
            date: today,
            ..Default::default()
        };
        assert_eq!(s.presence_line(), None);
        s.held_by = vec!["do-not-disturb is on", "a window is fullscreen"];
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Waiting while do-not-disturb is on and a window is fullscreen")
        );
        s.away_since = Some(at("2026-11-25T14:02[UTC]"));
        assert_eq!(
            s.presence_line().as_deref(),
            Some("Away since 14:02: counted as a break")
        );
    }

    #[test]
    fn today_line_ignores_counts_of_another_day() {
        let today = jiff::civil::date(2026, 11, 25);
        let mut s = TrayState {
            date: today,
            today: (today, 5, 7),
            ..Default::default()
        };
        assert_eq!(s.today_line(), "Today: 5 of 7 done");
        s.today = (jiff::civil::date(2026, 11, 24), 5, 7);
        assert_eq!(s.today_line(), "Today: nothing yet");
    }

    #[test]
    fn pixmaps_are_whole_and_argb() {
        for look in [Look::Normal, Look::Pending, Look::Paused] {
            for icon in pixmaps(look) {
                assert_eq!(icon.data.len() as i32, icon.width * icon.height * 4);
            }
        }
        assert_eq!(to_argb(&[1, 2, 3, 4]), vec![4, 1, 2, 3]);
    }
}
