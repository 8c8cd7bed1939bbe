//! The tray icon and its menu: a StatusNotifierItem with a dbusmenu, served
//! by `ksni` on our tokio runtime (pure Rust over D-Bus: no GTK, no X
//! connection, no thread of its own). It renders a [`TrayState`] and turns
//! clicks into [`Command`]s; it decides nothing.
//!
//! Without a tray host (GNOME without the AppIndicator extension, a bare
//! session) ksni waits for `org.kde.StatusNotifierWatcher` to appear, driven
//! by D-Bus signals, and registers then.

use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::{SignedDuration, ZonedDateTime};
use ksni::menu::{MenuItem, StandardItem, SubMenu};
use ksni::{Category, Icon, Status, ToolTip, TrayMethods};
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

use crate::core::stats::Today;
use crate::core::time::when;
use crate::core::{Answer, HoldReason, Source};
use crate::ipc::protocol::PauseEnd;
use crate::ipc::reply::Fallback;
use crate::ipc::{Command, What};

/// What the tray shows. Equal states render equal menus, so a state is
/// pushed only when it differs from the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct TrayState {
    /// The next reminder and when.
    pub next: Option<NextUp>,
    /// Reminders showing now.
    pub pending: Vec<PendingItem>,
    /// Enabled reminders, for "Take a break now".
    pub reminders: Vec<ReminderItem>,
    /// `Some(None)`: paused until resumed; `Some(Some(t))`: until `t`.
    pub paused: Option<Option<ZonedDateTime>>,
    pub today: Today,
    /// The local date "now" is on when the state was made.
    pub date: Date,
    /// Away (screen locked, idle, asleep) since when.
    pub away_since: Option<ZonedDateTime>,
    /// What holds reminders back.
    pub held_by: Vec<HoldReason>,
    /// The config file cannot be used; what runs instead.
    pub config_warning: Option<Fallback>,
}

impl TrayState {
    /// Nothing to show yet, on `date`.
    pub fn empty(date: Date) -> TrayState {
        TrayState {
            next: None,
            pending: Vec::new(),
            reminders: Vec::new(),
            paused: None,
            today: Today::new(date),
            date,
            away_since: None,
            held_by: Vec::new(),
            config_warning: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NextUp {
    pub title: String,
    pub at: ZonedDateTime,
}

/// A reminder showing now, with its answers.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingItem {
    pub id: String,
    pub title: String,
    /// "Snooze 10 min".
    pub snooze_label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReminderItem {
    pub id: String,
    pub title: String,
    pub kind: crate::core::Kind,
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
                Some(n) => format!("Next: {} at {}", n.title, when(&n.at, self.date)),
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
        let held: Vec<&str> = self.held_by.iter().map(|h| h.describe()).collect();
        (!held.is_empty()).then(|| format!("Waiting while {}", held.join(" and ")))
    }

    /// The warning of a config file that cannot be used.
    pub fn warning_line(&self) -> Option<&'static str> {
        self.config_warning.map(|f| match f {
            Fallback::LastGood => "Config error: running the last good schedule",
            Fallback::Unchanged => "Config error: the schedule is unchanged",
            Fallback::Nothing => "Config error: no reminders until it is fixed",
        })
    }

    /// The tooltip: warning, what comes next, why nothing shows, what is
    /// due, today's tally.
    pub fn overview(&self) -> String {
        let mut lines: Vec<String> = self
            .warning_line()
            .map(str::to_string)
            .into_iter()
            .collect();
        lines.push(self.headline());
        lines.extend(self.presence_line());
        lines.extend(
            self.pending
                .iter()
                .map(|p| format!("{} — due now", p.title)),
        );
        lines.push(self.today_line());
        lines.join("\n")
    }

    pub fn today_line(&self) -> String {
        let today = self.today.on(self.date);
        if today.total == 0 {
            "Today: nothing yet".into()
        } else {
            format!("Today: {} of {} done", today.done, today.total)
        }
    }

    fn menu(&self) -> Vec<MenuItem<UnhunchTray>> {
        let mut items: Vec<MenuItem<UnhunchTray>> = Vec::new();
        if let Some(w) = self.warning_line() {
            items.push(item(&format!("⚠ {w}…"), What::EditConfig));
        }
        items.push(disabled(&self.headline()));
        if let Some(line) = self.presence_line() {
            items.push(disabled(&line));
        }
        for p in &self.pending {
            items.push(MenuItem::Separator);
            items.push(disabled(&format!("{} — due now", p.title)));
            let answers = [
                ("Done", Answer::Done),
                (p.snooze_label.as_str(), Answer::Snooze(None)),
                ("Skip", Answer::Skip),
            ];
            for (text, answer) in answers {
                items.push(item(
                    &format!("    {text}"),
                    What::Answer {
                        id: Some(p.id.clone()),
                        answer,
                    },
                ));
            }
        }
        items.push(MenuItem::Separator);
        if !self.reminders.is_empty() {
            let sub = self
                .reminders
                .iter()
                .map(|r| {
                    let mut entry = item(&r.title, What::Trigger { id: r.id.clone() });
                    if let MenuItem::Standard(s) = &mut entry {
                        s.icon_data = crate::notify::kind_icon_small(r.kind).to_vec();
                    }
                    entry
                })
                .collect();
            items.push(MenuItem::SubMenu(SubMenu {
                label: "Take a break now".into(),
                submenu: sub,
                ..Default::default()
            }));
        }
        let pause_for = |d| What::Pause(PauseEnd::For(d));
        let pause = vec![
            item("30 minutes", pause_for(SignedDuration::from_mins(30))),
            item("1 hour", pause_for(SignedDuration::from_hours(1))),
            item("2 hours", pause_for(SignedDuration::from_hours(2))),
            item("Until tomorrow", What::Pause(PauseEnd::Tomorrow)),
        ];
        items.push(MenuItem::SubMenu(SubMenu {
            label: "Pause".into(),
            submenu: pause,
            ..Default::default()
        }));
        if self.paused.is_some() {
            items.push(item("Resume", What::Resume));
        }
        items.push(MenuItem::Separator);
        items.push(disabled(&self.today_line()));
        items.push(item("Edit schedule…", What::EditConfig));
        items.push(MenuItem::Separator);
        items.push(item("Quit", What::Stop));
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

/// A menu item that sends the daemon `what`.
fn item(text: &str, what: What) -> MenuItem<UnhunchTray> {
    MenuItem::Standard(StandardItem {
        label: label(text),
        activate: Box::new(move |t: &mut UnhunchTray| {
            let _ = t.commands.send(Command::new(what.clone(), Source::Tray));
        }),
        ..Default::default()
    })
}

pub struct UnhunchTray {
    state: TrayState,
    commands: mpsc::UnboundedSender<Command>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Look {
    Normal,
    Pending,
    Paused,
    Warning,
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
    static ICONS: OnceLock<[Vec<Icon>; 4]> = OnceLock::new();
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
            make(rgba!("warning")),
        ]
    });
    all[look as usize].clone()
}

impl UnhunchTray {
    fn look(&self) -> Look {
        if !self.state.pending.is_empty() {
            Look::Pending
        } else if self.state.config_warning.is_some() {
            Look::Warning
        } else if self.state.paused.is_some() {
            Look::Paused
        } else {
            Look::Normal
        }
    }
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
        pixmaps(self.look())
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

/// A running tray icon. States go to it through a watch channel and a task
/// of its own, so the daemon never waits on the tray's D-Bus traffic.
pub struct Tray {
    handle: ksni::Handle<UnhunchTray>,
    state: watch::Sender<TrayState>,
}

impl Tray {
    /// Puts the icon up (or waits for a tray host). `Err`: no session bus.
    pub async fn spawn(
        state: TrayState,
        commands: mpsc::UnboundedSender<Command>,
    ) -> Result<Tray, ksni::Error> {
        let tray = UnhunchTray {
            state: state.clone(),
            commands,
        };
        let handle = tray.assume_sni_available(true).spawn().await?;
        let (tx, mut rx) = watch::channel(state);
        let h = handle.clone();
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let state = rx.borrow_and_update().clone();
                h.update(move |t| t.state = state).await;
            }
        });
        Ok(Tray { handle, state: tx })
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
        let mut s = TrayState::empty(today);
        assert_eq!(s.headline(), "Nothing scheduled");
        s.pending = vec![PendingItem {
            id: "neck".into(),
            title: "Neck stretch".into(),
            snooze_label: "Snooze 10 min".into(),
        }];
        assert_eq!(s.headline(), "Nothing else scheduled");
        s.pending.clear();
        let next = |title: &str, t: &str| {
            Some(NextUp {
                title: title.into(),
                at: at(t),
            })
        };
        s.next = next("Neck stretch", "2026-11-25T14:05[UTC]");
        assert_eq!(s.headline(), "Next: Neck stretch at 14:05");
        s.next = next("Stand up and move", "2026-11-26T09:45[UTC]");
        assert_eq!(s.headline(), "Next: Stand up and move at tomorrow 09:45");
        s.next = next("Breathe", "2026-11-30T13:00[UTC]");
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
        let mut s = TrayState::empty(today);
        assert_eq!(s.presence_line(), None);
        s.held_by = vec![HoldReason::DoNotDisturb, HoldReason::Fullscreen];
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
        let mut s = TrayState::empty(today);
        s.today = Today {
            date: today,
            done: 5,
            total: 7,
        };
        assert_eq!(s.today_line(), "Today: 5 of 7 done");
        s.today.date = jiff::civil::date(2026, 11, 24);
        assert_eq!(s.today_line(), "Today: nothing yet");
    }

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
