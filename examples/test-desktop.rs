//! The project's test desktop as a process: the test notification server and
//! the test tray host on the session bus ($DBUS_SESSION_BUS_ADDRESS), and a
//! logind stand-in on $DBUS_SYSTEM_BUS_ADDRESS if that is set, until killed. Scripts that measure the daemon use it; it is never installed.
//!
//!     cargo run --example test-desktop

#[path = "../tests/common/desktop.rs"]
mod desktop;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Ok(address) = std::env::var("DBUS_SESSION_BUS_ADDRESS") else {
        eprintln!("test-desktop: no DBUS_SESSION_BUS_ADDRESS; run it under dbus-run-session");
        std::process::exit(2);
    };
    let _notifd = desktop::Notifd::on(&address, &["actions", "body", "persistence"]).await;
    let _host = desktop::TrayHost::on(&address).await;
    // With a system bus given, a logind stand-in on it (Safe Eyes needs one).
    let _logind = match std::env::var("DBUS_SYSTEM_BUS_ADDRESS") {
        Ok(system) => Some(desktop::Logind::on(&system).await),
        Err(_) => None,
    };
    println!("ready");
    let _ = tokio::signal::ctrl_c().await;
}
