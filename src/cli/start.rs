//! `unhunch start`: the daemon in the background, detached from this
//! terminal, logging to `daemon.log`; through systemd when its user unit is
//! installed, so that the service manager owns it.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::paths::Paths;
use crate::vocab::What;
use crate::vocab::reply::Status;

#[derive(Debug, Default, clap::Args)]
pub struct StartArgs {
    /// Run without a tray icon: notifications and commands only.
    #[arg(long)]
    pub no_tray: bool,
}

/// How long a daemon may take to answer its first `status`.
const COMES_UP: Duration = Duration::from_secs(15);

pub fn run(paths: &Paths, args: &StartArgs) -> anyhow::Result<ExitCode> {
    if let Some(pid) = super::running(&paths.runtime_dir) {
        eprintln!("unhunch: unhunch is running already (pid {pid}); `unhunch stop` stops it");
        return Ok(ExitCode::FAILURE);
    }
    if !args.no_tray
        && !paths.config_given
        && let Some(started) = crate::login::start_service()
    {
        started?;
        return wait_up(paths, None, "systemd (`systemctl --user status unhunch`)");
    }
    let log = paths.log_file();
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {} for the log", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .with_context(|| format!("cannot open the log {}", log.display()))?;
    let exe = std::env::current_exe().context("cannot tell where this unhunch is")?;
    let mut cmd = Command::new(exe);
    cmd.arg("run");
    if args.no_tray {
        cmd.arg("--no-tray");
    }
    if paths.config_given {
        // The daemon runs in `/`: a relative path would name another file.
        let config = std::path::absolute(&paths.config)
            .with_context(|| format!("cannot resolve {}", paths.config.display()))?;
        cmd.arg("--config").arg(config);
    }
    cmd.stdin(Stdio::null())
        .stdout(file.try_clone().context("cannot share the log file")?)
        .stderr(file);
    crate::platform::detach(&mut cmd);
    let child = cmd.spawn().context("cannot start the daemon")?;
    wait_up(paths, Some((child, &log)), &log.display().to_string())
}

/// Waits for the daemon to answer, then says where it runs and how to stop
/// it; a daemon that exited first is reported with the end of its log.
fn wait_up(
    paths: &Paths,
    mut child: Option<(std::process::Child, &Path)>,
    logs_to: &str,
) -> anyhow::Result<ExitCode> {
    let since = Instant::now();
    loop {
        if let Ok(s) = crate::ipc::request::<Status>(&paths.runtime_dir, &What::Status) {
            println!("Started unhunch (pid {}); its log: {logs_to}.", s.pid);
            if let Some(why) = &s.cannot_show {
                println!("Reminders cannot be shown yet: {why}");
            }
            println!("`unhunch status` shows what comes next; `unhunch stop` stops it.");
            return Ok(ExitCode::SUCCESS);
        }
        if let Some((c, log)) = &mut child
            && let Some(code) = c.try_wait().context("cannot wait for the daemon")?
        {
            eprintln!(
                "unhunch: the daemon stopped at once ({code}); the end of {}:",
                log.display()
            );
            for line in last_lines(log, 10) {
                eprintln!("  {line}");
            }
            return Ok(ExitCode::FAILURE);
        }
        if since.elapsed() > COMES_UP {
            eprintln!(
                "unhunch: the daemon did not answer within {} s; its log: {logs_to}",
                COMES_UP.as_secs()
            );
            return Ok(ExitCode::FAILURE);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn last_lines(path: &Path, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// Asks "Start it now? [Y/n]" on a terminal; `false` elsewhere (a script
/// is told the command instead).
pub fn offer() -> bool {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return false;
    }
    print!("Start it now? [Y/n] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "" | "y" | "yes"
    )
}
