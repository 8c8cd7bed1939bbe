//! `unhunch report` and the tray's "Your weeks…": the history read (as
//! `stats` reads it), the numbers made by `core::report`, the page by
//! [`html`], and the file written whole (a browser never reads half of it).

pub mod chart;
pub mod html;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use jiff::ZonedDateTime;

use crate::core::report::{Period, Report, Streaks, build};
use crate::store::{DB_FILE, Store};

/// The weeks a report covers unless asked otherwise.
pub const DEFAULT_WEEKS: u32 = 12;

/// The file name of the report beside the history, when no other is given.
pub const FILE: &str = "report.html";

/// The default place of the report: beside the history.
pub fn default_path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// The report's numbers over `weeks` weeks up to `now`, from the history
/// in `data_dir` (empty when there is none yet).
pub fn compute(data_dir: &Path, now: &ZonedDateTime, weeks: u32) -> anyhow::Result<Report> {
    let today = now.date();
    let period = Period::ending(today, weeks)?;
    let path = data_dir.join(DB_FILE);
    let store = Store::open_reader(&path)
        .with_context(|| format!("cannot read the history at {}", path.display()))?;
    let (rows, times, streaks, held) = match &store {
        Some(s) => {
            // The rows stats reads, over both periods.
            let rows = s.outcome_counts(period.previous()?.from, period.to)?;
            let times = s.answer_times(period.from, period.to)?;
            let mut ids: Vec<&str> = rows.iter().map(|r| r.reminder.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut by_reminder = std::collections::BTreeMap::new();
            for id in ids {
                by_reminder.insert(id.to_string(), s.streak(today, Some(id))?);
            }
            let streaks = Streaks {
                overall: s.streak(today, None)?,
                by_reminder,
            };
            let start = period
                .from
                .to_zoned_datetime(now.time_zone().clone())?
                .timestamp();
            let held = s.held_seconds(start, now.timestamp())?;
            (rows, times, streaks, held)
        }
        None => (
            Vec::new(),
            Vec::new(),
            Streaks {
                overall: 0,
                by_reminder: Default::default(),
            },
            Vec::new(),
        ),
    };
    let mut report = build(period, today, &rows, &times, &streaks)?;
    report.held = held;
    report
        .held
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(report)
}

/// Writes the page to `out` through a file beside it, renamed into place.
pub fn write(report: &Report, out: &Path) -> anyhow::Result<()> {
    if out.is_dir() {
        anyhow::bail!(
            "{} is a directory: name a file, such as {}",
            out.display(),
            out.join(FILE).display()
        );
    }
    let page = html::render(report);
    let name = out
        .file_name()
        .with_context(|| format!("{} is not a file name", out.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = out.with_file_name(tmp_name);
    std::fs::write(&tmp, page).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}", out.display())
    })?;
    Ok(())
}
