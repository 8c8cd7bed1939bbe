//! Calendars through the real daemon: a calendar file made, edited and
//! cancelled while it runs takes effect at once (inotify, no polling); a
//! vdir folder made later is read; a broken file is named in `status` while
//! the others keep holding. The clock is the test clock (UTC).

use unhunch::core::HoldReason;
use unhunch::vocab::reply::Status;

use super::timing::{jump, start};
use crate::common::{SEC, Scene};

const CONFIG: &str = r#"
[[reminder]]
id = "stand"
kind = "stand"
every = "50m"

[calendar]
files = ["~/work.ics", "~/broken.ics"]
dirs = ["~/vdir"]
"#;

fn event(uid: &str, summary: &str, start: &str, end: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         SUMMARY:{summary}\r\nDTSTART:20261125T{start}00Z\r\nDTEND:20261125T{end}00Z\r\n{extra}\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Writes a file the way editors do: a new file renamed over the old.
fn save(d: &Scene, rel: &str, text: &str) {
    let path = d.path(rel);
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

fn meeting(s: &Status) -> Option<(String, String)> {
    let m = s.meeting.as_ref()?;
    Some((
        m.title.clone().unwrap_or_default(),
        m.until.0.timestamp().strftime("%H:%M").to_string(),
    ))
}

#[tokio::test]
async fn a_calendar_edited_while_running_takes_effect_at_once() {
    let d = start(CONFIG, "09:00:00").await;
    d.wait_up().await;
    // Made while running, beside a broken one.
    std::fs::write(
        d.path("broken.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nno colon\r\n",
    )
    .unwrap();
    save(
        &d,
        "work.ics",
        &event("sync", "Team sync", "0930", "1100", ""),
    );
    let s = d
        .wait_status("the calendars read", 5 * SEC, |s| {
            s.calendars.iter().any(|c| c.ends_with("work.ics"))
                && s.calendar_problems.iter().any(|p| p.contains("broken.ics"))
        })
        .await;
    // Named with its line; the folder not made yet is said too.
    assert!(
        s.calendar_problems
            .iter()
            .any(|p| p.ends_with("broken.ics:3: Missing property name.")),
        "{:?}",
        s.calendar_problems
    );
    assert!(
        s.calendar_problems
            .iter()
            .any(|p| p.contains("vdir: cannot read the folder")),
        "{:?}",
        s.calendar_problems
    );
    let (_, text, _) = d.cli(&["status"]);
    assert!(text.contains("Calendar not read: "), "{text}");
    assert!(!s.held_by.contains(&HoldReason::Meeting));

    jump(&d, "09:40:00").await;
    let s = d
        .wait_status("held by the meeting", 5 * SEC, |s| meeting(s).is_some())
        .await;
    assert!(s.held_by.contains(&HoldReason::Meeting), "{s:?}");
    assert_eq!(meeting(&s), Some(("Team sync".into(), "11:00".into())));
    let (_, text, _) = d.cli(&["status"]);
    assert!(text.contains("Held by meeting: Team sync until "), "{text}");

    // Shortened in the calendar: the hold follows at once.
    save(
        &d,
        "work.ics",
        &event("sync", "Team sync", "0930", "0945", ""),
    );
    d.wait_status("the meeting shortened", 3 * SEC, |s| {
        meeting(s).is_some_and(|m| m.1 == "09:45")
    })
    .await;
    // Cancelled: no hold.
    save(
        &d,
        "work.ics",
        &event("sync", "Team sync", "0930", "0945", "STATUS:CANCELLED\r\n"),
    );
    let s = d
        .wait_status("the meeting cancelled", 3 * SEC, |s| meeting(s).is_none())
        .await;
    assert!(!s.held_by.contains(&HoldReason::Meeting), "{s:?}");

    // A vdir folder made while running, with one event a file.
    std::fs::create_dir(d.path("vdir")).unwrap();
    save(
        &d,
        "vdir/review.ics",
        &event("review", "Review", "0930", "1030", ""),
    );
    let s = d
        .wait_status("the vdir's meeting", 5 * SEC, |s| {
            meeting(s).is_some_and(|m| m.0 == "Review")
        })
        .await;
    assert_eq!(meeting(&s), Some(("Review".into(), "10:30".into())));
    // The broken file is still named; the others held all along.
    assert!(!s.calendar_problems.is_empty());
    assert_eq!(s.calendar_problems.len(), 1, "{:?}", s.calendar_problems);
    assert!(d.log().contains("broken.ics:3: "), "{}", d.log());
}

/// `plan` marks what falls inside a meeting; `doctor` lists the calendars
/// read and the next busy event, and names a broken one.
#[test]
fn plan_marks_meetings_and_doctor_lists_the_calendars() {
    let h = Scene::with(CONFIG).home();
    std::fs::write(
        h.path("work.ics"),
        event("sync", "Team sync", "0930", "1100", "RRULE:FREQ=WEEKLY\r\n"),
    )
    .unwrap();
    std::fs::write(h.path("broken.ics"), "not a calendar\n").unwrap();
    let (code, out, err) = h.cli(&["plan", "--from", "2026-11-25 09:00"]);
    assert_eq!(code, 0, "{err}");
    // Stand at 09:50, inside the meeting; the next at 10:40 too, 11:30 not.
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("stand")).collect();
    assert!(
        lines[0].contains("09:50")
            && lines[0].ends_with("in a meeting until 11:00 (Team sync): it waits"),
        "{out}"
    );
    assert!(
        lines[1].contains("10:40") && lines[1].contains("in a meeting"),
        "{out}"
    );
    assert!(
        lines[2].contains("11:30") && !lines[2].contains("meeting"),
        "{out}"
    );
    assert!(
        err.contains("calendar not read: ") && err.contains("broken.ics"),
        "{err}"
    );
    let (_, json, _) = h.cli(&["plan", "--from", "2026-11-25 09:00", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["meeting"]["title"], "Team sync");
    assert_eq!(v[0]["meeting"]["until"], "2026-11-25T11:00:00+00:00");

    let (_, out, _) = h.cli(&["doctor"]);
    assert!(
        out.contains("✓ calendar: ") && out.contains("work.ics, 1 event\n"),
        "{out}"
    );
    assert!(
        out.contains("! calendar: ") && out.contains("broken.ics:"),
        "{out}"
    );
    // A weekly series: the next is a Wednesday (or today).
    assert!(
        out.contains("✓ next busy event: Team sync, ") && out.contains("09:30 until 11:00"),
        "{out}"
    );
}
