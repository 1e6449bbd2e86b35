//! `--format html`: the web edition, a folder `<file-stem>-<language>-web/`
//! of static pages that read from the file system or any static host:
//!
//! - `index.html`: the cover block, the table of contents as links, the
//!   acknowledgements with the legal texts;
//! - `<entry>.html` for every other entry, with previous/next links;
//! - `style.css`: the theme's colours as custom properties, the EPUB's
//!   stylesheet for the text, `layouts/web.css` for the page around it and,
//!   when its colours hold their contrast, `layouts/web-dark.css`;
//! - `media/`: the cover picture and the photos, as the EPUB has them;
//! - with `[web] base-url` in the manifest, `sitemap.xml`, and canonical and
//!   Open Graph addresses made absolute.
//!
//! The pages are written by the EPUB's walker ([`Flavour::Web`]): one model,
//! the same text, notes, tables and figures. No script, nothing remote.

use std::collections::BTreeMap;

use super::epub::xhtml::{Flavour, Head, Xhtml, media_path};
use super::epub::{byline, contents_link, cover_alt, entry_content, screen_image};
use super::{Artifact, Context, Renderer};
use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::images::{Assets, ImageFormat};
use crate::model::{Block, BlockKind, Body, Entry, EntryId, EntryKind, Image, Publication};

/// The index page's file name.
pub const INDEX: &str = "index.html";
/// The stylesheet's file name.
pub const STYLESHEET: &str = "style.css";
/// The sitemap's file name (made when the manifest gives the base address).
pub const SITEMAP: &str = "sitemap.xml";
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
            sizes.insert(image.file.clone(), crate::images::renditions::epub_size(asset.width, asset.height));
        }
    }
    let flavour = Flavour::Web {
        on_index: publication.entries.iter().filter(|e| on_index(e)).map(|e| e.id.clone()).collect(),
        sizes,
        table_label: publication.labels["table"].clone(),
    };
    let cover = context.laid_out.cover_picture.as_deref();
    let cover_path = cover.map(|c| c.path());
    let site = Site { publication, assets: context.assets, flavour: &flavour, cover: cover_path.as_deref() };

    let mut files = vec![(INDEX.to_string(), index_page(&site, cover))];
    let pages: Vec<&Entry> = publication.entries.iter().filter(|e| !on_index(e)).collect();
    for (n, entry) in pages.iter().enumerate() {
        let previous = if n == 0 { None } else { Some(pages[n - 1]) };
        files.push((page_name(&entry.id), entry_page(&site, entry, previous, pages.get(n + 1).copied())));
    }
    files.push((STYLESHEET.to_string(), stylesheet(context, diags)?.into_bytes()));
    if let Some(base) = &publication.meta.base_url {
        let names = std::iter::once(INDEX.to_string()).chain(pages.iter().map(|e| page_name(&e.id)));
        files.push((SITEMAP.to_string(), sitemap(base, names, &publication.meta.date)));
    }
    if let Some(cover) = cover {
        files.push((cover.path(), cover.bytes.clone()));
    }
    for image in publication.images() {
        let (asset, bytes) = screen_image(context, image, diags)?;
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
    assets: &'a Assets,
    flavour: &'a Flavour,
    /// The cover picture's path in the folder, if there is one.
    cover: Option<&'a str>,
}

/// What one page is: its title, description and the picture a shared link shows.
struct Page<'a> {
    /// Its file name.
    file: String,
    title: &'a str,
    /// Whether it is the index, titled by the publication alone.
    index: bool,
    description: String,
    /// `og:type`: `website` or `article`.
    og_type: &'static str,
    /// The picture a shared link shows and its text alternative.
    image: Option<(String, String)>,
    /// Previous and next pages (entry pages only).
    pager: Option<(Option<&'a Entry>, Option<&'a Entry>)>,
}

impl Site<'_> {
    /// An address of the folder as sharing metadata give it: absolute with `[web] base-url`.
    fn address(&self, path: &str) -> String {
        match &self.publication.meta.base_url {
            Some(base) => format!("{base}{path}"),
            None => path.to_string(),
        }
    }

    /// A page: skip link, site header, `main`, pager, footer.
    fn page(&self, page: Page, main: impl FnOnce(&mut Xhtml)) -> Vec<u8> {
        let publication = self.publication;
        let meta = &publication.meta;
        let labels = &publication.labels;
        let mut properties = vec![
            ("og:type", page.og_type.to_string()),
            ("og:title", page.title.to_string()),
            ("og:site_name", meta.title.clone()),
        ];
        if !page.description.is_empty() {
            properties.push(("og:description", page.description.clone()));
        }
        let mut links = Vec::new();
        if meta.base_url.is_some() {
            properties.push(("og:url", self.address(&page.file)));
            links.push(("canonical", self.address(&page.file)));
        }
        if let Some((image, alt)) = &page.image {
            properties.push(("og:image", self.address(image)));
            properties.push(("og:image:alt", alt.clone()));
        }
        let head = Head { description: &page.description, properties, links, stylesheet: STYLESHEET };
        let title = if page.index { meta.metadata_title.clone() } else { format!("{} – {}", page.title, meta.title) };
        let mut doc = Xhtml::web_page(publication, &title, &head, None, self.flavour.clone());
        doc.start("body", &[]);
        doc.element("a", &[("class", "skip-link"), ("href", "#main")], &labels["skip-to-content"]);
        if !page.index {
            doc.start("header", &[("class", "site-header")]);
            doc.start("p", &[]);
            doc.element("a", &[("href", INDEX)], &meta.title);
            doc.end("p");
            doc.end("header");
        }
        doc.start("main", &[("id", "main"), ("tabindex", "-1")]);
        main(&mut doc);
        doc.end("main");
        if let Some((previous, next)) = page.pager {
            doc.start("nav", &[("class", "pager"), ("aria-label", &labels["pager"])]);
            // A list without bullets is still announced as one (Safari).
            doc.start("ul", &[("role", "list")]);
            pager_link(&mut doc, "prev", &labels["previous"], previous, &meta.title);
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

/// A previous (`rel` = `prev`) or next link; previous of the first page is the index.
fn pager_link(doc: &mut Xhtml, rel: &'static str, label: &str, entry: Option<&Entry>, index_title: &str) {
    let (href, title, language) = match entry {
        Some(entry) => (page_name(&entry.id), entry.toc_title.as_str(), entry.language.as_ref()),
        None => (INDEX.to_string(), index_title, None),
    };
    doc.start("li", &[("class", rel)]);
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
fn index_page(site: &Site, cover: Option<&crate::raster::CoverPicture>) -> Vec<u8> {
    let publication = site.publication;
    let meta = &publication.meta;
    let labels = &publication.labels;
    let main = |doc: &mut Xhtml| {
        let cover_id = publication.entries.iter().find(|e| e.kind() == EntryKind::Cover).map(|e| e.id.0.as_str());
        doc.start(
            "section",
            &[("class", "cover-block"), ("id", cover_id.unwrap_or("cover")), ("aria-labelledby", "title")],
        );
        if let Some(cover) = cover {
            let (width, height) = (cover.width.to_string(), cover.height.to_string());
            // The picture shows the title, subtitle and publisher printed beside it: not read twice.
            let path = cover.path();
            let attrs = [
                ("class", "cover-picture"),
                ("src", path.as_str()),
                ("alt", ""),
                ("width", &width),
                ("height", &height),
            ];
            doc.empty("img", &attrs);
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
        doc.start("ol", &[("class", "toc"), ("role", "list")]);
        let listed: Vec<&Entry> = match contents.map(|c| &c.body) {
            Some(Body::Contents { lines }) => lines.iter().filter_map(|l| publication.entry(&l.entry)).collect(),
            _ => publication.entries.iter().filter(|e| e.listed).collect(),
        };
        for entry in listed {
            doc.start("li", &[]);
            contents_link(doc, entry);
            byline(doc, entry, "span", "toc-byline");
            doc.end("li");
        }
        doc.end("ol");
        doc.end("nav");

        doc.heading_shift = 1;
        for entry in publication.entries.iter().filter(|e| e.kind() == EntryKind::Acknowledgements) {
            article(doc, publication, entry);
        }
    };
    let page = Page {
        file: INDEX.to_string(),
        title: &meta.title,
        index: true,
        description: meta.subtitle.clone().or_else(|| meta.subject.clone()).unwrap_or_default(),
        og_type: "website",
        image: site.cover.map(|c| (c.to_string(), cover_alt(publication))),
        pager: None,
    };
    site.page(page, main)
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
    let publication = site.publication;
    // A shared story shows its own first photo, else the cover: a photo
    // sites can show (JPEG or PNG; not a drawing in SVG, which they refuse).
    let shareable = |image: &Image| {
        site.assets.image(&image.src).is_some_and(|a| matches!(a.format, ImageFormat::Jpeg | ImageFormat::Png))
    };
    let photo = entry_blocks(entry).iter().find_map(|b| match &b.kind {
        BlockKind::Figure { image, .. } if shareable(image) => Some((media_path(&image.file), image.alt.clone())),
        _ => None,
    });
    let page = Page {
        file: page_name(&entry.id),
        title: &entry.title,
        index: false,
        description: summary(publication, entry),
        og_type: if entry.kind() == EntryKind::Story { "article" } else { "website" },
        image: photo.or_else(|| site.cover.map(|c| (c.to_string(), cover_alt(publication)))),
        pager: Some((previous, next)),
    };
    site.page(page, |doc| article(doc, publication, entry))
}

/// The top-level blocks of an entry's text.
fn entry_blocks(entry: &Entry) -> Vec<&Block> {
    match &entry.body {
        Body::Story { blocks, .. } | Body::Front { blocks } | Body::Acknowledgements { blocks, .. } => {
            blocks.iter().collect()
        }
        Body::Back { lead, contact, .. } => lead.iter().chain(contact).collect(),
        Body::Cover { .. } | Body::Contents { .. } => Vec::new(),
    }
}

/// The first paragraph's text, cut at a word within [`DESCRIPTION_CHARS`];
/// the publication's subtitle for an entry without one.
fn summary(publication: &Publication, entry: &Entry) -> String {
    let text = entry_blocks(entry)
        .iter()
        .find_map(|b| match &b.kind {
            BlockKind::Paragraph { content } => Some(crate::model::plain_text(content)),
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

/// `sitemap.xml`: every page at its absolute address, modified on the edition's date.
fn sitemap(base: &str, pages: impl Iterator<Item = String>, date: &str) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        let location = quick_xml::escape::escape(format!("{base}{page}")).into_owned();
        out.push_str(&format!("  <url><loc>{location}</loc><lastmod>{date}</lastmod></url>\n"));
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// The contrast the dark page needs: body text 7:1 (AAA, it is long
/// reading), links and muted text 4.5:1 (AA).
const DARK_TEXT_CONTRAST: f64 = 7.0;
/// The contrast of links and muted text on the dark page.
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
/// `web.css` and, where it holds, `web-dark.css`. Every `var(--name)` must
/// be a theme colour or a property the stylesheets define: a mistyped one
/// is an error in its file.
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
    let files: Vec<_> = names.iter().filter_map(|name| crate::layouts::find(context.layouts, name)).collect();
    let texts: Vec<String> = files.iter().map(|f| String::from_utf8_lossy(&f.bytes).into_owned()).collect();
    let defined: Vec<String> = texts.iter().flat_map(|t| custom_properties_defined(t)).collect();
    for (file, text) in files.iter().zip(&texts) {
        for (offset, name) in used_properties(text) {
            let known = crate::theme::CSS_COLOURS.contains(&name.as_str()) || defined.contains(&name);
            if !known {
                let source = SourceFile::new(file.display_path(), text.clone());
                diags.push(
                    Diagnostic::error(format!(
                        "`var(--{name})` names no colour of the theme and no property of the stylesheets"
                    ))
                    .at(&source, offset..offset + name.len() + 6)
                    .hint(format!("the theme's colours: {}", crate::theme::CSS_COLOURS.join(", "))),
                );
            }
        }
        css.push('\n');
        css.push_str(text);
    }
    diags.check()?;
    Ok(css)
}

/// The custom properties a stylesheet sets (`--page: …`).
fn custom_properties_defined(css: &str) -> Vec<String> {
    let css = crate::layouts::without_comments(css);
    let css = css.as_str();
    css.match_indices("--")
        .filter_map(|(at, _)| {
            let rest = &css[at + 2..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            let after = rest[name.len()..].trim_start();
            (!name.is_empty() && after.starts_with(':') && !css[..at].ends_with("var(")).then_some(name)
        })
        .collect()
}

/// The custom properties a stylesheet reads, with the byte offset of each `var(`.
fn used_properties(css: &str) -> Vec<(usize, String)> {
    let css = crate::layouts::without_comments(css);
    css.match_indices("var(--")
        .map(|(at, found)| {
            let rest = &css[at + found.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
            (at, rest[..end].to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_stylesheets_read_only_colours_they_have() {
        let css = [
            include_str!("../../layouts/epub.css"),
            include_str!("../../layouts/web.css"),
            include_str!("../../layouts/web-dark.css"),
        ];
        let defined: Vec<String> = css.iter().flat_map(|t| custom_properties_defined(t)).collect();
        assert!(defined.contains(&"page".to_string()) && defined.contains(&"link".to_string()), "{defined:?}");
        for text in css {
            for (_, name) in used_properties(text) {
                assert!(crate::theme::CSS_COLOURS.contains(&name.as_str()) || defined.contains(&name), "var(--{name})");
            }
        }
        assert_eq!(used_properties("/* var(--x) */ a { color: var(--lnk); }"), [(26, "lnk".to_string())]);
    }

    #[test]
    fn the_builtin_theme_holds_its_dark_mode_and_a_pale_navy_does_not() {
        let mut theme: crate::theme::Theme = toml::from_str(include_str!("../../layouts/theme.toml")).unwrap();
        assert!(dark_mode_holds(&theme));
        theme.colours.navy = crate::theme::Colour::parse("#5b7fa8").unwrap();
        assert!(!dark_mode_holds(&theme));
    }
}
