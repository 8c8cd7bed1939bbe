//! Idle on Wayland compositors other than GNOME's, from the compositor
//! itself: `ext_idle_notifier_v1` where offered (sway 1.8+, KWin 5.27+,
//! Hyprland, niri, COSMIC, labwc, …), else KDE's `org_kde_kwin_idle` (KWin
//! 5.x, sway before 1.8). Both are notifications armed with a timeout
//! (`away_after`): the compositor says "idle" once no input came for that
//! long, and "resumed" at the next input. So nothing here polls: the
//! connection's socket wakes this task only when the compositor speaks.
//!
//! An idle inhibitor (a video playing) keeps both kinds from going idle, so
//! the person counts as present; with `idle_inhibitors = "ignore"` the
//! input-only notification of `ext_idle_notifier_v1` version 2 is used where
//! offered.
//!
//! Where the compositor offers wlroots' `zwlr_foreign_toplevel_manager_v1`
//! (sway, Hyprland, labwc, …), the same connection follows the windows: the
//! active one's fullscreen state holds reminders, as on X11.
//!
//! A compositor that goes away is connected to again with the back-off.

use std::collections::HashMap;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::watch;
use tracing::{debug, info, warn};
use wayland_client::backend::{ObjectId, WaylandError};
use wayland_client::protocol::{wl_callback, wl_registry, wl_seat};
use wayland_client::{
    Connection, Dispatch, DispatchError, EventQueue, Proxy, QueueHandle, event_created_child,
};
use wayland_protocols::ext::idle_notify::v1::client::{
    ext_idle_notification_v1::{self as ext_note, ExtIdleNotificationV1},
    ext_idle_notifier_v1::ExtIdleNotifierV1,
};
use wayland_protocols_plasma::idle::client::{
    org_kde_kwin_idle::OrgKdeKwinIdle,
    org_kde_kwin_idle_timeout::{self as kde_note, OrgKdeKwinIdleTimeout},
};
use wayland_protocols_wlr::foreign_toplevel::v1::client::{
    zwlr_foreign_toplevel_handle_v1::{self as toplevel, ZwlrForeignToplevelHandleV1},
    zwlr_foreign_toplevel_manager_v1::{self as toplevels, ZwlrForeignToplevelManagerV1},
};

use super::{IdleSource, Sample, Watch};
use crate::wait::Backoff;

/// A compositor that went away: tried again after 1 s, doubling to 5
/// minutes (a compositor that ends usually ends the session with it).
const RETRY: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));

/// The first roundtrip (the list of globals) takes this long at most.
const GREETING: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no Wayland display (WAYLAND_DISPLAY, XDG_RUNTIME_DIR)")]
    NoDisplay,
    #[error("cannot connect to {}: {error}", path.display())]
    Connect { path: PathBuf, error: io::Error },
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Wayland(#[from] WaylandError),
    #[error("{0}")]
    Dispatch(#[from] DispatchError),
    #[error("the compositor did not answer in {} s", GREETING.as_secs())]
    Silent,
    #[error("the compositor offers neither ext_idle_notifier_v1 nor org_kde_kwin_idle")]
    NoProtocol,
    #[error("the compositor offers no seat")]
    NoSeat,
}

/// Which protocol tells the idle time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Ext,
    Kde,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ext => "Wayland's ext_idle_notifier_v1",
            Protocol::Kde => "Wayland's org_kde_kwin_idle",
        }
    }
}

/// What the compositor offers, for `doctor`: the idle protocol with its
/// version, and whether it lists windows (fullscreen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub idle: Protocol,
    pub version: u32,
    pub toplevels: bool,
}

impl Offer {
    /// Whether input can be told apart from idle inhibitors
    /// (`idle_inhibitors = "ignore"` followed).
    pub fn input_only(&self) -> bool {
        self.idle == Protocol::Ext && self.version >= 2
    }
}

/// What the connection's task last saw, for [`IdleSource::sample`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Seen {
    connected: bool,
    /// While the compositor says idle: when the last input was.
    idle: Option<Instant>,
    /// The last return from idle (an input).
    resumed: Option<Instant>,
    /// How many returns so far, over every connection.
    resumes: u64,
    /// The armed notification's timeout; zero with none.
    timeout: Duration,
    /// Whether the active window is fullscreen, where windows are seen.
    fullscreen: Option<bool>,
}

impl Seen {
    /// The time since the last input. While not idle the compositor says
    /// only that some input came within the timeout: the earliest it can
    /// have been is given (a lock is not ended by an input not seen).
    fn idle_time(&self, now: Instant) -> Duration {
        match self.idle {
            Some(last) => now.saturating_duration_since(last),
            None => {
                let most = self.timeout.saturating_sub(Duration::from_millis(1));
                self.resumed
                    .map_or(most, |r| now.saturating_duration_since(r).min(most))
            }
        }
    }
}

/// The compositor's idle notifications (and windows), followed by a task.
pub struct WaylandIdle {
    protocol: Protocol,
    want: watch::Sender<Option<Watch>>,
    seen: watch::Receiver<Seen>,
    /// `resumes` and `fullscreen` as of the last sample: a change after it
    /// is news, even if it came before the daemon started waiting.
    sampled: std::sync::Mutex<(u64, Option<bool>)>,
}

impl WaylandIdle {
    /// The source, if the compositor offers an idle protocol.
    pub async fn connect() -> Option<WaylandIdle> {
        let link = match Link::open().await {
            Ok(link) => link,
            Err(e) => {
                debug!("no Wayland idle notifications: {e}");
                return None;
            }
        };
        let protocol = link.offer().idle;
        let (want, wanted) = watch::channel(None);
        let (saw, seen) = watch::channel(Seen::default());
        tokio::spawn(run(link, wanted, saw));
        Some(WaylandIdle {
            protocol,
            want,
            seen,
            sampled: std::sync::Mutex::new((0, None)),
        })
    }
}

impl IdleSource for WaylandIdle {
    fn name(&self) -> &'static str {
        self.protocol.name()
    }

    fn watch(&self, what: Watch) {
        self.want.send_if_modified(|w| {
            let changed = *w != Some(what);
            *w = Some(what);
            changed
        });
    }

    /// No roundtrip: the task keeps what the compositor said. `None` while
    /// it is away.
    fn sample(&self) -> BoxFuture<'_, Option<Sample>> {
        let seen = *self.seen.borrow();
        if let Ok(mut s) = self.sampled.lock() {
            *s = (seen.resumes, seen.fullscreen);
        }
        let sample = seen.connected.then(|| Sample {
            idle: seen.idle_time(Instant::now()),
            fullscreen: seen.fullscreen,
        });
        Box::pin(std::future::ready(sample))
    }

    /// Resolves at the compositor's "resumed" (or a change of fullscreen)
    /// since the last sample.
    fn next_input(&self) -> Option<BoxFuture<'_, ()>> {
        let mut seen = self.seen.clone();
        let (resumes, fullscreen) = *self.sampled.lock().ok()?;
        Some(Box::pin(async move {
            let _ = seen
                .wait_for(|s| s.resumes != resumes || s.fullscreen != fullscreen)
                .await;
        }))
    }

    fn signals_fullscreen(&self) -> bool {
        self.seen.borrow().fullscreen.is_some()
    }
}

/// What the compositor offers, asked once (`doctor`).
pub async fn probe() -> Result<Offer, Error> {
    Link::open().await.map(|l| l.offer())
}

/// Follows the compositor for as long as the source lives, connecting
/// again after it went away.
async fn run(mut link: Link, mut want: watch::Receiver<Option<Watch>>, seen: watch::Sender<Seen>) {
    let mut retry = RETRY;
    loop {
        let result = link.follow(&mut want, &seen).await;
        drop(link);
        seen.send_modify(|s| {
            s.connected = false;
            s.fullscreen = None;
        });
        match result {
            Ok(()) => return,
            Err(e) => warn!(
                "idle: the Wayland compositor went away ({e}); connecting again in {} s",
                retry.wait().as_secs()
            ),
        }
        link = loop {
            tokio::select! {
                () = tokio::time::sleep(retry.next_wait()) => {}
                () = seen.closed() => return,
            }
            match Link::open().await {
                Ok(link) => break link,
                Err(e) => debug!(
                    "idle: no Wayland compositor yet ({e}); again in {} s",
                    retry.wait().as_secs()
                ),
            }
        };
        retry.reset();
        info!("idle: connected to the Wayland compositor again");
    }
}

/// `$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY`, or `WAYLAND_DISPLAY` if absolute.
fn socket_path() -> Option<PathBuf> {
    let name = PathBuf::from(std::env::var_os("WAYLAND_DISPLAY").filter(|v| !v.is_empty())?);
    if name.is_absolute() {
        return Some(name);
    }
    let dir = PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?);
    dir.is_absolute().then(|| dir.join(name))
}

enum Notifier {
    Ext(ExtIdleNotifierV1),
    Kde(OrgKdeKwinIdle),
}

enum Note {
    Ext(ExtIdleNotificationV1),
    Kde(OrgKdeKwinIdleTimeout),
}

impl Note {
    fn destroy(self) {
        match self {
            Note::Ext(n) => n.destroy(),
            Note::Kde(n) => n.release(),
        }
    }
}

/// One connection to the compositor.
struct Link {
    fd: AsyncFd<OwnedFd>,
    queue: EventQueue<State>,
    state: State,
    seat: wl_seat::WlSeat,
    notifier: Notifier,
    /// The armed notifications, the current one last. While idle, earlier
    /// ones stay until the next input: a new one counts from its creation,
    /// so only they would see the return before its own timeout.
    notes: Vec<(Note, Duration)>,
    toplevels: Option<ZwlrForeignToplevelManagerV1>,
    armed: Option<Watch>,
    _conn: Connection,
}

impl Link {
    async fn open() -> Result<Link, Error> {
        let path = socket_path().ok_or(Error::NoDisplay)?;
        let stream = UnixStream::connect(&path).map_err(|error| Error::Connect { path, error })?;
        let conn = Connection::from_socket(stream)
            .map_err(|e| Error::Io(io::Error::other(e.to_string())))?;
        let mut queue = conn.new_event_queue();
        let qh = queue.handle();
        let display = conn.display();
        let registry = display.get_registry(&qh, ());
        display.sync(&qh, ());
        // A descriptor of our own for the same socket, so tokio's watch
        // cannot outlive it.
        let socket = conn.backend().poll_fd().try_clone_to_owned()?;
        // SAFETY: an OwnedFd is a valid descriptor that stays open and the
        // same for as long as the AsyncFd owns it.
        let fd = unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE) }
            .map_err(io::Error::from)?;
        let mut state = State::default();
        let greeted = async {
            while !state.synced {
                turn(&fd, &mut queue, &mut state).await?;
            }
            Ok::<_, Error>(())
        };
        tokio::time::timeout(GREETING, greeted)
            .await
            .map_err(|_| Error::Silent)??;
        let find = |interface: &str| {
            state
                .globals
                .iter()
                .find(|g| g.interface == interface)
                .map(|g| (g.name, g.version))
        };
        let notifier = if let Some((name, v)) = find(ExtIdleNotifierV1::interface().name) {
            Notifier::Ext(registry.bind(name, v.min(2), &qh, ()))
        } else if let Some((name, _)) = find(OrgKdeKwinIdle::interface().name) {
            Notifier::Kde(registry.bind(name, 1, &qh, ()))
        } else {
            return Err(Error::NoProtocol);
        };
        let (name, _) = find(wl_seat::WlSeat::interface().name).ok_or(Error::NoSeat)?;
        let seat = registry.bind(name, 1, &qh, ());
        let toplevels = find(ZwlrForeignToplevelManagerV1::interface().name)
            // The fullscreen state came in version 2.
            .filter(|(_, v)| *v >= 2)
            .map(|(name, v)| registry.bind(name, v.min(3), &qh, ()));
        Ok(Link {
            fd,
            queue,
            state,
            seat,
            notifier,
            notes: Vec::new(),
            toplevels,
            armed: None,
            _conn: conn,
        })
    }

    fn offer(&self) -> Offer {
        let (idle, version) = match &self.notifier {
            Notifier::Ext(n) => (Protocol::Ext, n.version()),
            Notifier::Kde(n) => (Protocol::Kde, n.version()),
        };
        Offer {
            idle,
            version,
            toplevels: self.toplevels.is_some(),
        }
    }

    /// Said when `idle_inhibitors = "ignore"` cannot be followed here.
    fn ignore_unsupported(&self) -> Option<&'static str> {
        (!self.offer().input_only()).then_some(
            "idle: this compositor cannot tell input from idle inhibitors (it has no \
             ext_idle_notifier_v1 version 2): with idle_inhibitors = \"ignore\", a video \
             keeping the screen awake still counts as present",
        )
    }

    /// Arms a notification for `want` (none for nothing or zero).
    fn arm(&mut self, want: Option<Watch>) {
        if want == self.armed {
            return;
        }
        if let Some(w) = want
            && !w.inhibitors
            && self.armed.is_none_or(|a| a.inhibitors)
            && let Some(why) = self.ignore_unsupported()
        {
            info!("{why}");
        }
        self.armed = want;
        let qh = self.queue.handle();
        let keep = self.state.idle.is_some();
        if !keep {
            for (note, _) in self.notes.drain(..) {
                note.destroy();
            }
        }
        let Some(w) = want.filter(|w| !w.after.is_zero()) else {
            return;
        };
        let ms = u32::try_from(w.after.as_millis()).unwrap_or(u32::MAX);
        let timeout = Duration::from_millis(ms.into());
        let note = match &self.notifier {
            Notifier::Ext(n) if !w.inhibitors && n.version() >= 2 => {
                Note::Ext(n.get_input_idle_notification(ms, &self.seat, &qh, timeout))
            }
            Notifier::Ext(n) => Note::Ext(n.get_idle_notification(ms, &self.seat, &qh, timeout)),
            Notifier::Kde(n) => Note::Kde(n.get_idle_timeout(&self.seat, ms, &qh, timeout)),
        };
        self.notes.push((note, timeout));
        debug!("idle: the compositor tells after {timeout:?} without input");
    }

    /// Follows the compositor until it goes away (an error) or the source
    /// is dropped (Ok).
    async fn follow(
        &mut self,
        want: &mut watch::Receiver<Option<Watch>>,
        seen: &watch::Sender<Seen>,
    ) -> Result<(), Error> {
        self.state.resumes = seen.borrow().resumes;
        let first = *want.borrow_and_update();
        self.arm(first);
        loop {
            if std::mem::take(&mut self.state.returned) {
                let current = self.notes.pop();
                for (note, _) in self.notes.drain(..) {
                    note.destroy();
                }
                self.notes.extend(current);
            }
            self.publish(seen);
            tokio::select! {
                changed = want.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    let w = *want.borrow_and_update();
                    self.arm(w);
                    // Sent at the next turn.
                    self.queue.flush()?;
                }
                r = turn(&self.fd, &mut self.queue, &mut self.state) => r?,
            }
        }
    }

    fn publish(&self, seen: &watch::Sender<Seen>) {
        let now = Seen {
            connected: true,
            idle: self.state.idle,
            resumed: self.state.resumed,
            resumes: self.state.resumes,
            timeout: self.notes.last().map_or(Duration::ZERO, |(_, t)| *t),
            fullscreen: self.toplevels.as_ref().map(|_| self.state.fullscreen()),
        };
        seen.send_if_modified(|s| {
            let changed = *s != now;
            *s = now;
            changed
        });
    }
}

/// Sends what waits, then waits for the compositor and handles what it
/// said. Cancel-safe: nothing is held across the wait.
async fn turn(
    fd: &AsyncFd<OwnedFd>,
    queue: &mut EventQueue<State>,
    state: &mut State,
) -> Result<(), Error> {
    queue.dispatch_pending(state)?;
    match queue.flush() {
        Err(WaylandError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
        r => r?,
    }
    let mut ready = fd.readable().await?;
    if let Some(guard) = queue.prepare_read() {
        match guard.read() {
            Ok(_) => {}
            Err(WaylandError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                ready.clear_ready();
            }
            Err(e) => return Err(e.into()),
        }
    }
    queue.dispatch_pending(state)?;
    Ok(())
}

struct Global {
    name: u32,
    interface: String,
    version: u32,
}

#[derive(Default)]
struct Window {
    /// States since the last `done`.
    pending: Vec<u32>,
    active: bool,
    fullscreen: bool,
}

#[derive(Default)]
struct State {
    globals: Vec<Global>,
    synced: bool,
    idle: Option<Instant>,
    resumed: Option<Instant>,
    resumes: u64,
    /// A return since the last look: the notifications kept for it go.
    returned: bool,
    windows: HashMap<ObjectId, Window>,
}

impl State {
    fn fullscreen(&self) -> bool {
        self.windows.values().any(|w| w.active && w.fullscreen)
    }

    /// A notification armed with `timeout` went idle.
    fn idled(&mut self, timeout: Duration) {
        let now = Instant::now();
        let last = now.checked_sub(timeout).unwrap_or(now);
        self.idle = Some(self.idle.map_or(last, |i| i.min(last)));
    }

    fn resumed(&mut self) {
        if self.idle.take().is_some() {
            self.resumed = Some(Instant::now());
            self.resumes += 1;
            self.returned = true;
        }
    }
}

impl Dispatch<wl_registry::WlRegistry, ()> for State {
    fn event(
        state: &mut Self,
        _: &wl_registry::WlRegistry,
        event: wl_registry::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        match event {
            wl_registry::Event::Global {
                name,
                interface,
                version,
            } => state.globals.push(Global {
                name,
                interface,
                version,
            }),
            wl_registry::Event::GlobalRemove { name } => state.globals.retain(|g| g.name != name),
            _ => {}
        }
    }
}

impl Dispatch<wl_callback::WlCallback, ()> for State {
    fn event(
        state: &mut Self,
        _: &wl_callback::WlCallback,
        _: wl_callback::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        state.synced = true;
    }
}

impl Dispatch<wl_seat::WlSeat, ()> for State {
    fn event(
        _: &mut Self,
        _: &wl_seat::WlSeat,
        _: wl_seat::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

impl Dispatch<ExtIdleNotifierV1, ()> for State {
    fn event(
        _: &mut Self,
        _: &ExtIdleNotifierV1,
        _: <ExtIdleNotifierV1 as Proxy>::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

impl Dispatch<OrgKdeKwinIdle, ()> for State {
    fn event(
        _: &mut Self,
        _: &OrgKdeKwinIdle,
        _: <OrgKdeKwinIdle as Proxy>::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

impl Dispatch<ExtIdleNotificationV1, Duration> for State {
    fn event(
        state: &mut Self,
        _: &ExtIdleNotificationV1,
        event: ext_note::Event,
        timeout: &Duration,
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        match event {
            ext_note::Event::Idled => state.idled(*timeout),
            ext_note::Event::Resumed => state.resumed(),
            _ => {}
        }
    }
}

impl Dispatch<OrgKdeKwinIdleTimeout, Duration> for State {
    fn event(
        state: &mut Self,
        _: &OrgKdeKwinIdleTimeout,
        event: kde_note::Event,
        timeout: &Duration,
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        match event {
            kde_note::Event::Idle => state.idled(*timeout),
            kde_note::Event::Resumed => state.resumed(),
            _ => {}
        }
    }
}

impl Dispatch<ZwlrForeignToplevelManagerV1, ()> for State {
    fn event(
        state: &mut Self,
        _: &ZwlrForeignToplevelManagerV1,
        event: toplevels::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        match event {
            toplevels::Event::Toplevel { toplevel } => {
                state.windows.insert(toplevel.id(), Window::default());
            }
            toplevels::Event::Finished => state.windows.clear(),
            _ => {}
        }
    }

    event_created_child!(State, ZwlrForeignToplevelManagerV1, [
        toplevels::EVT_TOPLEVEL_OPCODE => (ZwlrForeignToplevelHandleV1, ()),
    ]);
}

impl Dispatch<ZwlrForeignToplevelHandleV1, ()> for State {
    fn event(
        state: &mut Self,
        handle: &ZwlrForeignToplevelHandleV1,
        event: toplevel::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
        match event {
            toplevel::Event::State { state: states } => {
                if let Some(w) = state.windows.get_mut(&handle.id()) {
                    w.pending = states
                        .chunks_exact(4)
                        .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                        .collect();
                }
            }
            toplevel::Event::Done => {
                if let Some(w) = state.windows.get_mut(&handle.id()) {
                    let has = |s: toplevel::State| w.pending.contains(&(s as u32));
                    w.active = has(toplevel::State::Activated);
                    w.fullscreen = has(toplevel::State::Fullscreen);
                }
            }
            toplevel::Event::Closed => {
                state.windows.remove(&handle.id());
                handle.destroy();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_time_is_since_the_last_input_or_the_earliest_it_can_have_been() {
        let s = Duration::from_secs;
        let now = Instant::now() + s(3600);
        let mut seen = Seen {
            connected: true,
            timeout: s(300),
            ..Seen::default()
        };
        // Never idle: some input within the timeout, at the earliest just after.
        assert_eq!(seen.idle_time(now), s(300) - Duration::from_millis(1));
        // Back 10 s ago: at least that.
        seen.resumed = Some(now - s(10));
        assert_eq!(seen.idle_time(now), s(10));
        // Idle: since the last input.
        seen.idle = Some(now - s(400));
        assert_eq!(seen.idle_time(now), s(400));
    }

    #[test]
    fn an_earlier_notification_going_idle_dates_the_last_input_back() {
        let mut state = State::default();
        state.idled(Duration::from_secs(60));
        let first = state.idle.unwrap();
        state.idled(Duration::from_secs(300));
        assert!(state.idle.unwrap() < first);
        state.resumed();
        assert_eq!((state.idle, state.resumes, state.returned), (None, 1, true));
        // A second "resumed" (the kept notification's) is the same return.
        state.resumed();
        assert_eq!(state.resumes, 1);
    }
}
