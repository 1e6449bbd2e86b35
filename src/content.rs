//! COLLECT: read the Markdown files named by the manifest (through
//! [`crate::files`], which keeps every read inside the edition), split their
//! front matter, and parse their bodies (through [`crate::markdown`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::files::{self, SourceError, read_source};
use crate::manifest::LoadedManifest;
use crate::markdown::{ImageRole, ImageUse, ParseContext};
use crate::model::{Block, Image};

/// A Markdown file of the edition, read and parsed.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the edition folder, `/`-separated, as listed in the manifest.
    pub rel_path: String,
    /// Unique id derived from the file name, used for labels and EPUB file names.
    pub id: String,
    pub file: Arc<SourceFile>,
    pub front: FrontMatter,
    /// Where the front matter's text begins in the file: its values' spans count from here.
    pub front_start: usize,
    pub blocks: Vec<Block>,
    /// Its footnotes, in order of first reference.
    pub notes: Vec<crate::model::Note>,
    /// Where each top-level block is in the file.
    pub spans: Vec<Range<usize>>,
    /// The images it shows, where they are referenced.
    pub images: Vec<ImageUse>,
}

/// The TOML front matter between `+++` lines at the top of a Markdown file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FrontMatter {
    pub title: Spanned<String>,
    /// The title printed in the table of contents and the bookmarks, when shorter.
    #[serde(default)]
    pub toc_title: Option<Spanned<String>>,
    #[serde(default)]
    pub organisations: Vec<Spanned<String>>,
    #[serde(default)]
    pub country: Option<Spanned<String>>,
    /// A story's display pull quote: a sentence of its own text, set large
    /// where its last page has room.
    #[serde(default)]
    pub pull_quote: Option<Spanned<String>>,
    /// Who said it, printed under the pull quote.
    #[serde(default)]
    pub pull_quote_by: Option<Spanned<String>>,
    /// The language of this file's text, when not the edition's (a BCP 47 tag).
    #[serde(default)]
    pub language: Option<Spanned<String>>,
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
    /// The manifest's `[cover]` image, and where the manifest names it.
    pub cover: Option<(Image, ImageUse)>,
    /// The `[style]` cover photo, and where the manifest names it.
    pub cover_photo: Option<(Image, ImageUse)>,
}

impl Edition {
    /// Every image the edition shows, where it is referenced.
    pub fn image_uses(&self) -> impl Iterator<Item = &ImageUse> {
        self.documents
            .iter()
            .flat_map(|(_, d)| &d.images)
            .chain(self.cover.as_ref().map(|(_, u)| u))
            .chain(self.cover_photo.as_ref().map(|(_, u)| u))
    }
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
    // Ids the generated entries take, `nav`, whose file the EPUB's navigation
    // is, and `index` and `main`, the web edition's index page and text.
    let mut ids = BTreeSet::from(["acknowledgements", "toc", "cover", "nav", "index", "main"].map(String::from));
    let mut entries = BTreeMap::new();
    // Two spellings of one file (`stories//x.md`, `stories/../stories/x.md`, a
    // symlink) would publish it twice: compare normalised and resolved paths.
    let mut seen: BTreeMap<(u64, u64), (String, Range<usize>)> = BTreeMap::new();
    for (section, path) in sections {
        let rel = match files::normalize_relative(path.get_ref()) {
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
        let identity = files::identity(&edition.join(&rel));
        if let Some((first, span)) = identity.and_then(|id| seen.get(&id)) {
            let (line, _) = manifest.file.line_col(span.start);
            let same = if *first == rel { String::new() } else { format!(" (as `{first}`)") };
            diags.push(
                Diagnostic::error(format!("`{}` is listed twice", path.get_ref()))
                    .at(&manifest.file, path.span())
                    .hint(format!("the same file is already listed on line {line}{same}; an entry can appear once")),
            );
            continue;
        }
        if let Some(identity) = identity {
            seen.insert(identity, (rel.clone(), path.span()));
        }
        let id = unique_id(&rel, &mut ids);
        entries.insert(rel.clone(), id.clone());
        listed.push((section, rel, id, path.span()));
    }

    let context = ParseContext { entries: &entries, smart_punctuation: m.smart_quotes };
    let mut documents = Vec::new();
    for (section, rel, id, span) in listed {
        let path = edition.join(&rel);
        let located = |d: Diagnostic| d.at(&manifest.file, span.clone());
        if let Err(reason) = files::confine(edition, &path) {
            diags.push(located(Diagnostic::error(format!("`{rel}` {reason}"))));
            continue;
        }
        let file = match read_source(edition, &path) {
            Ok(file) => file,
            Err(SourceError::Missing) => {
                let problem = Diagnostic::error(format!("`{rel}` does not exist"));
                let problem = match files::did_you_mean(edition, "", &rel) {
                    Some(meant) => problem.hint(format!("did you mean `{meant}`?")),
                    None => problem.hint(format!("create {} or remove it from [contents]", path.display())),
                };
                diags.push(located(problem));
                continue;
            }
            Err(SourceError::Other(mut diagnostic)) => {
                // A problem with the file as a whole is shown where the manifest lists it.
                if matches!(diagnostic.location, Some(crate::diag::Location::Path(_))) {
                    diagnostic.message = format!("`{rel}`: {}", diagnostic.message);
                    diagnostic = located(diagnostic);
                }
                diags.push(diagnostic);
                continue;
            }
        };
        if let Ok(document) = parse_document(file, rel, id, &context, diags) {
            documents.push((section, document));
        }
    }
    let cover =
        m.cover.as_ref().and_then(|cover| cover_image(&manifest, &cover.image, &cover.alt, ImageRole::Logo, diags));
    let cover_photo = m.style.as_ref().and_then(|style| match (&style.cover_photo, &style.cover_photo_alt) {
        (Some(photo), Some(alt)) => cover_image(&manifest, photo, alt, ImageRole::CoverPhoto, diags),
        // The manifest check reports a photo without alt text.
        _ => None,
    });
    diags.check()?;
    Ok(Edition { dir: edition.to_path_buf(), manifest, documents, cover, cover_photo })
}

/// A cover image (`[cover] image`, the logo, or `[style] cover-photo`): its
/// path checked like a story's; the file itself is read and checked with the
/// other images.
fn cover_image(
    manifest: &LoadedManifest,
    image: &Spanned<String>,
    alt: &Spanned<String>,
    role: ImageRole,
    diags: &mut Diagnostics,
) -> Option<(Image, ImageUse)> {
    let file = &manifest.file;
    let written = image.get_ref();
    let rel = match files::normalize_relative(written).map_err(str::to_string).and_then(|rel| {
        crate::markdown::check_extension(&rel)
            .map(|()| rel)
            .map_err(|hint| format!("is not a supported image format ({hint})"))
    }) {
        Ok(rel) => rel,
        Err(reason) => {
            diags.push(
                Diagnostic::error(format!("the cover image `{written}` {reason}"))
                    .at(file, image.span())
                    .hint("give a path relative to the edition folder, e.g. images/logo.png"),
            );
            return None;
        }
    };
    if alt.get_ref().trim().is_empty() {
        // The cover photo's empty alt text is reported by the manifest check.
        if role == ImageRole::Logo {
            diags.push(
                Diagnostic::error("the cover image has no alt text")
                    .at(file, alt.span())
                    .hint("describe the image, e.g. alt = \"UNODC logo\""),
            );
        }
        return None;
    }
    let span = image.span();
    let image = Image { src: rel.clone(), alt: alt.get_ref().trim().to_string(), file: String::new() };
    let image_use = ImageUse { src: rel, written: written.clone(), file: file.clone(), span, role };
    Some((image, image_use))
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
    let schema = |path: &[&str]| path.is_empty().then(serde_aux::serde_introspection::serde_introspect::<FrontMatter>);
    let front: FrontMatter =
        crate::diag::parse_toml(&file, front_span.start, front_text, "front matter", &schema, diags)?;
    {
        use crate::manifest::{TextKind, check_text};
        let mut check = |value: &Spanned<String>, what: &str| {
            for diagnostic in check_text(&file, front_span.start, value, what, TextKind::Line) {
                diags.push(diagnostic);
            }
        };
        check(&front.title, "the title");
        front.toc_title.iter().for_each(|t| check(t, "the toc-title"));
        front.organisations.iter().for_each(|o| check(o, "an organisation"));
        front.country.iter().for_each(|c| check(c, "the country"));
        front.pull_quote.iter().for_each(|q| check(q, "the pull quote"));
        front.pull_quote_by.iter().for_each(|q| check(q, "the pull-quote-by"));
        if let Some(tag) = &front.language
            && let Err(diagnostic) = crate::manifest::check_language(tag.get_ref().trim())
        {
            let span = tag.span();
            diags.push(diagnostic.at(&file, front_span.start + span.start..front_span.start + span.end));
        }
    }
    let before = diags.counts().0;
    let crate::markdown::Parsed { blocks, notes, spans, images } =
        crate::markdown::parse(&file, body_start, &rel_path, context, diags);
    if let Some(quote) = &front.pull_quote
        && let Some(problem) = pull_quote_problem(quote.get_ref(), &blocks)
    {
        let span = quote.span();
        diags.push(
            Diagnostic::warning(problem).at(&file, front_span.start + span.start..front_span.start + span.end).hint(
                "a pull quote repeats words of the story: copy them from its text, with … where you leave some out",
            ),
        );
    }
    // A body whose only content was refused is not "empty": its errors say why.
    if blocks.is_empty() && diags.counts().0 == before {
        diags.push(
            Diagnostic::error(format!("`{rel_path}` has no text after its front matter"))
                .at(&file, body_start..file.text.len())
                .hint("write the story below the closing +++ line, or remove the file from [contents]"),
        );
    }
    diags.check()?;
    Ok(Document { rel_path, id, file, front, front_start: front_span.start, blocks, notes, spans, images })
}

/// Words a display pull quote may hold: a sentence or two, not a paragraph.
const PULL_QUOTE_WORDS: usize = 45;

/// Why a pull quote does not repeat the story's words, if it does not: each
/// part between ellipses must be found in the text, in order (quotation
/// marks, dashes, case and spacing aside).
fn pull_quote_problem(quote: &str, blocks: &[Block]) -> Option<String> {
    let words = quote.split_whitespace().count();
    if words > PULL_QUOTE_WORDS {
        return Some(format!("the pull quote has {words} words; a display quote holds at most {PULL_QUOTE_WORDS}"));
    }
    let fold = |text: &str| -> String {
        let mapped: String = text
            .chars()
            .filter(|c| !matches!(c, '"' | '“' | '”' | '„' | '«' | '»' | '\'' | '‘' | '’' | '*'))
            .map(|c| if matches!(c, '–' | '—' | '‑') { '-' } else { c })
            .collect();
        mapped.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    };
    let mut story = String::new();
    for block in blocks {
        story.push_str(&crate::model::block_text(block));
        story.push(' ');
    }
    let story = fold(&story);
    let mut from = 0;
    for part in quote.split(['…']).flat_map(|p| p.split("...")) {
        let part = fold(part);
        // A quote may end (or start) where the story's sentence goes on.
        let part = part.trim_matches(|c: char| {
            c == ' ' || matches!(c, ',' | '.' | ';' | ':' | '。' | '，' | '、' | '；' | '：' | '،' | '؛')
        });
        if part.is_empty() {
            continue;
        }
        match story[from..].find(part) {
            Some(at) => from += at + part.len(),
            None => return Some(format!("the pull quote is not in the story's text: “{part}” is not found")),
        }
    }
    None
}

/// The inner span of a file's `+++` front matter and where its body starts,
/// when it has one.
pub fn front_matter_bounds(text: &str) -> Option<(Range<usize>, usize)> {
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut lines = line_spans(text, start);
    let first = lines.next().filter(|line| text[line.clone()].trim_end() == "+++")?;
    let close = lines.find(|line| text[line.clone()].trim_end() == "+++")?;
    Some((first.end..close.start, close.end))
}

/// Finds the `+++` front matter; returns its inner span and where the body starts.
fn split_front_matter(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Result<(Range<usize>, usize), Failed> {
    let text = &file.text;
    if let Some(bounds) = front_matter_bounds(text) {
        return Ok(bounds);
    }
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

/// A file-name-safe id from a path's stem, made unique among `taken`.
fn unique_id(rel: &str, taken: &mut BTreeSet<String>) -> String {
    unique(file_slug(rel), taken)
}

/// A file's name as an id and a file name: ASCII letters, digits and single
/// hyphens. Other scripts are transliterated (`stories/中文.md` → `zhong-wen`,
/// `café.md` → `cafe`) so that the name says what the file is and stays the
/// same when stories are moved around.
pub fn file_slug(rel: &str) -> String {
    let stem = Path::new(rel).file_stem().and_then(|s| s.to_str()).unwrap_or("entry");
    let ascii = deunicode::deunicode_with_tofu(stem, "-");
    let mut base = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.ends_with('-') {
            base.push('-');
        }
    }
    match base.trim_matches('-') {
        "" => "s".to_string(),
        digits if digits.starts_with(|c: char| c.is_ascii_digit()) => format!("s-{digits}"),
        base => base.to_string(),
    }
}

/// `base`, or `base-2`, `base-3` … if the name is taken; marks it taken.
pub fn unique(base: String, taken: &mut BTreeSet<String>) -> String {
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
    let mut found = files::walk(&edition.dir, &edition.dir, &["layouts"]);
    found.retain(|p| p.ends_with(".md") && !listed.contains(p.as_str()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_safe() {
        let mut taken = BTreeSet::from(["toc".to_string()]);
        assert_eq!(unique_id("stories/Haiti Story.md", &mut taken), "haiti-story");
        assert_eq!(unique_id("other/haiti-story.md", &mut taken), "haiti-story-2");
        assert_eq!(unique_id("toc.md", &mut taken), "toc-2");
        assert_eq!(unique_id("01.md", &mut taken), "s-01");
        // Other scripts are spelled in Latin letters, not reduced to `s-`.
        assert_eq!(unique_id("stories/中文.md", &mut taken), "zhong-wen");
        assert_eq!(unique_id("stories/Ελληνικά.md", &mut taken), "ellenika");
        assert_eq!(unique_id("stories/café  story.md", &mut taken), "cafe-story");
        assert_eq!(unique_id("stories/---.md", &mut taken), "s");
    }

    #[test]
    fn a_pull_quote_must_repeat_the_storys_words() {
        let story = [Block::paragraph("“We want to hold the government accountable,” says Graham – and more.")];
        let check = |quote: &str| pull_quote_problem(quote, &story);
        // Quotation marks, dashes, case and the final stop aside.
        assert_eq!(check("We want to hold the government accountable."), None);
        assert_eq!(check("\"we want to hold the government accountable\""), None);
        // An ellipsis marks a cut; the parts come in the story's order.
        assert_eq!(check("We want … accountable"), None);
        assert_eq!(
            check("accountable ... We want").unwrap(),
            "the pull quote is not in the story's text: “we want” is not found"
        );
        assert_eq!(
            check("We want to hold them accountable").unwrap(),
            "the pull quote is not in the story's text: “we want to hold them accountable” is not found"
        );
        let long = vec!["word"; PULL_QUOTE_WORDS + 1].join(" ");
        assert_eq!(check(&long).unwrap(), "the pull quote has 46 words; a display quote holds at most 45");
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
