//! `unhunch guide`: a routine walked through in the terminal, at its pace,
//! in a pseudo-terminal (util-linux `script`) as a person runs it, with
//! Ctrl+C as a skip; and the errors that name what exists.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Scene;

const CONFIG: &str = "[[reminder]]\nid = \"neck\"\nkind = \"neck\"\nevery = \"1h\"\nroutine = \"mine\"\n\
[[reminder]]\nid = \"own\"\nkind = \"custom\"\ntitle = \"Own\"\nbody = \"Own\"\nevery = \"1h\"\n\
[[routine]]\nid = \"mine\"\ntitle = \"Quick one\"\n\
steps = [{ text = \"Tuck\", seconds = 1, repeat = 2 }, { text = \"Roll\", seconds = 2 }]\n";

/// A home with [`CONFIG`], no bus (a daemon there shows nothing), no colour.
fn home() -> Scene {
    Scene::builder().config(CONFIG).env("NO_COLOR", "1").home()
}

/// `unhunch ARGS` in a pseudo-terminal; `input` written to it after
/// `after` (Ctrl+C is "\x03").
fn in_pty(
    home: &Scene,
    args: &str,
    input: Option<(Duration, &'static [u8])>,
) -> (String, Duration) {
    let bin = env!("CARGO_BIN_EXE_unhunch");
    let mut child = home
        .program("script", &["-qfec", &format!("{bin} {args}"), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script (util-linux) is needed");
    let start = Instant::now();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        if let Some((after, bytes)) = input {
            std::thread::sleep(after);
            stdin.write_all(bytes).unwrap();
        }
        // Keep the terminal open until the program ends.
        std::thread::sleep(Duration::from_secs(5));
        drop(stdin);
    });
    let out = child.wait_with_output().unwrap();
    let took = start.elapsed();
    drop(writer);
    (String::from_utf8_lossy(&out.stdout).into_owned(), took)
}

#[test]
fn a_routine_runs_step_by_step_at_its_pace() {
    let h = home();
    let start = Instant::now();
    let out = h.command(&["guide", "mine"]).output().unwrap();
    let took = start.elapsed();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "Quick one — 3 steps, 4 s. Ctrl+C stops.\n  1/3 Tuck (1 of 2)\n  2/3 Tuck (2 of 2)\n  3/3 Roll\nDone: Quick one (4 s).\n\
         Not recorded: unhunch is not running (start it with `unhunch start`).\n"
    );
    assert!(out.status.success());
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(7),
        "{took:?}"
    );
    // A reminder's id walks its routine.
    let out = h.command(&["guide", "neck"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Quick one"));
}

#[test]
fn in_a_terminal_a_bar_counts_down_and_ctrl_c_stops() {
    let h = home();
    let (out, took) = in_pty(
        &h,
        "guide mine",
        Some((Duration::from_millis(1500), b"\x03")),
    );
    assert!(
        out.contains("[------------------------] 0:01 left in this step, 0:04 in all"),
        "{out}"
    );
    assert!(out.contains("2/3 Tuck (2 of 2)"), "{out}");
    assert!(!out.contains("3/3 Roll"), "{out}");
    assert!(
        out.contains("Stopped: Quick one after 1 of 3 steps."),
        "{out}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
    // Left alone, it ends with Done and the bar's line cleared.
    let (out, _) = in_pty(&h, "guide mine", None);
    assert!(out.contains("0:01 in all"), "{out}");
    assert!(out.contains("\x1b[2KDone: Quick one (4 s)."), "{out}");
}

#[test]
fn guide_names_what_it_cannot_find() {
    let h = home();
    let out = h.command(&["guide", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no routine or reminder \"nope\": routines are neck-reset,")
            && err.contains(", mine (`unhunch guide --list`)"),
        "{err}"
    );
    let out = h.command(&["guide", "own"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("reminder \"own\" has no routine (kind custom has none built in)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing showing (no daemon) and no terminal to ask on.
    let out = h.command(&["guide"]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing is showing: name a routine"));
    let out = h.command(&["guide", "--list"]).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(
        list.starts_with("neck-reset             Neck reset"),
        "{list}"
    );
    assert!(
        list.contains("mine                   Quick one                    yours       4 s"),
        "{list}"
    );
}

/// With the daemon running, the routine's end is recorded for its
/// reminder: done (source guided) when finished, skipped when stopped,
/// each with how far it got; a reminder not showing is shown first.
#[test]
fn the_end_of_a_routine_is_recorded_by_the_daemon() {
    let h = home();
    // Not running: walked through, and said not to be recorded.
    let out = h.command(&["guide", "neck"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with("Not recorded: unhunch is not running (start it with `unhunch start`).\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut h = h;
    h.start();
    within_10s("the daemon to start", || {
        h.command(&["status"]).output().unwrap().status.success()
    });
    let out = h.command(&["guide", "mine"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with("Done: Quick one (4 s).\nRecorded: done for Neck stretch (neck).\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (out, _) = in_pty(
        &h,
        "guide neck",
        Some((Duration::from_millis(1500), b"\x03")),
    );
    assert!(
        out.contains("Recorded: skipped for Neck stretch (neck)."),
        "{out}"
    );
    let csv = h.command(&["history", "--format", "csv"]).output().unwrap();
    let rows: Vec<String> = String::from_utf8(csv.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{} {} {} {}/{}", f[3], f[4], f[7], f[8], f[9])
        })
        .collect();
    assert_eq!(
        rows,
        [
            "shown guided  /",
            "done guided mine 3/3",
            "shown guided  /",
            "skipped guided mine 1/3",
        ]
    );
    let _ = h.command(&["stop"]).output();
    within_10s("the daemon to stop", || !h.is_running());
}

/// Waits for `ok`, failing after 10 s.
fn within_10s(what: &str, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < end, "waited 10 s for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
