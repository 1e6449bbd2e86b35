//! The commands behind the command line. Each returns the process status.

mod build;
mod check;
mod translation;
mod watch;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};

use crate::cli::{Command, EditionArgs};
use crate::diag::{Diagnostic, DiagnosticFormat, Diagnostics};

/// Content or build errors.
pub const EXIT_FAILURE: u8 = 1;
/// Usage errors (clap uses the same code for bad arguments).
pub const EXIT_USAGE: u8 = 2;

/// Runs a command.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Watch(args) => watch::run(&args),
        Command::New(args) => translation::new(&args),
        Command::Init(args) => translation::init(&args),
        Command::Status(args) => translation::status(&args),
        Command::Xliff(args) => translation::xliff(&args),
    }
}

/// The editions to work on: those given, else every folder under `./content`
/// that holds a `publication.toml`, sorted by name.
pub fn editions(args: &EditionArgs) -> Result<Vec<PathBuf>, Diagnostic> {
    if !args.editions.is_empty() {
        // A path that is not a folder is a usage error; a folder without a
        // manifest is reported with the edition's other problems.
        if let Some(missing) = args.editions.iter().find(|p| !p.is_dir()) {
            return Err(not_a_folder(missing));
        }
        return Ok(args.editions.clone());
    }
    let root = Path::new("content");
    if let Err(err) = std::fs::read_dir(root) {
        return Err(Diagnostic::error(format!("no edition given and no ./content folder to look in ({err})")));
    }
    let mut found = Vec::new();
    find_editions(root, 0, &mut found);
    found.sort();
    if found.is_empty() {
        return Err(Diagnostic::error("no edition given and no folder under ./content holds a publication.toml"));
    }
    Ok(found)
}

/// The message for an edition argument that is not a folder: a story file
/// is told which edition it belongs to.
pub fn not_a_folder(path: &Path) -> Diagnostic {
    if path.is_file() {
        Diagnostic::error(format!("{}: a file, not an edition folder", path.display()))
            .hint(crate::manifest::not_an_edition_hint(path))
    } else {
        Diagnostic::error(format!("{}: no such edition folder", path.display()))
    }
}

/// How deep under ./content editions are looked for (`content/2028/en` is 2).
const EDITION_DEPTH: usize = 3;

/// Folders under `dir` holding a manifest, not looking inside an edition
/// nor following symlinks.
fn find_editions(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if path.join(crate::manifest::MANIFEST_FILE).is_file() {
            found.push(path);
        } else if depth + 1 < EDITION_DEPTH {
            find_editions(&path, depth + 1, found);
        }
    }
}

/// Prints a line of progress to stdout. A closed pipe (`anthology build |
/// head -1`) is not an error: the work goes on and the rest is not printed.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Prints a line to stderr, ignoring a closed pipe.
pub fn say_err(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Prints diagnostics to stderr.
pub fn print(diagnostics: &[Diagnostic], format: DiagnosticFormat) {
    // Colour only for a terminal: logs and pipes get plain text.
    let choice = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    // Buffered: the renderer writes a character at a time, and an edition
    // may have thousands of problems.
    let mut stderr = BufferedStandardStream::stderr(choice);
    let _ = crate::diag::emit(&mut stderr, diagnostics, format);
    let _ = std::io::Write::flush(&mut stderr);
}

/// Prints a usage error and returns status 2.
pub fn usage_error(message: &str) -> ExitCode {
    usage(Diagnostic::error(message.to_string()))
}

/// Prints a usage problem with its hints; exit code 2.
pub fn usage(diagnostic: Diagnostic) -> ExitCode {
    print(&[diagnostic], DiagnosticFormat::Human);
    ExitCode::from(EXIT_USAGE)
}

/// Applies `--deny-warnings`, prints, and says whether the run failed.
pub fn finish(diags: &mut Diagnostics, args: &EditionArgs) -> bool {
    if args.deny_warnings {
        diags.deny_warnings(&args.allow);
    }
    print(diags.items(), args.diagnostic_format.into());
    diags.has_errors()
}
