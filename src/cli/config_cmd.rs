//! `unhunch config path|check|init|edit`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::table;
use crate::config::{self, DEFAULT_TOML, Diagnostic, LoadError, Loaded, Preset};

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use.
    Path,
    /// Validate a config file (default: the one in use) and list its reminders.
    Check {
        /// File to check instead of the one in use.
        file: Option<PathBuf>,
    },
    /// Write the default config, with comments, to the config path.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// The day to start from: balanced (the default, 16 reminders on a
        /// work day), gentle (12) or active (24).
        #[arg(long, value_enum, default_value_t = Preset::Balanced)]
        preset: Preset,
    },
    /// Open the config in $VISUAL or $EDITOR, then check it.
    Edit,
}

/// `given`: the path was named by `--config` or `$UNHUNCH_CONFIG`.
pub fn run(path: &Path, given: bool, cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Path => {
            println!("{}", path.display());
            if !path.exists() {
                eprintln!(
                    "(no file there yet: the embedded default is in use; `unhunch config init` writes it)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Check { file } => match file {
            Some(f) => Ok(check(config::load(&f))),
            None => {
                if !given && std::fs::symlink_metadata(path).is_err() {
                    println!(
                        "No config file at {}: checking the embedded default.",
                        path.display()
                    );
                }
                Ok(check(config::load_or_default(path, given)))
            }
        },
        ConfigCommand::Init { force, preset } => {
            if let Some(kept) = init(path, force, &preset.text())? {
                println!("Kept your old config as {}", kept.display());
            }
            match preset {
                Preset::Balanced => println!("Wrote the default schedule to {}", path.display()),
                p => println!("Wrote the {} schedule to {}", p.name(), path.display()),
            }
            println!(
                "Edit it with `unhunch config edit`; preview it with `unhunch plan --days 7`."
            );
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Edit => edit(path),
    }
}

/// Writes the default; with `force`, an existing file is first kept as
/// `config.toml.bak-<time>` beside it (its path is returned).
fn init(path: &Path, force: bool, text: &str) -> anyhow::Result<Option<PathBuf>> {
    if path.exists() && !force {
        bail!(
            "{} exists already: use `unhunch config init --force` to overwrite it",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let kept = if path.exists() {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let backup = path.with_file_name(format!("{name}.bak-{stamp}"));
        std::fs::copy(path, &backup)
            .with_context(|| format!("cannot keep the old config as {}", backup.display()))?;
        Some(backup)
    } else {
        None
    };
    // Write beside it and rename, so a running daemon never reads half a file.
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(kept)
}

/// Prints the result of a load; exit 0 when valid, 1 when not.
fn check(result: Result<Loaded, LoadError>) -> ExitCode {
    match result {
        Ok(loaded) => {
            print_valid(&loaded);
            ExitCode::SUCCESS
        }
        Err(LoadError::Invalid(diags)) => {
            for d in &diags {
                eprintln!("error: {}\n", d.render());
            }
            let n = diags.len();
            eprintln!("✗ invalid: {n} error{}", if n == 1 { "" } else { "s" });
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhunch: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_valid(loaded: &Loaded) {
    let name = loaded.path.as_ref().map_or_else(
        || config::load::EMBEDDED.to_string(),
        |p| p.display().to_string(),
    );
    let c = &loaded.config;
    let enabled = c.enabled().count();
    println!(
        "✓ {name} is valid: {} reminder{}, {enabled} enabled.\n",
        c.reminders.len(),
        if c.reminders.len() == 1 { "" } else { "s" }
    );
    let mut rows = vec![vec!["ID".to_string(), "KIND".into(), "SCHEDULE".into()]];
    for r in &c.reminders {
        let mut sched = r.schedule.to_string();
        if !r.enabled {
            sched.push_str("  (disabled)");
        }
        rows.push(vec![r.id.clone(), r.kind.to_string(), sched]);
    }
    print!("{}", table::render(&rows, 2));
    print_warnings(&loaded.warnings);
}

fn print_warnings(warnings: &[Diagnostic]) {
    for w in warnings {
        println!("\nwarning: {}", w.render());
    }
}

fn edit(path: &Path) -> anyhow::Result<ExitCode> {
    if !path.exists() {
        init(path, false, DEFAULT_TOML)?;
        println!("Created {} from the default.", path.display());
    }
    let editor = crate::platform::chosen_editor();
    loop {
        let status = crate::platform::editor(&editor, path)
            .status()
            .with_context(|| format!("cannot start the editor \"{editor}\""))?;
        if !status.success() {
            bail!(
                "the editor \"{editor}\" failed ({status}); {} is unchanged by unhunch",
                path.display()
            );
        }
        let result = config::load(path);
        let valid = result.is_ok();
        let code = check(result);
        if valid || !std::io::stdin().is_terminal() || !ask("Edit again to fix it? [Y/n] ") {
            return Ok(code);
        }
    }
}

fn ask(prompt: &str) -> bool {
    use std::io::Write;
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).is_err() {
        return false;
    }
    !matches!(line.trim(), "n" | "N" | "no")
}
