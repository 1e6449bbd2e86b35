//! Diagnostics: one type for every problem anthology reports, located in the
//! user's own files (never in generated typst or XHTML) and rendered either as
//! codespan-reporting snippets with carets and hints, or as one short line.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
    /// Byte offset of each line's start, computed once on first use: a file
    /// with thousands of problems must not be scanned once per problem.
    line_starts: OnceLock<Vec<usize>>,
    /// The text as snippets quote it (see [`terminal_safe`]), made on first use.
    quoted: OnceLock<String>,
}

impl SourceFile {
    /// Wraps a file's path and text for use in diagnostics.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self { path: path.into(), text: text.into(), line_starts: OnceLock::new(), quoted: OnceLock::new() })
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| codespan_reporting::files::line_starts(&self.text).collect())
    }

    /// 0-based index of the line holding a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let line_start = self.line_starts()[line];
        let col = self.text[line_start..offset].chars().count() + 1;
        (line + 1, col)
    }
}

/// One source file as codespan-reporting's file database, over the cached line index.
impl<'a> codespan_reporting::files::Files<'a> for SourceFile {
    type FileId = ();
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<String, codespan_reporting::files::Error> {
        Ok(printable(&self.path.display().to_string()))
    }

    fn source(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.quoted.get_or_init(|| terminal_safe(&self.text)))
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, codespan_reporting::files::Error> {
        Ok(SourceFile::line_index(self, byte_index))
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let starts = self.line_starts();
        let start = *starts.get(line_index).ok_or(codespan_reporting::files::Error::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(self.text.len());
        Ok(start..end)
    }
}

/// A file's text as a snippet quotes it, every byte where it was: a
/// bidirectional control (which would reorder the terminal's line) becomes
/// U+FFFD, of the same length in UTF-8, and a control character (an escape
/// sequence) `?`; tabs and line ends stay.
fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if crate::unicode::is_bidi_control(c) => '\u{FFFD}',
            c if c.is_ascii_control() => '?',
            c => c,
        })
        .collect()
}

/// Text safe to print on a terminal: control characters (a NUL in a path, an
/// escape sequence in a file name) are shown as `\u{…}` instead of being sent raw.
pub fn printable(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_string();
    }
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { format!("\\u{{{:04X}}}", c as u32) } else { c.to_string() })
        .collect()
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
    /// A placeholder an edition is expected to repeat (see [`PLACEHOLDERS`]):
    /// folded into one line in the human output, and allowed with `--allow`.
    pub kind: Option<&'static str>,
}

/// Placeholders a draft edition repeats, by kind: what one line says of many.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("unknown-link", "links whose address is unknown (`unknown:`), printed as plain text"),
    ("missing-photo", "captions whose photo is missing (`![](unknown:)`), printed as notes"),
    ("editor-note", "editor's notes (`<!-- … -->`), left out of the publication"),
];

/// From this many on, the placeholders of one kind print as one line.
pub const FOLD_AT: usize = 3;

impl Diagnostic {
    /// An error with a message in lower case and the cause in parentheses.
    pub fn error(message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, message: message.into(), location: None, hints: vec![], kind: None }
    }

    /// A warning: the build still succeeds.
    pub fn warning(message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, message: message.into(), location: None, hints: vec![], kind: None }
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
    pub fn kind(mut self, kind: &'static str) -> Self {
        debug_assert!(PLACEHOLDERS.iter().any(|(k, _)| *k == kind));
        self.kind = Some(kind);
        self
    }

    /// Adds a hint.
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

    /// Where it is, as `file:line:col` (or the file alone), printable.
    pub fn place(&self) -> Option<String> {
        let mut out = printable(&self.path()?.display().to_string());
        if let Some((line, col)) = self.line_col() {
            let _ = write!(out, ":{line}:{col}");
        }
        Some(out)
    }

    /// The one-line form: `file:line:col: severity: message`.
    pub fn short(&self) -> String {
        let mut out = String::new();
        if let Some(place) = self.place() {
            let _ = write!(out, "{place}: ");
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = write!(out, "{severity}: {}", printable(&self.message));
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

    /// Turns every warning into an error (`--deny-warnings`), except
    /// placeholders of the `allowed` kinds (`--allow`).
    pub fn deny_warnings(&mut self, allowed: &[String]) {
        for item in &mut self.items {
            if !item.kind.is_some_and(|kind| allowed.iter().any(|a| a == kind)) {
                item.severity = Severity::Error;
            }
        }
    }

    /// `Err(Failed)` when errors were recorded.
    pub fn check(&self) -> Result<(), Failed> {
        if self.has_errors() { Err(Failed) } else { Ok(()) }
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiagnosticFormat {
    /// Source snippets with carets and hints.
    #[default]
    Human,
    /// One `file:line:col: severity: message` line each.
    Short,
}

/// Prints diagnostics to a terminal (or any colour-aware writer).
/// Most problems of one file shown with source snippets: each quotes its
/// line, and a file with thousands of problems on one long line would print
/// gigabytes. The short form lists them all.
pub const MAX_SNIPPETS_PER_FILE: usize = 50;

pub fn emit(out: &mut dyn WriteColor, diagnostics: &[Diagnostic], format: DiagnosticFormat) -> std::io::Result<()> {
    let config = term::Config::default();
    let mut shown: std::collections::BTreeMap<PathBuf, usize> = std::collections::BTreeMap::new();
    // Placeholders that repeat print as one line, where the first stands.
    let mut kinds: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for kind in diagnostics.iter().filter(|d| d.severity == Severity::Warning).filter_map(|d| d.kind) {
        *kinds.entry(kind).or_default() += 1;
    }
    let mut folded = std::collections::BTreeSet::new();
    for diagnostic in diagnostics {
        match format {
            DiagnosticFormat::Short => {
                writeln!(out, "{}", diagnostic.short())?;
            }
            DiagnosticFormat::Human
                if diagnostic.severity == Severity::Warning
                    && diagnostic.kind.is_some_and(|kind| kinds[kind] >= FOLD_AT) =>
            {
                let kind = diagnostic.kind.expect("a kind");
                if folded.insert(kind) {
                    let what = PLACEHOLDERS.iter().find(|(k, _)| *k == kind).map_or(kind, |(_, what)| what);
                    let first = diagnostic.place().unwrap_or_default();
                    out.set_color(
                        term::termcolor::ColorSpec::new().set_fg(Some(term::termcolor::Color::Yellow)).set_bold(true),
                    )?;
                    write!(out, "warning")?;
                    out.reset()?;
                    writeln!(out, ": {} {what} [{kind}], the first at {first}", kinds[kind])?;
                    writeln!(
                        out,
                        "  = `--diagnostic-format short` lists every one; `--allow {kind}` keeps them from failing `--deny-warnings`\n"
                    )?;
                }
            }
            DiagnosticFormat::Human => {
                if let Some(path) = diagnostic.path() {
                    let count = shown.entry(path.to_path_buf()).or_default();
                    *count += 1;
                    if *count > MAX_SNIPPETS_PER_FILE {
                        continue;
                    }
                }
                let severity = match diagnostic.severity {
                    Severity::Error => SnippetSeverity::Error,
                    Severity::Warning => SnippetSeverity::Warning,
                };
                let notes = diagnostic.hints.iter().map(|h| format!("hint: {}", printable(h))).collect();
                let message = printable(&diagnostic.message);
                match &diagnostic.location {
                    Some(Location::Span(file, span)) => {
                        let start = floor_char_boundary(&file.text, span.start.min(file.text.len()));
                        let end = floor_char_boundary(&file.text, span.end.clamp(start, file.text.len()));
                        let snippet = Snippet::new(severity)
                            .with_message(message)
                            .with_labels(vec![Label::primary((), start..end)])
                            .with_notes(notes);
                        term::emit_to_write_style(out, &config, file.as_ref(), &snippet)
                            .map_err(std::io::Error::other)?;
                    }
                    _ => {
                        let mut message = message;
                        if let Some(Location::Path(path)) = &diagnostic.location {
                            message = format!("{}: {message}", printable(&path.display().to_string()));
                        }
                        let snippet = Snippet::<()>::new(severity).with_message(message).with_notes(notes);
                        let empty = SimpleFile::new(String::new(), String::new());
                        term::emit_to_write_style(out, &config, &empty, &snippet).map_err(std::io::Error::other)?;
                    }
                }
            }
        }
    }
    for (path, count) in shown {
        if count > MAX_SNIPPETS_PER_FILE {
            writeln!(
                out,
                "… and {} more problems in {} (`--diagnostic-format short` lists every one)\n",
                count - MAX_SNIPPETS_PER_FILE,
                printable(&path.display().to_string())
            )?;
        }
    }
    Ok(())
}

/// Turns a TOML or serde error into a diagnostic with a helpful hint.
pub fn from_toml(file: &Arc<SourceFile>, offset: usize, what: &str, err: &toml::de::Error) -> Diagnostic {
    let span = err.span().map_or(0..0, |s| s.start + offset..s.end + offset);
    let message = err.message().trim().to_string();
    let mut diagnostic;
    if let Some((unknown, expected)) = parse_unknown_field(&message) {
        diagnostic = Diagnostic::error(format!("unknown key `{unknown}`")).at(file, span);
        let known: Vec<&str> = expected.iter().map(String::as_str).collect();
        if let Some(close) = suggest(&unknown, known.iter().copied()) {
            diagnostic = diagnostic.hint(format!("did you mean `{close}`?"));
        }
        diagnostic = diagnostic.hint(format!("known keys here: {}", known.join(", ")));
    } else if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        diagnostic = Diagnostic::error(format!("missing key `{field}`"))
            .at(file, span)
            .hint(format!("add `{field} = …` to this table"));
    } else if let Some(explained) = err.span().and_then(|_| explain_toml_syntax(file, span.clone(), &message)) {
        diagnostic = explained;
    } else {
        diagnostic = Diagnostic::error(format!("invalid {what} ({message})")).at(file, span);
        if message.contains("invalid type") {
            diagnostic = diagnostic
                .hint("check the value's type: text needs quotes, a date is written 2026-06-01 without quotes");
        }
    }
    diagnostic
}

/// The usual slips behind a TOML error, said in the editor's terms: quotes
/// pasted from Word, a quotation mark inside the text, a missing comma (shown
/// after the element that lacks it), a date written as in a letter or in quotes.
fn explain_toml_syntax(file: &Arc<SourceFile>, span: Range<usize>, message: &str) -> Option<Diagnostic> {
    const CURLY: &[char] = &['“', '”', '„', '‘', '’', '‚', '«', '»'];
    let text = &file.text;
    let at = span.start.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[line_start..line_end];
    let key = line.split_once('=').map(|(k, _)| k.trim()).filter(|k| !k.is_empty() && !k.contains('"'));
    let value = &text[at..line_end];
    if value.starts_with(CURLY) {
        let fixed = line.replace(['“', '”', '„', '«', '»'], "\"");
        return Some(
            Diagnostic::error("curly quotes (“…”, as Word writes them) do not quote text in TOML")
                .at(file, span)
                .hint(format!("use straight quotes \" … \": {}", fixed.trim())),
        );
    }
    if message.contains("missing comma between array elements") {
        // The element that lacks its comma: the last thing written before
        // this one, comments and blank lines aside.
        let mut end = at;
        for line in text[..at].rsplit('\n') {
            let start = end - line.len();
            let kept = without_comment(line).trim_end();
            if !kept.is_empty() {
                end = start + kept.len();
                break;
            }
            end = start.saturating_sub(1);
        }
        let before = &text[..end];
        let start = before[..end].char_indices().next_back().map_or(end, |(i, _)| i);
        return Some(
            Diagnostic::error("a comma is missing after this element of the list")
                .at(file, start..end)
                .hint("separate the elements of a list with commas: [\"A\", \"B\"]"),
        );
    }
    if key.is_some_and(|k| k == "date") || looks_like_a_date(value) {
        let written = value.split('#').next().unwrap_or(value).trim().trim_matches('"');
        let hint = match date_parts(written) {
            Some((year, month, day)) => {
                format!("write it year-month-day, without quotes: date = {year:04}-{month:02}-{day:02}")
            }
            None => "write it year-month-day, without quotes: date = 2027-06-01".to_string(),
        };
        let problem = if value.starts_with('"') {
            "a date is written without quotes".to_string()
        } else {
            format!("`{written}` is not a date as TOML writes one")
        };
        return Some(Diagnostic::error(problem).at(file, span).hint(hint));
    }
    if message.contains("expected newline") && text[..at].ends_with('"') && line.matches('"').count() > 2 {
        let inner = line.split_once('=').map_or(line, |(_, v)| v).trim();
        return Some(Diagnostic::error("a quotation mark inside the text ends it early").at(file, span).hint(format!(
            "write the inner quotes as '…' or \\\", or put the whole text in single quotes: {} = '{}'",
            key.unwrap_or("key"),
            inner.trim_matches('"')
        )));
    }
    if message.contains("invalid basic string") || message.contains("invalid literal string") {
        return Some(
            Diagnostic::error("this text is not closed on its line")
                .at(file, span)
                .hint("end it with the quote it starts with; text over several lines goes in ''' … '''"),
        );
    }
    if message.contains("must be quoted") || message.contains("invalid boolean") {
        let bare = text.get(span.clone()).unwrap_or(value).trim();
        if ["true", "false", "yes", "no"].contains(&bare.to_lowercase().as_str()) {
            let yes = matches!(bare.to_lowercase().as_str(), "true" | "yes");
            return Some(
                Diagnostic::error(format!("`{bare}` is not a yes-or-no value TOML reads"))
                    .at(file, span)
                    .hint(format!("write {} = {yes}, in lower case and without quotes", key.unwrap_or("key"))),
            );
        }
        return Some(
            Diagnostic::error("text must be in quotes")
                .at(file, span)
                .hint(format!("put it in straight quotes: {} = \"{bare}\"", key.unwrap_or("key"))),
        );
    }
    None
}

/// A TOML line without its `# comment` (a `#` inside a quoted string stays).
fn without_comment(line: &str) -> &str {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return &line[..i],
            _ => {}
        }
        escaped = false;
    }
    line
}

/// `01/06/2027`, `1.6.2027`, `"2027-06-01"`: a date the editor wrote.
fn looks_like_a_date(value: &str) -> bool {
    let value = value.split('#').next().unwrap_or(value).trim().trim_matches('"');
    date_parts(value).is_some()
}

/// Year, month and day of a date written `2027-06-01`, or day first
/// (`01/06/2027`, `1.6.2027`) as in a letter; `None` for anything else.
fn date_parts(value: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<u32> = value.split(['/', '.', '-']).map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (year, month, day) = match parts[..] {
        [y, m, d] if y > 999 => (y, m, d),
        [d, m, y] if y > 999 => (y, m, d),
        _ => return None,
    };
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// The keys a table of a TOML file knows, by the table's path (`[]` for the
/// top, `["publisher"]` …); `None` for a table whose keys are free (labels,
/// hashes).
pub type Schema = dyn Fn(&[&str]) -> Option<&'static [&'static str]>;

/// Parses TOML into `T`. Every key that `schema` does not know is reported —
/// all of them at once, each with its line, a suggestion and the known keys,
/// where serde alone stops at the first — and left out, so that the rest is
/// still read and checked. `offset` is where the text starts in `file`;
/// `what` names the file's kind in messages ("manifest", "front matter").
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &Arc<SourceFile>,
    offset: usize,
    text: &str,
    what: &str,
    schema: &Schema,
    diags: &mut Diagnostics,
) -> Result<T, Failed> {
    let mut root = toml::de::DeTable::parse(text).map_err(|err| diags.fail(from_toml(file, offset, what, &err)))?;
    let mut unknown = Vec::new();
    strip_unknown(root.get_mut(), &mut Vec::new(), schema, &mut |key, known| {
        let span = key.span().start + offset..key.span().end + offset;
        let name = key.get_ref().as_ref();
        let mut diagnostic = Diagnostic::error(format!("unknown key `{name}`")).at(file, span.clone());
        if let Some(close) = suggest(name, known.iter().copied()) {
            diagnostic = diagnostic.hint(format!("did you mean `{close}`?"));
        }
        unknown.push((span.start, diagnostic.hint(format!("known keys here: {}", known.join(", ")))));
    });
    unknown.sort_by_key(|(at, _)| *at);
    unknown.into_iter().for_each(|(_, d)| diags.push(d));
    T::deserialize(toml::de::Deserializer::from(root)).map_err(|err| diags.fail(from_toml(file, offset, what, &err)))
}

/// Removes the keys a table's schema does not know, reporting each, and goes
/// on into the tables it knows.
fn strip_unknown(
    table: &mut toml::de::DeTable,
    path: &mut Vec<String>,
    schema: &Schema,
    report: &mut dyn FnMut(&toml::Spanned<toml::de::DeString>, &[&str]),
) {
    let path_refs: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some(known) = schema(&path_refs) else { return };
    let mut unknown = std::collections::BTreeSet::new();
    for (key, _) in table.iter() {
        if !known.contains(&key.get_ref().as_ref()) {
            report(key, known);
            unknown.insert(key.get_ref().to_string());
        }
    }
    for name in &unknown {
        table.remove(name.as_str());
    }
    for (key, value) in table.iter_mut() {
        if let toml::de::DeValue::Table(inner) = value.get_mut() {
            path.push(key.get_ref().to_string());
            strip_unknown(inner, path, schema, report);
            path.pop();
        }
    }
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" message.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split('`').enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, s)| s.to_string()).collect();
    Some((unknown.to_string(), expected))
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
    fn toml_slips_are_explained_where_they_are() {
        let explain = |text: &str| {
            let file = SourceFile::new("p.toml", text);
            let err = toml::from_str::<toml::Table>(text).unwrap_err();
            let d = from_toml(&file, 0, "manifest", &err);
            format!("{} {}", d.short(), d.hints.join(" "))
        };
        // The comma is missing after "A", a comment after it aside.
        let said = explain("list = [\n  \"A\"  # the first\n  \"B\",\n]\n");
        assert!(said.starts_with("p.toml:2:5: error: a comma is missing after this element"), "{said}");
        let said = explain("smart-quotes = True\n");
        assert!(said.contains("write smart-quotes = true"), "{said}");
        let said = explain("list = [UNODC, \"WHO\"]\n");
        assert!(said.contains("put it in straight quotes: list = \"UNODC\""), "{said}");
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
