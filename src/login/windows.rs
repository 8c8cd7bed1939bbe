//! `unhunch service` on Windows: start at login through the user's Run key
//! (`HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, value `unhunch`),
//! which needs no administrator and no installer.

use std::process::ExitCode;

use anyhow::Context;

use super::Action;
use crate::platform::registry;

pub const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
pub const VALUE: &str = "unhunch";

/// The Run key's command for `exe`.
fn command_for(exe: &std::path::Path) -> String {
    format!("\"{}\" run", exe.display())
}

/// What the Run key holds for unhunch, if anything.
pub fn entry() -> anyhow::Result<Option<String>> {
    registry::get_string(RUN_KEY, VALUE).with_context(|| format!(r"cannot read HKCU\{RUN_KEY}"))
}

/// Start at login is the Run key's: nothing to start through.
pub fn start_service() -> Option<anyhow::Result<()>> {
    None
}

/// Carries out `cmd`; `running` asks whether a daemon runs now.
pub fn run(cmd: Action, running: &dyn Fn() -> Option<u32>) -> anyhow::Result<ExitCode> {
    match cmd {
        Action::Install => {
            let exe = std::env::current_exe().context("cannot tell where this unhunch is")?;
            if crate::paths::in_build_dir(&exe) {
                anyhow::bail!(
                    "{} is a build of this repository, which `cargo clean` or moving the clone \
                     would break at the next login: copy unhunch.exe where it is to stay (the \
                     release zip's folder, say), then run that `unhunch service install`",
                    exe.display()
                );
            }
            let line = command_for(&exe);
            registry::set_string(RUN_KEY, VALUE, &line)
                .with_context(|| format!(r"cannot write HKCU\{RUN_KEY}"))?;
            println!(r"Installed: HKCU\{RUN_KEY} runs {line} at login.");
            if let Some(pid) = running() {
                println!("unhunch is running already (pid {pid}).");
            }
        }
        Action::Uninstall => match entry()? {
            Some(line) => {
                registry::delete(RUN_KEY, VALUE)
                    .with_context(|| format!(r"cannot change HKCU\{RUN_KEY}"))?;
                println!(r"Removed HKCU\{RUN_KEY}\{VALUE} ({line}).");
            }
            None => println!("Nothing to remove: `unhunch service install` has not been run."),
        },
        Action::Status => {
            match entry()? {
                Some(line) => println!(r"Starts at login: HKCU\{RUN_KEY}\{VALUE} runs {line}"),
                None => println!("Not started at login: `unhunch service install` sets that up."),
            }
            match running() {
                Some(pid) => println!("Running now (pid {pid})."),
                None => println!("Not running now."),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
