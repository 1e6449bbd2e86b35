//! The `anthology` command: parse the command line, run the command, exit
//! with its status (0 success, 1 content or build errors, 2 usage errors).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = anthology::cli::Cli::parse();
    anthology::commands::run(cli.command)
}
