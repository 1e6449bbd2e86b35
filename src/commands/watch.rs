//! `anthology watch`: rebuild on every change, with typst's caches kept warm.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::cli::WatchArgs;
use crate::diag::Diagnostics;
use crate::pipeline::{self, BuildOptions, Builder};

/// Rebuilds after which typst's cached results that went unused are
/// dropped. typst's own watcher keeps 10; a one-paragraph edit reuses almost
/// everything of the last build, so 2 keeps rebuilds as fast and memory flat.
const WATCH_CACHE_AGE: usize = 2;

/// How long to wait for more events after the first one of a save.
const SETTLE: Duration = Duration::from_millis(30);

pub fn run(args: &WatchArgs) -> ExitCode {
    let edition = match &args.edition {
        Some(edition) if edition.is_dir() => edition.clone(),
        Some(edition) => return super::usage(super::not_a_folder(edition)),
        None => match only_edition() {
            Ok(edition) => edition,
            Err(message) => return super::usage_error(&message),
        },
    };
    let options = match super::build::options(&args.format, args.source_date_epoch, &args.out) {
        Ok(options) => options,
        Err(message) => return super::usage_error(&message),
    };
    if crate::files::is_within(&args.out, &edition) {
        return super::usage_error(&format!(
            "{}: the output folder is inside the edition {}; write the artifacts elsewhere, e.g. dist",
            args.out.display(),
            edition.display()
        ));
    }
    if let Err(err) = std::fs::create_dir_all(&args.out) {
        return super::usage_error(&format!("{}: cannot create the output folder ({err})", args.out.display()));
    }

    let (sender, events) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(sender) {
        Ok(watcher) => watcher,
        Err(err) => {
            super::say_err(&format!("error: cannot watch files ({err})"));
            return ExitCode::from(super::EXIT_FAILURE);
        }
    };
    if let Err(err) = watcher.watch(&edition, RecursiveMode::Recursive) {
        super::say_err(&format!("error: cannot watch {} ({err})", edition.display()));
        return ExitCode::from(super::EXIT_FAILURE);
    }
    super::say(&format!("watching {} (Ctrl-C to stop)", edition.display()));

    let mut builder = Builder::new();
    rebuild(&mut builder, &edition, &options, args, "built");
    let out = std::path::absolute(&args.out).unwrap_or_else(|_| args.out.clone());
    loop {
        let Ok(first) = events.recv() else { return ExitCode::SUCCESS };
        let mut relevant = is_relevant(&first, &out);
        // A save often comes as several events: take them all, then build once.
        while let Ok(more) = events.recv_timeout(SETTLE) {
            relevant |= is_relevant(&more, &out);
        }
        if relevant {
            rebuild(&mut builder, &edition, &options, args, "rebuilt");
        }
    }
}

/// Changes worth a rebuild: not in the output folder, not editor scratch files.
fn is_relevant(event: &notify::Result<notify::Event>, out: &Path) -> bool {
    let Ok(event) = event else { return true };
    if event.kind.is_access() {
        return false;
    }
    event.paths.iter().any(|path| {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        !absolute.starts_with(out) && !name.starts_with('.') && !name.ends_with('~') && !name.ends_with(".swp")
    })
}

fn rebuild(builder: &mut Builder, edition: &Path, options: &BuildOptions, args: &WatchArgs, verb: &str) {
    let started = Instant::now();
    let mut diags = Diagnostics::default();
    let mut written = Vec::new();
    if let Ok(built) =
        pipeline::load(edition, &mut diags).and_then(|loaded| builder.build(&loaded, options, &mut diags))
        && !diags.has_errors()
    {
        let output = super::build::edition_output(edition, built, &diags);
        match super::build::write(&args.out, std::slice::from_ref(&output)) {
            Ok(()) => {
                // A folder (the web edition) is named once, not file by file.
                let mut names: Vec<String> = output
                    .files
                    .iter()
                    .map(|f| match f.name.split_once('/') {
                        Some((folder, _)) => format!("{}/", args.out.join(folder).display()),
                        None => args.out.join(&f.name).display().to_string(),
                    })
                    .collect();
                names.dedup();
                written = names;
            }
            Err(diagnostic) => diags.push(diagnostic),
        }
    }
    // Keep memory flat over a long session, as typst's own watcher does:
    // what the last compilation did not use is dropped.
    typst::comemo::evict(WATCH_CACHE_AGE);
    let elapsed = started.elapsed().as_millis();
    super::print(diags.items(), args.diagnostic_format.into());
    let now = chrono::Local::now().format("%H:%M:%S");
    if diags.has_errors() {
        super::say(&format!("[{now}] build failed; waiting for the next change"));
    } else {
        super::say(&format!("[{now}] {verb} in {elapsed} ms: {}", written.join(", ")));
    }
}

/// The one edition under ./content, when there is exactly one.
fn only_edition() -> Result<PathBuf, String> {
    let args = crate::cli::EditionArgs {
        editions: vec![],
        diagnostic_format: crate::cli::DiagnosticStyle::Human,
        deny_warnings: false,
        allow: vec![],
    };
    let mut editions = super::editions(&args).map_err(|problem| problem.message)?;
    match editions.len() {
        1 => Ok(editions.remove(0)),
        _ => Err(format!(
            "several editions under ./content ({}); name the one to watch",
            editions.iter().map(|e| e.display().to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}
