//! `unhunch report`: the weeks as one HTML page, from the history.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::report;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// How many weeks, Monday to Sunday, up to this one.
    #[arg(long, default_value_t = report::DEFAULT_WEEKS, value_parser = clap::value_parser!(u32).range(1..=520))]
    pub weeks: u32,
    /// Write the page here (default: report.html beside the history).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Open it with the desktop's handler for web pages.
    #[arg(long)]
    pub open: bool,
}

pub fn run(data_dir: &Path, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let now = crate::clock::from_env()?.now();
    let r = report::compute(data_dir, &now, args.weeks)?;
    let out = match args.output {
        Some(p) => p,
        None => {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", data_dir.display()))?;
            report::default_path(data_dir)
        }
    };
    report::write(&r, &out)?;
    println!("{}", out.display());
    if args.open {
        let (opener, mut command) = crate::platform::open_page(&out);
        match command.status() {
            Ok(s) if s.success() => {}
            Ok(s) => anyhow::bail!("`{opener} {}` failed ({s})", out.display()),
            Err(e) => anyhow::bail!("`{opener}` cannot be run ({e})"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
