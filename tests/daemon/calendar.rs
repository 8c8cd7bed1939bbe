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

// ------------------------------------------- against an independent implementation

/// A small deterministic generator (SplitMix64): the same calendars on
/// every run, so a difference found is found again.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn ics(dt: jiff::civil::DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

/// A date-time property in `zone` (`Z` for UTC).
fn prop(name: &str, zone: &str, dt: jiff::civil::DateTime) -> String {
    if zone == "UTC" {
        format!("{name}:{}Z\r\n", ics(dt))
    } else {
        format!("{name};TZID={zone}:{}\r\n", ics(dt))
    }
}

/// One generated VEVENT (and maybe a moved instance of it). Rules are
/// written so DTSTART is one of their occurrences: where it is not, RFC
/// 5545 leaves the set undefined, and the two implementations may differ.
fn generated_event(r: &mut Rng, cal: usize, n: usize) -> String {
    use jiff::ToSpan;
    let zone = *r.pick(&[
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
    ]);
    let date = jiff::civil::date(2026, 1, 1)
        .checked_add(r.below(400).days())
        .unwrap();
    let time = jiff::civil::time(8, 0, 0, 0)
        .checked_add((15 * r.below(40)).minutes())
        .unwrap();
    let start = date.to_datetime(time);
    let minutes = 15 * (1 + r.below(12));
    let uid = format!("u{cal}-{n}");
    let mut e = format!("BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:E{cal}-{n}\r\n");
    if r.chance(5) {
        // All day: never holds.
        e += &format!(
            "DTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\nEND:VEVENT\r\n",
            date.strftime("%Y%m%d"),
            date.tomorrow().unwrap().strftime("%Y%m%d")
        );
        return e;
    }
    e += &prop("DTSTART", zone, start);
    if r.chance(70) {
        e += &prop("DTEND", zone, start.checked_add(minutes.minutes()).unwrap());
    } else {
        e += &format!("DURATION:PT{minutes}M\r\n");
    }
    if r.chance(8) {
        e += "TRANSP:TRANSPARENT\r\n";
    } else if r.chance(30) {
        e += "TRANSP:OPAQUE\r\n";
    }
    if r.chance(5) {
        e += "STATUS:CANCELLED\r\n";
    }
    if r.chance(6) {
        e += "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.org\r\n";
    } else if r.chance(20) {
        e += "ATTENDEE;PARTSTAT=DECLINED:mailto:someone@example.org\r\n";
    }
    let mut moved = String::new();
    if r.chance(75) {
        let freq = *r.pick(&["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]);
        let mut rule = format!("FREQ={freq}");
        let interval = if r.chance(60) { 1 } else { 1 + r.below(3) };
        if interval > 1 || r.chance(10) {
            rule += &format!(";INTERVAL={interval}");
        }
        let wd = date.weekday().to_monday_zero_offset() as usize;
        let some_days = |r: &mut Rng| {
            let mut days = vec![DAYS[wd]];
            for d in DAYS {
                if d != DAYS[wd] && r.chance(25) {
                    days.push(d);
                }
            }
            days.join(",")
        };
        let some_months = |r: &mut Rng, m: i8| {
            let mut ms = vec![m.to_string()];
            for x in 1..=12i8 {
                if x != m && r.chance(20) {
                    ms.push(x.to_string());
                }
            }
            ms.join(",")
        };
        // The weekday's place in the month, from the start or the end.
        let nth = (date.day() - 1) / 7 + 1;
        let from_end = (date.days_in_month() - date.day()) / 7 + 1;
        let ordinal = |r: &mut Rng| {
            if r.chance(50) {
                format!("{nth}{}", DAYS[wd])
            } else {
                format!("-{from_end}{}", DAYS[wd])
            }
        };
        let step = match freq {
            "DAILY" => {
                if r.chance(30) {
                    rule += &format!(";BYDAY={}", some_days(r));
                }
                if r.chance(15) {
                    rule += &format!(";BYMONTH={}", some_months(r, date.month()));
                }
                1.day()
            }
            "WEEKLY" => {
                if r.chance(60) {
                    rule += &format!(";BYDAY={}", some_days(r));
                }
                if r.chance(30) {
                    rule += &format!(";WKST={}", r.pick(&DAYS));
                }
                1.week()
            }
            "MONTHLY" => {
                match r.below(4) {
                    0 => {}
                    1 => rule += &format!(";BYMONTHDAY={}", date.day()),
                    2 => rule += &format!(";BYDAY={}", ordinal(r)),
                    _ => rule += &format!(";BYDAY={}", some_days(r)),
                }
                if r.chance(20) {
                    rule += &format!(";BYMONTH={}", some_months(r, date.month()));
                }
                1.month()
            }
            _ => {
                match r.below(4) {
                    0 => {}
                    1 => rule += &format!(";BYMONTH={}", some_months(r, date.month())),
                    2 => {
                        rule += &format!(
                            ";BYMONTH={};BYMONTHDAY={}",
                            some_months(r, date.month()),
                            date.day()
                        )
                    }
                    _ => {
                        rule += &format!(
                            ";BYMONTH={};BYDAY={}",
                            some_months(r, date.month()),
                            ordinal(r)
                        )
                    }
                }
                1.year()
            }
        };
        if r.chance(35) {
            rule += &format!(";COUNT={}", 1 + r.below(15));
        } else if r.chance(45) {
            // UNTIL in UTC, half a day away from the occurrences' time of
            // day: (pytz computes near it with a fixed offset).
            let at = start
                .in_tz(zone)
                .unwrap()
                .timestamp()
                .checked_add(jiff::SignedDuration::from_hours(12 + 24 * r.below(150)))
                .unwrap();
            rule += &format!(";UNTIL={}", at.strftime("%Y%m%dT%H%M%SZ"));
        }
        e += &format!("RRULE:{rule}\r\n");
        let later = |r: &mut Rng| {
            let k = 1 + r.below(6) as i32;
            start
                .checked_add(step.checked_mul(k as i64).unwrap())
                .unwrap()
        };
        if r.chance(30) {
            e += &prop("EXDATE", zone, later(r));
        }
        if r.chance(15) {
            let d = start.checked_add((1 + r.below(60)).days()).unwrap();
            e += &prop("RDATE", zone, d);
        }
        if r.chance(30) {
            let rid = later(r);
            // From three hours earlier to two days later.
            let to = rid
                .checked_add(((r.below(204) - 12) * 15).minutes())
                .unwrap();
            moved = format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\n{}SUMMARY:E{cal}-{n} moved\r\n{}{}{}END:VEVENT\r\n",
                prop("RECURRENCE-ID", zone, rid),
                prop("DTSTART", zone, to),
                prop(
                    "DTEND",
                    zone,
                    to.checked_add((15 * (1 + r.below(8))).minutes()).unwrap()
                ),
                if r.chance(15) {
                    "STATUS:CANCELLED\r\n"
                } else {
                    ""
                },
            );
        }
    }
    e += "END:VEVENT\r\n";
    // The moved instance before or after its series, either way.
    if r.chance(50) { e + &moved } else { moved + &e }
}

/// Expansion checked against Python's icalendar + recurring-ical-events
/// over generated calendars: weekly, daily, monthly and yearly rules with
/// INTERVAL, COUNT, UNTIL, BYDAY (ordinals too), BYMONTHDAY, BYMONTH, WKST,
/// EXDATE, RDATE and moved instances, in five zones (three with summer
/// time, one south), all-day, free, cancelled and declined events. 300
/// calendars by default (a few seconds); UNHUNCH_CALENDAR_ORACLE=5000 for
/// more. Every difference is printed; none may remain.
#[test]
fn expansion_agrees_with_python_recurring_ical_events() {
    use jiff::ToSpan;
    let n: usize = std::env::var("UNHUNCH_CALENDAR_ORACLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = Vec::new();
    let mut ours = std::collections::BTreeMap::new();
    for cal in 0..n {
        let mut r = Rng(cal as u64);
        let mut text =
            String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//unhunch test//EN\r\n");
        for k in 0..1 + r.below(4) as usize {
            text += &generated_event(&mut r, cal, k);
        }
        text += "END:VCALENDAR\r\n";
        let path = dir.path().join(format!("c{cal}.ics"));
        std::fs::write(&path, &text).unwrap();
        let from = jiff::civil::date(2026, 1, 1)
            .checked_add(r.below(420).days())
            .unwrap()
            .in_tz("UTC")
            .unwrap()
            .timestamp();
        let to = from
            .checked_add(jiff::SignedDuration::from_hours(24 * (1 + r.below(30))))
            .unwrap();
        let (events, problems) = unhunch::calendar::parse(&text, &["me@example.org".into()])
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
        assert!(problems.is_empty(), "{problems:?}\n{text}");
        let got: Vec<Vec<String>> =
            unhunch::core::calendar::expand(&events, from, to, &jiff::tz::TimeZone::UTC)
                .into_iter()
                .map(|m| {
                    vec![
                        m.start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        m.end.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        m.title.unwrap_or_default(),
                    ]
                })
                .collect();
        let file = path.display().to_string();
        manifest.push(
            serde_json::json!({"file": file, "from": from.to_string(), "to": to.to_string()}),
        );
        ours.insert(file, (got, text));
    }
    let list = dir.path().join("manifest.json");
    std::fs::write(&list, serde_json::to_string(&manifest).unwrap()).unwrap();
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/calendar_oracle.py");
    // Debian's Python, where scripts/setup test installs the two packages.
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(oracle)
        .arg(&list)
        .output()
        .expect("/usr/bin/python3 (scripts/setup test installs it)");
    assert!(
        out.status.success(),
        "the oracle failed (scripts/setup test installs python3-icalendar and \
         python3-recurring-ical-events): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: std::collections::BTreeMap<String, Vec<Vec<String>>> =
        serde_json::from_slice(&out.stdout).unwrap();
    let mut differences = Vec::new();
    let mut occurrences = 0;
    for (file, (mut got, text)) in ours {
        got.sort();
        let want = &theirs[&file];
        occurrences += want.len();
        if got != *want {
            differences.push(format!(
                "{file}:\n  unhunch: {got:?}\n  python:  {want:?}\n{text}"
            ));
        }
    }
    eprintln!(
        "{n} calendars, {occurrences} busy occurrences, {} differences",
        differences.len()
    );
    assert!(
        differences.is_empty(),
        "{} of {n} calendars differ:\n{}",
        differences.len(),
        differences
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        occurrences > n,
        "too few occurrences to compare: {occurrences}"
    );
}
