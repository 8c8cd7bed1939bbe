//! `unhunch guide [ID]`: a routine walked through in the terminal, step by
//! step, with a bar that shows the time left in the step and in the whole.
//! Ctrl+C stops it (a skip), saying how far it got.
//!
//! The bar is one line drawn with `\r`: a progress-bar crate would add more
//! to the binary than the whole of this file, and the Linux binary is held
//! under 6 MB.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::config;
use crate::core::Config;
use crate::core::routine::{Cue, Progress, Routine};
use crate::core::time::humane;
use crate::ipc::ClientError;
use crate::vocab::What;
use crate::vocab::reply::{Answered, Status};

#[derive(Debug, clap::Args)]
pub struct GuideArgs {
    /// A routine's id, or a reminder's (its routine). Without one: the
    /// routine of the reminder showing now, else a menu.
    #[arg(add = clap_complete::ArgValueCompleter::new(super::control::complete_routines_and_ids))]
    pub id: Option<String>,
    /// List the routines and exit.
    #[arg(long, conflicts_with = "id")]
    pub list: bool,
}

/// How a guided routine ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Finished,
    /// Stopped after this many phases.
    Stopped(usize),
}

pub fn run(
    config_path: &Path,
    given: bool,
    runtime_dir: &Path,
    args: GuideArgs,
) -> anyhow::Result<ExitCode> {
    let loaded = config::load_or_default(config_path, given)?;
    let cfg = &loaded.config;
    if args.list {
        list(cfg);
        return Ok(ExitCode::SUCCESS);
    }
    // The routine, and the reminder it is recorded for.
    let (routine, reminder) = match &args.id {
        Some(id) => find(cfg, id)?,
        None => match showing_routine(cfg, runtime_dir) {
            Some(found) => found,
            None => {
                let r = choose(cfg)?;
                let rem = reminder_of(cfg, &r.id);
                (r, rem)
            }
        },
    };
    let (ended, seconds) = walk(&routine)?;
    let phases = routine.cue_count();
    let done = match ended {
        Ended::Finished => {
            println!("Done: {} ({}).", routine.title, humane(routine.length()));
            phases
        }
        Ended::Stopped(n) => {
            println!("Stopped: {} after {n} of {phases} steps.", routine.title);
            n as u64
        }
    };
    let Some(reminder) = reminder else {
        println!("Not recorded: no reminder of yours runs this routine.");
        return Ok(ExitCode::SUCCESS);
    };
    let req = What::Guided {
        id: reminder.clone(),
        answer: if ended == Ended::Finished {
            crate::core::Answer::Done
        } else {
            crate::core::Answer::Skip
        },
        progress: Progress {
            routine: routine.id.clone(),
            done: u32::try_from(done).unwrap_or(u32::MAX),
            of: u32::try_from(phases).unwrap_or(u32::MAX),
            seconds,
        },
    };
    match crate::ipc::request::<Answered>(runtime_dir, &req) {
        Ok(a) => println!("Recorded: {} for {} ({}).", a.outcome, a.title, a.id),
        Err(ClientError::NotRunning(_)) => {
            println!("Not recorded: unhunch is not running (start it with `unhunch start`).")
        }
        Err(e) => {
            eprintln!("unhunch: not recorded: {e}");
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first enabled reminder that runs routine `id`.
fn reminder_of(cfg: &Config, id: &str) -> Option<String> {
    cfg.enabled()
        .find(|r| r.routine.as_deref() == Some(id))
        .map(|r| r.id.clone())
}

/// `--list`: every routine, with its kind and length.
fn list(cfg: &Config) {
    for r in &cfg.routines {
        let kind = r.kind.map(|k| k.as_str()).unwrap_or("yours");
        println!(
            "{:<22} {:<28} {:<11} {}",
            r.id,
            r.title,
            kind,
            humane(r.length())
        );
    }
}

/// A routine by its id, or a reminder's routine by the reminder's id; and
/// the reminder it is recorded for.
fn find(cfg: &Config, id: &str) -> anyhow::Result<(Routine, Option<String>)> {
    if let Some(rem) = cfg.reminder(id) {
        return match cfg.routine_of(id) {
            Some(r) => Ok((r.clone(), Some(rem.id.clone()))),
            None => bail!(
                "reminder \"{id}\" has no routine (kind {} has none built in): give it one with routine = \"ID\" in the config",
                rem.kind
            ),
        };
    }
    if let Some(r) = cfg.routine(id) {
        return Ok((r.clone(), reminder_of(cfg, id)));
    }
    let ids: Vec<&str> = cfg.routines.iter().map(|r| r.id.as_str()).collect();
    let reminders = cfg.enabled().map(|r| r.id.as_str());
    if let Some(near) = crate::core::spell::nearest(id, ids.iter().copied().chain(reminders)) {
        bail!("no routine or reminder \"{id}\": did you mean \"{near}\"? (`unhunch guide --list`)");
    }
    bail!(
        "no routine or reminder \"{id}\": routines are {} (`unhunch guide --list`)",
        ids.join(", ")
    )
}

/// The routine of the reminder showing now, if the daemon runs and one is.
fn showing_routine(cfg: &Config, runtime_dir: &Path) -> Option<(Routine, Option<String>)> {
    let status: Status = crate::ipc::request(runtime_dir, &What::Status).ok()?;
    status
        .pending
        .iter()
        .find_map(|p| Some((cfg.routine_of(&p.id)?.clone(), Some(p.id.clone()))))
}

/// Asks which routine, on a terminal.
fn choose(cfg: &Config) -> anyhow::Result<Routine> {
    if !std::io::stdin().is_terminal() {
        bail!("nothing is showing: name a routine, `unhunch guide ID` (`unhunch guide --list`)");
    }
    for (i, r) in cfg.routines.iter().enumerate() {
        println!("{:>3}. {} ({})", i + 1, r.title, humane(r.length()));
    }
    print!("Which one? [1-{}] ", cfg.routines.len());
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let n: usize = line
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=cfg.routines.len()).contains(n))
        .with_context(|| {
            format!(
                "\"{}\" is not one of 1 to {}",
                line.trim(),
                cfg.routines.len()
            )
        })?;
    Ok(cfg.routines[n - 1].clone())
}

/// `m:ss`.
fn clock(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// The bar: `[########----------]  0:05 left in this step, 1:10 in all`.
fn bar(done: u64, total: u64, step_left: u64) -> String {
    const WIDTH: u64 = 24;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH) as usize;
    format!(
        "[{}{}] {} left in this step, {} in all",
        "#".repeat(filled),
        "-".repeat(WIDTH as usize - filled),
        clock(step_left),
        clock(total.saturating_sub(done))
    )
}

/// Walks through `routine`, one phase at a time: its line, then (on a
/// terminal) the bar, redrawn each second. Ctrl+C stops it.
/// How it ended, and the seconds it ran.
fn walk(routine: &Routine) -> anyhow::Result<(Ended, u32)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let phases = routine.cues();
        let total: u64 = routine.length().as_secs().max(0) as u64;
        let live = std::io::stdout().is_terminal();
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        println!(
            "{} — {} steps, {}. Ctrl+C stops.",
            routine.title,
            phases.len(),
            humane(routine.length())
        );
        let start = tokio::time::Instant::now();
        // At most its length (a guide suspended with Ctrl+Z ran no more of
        // the routine): the daemon takes no more.
        let ran = || u32::try_from(start.elapsed().as_secs().min(total)).unwrap_or(u32::MAX);
        for (i, phase) in phases.iter().enumerate() {
            println!("{:>3}/{} {}", i + 1, phases.len(), phase.text);
            if stopped(&mut ctrl_c, phase, start, total, live).await {
                if live {
                    println!();
                }
                return Ok((Ended::Stopped(i), ran()));
            }
        }
        if live {
            // Clear the bar's line.
            print!("\r\x1b[2K");
        }
        Ok((Ended::Finished, ran()))
    })
}

/// Waits out one phase, drawing the bar each second on a terminal; true
/// if Ctrl+C came first.
async fn stopped<F: std::future::Future>(
    ctrl_c: &mut std::pin::Pin<&mut F>,
    phase: &Cue,
    start: tokio::time::Instant,
    total: u64,
    live: bool,
) -> bool {
    let begins = start + Duration::from_secs(u64::from(phase.starts_at));
    let ends = begins + Duration::from_secs(u64::from(phase.seconds));
    let mut tick = begins;
    loop {
        if live {
            let now = tokio::time::Instant::now();
            let done = now.saturating_duration_since(start).as_secs();
            let left = ends.saturating_duration_since(now).as_secs_f64().ceil() as u64;
            print!("\r\x1b[2K{}", bar(done.min(total), total, left));
            let _ = std::io::stdout().flush();
        }
        tick = (tick + Duration::from_secs(1)).min(ends);
        let next = if live { tick } else { ends };
        tokio::select! {
            _ = ctrl_c.as_mut() => return true,
            () = tokio::time::sleep_until(next) => {}
        }
        if next >= ends {
            if live {
                print!("\r\x1b[2K");
            }
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_time_done() {
        assert_eq!(
            bar(0, 80, 5),
            "[------------------------] 0:05 left in this step, 1:20 in all"
        );
        assert_eq!(
            bar(40, 80, 10),
            "[############------------] 0:10 left in this step, 0:40 in all"
        );
        assert_eq!(
            bar(80, 80, 0),
            "[########################] 0:00 left in this step, 0:00 in all"
        );
    }
}
