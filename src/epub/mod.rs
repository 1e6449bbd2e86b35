//! RENDER (EPUB): the model → XHTML → epub-builder → an EPUB 3 file.
//!
//! epub-builder assembles the package; [`archive`] then mends what its 0.8.3
//! templates get wrong (see there) and fixes zip entry times for reproducible
//! output.

pub mod archive;
pub mod xhtml;

use std::collections::BTreeSet;

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, ZipLibrary};

use crate::diag::{Diagnostic, Diagnostics, Failed};
use crate::model::{EntryKind, Publication};
use xhtml::{PageMarks, Xhtml, file_name, media_path, semantics};

/// What the EPUB needs besides the model.
pub struct EpubInput<'a> {
    pub publication: &'a Publication,
    /// Every image, checked; SVGs sanitised.
    pub assets: &'a crate::images::Assets,
    /// The stylesheet (`layouts/epub.css`).
    pub css: &'a [u8],
    /// The PDF's cover page as PNG, if the PDF was rendered.
    pub cover_png: Option<Vec<u8>>,
    /// Where each PDF page begins.
    pub page_starts: &'a [crate::pdf::pages::PageStart],
    /// The PDF's file name, named as the EPUB's print source.
    pub pdf_name: &'a str,
    /// Seconds since 1970 for `dcterms:modified` and zip entry times.
    pub epoch: i64,
}

/// Builds the EPUB in memory.
pub fn render(input: &EpubInput, diags: &mut Diagnostics) -> Result<Vec<u8>, Failed> {
    let publication = input.publication;
    let marks = page_marks(publication, input.page_starts);
    let documents = documents(input, &marks);
    let nav = navigation(publication, &documents);

    let fail = |diags: &mut Diagnostics, err: epub_builder::Error| {
        diags.fail(Diagnostic::error(format!("failed to assemble the EPUB ({err})")))
    };
    let mut builder = EpubBuilder::new(ZipLibrary::new().map_err(|e| fail(diags, e))?).map_err(|e| fail(diags, e))?;
    let meta = &publication.meta;
    builder.epub_version(EpubVersion::V30);
    builder.set_title(xhtml::xml_safe(&meta.title));
    builder.add_language(meta.language.clone());
    if let Some(uuid) = crate::manifest::parse_identifier(&meta.identifier) {
        builder.set_uuid(uuid);
    }
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
    let modified = chrono::DateTime::from_timestamp(input.epoch, 0).unwrap_or_default();
    builder.set_modified_date(modified);
    // `epub_direction` has no effect in 0.8.3; the metadata key does.
    let direction = if meta.direction == crate::model::Direction::Rtl { "rtl" } else { "ltr" };
    builder.metadata("direction", direction).map_err(|e| fail(diags, e))?;
    let images = publication.images();
    for meta in accessibility_metadata(publication, input.cover_png.is_some() || !images.is_empty()) {
        builder.add_metadata_opf(Box::new(meta));
    }
    builder.stylesheet(input.css).map_err(|e| fail(diags, e))?;
    if let Some(png) = &input.cover_png {
        builder.add_cover_image("media/cover.png", png.as_slice(), "image/png").map_err(|e| fail(diags, e))?;
    }
    for src in images {
        let Some(asset) = input.assets.image(&src) else {
            return Err(diags.fail(Diagnostic::error(format!("internal error: the image `{src}` was not loaded"))));
        };
        builder
            .add_resource(media_path(&asset.name), &asset.bytes[..], asset.format.media_type())
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

    let fixes = archive::Fixes {
        nav,
        language: meta.language.clone(),
        direction: direction.to_string(),
        metadata: extra_metadata(publication, input.pdf_name),
        epoch: input.epoch,
    };
    archive::apply(&bytes, &fixes)
        .map_err(|err| diags.fail(Diagnostic::error(format!("failed to finish the EPUB archive ({err})"))))
}

/// One XHTML content document of the spine.
pub struct Document {
    pub file: String,
    pub bytes: Vec<u8>,
    /// The title it has in the navigation, if it is listed there.
    pub toc_title: Option<String>,
    pub reftype: Option<ReferenceType>,
    /// Print pages marked in it.
    pub pages: Vec<usize>,
}

fn documents(input: &EpubInput, marks: &PageMarks) -> Vec<Document> {
    let publication = input.publication;
    let labels = &publication.labels;
    let mut out = Vec::new();
    let mut marks = marks.clone();
    let mut take = |ids: &dyn Fn(&str) -> bool| -> PageMarks {
        let keys: Vec<String> = marks.keys().filter(|k| ids(k)).cloned().collect();
        keys.into_iter().filter_map(|k| marks.remove_entry(&k)).collect()
    };

    // Cover.
    let cover_title = format!("{}: {}", labels["cover"], publication.meta.title);
    let mut doc = Xhtml::new(publication, &cover_title, take(&|id| id == "cover"));
    doc.start("body", &[("epub:type", "cover")]);
    doc.start("section", &[("class", "cover"), ("aria-label", &labels["cover"])]);
    doc.page_marks("cover");
    if input.cover_png.is_some() {
        let alt = cover_alt(publication);
        doc.empty("img", &[("src", "media/cover.png"), ("alt", &alt), ("role", "doc-cover")]);
    } else {
        doc.element("p", &[("class", "cover-title")], &publication.meta.title);
    }
    doc.end("section");
    doc.end("body");
    let (bytes, pages) = doc.finish();
    out.push(Document {
        file: "cover.xhtml".into(),
        bytes,
        toc_title: None,
        reftype: Some(ReferenceType::Cover),
        pages,
    });

    let mut toc_done = false;
    for entry in &publication.entries {
        if matches!(entry.kind, EntryKind::Story | EntryKind::Back) && !toc_done {
            out.push(toc_document(publication, take(&|id| id == "toc" || id.starts_with("toc-"))));
            toc_done = true;
        }
        let prefix = format!("{}-", entry.id);
        let is_ack = entry.kind == EntryKind::Acknowledgements;
        let own = take(&|id| id == entry.id || id.starts_with(&prefix) || (is_ack && id.starts_with("legal-")));
        let mut doc = Xhtml::new(publication, &entry.title, own);
        let (epub_type, role) = semantics(entry.kind);
        let body_type = match entry.kind {
            EntryKind::Acknowledgements | EntryKind::Front => "frontmatter",
            EntryKind::Story => "bodymatter",
            EntryKind::Back => "backmatter",
        };
        doc.start("body", &[("epub:type", body_type)]);
        let heading_id = format!("{}-title", entry.id);
        doc.start(
            "section",
            &[("id", &entry.id), ("epub:type", epub_type), ("role", role), ("aria-labelledby", &heading_id)],
        );
        doc.page_marks(&entry.id);
        doc.start("header", &[]);
        if entry.kind == EntryKind::Story {
            doc.element("p", &[("class", "entry-number"), ("aria-hidden", "true")], &format!("{:02}", entry.number));
        }
        doc.element("h1", &[("id", &heading_id)], &entry.title);
        let byline: Vec<&str> =
            entry.organisations.iter().map(String::as_str).chain(entry.country.as_deref()).collect();
        if !byline.is_empty() {
            doc.element("p", &[("class", "byline")], &byline.join(" · "));
        }
        doc.end("header");
        let pillars = (entry.kind == EntryKind::Back)
            .then(|| entry.blocks.iter().position(|b| matches!(b, crate::model::Block::List { .. })))
            .flatten();
        for (i, block) in entry.blocks.iter().enumerate() {
            let id = format!("{}-{i}", entry.id);
            if Some(i) == pillars {
                doc.start("div", &[("class", "pillars")]);
                doc.block(block, Some(&id));
                doc.end("div");
            } else {
                doc.block(block, Some(&id));
            }
        }
        if is_ack {
            legal_section(&mut doc, publication);
        }
        doc.remaining_marks();
        doc.end("section");
        doc.end("body");
        let (bytes, pages) = doc.finish();
        let reftype = match entry.kind {
            EntryKind::Acknowledgements => Some(ReferenceType::Acknowledgements),
            EntryKind::Front => Some(ReferenceType::Preface),
            EntryKind::Story if !out.iter().any(|d| d.reftype == Some(ReferenceType::Text)) => {
                Some(ReferenceType::Text)
            }
            EntryKind::Back => Some(ReferenceType::Colophon),
            _ => None,
        };
        out.push(Document {
            file: file_name(&entry.id),
            bytes,
            toc_title: Some(entry.toc_title.clone()),
            reftype,
            pages,
        });
    }
    if !toc_done {
        out.push(toc_document(publication, take(&|id| id == "toc" || id.starts_with("toc-"))));
    }
    out
}

fn legal_section(doc: &mut Xhtml, publication: &Publication) {
    let labels = &publication.labels;
    doc.start(
        "section",
        &[("class", "legal"), ("epub:type", "copyright-page"), ("aria-label", &labels["legal-notices"])],
    );
    for (i, block) in publication.legal.notices.iter().enumerate() {
        doc.block(block, Some(&format!("legal-notice-{i}")));
    }
    doc.page_marks("legal-citation");
    doc.start("p", &[("class", "citation")]);
    doc.element("strong", &[], &labels["suggested-citation"]);
    doc.text(" ");
    doc.inlines(&publication.legal.citation);
    doc.end("p");
    for (i, block) in publication.legal.disclaimers.iter().enumerate() {
        doc.block(block, Some(&format!("legal-disclaimer-{i}")));
    }
    doc.end("section");
}

fn toc_document(publication: &Publication, marks: PageMarks) -> Document {
    let title = &publication.labels["table-of-contents"];
    let mut doc = Xhtml::new(publication, title, marks);
    doc.start("body", &[("epub:type", "frontmatter")]);
    doc.start("nav", &[("id", "toc"), ("role", "doc-toc"), ("aria-labelledby", "toc-title")]);
    doc.page_marks("toc");
    doc.element("h1", &[("id", "toc-title")], title);
    doc.start("ol", &[("class", "toc")]);
    for entry in &publication.entries {
        doc.start("li", &[]);
        doc.page_marks(&format!("toc-{}", entry.id));
        doc.start("a", &[("href", &file_name(&entry.id))]);
        doc.text(&entry.toc_title);
        doc.end("a");
        doc.end("li");
    }
    doc.end("ol");
    doc.remaining_marks();
    doc.end("nav");
    doc.end("body");
    let (bytes, pages) = doc.finish();
    Document { file: "toc.xhtml".into(), bytes, toc_title: None, reftype: Some(ReferenceType::Toc), pages }
}

/// The navigation document: table of contents, page list and landmarks.
fn navigation(publication: &Publication, documents: &[Document]) -> Vec<u8> {
    let labels = &publication.labels;
    let title = &labels["table-of-contents"];
    let mut nav = Xhtml::new(publication, title, PageMarks::new());
    nav.start("body", &[]);
    nav.start("nav", &[("epub:type", "toc"), ("role", "doc-toc"), ("id", "toc"), ("aria-labelledby", "nav-toc-title")]);
    nav.element("h1", &[("id", "nav-toc-title")], title);
    nav.start("ol", &[]);
    for entry in &publication.entries {
        nav.start("li", &[]);
        nav.element("a", &[("href", &file_name(&entry.id))], &entry.toc_title);
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
    landmark(&mut nav, "cover", "cover.xhtml", &labels["cover"]);
    landmark(&mut nav, "toc", "toc.xhtml", title);
    if let Some(first) = publication.entries.iter().find(|e| e.kind == EntryKind::Story) {
        landmark(&mut nav, "bodymatter", &file_name(&first.id), &labels["start-of-content"]);
    }
    nav.end("ol");
    nav.end("nav");
    nav.end("body");
    nav.finish().0
}

/// The page-break marks of each block, for the blocks the EPUB renders.
pub fn page_marks(publication: &Publication, starts: &[crate::pdf::pages::PageStart]) -> PageMarks {
    let known = known_ids(publication);
    let mut marks = PageMarks::new();
    for start in starts.iter().filter(|s| known.contains(&s.block)) {
        marks.entry(start.block.clone()).or_default().push((start.page, start.offset));
    }
    marks
}

/// Every marker id the EPUB renders.
fn known_ids(publication: &Publication) -> BTreeSet<String> {
    let mut ids = BTreeSet::from(["cover".to_string(), "toc".to_string(), "legal-citation".to_string()]);
    for entry in &publication.entries {
        ids.insert(entry.id.clone());
        ids.insert(format!("toc-{}", entry.id));
        for i in 0..entry.blocks.len() {
            ids.insert(format!("{}-{i}", entry.id));
        }
    }
    for i in 0..publication.legal.notices.len() {
        ids.insert(format!("legal-notice-{i}"));
    }
    for i in 0..publication.legal.disclaimers.len() {
        ids.insert(format!("legal-disclaimer-{i}"));
    }
    ids
}

fn cover_alt(publication: &Publication) -> String {
    let meta = &publication.meta;
    let mut alt = format!("{}: {}", publication.labels["cover"], meta.title);
    if let Some(subtitle) = &meta.subtitle {
        alt.push_str(&format!(" — {subtitle}"));
    }
    alt.push_str(&format!(" — {}", meta.publisher));
    alt
}

/// schema.org accessibility metadata and the conformance claim.
fn accessibility_metadata(publication: &Publication, visual: bool) -> Vec<MetadataOpfV3> {
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
        ("schema:accessibilityFeature", "pageNavigation"),
        ("schema:accessibilityFeature", "printPageNumbers"),
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
/// (publisher, and the print source of the page list).
fn extra_metadata(publication: &Publication, pdf_name: &str) -> String {
    let meta = &publication.meta;
    let mut source = meta.title.clone();
    if let Some(subtitle) = &meta.subtitle {
        source.push_str(&format!(": {subtitle}"));
    }
    source.push_str(&format!(", print edition ({pdf_name})"));
    format!(
        "<dc:creator id=\"creator\">{publisher}</dc:creator>\n    <dc:publisher>{publisher}</dc:publisher>\n    <dc:source id=\"print-source\">{source}</dc:source>\n    <meta refines=\"#print-source\" property=\"source-of\">pagination</meta>\n",
        publisher = escape(&meta.publisher),
        source = escape(&source),
    )
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(xhtml::xml_safe(s)).into_owned()
}
