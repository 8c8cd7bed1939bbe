//! The command line: argument definitions and one module per command group.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::core::Answer;
use crate::paths::Paths;
use crate::vocab::{PauseEnd, What};

mod config_cmd;
pub mod control;
pub(crate) mod doctor;
mod guide;
mod history;
mod man;
mod plan;
mod report;
mod start;
pub mod table;

pub use plan::parse_from;

#[derive(Debug, Parser)]
#[command(
    name = "unhunch",
    version,
    about = "A quiet break and posture reminder: stand up, stretch your neck, decompress your spine.",
    after_help = "Schedule: `unhunch config init` writes the default to edit; `unhunch plan --days 7` previews it."
)]
pub struct Cli {
    /// Config file to use instead of the default location.
    #[arg(long, global = true, value_name = "PATH", env = crate::paths::ENV_CONFIG, hide_env_values = true)]
    pub config: Option<PathBuf>,

    /// Run without a tray icon (when no subcommand is given).
    #[arg(long)]
    pub no_tray: bool,

    /// What to do; without one, run the daemon.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
    /// Run without a tray icon: notifications and commands only.
    #[arg(long)]
    pub no_tray: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the daemon in the foreground (the default).
    Run(RunArgs),
    /// Start the daemon in the background (it logs to daemon.log).
    Start(start::StartArgs),
    /// Is the daemon running? What is showing, paused, next.
    Status(control::StatusArgs),
    /// Answer the reminder showing (or the one named): done.
    Done(control::AnswerArgs),
    /// Skip the reminder showing (or the one named).
    Skip(control::AnswerArgs),
    /// Bring the reminder showing back later.
    Snooze(control::SnoozeArgs),
    /// Show no reminders for a while.
    Pause(control::PauseArgs),
    /// End a pause.
    Resume,
    /// Show a reminder now.
    Trigger(control::TriggerArgs),
    /// A meeting the microphone cannot see: reminders wait until it ends,
    /// then a catch-up break comes.
    #[command(subcommand)]
    Meeting(control::MeetingAction),
    /// Record a break you took on your own (no reminder needed): its
    /// interval starts again, and stats count it apart.
    Took(control::TookArgs),
    /// Walk through a guided routine in the terminal, step by step.
    Guide(guide::GuideArgs),
    /// Stop the running daemon.
    Stop,
    /// Adherence and streaks per reminder and per day (reads the history).
    Stats(history::StatsArgs),
    /// The events in the history: every reminder shown and every answer.
    History(history::HistoryArgs),
    /// Your weeks as one HTML page: breaks per day, when, each reminder's trend.
    Report(report::ReportArgs),
    /// Check what unhunch needs: notifications, tray, config, history, daemon.
    Doctor,
    /// Start unhunch at login: install, uninstall, status.
    #[command(subcommand)]
    Service(crate::login::Action),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write every page to a directory.
    #[command(hide = true)]
    Man {
        /// Write unhunch.1 and a page per subcommand (unhunch-run.1 …) here.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// Show the reminders the schedule will produce.
    Plan(plan::PlanArgs),
    /// Find, check, create or edit the config file.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
}

/// An error and its causes, each said once: messages here often quote
/// their cause already ("cannot create X: File exists"), and SQLite's
/// repeats its own ("file is not a database: Error code 26: file is not a
/// database").
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        let last = cause.rsplit(": ").next().unwrap_or(&cause);
        if !text.contains(&cause) && !text.contains(last) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// Sets up logging to stderr: `UNHUNCH_LOG=debug` (or trace, info, warn, error).
pub fn init_logging(default: tracing::Level) {
    let level = std::env::var("UNHUNCH_LOG")
        .ok()
        .and_then(|v| v.trim().parse::<tracing::Level>().ok())
        .unwrap_or(default);
    // Colour only on a terminal (not in a log file or the journal), and
    // never with NO_COLOR set (https://no-color.org).
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(colour)
        .try_init();
}

fn answer(id: Option<String>, answer: Answer) -> What {
    What::Answer { id, answer }
}

/// The pid of the daemon that answers at `runtime_dir`, if one does.
fn running(runtime_dir: &std::path::Path) -> Option<u32> {
    crate::ipc::request::<crate::vocab::reply::Status>(runtime_dir, &What::Status)
        .ok()
        .map(|s| s.pid)
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Run(RunArgs {
        no_tray: cli.no_tray,
    }));
    if !matches!(command, Command::Run(_)) {
        crate::platform::default_sigpipe();
    }
    init_logging(match command {
        Command::Run(_) => tracing::Level::INFO,
        _ => tracing::Level::WARN,
    });
    match command {
        Command::Completions { shell } => {
            // The script asks `unhunch` itself what to complete (reminder
            // ids from the config), through COMPLETE=<shell>; see main.
            let name = shell.to_string();
            let shells = clap_complete::env::Shells::builtins();
            let completer = shells
                .completer(&name)
                .with_context(|| format!("no completions for {name}"))?;
            completer.write_registration(
                "COMPLETE",
                "unhunch",
                "unhunch",
                "unhunch",
                &mut std::io::stdout(),
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man { dir } => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match dir {
                Some(dir) => man::generate_to(cmd, &dir)?,
                None => man::render(cmd, &mut std::io::stdout())?,
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let paths = Paths::resolve(cli.config)?;
    let run = &paths.runtime_dir;
    Ok(match command {
        Command::Run(args) => crate::daemon::run(crate::daemon::Options {
            tray: !(args.no_tray || cli.no_tray),
            paths,
        })?,
        Command::Plan(args) => plan::run(&paths.config, paths.config_given, args)?,
        Command::Guide(args) => {
            guide::run(&paths.config, paths.config_given, &paths.runtime_dir, args)?
        }
        Command::Doctor => doctor::run(&paths)?,
        Command::Completions { .. } | Command::Man { .. } => ExitCode::SUCCESS,
        Command::Start(args) => start::run(&paths, &args)?,
        Command::Service(action) => {
            let code = crate::login::run(action, &|| running(run))?;
            // Installed for the next login, and not running now: offered.
            if matches!(action, crate::login::Action::Install) && running(run).is_none() {
                println!("unhunch is not running now.");
                if start::offer() {
                    return start::run(&paths, &start::StartArgs::default());
                }
                println!("Start it now with `unhunch start`.");
            }
            code
        }
        Command::Stats(args) => history::stats(&paths.data_dir, &paths.config, args)?,
        Command::History(args) => history::history(&paths.data_dir, &paths.config, args)?,
        Command::Report(args) => report::run(&paths.data_dir, args)?,
        Command::Status(args) => control::status(run, args),
        Command::Done(a) => control::answer(run, answer(a.id, Answer::Done)),
        Command::Skip(a) => control::answer(run, answer(a.id, Answer::Skip)),
        Command::Snooze(a) => control::answer(run, answer(a.id, Answer::Snooze(a.length))),
        Command::Trigger(a) => control::answer(run, What::Trigger { id: a.id }),
        Command::Took(a) => control::answer(run, What::Took { id: a.id }),
        Command::Meeting(a) => control::meeting(run, a),
        Command::Pause(a) => {
            let end = match (a.duration.or(a.length), a.until) {
                (Some(d), _) => PauseEnd::For(d),
                (None, Some(u)) => u,
                (None, None) => PauseEnd::Never,
            };
            control::pause(run, What::Pause(end))
        }
        Command::Resume => control::pause(run, What::Resume),
        Command::Stop => control::stop(run),
        Command::Config(cmd) => config_cmd::run(&paths.config, paths.config_given, cmd)?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn causes_are_said_once() {
        let io = std::io::Error::from_raw_os_error(21);
        let e = anyhow::Error::new(io).context(format!(
            "cannot read /x: {}",
            std::io::Error::from_raw_os_error(21)
        ));
        assert_eq!(
            super::error_text(&e),
            "cannot read /x: Is a directory (os error 21)"
        );
        let e = anyhow::anyhow!("root cause").context("what failed");
        assert_eq!(super::error_text(&e), "what failed: root cause");
    }
}
