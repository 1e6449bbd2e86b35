//! `--format html`: the web edition, a folder `<file-stem>-<language>-web/`
//! of static pages that read from the file system or any static host:
//!
//! - `index.html`: the cover block, the table of contents as links, the
//!   acknowledgements with the legal texts;
//! - `<entry>.html` for every other entry, with previous/next links;
//! - `style.css`: the theme's colours as custom properties, the EPUB's
//!   stylesheet for the text, `layouts/web.css` for the page around it and,
//!   when its colours hold their contrast, `layouts/web-dark.css`;
//! - `media/`: the cover picture and the photos, as the EPUB has them.
//!
//! The pages are written by the EPUB's walker ([`Flavour::Web`]): one model,
//! the same text, notes, tables and figures. No script, nothing remote.

use std::collections::BTreeMap;

use super::epub::xhtml::{Flavour, Head, Xhtml, media_path};
use super::epub::{byline, contents_link, entry_content};
use super::{Artifact, Context, Renderer};
use crate::diag::{Diagnostic, Diagnostics, Failed};
use crate::model::{Body, Entry, EntryId, EntryKind, Publication};

/// The index page's file name.
pub const INDEX: &str = "index.html";
/// The stylesheet's file name.
pub const STYLESHEET: &str = "style.css";
/// The longest a page description is, in characters (search results show about this many).
const DESCRIPTION_CHARS: usize = 200;

/// The page of an entry.
pub fn page_name(id: &EntryId) -> String {
    format!("{id}.html")
}

/// `--format html`.
pub struct Web;

impl Renderer for Web {
    fn name(&self) -> &'static str {
        "html"
    }

    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed> {
        let folder = super::artifact_name(context.publication, "-web");
        let files = render(context, diags)?;
        Ok(files
            .into_iter()
            .map(|(name, bytes)| Artifact { name: format!("{folder}/{name}"), bytes, pages: None })
            .collect())
    }
}

/// Entries the index page shows rather than a page of their own.
fn on_index(entry: &Entry) -> bool {
    matches!(entry.kind(), EntryKind::Cover | EntryKind::Contents | EntryKind::Acknowledgements)
}

/// The web edition's files, by their names in its folder.
fn render(context: &Context, diags: &mut Diagnostics) -> Result<Vec<(String, Vec<u8>)>, Failed> {
    let publication = context.publication;
    let mut sizes = BTreeMap::new();
    for image in publication.images() {
        if let Some(asset) = context.assets.image(&image.src) {
            sizes.insert(image.file.clone(), web_size(asset.width, asset.height));
        }
    }
    let flavour = Flavour::Web {
        on_index: publication.entries.iter().filter(|e| on_index(e)).map(|e| e.id.clone()).collect(),
        sizes,
    };
    let cover = context.laid_out.cover_picture.as_deref();
    let share_image = cover.map(|c| c.path());
    let site = Site { publication, flavour: &flavour, share_image: share_image.as_deref() };

    let mut files = vec![(INDEX.to_string(), index_page(&site, cover.map(|c| (c.path(), c.bytes.as_slice()))))];
    let pages: Vec<&Entry> = publication.entries.iter().filter(|e| !on_index(e)).collect();
    for (n, entry) in pages.iter().enumerate() {
        let previous = if n == 0 { None } else { Some(pages[n - 1]) };
        files.push((page_name(&entry.id), entry_page(&site, entry, previous, pages.get(n + 1).copied())));
    }
    files.push((STYLESHEET.to_string(), stylesheet(context, diags)?.into_bytes()));
    if let Some(cover) = cover {
        files.push((cover.path(), cover.bytes.clone()));
    }
    for image in publication.images() {
        let Some(asset) = context.assets.image(&image.src) else {
            return Err(
                diags.fail(Diagnostic::error(format!("internal error: the image `{}` was not loaded", image.src)))
            );
        };
        let bytes = asset.epub().map_err(|reason| {
            diags.fail(
                Diagnostic::error(format!("the image `{}` {reason}", image.src)).hint("save it again as JPEG or PNG"),
            )
        })?;
        let path = media_path(&asset.name);
        if !files.iter().any(|(name, _)| *name == path) {
            files.push((path, bytes.to_vec()));
        }
    }
    Ok(files)
}

/// What every page of the site shares.
struct Site<'a> {
    publication: &'a Publication,
    flavour: &'a Flavour,
    /// The picture a shared link shows (the cover), relative to the folder.
    share_image: Option<&'a str>,
}

impl Site<'_> {
    /// A page: skip link, site header, `main`, pager, footer.
    fn page(
        &self,
        title: &str,
        description: &str,
        kind: &'static str,
        main: impl FnOnce(&mut Xhtml),
        pager: Option<(Option<&Entry>, Option<&Entry>)>,
    ) -> Vec<u8> {
        let publication = self.publication;
        let meta = &publication.meta;
        let labels = &publication.labels;
        let mut properties =
            vec![("og:type", kind.to_string()), ("og:title", title.to_string()), ("og:site_name", meta.title.clone())];
        if !description.is_empty() {
            properties.push(("og:description", description.to_string()));
        }
        if let Some(image) = self.share_image {
            properties.push(("og:image", image.to_string()));
            properties.push(("og:image:alt", super::epub::cover_alt(publication)));
        }
        let head = Head { description, properties, stylesheet: STYLESHEET };
        let full_title =
            if title == meta.title { meta.metadata_title.clone() } else { format!("{title} – {}", meta.title) };
        let mut doc = Xhtml::web_page(publication, &full_title, &head, None, self.flavour.clone());
        doc.start("body", &[]);
        doc.element("a", &[("class", "skip-link"), ("href", "#main")], &labels["skip-to-content"]);
        if pager.is_some() {
            doc.start("header", &[("class", "site-header")]);
            doc.start("p", &[]);
            doc.element("a", &[("href", INDEX)], &meta.title);
            doc.end("p");
            doc.end("header");
        }
        doc.start("main", &[("id", "main"), ("tabindex", "-1")]);
        main(&mut doc);
        doc.end("main");
        if let Some((previous, next)) = pager {
            doc.start("nav", &[("class", "pager"), ("aria-label", &labels["pager"])]);
            doc.start("ul", &[]);
            pager_link(&mut doc, "previous", &labels["previous"], previous, &meta.title);
            if let Some(next) = next {
                pager_link(&mut doc, "next", &labels["next"], Some(next), &meta.title);
            }
            doc.end("ul");
            doc.end("nav");
        }
        doc.start("footer", &[("class", "site-footer")]);
        doc.element("p", &[], &format!("{} · {}", meta.publisher, meta.year));
        doc.end("footer");
        doc.end("body");
        doc.finish().0
    }
}

/// A previous/next link; previous of the first page is the index.
fn pager_link(doc: &mut Xhtml, class: &'static str, label: &str, entry: Option<&Entry>, index_title: &str) {
    let rel = if class == "previous" { "prev" } else { "next" };
    let (href, title, language) = match entry {
        Some(entry) => (page_name(&entry.id), entry.toc_title.as_str(), entry.language.as_ref()),
        None => (INDEX.to_string(), index_title, None),
    };
    doc.start("li", &[("class", if rel == "prev" { "prev" } else { "next" })]);
    doc.start("a", &[("href", &href), ("rel", rel)]);
    doc.element("span", &[("class", "pager-label")], label);
    match language {
        Some(l) => doc.element("span", &[("lang", &l.tag), ("dir", l.direction.as_str())], title),
        None => doc.element("span", &[], title),
    }
    doc.end("a");
    doc.end("li");
}

/// The index: the cover block, the contents, the acknowledgements and legal texts.
fn index_page(site: &Site, cover: Option<(String, &[u8])>) -> Vec<u8> {
    let publication = site.publication;
    let meta = &publication.meta;
    let labels = &publication.labels;
    let description = meta.subtitle.clone().or_else(|| meta.subject.clone()).unwrap_or_default();
    let main = |doc: &mut Xhtml| {
        let cover_id = publication.entries.iter().find(|e| e.kind() == EntryKind::Cover).map(|e| e.id.0.as_str());
        doc.start(
            "section",
            &[("class", "cover-block"), ("id", cover_id.unwrap_or("cover")), ("aria-labelledby", "title")],
        );
        if let Some((path, bytes)) = &cover {
            let (width, height) = png_size(bytes).unwrap_or((1600, 2263));
            let alt = super::epub::cover_alt(publication);
            let (width, height) = (width.to_string(), height.to_string());
            doc.empty(
                "img",
                &[("class", "cover-picture"), ("src", path), ("alt", &alt), ("width", &width), ("height", &height)],
            );
        }
        doc.start("div", &[("class", "cover-text")]);
        doc.element("h1", &[("id", "title")], &meta.title);
        if let Some(subtitle) = &meta.subtitle {
            doc.element("p", &[("class", "subtitle")], subtitle);
        }
        doc.element("p", &[("class", "imprint")], &format!("{} · {}", meta.publisher, meta.year));
        doc.end("div");
        doc.end("section");

        // The contents: the publication's own list, or every listed entry.
        let contents = publication.entries.iter().find(|e| e.kind() == EntryKind::Contents);
        let title = contents.map_or(labels["table-of-contents"].as_str(), |c| c.title.as_str());
        let id = contents.map_or("toc", |c| c.id.0.as_str());
        doc.start("nav", &[("id", id), ("class", "contents"), ("aria-labelledby", "toc-title")]);
        doc.element("h2", &[("id", "toc-title")], title);
        doc.start("ol", &[("class", "toc")]);
        let listed: Vec<&Entry> = match contents.map(|c| &c.body) {
            Some(Body::Contents { lines }) => lines.iter().filter_map(|l| publication.entry(&l.entry)).collect(),
            _ => publication.entries.iter().filter(|e| e.listed).collect(),
        };
        for entry in listed {
            doc.start("li", &[]);
            contents_link(doc, entry);
            if let Some(byline) = byline(entry) {
                doc.element("span", &[("class", "toc-byline")], &byline);
            }
            doc.end("li");
        }
        doc.end("ol");
        doc.end("nav");

        doc.heading_shift = 1;
        for entry in publication.entries.iter().filter(|e| e.kind() == EntryKind::Acknowledgements) {
            article(doc, publication, entry);
        }
    };
    site.page(&meta.title, &description, "website", main, None)
}

/// An entry as an `article` of its own language.
fn article(doc: &mut Xhtml, publication: &Publication, entry: &Entry) {
    let heading = format!("{}-title", entry.id);
    let mut attrs = vec![("id", entry.id.0.as_str()), ("aria-labelledby", heading.as_str())];
    if let Some(language) = &entry.language {
        attrs.extend([("lang", language.tag.as_str()), ("dir", language.direction.as_str())]);
    }
    doc.start("article", &attrs);
    entry_content(doc, publication, entry);
    doc.end("article");
}

fn entry_page(site: &Site, entry: &Entry, previous: Option<&Entry>, next: Option<&Entry>) -> Vec<u8> {
    let description = summary(site.publication, entry);
    let kind = if entry.kind() == EntryKind::Story { "article" } else { "website" };
    site.page(&entry.title, &description, kind, |doc| article(doc, site.publication, entry), Some((previous, next)))
}

/// The first paragraph's text, cut at a word within [`DESCRIPTION_CHARS`];
/// the publication's subtitle for an entry without one.
fn summary(publication: &Publication, entry: &Entry) -> String {
    let blocks: Vec<&crate::model::Block> = match &entry.body {
        Body::Story { blocks, .. } | Body::Front { blocks } | Body::Acknowledgements { blocks, .. } => {
            blocks.iter().collect()
        }
        Body::Back { lead, contact, .. } => lead.iter().chain(contact).collect(),
        Body::Cover { .. } | Body::Contents { .. } => Vec::new(),
    };
    let text = blocks
        .iter()
        .find_map(|b| match &b.kind {
            crate::model::BlockKind::Paragraph { content } => Some(crate::model::plain_text(content)),
            _ => None,
        })
        .or_else(|| publication.meta.subtitle.clone())
        .unwrap_or_default();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= DESCRIPTION_CHARS {
        return text;
    }
    let cut: String = text.chars().take(DESCRIPTION_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// The size an image is published at on the web (the EPUB's rendition).
fn web_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height).max(1);
    let limit = crate::images::renditions::EPUB_LONGEST;
    if longest <= limit {
        (width, height)
    } else {
        let scale = f64::from(limit) / f64::from(longest);
        ((f64::from(width) * scale).round() as u32, (f64::from(height) * scale).round() as u32)
    }
}

/// A PNG's size from its header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let header = bytes.get(16..24)?;
    let width = u32::from_be_bytes(header[..4].try_into().ok()?);
    let height = u32::from_be_bytes(header[4..].try_into().ok()?);
    Some((width, height))
}

/// The contrast the dark page needs: body text 7:1 (AAA, it is long
/// reading), links and muted text 4.5:1 (AA).
const DARK_TEXT_CONTRAST: f64 = 7.0;
const DARK_SMALL_CONTRAST: f64 = 4.5;

/// Whether the theme's colours for navy keep their contrast on a navy page.
pub fn dark_mode_holds(theme: &crate::theme::Theme) -> bool {
    let c = &theme.colours;
    let white = crate::theme::Colour::parse("#ffffff").expect("a colour");
    white.contrast_with(&c.navy) >= DARK_TEXT_CONTRAST
        && c.navy_link.contrast_with(&c.navy) >= DARK_SMALL_CONTRAST
        && c.navy_muted.contrast_with(&c.navy) >= DARK_SMALL_CONTRAST
}

/// The theme's colours as custom properties, then the EPUB's stylesheet,
/// `web.css` and, where it holds, `web-dark.css`.
fn stylesheet(context: &Context, diags: &mut Diagnostics) -> Result<String, Failed> {
    let theme = &context.publication.theme;
    let mut css = crate::theme::custom_properties(theme);
    let mut names = vec![crate::layouts::EPUB_CSS, crate::layouts::WEB_CSS];
    if dark_mode_holds(theme) {
        names.push(crate::layouts::WEB_DARK_CSS);
    } else {
        diags.push(
            Diagnostic::warning(
                "the web edition has no dark mode: the theme's navy-link or navy-muted has less than 4.5:1 on navy",
            )
            .hint("pick lighter colours for them in layouts/theme.toml"),
        );
    }
    for name in names {
        if let Some(file) = crate::layouts::find(context.layouts, name) {
            css.push('\n');
            css.push_str(&String::from_utf8_lossy(&file.bytes));
        }
    }
    Ok(css)
}
