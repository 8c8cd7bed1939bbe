//! A desktop session for tests, without a desktop: a private D-Bus bus, a
//! test notification server and a test tray host. Also built as the example
//! `test-desktop` for scripts that measure the daemon.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::connection;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

/// A private session bus with no service activation, so no real
/// notification server can be started behind the test's back.
pub struct PrivateBus {
    child: Child,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        PrivateBus::with_services(&[])
    }

    /// A private bus that can start only the named services, from the
    /// system's D-Bus service files (e.g. a panel's out-of-process applets).
    pub fn with_services(services: &[&str]) -> PrivateBus {
        PrivateBus::listening(services, None)
    }

    /// A private bus listening on the socket `path` (where a desktop
    /// session's bus is: `$XDG_RUNTIME_DIR/bus`).
    pub fn at(path: &Path) -> PrivateBus {
        PrivateBus::listening(&[], Some(path))
    }

    fn listening(services: &[&str], path: Option<&Path>) -> PrivateBus {
        let dir = tempfile::tempdir().unwrap();
        let listen = match path {
            Some(p) => format!("unix:path={}", p.display()),
            None => format!("unix:dir={}", dir.path().display()),
        };
        let conf = dir.path().join("bus.conf");
        let services_dir = dir.path().join("services");
        std::fs::create_dir(&services_dir).unwrap();
        for name in services {
            let file = format!("{name}.service");
            std::fs::copy(
                Path::new("/usr/share/dbus-1/services").join(&file),
                services_dir.join(&file),
            )
            .unwrap_or_else(|e| panic!("{file}: {e}: run scripts/setup test"));
        }
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{}</listen>
  <servicedir>{}</servicedir>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
                listen,
                services_dir.display()
            ),
        )
        .unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus) is needed: run scripts/setup test");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_string();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed {address:?}"
        );
        PrivateBus {
            child,
            address,
            _dir: dir,
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `Notify` call as the server received it.
#[derive(Debug, Clone)]
pub struct NotifyCall {
    pub id: u32,
    pub app_name: String,
    pub replaces_id: u32,
    pub app_icon: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
    pub hints: HashMap<String, String>,
    pub timeout: i32,
}

#[derive(Default)]
pub struct ServerLog {
    pub notify: Vec<NotifyCall>,
    pub closed_by_client: Vec<u32>,
}

struct Server {
    log: Arc<Mutex<ServerLog>>,
    caps: Vec<String>,
    next: u32,
    /// Click "done" on every reminder 50 ms after it arrives.
    auto_done: bool,
    /// Do-Not-Disturb, as KDE's server has it.
    inhibited: bool,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    fn get_capabilities(&self) -> Vec<String> {
        self.caps.clone()
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next += 1;
            self.next
        };
        let hints = hints
            .into_iter()
            .map(|(k, v)| (k, format!("{v:?}")))
            .collect();
        if self.auto_done && !actions.is_empty() {
            let e = emitter.into_owned();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = Self::action_invoked(&e, id, "done").await;
            });
        }
        self.log.lock().unwrap().notify.push(NotifyCall {
            id,
            app_name,
            replaces_id,
            app_icon,
            summary,
            body,
            actions,
            hints,
            timeout: expire_timeout,
        });
        id
    }

    async fn close_notification(
        &mut self,
        id: u32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) {
        self.log.lock().unwrap().closed_by_client.push(id);
        let _ = Self::notification_closed(&emitter, id, 3).await;
    }

    #[zbus(property)]
    fn inhibited(&self) -> bool {
        self.inhibited
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "unhunch-test-server".into(),
            "unhunch".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

const PATH: &str = "/org/freedesktop/Notifications";

/// The test notification server.
#[derive(Clone)]
pub struct Notifd {
    conn: zbus::Connection,
    pub log: Arc<Mutex<ServerLog>>,
}

impl Notifd {
    pub async fn start(bus: &PrivateBus) -> Notifd {
        Self::start_with(bus, &["actions", "body", "persistence"]).await
    }

    pub async fn start_with(bus: &PrivateBus, caps: &[&str]) -> Notifd {
        Self::on(&bus.address, caps).await
    }

    /// Serves on the bus at `address`.
    pub async fn on(address: &str, caps: &[&str]) -> Notifd {
        Self::serve(address, caps, false).await
    }

    /// A server that answers every reminder Done by itself.
    pub async fn answering(bus: &PrivateBus) -> Notifd {
        Self::serve(&bus.address, &["actions", "body", "persistence"], true).await
    }

    async fn serve(address: &str, caps: &[&str], auto_done: bool) -> Notifd {
        let log = Arc::new(Mutex::new(ServerLog::default()));
        let server = Server {
            log: log.clone(),
            caps: caps.iter().map(|c| c.to_string()).collect(),
            next: 0,
            auto_done,
            inhibited: false,
        };
        let conn = connection::Builder::address(address)
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at(PATH, server)
            .unwrap()
            .build()
            .await
            .unwrap();
        Notifd { conn, log }
    }

    async fn emitter(&self) -> SignalEmitter<'static> {
        SignalEmitter::new(&self.conn, PATH).unwrap().into_owned()
    }

    /// The user clicks a button. Like real servers, a close (reason 2)
    /// follows, unless the notification asked to stay (`resident`).
    pub async fn invoke(&self, id: u32, key: &str) {
        let resident = self
            .calls()
            .iter()
            .rev()
            .find(|c| c.id == id)
            .is_some_and(|c| c.hints.contains_key("resident"));
        let e = self.emitter().await;
        Server::action_invoked(&e, id, key).await.unwrap();
        if !resident {
            Server::notification_closed(&e, id, 2).await.unwrap();
        }
    }

    /// The notification closes: 1 expired, 2 dismissed by the user.
    pub async fn close(&self, id: u32, reason: u32) {
        let e = self.emitter().await;
        Server::notification_closed(&e, id, reason).await.unwrap();
    }

    pub fn calls(&self) -> Vec<NotifyCall> {
        self.log.lock().unwrap().notify.clone()
    }

    pub fn closed_by_client(&self) -> Vec<u32> {
        self.log.lock().unwrap().closed_by_client.clone()
    }

    /// Waits until the client has closed notification `id`.
    pub async fn wait_closed_by_client(&self, id: u32, within: Duration) {
        let closed = wait_for(within, || {
            self.closed_by_client().contains(&id).then_some(())
        })
        .await;
        assert!(
            closed.is_some(),
            "notification {id} was not closed within {within:?}"
        );
    }

    /// Waits until `n` notifications have arrived; returns the `n`th.
    pub async fn nth(&self, n: usize, within: Duration) -> NotifyCall {
        let calls = wait_for(within, || {
            let c = self.calls();
            (c.len() >= n).then_some(c)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "notification {n} did not arrive within {within:?}; got {:#?}",
                self.calls()
            )
        });
        calls[n - 1].clone()
    }

    /// Do-Not-Disturb on or off (PropertiesChanged is emitted).
    pub async fn set_inhibited(&self, on: bool) {
        let iface = self
            .conn
            .object_server()
            .interface::<_, Server>(PATH)
            .await
            .unwrap();
        iface.get_mut().await.inhibited = on;
        iface
            .get()
            .await
            .inhibited_changed(iface.signal_emitter())
            .await
            .unwrap();
    }

    /// Leaves the bus (the server "crashes").
    pub async fn stop(self) {
        let _ = self.conn.close().await;
    }
}

/// Polls `f` every 25 ms until it gives a value or `within` passes.
pub async fn wait_for<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > end {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

// ---- a test tray host -------------------------------------------------------

struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &mut self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) {
        // The argument is a bus name, or an object path on the caller's name.
        let name = if service.starts_with('/') {
            header.sender().map(|s| s.to_string()).unwrap_or_default()
        } else {
            service
        };
        self.items.lock().unwrap().push(name.clone());
        let _ = Self::status_notifier_item_registered(&emitter, &name).await;
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(signal)]
    async fn status_notifier_item_registered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;
}

/// One entry of the item's menu, flattened: depth 0 is the top level.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    pub depth: usize,
}

/// The test tray host: a StatusNotifierWatcher that reads items over D-Bus.
#[derive(Clone)]
pub struct TrayHost {
    conn: zbus::Connection,
    items: Arc<Mutex<Vec<String>>>,
}

type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

fn flatten(node: Node, depth: usize, out: &mut Vec<MenuEntry>) {
    let (id, props, children) = node;
    if id != 0 {
        let label = props
            .get("label")
            .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
            .unwrap_or_default();
        let enabled = props
            .get("enabled")
            .and_then(|v| bool::try_from(v).ok())
            .unwrap_or(true);
        let visible = props
            .get("visible")
            .and_then(|v| bool::try_from(v).ok())
            .unwrap_or(true);
        let kind = props
            .get("type")
            .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
            .unwrap_or_default();
        if visible && kind != "separator" {
            // "__" is a literal underscore, a single one marks a mnemonic.
            let label = label
                .replace("__", "\u{0}")
                .replace('_', "")
                .replace('\u{0}', "_");
            out.push(MenuEntry {
                id,
                label,
                enabled,
                depth,
            });
        }
    }
    let next = if id == 0 { depth } else { depth + 1 };
    for child in children {
        if let Ok(node) = Node::try_from(child) {
            flatten(node, next, out);
        }
    }
}

impl TrayHost {
    pub async fn start(bus: &PrivateBus) -> TrayHost {
        Self::on(&bus.address).await
    }

    /// Serves on the bus at `address`.
    pub async fn on(address: &str) -> TrayHost {
        let items = Arc::new(Mutex::new(Vec::new()));
        let conn = connection::Builder::address(address)
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    items: items.clone(),
                },
            )
            .unwrap()
            .build()
            .await
            .unwrap();
        TrayHost { conn, items }
    }

    /// The bus name of the first item that registers.
    pub async fn item(&self, within: Duration) -> String {
        wait_for(within, || self.items.lock().unwrap().first().cloned())
            .await
            .expect("no tray item registered")
    }

    pub fn registered(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    pub async fn prop(&self, item: &str, name: &str) -> OwnedValue {
        let reply = self
            .conn
            .call_method(
                Some(item),
                "/StatusNotifierItem",
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.kde.StatusNotifierItem", name),
            )
            .await
            .unwrap_or_else(|e| panic!("Get {name}: {e}"));
        reply.body().deserialize::<OwnedValue>().unwrap()
    }

    pub async fn prop_str(&self, item: &str, name: &str) -> String {
        String::try_from(self.prop(item, name).await).unwrap()
    }

    async fn menu_path(&self, item: &str) -> zbus::zvariant::OwnedObjectPath {
        zbus::zvariant::OwnedObjectPath::try_from(self.prop(item, "Menu").await).unwrap()
    }

    /// The whole menu, via com.canonical.dbusmenu GetLayout(0, -1, []).
    pub async fn menu(&self, item: &str) -> Vec<MenuEntry> {
        let path = self.menu_path(item).await;
        let reply = self
            .conn
            .call_method(
                Some(item),
                path.as_str(),
                Some("com.canonical.dbusmenu"),
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .await
            .unwrap();
        let (_revision, root): (u32, Node) = reply.body().deserialize().unwrap();
        let mut out = Vec::new();
        flatten(root, 0, &mut out);
        out
    }

    pub async fn labels(&self, item: &str) -> Vec<String> {
        self.menu(item)
            .await
            .into_iter()
            .map(|e| format!("{}{}", "  ".repeat(e.depth), e.label))
            .collect()
    }

    /// Clicks the entry whose label is `label` (after `parent`, if given).
    pub async fn click(&self, item: &str, parent: Option<&str>, label: &str) {
        let menu = self.menu(item).await;
        let start = parent.map_or(0, |p| {
            menu.iter()
                .position(|e| e.label == p)
                .unwrap_or_else(|| panic!("no {p:?} in {menu:#?}"))
        });
        let entry = menu[start..]
            .iter()
            .find(|e| e.label.trim() == label)
            .unwrap_or_else(|| panic!("no {label:?} in {menu:#?}"))
            .clone();
        let path = self.menu_path(item).await;
        let body = (entry.id, "clicked", zbus::zvariant::Value::I32(0), 0u32);
        let call = self.conn.call_method(
            Some(item),
            path.as_str(),
            Some("com.canonical.dbusmenu"),
            "Event",
            &body,
        );
        // Quit exits before it answers: do not wait long for a reply.
        let _ = tokio::time::timeout(Duration::from_secs(2), call).await;
    }

    /// Waits until the menu has an entry `label`.
    pub async fn wait_label(&self, item: &str, label: &str, within: Duration) -> Vec<String> {
        let end = Instant::now() + within;
        loop {
            let labels = self.labels(item).await;
            if labels.iter().any(|l| l.trim() == label) {
                return labels;
            }
            if Instant::now() > end {
                panic!("no menu entry {label:?} within {within:?}: {labels:#?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn wait_status(&self, item: &str, status: &str, within: Duration) {
        let end = Instant::now() + within;
        loop {
            let s = self.prop_str(item, "Status").await;
            if s == status {
                return;
            }
            if Instant::now() > end {
                panic!("Status stayed {s:?}, wanted {status:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// ---- a logind stand-in --------------------------------------------------------

const SESSION_PATH: &str = "/org/freedesktop/login1/session/c1";

#[derive(Default)]
struct LoginState {
    /// Read ends of the sleep inhibitors handed out (EOF once released).
    inhibitors: Vec<std::io::PipeReader>,
    inhibit_calls: usize,
}

struct LoginManager {
    state: Arc<Mutex<LoginState>>,
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl LoginManager {
    fn get_session(&self, id: String) -> zbus::fdo::Result<zbus::zvariant::OwnedObjectPath> {
        if id == "c1" {
            Ok(zbus::zvariant::OwnedObjectPath::try_from(SESSION_PATH).unwrap())
        } else {
            Err(zbus::fdo::Error::Failed(format!("No session '{id}' known")))
        }
    }

    fn get_user(&self, uid: u32) -> zbus::zvariant::OwnedObjectPath {
        zbus::zvariant::OwnedObjectPath::try_from(format!("/org/freedesktop/login1/user/_{uid}"))
            .unwrap()
    }

    /// As logind: the write end of a pipe, held until the caller closes it.
    fn inhibit(
        &self,
        what: String,
        _who: String,
        _why: String,
        mode: String,
    ) -> zbus::fdo::Result<zbus::zvariant::OwnedFd> {
        if what != "sleep" || mode != "delay" {
            return Err(zbus::fdo::Error::InvalidArgs(format!("{what} {mode}")));
        }
        let (reader, writer) = std::io::pipe().unwrap();
        let mut st = self.state.lock().unwrap();
        st.inhibitors.push(reader);
        st.inhibit_calls += 1;
        Ok(std::os::fd::OwnedFd::from(writer).into())
    }

    #[zbus(signal)]
    async fn prepare_for_sleep(emitter: &SignalEmitter<'_>, start: bool) -> zbus::Result<()>;
}

struct LoginUser;

#[zbus::interface(name = "org.freedesktop.login1.User")]
impl LoginUser {
    #[zbus(property)]
    fn display(&self) -> (String, zbus::zvariant::OwnedObjectPath) {
        (
            "c1".to_string(),
            zbus::zvariant::OwnedObjectPath::try_from(SESSION_PATH).unwrap(),
        )
    }
}

struct LoginSession {
    idle: bool,
    idle_since_us: u64,
}

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl LoginSession {
    #[zbus(signal)]
    async fn lock(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn unlock(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(property)]
    fn idle_hint(&self) -> bool {
        self.idle
    }

    #[zbus(property)]
    fn idle_since_hint(&self) -> u64 {
        self.idle_since_us
    }
}

/// Owns org.freedesktop.login1 on a (system) bus, so programs that subscribe
/// to logind signals start; session "c1" (also every user's display session)
/// can be locked, unlocked and marked idle, PrepareForSleep emitted, and sleep
/// inhibitors are handed out as pipes, as logind does.
#[derive(Clone)]
pub struct Logind {
    conn: zbus::Connection,
    state: Arc<Mutex<LoginState>>,
}

impl Logind {
    pub async fn on(address: &str) -> Logind {
        let state = Arc::new(Mutex::new(LoginState::default()));
        let uid = rustix::process::getuid().as_raw();
        let conn = connection::Builder::address(address)
            .unwrap()
            .name("org.freedesktop.login1")
            .unwrap()
            .serve_at(
                "/org/freedesktop/login1",
                LoginManager {
                    state: state.clone(),
                },
            )
            .unwrap()
            .serve_at(format!("/org/freedesktop/login1/user/_{uid}"), LoginUser)
            .unwrap()
            .serve_at(
                SESSION_PATH,
                LoginSession {
                    idle: false,
                    idle_since_us: 0,
                },
            )
            .unwrap()
            .build()
            .await
            .unwrap();
        Logind { conn, state }
    }

    /// `loginctl lock-session c1` / `unlock-session c1`.
    pub async fn set_locked(&self, locked: bool) {
        let e = SignalEmitter::new(&self.conn, SESSION_PATH).unwrap();
        if locked {
            LoginSession::lock(&e).await.unwrap();
        } else {
            LoginSession::unlock(&e).await.unwrap();
        }
    }

    /// The desktop sets the session's idle hint (`SetIdleHint`).
    pub async fn set_idle(&self, idle: bool) {
        let iface = self
            .conn
            .object_server()
            .interface::<_, LoginSession>(SESSION_PATH)
            .await
            .unwrap();
        let mut s = iface.get_mut().await;
        s.idle = idle;
        s.idle_since_us = if idle {
            u64::try_from(jiff::Timestamp::now().as_microsecond()).unwrap()
        } else {
            0
        };
        s.idle_hint_changed(iface.signal_emitter()).await.unwrap();
    }

    pub async fn prepare_for_sleep(&self, start: bool) {
        let e = SignalEmitter::new(&self.conn, "/org/freedesktop/login1").unwrap();
        LoginManager::prepare_for_sleep(&e, start).await.unwrap();
    }

    /// How many sleep inhibitors were asked for.
    pub fn inhibit_calls(&self) -> usize {
        self.state.lock().unwrap().inhibit_calls
    }

    /// How many inhibitors are still held (their pipe not closed): looks
    /// without blocking.
    pub fn inhibitors_held(&self) -> usize {
        let st = self.state.lock().unwrap();
        st.inhibitors
            .iter()
            .filter(|r| {
                use std::os::fd::AsRawFd;
                let mut fd = libc::pollfd {
                    fd: r.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, no timeout.
                let n = unsafe { libc::poll(&mut fd, 1, 0) };
                // Readable (or hung up) with nothing written = every writer closed.
                n == 0
            })
            .count()
    }
}

// ---- a screensaver stand-in ---------------------------------------------------

struct ScreenSaverIface {
    active: Arc<Mutex<bool>>,
    /// What GetSessionIdleTime answers, in seconds.
    idle: Arc<Mutex<u32>>,
}

#[zbus::interface(name = "org.freedesktop.ScreenSaver")]
impl ScreenSaverIface {
    fn get_active(&self) -> bool {
        *self.active.lock().unwrap()
    }

    fn get_session_idle_time(&self) -> u32 {
        *self.idle.lock().unwrap()
    }

    #[zbus(signal)]
    async fn active_changed(emitter: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}

/// org.freedesktop.ScreenSaver on the session bus: lock and unlock on
/// demand, and a session idle time to answer.
#[derive(Clone)]
pub struct ScreenSaver {
    conn: zbus::Connection,
    active: Arc<Mutex<bool>>,
    idle: Arc<Mutex<u32>>,
}

impl ScreenSaver {
    pub async fn start(bus: &PrivateBus) -> ScreenSaver {
        ScreenSaver::serve(bus, false).await
    }

    /// As KDE's screen locker, which also owns org.kde.screensaver.
    pub async fn kde(bus: &PrivateBus) -> ScreenSaver {
        ScreenSaver::serve(bus, true).await
    }

    async fn serve(bus: &PrivateBus, kde: bool) -> ScreenSaver {
        let active = Arc::new(Mutex::new(false));
        let idle = Arc::new(Mutex::new(0));
        let mut b = connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.freedesktop.ScreenSaver")
            .unwrap();
        if kde {
            b = b.name("org.kde.screensaver").unwrap();
        }
        let conn = b
            .serve_at(
                "/org/freedesktop/ScreenSaver",
                ScreenSaverIface {
                    active: active.clone(),
                    idle: idle.clone(),
                },
            )
            .unwrap()
            .build()
            .await
            .unwrap();
        ScreenSaver { conn, active, idle }
    }

    pub async fn set_locked(&self, locked: bool) {
        *self.active.lock().unwrap() = locked;
        let e = SignalEmitter::new(&self.conn, "/org/freedesktop/ScreenSaver").unwrap();
        ScreenSaverIface::active_changed(&e, locked).await.unwrap();
    }

    pub fn set_idle(&self, n: u32) {
        *self.idle.lock().unwrap() = n;
    }
}

// ---- GNOME's idle monitor stand-in -------------------------------------------

const MUTTER_PATH: &str = "/org/gnome/Mutter/IdleMonitor/Core";

#[derive(Default)]
struct MutterState {
    idle_ms: u64,
    next_id: u32,
    /// User-active watches: id and owner (one-shot, as Mutter's).
    active_watches: Vec<(u32, String)>,
    get_calls: usize,
}

struct MutterIface {
    state: Arc<Mutex<MutterState>>,
}

#[zbus::interface(name = "org.gnome.Mutter.IdleMonitor")]
impl MutterIface {
    fn get_idletime(&self) -> u64 {
        let mut st = self.state.lock().unwrap();
        st.get_calls += 1;
        st.idle_ms
    }

    fn add_user_active_watch(&self, #[zbus(header)] header: zbus::message::Header<'_>) -> u32 {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        let id = st.next_id;
        let owner = header.sender().map(|s| s.to_string()).unwrap_or_default();
        st.active_watches.push((id, owner));
        id
    }

    fn add_idle_watch(&self, _interval: u64) -> u32 {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        st.next_id
    }

    fn remove_watch(&self, id: u32) {
        self.state
            .lock()
            .unwrap()
            .active_watches
            .retain(|(w, _)| *w != id);
    }

    #[zbus(signal)]
    async fn watch_fired(emitter: &SignalEmitter<'_>, id: u32) -> zbus::Result<()>;
}

/// org.gnome.Mutter.IdleMonitor on the session bus: an idle time to answer,
/// and user-active watches fired (to their owner, as Mutter does) on input.
#[derive(Clone)]
pub struct Mutter {
    conn: zbus::Connection,
    state: Arc<Mutex<MutterState>>,
}

impl Mutter {
    pub async fn start(bus: &PrivateBus) -> Mutter {
        let state = Arc::new(Mutex::new(MutterState::default()));
        let conn = connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.gnome.Mutter.IdleMonitor")
            .unwrap()
            .serve_at(
                MUTTER_PATH,
                MutterIface {
                    state: state.clone(),
                },
            )
            .unwrap()
            .build()
            .await
            .unwrap();
        Mutter { conn, state }
    }

    pub fn set_idle(&self, ms: u64) {
        self.state.lock().unwrap().idle_ms = ms;
    }

    /// The person touches the keyboard: idle time 0, user-active watches fire.
    pub async fn input(&self) {
        let watches = {
            let mut st = self.state.lock().unwrap();
            st.idle_ms = 0;
            std::mem::take(&mut st.active_watches)
        };
        for (id, owner) in watches {
            let e = SignalEmitter::new(&self.conn, MUTTER_PATH)
                .unwrap()
                .set_destination(zbus::names::BusName::try_from(owner).unwrap());
            MutterIface::watch_fired(&e, id).await.unwrap();
        }
    }

    /// User-active watches now registered.
    pub fn active_watches(&self) -> usize {
        self.state.lock().unwrap().active_watches.len()
    }

    /// GetIdletime calls so far.
    pub fn get_calls(&self) -> usize {
        self.state.lock().unwrap().get_calls
    }
}

/// An X server of our own (Xvfb), on a free display.
pub struct Xvfb {
    child: std::process::Child,
    pub display: String,
}

impl Xvfb {
    pub fn start() -> Option<Xvfb> {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take()?)
            .read_line(&mut line)
            .ok()?;
        Some(Xvfb {
            child,
            display: format!(":{}", line.trim()),
        })
    }

    /// The person moves the mouse.
    pub fn nudge(&self, i: u32) {
        let _ = std::process::Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(["mousemove", &(100 + i % 50).to_string(), "100"])
            .status();
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `xfconf-query` arguments that set xfce4-notifyd's Do-Not-Disturb, as
/// its settings dialog does.
pub fn xfce_dnd_args(on: bool) -> [&'static str; 9] {
    [
        "-c",
        "xfce4-notifyd",
        "-p",
        "/do-not-disturb",
        "-n",
        "-t",
        "bool",
        "-s",
        if on { "true" } else { "false" },
    ]
}
