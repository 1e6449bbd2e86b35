//! `anthology new`, `anthology init` and `anthology status`: starting next
//! year's edition, starting and following translations.

use std::process::ExitCode;

use crate::cli::{InitArgs, NewArgs, StatusArgs};
use crate::diag::{DiagnosticFormat, Diagnostics};

pub fn new(args: &NewArgs) -> ExitCode {
    if !args.from.is_dir() {
        return super::usage(super::not_a_folder(&args.from));
    }
    let mut diags = Diagnostics::default();
    let result = crate::next_edition::create(&args.edition, &args.from, &args.date, &mut diags);
    super::print(diags.items(), DiagnosticFormat::Human);
    let Ok(created) = result else { return ExitCode::from(super::EXIT_FAILURE) };
    super::say(&format!(
        "created {} ({} files) from {}, dated {}",
        args.edition.display(),
        created.written.len(),
        args.from.display(),
        args.date
    ));
    if !created.mentions.is_empty() {
        super::say(&format!(
            "{} is still written in {} place(s); change those that should say the new year:",
            created.old_year,
            created.mentions.len()
        ));
        super::print(&created.mentions, DiagnosticFormat::Short);
    }
    super::say(&format!("next: update the stories, then `anthology build {}`", args.edition.display()));
    ExitCode::SUCCESS
}

pub fn init(args: &InitArgs) -> ExitCode {
    if !args.from.is_dir() {
        return super::usage(super::not_a_folder(&args.from));
    }
    let mut diags = Diagnostics::default();
    let result = crate::translation::init(&args.edition, &args.from, args.language.as_deref(), &mut diags);
    super::print(diags.items(), DiagnosticFormat::Human);
    match result {
        Ok(written) => {
            for path in written {
                super::say(&format!("created {}", path.display()));
            }
            super::say(&format!(
                "next: translate the files in {}, then `anthology status {}` shows what is left",
                args.edition.display(),
                args.edition.display()
            ));
            ExitCode::SUCCESS
        }
        Err(_) => ExitCode::from(super::EXIT_FAILURE),
    }
}

pub fn status(args: &StatusArgs) -> ExitCode {
    let mut diags = Diagnostics::default();
    if let Some(files) = &args.record {
        if files.is_empty() && !args.all {
            return super::usage(
                crate::diag::Diagnostic::error("--record needs the files you have translated")
                    .hint("name them (`--record stories/haiti.md`), or pass --all to record every file"),
            );
        }
        let result = crate::translation::record(&args.edition, files, &mut diags);
        super::print(diags.items(), DiagnosticFormat::Human);
        return match result {
            Ok(updated) => {
                for file in updated {
                    super::say(&format!("recorded {file} as translated from its current source"));
                }
                ExitCode::SUCCESS
            }
            Err(_) => ExitCode::from(super::EXIT_FAILURE),
        };
    }
    let result = crate::translation::status(&args.edition, args.against.as_deref(), &mut diags);
    super::print(diags.items(), DiagnosticFormat::Human);
    let Ok(status) = result else { return ExitCode::from(super::EXIT_FAILURE) };
    super::say(&format!("{} against {}", args.edition.display(), status.source.display()));
    super::say(&format!("  {}", status.summary()));
    let sections: [(&str, &Vec<String>); 5] = [
        ("missing (in the source, not in this edition)", &status.missing),
        ("extra (in this edition, not in the source)", &status.extra),
        ("changed in the source since translated", &status.changed),
        ("never recorded as translated", &status.unrecorded),
        ("not translated yet (identical to the source)", &status.untranslated),
    ];
    for (title, files) in sections {
        if !files.is_empty() {
            super::say(&format!("  {title}:"));
            for file in files {
                super::say(&format!("    {file}"));
            }
        }
    }
    if !status.labels.is_empty() {
        super::say("  labels falling back to English (translate them under [labels]):");
        for label in &status.labels {
            super::say(&format!("    {label}"));
        }
    }
    if status.is_clean() {
        super::say("  up to date: every file translated from the current source");
        ExitCode::SUCCESS
    } else if args.strict {
        ExitCode::from(super::EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    }
}
