//! A desktop session for tests, without a desktop: a private D-Bus bus, a
//! test notification server and a test tray host. Also built as the example
//! `test-desktop` for scripts that measure the daemon.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
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
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("bus.conf");
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
                dir.path().display()
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

struct LoginManager;

const SESSION_PATH: &str = "/org/freedesktop/login1/session/c1";

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl LoginManager {
    fn get_session(&self, id: String) -> zbus::fdo::Result<zbus::zvariant::OwnedObjectPath> {
        if id == "c1" {
            Ok(zbus::zvariant::OwnedObjectPath::try_from(SESSION_PATH).unwrap())
        } else {
            Err(zbus::fdo::Error::Failed(format!("No session '{id}' known")))
        }
    }

    #[zbus(signal)]
    async fn prepare_for_sleep(emitter: &SignalEmitter<'_>, start: bool) -> zbus::Result<()>;
}

struct LoginSession;

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl LoginSession {
    #[zbus(signal)]
    async fn lock(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn unlock(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}

/// Owns org.freedesktop.login1 on a (system) bus, so programs that subscribe
/// to logind signals start; session "c1" can be locked and unlocked, and
/// PrepareForSleep emitted.
pub struct Logind {
    conn: zbus::Connection,
}

impl Logind {
    pub async fn on(address: &str) -> Logind {
        let conn = connection::Builder::address(address)
            .unwrap()
            .name("org.freedesktop.login1")
            .unwrap()
            .serve_at("/org/freedesktop/login1", LoginManager)
            .unwrap()
            .serve_at(SESSION_PATH, LoginSession)
            .unwrap()
            .build()
            .await
            .unwrap();
        Logind { conn }
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

    pub async fn prepare_for_sleep(&self, start: bool) {
        let e = SignalEmitter::new(&self.conn, "/org/freedesktop/login1").unwrap();
        LoginManager::prepare_for_sleep(&e, start).await.unwrap();
    }
}

// ---- a screensaver stand-in ---------------------------------------------------

struct ScreenSaverIface {
    active: Arc<Mutex<bool>>,
}

#[zbus::interface(name = "org.freedesktop.ScreenSaver")]
impl ScreenSaverIface {
    fn get_active(&self) -> bool {
        *self.active.lock().unwrap()
    }

    #[zbus(signal)]
    async fn active_changed(emitter: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}

/// org.freedesktop.ScreenSaver on the session bus: lock and unlock on demand.
pub struct ScreenSaver {
    conn: zbus::Connection,
    active: Arc<Mutex<bool>>,
}

impl ScreenSaver {
    pub async fn start(bus: &PrivateBus) -> ScreenSaver {
        let active = Arc::new(Mutex::new(false));
        let conn = connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.freedesktop.ScreenSaver")
            .unwrap()
            .serve_at(
                "/org/freedesktop/ScreenSaver",
                ScreenSaverIface {
                    active: active.clone(),
                },
            )
            .unwrap()
            .build()
            .await
            .unwrap();
        ScreenSaver { conn, active }
    }

    pub async fn set_locked(&self, locked: bool) {
        *self.active.lock().unwrap() = locked;
        let e = SignalEmitter::new(&self.conn, "/org/freedesktop/ScreenSaver").unwrap();
        ScreenSaverIface::active_changed(&e, locked).await.unwrap();
    }
}
