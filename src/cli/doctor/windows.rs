//! `doctor` on Windows: toasts, the tray, the idle time, and the Run key.

use super::{Check, ok, warn};

pub(crate) async fn desktop(_calls_ignore: &[String]) -> Vec<Check> {
    let toasts = match crate::notify::toast::available() {
        Ok(()) => ok("notifications: Windows toasts, with Done, Snooze and Skip buttons"),
        Err(e) => warn(
            format!("notifications: toasts cannot be shown here ({e})"),
            "Reminders keep their schedule: answer them from the tray icon's menu, or with \
             `unhunch done`, `unhunch snooze` or `unhunch skip`.",
        ),
    };
    let idle = match crate::presence::windows::WindowsIdle::idle_now() {
        Some(_) => {
            ok("presence: idle time from GetLastInputInfo; lock, sleep and fullscreen from Windows")
        }
        None => warn(
            "presence: GetLastInputInfo does not answer",
            "Time away from the desk is not counted as a break.",
        ),
    };
    let calls = match crate::presence::windows::capture::now() {
        Ok(apps) if apps.is_empty() => {
            ok("calls: from the capability access store; nothing uses the microphone or camera now")
        }
        Ok(apps) => ok(format!(
            "calls: from the capability access store; {} uses the microphone or camera now (a call)",
            apps.join(", ")
        )),
        Err(e) => warn(
            format!("calls: the capability access store cannot be read ({e})"),
            "Reminders may show during a call (Windows 10 1903 and later keep the store);\n\
             for a meeting, `unhunch pause --for 1h`.",
        ),
    };
    vec![
        toasts,
        ok("tray: the notification area (tray-icon)"),
        idle,
        calls,
    ]
}

pub(crate) fn autostart() -> Check {
    match crate::login::entry() {
        Ok(Some(line)) => ok(format!(
            r"autostart: HKCU\{}\{} runs {line}",
            crate::login::RUN_KEY,
            crate::login::VALUE
        )),
        Ok(None) => warn(
            "autostart: unhunch does not start at login",
            "Install it with `unhunch service install`.",
        ),
        Err(e) => warn(format!("autostart: {e:#}"), "Check the registry."),
    }
}
