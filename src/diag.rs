//! Diagnostics: one type for every problem anthology reports, located in the
//! user's own files (never in generated typst or XHTML) and rendered either as
//! codespan-reporting snippets with carets and hints, or as one short line.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Snippet, Label, Severity as SnippetSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A user file kept in memory so that diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user would type it (relative to the working folder when possible).
    pub path: PathBuf,
    /// The text, exactly as read (before any normalisation).
    pub text: String,
}

impl SourceFile {
    /// Wraps a file's path and text for use in diagnostics.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self { path: path.into(), text: text.into() })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Where a problem is: a file, and optionally a byte range in it.
#[derive(Clone, Debug)]
pub enum Location {
    /// A span in a file whose text we hold.
    Span(Arc<SourceFile>, Range<usize>),
    /// A whole file (or folder) whose text we do not hold.
    Path(PathBuf),
}

/// One problem found while checking or building an edition.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error with a message in lower case and the cause in parentheses.
    pub fn error(message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, message: message.into(), location: None, hints: vec![] }
    }

    /// A warning: the build still succeeds.
    pub fn warning(message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, message: message.into(), location: None, hints: vec![] }
    }

    /// Points the diagnostic at a byte range of a file.
    pub fn at(mut self, file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        self.location = Some(Location::Span(file.clone(), span));
        self
    }

    /// Points the diagnostic at a file as a whole.
    pub fn in_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.location = Some(Location::Path(path.into()));
        self
    }

    /// Adds a line of advice, printed as `hint: …`.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The file the problem is in, if any.
    pub fn path(&self) -> Option<&Path> {
        match &self.location {
            Some(Location::Span(file, _)) => Some(&file.path),
            Some(Location::Path(path)) => Some(path),
            None => None,
        }
    }

    /// 1-based line and column, when the diagnostic points into a file's text.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match &self.location {
            Some(Location::Span(file, span)) => Some(file.line_col(span.start)),
            _ => None,
        }
    }

    /// The one-line form: `file:line:col: severity: message`.
    pub fn short(&self) -> String {
        let mut out = String::new();
        if let Some(path) = self.path() {
            let _ = write!(out, "{}", path.display());
            if let Some((line, col)) = self.line_col() {
                let _ = write!(out, ":{line}:{col}");
            }
            out.push_str(": ");
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = write!(out, "{severity}: {}", self.message);
        out
    }
}

/// Problems collected over a run: stages push into it and keep going where
/// they can, so that one run reports everything at once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

/// Marker returned by a stage that failed; the reasons are in [`Diagnostics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

impl Diagnostics {
    /// Records a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records an error and returns the failure marker, for `return Err(diags.fail(…))`.
    pub fn fail(&mut self, diagnostic: Diagnostic) -> Failed {
        debug_assert_eq!(diagnostic.severity, Severity::Error);
        self.push(diagnostic);
        Failed
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// All problems, in the order found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self.items.iter().filter(|d| d.severity == Severity::Error).count();
        (errors, self.items.len() - errors)
    }

    /// Moves another collection's problems into this one.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Turns every warning into an error (`--deny-warnings`).
    pub fn deny_warnings(&mut self) {
        for item in &mut self.items {
            item.severity = Severity::Error;
        }
    }

    /// `Err(Failed)` when errors were recorded.
    pub fn check(&self) -> Result<(), Failed> {
        if self.has_errors() { Err(Failed) } else { Ok(()) }
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Source snippets with carets and hints.
    #[default]
    Human,
    /// One `file:line:col: severity: message` line each.
    Short,
}

/// Prints diagnostics to a terminal (or any colour-aware writer).
pub fn emit(out: &mut dyn WriteColor, diagnostics: &[Diagnostic], format: DiagnosticFormat) -> std::io::Result<()> {
    let config = term::Config::default();
    for diagnostic in diagnostics {
        match format {
            DiagnosticFormat::Short => {
                writeln!(out, "{}", diagnostic.short())?;
            }
            DiagnosticFormat::Human => {
                let severity = match diagnostic.severity {
                    Severity::Error => SnippetSeverity::Error,
                    Severity::Warning => SnippetSeverity::Warning,
                };
                let notes = diagnostic.hints.iter().map(|h| format!("hint: {h}")).collect();
                match &diagnostic.location {
                    Some(Location::Span(file, span)) => {
                        let name = file.path.display().to_string();
                        let simple = SimpleFile::new(name, file.text.as_str());
                        let start = floor_char_boundary(&file.text, span.start.min(file.text.len()));
                        let end = floor_char_boundary(&file.text, span.end.clamp(start, file.text.len()));
                        let snippet = Snippet::new(severity)
                            .with_message(&diagnostic.message)
                            .with_labels(vec![Label::primary((), start..end)])
                            .with_notes(notes);
                        term::emit_to_write_style(out, &config, &simple, &snippet).map_err(std::io::Error::other)?;
                    }
                    _ => {
                        let mut message = diagnostic.message.clone();
                        if let Some(Location::Path(path)) = &diagnostic.location {
                            message = format!("{}: {message}", path.display());
                        }
                        let snippet = Snippet::<()>::new(severity).with_message(message).with_notes(notes);
                        let empty = SimpleFile::new(String::new(), String::new());
                        term::emit_to_write_style(out, &config, &empty, &snippet).map_err(std::io::Error::other)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The known name closest to `unknown`, if one is close enough to be a likely typo.
pub fn suggest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let file = SourceFile::new("a.md", "first\nsé*cond\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(file.line_col(9), (2, 3));
    }

    #[test]
    fn short_form_names_file_line_and_column() {
        let file = SourceFile::new("content/en/publication.toml", "title = 1\ntitel = 2\n");
        let d = Diagnostic::error("unknown key `titel`").at(&file, 10..15);
        assert_eq!(d.short(), "content/en/publication.toml:2:1: error: unknown key `titel`");
    }

    #[test]
    fn suggestions_only_for_close_names() {
        assert_eq!(suggest("titel", ["title", "subtitle", "date"]), Some("title"));
        assert_eq!(suggest("zzz", ["title", "subtitle"]), None);
    }
}
