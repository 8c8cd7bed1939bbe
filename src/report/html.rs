//! The report as one self-contained HTML page: inline SVG and CSS, no
//! script, nothing fetched, so it opens from `file://` and prints on one
//! page. Every chart has a text title and its numbers in a table under a
//! disclosure; colours are the Okabe–Ito palette (told apart with every
//! common colour-vision deficiency), in light and dark.
//!
//! Every string from the history (reminder ids) goes through [`esc`].

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::core::report::{Report, WEEKDAYS, When, breaks, fmt_held, part_of_day, weekday_name};
use crate::core::stats::Tally;

/// Text for HTML content and quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1b1b; --muted: #5b5b5b; --line: #d6d6d6; --card: #f6f6f4;
  --done: #0072b2; --snoozed: #e69f00; --skipped: #cc79a7;
  --l0: #ebebeb; --l1: #c6dbef; --l2: #6baed6; --l3: #2171b5; --l4: #08306b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #161616; --fg: #ececec; --muted: #a8a8a8; --line: #3a3a3a; --card: #202020;
    --done: #56b4e9; --snoozed: #e69f00; --skipped: #cc79a7;
    --l0: #2c2c2c; --l1: #0b3a5e; --l2: #1f6fa8; --l3: #56b4e9; --l4: #c6e6fa;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.6em; margin: 0 0 2px; }
h2 { font-size: 1.1em; margin: 0 0 8px; }
.sub, .note, figcaption { color: var(--muted); font-size: .9em; }
.grid { display: grid; gap: 14px;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
ul.said { margin: 0; padding-left: 1.2em; }
ul.said li { margin: 2px 0; }
svg { display: block; max-width: 100%; height: auto; }
svg text { fill: var(--muted); font-size: 7px; font-family: inherit; }
#heatmap svg text { font-size: 5.5px; }
.l0 { fill: var(--l0); } .l1 { fill: var(--l1); } .l2 { fill: var(--l2); }
.l3 { fill: var(--l3); } .l4 { fill: var(--l4); }
.done { fill: var(--done); } .snoozed { fill: var(--snoozed); } .skipped { fill: var(--skipped); }
.axis { stroke: var(--line); }
.key { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; padding: 0;
  list-style: none; font-size: .85em; color: var(--muted); }
.key i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; }
.key i.done { background: var(--done); } .key i.snoozed { background: var(--snoozed); }
.key i.skipped { background: var(--skipped); }
.key i.l0 { background: var(--l0); } .key i.l1 { background: var(--l1); }
.key i.l2 { background: var(--l2); } .key i.l3 { background: var(--l3); }
.key i.l4 { background: var(--l4); }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--muted); font-size: .9em; }
table { border-collapse: collapse; width: 100%; font-size: .85em; margin-top: 6px; }
th, td { padding: 3px 5px; border-bottom: 1px solid var(--line); text-align: right;
  white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; overflow-wrap: anywhere; }
thead th { color: var(--muted); font-weight: 600; }
.big { font-size: 1.6em; font-weight: 600; }
.up { color: var(--done); } .down { color: var(--skipped); }
footer { margin-top: 14px; }
@media (max-width: 560px) {
  main { padding: 8px; }
  section { padding: 10px; }
  .opt { display: none; }
}
@media print {
  @page { size: A4 portrait; margin: 8mm; }
  body { font-size: 10px; background: #fff; color: #000; }
  main { padding: 0; max-width: none; }
  .grid { grid-template-columns: 1fr 1fr; gap: 6px; }
  section { padding: 6px 8px; break-inside: avoid; }
  details, .note { display: none; }
  h1 { font-size: 1.4em; }
  h2 { margin-bottom: 4px; }
  svg { max-height: 38mm; width: auto; }
  #heatmap svg { max-height: 45mm; }
  .opt svg { max-height: 5mm; }
  table { margin-top: 2px; }
  th, td { padding: 1px 4px; }
}
"#;

fn day_label(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pct(t: &Tally) -> String {
    t.adherence()
        .map_or("–".into(), |a| format!("{:.0}%", a * 100.0))
}

/// The heat level of `n` breaks on a day, 0 (none) to 4, against the
/// period's busiest day.
pub(super) fn level(n: u32, max: u32) -> u32 {
    if n == 0 || max == 0 {
        0
    } else {
        (1 + (n - 1) * 4 / max).min(4)
    }
}

/// The fewest breaks that make heat level `l` (1 to 4), if any number
/// does: with a busiest day of 2, levels 2 and 4 are 1 and 2 breaks and 1
/// and 3 none.
pub(super) fn level_from(l: u32, max: u32) -> Option<u32> {
    let n = ((l - 1) * max).div_ceil(4) + 1;
    (n <= max && level(n, max) == l).then_some(n)
}

/// The page.
pub fn render(r: &Report) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!(
        "Your weeks: {} to {}",
        r.period.from.strftime("%-d %b"),
        r.period.to.strftime("%-d %b %Y")
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<header><h1>Your weeks</h1><p class=\"sub\">{} to {} · {} · from unhunch's history</p></header>",
        day_label(r.period.from),
        day_label(r.period.to),
        plural(r.period.weeks, "week", "weeks")
    );
    h.push_str("<div class=\"grid\">\n");
    said(&mut h, r);
    heatmap(&mut h, r);
    hours(&mut h, r);
    weekdays(&mut h, r);
    reminders(&mut h, r);
    routines(&mut h, r);
    away(&mut h, r);
    h.push_str("</div>\n");
    let _ = write!(
        h,
        "<footer class=\"note\">A break is a reminder answered done, or one taken on your own \
         (<code>unhunch took</code>). A showing counts once however often it was \
         snoozed; the done rate is done / shown, as in <code>unhunch stats</code>. Times are local, as \
         recorded. The period before: {} to {}.</footer>\n</main>\n</body>\n</html>\n",
        day_label(r.previous.from),
        day_label(r.previous.to)
    );
    h
}

fn said(h: &mut String, r: &Report) {
    h.push_str("<section class=\"wide\" id=\"said\"><h2>In a few words</h2><ul class=\"said\">\n");
    for s in r.sentences() {
        let _ = writeln!(h, "<li>{}</li>", esc(&s));
    }
    let _ = writeln!(
        h,
        "</ul><p class=\"note\"><span class=\"big\">{}</span> breaks in {} · done rate {} · {} in a row now</p></section>",
        breaks(&r.total),
        plural(r.period.weeks, "week", "weeks"),
        pct(&r.total),
        plural(r.streak, "day", "days")
    );
}

fn heatmap(h: &mut String, r: &Report) {
    const CELL: u32 = 13;
    const STEP: u32 = 16;
    const LEFT: u32 = 30;
    const TOP: u32 = 16;
    let weeks = r.period.weeks;
    let width = LEFT + weeks * STEP + 2;
    let height = TOP + 7 * STEP + 2;
    let max = r.days.iter().map(|(_, t)| breaks(t)).max().unwrap_or(0);
    let _ = write!(
        h,
        "<section class=\"wide\" id=\"heatmap\"><h2 id=\"heatmap-title\">Breaks per day</h2>\n\
         <svg viewBox=\"0 0 {width} {height}\" width=\"{}\" role=\"img\" aria-labelledby=\"heatmap-title heatmap-desc\">\
         <desc id=\"heatmap-desc\">One square per day, a column per week, Monday at the top; the darker, the more breaks (up to {max} in a day).</desc>\n",
        width * 5 / 2
    );
    for (i, name) in ["Mon", "", "Wed", "", "Fri", "", "Sun"].iter().enumerate() {
        if !name.is_empty() {
            let _ = write!(
                h,
                "<text x=\"0\" y=\"{}\">{name}</text>",
                TOP + i as u32 * STEP + 10
            );
        }
    }
    let mut last_month = None;
    for w in 0..weeks {
        let monday = r
            .period
            .from
            .checked_add(jiff::Span::new().weeks(i64::from(w)))
            .unwrap_or(r.period.from);
        if last_month != Some(monday.month()) {
            last_month = Some(monday.month());
            let _ = write!(
                h,
                "<text x=\"{}\" y=\"10\">{}</text>",
                LEFT + w * STEP,
                monday.strftime("%b")
            );
        }
    }
    h.push('\n');
    for (i, (d, t)) in r.days.iter().enumerate() {
        let i = i as u32;
        let (col, row) = (i / 7, i % 7);
        let _ = writeln!(
            h,
            "<rect class=\"day l{}\" data-date=\"{d}\" data-breaks=\"{}\" x=\"{}\" y=\"{}\" width=\"{CELL}\" height=\"{CELL}\" rx=\"2\"><title>{}: {}</title></rect>",
            level(breaks(t), max),
            breaks(t),
            LEFT + col * STEP,
            TOP + row * STEP,
            day_label(*d),
            plural(breaks(t), "break", "breaks"),
        );
    }
    h.push_str("</svg>\n<ul class=\"key\" aria-hidden=\"true\"><li><i class=\"l0\"></i>none</li>");
    for l in 1..=4 {
        if let Some(lo) = level_from(l, max) {
            let _ = write!(h, "<li><i class=\"l{l}\"></i>{lo}+</li>");
        }
    }
    h.push_str("</ul>\n<details><summary>The numbers: breaks per day</summary><table><thead><tr><th scope=\"col\">Week of</th>");
    for w in WEEKDAYS {
        let _ = write!(h, "<th scope=\"col\">{}</th>", &weekday_name(w)[..3]);
    }
    h.push_str("<th scope=\"col\">Week</th></tr></thead><tbody>\n");
    for week in r.days.chunks(7) {
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}</th>",
            week[0].0.strftime("%-d %b")
        );
        for i in 0..7 {
            match week.get(i) {
                Some((_, t)) => {
                    let _ = write!(h, "<td>{}</td>", breaks(t));
                }
                None => h.push_str("<td></td>"),
            }
        }
        let _ = writeln!(
            h,
            "<td>{}</td></tr>",
            week.iter().map(|(_, t)| breaks(t)).sum::<u32>()
        );
    }
    h.push_str("</tbody></table></details></section>\n");
}

/// Bars over slots: done above the line, snoozed and skipped below it.
fn bars(
    h: &mut String,
    id: &str,
    title: &str,
    desc: &str,
    slots: &[When],
    label: impl Fn(usize) -> Option<String>,
    slot_name: impl Fn(usize) -> String,
) {
    const LEFT: u32 = 4;
    let step: u32 = if slots.len() > 12 { 14 } else { 40 };
    let bar = step - 3;
    const HALF: u32 = 60;
    let top = 6;
    let width = LEFT + slots.len() as u32 * step + 4;
    let height = top + 2 * HALF + 18;
    let max = slots
        .iter()
        .map(|w| w.done.max(w.put_off()))
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |n: u32| -> u32 { (n * HALF).div_ceil(max) };
    let base = top + HALF;
    let _ = write!(
        h,
        "<section id=\"{id}\"><h2 id=\"{id}-title\">{title}</h2>\n\
         <svg viewBox=\"0 0 {width} {height}\" width=\"{}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><desc id=\"{id}-desc\">{desc}</desc>\n\
         <line class=\"axis\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\"/>\n",
        width * 3 / 2,
        width - 4
    );
    for (i, w) in slots.iter().enumerate() {
        let x = LEFT + i as u32 * step + 1;
        let name = slot_name(i);
        if w.done > 0 {
            let bh = scale(w.done);
            let _ = write!(
                h,
                "<rect class=\"done\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{bh}\"><title>{name}: {} done</title></rect>",
                base - bh,
                w.done
            );
        }
        let mut y = base + 1;
        for (class, n) in [("snoozed", w.snoozed), ("skipped", w.skipped)] {
            if n > 0 {
                let bh = scale(n);
                let _ = write!(
                    h,
                    "<rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{bh}\"><title>{name}: {n} {class}</title></rect>"
                );
                y += bh;
            }
        }
        if let Some(l) = label(i) {
            let _ = write!(
                h,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{l}</text>",
                x + bar / 2,
                top + 2 * HALF + 14
            );
        }
        h.push('\n');
    }
    h.push_str(
        "</svg>\n<ul class=\"key\" aria-hidden=\"true\"><li><i class=\"done\"></i>done (up)</li>\
         <li><i class=\"snoozed\"></i>snoozed (down)</li><li><i class=\"skipped\"></i>skipped (down)</li></ul>\n",
    );
    let _ = writeln!(
        h,
        "<details><summary>The numbers: {}</summary><table><thead><tr><th scope=\"col\"></th>\
         <th scope=\"col\">Done</th><th scope=\"col\">Snoozed</th><th scope=\"col\">Skipped</th></tr></thead><tbody>",
        esc(&title.to_lowercase())
    );
    for (i, w) in slots.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            slot_name(i),
            w.done,
            w.snoozed,
            w.skipped
        );
    }
    h.push_str("</tbody></table></details></section>\n");
}

fn hours(h: &mut String, r: &Report) {
    bars(
        h,
        "hours",
        "When in the day",
        "Per hour of the day: reminders done above the line, snoozed and skipped below it.",
        &r.by_hour,
        |i| (i % 3 == 0).then(|| format!("{i:02}")),
        |i| format!("{i:02}:00–{:02}:00 ({})", (i + 1) % 24, part_of_day(i)),
    );
}

fn weekdays(h: &mut String, r: &Report) {
    bars(
        h,
        "weekdays",
        "When in the week",
        "Per day of the week: reminders done above the line, snoozed and skipped below it.",
        &r.by_weekday,
        |i| Some(weekday_name(WEEKDAYS[i])[..3].to_string()),
        |i| weekday_name(WEEKDAYS[i]).to_string(),
    );
}

/// A reminder's breaks per week as small bars.
fn sparkline(h: &mut String, id: &str, weekly: &[u32]) {
    let max = weekly.iter().copied().max().unwrap_or(0).max(1);
    let width = weekly.len() as u32 * 5;
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {width} 20\" width=\"{}\" height=\"20\" role=\"img\" aria-label=\"{}: breaks per week, oldest first: {}\">",
        width.max(1),
        esc(id),
        weekly
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (i, n) in weekly.iter().enumerate() {
        let bh = (n * 18).div_ceil(max).max(1);
        let _ = write!(
            h,
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"4\" height=\"{bh}\"/>",
            if *n == 0 { "l0" } else { "done" },
            i * 5,
            20 - bh
        );
    }
    h.push_str("</svg>");
}

fn reminders(h: &mut String, r: &Report) {
    let _ = write!(
        h,
        "<section class=\"wide\" id=\"reminders\"><h2>Each reminder</h2>\n\
         <p class=\"note\">Done rate in these {}, against the {} before; its run of days done; and its breaks week by week.</p>\n\
         <table><thead><tr><th scope=\"col\">Reminder</th><th scope=\"col\">Done</th><th scope=\"col\">Rate</th>\
         <th scope=\"col\" class=\"opt\">Before</th><th scope=\"col\">Trend</th><th scope=\"col\">Run</th><th scope=\"col\" class=\"opt\">Weeks</th></tr></thead><tbody>\n",
        plural(r.period.weeks, "week", "weeks"),
        plural(r.previous.weeks, "week", "weeks"),
    );
    if r.reminders.is_empty() {
        h.push_str("<tr><td colspan=\"7\">No reminder was shown or answered.</td></tr>\n");
    }
    for rem in &r.reminders {
        let trend = match rem.trend() {
            Some(p) if p >= 0.5 => format!("<span class=\"up\">▲ {:.0} pts</span>", p),
            Some(p) if p <= -0.5 => format!("<span class=\"down\">▼ {:.0} pts</span>", -p),
            Some(_) => "= same".into(),
            None if rem.before.shown == 0 => "new".into(),
            None => "–".into(),
        };
        let _ = write!(
            h,
            "<tr class=\"reminder\" data-reminder=\"{id}\"><th scope=\"row\">{id}</th><td>{} of {}</td><td>{}</td><td class=\"opt\">{}</td><td>{trend}</td><td>{}</td><td class=\"opt\">",
            rem.now.done,
            rem.now.shown,
            pct(&rem.now),
            pct(&rem.before),
            plural(rem.streak, "day", "days"),
            id = esc(&rem.id),
        );
        sparkline(h, &rem.id, &rem.weekly_done);
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn routines(h: &mut String, r: &Report) {
    let _ = write!(
        h,
        "<section id=\"routines\"><h2>Guided routines</h2><p><span class=\"big\">{}</span> in {} finished</p>",
        fmt_held(r.total.routine_seconds),
        plural(r.total.routines, "routine", "routines")
    );
    let with: Vec<_> = r.reminders.iter().filter(|x| x.now.routines > 0).collect();
    if !with.is_empty() {
        h.push_str("<table><thead><tr><th scope=\"col\">Reminder</th><th scope=\"col\">Finished</th><th scope=\"col\">Time</th></tr></thead><tbody>\n");
        for x in with {
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                esc(&x.id),
                x.now.routines,
                fmt_held(x.now.routine_seconds)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");
}

fn away(h: &mut String, r: &Report) {
    h.push_str("<section id=\"away\"><h2 id=\"away-title\">Out of the way</h2>\n");
    let total: u64 = r.held.iter().map(|(_, s)| s).sum();
    if total == 0 {
        h.push_str("<p>Nothing held reminders back in these weeks.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p>Reminders waited <strong>{}</strong> while you were busy or away:</p>",
            fmt_held(total)
        );
        const ROW: u32 = 16;
        let max = r.held.iter().map(|(_, s)| *s).max().unwrap_or(1).max(1);
        let height = r.held.len() as u32 * ROW + 2;
        let _ = writeln!(
            h,
            "<svg viewBox=\"0 0 300 {height}\" width=\"450\" role=\"img\" aria-labelledby=\"away-title away-desc\">\
             <desc id=\"away-desc\">The time reminders waited, by why: one bar each, the longest first.</desc>"
        );
        for (i, (reason, secs)) in r.held.iter().enumerate() {
            let y = i as u32 * ROW;
            let w = ((*secs as f64 / max as f64) * 150.0).round().max(1.0);
            let _ = writeln!(
                h,
                "<text x=\"0\" y=\"{}\">{}</text><rect class=\"done\" x=\"80\" y=\"{}\" width=\"{w}\" height=\"{}\"><title>{}: {}</title></rect><text x=\"{}\" y=\"{}\">{}</text>",
                y + 11,
                esc(reason),
                y + 3,
                ROW - 6,
                esc(reason),
                fmt_held(*secs),
                80.0 + w + 4.0,
                y + 11,
                fmt_held(*secs)
            );
        }
        h.push_str("</svg>\n<details><summary>The numbers: time held</summary><table><thead><tr><th scope=\"col\">Held by</th><th scope=\"col\">Time</th><th scope=\"col\">Minutes</th></tr></thead><tbody>\n");
        for (reason, secs) in &r.held {
            let _ = writeln!(
                h,
                "<tr data-held=\"{r}\" data-seconds=\"{secs}\"><th scope=\"row\">{r}</th><td>{}</td><td>{}</td></tr>",
                fmt_held(*secs),
                secs / 60,
                r = esc(reason)
            );
        }
        h.push_str("</tbody></table></details>\n");
    }
    let _ = write!(
        h,
        "<p>{} ended while you were away from the computer (a break of your own), \
         and {} passed while it was off or asleep.</p>",
        plural(r.total.away, "showing", "showings"),
        plural(r.total.missed, "fixed time", "fixed times"),
    );
    let with: Vec<_> = r
        .reminders
        .iter()
        .filter(|x| x.now.away + x.now.missed > 0)
        .collect();
    if !with.is_empty() {
        h.push_str("<table><thead><tr><th scope=\"col\">Reminder</th><th scope=\"col\">Away</th><th scope=\"col\">Missed</th></tr></thead><tbody>\n");
        for x in with {
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                esc(&x.id),
                x.now.away,
                x.now.missed
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Outcome;
    use crate::core::report::{Period, Streaks, build};
    use crate::core::stats::OutcomeCount;

    #[test]
    fn strings_from_the_history_are_escaped() {
        let today: Date = "2026-11-25".parse().unwrap();
        let rows = [OutcomeCount {
            day: "2026-11-24".into(),
            reminder: "<script>alert('x')</script>&\"".into(),
            outcome: Outcome::Done,
            count: 3,
            routines: 0,
            routine_seconds: 0,
        }];
        let streaks = Streaks {
            overall: 1,
            by_reminder: Default::default(),
        };
        let r = build(
            Period::ending(today, 12).unwrap(),
            today,
            &rows,
            &[],
            &streaks,
        )
        .unwrap();
        let page = render(&r);
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert_eq!(page.matches("<rect class=\"day ").count(), 80);
        assert!(!page.contains("http:") && !page.contains("https:"));
    }

    #[test]
    fn levels_spread_over_the_busiest_day() {
        assert_eq!(level(0, 8), 0);
        assert_eq!(level(1, 8), 1);
        assert_eq!(level(8, 8), 4);
        assert_eq!(level(4, 8), 2);
        assert_eq!(level(3, 0), 0);
        let firsts = |max| (1..=4).map(|l| level_from(l, max)).collect::<Vec<_>>();
        assert_eq!(firsts(8), [Some(1), Some(3), Some(5), Some(7)]);
        assert_eq!(firsts(2), [Some(1), None, Some(2), None]);
        assert_eq!(firsts(1), [Some(1), None, None, None]);
        assert_eq!(firsts(0), [None, None, None, None]);
        for max in 1..50 {
            for n in 1..=max {
                let l = level(n, max);
                assert!(level_from(l, max).is_some_and(|lo| lo <= n), "{n} of {max}");
            }
        }
    }
}
