//! The harness of every test that runs the real binary (tests/daemon/,
//! tests/desktops.rs, tests/windows.rs): [`Scene`] (a temporary home, a
//! private bus, the stand-ins a test asks for, the daemon), the stand-ins
//! themselves (desktop.rs, sound.rs), and the history fixture.
#![allow(dead_code)]

pub mod desktop;
pub mod fixture;
pub mod scene;
pub mod sound;
pub mod syncthing;
pub mod wayland;
pub mod weeks;

// Not every binary uses each.
#[allow(unused_imports)]
pub use desktop::wait_for;
#[allow(unused_imports)]
pub use scene::{SEC, Scene, output};
