//! `anthology build`: build editions (in parallel), then write all their
//! artifacts into the output folder as one transaction.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::{EditionOutput, OutputFile, OutputFolder};
use crate::pipeline::{self, BuildOptions};

pub fn run(args: &BuildArgs) -> ExitCode {
    let editions = match super::editions(&args.editions) {
        Ok(editions) => editions,
        Err(problem) => return super::usage(problem),
    };
    let mut formats = args.format.clone();
    if args.proof {
        formats.push("proof".into());
    }
    let options = match options(&formats, args.source_date_epoch, &args.out) {
        Ok(options) => options,
        Err(message) => return super::usage_error(&message),
    };
    if let Some(edition) = editions.iter().find(|e| crate::files::is_within(&args.out, e)) {
        return super::usage_error(&format!(
            "{}: the output folder is inside the edition {}; write the artifacts elsewhere, e.g. dist",
            args.out.display(),
            edition.display()
        ));
    }

    let started = Instant::now();
    // Editions are independent: build them side by side, in memory.
    let results: Vec<(PathBuf, Diagnostics, Option<EditionOutput>)> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            editions.iter().map(|edition| scope.spawn(|| build_one(edition, &options, args))).collect();
        editions
            .iter()
            .zip(handles)
            .map(|(edition, handle)| {
                let (diags, output) = handle.join().unwrap_or_else(|_| {
                    let mut diags = Diagnostics::default();
                    diags.push(Diagnostic::error("internal error: the build panicked").hint("please report this"));
                    (diags, None)
                });
                (edition.clone(), diags, output)
            })
            .collect()
    });

    let mut failed = false;
    let mut outputs = Vec::new();
    for (edition, mut diags, output) in results {
        let edition_failed = super::finish(&mut diags, &args.editions);
        match output {
            Some(output) if !edition_failed => outputs.push(output),
            _ => {
                let (errors, warnings) = diags.counts();
                super::say_err(&format!(
                    "{}: build failed: {errors} error(s), {warnings} warning(s); nothing written",
                    edition.display()
                ));
                failed = true;
            }
        }
    }
    if let Some(collision) = collision(&outputs) {
        super::print(&[collision], args.editions.diagnostic_format.into());
        super::say_err("nothing written");
        return ExitCode::from(super::EXIT_FAILURE);
    }
    if !outputs.is_empty() {
        match write(&args.out, &outputs) {
            Ok(()) => {
                for output in &outputs {
                    for line in written(&args.out, &output.files) {
                        super::say(&line);
                    }
                }
            }
            Err(diagnostic) => {
                super::print(&[diagnostic], args.editions.diagnostic_format.into());
                super::say_err("nothing written");
                failed = true;
            }
        }
    }
    super::say(&format!("{} edition(s) in {} ms", editions.len(), started.elapsed().as_millis()));
    if failed { ExitCode::from(super::EXIT_FAILURE) } else { ExitCode::SUCCESS }
}

/// The command line's choices, checked before any work: known formats, an
/// output folder that can be one.
pub(super) fn options(formats: &[String], source_date_epoch: Option<i64>, out: &Path) -> Result<BuildOptions, String> {
    let mut renderers: Vec<&'static dyn crate::render::Renderer> = Vec::new();
    for name in formats {
        let renderer = crate::render::by_name(name)
            .ok_or_else(|| format!("unknown format `{name}` (known: {})", crate::render::names().join(", ")))?;
        if !renderers.iter().any(|r| r.name() == renderer.name()) {
            renderers.push(renderer);
        }
    }
    if std::fs::metadata(out).is_ok_and(|m| !m.is_dir()) {
        return Err(format!("{}: the output folder is a file", out.display()));
    }
    Ok(BuildOptions { renderers, source_date_epoch })
}

/// Writes the outputs of a run into `out` under its lock, all or nothing.
pub(super) fn write(out: &Path, outputs: &[EditionOutput]) -> Result<(), Diagnostic> {
    let folder = OutputFolder::open(out, || {
        super::say_err(&format!("waiting for another anthology build writing into {} …", out.display()))
    })
    .map_err(|err| Diagnostic::error(format!("cannot use the output folder ({err})")).in_file(out))?;
    let tool = format!("anthology {}", env!("CARGO_PKG_VERSION"));
    folder.commit(outputs, &tool).map(drop).map_err(|err| Diagnostic::error(err.message).in_file(err.path))
}

/// Two editions of one run that would write the same file.
fn collision(outputs: &[EditionOutput]) -> Option<Diagnostic> {
    let mut seen: std::collections::BTreeMap<&str, &Path> = Default::default();
    for output in outputs {
        for file in &output.files {
            if let Some(first) = seen.insert(&file.name, &output.edition) {
                return Some(
                    Diagnostic::error(format!(
                        "{} and {} would both write {}",
                        first.display(),
                        output.edition.display(),
                        file.name
                    ))
                    .hint("give each edition its own file-stem or language in publication.toml"),
                );
            }
        }
    }
    None
}

/// Builds one edition in memory.
fn build_one(edition: &Path, options: &BuildOptions, args: &BuildArgs) -> (Diagnostics, Option<EditionOutput>) {
    let mut diags = Diagnostics::default();
    let built = pipeline::build(edition, options, &mut diags);
    if args.editions.deny_warnings {
        // Before writing: with --deny-warnings, a warning keeps the artifacts out.
        diags.deny_warnings(&args.editions.allow);
    }
    let output = match built {
        Ok(built) if !diags.has_errors() => Some(edition_output(edition, built, &diags)),
        _ => None,
    };
    (diags, output)
}

/// What a build writes.
pub(super) fn edition_output(edition: &Path, built: pipeline::Built, diags: &Diagnostics) -> EditionOutput {
    let files = built
        .artifacts
        .into_iter()
        .map(|artifact| OutputFile { name: artifact.name, bytes: artifact.bytes, pages: artifact.pages })
        .collect();
    EditionOutput {
        edition: edition.to_path_buf(),
        identifier: built.publication.meta.urn(),
        prefix: crate::render::artifact_name(&built.publication, ""),
        epoch: built.epoch,
        warnings: diags.items().iter().map(|d| d.short()).collect(),
        files,
    }
}

/// What a build wrote, a line per file and one per folder (a web edition,
/// the story PDFs): `wrote dist/x-en-web/ (41 files, 3.1 MB)`.
pub(super) fn written(out: &Path, files: &[OutputFile]) -> Vec<String> {
    let mut folders: Vec<(&str, usize, usize)> = Vec::new();
    let mut lines = Vec::new();
    for file in files {
        match file.name.split_once('/') {
            Some((folder, _)) => match folders.iter_mut().find(|f| f.0 == folder) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 += file.bytes.len();
                }
                None => folders.push((folder, 1, file.bytes.len())),
            },
            None => {
                let pages = file.pages.map(|p| format!("{p} pages, ")).unwrap_or_default();
                let size = human_size(file.bytes.len());
                lines.push(format!("wrote {} ({pages}{size})", out.join(&file.name).display()));
            }
        }
    }
    for (folder, count, bytes) in folders {
        lines.push(format!("wrote {}/ ({count} files, {})", out.join(folder).display(), human_size(bytes)));
    }
    lines
}

/// `12 kB` or `1.2 MB`.
pub(super) fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}
