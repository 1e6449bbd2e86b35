//! LOAD: `publication.toml` → a checked [`Manifest`].
//!
//! Parsing is serde with `deny_unknown_fields`; semantic checks (language tag,
//! identifier, paths) run afterwards in [`Manifest::validate`]. Every problem
//! points at the manifest's own line and column.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile, suggest};

/// The manifest's file name inside an edition folder.
pub const MANIFEST_FILE: &str = "publication.toml";

/// Where a translation keeps the source's files as they were when
/// translated (written by `init`, `status --record` and `xliff import`).
pub const SNAPSHOT_DIR: &str = "translated-from";

/// The parsed `publication.toml` of an edition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    pub title: Spanned<String>,
    #[serde(default)]
    pub subtitle: Option<Spanned<String>>,
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
    pub subject: Option<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Straight quotes become the language's quotation marks (and `--`,
    /// `---`, `...` become dashes and an ellipsis).
    #[serde(default)]
    pub smart_quotes: bool,
    /// The year after the title in the PDF and EPUB metadata, so that a
    /// reading app tells one year's edition from the next.
    #[serde(default)]
    pub year_in_title: bool,
    pub publisher: Publisher,
    pub acknowledgements: Acknowledgements,
    pub legal: Legal,
    pub contents: Contents,
    /// Overrides of generated strings, by label name.
    #[serde(default)]
    pub labels: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub cover: Option<Cover>,
    /// The edition's house style: paper, accent colour, text size, cover photo.
    #[serde(default)]
    pub style: Option<Style>,
    /// What this translation was made from (written by `anthology init`).
    #[serde(default)]
    pub translation: Option<Translation>,
    /// Where the web edition is published.
    #[serde(default)]
    pub web: Option<Web>,
}

/// `[web]`: the web edition's address, for links that must be absolute
/// (canonical, Open Graph, the sitemap).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Web {
    /// The address the web folder is published at, e.g. `https://www.unodc.org/stories/2026/en/`.
    pub base_url: Option<Spanned<String>>,
}

impl Web {
    /// The base address, ending in `/`, if it is a valid one.
    pub fn base_url(&self) -> Option<String> {
        let url = url::Url::parse(self.base_url.as_ref()?.get_ref().trim()).ok()?;
        let web = matches!(url.scheme(), "https" | "http") && url.host_str().is_some_and(|h| !h.is_empty());
        // A user name or password would be published in every page.
        let credentials = !url.username().is_empty() || url.password().is_some();
        // The folder's address, not a page in it (`…/index.html`): pages are named after it.
        let page = url.path().rsplit('/').next().is_some_and(|last| {
            let last = last.to_ascii_lowercase();
            last.ends_with(".html") || last.ends_with(".htm")
        });
        if !web || credentials || page || url.query().is_some() || url.fragment().is_some() {
            return None;
        }
        // Serialised by the url crate: percent-encoded, safe in an attribute.
        let url = url.to_string();
        Some(if url.ends_with('/') { url } else { format!("{url}/") })
    }

    fn validate(&self, file: &Arc<SourceFile>, diags: &mut Diagnostics) {
        if let Some(url) = &self.base_url
            && self.base_url().is_none()
        {
            diags.push(
                Diagnostic::error(format!("`{}` is not a web address the edition can be published at", url.get_ref()))
                    .at(file, url.span())
                    .hint("write the folder's address with https://, without a page name, user name, query or #fragment, e.g. base-url = \"https://www.unodc.org/stories/2026/en/\""),
            );
        }
    }
}

/// `[publisher]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Publisher {
    pub name: Spanned<String>,
    /// A short form printed on the cover, e.g. `UNODC`.
    #[serde(default)]
    pub short_name: Option<Spanned<String>>,
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
}

/// `[acknowledgements]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Acknowledgements {
    /// Markdown; paragraphs separated by blank lines.
    pub text: Spanned<String>,
    /// Printed after the text as one sentence: "A, B, and C."
    #[serde(default)]
    pub organisations: Vec<Spanned<String>>,
    /// Organisations of `organisations` thanked for something other than a
    /// story (a sponsor, a partner): no story needs to name them.
    #[serde(default)]
    pub without_story: Vec<Spanned<String>>,
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

/// `[style]`: the house style, applied to the theme of the PDF and the EPUB.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Style {
    /// `"a4"` or `"us-letter"`.
    #[serde(default)]
    pub paper: Option<Spanned<String>>,
    /// The accent colour, `"#RRGGBB"`.
    #[serde(default)]
    pub accent: Option<Spanned<String>>,
    /// The body text size, e.g. `"11pt"`.
    #[serde(default)]
    pub text_size: Option<Spanned<String>>,
    /// A photo across the cover, under the title.
    #[serde(default)]
    pub cover_photo: Option<Spanned<String>>,
    #[serde(default)]
    pub cover_photo_alt: Option<Spanned<String>>,
}

/// Papers `[style] paper` may name: width and height in mm.
pub const PAPERS: &[(&str, f64, f64)] = &[("a4", 210.0, 297.0), ("us-letter", 215.9, 279.4)];
/// The body sizes `[style] text-size` may set, in pt.
pub const TEXT_SIZES: std::ops::RangeInclusive<f64> = 8.0..=14.0;

impl Style {
    /// The paper's size in mm, if a known paper is named.
    pub fn paper_mm(&self) -> Option<(f64, f64)> {
        let paper = self.paper.as_ref()?;
        PAPERS.iter().find(|(name, ..)| *name == paper.get_ref().trim()).map(|&(_, w, h)| (w, h))
    }

    /// The body size in pt, if valid.
    pub fn text_size_pt(&self) -> Option<f64> {
        parse_size(self.text_size.as_ref()?.get_ref())
    }

    /// The accent colour, if valid.
    pub fn accent(&self) -> Option<&str> {
        let accent = self.accent.as_ref()?.get_ref().trim();
        crate::theme::is_colour(accent).then_some(accent)
    }

    /// Located errors for values that are not what the keys take.
    fn validate(&self, file: &Arc<SourceFile>, diags: &mut Diagnostics) {
        if let Some(paper) = &self.paper
            && self.paper_mm().is_none()
        {
            let names: Vec<&str> = PAPERS.iter().map(|(n, ..)| *n).collect();
            diags.push(
                Diagnostic::error(format!("unknown paper `{}`", paper.get_ref()))
                    .at(file, paper.span())
                    .hint(format!("write one of: {}", names.join(", "))),
            );
        }
        if let Some(accent) = &self.accent
            && self.accent().is_none()
        {
            diags.push(
                Diagnostic::error(format!("`{}` is not a colour", accent.get_ref()))
                    .at(file, accent.span())
                    .hint("write it as #RRGGBB, e.g. accent = \"#009edb\""),
            );
        }
        if let Some(size) = &self.text_size
            && self.text_size_pt().is_none()
        {
            diags.push(
                Diagnostic::error(format!("`{}` is not a text size anthology sets", size.get_ref()))
                    .at(file, size.span())
                    .hint(format!(
                        "write a size in points from {} to {}, e.g. text-size = \"11pt\"",
                        TEXT_SIZES.start(),
                        TEXT_SIZES.end()
                    )),
            );
        }
        match (&self.cover_photo, &self.cover_photo_alt) {
            (Some(photo), None) => diags.push(
                Diagnostic::error("the cover photo has no alt text")
                    .at(file, photo.span())
                    .hint("describe it under the photo, e.g. cover-photo-alt = \"Women at a workshop in Haiti\""),
            ),
            (Some(_), Some(alt)) if alt.get_ref().trim().is_empty() => diags.push(
                Diagnostic::error("the cover photo has no alt text")
                    .at(file, alt.span())
                    .hint("describe the photo, e.g. cover-photo-alt = \"Women at a workshop in Haiti\""),
            ),
            (None, Some(alt)) => diags.push(
                Diagnostic::error("alt text for a cover photo that is not given")
                    .at(file, alt.span())
                    .hint("add cover-photo = \"images/…\" or remove cover-photo-alt"),
            ),
            _ => {}
        }
    }
}

/// A size in points: `"11pt"`, `"11 pt"`, `"10.5pt"`, within [`TEXT_SIZES`].
fn parse_size(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix("pt")?.trim_end();
    let size: f64 = number.parse().ok()?;
    (size.is_finite() && TEXT_SIZES.contains(&size)).then_some(size)
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
    /// The source edition's language: a file still as `init` copied it is
    /// in this language (the EPUB and PDF tag and set it so).
    #[serde(default)]
    pub source_language: Option<String>,
    /// Files of the source this edition leaves out on purpose (a partial
    /// edition): `status` does not report them missing.
    #[serde(default)]
    pub left_out: Vec<String>,
}

impl Translation {
    /// Whether `bytes` are still the copy of the source recorded for `rel`:
    /// a file not translated yet.
    pub fn is_copy(&self, rel: &str, bytes: &[u8]) -> bool {
        self.hashes.get(rel).is_some_and(|hash| *hash == crate::output::sha256_hex(bytes))
    }
}

/// A manifest together with the file it was read from.
#[derive(Debug, Clone)]
pub struct LoadedManifest {
    pub manifest: Manifest,
    pub file: Arc<SourceFile>,
}

/// Reads and checks `<edition>/publication.toml`, failing on any problem
/// (for the commands that need the manifest alone).
pub fn load_checked(edition: &Path, diags: &mut Diagnostics) -> Result<LoadedManifest, Failed> {
    let manifest = load(edition, diags)?;
    diags.check()?;
    Ok(manifest)
}

/// What to pass instead of a path that is not an edition folder (a story
/// file, an edition's `stories/` folder): the edition around it, if any.
pub fn not_an_edition_hint(path: &Path) -> String {
    let enclosing = path.ancestors().skip(1).take(4).find(|dir| dir.join(MANIFEST_FILE).is_file());
    match enclosing {
        Some(dir) => {
            let dir = if dir.as_os_str().is_empty() { ".".into() } else { dir.display().to_string() };
            format!(
                "{} belongs to the edition {dir}: build or check that folder, e.g. `anthology build {dir}`",
                path.display()
            )
        }
        None => {
            "an edition folder holds a publication.toml manifest and its stories, e.g. content/en; see README.md".into()
        }
    }
}

/// Reads and checks `<edition>/publication.toml`. Problems it can read past
/// are recorded, not returned, so that the stories are checked in the same run.
pub fn load(edition: &Path, diags: &mut Diagnostics) -> Result<LoadedManifest, Failed> {
    let path = edition.join(MANIFEST_FILE);
    let file = match crate::files::read_source(edition, &path) {
        Ok(file) => file,
        Err(crate::files::SourceError::Missing) => {
            return Err(diags.fail(
                Diagnostic::error(format!("no {MANIFEST_FILE} in {}", edition.display()))
                    .in_file(&path)
                    .hint(not_an_edition_hint(edition)),
            ));
        }
        Err(crate::files::SourceError::Other(diagnostic)) => return Err(diags.fail(diagnostic)),
    };
    let manifest = parse(&file, diags)?;
    // Problems found here are reported, and the stories are still read: one
    // run reports everything.
    manifest.validate(&file, diags);
    Ok(LoadedManifest { manifest, file })
}

/// Parses manifest text; errors point into `file`.
pub fn parse(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Result<Manifest, Failed> {
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let offset = file.text.len() - text.len();
    crate::diag::parse_toml(file, offset, text, "manifest", &schema, diags)
}

/// The keys each table of the manifest knows (free-form tables: `None`).
fn schema(path: &[&str]) -> Option<&'static [&'static str]> {
    use serde_aux::serde_introspection::serde_introspect;
    Some(match path {
        [] => serde_introspect::<Manifest>(),
        ["publisher"] => serde_introspect::<Publisher>(),
        ["acknowledgements"] => serde_introspect::<Acknowledgements>(),
        ["legal"] => serde_introspect::<Legal>(),
        ["contents"] => serde_introspect::<Contents>(),
        ["cover"] => serde_introspect::<Cover>(),
        ["style"] => serde_introspect::<Style>(),
        ["translation"] => serde_introspect::<Translation>(),
        ["web"] => serde_introspect::<Web>(),
        // Labels are checked against the label names; hashes are by file.
        _ => return None,
    })
}

impl Manifest {
    /// Checks what serde cannot: the language tag, the identifier, paths, duplicates.
    pub fn validate(&self, file: &Arc<SourceFile>, diags: &mut Diagnostics) {
        if let Some(style) = &self.style {
            style.validate(file, diags);
        }
        if let Some(web) = &self.web {
            web.validate(file, diags);
        }
        let mut check = |value: &Spanned<String>, what: &str, kind: TextKind| {
            for diagnostic in check_text(file, 0, value, what, kind) {
                diags.push(diagnostic);
            }
        };
        check(&self.title, "the title", TextKind::Line);
        for (value, what) in [
            (&self.subtitle, "the subtitle"),
            (&self.subject, "the subject"),
            (&self.publisher.short_name, "the publisher's short name"),
            (&self.publisher.unit, "the publisher's unit"),
        ] {
            if let Some(value) = value {
                check(value, what, TextKind::Line);
            }
        }
        check(&self.publisher.name, "the publisher's name", TextKind::Line);
        if let Some(style) = &self.style {
            style.cover_photo_alt.iter().for_each(|a| check(a, "the cover photo's alt text", TextKind::Line));
        }
        self.keywords.iter().for_each(|k| check(k, "a keyword", TextKind::Line));
        self.acknowledgements.organisations.iter().for_each(|o| check(o, "an organisation", TextKind::Line));
        self.labels.values().for_each(|v| check(v, "a label", TextKind::Line));
        if let Some(url) = self.web.as_ref().and_then(|w| w.base_url.as_ref()) {
            check(url, "the web address", TextKind::Line);
        }
        check(&self.acknowledgements.text, "the acknowledgements text", TextKind::Markdown);
        check(&self.legal.citation, "the citation", TextKind::Markdown);
        self.legal.notices.iter().for_each(|n| check(n, "a notice", TextKind::Markdown));
        self.legal.disclaimers.iter().for_each(|d| check(d, "a disclaimer", TextKind::Markdown));
        // The keywords are one PDF string, which PDF/A limits.
        let mut length = 0;
        if let Some(over) = self.keywords.iter().find(|k| {
            length += k.get_ref().chars().count() + 2;
            length > MAX_KEYWORDS_CHARS
        }) {
            diags.push(
                Diagnostic::error(format!("the keywords run to more than {MAX_KEYWORDS_CHARS} characters"))
                    .at(file, over.span())
                    .hint("keep a few keywords that a reader would search for"),
            );
        }
        if let Err(diagnostic) = check_language(self.language.get_ref()) {
            diags.push(diagnostic.at(file, self.language.span()));
        }
        match self.date.get_ref().date {
            None => diags.push(
                Diagnostic::error("the date has no calendar day")
                    .at(file, self.date.span())
                    .hint("write a TOML date such as 2026-06-01"),
            ),
            Some(date) if !(1980..=2107).contains(&date.year) => diags.push(
                Diagnostic::error(format!("the year {} is outside 1980–2107", date.year))
                    .at(file, self.date.span())
                    .hint("the EPUB's zip format records times from 1980 to 2107 only"),
            ),
            Some(_) => {}
        }
        if parse_identifier(self.identifier.get_ref()).is_none() {
            diags.push(
                Diagnostic::error(format!("`{}` is not a UUID", self.identifier.get_ref()))
                    .at(file, self.identifier.span())
                    .hint("the identifier must be a UUID such as urn:uuid:6f1c2f53-0c1d-4c8e-9a51-2b3a0e0f7d10; generate one with `uuidgen` and never change it"),
            );
        }
        if let Some(stem) = &self.file_stem {
            // It must also start like a plain name: not `.anthology-…`, not `-rf`.
            let ok = stem.get_ref().starts_with(|c: char| c.is_ascii_alphanumeric())
                && stem.get_ref().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
            if stem.get_ref().len() > MAX_STEM_CHARS {
                diags.push(
                    Diagnostic::error(format!(
                        "file-stem is {} characters long; the limit is {MAX_STEM_CHARS}",
                        stem.get_ref().len()
                    ))
                    .at(file, stem.span())
                    .hint("artifact names add the language and an extension; keep the stem short"),
                );
            } else if !ok {
                diags.push(
                    Diagnostic::error(format!("file-stem `{}` is not a plain file name", stem.get_ref()))
                        .at(file, stem.span())
                        .hint("start with a letter or digit; use ASCII letters, digits, `-`, `_` and `.` only"),
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

/// Checks a language tag as the outputs need it: BCP 47, with a two- or
/// three-letter ISO 639 language (typst, EPUB and PDF all want one).
pub fn check_language(tag: &str) -> Result<(), Diagnostic> {
    let names = [
        ("english", "en"),
        ("french", "fr"),
        ("spanish", "es"),
        ("russian", "ru"),
        ("arabic", "ar"),
        ("chinese", "zh"),
        ("portuguese", "pt"),
        ("german", "de"),
        ("italian", "it"),
    ];
    let example = "use a tag such as en, fr, es, ru, ar, zh or zh-Hans";
    if tag.contains('_') {
        return Err(Diagnostic::error(format!("`{tag}` is not a BCP 47 language tag"))
            .hint(format!("separate its parts with a hyphen: `{}`", tag.replace('_', "-"))));
    }
    if let Some((_, code)) = names.iter().find(|(name, _)| name.eq_ignore_ascii_case(tag)) {
        return Err(
            Diagnostic::error(format!("`{tag}` is a language's name, not its tag")).hint(format!("write `{code}`"))
        );
    }
    // Country codes written for the language: none of them is an ISO 639 code.
    let countries = [
        ("sp", "es", "Spanish"),
        ("cn", "zh", "Chinese"),
        ("jp", "ja", "Japanese"),
        ("gr", "el", "Greek"),
        ("dk", "da", "Danish"),
        ("cz", "cs", "Czech"),
        ("ua", "uk", "Ukrainian"),
        ("ir", "fa", "Persian"),
    ];
    let language = tag.split('-').next().unwrap_or(tag);
    if let Some((_, code, name)) = countries.iter().find(|(wrong, _, _)| wrong.eq_ignore_ascii_case(language)) {
        let rest = &tag[language.len()..];
        return Err(Diagnostic::error(format!("`{language}` is not a language code"))
            .hint(format!("did you mean `{code}{rest}` ({name})?")));
    }
    let id = tag
        .parse::<unic_langid::LanguageIdentifier>()
        .map_err(|err| Diagnostic::error(format!("`{tag}` is not a BCP 47 language tag ({err})")).hint(example))?;
    if !(2..=3).contains(&id.language.as_str().len()) {
        return Err(Diagnostic::error(format!("`{tag}` has no two- or three-letter language code")).hint(example));
    }
    Ok(())
}

/// Longest one-line text (a title, a name, a label). A title is printed on
/// every running foot: one of 64 KiB took typst minutes to set.
pub const MAX_LINE_CHARS: usize = 500;
/// Longest Markdown text in the manifest (the acknowledgements, a notice).
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest list of keywords, counted as the PDF writes them ("a, b, c").
pub const MAX_KEYWORDS_CHARS: usize = 2000;
/// Longest file stem: with the language and extension it stays far below
/// the 255 bytes a file name may have.
pub const MAX_STEM_CHARS: usize = 100;

/// How a text value is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line of metadata (a title, a name): no control characters and no
    /// bidirectional embedding or override, which would reach the PDF and
    /// EPUB metadata raw.
    Line,
    /// A Markdown text: paragraphs.
    Markdown,
}

/// Problems of one text value: empty, too long, or holding characters that
/// do not belong in it. `offset` is where the TOML text starts in `file`.
pub fn check_text(
    file: &Arc<SourceFile>,
    offset: usize,
    value: &Spanned<String>,
    what: &str,
    kind: TextKind,
) -> Vec<Diagnostic> {
    let span = value.span().start + offset..value.span().end + offset;
    let text = value.get_ref();
    let mut out = Vec::new();
    if text.trim().is_empty() {
        out.push(
            Diagnostic::error(format!("{what} is empty"))
                .at(file, span.clone())
                .hint("write the text, or remove the line if it is optional"),
        );
        return out;
    }
    let limit = if kind == TextKind::Line { MAX_LINE_CHARS } else { MAX_TEXT_CHARS };
    let length = text.chars().count();
    if length > limit {
        out.push(
            Diagnostic::error(format!("{what} is {length} characters long; the limit is {limit}"))
                .at(file, span.start..span.start + 1)
                .hint("shorten it; longer texts belong in a story"),
        );
    }
    if kind == TextKind::Line
        && let Some(c) = text
            .chars()
            .find(|&c| c.is_control() || crate::unicode::is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        let why = if c.is_control() {
            "a control character"
        } else if matches!(c, '\u{2028}' | '\u{2029}') {
            "a line or paragraph separator"
        } else {
            "a bidirectional control character"
        };
        out.push(
            Diagnostic::error(format!("{what} contains {why} (U+{:04X})", c as u32))
                .at(file, span)
                .hint("one-line texts are written into the PDF and EPUB metadata as they are: delete it"),
        );
    }
    out
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
    fn bad_identifier_empty_and_overlong_texts_are_errors() {
        let text = MINIMAL
            .replace("urn:uuid:6f1c2f53-0c1d-4c8e-9a51-2b3a0e0f7d10", "my-book")
            .replace("name = \"Publisher\"", "name = \" \"")
            .replace("title = \"Stories\"", &format!("title = \"{}\"", "x".repeat(MAX_LINE_CHARS + 1)))
            .replace("citation = \"Cite me.\"", "citation = \"Cite me.\"\nnotices = [\"\u{202E}reversed\"]");
        let (_, diags) = parse_text(&text);
        let messages: Vec<_> = diags.items().iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&"`my-book` is not a UUID"), "{messages:?}");
        assert!(messages.contains(&"the publisher's name is empty"), "{messages:?}");
        assert!(messages.contains(&"the title is 501 characters long; the limit is 500"), "{messages:?}");
        // A bidi control in a Markdown text is the glyph check's business (a warning), not an error here.
        assert_eq!(messages.len(), 3, "{messages:?}");
    }

    #[test]
    fn language_tags_get_the_tag_they_meant() {
        let hint = |tag: &str| check_language(tag).unwrap_err().hints.join(" ");
        assert_eq!(hint("ar_SA"), "separate its parts with a hyphen: `ar-SA`");
        assert_eq!(hint("sp"), "did you mean `es` (Spanish)?");
        assert_eq!(hint("cn-Hans"), "did you mean `zh-Hans` (Chinese)?");
        assert_eq!(hint("Spanish"), "write `es`");
        for good in ["en", "es-419", "zh-Hans-CN", "ar-SA", "kr", "se"] {
            assert!(check_language(good).is_ok(), "{good}");
        }
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
