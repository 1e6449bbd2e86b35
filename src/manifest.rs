//! LOAD: `publication.toml` → a checked [`Manifest`].
//!
//! Parsing is serde with `deny_unknown_fields`; semantic checks (language tag,
//! identifier, paths) run afterwards in [`Manifest::validate`]. Every problem
//! points at the manifest's own line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile, suggest};

/// The manifest's file name inside an edition folder.
pub const MANIFEST_FILE: &str = "publication.toml";

/// The parsed `publication.toml` of an edition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    pub title: Spanned<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// A BCP 47 language tag.
    pub language: Spanned<String>,
    /// The publication date (a TOML date: `2026-06-01`).
    pub date: Spanned<toml::value::Datetime>,
    /// A stable UUID (`urn:uuid:…`).
    pub identifier: Spanned<String>,
    /// Artifact names are `<file-stem>-<language>.pdf`; derived from the title and year when absent.
    #[serde(default)]
    pub file_stem: Option<Spanned<String>>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Straight quotes become the language's quotation marks (and `--`,
    /// `---`, `...` become dashes and an ellipsis).
    #[serde(default)]
    pub smart_quotes: bool,
    pub publisher: Publisher,
    pub acknowledgements: Acknowledgements,
    pub legal: Legal,
    pub contents: Contents,
    /// Overrides of generated strings, by label name.
    #[serde(default)]
    pub labels: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    pub cover: Option<Cover>,
    /// What this translation was made from (written by `anthology init`).
    #[serde(default)]
    pub translation: Option<Translation>,
}

/// `[publisher]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Publisher {
    pub name: String,
    /// A short form printed on the cover, e.g. `UNODC`.
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
}

/// `[acknowledgements]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Acknowledgements {
    /// Markdown; paragraphs separated by blank lines.
    pub text: Spanned<String>,
    /// Printed after the text as one sentence: "A, B, and C."
    #[serde(default)]
    pub organisations: Vec<String>,
}

/// `[legal]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Legal {
    #[serde(default)]
    pub notices: Vec<Spanned<String>>,
    pub citation: Spanned<String>,
    #[serde(default)]
    pub disclaimers: Vec<Spanned<String>>,
}

/// `[contents]`: paths relative to the edition folder, in reading order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Contents {
    #[serde(default)]
    pub front: Vec<Spanned<String>>,
    pub stories: Vec<Spanned<String>>,
    #[serde(default)]
    pub back: Vec<Spanned<String>>,
}

/// `[cover]`: an optional image or logo for the cover.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Cover {
    pub image: Spanned<String>,
    pub alt: Spanned<String>,
}

/// `[translation]`: the source edition a translation was made from.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Translation {
    /// The source edition folder, relative to this one.
    pub source: String,
    /// SHA-256 of each source file (by path) at the time it was translated.
    #[serde(default)]
    pub hashes: BTreeMap<String, String>,
}

/// A manifest together with the file it was read from.
#[derive(Debug, Clone)]
pub struct LoadedManifest {
    pub manifest: Manifest,
    pub file: Arc<SourceFile>,
}

/// Reads and checks `<edition>/publication.toml`.
pub fn load(edition: &Path, diags: &mut Diagnostics) -> Result<LoadedManifest, Failed> {
    let path = edition.join(MANIFEST_FILE);
    let text = match crate::content::read_text(&path, diags)? {
        Some(text) => text,
        None => {
            return Err(diags.fail(
                Diagnostic::error(format!("no {MANIFEST_FILE} in {}", edition.display()))
                    .in_file(&path)
                    .hint("an edition folder holds a publication.toml manifest and its stories; see README.md"),
            ));
        }
    };
    let file = SourceFile::new(&path, text);
    let manifest = parse(&file, diags)?;
    manifest.validate(&file, diags);
    diags.check()?;
    Ok(LoadedManifest { manifest, file })
}

/// Parses manifest text; errors point into `file`.
pub fn parse(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Result<Manifest, Failed> {
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let offset = file.text.len() - text.len();
    toml::from_str::<Manifest>(text).map_err(|err| diags.fail(toml_error(file, offset, &err)))
}

/// Turns a TOML or serde error into a diagnostic with a helpful hint.
pub fn toml_error(file: &Arc<SourceFile>, offset: usize, err: &toml::de::Error) -> Diagnostic {
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
    } else {
        diagnostic = Diagnostic::error(format!("invalid {} ({message})", kind_of(file))).at(file, span);
        if message.contains("invalid type") {
            diagnostic = diagnostic
                .hint("check the value's type: text needs quotes, a date is written 2026-06-01 without quotes");
        }
    }
    diagnostic
}

fn kind_of(file: &SourceFile) -> &'static str {
    if file.path.extension().is_some_and(|e| e == "toml") { "manifest" } else { "front matter" }
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" message.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split('`').enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, s)| s.to_string()).collect();
    Some((unknown.to_string(), expected))
}

impl Manifest {
    /// Checks what serde cannot: the language tag, the identifier, paths, duplicates.
    pub fn validate(&self, file: &Arc<SourceFile>, diags: &mut Diagnostics) {
        let at = |span: Range<usize>| span;
        if self.title.get_ref().trim().is_empty() {
            diags.push(Diagnostic::error("the title is empty").at(file, at(self.title.span())));
        }
        if let Err(err) = self.language.get_ref().parse::<unic_langid::LanguageIdentifier>() {
            diags.push(
                Diagnostic::error(format!("`{}` is not a BCP 47 language tag ({err})", self.language.get_ref()))
                    .at(file, self.language.span())
                    .hint("use a tag such as en, fr, es, ru, ar, zh or zh-Hans"),
            );
        }
        if self.date.get_ref().date.is_none() {
            diags.push(
                Diagnostic::error("the date has no calendar day")
                    .at(file, self.date.span())
                    .hint("write a TOML date such as 2026-06-01"),
            );
        }
        if parse_identifier(self.identifier.get_ref()).is_none() {
            diags.push(
                Diagnostic::error(format!("`{}` is not a UUID", self.identifier.get_ref()))
                    .at(file, self.identifier.span())
                    .hint("the identifier must be a UUID such as urn:uuid:6f1c2f53-0c1d-4c8e-9a51-2b3a0e0f7d10; generate one with `uuidgen` and never change it"),
            );
        }
        if let Some(stem) = &self.file_stem {
            let ok = !stem.get_ref().is_empty()
                && stem.get_ref().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
            if !ok {
                diags.push(
                    Diagnostic::error(format!("file-stem `{}` is not a plain file name", stem.get_ref()))
                        .at(file, stem.span())
                        .hint("use ASCII letters, digits, `-`, `_` and `.` only"),
                );
            }
        }
        if self.contents.stories.is_empty() {
            diags.push(
                Diagnostic::error("the edition has no stories")
                    .in_file(&file.path)
                    .hint("list the story files under [contents] stories = [\"stories/…md\"]"),
            );
        }
        let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
        for path in self.content_paths() {
            let normal = path.get_ref().trim_start_matches("./").to_string();
            if let Some(first) = seen.get(&normal) {
                let (line, _) = file.line_col(first.start);
                diags.push(
                    Diagnostic::error(format!("`{normal}` is listed twice"))
                        .at(file, path.span())
                        .hint(format!("it is already listed on line {line}; an entry can appear once")),
                );
            } else {
                seen.insert(normal, path.span());
            }
        }
        for key in self.labels.keys() {
            if !crate::labels::is_known(key.get_ref()) {
                let mut d = Diagnostic::error(format!("unknown label `{}`", key.get_ref())).at(file, key.span());
                if let Some(close) = suggest(key.get_ref(), crate::labels::KEYS.iter().copied()) {
                    d = d.hint(format!("did you mean `{close}`?"));
                }
                diags.push(d.hint(format!("known labels: {}", crate::labels::KEYS.join(", "))));
            }
        }
    }

    /// Every Markdown file the manifest names, in reading order.
    pub fn content_paths(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.contents.front.iter().chain(&self.contents.stories).chain(&self.contents.back)
    }
}

/// Accepts `urn:uuid:<uuid>` or a bare UUID.
pub fn parse_identifier(identifier: &str) -> Option<uuid::Uuid> {
    let bare = identifier.strip_prefix("urn:uuid:").unwrap_or(identifier);
    uuid::Uuid::parse_str(bare).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
title = "Stories"
language = "en"
date = 2026-06-01
identifier = "urn:uuid:6f1c2f53-0c1d-4c8e-9a51-2b3a0e0f7d10"
[publisher]
name = "Publisher"
[acknowledgements]
text = "Thanks."
[legal]
citation = "Cite me."
[contents]
stories = ["a.md"]
"#;

    fn parse_text(text: &str) -> (Option<Manifest>, Diagnostics) {
        let file = SourceFile::new("publication.toml", text);
        let mut diags = Diagnostics::default();
        let manifest = parse(&file, &mut diags).ok();
        if let Some(m) = &manifest {
            m.validate(&file, &mut diags);
        }
        (manifest, diags)
    }

    #[test]
    fn minimal_manifest_is_accepted() {
        let (manifest, diags) = parse_text(MINIMAL);
        assert!(!diags.has_errors(), "{:?}", diags.items());
        assert_eq!(manifest.unwrap().contents.stories[0].get_ref(), "a.md");
    }

    #[test]
    fn unknown_key_is_named_with_position_and_suggestion() {
        let text = MINIMAL.replace("title = \"Stories\"", "titel = \"Stories\"");
        let (_, diags) = parse_text(&text);
        let d = &diags.items()[0];
        assert_eq!(d.message, "unknown key `titel`");
        assert_eq!(d.line_col(), Some((2, 1)));
        assert!(d.hints.iter().any(|h| h == "did you mean `title`?"), "{:?}", d.hints);
    }

    #[test]
    fn unknown_key_in_a_table_is_found_too() {
        let text = MINIMAL.replace("name = \"Publisher\"", "name = \"Publisher\"\nunti = \"CSU\"");
        let (_, diags) = parse_text(&text);
        let d = &diags.items()[0];
        assert_eq!(d.message, "unknown key `unti`");
        assert!(d.hints.iter().any(|h| h == "did you mean `unit`?"), "{:?}", d.hints);
    }

    #[test]
    fn duplicate_entries_and_bad_identifier_are_errors() {
        let text = MINIMAL
            .replace(r#"stories = ["a.md"]"#, r#"stories = ["a.md", "./a.md"]"#)
            .replace("urn:uuid:6f1c2f53-0c1d-4c8e-9a51-2b3a0e0f7d10", "my-book");
        let (_, diags) = parse_text(&text);
        let messages: Vec<_> = diags.items().iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&"`a.md` is listed twice"), "{messages:?}");
        assert!(messages.contains(&"`my-book` is not a UUID"), "{messages:?}");
    }

    #[test]
    fn wrong_type_is_reported_with_its_line() {
        let text = MINIMAL.replace("title = \"Stories\"", "title = 3");
        let (_, diags) = parse_text(&text);
        let d = &diags.items()[0];
        assert!(d.message.starts_with("invalid manifest"), "{}", d.message);
        assert_eq!(d.line_col().map(|(l, _)| l), Some(2));
    }
}
