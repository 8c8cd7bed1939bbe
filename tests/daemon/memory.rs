//! Memory stays flat: a reminder every 10 s, answered at once, for
//! MEMORY_SECONDS (default 300, the CI form; 3600 for the full hour). RSS
//! is sampled every 10 s; after a minute of warm-up it may not grow more
//! than 1 MB. The curve is printed.

use std::time::{Duration, Instant};

use crate::common::Scene;

/// The process's resident memory; `None` once it has exited (a zombie has
/// no VmRSS).
fn rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| {
            l.strip_prefix("VmRSS:")
                .map(|v| v.trim().trim_end_matches(" kB").parse().unwrap())
        })
}

#[tokio::test]
async fn rss_stays_flat_over_many_reminders() {
    let seconds: u64 = std::env::var("MEMORY_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    // The whole daemon, its tray too (waiting for a host).
    let d = Scene::with("[[reminder]]\nid = \"s\"\nkind = \"stand\"\nevery = \"10s\"\n")
        .answering()
        .tray()
        .start()
        .await;
    let server = d.notifd();
    let pid = d.pid();
    let start = Instant::now();
    let mut curve = Vec::new();
    while start.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let rss = rss_kb(pid).unwrap_or_else(|| panic!("the daemon exited:\n{}", d.log()));
        curve.push((start.elapsed().as_secs(), rss));
    }
    let shown = server.calls().len();
    eprintln!("{shown} reminders in {seconds} s; RSS (s, kB): {curve:?}");
    assert!(shown as u64 >= seconds / 10 - 2, "only {shown} reminders");
    let done = d
        .outcomes()
        .iter()
        .filter(|l| *l == "s done notification")
        .count();
    assert!(done + 1 >= shown, "{done} answered of {shown}");
    let after: Vec<u64> = curve
        .iter()
        .filter(|(t, _)| *t >= 60)
        .map(|(_, r)| *r)
        .collect();
    let (lo, hi) = (*after.iter().min().unwrap(), *after.iter().max().unwrap());
    assert!(
        hi - lo <= 1024,
        "RSS grew {} kB after warm-up: {curve:?}",
        hi - lo
    );
}
