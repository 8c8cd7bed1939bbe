//! Reminders as Windows toasts, with Done / Snooze / Skip buttons whose
//! answers come back to the daemon. Toasts are built and shown with the
//! WinRT toast crate that notify-rust uses on Windows (notify-rust itself
//! gives no way to hear which button was pressed). Each call is WinRT and
//! may block, so it runs on a blocking thread, never in the loop.
//!
//! Toasts need an AppUserModelID the shell knows: unhunch registers its own
//! under `HKCU\Software\Classes\AppUserModelId` (no installer, no shortcut).
//! Where toasts cannot be shown (wine, a system without the notification
//! platform) the log says so once and reminders keep their schedule: the
//! tray and `unhunch done|snooze|skip` answer them, and `doctor` says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jiff::SignedDuration;
use tauri_winrt_notification::{Duration as ToastLength, Scenario, Toast, ToastDismissalReason};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::{Request, Settings};
use crate::core::{Answer, ShowRequest, Source};
use crate::vocab::labels::{APP_NAME, Button, DESKTOP_ID, snooze_label};
use crate::vocab::{Command, What};

/// The notifier task.
pub struct Notifier {
    settings: Settings,
    commands: mpsc::UnboundedSender<Command>,
    /// A toast failed: said once in the log.
    told: Arc<AtomicBool>,
}

/// Text for an XML attribute (the crate does not escape button labels).
fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

/// Registers unhunch's AppUserModelID, so that toasts say "unhunch" and
/// carry its icon. Cheap, and done at every start (the icon's path may move).
fn register_app_id(icon: Option<&std::path::Path>) {
    let key = format!(r"Software\Classes\AppUserModelId\{DESKTOP_ID}");
    let mut values = vec![("DisplayName", APP_NAME.to_string())];
    if let Some(p) = icon {
        values.push(("IconUri", p.display().to_string()));
    }
    for (name, value) in values {
        if let Err(e) = crate::platform::registry::set_string(&key, name, &value) {
            debug!("toasts' app id not registered ({e})");
        }
    }
}

impl Notifier {
    pub fn new(settings: Settings, commands: mpsc::UnboundedSender<Command>) -> Notifier {
        register_app_id(settings.icon.as_deref());
        Notifier {
            settings,
            commands,
            told: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Serves requests until the daemon drops its sender.
    pub async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        while let Some(r) = requests.recv().await {
            match r {
                Request::Show(req) => self.show(req),
                Request::Restore(reqs) => reqs.into_iter().for_each(|r| self.show(r)),
                Request::Alert { summary, body } => {
                    self.put_up(
                        move || Toast::new(DESKTOP_ID).title(&summary).text1(&body),
                        "a message",
                    );
                }
                // Toasts shown cannot be taken back by this crate: one
                // answered elsewhere stays in the notification centre, and
                // its buttons then say nothing (the daemon refuses them).
                Request::Close(id) => debug!("{id}: answered elsewhere; its toast stays"),
                Request::Timeout(t) => self.settings.timeout = t,
                // Routines run in the terminal on Windows (`unhunch guide`).
                Request::Routines(_) | Request::Start(_) => {}
            }
        }
    }

    fn show(&self, req: ShowRequest) {
        let icon = self
            .settings
            .kind_icons
            .as_ref()
            .map(|dir| dir.join(format!("{}.png", req.kind.as_str())));
        let timeout = self.settings.timeout;
        let id = req.id.clone();
        let commands = self.commands.clone();
        let answer = move |a: Answer| {
            let _ = commands.send(Command::new(
                What::Answer {
                    id: Some(id.clone()),
                    answer: a,
                },
                Source::Notification,
            ));
        };
        let what = req.id.clone();
        self.put_up(
            move || {
                let mut toast = Toast::new(DESKTOP_ID).title(&req.title).text1(&req.body);
                if let Some(tip) = &req.tip {
                    toast = toast.text2(tip);
                }
                if let Some(path) = &icon {
                    toast = toast.icon(path, tauri_winrt_notification::IconCrop::Square, "");
                }
                // Zero: stay on screen until answered.
                toast = if timeout.is_zero() {
                    toast.scenario(Scenario::Reminder)
                } else if timeout > SignedDuration::from_secs(10) {
                    toast.duration(ToastLength::Long)
                } else {
                    toast.duration(ToastLength::Short)
                };
                let on_click = answer.clone();
                toast
                    .add_button("Done", Button::Done.key())
                    .add_button(&attr(&snooze_label(req.snooze)), Button::Snooze.key())
                    .add_button("Skip", Button::Skip.key())
                    .on_activated(move |action| {
                        // A click on the toast itself is Done, as on Linux servers.
                        if let Some(a) =
                            Button::from_key(action.as_deref().unwrap_or(Button::Default.key()))
                                .and_then(Button::answer)
                        {
                            on_click(a);
                        }
                        Ok(())
                    })
                    .on_dismissed(move |reason| {
                        // Timed out: the toast went to the notification
                        // centre, where its buttons still answer; not an
                        // answer yet.
                        if reason == Some(ToastDismissalReason::UserCanceled) {
                            answer(Answer::Dismissed);
                        }
                        Ok(())
                    })
            },
            &what,
        );
    }

    /// Builds and shows a toast on a blocking thread (WinRT objects stay
    /// on it); a failure is said once.
    fn put_up(&self, toast: impl FnOnce() -> Toast + Send + 'static, what: &str) {
        let told = self.told.clone();
        let what = what.to_string();
        tokio::task::spawn_blocking(move || match toast().show() {
            Ok(()) => debug!("{what}: toast shown"),
            Err(e) => {
                if !told.swap(true, Ordering::Relaxed) {
                    warn!(
                        "toasts cannot be shown here ({e}): reminders keep their schedule; answer them from the tray or with `unhunch done`, `snooze` or `skip`"
                    );
                } else {
                    debug!("{what}: no toast ({e})");
                }
            }
        });
    }
}

/// Whether toasts can be shown (for `doctor`): `Err` says why not.
pub fn available() -> Result<(), String> {
    use windows::UI::Notifications::ToastNotificationManager;
    use windows::core::HSTRING;
    ToastNotificationManager::CreateToastNotifierWithId(&HSTRING::from(DESKTOP_ID))
        .map(|_| ())
        .map_err(|e| e.to_string())
}
