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

    let mut document: toml_edit::DocumentMut = source.file.text.parse().map_err(|err| {
        diags.fail(Diagnostic::error(format!("failed to edit the manifest ({err})")).in_file(&source.file.path))
    })?;
    if let Some(language) = language {
        document["language"] = toml_edit::value(language);
    }
    let old = crate::manifest::parse_identifier(manifest.identifier.get_ref()).unwrap_or_default();
    let language_tag = language.unwrap_or(manifest.language.get_ref());
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

/// What a translation lacks against its source.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub source: PathBuf,
    /// Files the source lists that the translation does not.
    pub missing: Vec<String>,
    /// Files the translation lists that the source does not.
    pub extra: Vec<String>,
    /// Source files changed since they were translated.
    pub changed: Vec<String>,
    /// Files with no recorded source hash.
    pub unrecorded: Vec<String>,
    /// Files still identical to the source: not translated yet.
    pub untranslated: Vec<String>,
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
        for (count, what) in [
            (changed, "changed in the source since"),
            (self.untranslated.len(), "not translated yet"),
            (unrecorded, "never recorded"),
            (self.missing.len(), "missing"),
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
            && self.labels.is_empty()
    }
}

/// Compares a translation with its source (the recorded one, or `against`).
pub fn status(edition: &Path, against: Option<&Path>, diags: &mut Diagnostics) -> Result<Status, Failed> {
    let translation = crate::manifest::load_checked(edition, diags)?;
    let recorded = translation.manifest.translation.clone();
    let source_dir = match (against, &recorded) {
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
    let is_copy = |rel: &str, bytes: &[u8]| recorded.as_ref().is_some_and(|t| t.is_copy(rel, bytes));
    let none = BTreeMap::new();
    let hashes = recorded.as_ref().map_or(&none, |t| &t.hashes);
    let listed = |m: &Manifest| -> Vec<String> {
        m.content_paths().filter_map(|p| crate::files::normalize_relative(p.get_ref()).ok()).collect()
    };
    let source_files = listed(&source.manifest);
    let translated_files = listed(&translation.manifest);

    let mut status = Status { source: source_dir.clone(), ..Status::default() };
    status.missing = source_files.iter().filter(|f| !translated_files.contains(f)).cloned().collect();
    status.extra = translated_files.iter().filter(|f| !source_files.contains(f)).cloned().collect();
    let common = std::iter::once(MANIFEST_FILE.to_string())
        .chain(source_files.iter().filter(|f| translated_files.contains(f)).cloned());
    for rel in common {
        if rel != MANIFEST_FILE {
            status.compared += 1;
        }
        let source_bytes = std::fs::read(source_dir.join(&rel)).unwrap_or_default();
        let translated_bytes = std::fs::read(edition.join(&rel)).unwrap_or_default();
        // Still the copy `init` made (or the source itself): not translated,
        // whatever has happened to the source since.
        let untranslated =
            rel != MANIFEST_FILE && (source_bytes == translated_bytes || is_copy(&rel, &translated_bytes));
        if untranslated {
            status.untranslated.push(rel);
            continue;
        }
        match hashes.get(&rel) {
            Some(hash) if *hash != sha256_hex(&source_bytes) => status.changed.push(rel.clone()),
            Some(_) => {}
            None => status.unrecorded.push(rel.clone()),
        }
    }
    let language = translation.manifest.language.get_ref();
    let lang = language.split(['-', '_']).next().unwrap_or(language);
    let overrides: BTreeMap<String, String> =
        translation.manifest.labels.iter().map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone())).collect();
    status.labels = crate::labels::resolve(lang, &overrides).1.into_iter().map(|f| f.key).collect();
    Ok(status)
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
        updated.push(rel);
    }
    diags.check()?;
    crate::files::write_atomic(&translation.file.path, document.to_string().as_bytes()).map_err(|err| {
        diags.fail(Diagnostic::error(format!("failed to write the manifest ({err})")).in_file(&translation.file.path))
    })?;
    Ok(updated)
}
