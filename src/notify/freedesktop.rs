//! Desktop notifications over D-Bus (`org.freedesktop.Notifications`).
//!
//! notify-rust builds each notification (hints, urgency, timeout, actions);
//! this module sends it on **one** zbus connection whose signal match rules
//! are registered before the first `Notify`, so no `ActionInvoked` or
//! `NotificationClosed` can slip past, and no connection or thread is spent
//! per notification. It runs as one task: requests come in on a channel,
//! answers go out on another, and nothing here blocks the scheduler.
//!
//! Without a session bus or a notification server it keeps the latest request
//! of each reminder and retries with back-off (only while something waits, so
//! an idle daemon still never wakes), and it re-sends when a server appears.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use notify_rust::{Hint, Notification, Timeout};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use zbus::{Connection, MatchRule, MessageStream, message::Type as MsgType};

use super::{Reach, Request, Settings};
use crate::core::routine::{Cue, Progress, Routine};
use crate::core::{Answer, ShowRequest, Source, Urgency};
use crate::platform::FileWatch;
use crate::vocab::labels::{APP_NAME, Button, DESKTOP_ID, snooze_label};
use crate::vocab::{Command, What};
use crate::wait::{Backoff, or_never};

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerFacts {
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub capabilities: Vec<String>,
}

impl ServerFacts {
    pub fn has(&self, cap: &str) -> bool {
        self.capabilities.iter().any(|c| c == cap)
    }

    /// GNOME's notification-daemon (GNOME Flashback), not GNOME Shell.
    fn is_gnome_notification_daemon(&self) -> bool {
        self.name == "Notification Daemon" && self.vendor == "GNOME"
    }

    /// Whether a progress `value` hint can go with the text: xfce4-notifyd
    /// draws a notification with one as a bare gauge, without its summary
    /// and body (seen with scripts/screenshot), so a routine's step would
    /// not be read there.
    fn shows_value_with_text(&self) -> bool {
        !format!("{} {}", self.name, self.vendor)
            .to_lowercase()
            .contains("xfce")
    }
}

/// The notifications up, as kept in `ids_file`: ids are only meaningful to
/// the server that gave them, so its unique bus name is kept too.
#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct KeptIds {
    server: String,
    ids: std::collections::BTreeMap<String, u32>,
}

/// What the server can do, as far as building a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Caps {
    pub actions: bool,
    /// The body is read as markup: text must be escaped.
    pub markup: bool,
    /// The `resident` hint can be used: GNOME's notification-daemon (3.20)
    /// leaves a resident notification's window on screen for good once a
    /// button was clicked, even after CloseNotification (tests/desktops.rs);
    /// without the hint it closes it itself after the click.
    pub resident: bool,
}

/// Text as a markup body shows it: `&`, `<` and `>` escaped, so a user's
/// "Salt & vinegar, 3 < 4" reads as written and no tag is rendered.
fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The notification for a reminder, built with notify-rust.
fn build(req: &ShowRequest, settings: &Settings, caps: Caps) -> Notification {
    let mut n = Notification::new();
    let body = match &req.tip {
        Some(tip) => format!("{}\n{tip}", req.body),
        None => req.body.clone(),
    };
    // The summary is plain text on every server; only the body may be markup.
    let body = if caps.markup {
        escape_markup(&body)
    } else {
        body
    };
    n.appname(APP_NAME)
        .summary(&req.title)
        .body(&body)
        .hint(Hint::DesktopEntry(DESKTOP_ID.into()))
        .hint(Hint::Category("x-unhunch.reminder".into()))
        .urgency(match req.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        });
    kind_icon(&mut n, settings, req.kind);
    if settings.timeout.is_zero() {
        // Stay until answered; keep it up after a click until we close it.
        n.timeout(Timeout::Never);
        if caps.resident {
            n.hint(Hint::Resident(true));
        }
    } else {
        n.timeout(Timeout::Milliseconds(
            settings.timeout.as_millis().clamp(1, i32::MAX as i128) as u32,
        ));
    }
    if caps.actions {
        n.action(Button::Done.key(), "Done");
        if req.routine.is_some() {
            n.action(Button::Start.key(), "Start");
        }
        // "default" is a click on the body. An empty label keeps servers that
        // draw every action as a button (xfce4-notifyd) from showing two Done.
        // It comes last: lxqt-notificationd leaves it out of its list of
        // actions but counts it when mapping the list's choice back (1.2), so
        // anything after it would be answered as the one before.
        n.action(Button::Snooze.key(), &snooze_label(req.snooze))
            .action(Button::Skip.key(), "Skip")
            .action(Button::Default.key(), "");
    }
    n
}

fn icon(n: &mut Notification, settings: &Settings) {
    match &settings.icon {
        Some(p) => n.icon(&p.display().to_string()),
        None => n.icon(APP_NAME),
    };
}

/// The icon of unhunch's own messages (a config error), from the desktop's
/// theme (the freedesktop icon naming specification).
const WARNING_ICON: &str = "dialog-warning";

/// A reminder's icon: its kind's, else unhunch's.
fn kind_icon(n: &mut Notification, settings: &Settings, kind: crate::core::Kind) {
    match &settings.kind_icons {
        Some(dir) => {
            let path = dir.join(format!("{}.png", kind.as_str()));
            n.icon(&path.display().to_string());
        }
        None => icon(n, settings),
    }
}

/// The answer a close reason stands for (1 expired, 2 dismissed, 3 closed by
/// a call, 4 undefined). `None`: not an answer. `vendor`: the notification
/// server's; MATE's reports its close button (×) as "expired", on a
/// notification that never expires (tests/desktops.rs).
fn answer_for_close(reason: u32, vendor: &str, never_expires: bool) -> Option<Answer> {
    match reason {
        1 if never_expires && vendor == "MATE" => Some(Answer::Dismissed),
        1 => Some(Answer::Expired),
        2 => Some(Answer::Dismissed),
        // Closed by someone's CloseNotification, or for no stated reason: the
        // server took it down, as with a timeout.
        3 | 4 => Some(Answer::Expired),
        _ => None,
    }
}

struct Shown {
    reminder: String,
    request: ShowRequest,
    /// An action came in; the close that follows is not a dismissal.
    answered: bool,
}

struct Bus {
    conn: Connection,
    signals: MessageStream,
    owners: MessageStream,
}

/// The notifier task's state.
pub struct Notifier {
    settings: Settings,
    bus: Option<Bus>,
    server: Option<ServerFacts>,
    told_no_actions: bool,
    shown: HashMap<u32, Shown>,
    /// Requests not delivered yet (no bus or no server), newest per reminder.
    waiting: Vec<ShowRequest>,
    /// The unique bus name of the notification server.
    owner: Option<String>,
    /// The notifications a previous run left up, by reminder (its server's
    /// name and ids): replaced by the re-shown ones, or closed.
    left: Option<KeptIds>,
    /// What `ids_file` holds now.
    kept: KeptIds,
    alert: Option<(u32, String, String)>,
    alert_waiting: bool,
    backoff: Backoff,
    /// Answers given on notifications go to the daemon as commands.
    commands: mpsc::UnboundedSender<Command>,
    /// What a notification's Start can run.
    routines: Vec<Routine>,
    /// The routine running in a notification, if one is.
    running: Option<Running>,
    /// A reminder whose routine is to start once its notification is up.
    start_when_up: Option<String>,
    /// Notifications showing a routine's last update: the daemon's Close
    /// (after the answer) leaves them, and they expire by themselves.
    finishing: Vec<u32>,
    /// With no session bus: its socket's directory, watched for the bus
    /// to appear (a desktop session started after the daemon).
    bus_watch: Option<FileWatch>,
}

/// A guided routine running in a reminder's notification, replaced in
/// place once per phase.
struct Running {
    nid: u32,
    reminder: String,
    kind: crate::core::Kind,
    title: String,
    routine: Routine,
    phases: Vec<Cue>,
    /// The phases shown so far (the one showing now is the last of them).
    shown: usize,
    started: tokio::time::Instant,
}

/// How often a step's time left is brought up to date, in seconds: slow
/// enough for every server (KDE Plasma's limits replacements), often
/// enough to read as a countdown.
const TICK: u32 = 10;

impl Running {
    /// When the next update is due: the step showing's next tick (its time
    /// left), or its end.
    fn next(&self) -> tokio::time::Instant {
        let at = self.shown.checked_sub(1).map_or(0, |i| {
            let p = &self.phases[i];
            let end = p.starts_at.saturating_add(p.seconds);
            let into = self.elapsed().saturating_sub(p.starts_at);
            let tick = p.starts_at.saturating_add((into / TICK + 1) * TICK);
            tick.min(end)
        });
        self.started + Duration::from_secs(u64::from(at))
    }

    /// Whole seconds since the routine began, rounded: a wake a moment
    /// early is on time.
    fn elapsed(&self) -> u32 {
        u32::try_from((self.started.elapsed().as_millis() + 500) / 1000).unwrap_or(u32::MAX)
    }

    /// Step `i` with its time left: "2/5 — 45 s left", then its text on a
    /// line of its own. The seconds are padded to the widest and the text
    /// to the longest (at its end, where the padding shows as nothing), so
    /// the notification keeps its width from step to step.
    fn line(&self, i: usize, left: u32) -> String {
        let text_width = self
            .phases
            .iter()
            .map(|p| p.text.chars().count())
            .max()
            .unwrap_or(0);
        let most = self.phases.iter().map(|p| p.seconds).max().unwrap_or(0);
        let digits = most.to_string().len();
        let p = &self.phases[i];
        // No-break spaces after the text, figure spaces (a digit's width)
        // before the number: neither is trimmed or wrapped on.
        format!(
            "{}/{} — {left:\u{2007}>digits$} s left\n{:\u{a0}<text_width$}",
            i + 1,
            self.phases.len(),
            p.text
        )
    }

    fn progress(&self, done: usize) -> Progress {
        Progress {
            routine: self.routine.id.clone(),
            done: u32::try_from(done).unwrap_or(u32::MAX),
            of: u32::try_from(self.phases.len()).unwrap_or(u32::MAX),
            // At most its length: a routine held up (a stopped process,
            // a slow server) spent no more of it than that, and the daemon
            // takes no more.
            seconds: u32::try_from(
                self.started
                    .elapsed()
                    .as_secs()
                    .min(self.routine.length().as_secs().max(0).unsigned_abs()),
            )
            .unwrap_or(u32::MAX),
        }
    }
}

/// A close this soon after Start is the server's own, after the click.
const JUST_STARTED: Duration = Duration::from_secs(2);

/// How long a routine's last update stays up.
const FINISHED_SHOWS: u32 = 10_000;

/// Retries of what waits for a bus or a server: 1 s, doubling to 60 s.
const BACKOFF: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));

impl Notifier {
    pub fn new(settings: Settings, commands: mpsc::UnboundedSender<Command>) -> Notifier {
        Notifier {
            bus: None,
            server: None,
            told_no_actions: false,
            shown: HashMap::new(),
            waiting: Vec::new(),
            owner: None,
            left: settings_ids(&settings),
            kept: KeptIds::default(),
            alert: None,
            alert_waiting: false,
            backoff: BACKOFF,
            commands,
            settings,
            routines: Vec::new(),
            running: None,
            start_when_up: None,
            finishing: Vec::new(),
            bus_watch: None,
        }
    }

    /// Runs until the request channel closes.
    pub async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        self.connect().await;
        loop {
            let retry = !self.waiting.is_empty() || self.alert_waiting;
            let backoff = self.backoff.wait();
            tokio::select! {
                req = requests.recv() => match req {
                    Some(req) => self.request(req).await,
                    None => break,
                },
                msg = or_never(self.bus.as_mut().map(next)) => match msg {
                    Some(Incoming::Signal(m)) => self.signal(m),
                    Some(Incoming::Owner(m)) => self.owner_changed(m).await,
                    None => {
                        warn!("the session bus connection closed; it is opened again for the next reminder");
                        self.bus = None;
                        self.server = None;
                        self.settings.say_reach(Reach::Blocked("the session bus connection closed".into()));
                    }
                },
                appeared = or_never(self.bus_watch.as_mut().map(FileWatch::changed)) => {
                    if let Err(e) = appeared {
                        debug!("the session bus is no longer watched for: {e}");
                        self.bus_watch = None;
                        continue;
                    }
                    // Its socket is bound a moment before it listens.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if self.connect().await {
                        info!("a session bus appeared: reminders can be shown");
                        self.backoff.reset();
                        self.flush().await;
                    }
                }
                () = or_never(self.running.as_ref().map(|r| tokio::time::sleep_until(r.next()))) => {
                    self.advance().await;
                }
                _ = tokio::time::sleep(backoff), if retry => {
                    self.backoff.next_wait();
                    debug!("retrying {} waiting notification(s)", self.waiting.len());
                    self.flush().await;
                }
            }
            self.keep_ids();
        }
    }

    /// Writes the ids of the notifications up, when they changed (a few
    /// bytes in the runtime directory, a tmpfs).
    fn keep_ids(&mut self) {
        let Some(file) = &self.settings.ids_file else {
            return;
        };
        let now = KeptIds {
            server: self.owner.clone().unwrap_or_default(),
            ids: self
                .shown
                .iter()
                .map(|(nid, s)| (s.reminder.clone(), *nid))
                .collect(),
        };
        if now == self.kept {
            return;
        }
        let text = serde_json::to_string(&now).unwrap_or_default();
        if let Err(e) = std::fs::write(file, text) {
            debug!("notification ids not kept in {}: {e}", file.display());
        }
        self.kept = now;
    }

    /// The notifications of a previous run: those of reminders shown again
    /// are replaced in place; the others are closed. Only on the server
    /// that gave the ids (another would have given them to others).
    async fn restore(&mut self, requests: Vec<ShowRequest>) {
        if self.connect().await && self.server.is_none() {
            self.refresh_server().await;
        }
        if let Some(left) = self.left.take()
            && self.owner.as_deref() == Some(left.server.as_str())
        {
            for (reminder, nid) in left.ids {
                match requests.iter().find(|r| r.id == reminder) {
                    Some(req) => {
                        debug!(reminder = %reminder, "notification {nid} of the last run: replaced");
                        self.shown.insert(
                            nid,
                            Shown {
                                reminder,
                                request: req.clone(),
                                answered: false,
                            },
                        );
                    }
                    None => {
                        info!(reminder = %reminder, "closing notification {nid} of the last run");
                        self.close(nid).await;
                    }
                }
            }
        }
        for r in requests {
            self.waiting.retain(|w| w.id != r.id);
            self.waiting.push(r);
        }
        self.flush().await;
    }

    async fn connect(&mut self) -> bool {
        if self.bus.is_some() {
            return true;
        }
        let e = match open_bus().await {
            Ok(bus) => {
                self.bus = Some(bus);
                self.bus_watch = None;
                self.refresh_server().await;
                return true;
            }
            Err(e) => e,
        };
        let told = matches!(&*self.settings.reach.borrow(), Reach::Blocked(_));
        if !told {
            warn!("no D-Bus session bus for notifications ({e}); reminders wait and are retried");
        } else {
            debug!(
                "still no D-Bus session bus ({e}); next try in {:?}",
                self.backoff.wait()
            );
        }
        let why = match std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            None => format!(
                "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set, and none is at the usual place ({e}); \
                 was unhunch started outside a desktop session (ssh, a console)?"
            ),
            Some(_) => format!("the D-Bus session bus cannot be reached ({e})"),
        };
        self.settings.say_reach(Reach::Blocked(why));
        if self.bus_watch.is_none() {
            // Woken when the bus's socket appears: no polling meanwhile.
            self.bus_watch = crate::platform::bus::watch_session();
        }
        false
    }

    /// Asks the server who it is and what it can do.
    async fn refresh_server(&mut self) {
        let Some(bus) = &self.bus else { return };
        match server_facts(&bus.conn).await {
            Ok(facts) => {
                info!(
                    "notification server: {} {} ({}), capabilities: {}",
                    facts.name,
                    facts.version,
                    facts.vendor,
                    facts.capabilities.join(" ")
                );
                if !facts.has("actions") && !self.told_no_actions {
                    warn!(
                        "the notification server {} shows no buttons: answer from the tray menu or with `unhunch done`",
                        facts.name
                    );
                    self.told_no_actions = true;
                }
                self.settings
                    .say_reach(Reach::Server(format!("{} {}", facts.name, facts.version)));
                self.server = Some(facts);
                self.owner = name_owner(&bus.conn).await;
            }
            Err(e) => {
                debug!("no notification server yet: {e}");
                self.settings.say_reach(Reach::Blocked(format!(
                    "no notification server answers on the session bus ({e})"
                )));
                self.server = None;
            }
        }
    }

    /// What the server can do; before it has said, buttons and no markup.
    fn caps(&self) -> Caps {
        Caps {
            actions: self.server.as_ref().is_none_or(|s| s.has("actions")),
            markup: self.server.as_ref().is_some_and(|s| s.has("body-markup")),
            resident: !self
                .server
                .as_ref()
                .is_some_and(ServerFacts::is_gnome_notification_daemon),
        }
    }

    async fn request(&mut self, req: Request) {
        match req {
            Request::Show(r) => {
                self.waiting.retain(|w| w.id != r.id);
                self.waiting.push(r);
                self.backoff.reset();
                self.flush().await;
            }
            Request::Close(id) => {
                self.waiting.retain(|w| w.id != id);
                let ids: Vec<u32> = self
                    .shown
                    .iter()
                    .filter(|(_, s)| s.reminder == id)
                    .map(|(n, _)| *n)
                    .collect();
                for n in ids {
                    self.shown.remove(&n);
                    if self.running.as_ref().is_some_and(|r| r.nid == n) {
                        // Answered elsewhere (or ignored) while its routine
                        // ran: the routine ends with it.
                        self.running = None;
                    }
                    if let Some(i) = self.finishing.iter().position(|f| *f == n) {
                        self.finishing.remove(i);
                        continue;
                    }
                    self.close(n).await;
                }
            }
            Request::Timeout(t) => self.settings.timeout = t,
            Request::Routines(r) => self.routines = r,
            Request::Start(id) => {
                self.start_when_up = Some(id);
                self.start_waiting();
            }
            Request::Restore(requests) => self.restore(requests).await,
            Request::Alert { summary, body } => {
                let replaces = self.alert.as_ref().map_or(0, |a| a.0);
                self.alert = Some((replaces, summary, body));
                self.alert_waiting = true;
                self.flush().await;
            }
        }
    }

    /// Sends what waits; whatever fails stays for the next retry.
    async fn flush(&mut self) {
        if !self.connect().await {
            return;
        }
        if self.server.is_none() {
            self.refresh_server().await;
        }
        let waiting = std::mem::take(&mut self.waiting);
        for req in waiting {
            let replaces = self
                .shown
                .iter()
                .find(|(_, s)| s.reminder == req.id)
                .map_or(0, |(n, _)| *n);
            let n = build(&req, &self.settings, self.caps());
            match self.send(&n, replaces).await {
                Ok(nid) => {
                    debug!(reminder = %req.id, "notification {nid} up");
                    if let Some(f) = &self.server {
                        self.settings
                            .say_reach(Reach::Server(format!("{} {}", f.name, f.version)));
                    }
                    self.shown.remove(&replaces);
                    self.shown.insert(
                        nid,
                        Shown {
                            reminder: req.id.clone(),
                            request: req,
                            answered: false,
                        },
                    );
                    self.start_waiting();
                }
                Err(e) => {
                    self.settings.say_reach(Reach::Blocked(format!(
                        "the notification server does not take reminders ({e})"
                    )));
                    if self.backoff.is_fresh() {
                        warn!(reminder = %req.id, "notification not delivered ({e}); retrying with back-off");
                    } else {
                        debug!(reminder = %req.id, "still not delivered ({e}); next try in {:?}", self.backoff.wait());
                    }
                    self.waiting.push(req);
                }
            }
        }
        if self.alert_waiting
            && let Some((replaces, summary, body)) = self.alert.clone()
        {
            let mut n = Notification::new();
            let shown = if self.caps().markup {
                escape_markup(&body)
            } else {
                body.clone()
            };
            // A warning, not a reminder: the theme's warning icon, not a
            // kind's.
            n.appname(APP_NAME)
                .summary(&summary)
                .body(&shown)
                .icon(WARNING_ICON)
                .hint(Hint::DesktopEntry(DESKTOP_ID.into()));
            match self.send(&n, replaces).await {
                Ok(nid) => {
                    self.alert = Some((nid, summary, body));
                    self.alert_waiting = false;
                }
                Err(e) => warn!("alert not delivered ({e})"),
            }
        }
        if self.waiting.is_empty() && !self.alert_waiting {
            self.backoff.reset();
        }
    }

    async fn send(&mut self, n: &Notification, replaces: u32) -> zbus::Result<u32> {
        self.send_with(n, replaces, None).await
    }

    /// `send`, with a progress `value` (0 to 100) hint: notify-rust keeps
    /// integer hints where its users cannot read them.
    async fn send_with(
        &mut self,
        n: &Notification,
        replaces: u32,
        value: Option<i32>,
    ) -> zbus::Result<u32> {
        let Some(bus) = &self.bus else {
            return Err(zbus::Error::Failure("no session bus".into()));
        };
        let mut hints: HashMap<&str, zbus::zvariant::Value<'_>> = n
            .hints
            .iter()
            .map(<(&str, zbus::zvariant::Value<'_>)>::from)
            .collect();
        if let Some(v) = value {
            hints.insert("value", zbus::zvariant::Value::I32(v));
        }
        let reply = bus
            .conn
            .call_method(
                Some(NAME),
                PATH,
                Some(NAME),
                "Notify",
                &(
                    &n.appname,
                    replaces,
                    &n.icon,
                    &n.summary,
                    &n.body,
                    &n.actions,
                    hints,
                    i32::from(n.timeout),
                ),
            )
            .await;
        match reply {
            Ok(m) => m.body().deserialize::<u32>(),
            Err(e) => {
                // The server is gone; ask again before the next try.
                self.server = None;
                Err(e)
            }
        }
    }

    async fn close(&self, nid: u32) {
        if let Some(bus) = &self.bus
            && let Err(e) = bus
                .conn
                .call_method(Some(NAME), PATH, Some(NAME), "CloseNotification", &(nid))
                .await
        {
            debug!("CloseNotification({nid}): {e}");
        }
    }

    fn signal(&mut self, msg: zbus::Result<zbus::Message>) {
        let Ok(msg) = msg else { return };
        let header = msg.header();
        let member = header
            .member()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        match member.as_str() {
            "ActionInvoked" => {
                let Ok((nid, key)) = msg.body().deserialize::<(u32, String)>() else {
                    return;
                };
                let Some(s) = self.shown.get_mut(&nid) else {
                    return;
                };
                // One answer per showing: a server that keeps a resident
                // notification up sends a double click as two actions.
                if s.answered {
                    debug!("action \"{key}\" on notification {nid}, answered already: ignored");
                    return;
                }
                let button = Button::from_key(&key);
                if button == Some(Button::Start) {
                    self.start(nid);
                    return;
                }
                if self.running.as_ref().is_some_and(|r| r.nid == nid)
                    && button != Some(Button::Skip)
                {
                    // A click on a running routine's body, say.
                    debug!("action \"{key}\" on a running routine: ignored");
                    return;
                }
                if let Some(r) = self.running.take_if(|r| r.nid == nid) {
                    // Stop, mid-routine: a skip, with how far it got.
                    s.answered = true;
                    debug!(reminder = %r.reminder, "routine stopped at step {}", r.shown);
                    self.guided(&r, Answer::Skip, r.shown.saturating_sub(1));
                    return;
                }
                let Some(answer) = button.and_then(Button::answer) else {
                    debug!("unknown action \"{key}\" on notification {nid}");
                    return;
                };
                s.answered = true;
                let reminder = s.reminder.clone();
                debug!(reminder = %reminder, "action {key}");
                self.answer(reminder, answer);
            }
            "NotificationClosed" => {
                let Ok((nid, reason)) = msg.body().deserialize::<(u32, u32)>() else {
                    return;
                };
                if self.alert.as_ref().is_some_and(|a| a.0 == nid) {
                    self.alert = None;
                    return;
                }
                self.finishing.retain(|f| *f != nid);
                let Some(s) = self.shown.remove(&nid) else {
                    return;
                };
                if s.answered {
                    return;
                }
                if let Some(r) = self.running.as_mut().filter(|r| r.nid == nid) {
                    // Servers that take a notification down after any click
                    // (xfce4-notifyd) close it right after Start: the
                    // routine goes on in a new one. Later, or by the
                    // person's hand, it is a dismissal.
                    if reason != 2 || r.started.elapsed() < JUST_STARTED {
                        debug!(reminder = %r.reminder, "closed by the server after Start: the routine goes on in a new notification");
                        r.nid = 0;
                        self.shown.insert(0, s);
                        return;
                    }
                    if let Some(r) = self.running.take() {
                        debug!(reminder = %r.reminder, "routine closed at step {}", r.shown);
                        self.guided(&r, Answer::Dismissed, r.shown.saturating_sub(1));
                    }
                    return;
                }
                let vendor = self.server.as_ref().map_or("", |f| f.vendor.as_str());
                let never_expires = self.settings.timeout.is_zero();
                if let Some(answer) = answer_for_close(reason, vendor, never_expires) {
                    debug!(reminder = %s.reminder, "closed, reason {reason}");
                    self.answer(s.reminder, answer);
                }
            }
            _ => {}
        }
    }

    /// Starts the routine asked for (the tray's Start) once its reminder's
    /// notification is up.
    fn start_waiting(&mut self) {
        let Some(id) = &self.start_when_up else {
            return;
        };
        if let Some(nid) = self
            .shown
            .iter()
            .find(|(_, s)| &s.reminder == id)
            .map(|(n, _)| *n)
        {
            self.start_when_up = None;
            self.start(nid);
        }
    }

    /// Start: the routine of the reminder on notification `nid` runs in it.
    fn start(&mut self, nid: u32) {
        let Some(s) = self.shown.get(&nid) else {
            return;
        };
        let Some(routine) = s
            .request
            .routine
            .as_ref()
            .and_then(|id| self.routines.iter().find(|r| &r.id == id))
        else {
            debug!(reminder = %s.reminder, "Start, but it has no routine");
            return;
        };
        if self.running.is_some() {
            debug!("a routine runs already: Start ignored");
            return;
        }
        info!(reminder = %s.reminder, "routine {} started", routine.id);
        self.running = Some(Running {
            nid,
            reminder: s.reminder.clone(),
            kind: s.request.kind,
            title: s.request.title.clone(),
            routine: routine.clone(),
            phases: routine.cues(),
            shown: 0,
            started: tokio::time::Instant::now(),
        });
    }

    /// The running routine's next update: its next phase, or its end.
    async fn advance(&mut self) {
        let Some(mut r) = self.running.take() else {
            return;
        };
        let caps = self.caps();
        let n = r.phases.len();
        let elapsed = r.elapsed();
        // The step showing runs on: its time left, on the same notification.
        let current = r.shown.checked_sub(1).filter(|i| {
            let p = &r.phases[*i];
            elapsed < p.starts_at.saturating_add(p.seconds)
        });
        if current.is_some() || r.shown < n {
            let (i, left) = match current {
                Some(i) => {
                    let p = &r.phases[i];
                    (i, p.starts_at + p.seconds - elapsed)
                }
                None => (r.shown, r.phases[r.shown].seconds),
            };
            let total: u32 = r
                .phases
                .last()
                .map_or(1, |p| p.starts_at + p.seconds)
                .max(1);
            let mut note = Notification::new();
            let body = r.line(i, left);
            note.appname(APP_NAME)
                .summary(&format!("{} — {}", r.title, r.routine.title))
                .body(&if caps.markup {
                    escape_markup(&body)
                } else {
                    body
                })
                .hint(Hint::DesktopEntry(DESKTOP_ID.into()))
                .hint(Hint::Category("x-unhunch.routine".into()))
                .timeout(Timeout::Never);
            let done = if current.is_some() {
                elapsed
            } else {
                r.phases[i].starts_at
            };
            let value =
                i32::try_from(u64::from(done.min(total)) * 100 / u64::from(total)).unwrap_or(100);
            kind_icon(&mut note, &self.settings, r.kind);
            if caps.actions {
                note.action(Button::Skip.key(), "Stop");
            }
            match self
                .send_with(&note, r.nid, self.progress_value(value))
                .await
            {
                Ok(nid) => self.moved(&mut r, nid),
                Err(e) => warn!(reminder = %r.reminder, "routine update not shown ({e})"),
            }
            if current.is_none() {
                r.shown += 1;
            }
            self.running = Some(r);
            return;
        }
        // The end: recorded done; a last update says so, then goes.
        info!(reminder = %r.reminder, "routine {} finished", r.routine.id);
        if let Some(s) = self.shown.get_mut(&r.nid) {
            s.answered = true;
        }
        let mut note = Notification::new();
        let body = format!(
            "Done: {} steps in {}. Recorded.",
            n,
            crate::core::time::humane(r.routine.length())
        );
        note.appname(APP_NAME)
            .summary(&format!("{} — {}", r.title, r.routine.title))
            .body(&body)
            .hint(Hint::DesktopEntry(DESKTOP_ID.into()))
            .timeout(Timeout::Milliseconds(FINISHED_SHOWS));
        kind_icon(&mut note, &self.settings, r.kind);
        match self.send_with(&note, r.nid, self.progress_value(100)).await {
            Ok(nid) => {
                self.moved(&mut r, nid);
                self.finishing.push(r.nid);
            }
            Err(e) => warn!(reminder = %r.reminder, "routine's end not shown ({e})"),
        }
        self.guided(&r, Answer::Done, n);
    }

    /// The progress `value` hint for this server: none where it would hide
    /// the text.
    fn progress_value(&self, value: i32) -> Option<i32> {
        self.server
            .as_ref()
            .is_none_or(ServerFacts::shows_value_with_text)
            .then_some(value)
    }

    /// A replaced notification may come back with another id.
    fn moved(&mut self, r: &mut Running, nid: u32) {
        if nid != r.nid
            && let Some(s) = self.shown.remove(&r.nid)
        {
            self.shown.insert(nid, s);
        }
        r.nid = nid;
    }

    /// Tells the daemon how a routine ended.
    fn guided(&self, r: &Running, answer: Answer, done: usize) {
        let what = What::Guided {
            id: r.reminder.clone(),
            answer,
            progress: r.progress(done),
        };
        let _ = self.commands.send(Command::new(what, Source::Notification));
    }

    fn answer(&self, reminder: String, answer: Answer) {
        let what = What::Answer {
            id: Some(reminder),
            answer,
        };
        let _ = self.commands.send(Command::new(what, Source::Notification));
    }

    /// A notification server appeared or went away.
    async fn owner_changed(&mut self, msg: zbus::Result<zbus::Message>) {
        let Ok(msg) = msg else { return };
        let Ok((name, _old, new)) = msg.body().deserialize::<(String, String, String)>() else {
            return;
        };
        if name != NAME {
            return;
        }
        if new.is_empty() {
            warn!("the notification server left the bus; reminders wait for the next one");
            self.server = None;
            self.settings.say_reach(Reach::Blocked(
                "the notification server left the session bus; reminders wait for the next one"
                    .into(),
            ));
            return;
        }
        info!("a notification server appeared ({new})");
        self.refresh_server().await;
        // What was up went with the old server: show it again on the new one.
        for (_, s) in self.shown.drain() {
            if !s.answered && !self.waiting.iter().any(|w| w.id == s.reminder) {
                self.waiting.push(s.request);
            }
        }
        self.backoff.reset();
        self.flush().await;
    }
}

enum Incoming {
    Signal(zbus::Result<zbus::Message>),
    Owner(zbus::Result<zbus::Message>),
}

/// The next message of either of the bus's streams.
async fn next(b: &mut Bus) -> Option<Incoming> {
    tokio::select! {
        m = b.signals.next() => m.map(Incoming::Signal),
        m = b.owners.next() => m.map(Incoming::Owner),
    }
}

async fn open_bus() -> zbus::Result<Bus> {
    let conn = crate::platform::bus::session().await?;
    // Subscribed before anything is sent: no signal can be missed.
    let rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .interface(NAME)?
        .path(PATH)?
        .build();
    let signals = MessageStream::for_match_rule(rule, &conn, Some(64)).await?;
    let owner_rule = MatchRule::builder()
        .msg_type(MsgType::Signal)
        .sender("org.freedesktop.DBus")?
        .interface("org.freedesktop.DBus")?
        .member("NameOwnerChanged")?
        .add_arg(NAME)?
        .build();
    let owners = MessageStream::for_match_rule(owner_rule, &conn, Some(8)).await?;
    Ok(Bus {
        conn,
        signals,
        owners,
    })
}

/// The unique bus name of the notification server.
async fn name_owner(conn: &Connection) -> Option<String> {
    conn.call_method(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        Some("org.freedesktop.DBus"),
        "GetNameOwner",
        &(NAME),
    )
    .await
    .ok()?
    .body()
    .deserialize::<String>()
    .ok()
}

/// The ids a previous run kept, if any.
fn settings_ids(settings: &Settings) -> Option<KeptIds> {
    let text = std::fs::read_to_string(settings.ids_file.as_ref()?).ok()?;
    serde_json::from_str(&text).ok()
}

/// Name, vendor, version and capabilities of the server on `conn`.
pub async fn server_facts(conn: &Connection) -> zbus::Result<ServerFacts> {
    let caps: Vec<String> = conn
        .call_method(Some(NAME), PATH, Some(NAME), "GetCapabilities", &())
        .await?
        .body()
        .deserialize()?;
    let (name, vendor, version, _spec): (String, String, String, String) = conn
        .call_method(Some(NAME), PATH, Some(NAME), "GetServerInformation", &())
        .await?
        .body()
        .deserialize()?;
    Ok(ServerFacts {
        name,
        vendor,
        version,
        capabilities: caps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_markup("Salt & vinegar, 3 < 4 <b>bold</b>"),
            "Salt &amp; vinegar, 3 &lt; 4 &lt;b&gt;bold&lt;/b&gt;"
        );
    }

    #[test]
    fn actions_and_closes_map_to_answers() {
        assert_eq!(answer_for_close(1, "dunst", true), Some(Answer::Expired));
        assert_eq!(answer_for_close(2, "dunst", true), Some(Answer::Dismissed));
        assert_eq!(answer_for_close(99, "dunst", true), None);
        // MATE's close button says "expired" on what cannot expire.
        let mate = "MATE";
        assert_eq!(answer_for_close(1, mate, true), Some(Answer::Dismissed));
        assert_eq!(answer_for_close(1, mate, false), Some(Answer::Expired));
    }
}
