//! Translations: start one from an existing edition (`init`), and tell what
//! it lacks against its source (`status`). A translation's manifest records,
//! under `[translation]`, its source folder and the SHA-256 of each source
//! file when it was translated; a source file whose hash has moved on has
//! changed since.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Failed};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::output::sha256_hex;

/// Creates `new` as a copy of `from` (see [`edition_files`]) to be
/// translated into `language`.
pub fn init(new: &Path, from: &Path, language: Option<&str>, diags: &mut Diagnostics) -> Result<Vec<PathBuf>, Failed> {
    if let Some(language) = language
        && let Err(diagnostic) = crate::manifest::check_language(language)
    {
        return Err(diags.fail(diagnostic));
    }
    let (loaded, copies) = edition_files(new, from, diags)?;
    let source = &loaded.edition.manifest;
    let manifest = &source.manifest;

    let mut hashes = BTreeMap::new();
    let mut written = Vec::new();
    for (rel, bytes) in &copies {
        let to_path = new.join(rel);
        write_new(&to_path, bytes).map_err(|err| io_error(diags, &to_path, err))?;
        if rel.ends_with(".md") {
            hashes.insert(rel.clone(), sha256_hex(bytes));
        }
        written.push(to_path);
    }
    hashes.insert(MANIFEST_FILE.to_string(), sha256_hex(source.file.text.as_bytes()));
    // The source as it was copied: what the translation is translated from.
    for (rel, bytes) in copies.iter().filter(|(rel, _)| rel.ends_with(".md")) {
        write_snapshot(new, rel, bytes).map_err(|err| io_error(diags, &new.join(SNAPSHOT_DIR).join(rel), err))?;
    }
    write_snapshot(new, MANIFEST_FILE, source.file.text.as_bytes())
        .map_err(|err| io_error(diags, &new.join(SNAPSHOT_DIR), err))?;

    let mut document: toml_edit::DocumentMut = source.file.text.parse().map_err(|err| {
        diags.fail(Diagnostic::error(format!("failed to edit the manifest ({err})")).in_file(&source.file.path))
    })?;
    if let Some(language) = language {
        document["language"] = toml_edit::value(language);
    }
    // The source's opening comment says what the source is ("Manifest of
    // the English edition …"): the copy says what it is instead.
    let from_name = relative(from, new);
    let language_tag = language.unwrap_or(manifest.language.get_ref());
    if let Some(mut first) = document.as_table_mut().iter_mut().next().map(|(key, _)| key) {
        let prefix = first.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_string();
        let rest = match prefix.find("\n\n") {
            Some(end) if prefix.trim_start().starts_with('#') => &prefix[end + 1..],
            _ if prefix.trim_start().starts_with('#') => "",
            _ => &prefix,
        };
        first.leaf_decor_mut().set_prefix(format!(
            "# Manifest of the translation ({language_tag}) of the edition in {from_name}, started with\n\
             # `anthology init`. The comments below are the source's.\n{rest}"
        ));
    }
    let old = crate::manifest::parse_identifier(manifest.identifier.get_ref()).unwrap_or_default();
    // The folder's name takes part, so that a full and a short edition in
    // one language, started from one source, are two publications.
    let folder = new.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let key = format!("{language_tag} {folder}");
    document["identifier"] = toml_edit::value(format!("urn:uuid:{}", derived_uuid(&old, &key)));
    let source_dir = relative(from, new);
    let mut table = toml_edit::Table::new();
    table.decor_mut().set_prefix(
        "\n# Written by `anthology init`: the edition this one translates, and the\n\
         # SHA-256 of each of its files when translated (see `anthology status`).\n",
    );
    table["source"] = toml_edit::value(source_dir);
    table["source-language"] = toml_edit::value(manifest.language.get_ref().as_str());
    let mut recorded = toml_edit::Table::new();
    for (path, hash) in &hashes {
        recorded[path] = toml_edit::value(hash);
    }
    table["hashes"] = toml_edit::Item::Table(recorded);
    document["translation"] = toml_edit::Item::Table(table);
    let manifest_path = new.join(MANIFEST_FILE);
    write_new(&manifest_path, document.to_string().as_bytes()).map_err(|e| io_error(diags, &manifest_path, e))?;
    written.insert(0, manifest_path);
    Ok(written)
}

/// A file to copy: its edition-relative path and its bytes.
pub type FileCopy = (String, Vec<u8>);

/// What `build` reads of the edition `from` — the manifest aside: the
/// listed Markdown files, the images they show, the edition's own layouts
/// and fonts — as (edition-relative path, bytes), read through the same
/// checks, so a symlink that leads outside is refused, never followed; with
/// the loaded edition. `new`, where they are to go, must be empty and may
/// not lie inside `from`.
pub fn edition_files(
    new: &Path,
    from: &Path,
    diags: &mut Diagnostics,
) -> Result<(crate::pipeline::Loaded, Vec<FileCopy>), Failed> {
    if new.exists() && std::fs::read_dir(new).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(diags.fail(
            Diagnostic::error("the folder already exists and is not empty")
                .in_file(new)
                .hint("choose a new folder, e.g. content/fr"),
        ));
    }
    if crate::files::is_within(new, from) {
        return Err(diags.fail(
            Diagnostic::error(format!("the new edition would be inside the edition it copies ({})", from.display()))
                .in_file(new)
                .hint("put editions side by side, e.g. content/fr beside content/en"),
        ));
    }
    let Ok(loaded) = crate::pipeline::load(from, diags) else {
        return Err(
            diags.fail(Diagnostic::error("the source edition has errors; fix them before copying it").in_file(from))
        );
    };
    let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
    for (_, document) in &loaded.edition.documents {
        copies.push((document.rel_path.clone(), document.file.text.clone().into_bytes()));
    }
    let mut extra: Vec<String> = loaded.edition.image_uses().map(|u| u.src.clone()).collect();
    extra.extend(loaded.layouts.iter().filter(|l| l.path.is_some()).map(|l| format!("layouts/{}", l.name)));
    extra.extend(
        crate::fonts::edition_font_files(from)
            .iter()
            .filter_map(|p| p.file_name().map(|n| format!("fonts/{}", n.to_string_lossy()))),
    );
    extra.sort();
    extra.dedup();
    for rel in extra {
        let path = from.join(&rel);
        let read = crate::files::confine(from, &path)
            .map_err(str::to_string)
            .and_then(|()| crate::files::read(from, &path, crate::files::MAX_FONT_BYTES).map_err(|e| e.to_string()));
        match read {
            Ok(bytes) => copies.push((rel, bytes)),
            Err(reason) => return Err(diags.fail(Diagnostic::error(format!("the file {reason}")).in_file(&path))),
        }
    }
    Ok((loaded, copies))
}

pub fn io_error(diags: &mut Diagnostics, path: &Path, err: std::io::Error) -> Failed {
    diags.fail(Diagnostic::error(format!("failed to write ({err})")).in_file(path))
}

/// Keeps `bytes`, the source of `rel`, as what `edition` translates it from.
fn write_snapshot(edition: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    crate::files::write_within(edition, &edition.join(SNAPSHOT_DIR).join(rel), bytes)
}

/// Writes a file that must not exist yet (never through a symlink).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)?.write_all(bytes)
}

/// The recorded source is not where `[translation] source` says (an edition
/// moved): the error says how to point at it.
fn moved_source(translation: &crate::manifest::LoadedManifest, source_dir: &Path) -> Diagnostic {
    let written = translation.manifest.translation.as_ref().map_or("", |t| t.source.as_str());
    Diagnostic::error(format!(
        "the source edition `{written}` is not found from here ({} has no {MANIFEST_FILE})",
        source_dir.display()
    ))
    .in_file(&translation.file.path)
    .hint("if an edition moved, pass --against <source edition>, or correct `source` under [translation]")
}

/// A UUID for a translation, derived from its source's UUID and language so
/// that `init` is reproducible.
pub fn derived_uuid(source: &uuid::Uuid, language: &str) -> uuid::Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{source}/{language}").as_bytes());
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

pub fn relative(target: &Path, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    pathdiff::diff_paths(absolute(target), absolute(base))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| target.to_string_lossy().into_owned())
}

/// Where `anthology` keeps, inside a translation, the source text each
/// file was translated from: `status` compares it with the source as it is
/// now, paragraph by paragraph.
pub use crate::manifest::SNAPSHOT_DIR;

/// Manifest texts that are names, kept as written in every language: never
/// reported as still in the source language.
const NAMES: &[&str] = &["acknowledgements.organisations", "acknowledgements.without-story", "publisher.short-name"];

/// A translation and the edition it was made from.
pub struct Pair {
    pub edition: PathBuf,
    pub translation: crate::manifest::LoadedManifest,
    pub source_dir: PathBuf,
    pub source: crate::manifest::LoadedManifest,
}

impl Pair {
    /// Opens the translation `edition` and its source (the recorded one, or `against`).
    pub fn open(edition: &Path, against: Option<&Path>, diags: &mut Diagnostics) -> Result<Pair, Failed> {
        let translation = crate::manifest::load_checked(edition, diags)?;
        let source_dir = match (against, &translation.manifest.translation) {
            (Some(path), _) => path.to_path_buf(),
            (None, Some(t)) => edition.join(&t.source),
            (None, None) => {
                return Err(diags.fail(
                    Diagnostic::error("this edition does not record what it was translated from")
                        .in_file(&translation.file.path)
                        .hint("pass --against <source edition>, or start translations with `anthology init`"),
                ));
            }
        };
        if against.is_none() && !source_dir.join(MANIFEST_FILE).is_file() {
            return Err(diags.fail(moved_source(&translation, &source_dir)));
        }
        let source = crate::manifest::load_checked(&source_dir, diags)?;
        Ok(Pair { edition: edition.to_path_buf(), translation, source_dir, source })
    }

    fn recorded(&self) -> Option<&crate::manifest::Translation> {
        self.translation.manifest.translation.as_ref()
    }

    /// The Markdown files the source lists, in reading order.
    pub fn source_files(&self) -> Vec<String> {
        listed(&self.source.manifest)
    }

    /// The Markdown files both editions list, in the source's order.
    pub fn common_files(&self) -> Vec<String> {
        let translated = listed(&self.translation.manifest);
        self.source_files().into_iter().filter(|f| translated.contains(f)).collect()
    }

    /// Whether `bytes` are still what `init` copied for `rel`: not translated.
    pub fn is_copy(&self, rel: &str, bytes: &[u8]) -> bool {
        self.recorded().is_some_and(|t| t.is_copy(rel, bytes))
    }

    /// The translation's language without region or script (`es` for `es-MX`).
    pub fn translation_lang(&self) -> String {
        let language = self.translation.manifest.language.get_ref();
        language.split(['-', '_']).next().unwrap_or(language).to_string()
    }

    pub fn source_labels(&self) -> BTreeMap<String, String> {
        labels_of(&self.source.manifest)
    }

    pub fn translation_labels(&self) -> BTreeMap<String, String> {
        labels_of(&self.translation.manifest)
    }
}

/// `es/../en` as `en`, for printing (the folder is read as written: `es`
/// may be a symlink).
fn lexically_clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

fn listed(manifest: &Manifest) -> Vec<String> {
    manifest.content_paths().filter_map(|p| crate::files::normalize_relative(p.get_ref()).ok()).collect()
}

fn labels_of(manifest: &Manifest) -> BTreeMap<String, String> {
    manifest.labels.iter().map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone())).collect()
}

/// A text of the source that changed since it was translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The source file, as a path from the working folder.
    pub file: PathBuf,
    /// Its line in the source as it is now (or where it was, if removed).
    pub line: usize,
    /// The text when translated (none: a new text).
    pub old: Option<String>,
    /// The text now (none: removed).
    pub new: Option<String>,
}

/// A translated file whose texts are partly still the source's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partly {
    pub file: String,
    /// Texts of four words or more still as in the source, of all.
    pub untranslated: usize,
    pub texts: usize,
    /// The first one's line.
    pub first_line: usize,
}

/// What a translation lacks against its source.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub source: PathBuf,
    /// Files the source lists that the translation does not.
    pub missing: Vec<String>,
    /// Files the source lists that the translation leaves out on purpose
    /// (`[translation] left-out`).
    pub left_out: Vec<String>,
    /// Files the translation lists that the source does not.
    pub extra: Vec<String>,
    /// Source files changed since they were translated.
    pub changed: Vec<String>,
    /// The texts that changed in them, where the source they were
    /// translated from is kept.
    pub paragraphs: Vec<Changed>,
    /// Files with no recorded source hash.
    pub unrecorded: Vec<String>,
    /// Files still identical to the source: not translated yet.
    pub untranslated: Vec<String>,
    /// Translated files with texts still as in the source.
    pub partly: Vec<Partly>,
    /// Manifest texts still as in the source: their key and line.
    pub manifest_texts: Vec<(String, usize)>,
    /// Text files both editions list (the manifest aside).
    pub compared: usize,
    /// Labels that fall back to English.
    pub labels: Vec<&'static str>,
}

impl Status {
    /// One line for the whole report: "3 of 20 files translated and up to date, …".
    pub fn summary(&self) -> String {
        let text = |files: &[String]| files.iter().filter(|f| f.as_str() != MANIFEST_FILE).count();
        let (changed, unrecorded) = (text(&self.changed), text(&self.unrecorded));
        let done = self.compared.saturating_sub(self.untranslated.len() + changed + unrecorded);
        let mut parts = vec![format!("{done} of {} files translated and up to date", self.compared)];
        let paragraphs = self.paragraphs.len();
        for (count, what) in [
            (changed, "changed in the source since".to_string()),
            (paragraphs, format!("paragraph{} out of date", if paragraphs == 1 { "" } else { "s" })),
            (self.untranslated.len(), "not translated yet".to_string()),
            (self.partly.len(), "partly translated".to_string()),
            (unrecorded, "never recorded".to_string()),
            (self.missing.len(), "missing".to_string()),
            (self.left_out.len(), "left out on purpose".to_string()),
            (self.manifest_texts.len(), "manifest texts as in the source".to_string()),
        ] {
            if count > 0 {
                parts.push(format!("{count} {what}"));
            }
        }
        parts.join(", ")
    }

    /// Whether the translation is complete and up to date.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.changed.is_empty()
            && self.unrecorded.is_empty()
            && self.untranslated.is_empty()
            && self.partly.is_empty()
            && self.manifest_texts.is_empty()
            && self.labels.is_empty()
    }
}

/// Compares a translation with its source (the recorded one, or `against`).
pub fn status(edition: &Path, against: Option<&Path>, diags: &mut Diagnostics) -> Result<Status, Failed> {
    let pair = Pair::open(edition, against, diags)?;
    let none = BTreeMap::new();
    let hashes = pair.recorded().map_or(&none, |t| &t.hashes);
    let declared: Vec<String> = pair
        .recorded()
        .map(|t| t.left_out.iter().filter_map(|p| crate::files::normalize_relative(p).ok()).collect())
        .unwrap_or_default();
    let source_files = pair.source_files();
    let translated_files = listed(&pair.translation.manifest);

    let mut status = Status { source: lexically_clean(&pair.source_dir), ..Status::default() };
    for file in source_files.iter().filter(|f| !translated_files.contains(f)) {
        if declared.contains(file) { &mut status.left_out } else { &mut status.missing }.push(file.clone());
    }
    status.extra = translated_files.iter().filter(|f| !source_files.contains(f)).cloned().collect();
    let common = std::iter::once(MANIFEST_FILE.to_string()).chain(pair.common_files());
    for rel in common {
        if rel != MANIFEST_FILE {
            status.compared += 1;
        }
        let source_bytes = std::fs::read(pair.source_dir.join(&rel)).unwrap_or_default();
        let translated_bytes = std::fs::read(edition.join(&rel)).unwrap_or_default();
        // Still the copy `init` made (or the source itself): not translated,
        // whatever has happened to the source since.
        let untranslated =
            rel != MANIFEST_FILE && (source_bytes == translated_bytes || pair.is_copy(&rel, &translated_bytes));
        if untranslated {
            status.untranslated.push(rel);
            continue;
        }
        let (source_text, translated_text) =
            (String::from_utf8_lossy(&source_bytes), String::from_utf8_lossy(&translated_bytes));
        if rel != MANIFEST_FILE
            && let Some(partly) = partly_translated(&rel, &source_text, &translated_text)
        {
            status.partly.push(partly);
        }
        match hashes.get(&rel) {
            Some(hash) if *hash != sha256_hex(&source_bytes) => {
                status.changed.push(rel.clone());
                if let Ok(old) = std::fs::read(edition.join(SNAPSHOT_DIR).join(&rel)) {
                    let file = status.source.join(&rel);
                    status.paragraphs.extend(changed_texts(&file, &String::from_utf8_lossy(&old), &source_text));
                }
            }
            Some(_) => {}
            None => status.unrecorded.push(rel.clone()),
        }
    }
    let translated: BTreeMap<String, crate::segments::Unit> =
        crate::segments::manifest_units(&pair.translation.file.text).into_iter().map(|u| (u.id.clone(), u)).collect();
    for unit in crate::segments::manifest_units(&pair.source.file.text) {
        let name = unit.key.as_ref().map(|(path, _)| path.join(".")).unwrap_or_default();
        let still = translated.get(&unit.id).is_some_and(|t| t.markdown() == unit.markdown());
        // Acronyms (UNODC) are written alike in every language.
        if still && !NAMES.contains(&name.as_str()) && unit.plain().chars().any(char::is_lowercase) {
            let line = translated[&unit.id].line;
            status.manifest_texts.push((unit.id.clone(), line));
        }
    }
    status.labels = crate::labels::resolve(&pair.translation_lang(), &pair.translation_labels())
        .1
        .into_iter()
        .map(|f| f.key)
        .collect();
    Ok(status)
}

/// The texts of `file` that differ between the source it was translated
/// from (`old`) and the source now (`new`), in order: found by a diff of
/// the two sequences of texts; within a run of differences, a text is
/// paired with the most alike of its replacements (half its words or more
/// in common), and a text removed in one place and added in another is
/// one text moved.
pub fn changed_texts(file: &Path, old: &str, new: &str) -> Vec<Changed> {
    use crate::segments::Unit;
    let units = |text: &str| {
        if file.file_name().is_some_and(|n| n == MANIFEST_FILE) {
            crate::segments::manifest_units(text)
        } else {
            crate::segments::markdown_units(text)
        }
    };
    let (old, new) = (units(old), units(new));
    let texts = |units: &[Unit]| units.iter().map(Unit::markdown).collect::<Vec<_>>();
    let (old_texts, new_texts) = (texts(&old), texts(&new));
    let line_at = |n: usize| new.get(n).or(new.last()).map_or(1, |u| u.line);
    let (old_plain, new_plain): (Vec<String>, Vec<String>) =
        (old.iter().map(Unit::plain).collect(), new.iter().map(Unit::plain).collect());
    // (old index, new index) of each difference, None where there is none,
    // and where in the new text it is.
    let mut pairs: Vec<(Option<usize>, Option<usize>, usize)> = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_texts, &new_texts) {
        if matches!(op.tag(), similar::DiffTag::Equal) {
            continue;
        }
        let (olds, news) = (op.old_range(), op.new_range());
        // Pairing by likeness costs olds × news: a rewrite of thousands of
        // paragraphs is paired in order instead.
        let by_likeness = olds.len().saturating_mul(news.len()) <= 10_000;
        let mut next_new = news.start;
        for o in olds.clone() {
            let best = if by_likeness {
                // The earliest of the most alike, half their words in common.
                (next_new..news.end)
                    .map(|n| (n, alike(&old_plain[o], &new_plain[n])))
                    .filter(|(_, score)| *score >= 0.5)
                    .fold(None, |best: Option<(usize, f64)>, (n, score)| match best {
                        Some((_, top)) if top >= score => best,
                        _ => Some((n, score)),
                    })
            } else {
                (next_new < news.end).then_some((next_new, 1.0))
            };
            match best {
                Some((n, _)) => {
                    pairs.extend((next_new..n).map(|added| (None, Some(added), added)));
                    pairs.push((Some(o), Some(n), n));
                    next_new = n + 1;
                }
                None => pairs.push((Some(o), None, next_new)),
            }
        }
        pairs.extend((next_new..news.end).map(|added| (None, Some(added), added)));
    }
    // A text removed here and added there, word for word: moved.
    let mut moved: Vec<(usize, usize)> = Vec::new();
    for &(o, _, _) in pairs.iter().filter(|(o, n, _)| o.is_some() && n.is_none()) {
        let o = o.expect("filtered");
        if let Some(&(_, n, _)) = pairs.iter().find(|(po, pn, _)| {
            po.is_none() && pn.is_some_and(|n| new_texts[n] == old_texts[o] && !moved.iter().any(|m| m.1 == n))
        }) {
            moved.push((o, n.expect("filtered")));
        }
    }
    let mut changes = Vec::new();
    for (o, n, at) in pairs {
        let (o, n) = match (o, n) {
            (Some(o), None) if moved.iter().any(|m| m.0 == o) => continue,
            (None, Some(n)) => match moved.iter().find(|m| m.1 == n) {
                Some(&(o, n)) => (Some(o), Some(n)),
                None => (None, Some(n)),
            },
            pair => pair,
        };
        let (o, n) = (o.map(|o| &old[o]), n);
        // A change of markup only (a link's address) shows the Markdown.
        let markup_only = matches!((o, n), (Some(o), Some(n)) if o.plain() == new[n].plain());
        let text = |u: &Unit| if markup_only { u.markdown() } else { u.plain() };
        changes.push(Changed {
            file: file.to_path_buf(),
            line: n.map_or_else(|| line_at(at), |n| new[n].line),
            old: o.map(text),
            new: n.map(|n| text(&new[n])),
        });
    }
    changes
}

/// How alike two texts are: the share of the longer one's words (letters
/// and digits, any case) the other has too.
fn alike(a: &str, b: &str) -> f64 {
    let words = |t: &str| {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (a, b) = (words(a), words(b));
    let longer = a.len().max(b.len()).max(1);
    a.intersection(&b).count() as f64 / longer as f64
}

/// The sentences that differ between two versions of a text, as `- old`
/// and `+ new` lines (the whole text when it is new or removed).
pub fn sentence_diff(old: Option<&str>, new: Option<&str>) -> Vec<String> {
    let sentences = |text: Option<&str>| -> Vec<String> {
        let Some(text) = text else { return Vec::new() };
        let mut out = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            current.push(c);
            if matches!(c, '.' | '!' | '?' | '。' | '؟') && chars.peek().is_none_or(|n| n.is_whitespace()) {
                out.push(current.trim().to_string());
                current.clear();
            }
        }
        if !current.trim().is_empty() {
            out.push(current.trim().to_string());
        }
        out
    };
    let (old, new) = (sentences(old), sentences(new));
    let mut lines = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        if matches!(op.tag(), similar::DiffTag::Equal) {
            continue;
        }
        lines.extend(old[op.old_range()].iter().map(|s| format!("- {s}")));
        lines.extend(new[op.new_range()].iter().map(|s| format!("+ {s}")));
    }
    lines
}

/// A translated file whose texts of four words or more are, some of them,
/// still as in the source (when its texts line up with the source's).
fn partly_translated(rel: &str, source: &str, translated: &str) -> Option<Partly> {
    let (source, translated) = (crate::segments::markdown_units(source), crate::segments::markdown_units(translated));
    let kind = |u: &crate::segments::Unit| u.id.split('-').next().unwrap_or("").to_string();
    if source.len() != translated.len() || source.iter().map(kind).ne(translated.iter().map(kind)) {
        return None;
    }
    let same: Vec<&crate::segments::Unit> = source
        .iter()
        .zip(&translated)
        .filter(|(s, t)| s.place != crate::segments::Place::Plain && s.words() >= 4 && s.markdown() == t.markdown())
        .map(|(_, t)| t)
        .collect();
    let first = same.first()?;
    Some(Partly { file: rel.to_string(), untranslated: same.len(), texts: source.len(), first_line: first.line })
}

/// Records the source's current hashes for `files` (all when empty): they
/// are now translated from the source as it is.
pub fn record(edition: &Path, files: &[String], diags: &mut Diagnostics) -> Result<Vec<String>, Failed> {
    let translation = crate::manifest::load_checked(edition, diags)?;
    let Some(recorded) = &translation.manifest.translation else {
        return Err(diags.fail(
            Diagnostic::error("this edition does not record what it was translated from")
                .in_file(&translation.file.path)
                .hint("add [translation] source = \"../en\" to publication.toml"),
        ));
    };
    let source_dir = edition.join(&recorded.source);
    if !source_dir.join(MANIFEST_FILE).is_file() {
        return Err(diags.fail(moved_source(&translation, &source_dir)));
    }
    let source = crate::manifest::load_checked(&source_dir, diags)?;
    let all: Vec<String> = std::iter::once(MANIFEST_FILE.to_string())
        .chain(source.manifest.content_paths().filter_map(|p| crate::files::normalize_relative(p.get_ref()).ok()))
        .collect();
    // A path as the shell completes it (`content/es/stories/x.md`) names the same file.
    let relative_to_edition = |file: &String| -> String {
        let path = Path::new(file);
        let inside: Option<PathBuf> = path.strip_prefix(edition).map(Path::to_path_buf).ok().or_else(|| {
            let (absolute, edition) = (std::path::absolute(path).ok()?, std::path::absolute(edition).ok()?);
            absolute.strip_prefix(&edition).ok().map(Path::to_path_buf)
        });
        inside.map_or_else(|| file.clone(), |p| p.to_string_lossy().replace('\\', "/"))
    };
    let chosen: Vec<String> =
        if files.is_empty() { all.clone() } else { files.iter().map(relative_to_edition).collect() };
    let mut document: toml_edit::DocumentMut = translation.file.text.parse().map_err(|err| {
        diags.fail(Diagnostic::error(format!("failed to edit the manifest ({err})")).in_file(&translation.file.path))
    })?;
    if document["translation"].get("hashes").is_none() {
        document["translation"]["hashes"] = toml_edit::Item::Table(toml_edit::Table::new());
    }
    let mut updated = Vec::new();
    let mut snapshots = Vec::new();
    for rel in chosen {
        if !all.contains(&rel) {
            diags.push(
                Diagnostic::error(format!("`{rel}` is not a file of the source edition"))
                    .in_file(&source.file.path)
                    .hint(format!("files of the source: {}", all.join(", "))),
            );
            continue;
        }
        let bytes = std::fs::read(source_dir.join(&rel)).unwrap_or_default();
        document["translation"]["hashes"][&rel] = toml_edit::value(sha256_hex(&bytes));
        snapshots.push((rel.clone(), bytes));
        updated.push(rel);
    }
    diags.check()?;
    for (rel, bytes) in &snapshots {
        write_snapshot(edition, rel, bytes)
            .map_err(|err| io_error(diags, &edition.join(SNAPSHOT_DIR).join(rel), err))?;
    }
    crate::files::write_atomic(&translation.file.path, document.to_string().as_bytes()).map_err(|err| {
        diags.fail(Diagnostic::error(format!("failed to write the manifest ({err})")).in_file(&translation.file.path))
    })?;
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(old: &str, new: &str) -> Vec<(String, usize)> {
        let front = "+++\ntitle = \"T\"\n+++\n\n";
        changed_texts(Path::new("a.md"), &format!("{front}{old}"), &format!("{front}{new}"))
            .into_iter()
            .map(|c| {
                let what = match (&c.old, &c.new) {
                    (Some(o), Some(n)) if o == n => "moved".to_string(),
                    (Some(o), Some(n)) => format!("{o} -> {n}"),
                    (None, Some(n)) => format!("+ {n}"),
                    (Some(o), None) => format!("- {o}"),
                    (None, None) => unreachable!(),
                };
                (what, c.line)
            })
            .collect()
    }

    #[test]
    fn a_paragraph_inserted_before_an_edited_one_is_told_apart_from_the_edit() {
        let old = "Alpha beta gamma delta.\n\nOmega psi chi.\n";
        let new = "A new paragraph here.\n\nAlpha beta gamma epsilon.\n\nOmega psi chi.\n";
        assert_eq!(
            kinds(old, new),
            [("+ A new paragraph here.".into(), 5), ("Alpha beta gamma delta. -> Alpha beta gamma epsilon.".into(), 7)]
        );
    }

    #[test]
    fn a_moved_paragraph_is_one_change_and_a_link_address_shows_its_markdown() {
        let old = "First one here.\n\nSecond one here.\n\nThird one here.\n";
        let new = "Second one here.\n\nThird one here.\n\nFirst one here.\n";
        assert_eq!(kinds(old, new), [("moved".into(), 9)]);
        let old = "See [the site](https://a.org).\n";
        let new = "See [the site](https://b.org).\n";
        assert_eq!(kinds(old, new), [("See [the site](https://a.org). -> See [the site](https://b.org).".into(), 5)]);
        let removed = kinds("Kept.\n\nGone now.\n\nAlso kept.\n", "Kept.\n\nAlso kept.\n");
        assert_eq!(removed, [("- Gone now.".into(), 7)]);
    }
}
