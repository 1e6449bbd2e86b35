//! `anthology new`, `anthology init` and `anthology status`: starting next
//! year's edition, starting and following translations.

use std::process::ExitCode;

use crate::cli::{InitArgs, NewArgs, StatusArgs, XliffArgs, XliffCommand};
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
    let sections: [(&str, &Vec<String>); 6] = [
        ("missing (in the source, not in this edition)", &status.missing),
        ("left out on purpose ([translation] left-out)", &status.left_out),
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
    if !status.paragraphs.is_empty() {
        super::say("  paragraphs changed in the source since translated:");
        for change in &status.paragraphs {
            let what = match (&change.old, &change.new) {
                (Some(old), Some(new)) if old == new => "moved",
                (Some(_), Some(_)) => "changed",
                (None, _) => "added",
                (_, None) => "removed",
            };
            super::say(&format!("    {}:{}: {what}", change.file.display(), change.line));
            for line in crate::translation::sentence_diff(change.old.as_deref(), change.new.as_deref()) {
                super::say(&format!("      {line}"));
            }
        }
    }
    if !status.partly.is_empty() {
        super::say("  partly translated (texts still as in the source):");
        for partly in &status.partly {
            super::say(&format!(
                "    {}:{}: {} of {} texts",
                partly.file, partly.first_line, partly.untranslated, partly.texts
            ));
        }
    }
    if !status.manifest_texts.is_empty() {
        super::say(&format!(
            "  manifest texts still as in the source ({}):",
            args.edition.join(crate::manifest::MANIFEST_FILE).display()
        ));
        for (key, line) in &status.manifest_texts {
            super::say(&format!("    {key} (line {line})"));
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

pub fn xliff(args: &XliffArgs) -> ExitCode {
    let mut diags = Diagnostics::default();
    match &args.command {
        XliffCommand::Export(export) => {
            let result = crate::xliff::export(&export.edition, &mut diags);
            super::print(diags.items(), DiagnosticFormat::Human);
            let Ok(exported) = result else { return ExitCode::from(super::EXIT_FAILURE) };
            for file in exported.files.iter().filter_map(|f| f.unaligned.as_ref().map(|why| (f, why))) {
                super::say(&format!(
                    "warning: {}: {}; exported without its translation",
                    export.edition.join(&file.0.rel).display(),
                    file.1
                ));
            }
            if let Err(err) = crate::files::write_atomic(&export.out, exported.xml.as_bytes()) {
                super::print(
                    &[crate::diag::Diagnostic::error(format!("failed to write ({err})")).in_file(&export.out)],
                    DiagnosticFormat::Human,
                );
                return ExitCode::from(super::EXIT_FAILURE);
            }
            let units: usize = exported.files.iter().map(|f| f.units.len()).sum();
            let words: usize = exported.files.iter().map(|f| f.words()).sum();
            super::say(&format!(
                "wrote {} (XLIFF 1.2, {} → {}): {units} units, {words} words",
                export.out.display(),
                exported.source_language,
                exported.target_language
            ));
            for file in &exported.files {
                let translated = file.units.iter().filter(|(_, t)| t.is_some()).count();
                super::say(&format!(
                    "  {:>6} words  {:>4} units  {:>4} translated  {}",
                    file.words(),
                    file.units.len(),
                    translated,
                    file.rel
                ));
            }
            ExitCode::SUCCESS
        }
        XliffCommand::Import(import) => {
            let result = crate::xliff::import(&import.xliff, &import.edition, &mut diags);
            super::print(diags.items(), DiagnosticFormat::Human);
            let Ok(imported) = result else { return ExitCode::from(super::EXIT_FAILURE) };
            for (file, translated, units) in &imported.written {
                super::say(&format!("wrote {}: {translated} of {units} texts from the XLIFF", file));
            }
            for file in &imported.recorded {
                super::say(&format!("recorded {file} as translated from its current source"));
            }
            ExitCode::SUCCESS
        }
    }
}
