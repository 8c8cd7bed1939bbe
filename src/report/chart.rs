//! `unhunch stats --chart`: the report's heatmap and a sparkline per
//! reminder in Unicode blocks, within 80 columns; ANSI colour only when the
//! caller says so (a terminal without NO_COLOR).

use std::fmt::Write as _;

use crate::core::report::{Report, breaks};

/// The most weeks a chart shows: one column each, within 80 columns.
pub const MAX_WEEKS: u32 = 52;

/// Room for a reminder's id before its sparkline.
const ID: usize = 12;

const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Blues for the heat levels 1 to 4 (256-colour), and the trend's colours:
/// blue for up, reddish purple for down (told apart by every common
/// colour-vision deficiency, like the page's).
const BLUES: [u8; 4] = [153, 74, 32, 25];
const UP: u8 = 32;
const DOWN: u8 = 169;

fn paint(out: &mut String, colour: Option<u8>, text: &str) {
    match colour {
        Some(c) => {
            let _ = write!(out, "\x1b[38;5;{c}m{text}\x1b[0m");
        }
        None => out.push_str(text),
    }
}

fn level(n: u32, max: u32) -> usize {
    super::html::level(n, max) as usize
}

/// The id cut to `ID` columns, padded.
fn fit(id: &str) -> String {
    let n = id.chars().count();
    if n <= ID {
        format!("{id:<ID$}")
    } else {
        let mut s: String = id.chars().take(ID - 1).collect();
        s.push('…');
        s
    }
}

pub fn render(r: &Report, colour: bool) -> String {
    let mut out = String::new();
    let weeks = r.period.weeks as usize;
    let max = r.days.iter().map(|(_, t)| breaks(t)).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "Breaks per day, {} to {} ({} week{}): {} in all\n",
        r.period.from.strftime("%a %-d %b"),
        r.period.to.strftime("%a %-d %b %Y"),
        weeks,
        if weeks == 1 { "" } else { "s" },
        breaks(&r.total)
    );
    // Month names over the weeks they start in, where there is room.
    let mut months = String::from("     ");
    let mut free_from = 0;
    let mut last = None;
    for w in 0..weeks {
        let monday = r
            .period
            .from
            .checked_add(jiff::Span::new().weeks(w as i64))
            .unwrap_or(r.period.from);
        if last != Some(monday.month()) {
            last = Some(monday.month());
            // A month with no room at its first week goes unnamed.
            if w < free_from {
                continue;
            }
            let name = monday.strftime("%b").to_string();
            while months.chars().count() < 5 + w {
                months.push(' ');
            }
            months.push_str(&name);
            free_from = w + name.len() + 1;
        }
    }
    let _ = writeln!(out, "{}", months.trim_end());
    for (row, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
    {
        let _ = write!(out, "{name}  ");
        for w in 0..weeks {
            match r.days.get(w * 7 + row) {
                Some((_, t)) => {
                    let l = level(breaks(t), max);
                    let c = (colour && l > 0).then(|| BLUES[l - 1]);
                    paint(&mut out, c, &SHADES[l].to_string());
                }
                None => out.push(' '),
            }
        }
        // No trailing spaces for the days after today.
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
    }
    let _ = write!(out, "\n     ·  none");
    for l in 1..=4 {
        let Some(lo) = super::html::level_from(l as u32, max) else {
            continue;
        };
        out.push_str("  ");
        paint(
            &mut out,
            colour.then(|| BLUES[l - 1]),
            &SHADES[l].to_string(),
        );
        let _ = write!(out, " {lo}+");
    }
    out.push_str("\n\n");
    let spark = weeks.max("WEEKS".len());
    let _ = writeln!(
        out,
        "{:<ID$} {:<spark$} {:>4}  TREND",
        "REMINDER", "WEEKS", "DONE"
    );
    for rem in &r.reminders {
        let wmax = rem.weekly_done.iter().copied().max().unwrap_or(0);
        let _ = write!(out, "{} ", fit(&rem.id));
        for n in &rem.weekly_done {
            let ch = if wmax == 0 {
                ' '
            } else if *n == 0 {
                '·'
            } else {
                BARS[((n * 8).div_ceil(wmax) as usize).clamp(1, 8) - 1]
            };
            out.push(ch);
        }
        for _ in weeks..spark {
            out.push(' ');
        }
        let rate = rem
            .now
            .adherence()
            .map_or("-".into(), |a| format!("{:.0}%", a * 100.0));
        let _ = write!(out, " {rate:>4}  ");
        match rem.trend() {
            Some(p) if p >= 0.5 => paint(&mut out, colour.then_some(UP), &format!("▲ {p:.0}")),
            Some(p) if p <= -0.5 => {
                paint(&mut out, colour.then_some(DOWN), &format!("▼ {:.0}", -p))
            }
            Some(_) => out.push('='),
            None if rem.before.shown == 0 => out.push_str("new"),
            None => out.push('-'),
        }
        out.push('\n');
    }
    if r.reminders.is_empty() {
        out.push_str("(no reminder shown or answered)\n");
    }
    let _ = writeln!(
        out,
        "\nWEEKS: breaks per week, oldest first; DONE: done / shown; TREND: points\nagainst the {} week{} before.",
        r.previous.weeks,
        if r.previous.weeks == 1 { "" } else { "s" }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Outcome;
    use crate::core::report::{Period, Streaks, build};
    use crate::core::stats::OutcomeCount;

    fn report(weeks: u32, ids: &[&str]) -> Report {
        let today: jiff::civil::Date = "2026-11-25".parse().unwrap();
        let period = Period::ending(today, weeks).unwrap();
        let mut rows = Vec::new();
        for (i, d) in period
            .previous()
            .unwrap()
            .from
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= today)
            .enumerate()
        {
            for id in ids {
                rows.push(OutcomeCount {
                    day: d.to_string(),
                    reminder: id.to_string(),
                    outcome: if i % 3 == 0 {
                        Outcome::Skipped
                    } else {
                        Outcome::Done
                    },
                    count: (i % 5) as u32,
                    routines: 0,
                    routine_seconds: 0,
                });
            }
        }
        let streaks = Streaks {
            overall: 0,
            by_reminder: Default::default(),
        };
        build(period, today, &rows, &[], &streaks).unwrap()
    }

    #[test]
    fn fits_80_columns_and_has_no_colour_unless_asked() {
        for weeks in [1, 12, MAX_WEEKS] {
            let r = report(weeks, &["stand", "a-very-long-reminder-id-indeed", "neck"]);
            let plain = render(&r, false);
            for line in plain.lines() {
                assert!(line.chars().count() <= 80, "{weeks}: {line:?}");
            }
            assert!(!plain.contains('\x1b'));
            assert!(plain.contains("a-very-long…"), "{plain}");
            let coloured = render(&r, true);
            assert!(coloured.contains("\x1b[38;5;"));
        }
    }

    #[test]
    fn the_heatmap_has_a_shade_per_day() {
        let r = report(2, &["stand"]);
        let plain = render(&r, false);
        let grid: Vec<&str> = plain
            .lines()
            .filter(|l| {
                [
                    "Mon  ", "Tue  ", "Wed  ", "Thu  ", "Fri  ", "Sat  ", "Sun  ",
                ]
                .iter()
                .any(|d| l.starts_with(d))
            })
            .collect();
        assert_eq!(grid.len(), 7);
        let cells: usize = grid
            .iter()
            .map(|l| l.chars().skip(5).filter(|c| SHADES.contains(c)).count())
            .sum();
        assert_eq!(cells, 10, "Mon 16 to Wed 25 Nov:\n{plain}");
    }
}
