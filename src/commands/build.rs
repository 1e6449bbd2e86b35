//! `anthology build`: build editions (in parallel) and write their artifacts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{BuildArgs, Format};
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::{self, Artifact};
use crate::pipeline::{self, BuildOptions, Formats};

pub fn run(args: &BuildArgs) -> ExitCode {
    let editions = match super::editions(&args.editions) {
        Ok(editions) => editions,
        Err(message) => return super::usage_error(&message),
    };
    let options = BuildOptions {
        formats: Formats { pdf: args.format.contains(&Format::Pdf), epub: args.format.contains(&Format::Epub) },
        source_date_epoch: args.source_date_epoch,
    };
    if let Err(err) = std::fs::create_dir_all(&args.out) {
        super::print(
            &[Diagnostic::error(format!("failed to create the output folder ({err})")).in_file(&args.out)],
            args.editions.diagnostic_format,
        );
        return ExitCode::from(super::EXIT_FAILURE);
    }

    let started = Instant::now();
    // Editions are independent: build them side by side.
    let results: Vec<(PathBuf, Diagnostics, Vec<Artifact>)> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            editions.iter().map(|edition| scope.spawn(|| build_one(edition, &options, args))).collect();
        editions
            .iter()
            .zip(handles)
            .map(|(edition, handle)| {
                let (diags, artifacts) = handle.join().unwrap_or_else(|_| {
                    let mut diags = Diagnostics::default();
                    diags.push(Diagnostic::error("internal error: the build panicked").hint("please report this"));
                    (diags, vec![])
                });
                (edition.clone(), diags, artifacts)
            })
            .collect()
    });

    let mut failed = false;
    let mut all = Vec::new();
    for (edition, mut diags, artifacts) in results {
        let edition_failed = super::finish(&mut diags, &args.editions);
        if edition_failed {
            let (errors, warnings) = diags.counts();
            eprintln!("{}: build failed: {errors} error(s), {warnings} warning(s); nothing written", edition.display());
            failed = true;
            continue;
        }
        for artifact in &artifacts {
            let pages = artifact.pages.map(|p| format!("{p} pages, ")).unwrap_or_default();
            println!("wrote {} ({pages}{})", artifact.path.display(), human_size(artifact.bytes));
        }
        all.extend(artifacts);
    }
    if !all.is_empty() {
        let report = output::Report { tool: format!("anthology {}", env!("CARGO_PKG_VERSION")), artifacts: &all };
        if let Err(err) =
            output::write_checksums(&args.out, &all).and_then(|_| output::write_report(&args.out, &report))
        {
            eprintln!("error: failed to write checksums or report in {} ({err})", args.out.display());
            failed = true;
        }
    }
    println!("{} edition(s) in {} ms", editions.len(), started.elapsed().as_millis());
    if failed { ExitCode::from(super::EXIT_FAILURE) } else { ExitCode::SUCCESS }
}

/// Builds one edition and, if it succeeded, writes its artifacts.
fn build_one(edition: &Path, options: &BuildOptions, args: &BuildArgs) -> (Diagnostics, Vec<Artifact>) {
    let (out, proof) = (args.out.as_path(), args.proof);
    let mut diags = Diagnostics::default();
    let built = pipeline::build(edition, options, &mut diags);
    if args.editions.deny_warnings {
        // Before writing: with --deny-warnings, a warning keeps the artifacts out.
        diags.deny_warnings();
    }
    let Ok(built) = built else { return (diags, vec![]) };
    let mut artifacts = write_artifacts(&built, out, &mut diags);
    if proof && !diags.has_errors() {
        let name = format!("{}-{}-proof.png", built.publication.meta.file_stem, built.publication.meta.language);
        let path = out.join(&name);
        let png = crate::raster::proof_sheet(&built.document);
        match output::write_atomic(&path, &png) {
            Ok(()) => artifacts.push(Artifact {
                sha256: output::sha256_hex(&png),
                bytes: png.len(),
                pages: None,
                path,
                source_date_epoch: built.epoch,
                warnings: vec![],
            }),
            Err(err) => diags.push(Diagnostic::error(format!("failed to write {name} ({err})")).in_file(&path)),
        }
    }
    (diags, artifacts)
}

/// Writes a build's artifacts atomically into `out`, unless it had errors.
pub(super) fn write_artifacts(built: &pipeline::Built, out: &Path, diags: &mut Diagnostics) -> Vec<Artifact> {
    if diags.has_errors() {
        return vec![];
    }
    let warnings: Vec<String> = diags.items().iter().map(|d| d.short()).collect();
    let mut files: Vec<(String, &[u8], Option<usize>)> = Vec::new();
    if let Some((bytes, pages)) = &built.pdf {
        files.push((pipeline::artifact_name(&built.publication, "pdf"), bytes, Some(*pages)));
    }
    if let Some(bytes) = &built.epub {
        files.push((pipeline::artifact_name(&built.publication, "epub"), bytes, None));
    }
    let mut artifacts = Vec::new();
    for (name, bytes, pages) in files {
        let path = out.join(&name);
        if let Err(err) = output::write_atomic(&path, bytes) {
            diags.push(Diagnostic::error(format!("failed to write {name} ({err})")).in_file(&path));
            return artifacts;
        }
        artifacts.push(Artifact {
            sha256: output::sha256_hex(bytes),
            bytes: bytes.len(),
            pages,
            path,
            source_date_epoch: built.epoch,
            warnings: warnings.clone(),
        });
    }
    artifacts
}

/// `12 kB` or `1.2 MB`.
pub(super) fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}
