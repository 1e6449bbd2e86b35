//! `anthology check`: load and validate editions; render nothing.

use std::process::ExitCode;

use crate::cli::CheckArgs;
use crate::diag::Diagnostics;

pub fn run(args: &CheckArgs) -> ExitCode {
    let editions = match super::editions(&args.editions) {
        Ok(editions) => editions,
        Err(problem) => return super::usage(problem),
    };
    let mut failed = false;
    for edition in &editions {
        let mut diags = Diagnostics::default();
        let _ = crate::pipeline::load(edition, &mut diags);
        let edition_failed = super::finish(&mut diags, &args.editions);
        let (errors, warnings) = diags.counts();
        if edition_failed {
            super::say_err(&format!("{}: {errors} error(s), {warnings} warning(s)", edition.display()));
        } else {
            super::say(&format!("{}: ok ({warnings} warning(s))", edition.display()));
        }
        failed |= edition_failed;
    }
    if failed { ExitCode::from(super::EXIT_FAILURE) } else { ExitCode::SUCCESS }
}
