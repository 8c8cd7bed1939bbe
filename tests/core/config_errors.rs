//! Every invalid config gets an error naming file:line:column, the key or
//! value at fault, and what is expected. Checked against the exact text.

use unhunch::config::parse;

/// The one error a config with one mistake gets (all of them, joined, if
/// more were reported: a case with one mistake must report one).
fn only_error(src: &str) -> String {
    match parse(src, "config.toml") {
        Ok(_) => panic!("expected an error for:\n{src}"),
        Err(d) => d
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

fn all_errors(src: &str) -> Vec<String> {
    parse(src, "config.toml")
        .err()
        .unwrap_or_default()
        .iter()
        .map(|d| d.to_string())
        .collect()
}

const HEAD: &str = "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\n";
const ROUTINE: &str = "[[routine]]\nid = \"mine\"\ntitle = \"Mine\"\n";

#[test]
fn invalid_configs_name_place_and_expectation() {
    let cases: &[(&str, &str)] = &[
        // 1. unknown key in a reminder
        (
            "[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevry = \"45m\"\n",
            "config.toml:4:1: unknown field \"evry\": did you mean \"every\"?",
        ),
        // 2. unknown section
        (
            "[genral]\nsnooze = \"5m\"\n",
            "config.toml:1:2: unknown field \"genral\": did you mean \"general\"?",
        ),
        // 3. bad duration
        (
            "[general]\nsnooze = \"10 minutes please\"\n",
            "config.toml:2:10: invalid duration \"10 minutes please\": expected numbers with units s, m, h, e.g. \"45m\", \"1h 30m\", \"90s\"",
        ),
        // 4. bad clock time
        (
            "[sleep]\nwake = \"7:00\"\n",
            "config.toml:2:8: invalid time \"7:00\": expected \"HH:MM\", 00:00 to 23:59",
        ),
        // 5. hour out of range inside at
        (
            "[[reminder]]\nid = \"d\"\nkind = \"decompress\"\nat = [\"11:00\", \"25:00\"]\n",
            "config.toml:4:16: invalid time \"25:00\": expected \"HH:MM\", 00:00 to 23:59",
        ),
        // 6. bad during
        (
            &format!("{HEAD}every = \"45m\"\nduring = \"office\"\n"),
            "config.toml:5:10: invalid during \"office\": expected \"work\", \"always\" or a range \"HH:MM-HH:MM\"",
        ),
        // 7. empty range
        (
            &format!("{HEAD}every = \"45m\"\nduring = \"10:00-10:00\"\n"),
            "config.toml:5:10: empty time range \"10:00-10:00\": start and end are equal (use \"always\" for the whole day)",
        ),
        // 8. bad day
        (
            "[general]\nwork_days = [\"mon\", \"tues\"]\n",
            "config.toml:2:21: invalid day \"tues\": did you mean \"tue\"?",
        ),
        // 9. unknown kind
        (
            "[[reminder]]\nid = \"x\"\nkind = \"yoga\"\nevery = \"1h\"\n",
            "config.toml:3:8: unknown kind \"yoga\": expected one of stand, neck, decompress, massage, meditate, wind-down, custom",
        ),
        // 10. both every and at
        (
            &format!("{HEAD}every = \"45m\"\nat = [\"11:00\"]\n"),
            "config.toml:5:6: reminder \"stand\" has both every and at: keep exactly one",
        ),
        // 11. neither every nor at
        (
            HEAD,
            "config.toml:1:1: reminder \"stand\" has neither every nor at: add one, e.g. every = \"45m\" or at = [\"11:00\"]",
        ),
        // 12. zero interval
        (
            &format!("{HEAD}every = \"0s\"\n"),
            "config.toml:4:9: every must be longer than zero",
        ),
        // 13. duplicate id
        (
            &format!("{HEAD}every = \"45m\"\n{HEAD}every = \"1h\"\n"),
            "config.toml:6:6: duplicate id \"stand\": ids must be unique (first used on line 2)",
        ),
        // 14. invalid id
        (
            "[[reminder]]\nid = \"Stand Up\"\nkind = \"stand\"\nevery = \"45m\"\n",
            "config.toml:2:6: invalid id \"Stand Up\": use 1 to 32 characters from a-z, 0-9 and \"-\"",
        ),
        // 15. custom without title and body
        (
            "[[reminder]]\nid = \"c\"\nkind = \"custom\"\nevery = \"1h\"\n",
            "config.toml:1:1: reminder \"c\": kind \"custom\" needs a title and a body",
        ),
        // 16. interval that cannot fit its window
        (
            &format!("{HEAD}every = \"10h\"\nduring = \"work\"\n"),
            "config.toml:4:9: every = \"10h\" does not fit in its window 09:00-18:00 (9 h): it would never fire",
        ),
        // 17. during with a fixed time
        (
            &format!("{HEAD}at = [\"11:00\"]\nduring = \"work\"\n"),
            "config.toml:5:10: during applies to interval reminders (every); a fixed-time reminder (at) uses days",
        ),
        // 18. wrong type
        (
            "[general]\nrespect_dnd = \"yes\"\n",
            "config.toml:2:15: invalid type: string \"yes\", expected a boolean",
        ),
        // 19. TOML syntax error
        (
            "[general\nsnooze = \"5m\"\n",
            "config.toml:1:9: unclosed table, expected \"]\"",
        ),
        // 20. empty days
        (
            &format!("{HEAD}every = \"1h\"\ndays = []\n"),
            "config.toml:5:8: days is empty: list at least one day, e.g. [\"mon\", \"tue\"]",
        ),
        // 21. days disjoint from work days
        (
            &format!("{HEAD}every = \"1h\"\nduring = \"work\"\ndays = [\"sat\"]\n"),
            "config.toml:6:8: days has no day in common with work_days: this reminder would never fire",
        ),
        // 21b. all day on single days: a day-long interval never fits
        (
            &format!("{HEAD}every = \"24h\"\ndays = [\"mon\", \"wed\"]\n"),
            "config.toml:4:9: every = \"24h\" does not fit in its days (mon,wed: at most 1 day in a row): it would never fire",
        ),
        // 22. zero snooze
        (
            "[general]\nsnooze = \"0s\"\n",
            "config.toml:2:10: snooze must be longer than zero",
        ),
        // 23. duration over a day
        (
            &format!("{HEAD}every = \"2days\"\n"),
            "config.toml:4:9: every = \"2days\" is longer than a day",
        ),
        // 24. sleep that leaves no day
        (
            "[sleep]\ngoal = \"23h\"\nwind_down = \"2h\"\n",
            "config.toml:2:8: goal plus wind_down must be shorter than a day",
        ),
        // 25. empty tip
        (
            &format!("{HEAD}every = \"1h\"\ntips = [\"Walk.\", \"  \"]\n"),
            "config.toml:5:18: empty tip: remove it or write one",
        ),
        // 26. same time twice
        (
            "[[reminder]]\nid = \"d\"\nkind = \"decompress\"\nat = [\"11:00\", \"11:00\"]\n",
            "config.toml:4:6: at lists the same time twice",
        ),
        // 27. bad urgency
        (
            &format!("{HEAD}every = \"1h\"\nurgency = \"high\"\n"),
            "config.toml:5:11: unknown variant \"high\", expected one of \"low\", \"normal\", \"critical\"",
        ),
        // 28. a NUL in a title (dbus-daemon drops a connection that sends one)
        (
            &format!("{HEAD}every = \"1h\"\ntitle = \"a\\u0000b\"\n"),
            "config.toml:5:9: title contains the control character U+0000: remove it",
        ),
        // 29. a line break in a title
        (
            &format!("{HEAD}every = \"1h\"\ntitle = \"two\\nlines\"\n"),
            "config.toml:5:9: title contains the control character U+000A: remove it",
        ),
        // 30. an escape sequence in a tip
        (
            &format!("{HEAD}every = \"1h\"\ntips = [\"\\u001b[31mred\"]\n"),
            "config.toml:5:9: a tip contains the control character U+001B: remove it",
        ),
        // 31. a body too long to show
        (
            &format!("{HEAD}every = \"1h\"\nbody = \"{}\"\n", "x".repeat(1001)),
            "config.toml:5:8: body is 1001 characters long: at most 1000",
        ),
        // 32. an interval under a second
        (
            &format!("{HEAD}every = \"1ns\"\n"),
            "config.toml:4:9: every = \"1ns\" is under a second: use at least \"1m\"",
        ),
        // 33. days echoed as written
        (
            "[general]\nsnooze = \"8d\"\n",
            "config.toml:2:10: snooze = \"8d\" is longer than a day",
        ),
        // 34. a reminder naming a routine that is not there
        (
            &format!("{HEAD}every = \"1h\"\nroutine = \"neck-rest\"\n"),
            "config.toml:5:11: unknown routine \"neck-rest\": name one of neck-reset, neck-turns, stand-walk, decompress-floor, decompress-standing, massage-shoulders, box-breathing, breathing-4-7-8, slow-breaths, wind-down, or add [[routine]] id = \"neck-rest\"",
        ),
        // 35. a routine without steps
        (
            &format!("{ROUTINE}steps = []\n"),
            "config.toml:4:9: steps is empty: add at least one, e.g. { text = \"Roll your shoulders\", seconds = 10 }",
        ),
        // 36. a step of no time
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\", seconds = 0 }}]\n"),
            "config.toml:4:37: 0 is not a whole number of at least 1",
        ),
        // 37. negative seconds
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\", seconds = -5 }}]\n"),
            "config.toml:4:37: -5 is not a whole number of at least 1",
        ),
        // 38. too many repeats
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\", seconds = 5, repeat = 1000 }}]\n"),
            "config.toml:4:49: repeat must be from 1 to 100",
        ),
        // 39. a routine too long
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\", seconds = 600, repeat = 4 }}]\n"),
            "config.toml:1:1: routine \"mine\" takes 40 min: at most 30 min",
        ),
        // 40. seconds as a fraction
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\", seconds = 1.5 }}]\n"),
            "config.toml:4:37: invalid type: floating point \"1.5\", expected a whole number, at least 1",
        ),
        // 41. two routines of one id
        (
            &format!(
                "{ROUTINE}steps = [{{ text = \"Roll\", seconds = 5 }}]\n{ROUTINE}steps = [{{ text = \"Roll\", seconds = 5 }}]\n"
            ),
            "config.toml:6:6: duplicate routine id \"mine\" (first used on line 2)",
        ),
        // 42. a misspelt key in a step
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\", secs = 5 }}]\n"),
            "config.toml:4:27: unknown field \"secs\", expected one of \"text\", \"seconds\", \"repeat\"",
        ),
        // 43. a step without its length
        (
            &format!("{ROUTINE}steps = [{{ text = \"Roll\" }}]\n"),
            "config.toml:4:10: missing field \"seconds\"",
        ),
        // 44. a step that says nothing
        (
            &format!("{ROUTINE}steps = [{{ text = \" \", seconds = 5 }}]\n"),
            "config.toml:4:19: a step's text is empty: say what to do",
        ),
        // 45. no rounds
        (
            &format!("{ROUTINE}rounds = 0\nsteps = [{{ text = \"Roll\", seconds = 5 }}]\n"),
            "config.toml:4:10: 0 is not a whole number of at least 1",
        ),
        // 46. idle inhibitors neither respected nor ignored
        (
            "[general]\nidle_inhibitors = \"watch\"\n",
            "config.toml:2:19: unknown variant \"watch\", expected \"respect\" or \"ignore\"",
        ),
    ];
    let mut failures = Vec::new();
    for (i, (src, want)) in cases.iter().enumerate() {
        let got = only_error(src);
        if got != *want {
            failures.push(format!("case {}:\n  want: {want}\n  got:  {got}", i + 1));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Mistakes the parser refuses are each reported too, in the file's order,
/// with what else is wrong in the same reminder — and nothing that only
/// follows from setting one aside.
#[test]
fn every_mistake_in_one_reminder_is_reported() {
    let src = "[[reminder]]\nid = \"x\"\nkind = \"custom\"\nevery = \"1h\"\nduring = \"25:00-26:00\"\ndays = [\"funday\"]\nurgency = \"high\"\n";
    let errs = all_errors(src);
    let at: Vec<&str> = errs.iter().map(|e| &e[..e.find(": ").unwrap()]).collect();
    assert_eq!(
        at,
        [
            "config.toml:1:1",
            "config.toml:5:10",
            "config.toml:6:9",
            "config.toml:7:11"
        ],
        "{errs:#?}"
    );
    assert!(errs[0].contains("needs a title and a body"), "{errs:#?}");
    // A misspelt key: its table says nothing more (no "neither every nor at").
    let errs = all_errors(&format!(
        "{HEAD}evry = \"45m\"\ndays = [\"mun\"]\n[general]\nsnooze = \"0s\"\n"
    ));
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(
        errs[0].starts_with("config.toml:4:1: unknown field \"evry\""),
        "{errs:#?}"
    );
    assert!(
        errs[1].starts_with("config.toml:5:9: invalid day \"mun\""),
        "{errs:#?}"
    );
    assert!(
        errs[2].starts_with("config.toml:7:10: snooze must be longer than zero"),
        "{errs:#?}"
    );
}

#[test]
fn semantic_errors_are_all_reported_at_once() {
    let src = format!(
        "{HEAD}every = \"0s\"\n[[reminder]]\nid = \"BAD\"\nkind = \"neck\"\nat = [\"11:00\"]\n"
    );
    let errs = all_errors(&src);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].starts_with("config.toml:4:9:"));
    assert!(errs[1].starts_with("config.toml:6:6: invalid id \"BAD\""));
}

#[test]
fn short_interval_is_a_warning_not_an_error() {
    let (_, warnings) = parse(&format!("{HEAD}every = \"30s\"\n"), "config.toml").unwrap();
    let w: Vec<String> = warnings.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        w,
        vec!["config.toml:4:9: every = \"30s\" is under a minute: that is a lot of reminders"]
    );
}

#[test]
fn rendered_error_shows_the_line_and_a_caret() {
    let d = parse("[general]\nsnooze = \"5x\"\n", "config.toml").unwrap_err();
    let r = d[0].render();
    assert!(r.contains("\n 2 | snooze = \"5x\"\n"), "{r}");
    assert!(r.ends_with("|          ^"), "caret under column 10:\n{r}");
}

#[test]
fn the_embedded_default_is_valid_and_matches_the_design() {
    let (c, warnings) = parse(unhunch::config::DEFAULT_TOML, "default.toml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let summary: Vec<String> = c
        .reminders
        .iter()
        .map(|r| format!("{} {} {} {}", r.id, r.kind, r.schedule, r.enabled))
        .collect();
    assert_eq!(
        summary,
        vec![
            "stand stand every 50 min, 09:00-18:00, mon-fri true",
            "neck neck at 10:15, 15:15, mon-fri true",
            "decompress decompress at 11:55, 16:55, mon-fri true",
            "breathe meditate at 13:35, mon-fri true",
            "wind-down wind-down at 22:00, every day true",
            "massage massage at 14:25, mon-fri false",
        ]
    );
    // Every kind but custom has words of its own and three to five tips.
    for r in &c.reminders {
        assert!(!r.title.is_empty() && !r.body.is_empty(), "{}", r.id);
        assert!(
            (3..=5).contains(&r.tips.len()),
            "{} has {} tips",
            r.id,
            r.tips.len()
        );
    }
}

/// Regression: a syntax error at the very first byte (span 0..0) lost its
/// location, because 0..0 also meant "the whole file". Found by the
/// 100,000-case mutation run.
#[test]
fn regression_syntax_error_at_byte_zero_is_located() {
    let d = parse(", unless\nx = 1\n", "config.toml").unwrap_err();
    assert_eq!(d[0].at, Some((1, 1)), "{}", d[0]);
    assert!(
        d[0].to_string().starts_with("config.toml:1:1: "),
        "{}",
        d[0]
    );
    // A file-wide warning still has no location.
    let (_, w) = parse("[general]\n", "config.toml").unwrap();
    assert_eq!(
        w[0].to_string(),
        "config.toml: no [[reminder]] tables: nothing will be shown"
    );
}

/// A reminder runs its kind's first built-in routine unless it names one;
/// a `[[routine]]` with a built-in's id replaces it.
#[test]
fn routines_default_by_kind_and_can_be_replaced_or_added() {
    let src = format!(
        "{HEAD}every = \"1h\"\n[[reminder]]\nid = \"n\"\nkind = \"neck\"\nevery = \"1h\"\nroutine = \"mine\"\n\
         [[reminder]]\nid = \"c\"\nkind = \"custom\"\ntitle = \"C\"\nbody = \"C\"\nevery = \"1h\"\n\
         {ROUTINE}rounds = 2\nsteps = [{{ text = \"Roll\", seconds = 5, repeat = 3 }}]\n\
         [[routine]]\nid = \"stand-walk\"\ntitle = \"Just walk\"\nsteps = [{{ text = \"Walk\", seconds = 90 }}]\n"
    );
    let (cfg, _) = parse(&src, "config.toml").unwrap();
    let walk = cfg.routine_of("stand").unwrap();
    assert_eq!(
        (walk.id.as_str(), walk.title.as_str()),
        ("stand-walk", "Just walk")
    );
    assert_eq!(walk.length(), jiff::SignedDuration::from_secs(90));
    let mine = cfg.routine_of("n").unwrap();
    assert_eq!((mine.rounds, mine.cue_count()), (2, 6));
    assert!(
        cfg.routine_of("c").is_none(),
        "custom has no routine of its own"
    );
    assert_eq!(
        cfg.routines.iter().filter(|r| r.id == "stand-walk").count(),
        1
    );
}

/// The default and both presets, planned for a week from each day of the
/// week, in zones with a DST change that week: no two reminders within 5
/// minutes of each other, and the number a work day has is the number the
/// file says. (The plan answers each reminder when it shows; a snooze or
/// a late answer moves the intervals after it.)
#[test]
fn the_presets_never_bring_two_reminders_within_5_minutes() {
    use unhunch::config::Preset;
    use unhunch::core::plan::plan;
    let per_work_day = [
        (Preset::Balanced, 16),
        (Preset::Gentle, 12),
        (Preset::Active, 24),
    ];
    for (preset, want) in per_work_day {
        let text = preset.text();
        assert!(
            text.contains(&format!("{want} reminders on a work day")),
            "{} says its number",
            preset.name()
        );
        let (mut config, _) = parse(&text, preset.name()).unwrap();
        // The disabled massage of the default too: turned on, it fits.
        for r in &mut config.reminders {
            r.enabled = true;
        }
        for (zone, monday) in [
            ("Europe/Berlin", "2027-03-22"),
            ("America/New_York", "2026-11-02"),
            ("Asia/Kolkata", "2026-11-23"),
        ] {
            let monday: jiff::civil::Date = monday.parse().unwrap();
            for offset in 0..7 {
                let day = monday.checked_add(jiff::Span::new().days(offset)).unwrap();
                let from = day
                    .to_zoned_datetime(jiff::tz::TimeZone::get(zone).unwrap())
                    .unwrap();
                let until = from.checked_add(jiff::Span::new().days(7)).unwrap();
                let p = plan(&config, &from, until.timestamp());
                for w in p.windows(2) {
                    let gap = w[1].at.timestamp().duration_since(w[0].at.timestamp());
                    assert!(
                        gap >= jiff::SignedDuration::from_mins(5),
                        "{} from {from}: {} at {} and {} at {}",
                        preset.name(),
                        w[0].id,
                        w[0].at,
                        w[1].id,
                        w[1].at
                    );
                }
                if offset == 0 {
                    let on_monday = p.iter().filter(|x| x.at.date() == monday).count();
                    // The balanced day's massage is off in the file.
                    let massage = usize::from(preset == Preset::Balanced);
                    assert_eq!(on_monday, want + massage, "{} in {zone}", preset.name());
                }
            }
        }
    }
}
