use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `COMPLETE=bash unhunch …`: the shell asking what to complete.
    clap_complete::CompleteEnv::with_factory(<unhunch::cli::Cli as clap::CommandFactory>::command)
        .bin("unhunch")
        .completer("unhunch")
        .complete();
    let cli = unhunch::cli::Cli::parse();
    match unhunch::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("unhunch: error: {}", unhunch::cli::error_text(&e));
            ExitCode::FAILURE
        }
    }
}
