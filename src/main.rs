use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = unhunch::cli::Cli::parse();
    match unhunch::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("unhunch: error: {}", unhunch::cli::error_text(&e));
            ExitCode::FAILURE
        }
    }
}
