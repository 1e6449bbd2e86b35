//! COLLECT: read the Markdown files named by the manifest, split their front
//! matter, and parse their bodies (through [`crate::markdown`]).
//!
//! Everything a manifest or story references must stay inside the edition
//! folder: `..` that climbs out, absolute paths and symlinks that resolve
//! outside are rejected.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::manifest::LoadedManifest;
use crate::model::Block;

/// Largest Markdown or manifest file anthology reads (a story is a few dozen kilobytes).
pub const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;
/// Largest image file anthology embeds.
pub const MAX_IMAGE_BYTES: u64 = 40 * 1024 * 1024;

/// A Markdown file of the edition, read and parsed.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the edition folder, `/`-separated, as listed in the manifest.
    pub rel_path: String,
    /// Unique id derived from the file name, used for labels and EPUB file names.
    pub id: String,
    pub file: Arc<SourceFile>,
    pub front: FrontMatter,
    pub blocks: Vec<Block>,
}

/// The TOML front matter between `+++` lines at the top of a Markdown file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FrontMatter {
    pub title: Spanned<String>,
    /// The title printed in the table of contents and the bookmarks, when shorter.
    #[serde(default)]
    pub toc_title: Option<String>,
    #[serde(default)]
    pub organisations: Vec<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// Where a Markdown file sits in the publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Front,
    Story,
    Back,
}

/// An edition read from disk: its manifest and its documents in reading order.
#[derive(Debug, Clone)]
pub struct Edition {
    pub dir: PathBuf,
    pub manifest: LoadedManifest,
    pub documents: Vec<(Section, Document)>,
}

/// What Markdown parsing needs to know about the edition.
pub struct ParseContext<'a> {
    /// Edition-relative path → entry id, to resolve links between entries.
    pub entries: &'a BTreeMap<String, String>,
    /// The edition folder, for images.
    pub edition: &'a Path,
    /// Straight quotes, `--` and `...` become typographic (manifest `smart-quotes`).
    pub smart_punctuation: bool,
}

/// Reads every file the manifest lists and parses it.
pub fn collect(edition: &Path, manifest: LoadedManifest, diags: &mut Diagnostics) -> Result<Edition, Failed> {
    let m = &manifest.manifest;
    let sections = m
        .contents
        .front
        .iter()
        .map(|p| (Section::Front, p))
        .chain(m.contents.stories.iter().map(|p| (Section::Story, p)))
        .chain(m.contents.back.iter().map(|p| (Section::Back, p)));

    // Ids and the path → id table come first: any story may link to any other.
    let mut listed = Vec::new();
    let mut ids = BTreeSet::from(["acknowledgements".to_string(), "toc".to_string(), "cover".to_string()]);
    let mut entries = BTreeMap::new();
    for (section, path) in sections {
        let rel = match normalize_relative(path.get_ref()) {
            Ok(rel) => rel,
            Err(reason) => {
                diags.push(
                    Diagnostic::error(format!("`{}` {reason}", path.get_ref()))
                        .at(&manifest.file, path.span())
                        .hint("list files by their path relative to the edition folder, e.g. stories/haiti.md"),
                );
                continue;
            }
        };
        let id = unique_id(&rel, &mut ids);
        entries.insert(rel.clone(), id.clone());
        listed.push((section, rel, id, path.span()));
    }

    let context = ParseContext { entries: &entries, edition, smart_punctuation: m.smart_quotes };
    let mut documents = Vec::new();
    for (section, rel, id, span) in listed {
        let path = edition.join(&rel);
        let located = |d: Diagnostic| d.at(&manifest.file, span.clone());
        if let Err(reason) = confine(edition, &path) {
            diags.push(located(Diagnostic::error(format!("`{rel}` {reason}"))));
            continue;
        }
        let Ok(text) = read_text(&path, diags) else { continue };
        let Some(text) = text else {
            diags.push(located(
                Diagnostic::error(format!("`{rel}` does not exist"))
                    .hint(format!("create {} or remove it from [contents]", path.display())),
            ));
            continue;
        };
        let file = SourceFile::new(&path, text);
        if let Ok(document) = parse_document(file, rel, id, &context, diags) {
            documents.push((section, document));
        }
    }
    diags.check()?;
    Ok(Edition { dir: edition.to_path_buf(), manifest, documents })
}

/// Splits front matter and parses a Markdown file's body.
pub fn parse_document(
    file: Arc<SourceFile>,
    rel_path: String,
    id: String,
    context: &ParseContext,
    diags: &mut Diagnostics,
) -> Result<Document, Failed> {
    let (front_span, body_start) = split_front_matter(&file, diags)?;
    let front_text = &file.text[front_span.clone()];
    let front: FrontMatter = toml::from_str(front_text)
        .map_err(|err| diags.fail(crate::manifest::toml_error(&file, front_span.start, &err)))?;
    if front.title.get_ref().trim().is_empty() {
        diags.push(
            Diagnostic::error("the title is empty")
                .at(&file, front.title.span().start + front_span.start..front.title.span().end + front_span.start),
        );
    }
    let blocks = crate::markdown::parse(&file, body_start, &rel_path, context, diags);
    if blocks.is_empty() {
        diags.push(
            Diagnostic::error(format!("`{rel_path}` has no text after its front matter"))
                .at(&file, body_start..file.text.len())
                .hint("write the story below the closing +++ line, or remove the file from [contents]"),
        );
    }
    diags.check()?;
    Ok(Document { rel_path, id, file, front, blocks })
}

/// Finds the `+++` front matter; returns its inner span and where the body starts.
fn split_front_matter(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Result<(Range<usize>, usize), Failed> {
    let text = &file.text;
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut lines = line_spans(text, start);
    let example = "start the file with:\n+++\ntitle = \"The story's title\"\n+++";
    let first = lines.next();
    if text[start..].trim().is_empty() {
        return Err(diags.fail(Diagnostic::error("the file is empty").at(file, 0..0).hint(example)));
    }
    match first {
        Some(line) if text[line.clone()].trim_end() == "+++" => {
            let inner_start = line.end;
            for line in lines {
                if text[line.clone()].trim_end() == "+++" {
                    return Ok((inner_start..line.start, line.end));
                }
            }
            Err(diags.fail(
                Diagnostic::error("the front matter is not closed")
                    .at(file, line.start..line.start + 3)
                    .hint("end the front matter with a line holding only +++"),
            ))
        }
        Some(line) => Err(diags.fail(
            Diagnostic::error("the file has no front matter")
                .at(file, line.start..line.end.min(line.start + 1).max(line.start))
                .hint(example),
        )),
        None => Err(diags.fail(Diagnostic::error("the file is empty").at(file, 0..0).hint(example))),
    }
}

/// Byte ranges of each line (including its line ending), from `start`.
fn line_spans(text: &str, start: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let span = pos..end;
        pos = end;
        Some(span)
    })
}

/// Reads a UTF-8 text file. `Ok(None)` when it does not exist.
pub fn read_text(path: &Path, diags: &mut Diagnostics) -> Result<Option<String>, Failed> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(diags.fail(Diagnostic::error(format!("failed to read file ({err})")).in_file(path))),
    };
    if metadata.is_dir() {
        return Err(diags.fail(Diagnostic::error("expected a file, found a folder").in_file(path)));
    }
    if metadata.len() > MAX_TEXT_BYTES {
        return Err(diags.fail(
            Diagnostic::error(format!(
                "file is too large ({} MiB; the limit is {} MiB)",
                metadata.len() / (1024 * 1024),
                MAX_TEXT_BYTES / (1024 * 1024)
            ))
            .in_file(path)
            .hint("split the text into several stories, or check that this is the right file"),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|err| diags.fail(Diagnostic::error(format!("failed to read file ({err})")).in_file(path)))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let file = SourceFile::new(path, prefix);
            Err(diags.fail(
                Diagnostic::error(format!("the file is not valid UTF-8 (byte 0x{:02X})", bytes[valid]))
                    .at(&file, valid..valid)
                    .hint("save the file as UTF-8 in your editor"),
            ))
        }
    }
}

/// Lexically normalises an edition-relative path, refusing ones that leave the folder.
pub fn normalize_relative(path: &str) -> Result<String, &'static str> {
    if path.is_empty() {
        return Err("is an empty path");
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().ok_or("is not valid UTF-8")?),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err("points outside the edition folder");
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err("is an absolute path"),
        }
    }
    if parts.is_empty() {
        return Err("is not a file");
    }
    Ok(parts.join("/"))
}

/// Checks that a path, with symlinks resolved, stays inside the edition folder.
pub fn confine(edition: &Path, path: &Path) -> Result<(), &'static str> {
    let (Ok(root), Ok(target)) = (edition.canonicalize(), path.canonicalize()) else {
        // A missing file is reported by whoever reads it.
        return Ok(());
    };
    if target.starts_with(&root) { Ok(()) } else { Err("resolves outside the edition folder (symlink)") }
}

/// A file-name-safe id from a path's stem, made unique among `taken`.
fn unique_id(rel: &str, taken: &mut BTreeSet<String>) -> String {
    let stem = Path::new(rel).file_stem().and_then(|s| s.to_str()).unwrap_or("entry");
    let mut base: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    base = base.trim_matches('-').to_string();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("s-{base}");
    }
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Markdown files in the edition folder that the manifest does not list.
pub fn unlisted_markdown(edition: &Edition) -> Vec<String> {
    let listed: BTreeSet<&str> = edition.documents.iter().map(|(_, d)| d.rel_path.as_str()).collect();
    let mut found = Vec::new();
    walk_markdown(&edition.dir, &edition.dir, &mut found);
    found.retain(|p| !listed.contains(p.as_str()));
    found.sort();
    found
}

fn walk_markdown(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(read) = std::fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "layouts" {
            continue;
        }
        if kind.is_dir() {
            walk_markdown(root, &path, found);
        } else if name.ends_with(".md")
            && let Ok(rel) = path.strip_prefix(root)
        {
            found.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_may_not_leave_the_edition() {
        assert_eq!(normalize_relative("stories/../intro.md"), Ok("intro.md".to_string()));
        assert_eq!(normalize_relative("./a/b.md"), Ok("a/b.md".to_string()));
        assert!(normalize_relative("../other/a.md").is_err());
        assert!(normalize_relative("/etc/passwd").is_err());
        assert!(normalize_relative("a/../../b.md").is_err());
    }

    #[test]
    fn ids_are_unique_and_safe() {
        let mut taken = BTreeSet::from(["toc".to_string()]);
        assert_eq!(unique_id("stories/Haiti Story.md", &mut taken), "haiti-story");
        assert_eq!(unique_id("other/haiti-story.md", &mut taken), "haiti-story-2");
        assert_eq!(unique_id("toc.md", &mut taken), "toc-2");
        assert_eq!(unique_id("01.md", &mut taken), "s-01");
    }

    fn front(text: &str) -> Result<(Range<usize>, usize), Vec<String>> {
        let file = SourceFile::new("a.md", text);
        let mut diags = Diagnostics::default();
        split_front_matter(&file, &mut diags).map_err(|_| diags.items().iter().map(|d| d.short()).collect())
    }

    #[test]
    fn front_matter_with_crlf_and_bom() {
        let text = "\u{feff}+++\r\ntitle = \"T\"\r\n+++\r\nBody\r\n";
        let (inner, body) = front(text).unwrap();
        assert_eq!(&text[inner], "title = \"T\"\r\n");
        assert_eq!(&text[body..], "Body\r\n");
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_explained() {
        assert_eq!(front("").unwrap_err(), ["a.md:1:1: error: the file is empty"]);
        assert_eq!(front("Hello\n").unwrap_err(), ["a.md:1:1: error: the file has no front matter"]);
        assert_eq!(front("+++\ntitle = \"x\"\n").unwrap_err(), ["a.md:1:1: error: the front matter is not closed"]);
    }
}
