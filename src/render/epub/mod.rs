//! The EPUB: the model → XHTML → epub-builder → an EPUB 3 file.
//!
//! epub-builder assembles the package; [`archive`] then mends what its 0.8.3
//! templates get wrong (see there) and fixes zip entry times for reproducible
//! output. The page list comes from the pagination the lay-out stage wrote;
//! without one (an edition's own layout that sets no block markers) the
//! EPUB is made without a page list and without the metadata that claims one.

pub mod archive;
pub mod xhtml;

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, ZipLibrary};

use super::{Artifact, Context, Renderer};
use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::model::{Body, Entry, EntryKind, Publication};
use xhtml::{PageMarks, Xhtml, file_name, media_path, semantics};

/// `--format epub`: `<file-stem>-<language>.epub`.
pub struct Epub;

impl Renderer for Epub {
    fn name(&self) -> &'static str {
        "epub"
    }

    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed> {
        let bytes = render(context, diags)?;
        Ok(vec![Artifact { name: super::artifact_name(context.publication, ".epub"), bytes, pages: None }])
    }
}

/// The stylesheet: `layouts/epub.css` with the theme's values filled in.
fn stylesheet(context: &Context, diags: &mut Diagnostics) -> Result<String, Failed> {
    let Some(file) = crate::layouts::find(context.layouts, crate::layouts::EPUB_CSS) else { return Ok(String::new()) };
    let css = String::from_utf8_lossy(&file.bytes).into_owned();
    crate::theme::fill_stylesheet(&css, &context.publication.theme).map_err(|(offset, message)| {
        let source = SourceFile::new(file.display_path(), css.clone());
        diags.fail(Diagnostic::error(message).at(&source, offset..offset + 6).hint(format!(
            "the stylesheet's var(--…) names a colour of layouts/theme.toml: {}",
            crate::theme::CSS_COLOURS.join(", ")
        )))
    })
}

/// Builds the EPUB in memory.
fn render(context: &Context, diags: &mut Diagnostics) -> Result<Vec<u8>, Failed> {
    let publication = context.publication;
    let pagination = context.laid_out.pagination.as_ref();
    if pagination.is_none() {
        diags.push(
            Diagnostic::warning("the layout places no block markers, so the EPUB has no page list").hint(
                "place #metadata(b.id) <anthology-block> at the start of each block, as the built-in layout does",
            ),
        );
    }
    let marks: PageMarks = pagination.map(|p| p.by_block()).unwrap_or_default();
    let cover_picture = context.laid_out.cover_picture.as_deref();
    let documents = documents(publication, marks, cover_picture.map(|c| c.path()));
    let paged = pagination.is_some();
    let nav = navigation(publication, &documents);
    let css = stylesheet(context, diags)?;

    let fail = |diags: &mut Diagnostics, err: epub_builder::Error| {
        diags.fail(Diagnostic::error(format!("failed to assemble the EPUB ({err})")))
    };
    let mut builder = EpubBuilder::new(ZipLibrary::new().map_err(|e| fail(diags, e))?).map_err(|e| fail(diags, e))?;
    let meta = &publication.meta;
    builder.epub_version(EpubVersion::V30);
    builder.set_title(xhtml::xml_safe(&meta.metadata_title));
    builder.add_language(meta.language.clone());
    builder.set_uuid(meta.identifier);
    builder.set_generator(format!("anthology {}", env!("CARGO_PKG_VERSION")));
    builder.set_toc_name(xhtml::xml_safe(&publication.labels["table-of-contents"]));
    if let Some(subject) = &meta.subject {
        builder.add_subject(xhtml::xml_safe(subject));
    }
    for keyword in &meta.keywords {
        builder.add_subject(xhtml::xml_safe(keyword));
    }
    if let Some(subtitle) = &meta.subtitle {
        builder.add_description(xhtml::xml_safe(subtitle));
    }
    let date = chrono::NaiveDate::from_ymd_opt(meta.year, meta.month.into(), meta.day.into())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    if let Some(date) = date {
        builder.set_publication_date(date);
    }
    builder.set_modified_date(chrono::DateTime::from_timestamp(context.epoch, 0).unwrap_or_default());
    // `epub_direction` has no effect in 0.8.3; the metadata key does.
    let direction = meta.direction.as_str();
    builder.metadata("direction", direction).map_err(|e| fail(diags, e))?;
    let images = publication.images();
    for meta in accessibility_metadata(publication, cover_picture.is_some() || !images.is_empty(), paged) {
        builder.add_metadata_opf(Box::new(meta));
    }
    builder.stylesheet(css.as_bytes()).map_err(|e| fail(diags, e))?;
    if let Some(cover) = cover_picture {
        builder
            .add_cover_image(cover.path(), cover.bytes.as_slice(), cover.format.media_type())
            .map_err(|e| fail(diags, e))?;
    }
    for image in images {
        let (asset, bytes) = screen_image(context, image, diags)?;
        builder
            .add_resource(media_path(&asset.name), &bytes[..], asset.format.media_type())
            .map_err(|e| fail(diags, e))?;
    }
    for document in &documents {
        let mut content = EpubContent::new(document.file.clone(), document.bytes.as_slice());
        if let Some(reftype) = document.reftype {
            content = content.reftype(reftype);
        }
        if let Some(title) = &document.toc_title {
            content = content.title(xhtml::xml_safe(title));
        }
        builder.add_content(content).map_err(|e| fail(diags, e))?;
    }
    let mut bytes = Vec::new();
    builder.generate(&mut bytes).map_err(|e| fail(diags, e))?;

    let print_source = paged.then(|| super::artifact_name(publication, ".pdf"));
    let fixes = archive::Fixes {
        nav,
        language: meta.language.clone(),
        direction: direction.to_string(),
        metadata: extra_metadata(publication, print_source.as_deref()),
        epoch: context.epoch,
    };
    archive::apply(&bytes, &fixes)
        .map_err(|err| diags.fail(Diagnostic::error(format!("failed to finish the EPUB archive ({err})"))))
}

/// An image of the publication and its screen rendition (the EPUB's, the web edition's).
pub fn screen_image<'a>(
    context: &'a Context,
    image: &crate::model::Image,
    diags: &mut Diagnostics,
) -> Result<(&'a crate::images::ImageAsset, std::sync::Arc<[u8]>), Failed> {
    let Some(asset) = context.assets.image(&image.src) else {
        return Err(diags.fail(Diagnostic::error(format!("internal error: the image `{}` was not loaded", image.src))));
    };
    let bytes = asset.epub().map_err(|reason| {
        diags
            .fail(Diagnostic::error(format!("the image `{}` {reason}", image.src)).hint("save it again as JPEG or PNG"))
    })?;
    Ok((asset, bytes))
}

/// One XHTML content document of the spine.
pub struct Document {
    pub file: String,
    pub bytes: Vec<u8>,
    /// The entry it renders.
    pub entry: crate::model::EntryId,
    /// The title it has in the navigation, if it is listed there.
    pub toc_title: Option<String>,
    pub reftype: Option<ReferenceType>,
    /// Print pages marked in it.
    pub pages: Vec<usize>,
}

/// One document per entry, in the publication's order.
fn documents(publication: &Publication, mut marks: PageMarks, cover_picture: Option<String>) -> Vec<Document> {
    let mut out = Vec::new();
    for entry in &publication.entries {
        // Each document takes the marks of its own entry's blocks.
        let own: PageMarks = entry.marker_ids().into_iter().filter_map(|id| marks.remove_entry(id)).collect();
        let (file, bytes, pages) = match &entry.body {
            Body::Cover { .. } => cover_document(publication, entry, own, cover_picture.as_deref()),
            Body::Contents { .. } => contents_document(publication, entry, own),
            _ => entry_document(publication, entry, own),
        };
        let kind = entry.kind();
        let reftype = match kind {
            EntryKind::Cover => Some(ReferenceType::Cover),
            EntryKind::Contents => Some(ReferenceType::Toc),
            EntryKind::Acknowledgements => Some(ReferenceType::Acknowledgements),
            EntryKind::Front => Some(ReferenceType::Preface),
            EntryKind::Story if !out.iter().any(|d: &Document| d.reftype == Some(ReferenceType::Text)) => {
                Some(ReferenceType::Text)
            }
            EntryKind::Back => Some(ReferenceType::Colophon),
            EntryKind::Story => None,
        };
        let toc_title = entry.listed.then(|| entry.toc_title.clone());
        out.push(Document { file, bytes, entry: entry.id.clone(), toc_title, reftype, pages });
    }
    out
}

fn cover_document(
    publication: &Publication,
    entry: &Entry,
    marks: PageMarks,
    picture: Option<&str>,
) -> (String, Vec<u8>, Vec<usize>) {
    let labels = &publication.labels;
    let cover_title = format!("{}: {}", labels["cover"], publication.meta.title);
    let mut doc = Xhtml::new(publication, &cover_title, marks, None);
    doc.start("body", &[("epub:type", "cover"), ("class", "cover-page")]);
    doc.start("section", &[("class", "cover"), ("aria-label", &labels["cover"])]);
    doc.remaining_marks();
    if let Some(path) = picture {
        let alt = cover_alt(publication);
        doc.empty("img", &[("src", path), ("alt", &alt), ("role", "doc-cover")]);
    } else {
        doc.element("p", &[("class", "cover-title")], &publication.meta.title);
    }
    doc.end("section");
    doc.end("body");
    let (bytes, pages) = doc.finish();
    (file_name(&entry.id), bytes, pages)
}

fn entry_document(publication: &Publication, entry: &Entry, marks: PageMarks) -> (String, Vec<u8>, Vec<usize>) {
    let mut doc = Xhtml::new(publication, &entry.title, marks, entry.language.as_ref());
    let kind = entry.kind();
    let (epub_type, role) = semantics(kind);
    let body_type = match kind {
        EntryKind::Story => "bodymatter",
        EntryKind::Back => "backmatter",
        _ => "frontmatter",
    };
    doc.start("body", &[("epub:type", body_type)]);
    let heading_id = format!("{}-title", entry.id);
    doc.start(
        "section",
        &[("id", &entry.id.0), ("epub:type", epub_type), ("role", role), ("aria-labelledby", &heading_id)],
    );
    doc.page_marks(&entry.marker);
    entry_content(&mut doc, publication, entry);
    doc.remaining_marks();
    doc.end("section");
    doc.end("body");
    let (bytes, pages) = doc.finish();
    (file_name(&entry.id), bytes, pages)
}

/// An entry's title, byline, text and notes: the EPUB's content document
/// and the web edition's page alike.
pub fn entry_content(doc: &mut Xhtml, publication: &Publication, entry: &Entry) {
    let kind = entry.kind();
    let heading_id = format!("{}-title", entry.id);
    doc.start("header", &[]);
    if kind == EntryKind::Story
        && let Some(number) = entry.number
    {
        doc.element("p", &[("class", "entry-number"), ("aria-hidden", "true")], &format!("{number:02}"));
    }
    let title = doc.heading_name(1);
    doc.element(&title, &[("id", &heading_id)], &entry.title);
    byline(doc, entry, "p", "byline");
    doc.end("header");
    match &entry.body {
        Body::Front { blocks } => doc.blocks(blocks),
        Body::Story { blocks, closing_title, closing, .. } => {
            doc.blocks(blocks);
            if !closing.is_empty() {
                let heading = closing_title.as_ref().map_or_else(|| format!("{}-more", entry.id), |b| b.id.0.clone());
                doc.start("section", &[("class", "find-out-more"), ("aria-labelledby", &heading)]);
                match closing_title {
                    Some(title) => doc.blocks(std::slice::from_ref(title)),
                    None => {
                        let tag = doc.heading_name(2);
                        doc.element(&tag, &[("id", &heading)], &publication.labels["find-out-more"])
                    }
                }
                doc.blocks(closing);
                doc.end("section");
            }
        }
        Body::Acknowledgements { blocks, legal } => {
            doc.blocks(blocks);
            let labels = &publication.labels;
            doc.start(
                "section",
                &[("class", "legal"), ("epub:type", "copyright-page"), ("aria-label", &labels["legal-notices"])],
            );
            doc.blocks(&legal.notices);
            doc.page_marks(&legal.citation.id);
            doc.start("p", &[("class", "citation")]);
            doc.element("strong", &[], &labels["suggested-citation"]);
            doc.text(" ");
            if let crate::model::BlockKind::Paragraph { content } = &legal.citation.kind {
                // Still in the source's language: an isolated run of its own.
                match &legal.citation.language {
                    Some(language) => {
                        let dir = language.direction.as_str();
                        doc.start("span", &[("lang", &language.tag), ("xml:lang", &language.tag), ("dir", dir)]);
                        doc.inlines(content);
                        doc.end("span");
                    }
                    None => doc.inlines(content),
                }
            }
            doc.end("p");
            doc.blocks(&legal.disclaimers);
            doc.end("section");
        }
        Body::Back { pillars, lead, contact } => {
            if !pillars.is_empty() {
                doc.start("ul", &[("class", "pillars")]);
                for pillar in pillars {
                    doc.item(&pillar.blocks);
                }
                doc.end("ul");
            }
            if let Some(lead) = lead {
                doc.start("div", &[("class", "lead")]);
                doc.blocks([lead]);
                doc.end("div");
            }
            doc.blocks(contact);
        }
        Body::Cover { .. } | Body::Contents { .. } => {}
    }
    doc.notes(&entry.notes, &publication.labels["notes"], &publication.labels["back-to-text"]);
}

fn contents_document(publication: &Publication, entry: &Entry, marks: PageMarks) -> (String, Vec<u8>, Vec<usize>) {
    let title = &entry.title;
    let mut doc = Xhtml::new(publication, title, marks, None);
    doc.start("body", &[("epub:type", "frontmatter")]);
    doc.start("nav", &[("id", "toc"), ("role", "doc-toc"), ("aria-labelledby", "toc-title")]);
    doc.page_marks(&entry.marker);
    if let Body::Contents { lines } = &entry.body {
        doc.element("h1", &[("id", "toc-title")], title);
        doc.start("ol", &[("class", "toc")]);
        for line in lines {
            let Some(listed) = publication.entry(&line.entry) else { continue };
            doc.start("li", &[]);
            doc.page_marks(&line.id);
            contents_link(&mut doc, listed);
            byline(&mut doc, listed, "span", "toc-byline");
            doc.end("li");
        }
        doc.end("ol");
    }
    doc.remaining_marks();
    doc.end("nav");
    doc.end("body");
    let (bytes, pages) = doc.finish();
    (file_name(&entry.id), bytes, pages)
}

/// An entry's line in a table of contents: stories by their number, front
/// and back matter by title alone.
pub fn contents_link(doc: &mut Xhtml, entry: &Entry) {
    let href = doc.flavour().href(&entry.id);
    let mut attrs = vec![("href", href.as_str())];
    // A title in another language than the list's is tagged so (read in its own voice).
    if let Some(language) = &entry.language {
        attrs.extend([
            ("lang", language.tag.as_str()),
            ("xml:lang", &language.tag),
            ("dir", language.direction.as_str()),
        ]);
    }
    doc.start("a", &attrs);
    if let Some(number) = entry.number {
        doc.element("span", &[("class", "toc-number")], &format!("{number:02}"));
        doc.text(" ");
    }
    doc.text(&entry.toc_title);
    doc.end("a");
}

/// A story's organisations and country, as one line (`element` of
/// `class`), if it has any. Each is isolated (`<bdi>`): a name in Latin
/// letters with brackets keeps them right in a right-to-left line.
pub fn byline(doc: &mut Xhtml, entry: &Entry, element: &str, class: &str) {
    let parts: Vec<&str> = entry.organisations.iter().map(String::as_str).chain(entry.country.as_deref()).collect();
    if parts.is_empty() {
        return;
    }
    doc.start(element, &[("class", class)]);
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            doc.text(" · ");
        }
        doc.element("bdi", &[], part);
    }
    doc.end(element);
}

/// The navigation document: table of contents, page list and landmarks.
fn navigation(publication: &Publication, documents: &[Document]) -> Vec<u8> {
    let labels = &publication.labels;
    let title = &labels["table-of-contents"];
    let mut nav = Xhtml::new(publication, title, PageMarks::new(), None);
    nav.start("body", &[]);
    nav.start("nav", &[("epub:type", "toc"), ("role", "doc-toc"), ("id", "toc"), ("aria-labelledby", "nav-toc-title")]);
    nav.element("h1", &[("id", "nav-toc-title")], title);
    nav.start("ol", &[]);
    for entry in publication.entries.iter().filter(|e| e.listed) {
        nav.start("li", &[]);
        contents_link(&mut nav, entry);
        nav.end("li");
    }
    nav.end("ol");
    nav.end("nav");

    let mut pages: Vec<(usize, &str)> =
        documents.iter().flat_map(|d| d.pages.iter().map(move |p| (*p, d.file.as_str()))).collect();
    pages.sort();
    if !pages.is_empty() {
        nav.start(
            "nav",
            &[
                ("epub:type", "page-list"),
                ("role", "doc-pagelist"),
                ("id", "page-list"),
                ("aria-labelledby", "page-list-title"),
                ("hidden", "hidden"),
            ],
        );
        nav.element("h2", &[("id", "page-list-title")], &labels["page-list"]);
        nav.start("ol", &[]);
        for (page, file) in pages {
            nav.start("li", &[]);
            nav.element("a", &[("href", &format!("{file}#page-{page}"))], &page.to_string());
            nav.end("li");
        }
        nav.end("ol");
        nav.end("nav");
    }

    nav.start(
        "nav",
        &[
            ("epub:type", "landmarks"),
            ("id", "landmarks"),
            ("aria-labelledby", "landmarks-title"),
            ("hidden", "hidden"),
        ],
    );
    nav.element("h2", &[("id", "landmarks-title")], &labels["landmarks"]);
    nav.start("ol", &[]);
    let landmark = |nav: &mut Xhtml, kind: &str, href: &str, label: &str| {
        nav.start("li", &[]);
        nav.element("a", &[("epub:type", kind), ("href", href)], label);
        nav.end("li");
    };
    for (kind, landmark_kind, label) in [
        (EntryKind::Cover, "cover", &labels["cover"]),
        (EntryKind::Contents, "toc", title),
        (EntryKind::Story, "bodymatter", &labels["start-of-content"]),
    ] {
        if let Some(entry) = publication.entries.iter().find(|e| e.kind() == kind) {
            landmark(&mut nav, landmark_kind, &file_name(&entry.id), label);
        }
    }
    nav.end("ol");
    nav.end("nav");
    nav.end("body");
    nav.finish().0
}

/// The cover picture's text alternative: title, subtitle, publisher.
pub fn cover_alt(publication: &Publication) -> String {
    let meta = &publication.meta;
    let mut alt = format!("{}: {}", publication.labels["cover"], meta.title);
    if let Some(subtitle) = &meta.subtitle {
        alt.push_str(&format!(" — {subtitle}"));
    }
    alt.push_str(&format!(" — {}", meta.publisher));
    alt
}

/// schema.org accessibility metadata and the conformance claim; the page
/// features only when there is a page list.
fn accessibility_metadata(publication: &Publication, visual: bool, paged: bool) -> Vec<MetadataOpfV3> {
    let mut metas = vec![("schema:accessMode", "textual")];
    if visual {
        metas.push(("schema:accessMode", "visual"));
    }
    metas.extend([
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "alternativeText"),
    ]);
    if paged {
        metas.extend([
            ("schema:accessibilityFeature", "pageNavigation"),
            ("schema:accessibilityFeature", "printPageNumbers"),
        ]);
    }
    metas.extend([
        ("schema:accessibilityHazard", "none"),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
    ]);
    let summary = &publication.labels["accessibility-summary"];
    let mut out: Vec<MetadataOpfV3> =
        metas.into_iter().map(|(p, c)| MetadataOpfV3::new(p.to_string(), c.to_string())).collect();
    // MetadataOpfV3 writes its content unescaped.
    out.push(MetadataOpfV3::new("schema:accessibilitySummary".into(), escape(summary)));
    out
}

/// `dc:` elements epub-builder cannot write correctly (creator) or at all
/// (publisher, and the print source of the page list, when there is one).
fn extra_metadata(publication: &Publication, print_source: Option<&str>) -> String {
    let meta = &publication.meta;
    let publisher = escape(&meta.publisher);
    let mut out =
        format!("<dc:creator id=\"creator\">{publisher}</dc:creator>\n    <dc:publisher>{publisher}</dc:publisher>\n");
    // The title epub-builder writes becomes the main title (see `archive`), the subtitle a title of its own.
    out.push_str(&format!("    <meta refines=\"#{}\" property=\"title-type\">main</meta>\n", archive::MAIN_TITLE_ID));
    if let Some(subtitle) = &meta.subtitle {
        out.push_str(&format!(
            "    <dc:title id=\"subtitle\">{}</dc:title>\n    <meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n",
            escape(subtitle)
        ));
    }
    if let Some(pdf_name) = print_source {
        let mut source = meta.title.clone();
        if let Some(subtitle) = &meta.subtitle {
            source.push_str(&format!(": {subtitle}"));
        }
        source.push_str(&format!(", print edition ({pdf_name})"));
        out.push_str(&format!(
            "    <dc:source id=\"print-source\">{}</dc:source>\n    <meta refines=\"#print-source\" property=\"source-of\">pagination</meta>\n",
            escape(&source)
        ));
    }
    out
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(xhtml::xml_safe(s)).into_owned()
}
