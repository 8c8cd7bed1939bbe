//! Calendars: iCalendar text read by the calendar reader and expanded by
//! the pure core into the meetings that hold reminders (fixtures: a weekly
//! series with an EXDATE and a moved instance, a Europe/Berlin series across
//! the spring change, all-day, cancelled, free and declined events).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use unhunch::calendar::parse;
use unhunch::core::calendar::{Rule, expand};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn cal(events: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n",
        events.replace('\n', "\r\n")
    )
}

/// The meetings of `text` in `from..to`, as "start-end title" in UTC.
fn meetings(text: &str, from: &str, to: &str) -> Vec<String> {
    let (events, problems) = parse(text, &["me@example.org".to_string()]).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    expand(&events, ts(from), ts(to), &TimeZone::UTC)
        .into_iter()
        .map(|m| {
            format!(
                "{}-{} {}",
                m.start.strftime("%m-%d %H:%M"),
                m.end.strftime("%H:%M"),
                m.title.unwrap_or_default()
            )
        })
        .collect()
}

const WEEKLY: &str = "BEGIN:VEVENT
UID:weekly-1
SUMMARY:Team sync
DTSTART;TZID=Europe/Berlin:20260302T100000
DTEND;TZID=Europe/Berlin:20260302T103000
RRULE:FREQ=WEEKLY;BYDAY=MO
EXDATE;TZID=Europe/Berlin:20260316T100000
END:VEVENT
BEGIN:VEVENT
UID:weekly-1
RECURRENCE-ID;TZID=Europe/Berlin:20260323T100000
SUMMARY:Team sync (moved)
DTSTART;TZID=Europe/Berlin:20260324T140000
DTEND;TZID=Europe/Berlin:20260324T150000
END:VEVENT
";

#[test]
fn a_weekly_series_skips_its_exdate_and_follows_a_moved_instance() {
    let got = meetings(&cal(WEEKLY), "2026-03-01T00:00Z", "2026-04-07T00:00Z");
    assert_eq!(
        got,
        [
            "03-02 09:00-09:30 Team sync",
            "03-09 09:00-09:30 Team sync",
            // 16 March: EXDATE. 23 March: moved to the 24th, 14:00 Berlin.
            "03-24 13:00-14:00 Team sync (moved)",
            // Summer time in Berlin from 29 March: 10:00 is 08:00 UTC.
            "03-30 08:00-08:30 Team sync",
            "04-06 08:00-08:30 Team sync",
        ]
    );
}

#[test]
fn a_berlin_series_keeps_its_local_time_across_the_spring_change() {
    let text = cal("BEGIN:VEVENT
UID:daily-berlin
SUMMARY:Stand-up
DTSTART;TZID=Europe/Berlin:20260327T091500
DURATION:PT15M
RRULE:FREQ=DAILY;COUNT=4
END:VEVENT
");
    assert_eq!(
        meetings(&text, "2026-03-20T00:00Z", "2026-04-10T00:00Z"),
        [
            "03-27 08:15-08:30 Stand-up",
            "03-28 08:15-08:30 Stand-up",
            "03-29 07:15-07:30 Stand-up",
            "03-30 07:15-07:30 Stand-up",
        ]
    );
}

#[test]
fn all_day_cancelled_free_and_declined_events_do_not_hold() {
    let text = cal("BEGIN:VEVENT
UID:all-day
SUMMARY:Holiday
DTSTART;VALUE=DATE:20260310
DTEND;VALUE=DATE:20260311
END:VEVENT
BEGIN:VEVENT
UID:cancelled
SUMMARY:Cancelled
STATUS:CANCELLED
DTSTART:20260310T090000Z
DTEND:20260310T100000Z
END:VEVENT
BEGIN:VEVENT
UID:free
SUMMARY:Focus time
TRANSP:TRANSPARENT
DTSTART:20260310T100000Z
DTEND:20260310T110000Z
END:VEVENT
BEGIN:VEVENT
UID:declined
SUMMARY:Declined
DTSTART:20260310T110000Z
DTEND:20260310T120000Z
ORGANIZER:mailto:boss@example.org
ATTENDEE;PARTSTAT=DECLINED;CN=Me:mailto:Me@Example.org
END:VEVENT
BEGIN:VEVENT
UID:declined-by-another
SUMMARY:Review
TRANSP:OPAQUE
DTSTART:20260310T120000Z
DTEND:20260310T130000Z
ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.org
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org
END:VEVENT
");
    assert_eq!(
        meetings(&text, "2026-03-10T00:00Z", "2026-03-11T00:00Z"),
        ["03-10 12:00-13:00 Review"]
    );
}

#[test]
fn only_the_window_is_expanded_and_a_meeting_under_way_is_in_it() {
    let text = cal("BEGIN:VEVENT
UID:long
SUMMARY:Workshop\\, part 1
DTSTART:20260310T080000Z
DTEND:20260310T120000Z
END:VEVENT
");
    assert_eq!(
        meetings(&text, "2026-03-10T11:00Z", "2026-03-10T12:00Z"),
        ["03-10 08:00-12:00 Workshop, part 1"]
    );
    assert!(meetings(&text, "2026-03-10T12:00Z", "2026-03-11T12:00Z").is_empty());
}

#[test]
fn monthly_and_yearly_rules_with_ordinals_month_days_and_until() {
    let text = cal("BEGIN:VEVENT
UID:last-friday
SUMMARY:Retro
DTSTART:20260130T150000Z
DTEND:20260130T160000Z
RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260430T000000Z
END:VEVENT
BEGIN:VEVENT
UID:quarterly
SUMMARY:Planning
DTSTART:20260115T090000Z
DTEND:20260115T100000Z
RRULE:FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=15;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:every-other
SUMMARY:One-to-one
DTSTART:20260105T130000Z
DTEND:20260105T133000Z
RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU;COUNT=5
END:VEVENT
");
    assert_eq!(
        meetings(&text, "2026-01-01T00:00Z", "2027-01-01T00:00Z"),
        [
            "01-05 13:00-13:30 One-to-one",
            "01-08 13:00-13:30 One-to-one",
            "01-15 09:00-10:00 Planning",
            "01-19 13:00-13:30 One-to-one",
            "01-22 13:00-13:30 One-to-one",
            "01-30 15:00-16:00 Retro",
            "02-02 13:00-13:30 One-to-one",
            "02-27 15:00-16:00 Retro",
            "03-27 15:00-16:00 Retro",
            "04-15 09:00-10:00 Planning",
            "04-24 15:00-16:00 Retro",
            "07-15 09:00-10:00 Planning",
        ]
    );
}

#[test]
fn a_broken_file_names_the_line_and_a_bad_event_leaves_the_others() {
    let err = parse(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nno colon here\r\n",
        &[],
    )
    .unwrap_err();
    assert!(err.starts_with("4: "), "{err}");
    assert!(parse("hello\n", &[]).is_err());

    let text = cal("BEGIN:VEVENT
UID:bad-zone
DTSTART;TZID=Nowhere/Special:20260310T090000
DTEND;TZID=Nowhere/Special:20260310T100000
END:VEVENT
BEGIN:VEVENT
UID:bad-rule
DTSTART:20260310T090000Z
DTEND:20260310T100000Z
RRULE:FREQ=HOURLY
END:VEVENT
BEGIN:VEVENT
UID:good
SUMMARY:Fine
DTSTART:20260310T090000Z
DTEND:20260310T100000Z
END:VEVENT
");
    let (events, problems) = parse(&text, &[]).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("5: event \"bad-zone\": TZID \"Nowhere/Special\""),
        "{problems:?}"
    );
    assert!(problems[1].contains("HOURLY"), "{problems:?}");
}

#[test]
fn a_thunderbird_style_tzid_is_read_by_its_iana_tail() {
    let text = cal("BEGIN:VEVENT
UID:tb
SUMMARY:Call
DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260310T090000
DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260310T100000
END:VEVENT
");
    assert_eq!(
        meetings(&text, "2026-03-10T00:00Z", "2026-03-11T00:00Z"),
        ["03-10 08:00-09:00 Call"]
    );
}

#[test]
fn rules_this_expansion_does_not_do_are_refused() {
    assert!(Rule::parse("FREQ=WEEKLY;BYHOUR=9").is_err());
    assert!(Rule::parse("FREQ=WEEKLY;BYDAY=1MO").is_err());
    assert!(Rule::parse("FREQ=MONTHLY;COUNT=2;UNTIL=20260101").is_err());
    assert!(Rule::parse("INTERVAL=2").is_err());
    assert!(Rule::parse("FREQ=MONTHLY;BYDAY=2TU,-1FR;BYMONTH=3").is_ok());
}
