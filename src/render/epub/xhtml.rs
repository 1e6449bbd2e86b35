//! The model → XHTML content documents, written with quick-xml so that every
//! character is escaped and every document is well-formed. The web edition's
//! pages are written by the same walker ([`Flavour::Web`]): HTML5 in XML
//! syntax, without the EPUB's vocabulary.

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::model::{
    Block, BlockId, BlockKind, EntryId, EntryKind, Inline, Language, LinkTarget, Node, Note, Publication, TableRow,
    Visit,
};

/// Print pages that begin in a block, by block id: (page, non-whitespace
/// characters of the block's text before the page begins).
pub type PageMarks = BTreeMap<BlockId, Vec<(usize, usize)>>;

/// Where an EPUB file keeps an edition's image, by its published name.
pub fn media_path(name: &str) -> String {
    format!("media/{name}")
}

/// The XHTML file name of an entry.
pub fn file_name(id: &EntryId) -> String {
    format!("{id}.xhtml")
}

/// Which markup a document is written in.
#[derive(Debug, Clone, Default)]
pub enum Flavour {
    /// An EPUB content document: XHTML with `epub:type` semantics; entries in `<id>.xhtml`.
    #[default]
    Epub,
    /// A web page: no `epub:` or `xml:` attributes; entries in `<id>.html`,
    /// except those shown on the index page (`index.html#<id>`).
    Web {
        /// The entries the index page shows (linked as `index.html#<id>`).
        on_index: Vec<EntryId>,
        /// Pixel sizes of the published images, by file name (for `width`/`height`).
        sizes: BTreeMap<String, (u32, u32)>,
        /// The name of a table's scrolling region ("Table").
        table_label: String,
    },
}

impl Flavour {
    /// Where a link to an entry goes.
    pub fn href(&self, id: &EntryId) -> String {
        match self {
            Flavour::Epub => file_name(id),
            Flavour::Web { on_index, .. } if on_index.contains(id) => format!("{}#{id}", crate::render::web::INDEX),
            Flavour::Web { .. } => crate::render::web::page_name(id),
        }
    }
}

/// What a web page's `<head>` holds besides its title.
pub struct Head<'a> {
    /// `<meta name="description">`: what search results and shared links show.
    pub description: &'a str,
    /// `<meta property=… content=…>` pairs (Open Graph).
    pub properties: Vec<(&'static str, String)>,
    /// `<link rel=…>` pairs (`canonical`).
    pub links: Vec<(&'static str, String)>,
    /// The stylesheet's address.
    pub stylesheet: &'a str,
}

/// The elements HTML writes without an end tag: the only ones a web page
/// may write empty (`<span/>` would open a span that never closes).
const VOID_ELEMENTS: &[&str] = &["br", "hr", "img", "link", "meta", "source", "wbr"];

/// An XHTML document under construction.
pub struct Xhtml {
    writer: Writer<Vec<u8>>,
    flavour: Flavour,
    /// Added to every heading level: 1 where an entry is a section of a page (the web index).
    pub heading_shift: u8,
    marks: PageMarks,
    /// Marks waiting inside the current block, by character offset (ascending).
    armed: Vec<(usize, usize)>,
    /// Non-whitespace characters written so far in the current block.
    counted: usize,
    /// The block the armed marks belong to.
    armed_in: Option<BlockId>,
    /// For each open list item: whether it is a single paragraph, set without `<p>`.
    tight: Vec<bool>,
    /// Print pages marked in this document, for the page list.
    pub pages: Vec<usize>,
    /// Whether the current table's `<tbody>` is open.
    table_body: bool,
    /// The back link a note's text begins with (href, label, number),
    /// written into its first paragraph.
    backlink: Option<(String, String, String)>,
    /// A task's check box, written at the start of its first paragraph.
    pending_check: Option<&'static str>,
}

impl Xhtml {
    /// Starts a document: XML declaration, doctype, `<html>` with language
    /// and direction (the entry's `language`, else the publication's), `<head>`.
    pub fn new(publication: &Publication, title: &str, marks: PageMarks, language: Option<&Language>) -> Self {
        let mut writer = Writer::new(Vec::new());
        let meta = &publication.meta;
        let w = &mut writer;
        write(w, Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        raw(w, "\n<!DOCTYPE html>\n");
        let (tag, direction) = language.map_or((&meta.language, meta.direction), |l| (&l.tag, l.direction));
        let dir = direction.as_str();
        start(
            w,
            "html",
            &[
                ("xmlns", "http://www.w3.org/1999/xhtml"),
                ("xmlns:epub", "http://www.idpf.org/2007/ops"),
                ("lang", tag),
                ("xml:lang", tag),
                ("dir", dir),
            ],
        );
        start(w, "head", &[]);
        empty(w, "meta", &[("charset", "utf-8")]);
        start(w, "title", &[]);
        text(w, title);
        end(w, "title");
        empty(w, "link", &[("rel", "stylesheet"), ("type", "text/css"), ("href", "stylesheet.css")]);
        end(w, "head");
        Self::with_writer(writer, marks, Flavour::Epub)
    }

    /// Starts a web page (HTML5): `<html>` with language and direction, a
    /// `<head>` with the viewport, description and sharing metadata.
    pub fn web_page(
        publication: &Publication,
        title: &str,
        head: &Head,
        language: Option<&Language>,
        flavour: Flavour,
    ) -> Self {
        let mut writer = Writer::new(Vec::new());
        let meta = &publication.meta;
        let w = &mut writer;
        raw(w, "<!DOCTYPE html>\n");
        let (tag, direction) = language.map_or((&meta.language, meta.direction), |l| (&l.tag, l.direction));
        start(w, "html", &[("lang", tag), ("dir", direction.as_str())]);
        start(w, "head", &[]);
        empty(w, "meta", &[("charset", "utf-8")]);
        empty(w, "meta", &[("name", "viewport"), ("content", "width=device-width, initial-scale=1")]);
        start(w, "title", &[]);
        text(w, title);
        end(w, "title");
        if !head.description.is_empty() {
            empty(w, "meta", &[("name", "description"), ("content", head.description)]);
        }
        for (property, content) in &head.properties {
            empty(w, "meta", &[("property", property), ("content", content)]);
        }
        for (rel, href) in &head.links {
            empty(w, "link", &[("rel", rel), ("href", href)]);
        }
        let generator = format!("anthology {}", env!("CARGO_PKG_VERSION"));
        empty(w, "meta", &[("name", "generator"), ("content", &generator)]);
        empty(w, "link", &[("rel", "stylesheet"), ("href", head.stylesheet)]);
        end(w, "head");
        Self::with_writer(writer, PageMarks::new(), flavour)
    }

    fn with_writer(writer: Writer<Vec<u8>>, marks: PageMarks, flavour: Flavour) -> Self {
        Self {
            writer,
            flavour,
            heading_shift: 0,
            marks,
            armed: Vec::new(),
            counted: 0,
            armed_in: None,
            tight: Vec::new(),
            pages: Vec::new(),
            table_body: false,
            backlink: None,
            pending_check: None,
        }
    }

    /// Closes the document and returns its bytes.
    pub fn finish(mut self) -> (Vec<u8>, Vec<usize>) {
        end(&mut self.writer, "html");
        raw(&mut self.writer, "\n");
        (self.writer.into_inner(), self.pages)
    }

    /// The markup this document is written in.
    pub fn flavour(&self) -> &Flavour {
        &self.flavour
    }

    /// The attributes this flavour writes: a web page has no `epub:` or `xml:` ones.
    fn kept<'b>(&self, attrs: &[(&'b str, &'b str)]) -> Vec<(&'b str, &'b str)> {
        let web = matches!(self.flavour, Flavour::Web { .. });
        attrs.iter().filter(|(k, _)| !web || !(k.starts_with("epub:") || k.starts_with("xml:"))).copied().collect()
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let attrs = self.kept(attrs);
        start(&mut self.writer, name, &attrs);
    }

    /// [`Self::start`] with attribute values of its own.
    fn start_owned(&mut self, name: &str, attrs: &[(&'static str, String)]) {
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.start(name, &attrs);
    }

    pub fn end(&mut self, name: &str) {
        end(&mut self.writer, name);
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        debug_assert!(
            matches!(self.flavour, Flavour::Epub) || VOID_ELEMENTS.contains(&name),
            "a web page writes <{name}> with an end tag"
        );
        let attrs = self.kept(attrs);
        empty(&mut self.writer, name, &attrs);
    }

    /// The element of a heading of `level` (1 is an entry's title), shifted
    /// by [`Self::heading_shift`]; the text's own headings start at 2.
    pub fn heading_name(&self, level: u8) -> String {
        let shift = self.heading_shift.min(5);
        format!("h{}", level.saturating_add(shift).clamp(1 + shift, 6))
    }

    /// Text; page-break markers armed for the current block are inserted
    /// at their character offsets.
    pub fn text(&mut self, s: &str) {
        if self.armed.is_empty() {
            self.counted += s.chars().filter(|c| !c.is_whitespace()).count();
            text(&mut self.writer, s);
            return;
        }
        let mut run = String::new();
        for c in s.chars() {
            if !c.is_whitespace() {
                while self.armed.first().is_some_and(|(_, offset)| *offset <= self.counted) {
                    let (page, _) = self.armed.remove(0);
                    text(&mut self.writer, &std::mem::take(&mut run));
                    self.page_break(page);
                }
                self.counted += 1;
            }
            run.push(c);
        }
        text(&mut self.writer, &run);
    }

    /// Text that is not the model's (a note's number, a check box): page
    /// marks count the model's characters only.
    fn extra_text(&mut self, s: &str) {
        text(&mut self.writer, s);
    }

    /// The entry's notes, after its text: each an `aside` that links back to
    /// where it is first referred to, so reading systems can show it in place.
    pub fn notes(&mut self, notes: &[Note], label: &str, back: &str) {
        if notes.is_empty() {
            return;
        }
        self.start("section", &[("class", "notes"), ("epub:type", "footnotes"), ("aria-label", label)]);
        for note in notes {
            self.start(
                "aside",
                &[("id", &note.id.0), ("class", "note"), ("epub:type", "footnote"), ("role", "doc-footnote")],
            );
            let href = format!("#{}", noteref_id(&note.id));
            self.backlink = Some((href, format!("{} {}", back, note.number), note.number.to_string()));
            // Written by the first paragraph; a note that starts otherwise gets one of its own.
            if !matches!(note.blocks.first(), Some(Block { kind: BlockKind::Paragraph { .. }, .. })) {
                self.start("p", &[]);
                self.write_backlink();
                self.end("p");
            }
            self.blocks(&note.blocks);
            self.end("aside");
        }
        self.end("section");
    }

    /// The number of a note, linking back to its first reference.
    fn write_backlink(&mut self) {
        if let Some((href, label, number)) = self.backlink.take() {
            self.start("a", &[("href", &href), ("role", "doc-backlink"), ("aria-label", &label)]);
            self.extra_text(&number);
            self.end("a");
            self.extra_text(" ");
        }
    }

    /// An element holding only text.
    pub fn element(&mut self, name: &str, attrs: &[(&str, &str)], s: &str) {
        self.start(name, attrs);
        self.text(s);
        self.end(name);
    }

    /// A page-break marker for a print page.
    fn page_break(&mut self, page: usize) {
        let number = page.to_string();
        let anchor = format!("page-{page}");
        empty(
            &mut self.writer,
            "span",
            &[("epub:type", "pagebreak"), ("role", "doc-pagebreak"), ("id", &anchor), ("aria-label", &number)],
        );
        self.pages.push(page);
    }

    /// Markers for the print pages that begin with `id`; those that begin
    /// inside it are armed, to be placed as its text is written.
    pub fn page_marks(&mut self, id: &BlockId) {
        let Some(mut marks) = self.marks.remove(id) else { return };
        marks.sort_by_key(|&(page, offset)| (offset, page));
        for (page, offset) in marks {
            if offset == 0 {
                self.page_break(page);
            } else {
                self.armed.push((page, offset));
            }
        }
        self.counted = 0;
        self.armed_in = Some(id.clone());
    }

    /// Places marks still armed (their offset was past the block's end).
    fn flush_armed(&mut self) {
        for (page, _) in std::mem::take(&mut self.armed) {
            self.page_break(page);
        }
        self.armed_in = None;
    }

    /// Page marks left over (their blocks are not in this document), at the current position.
    pub fn remaining_marks(&mut self) {
        let ids: Vec<BlockId> = self.marks.keys().cloned().collect();
        for id in ids {
            self.page_marks(&id);
            self.flush_armed();
        }
    }

    /// Inline content.
    pub fn inlines(&mut self, inlines: &[Inline]) {
        crate::model::walk_inlines(inlines, &mut |visit| self.visit(visit));
    }

    /// Blocks, with the page-break markers of the pages that begin in them.
    pub fn blocks<'a>(&mut self, blocks: impl IntoIterator<Item = &'a Block>) {
        crate::model::walk_blocks(blocks, &mut |visit| self.visit(visit));
    }

    /// A list item holding `blocks` (a single paragraph is set without `<p>`).
    pub fn item(&mut self, blocks: &[Block]) {
        self.start("li", &[]);
        self.tight.push(is_tight(blocks));
        self.blocks(blocks);
        self.tight.pop();
        self.end("li");
    }

    /// One step of the model's walk.
    fn visit(&mut self, visit: Visit) {
        match visit {
            Visit::Enter(Node::Block(block)) => self.enter_block(block),
            Visit::Leave(Node::Block(block)) => self.leave_block(block),
            Visit::Enter(Node::Item(item)) => {
                match item.task {
                    // A task: its check box, as a character screen readers name.
                    Some(done) => {
                        self.start("li", &[("class", "task")]);
                        let check = if done { "☑ " } else { "☐ " };
                        // It begins the item's first paragraph, inside its <p>.
                        match item.blocks.first() {
                            Some(Block { kind: BlockKind::Paragraph { .. }, .. }) => self.pending_check = Some(check),
                            _ => self.extra_text(check),
                        }
                    }
                    None => self.start("li", &[]),
                }
                self.tight.push(is_tight(&item.blocks));
            }
            Visit::Leave(Node::Item(_)) => {
                self.tight.pop();
                self.end("li");
            }
            Visit::Enter(Node::Row(row)) => self.enter_row(row),
            Visit::Leave(Node::Row(row)) => {
                self.end("tr");
                if row.header {
                    self.end("thead");
                }
            }
            Visit::Enter(Node::Cell(_, align)) => {
                let tag = if self.table_body { "td" } else { "th" };
                let class = align.css().map(|a| format!("align-{a}"));
                let mut attrs: Vec<(&str, &str)> = Vec::new();
                if tag == "th" {
                    attrs.push(("scope", "col"));
                }
                if let Some(class) = &class {
                    attrs.push(("class", class));
                }
                self.start(tag, &attrs);
            }
            Visit::Leave(Node::Cell(..)) => self.end(if self.table_body { "td" } else { "th" }),
            Visit::Enter(Node::Inline(inline)) => match inline {
                Inline::Text { text } => self.text(text),
                Inline::Strong { .. } => self.start("strong", &[]),
                Inline::Emph { .. } => self.start("em", &[]),
                Inline::Strike { .. } => self.start("del", &[]),
                Inline::NoteRef { note, number, first } => {
                    let href = format!("#{note}");
                    let id = noteref_id(note);
                    let mut attrs = vec![("href", href.as_str()), ("epub:type", "noteref"), ("role", "doc-noteref")];
                    // Later references repeat the number; the note links back to the first.
                    if *first {
                        attrs.push(("id", &id));
                    }
                    self.start("sup", &[]);
                    self.start("a", &attrs);
                    self.extra_text(&number.to_string());
                    self.end("a");
                    self.end("sup");
                }
                Inline::Code { text } => self.element("code", &[], text),
                Inline::Linebreak => self.empty("br", &[]),
                Inline::Link { target: LinkTarget::Url { url }, .. } => self.start("a", &[("href", url)]),
                Inline::Link { target: LinkTarget::Entry { id }, .. } => {
                    let href = self.flavour.href(id);
                    self.start("a", &[("href", &href)]);
                }
                // The address is unknown: text, never a dead link.
                Inline::Link { target: LinkTarget::Unknown, .. } => self.start("span", &[("class", "link-unknown")]),
            },
            Visit::Leave(Node::Inline(inline)) => match inline {
                Inline::Strong { .. } => self.end("strong"),
                Inline::Emph { .. } => self.end("em"),
                Inline::Strike { .. } => self.end("del"),
                Inline::Link { target: LinkTarget::Unknown, .. } => self.end("span"),
                Inline::Link { .. } => self.end("a"),
                Inline::Text { .. } | Inline::Code { .. } | Inline::NoteRef { .. } | Inline::Linebreak => {}
            },
        }
    }

    fn enter_row(&mut self, row: &TableRow) {
        if row.header {
            self.start("thead", &[]);
        } else if !self.table_body {
            self.start("tbody", &[]);
            self.table_body = true;
        }
        self.start("tr", &[]);
    }

    fn enter_block(&mut self, block: &Block) {
        self.page_marks(&block.id);
        // A block in another language than its document's says which.
        let language: Vec<(&'static str, &str)> = block.language.as_ref().map_or_else(Vec::new, |l| {
            vec![("lang", l.tag.as_str()), ("xml:lang", l.tag.as_str()), ("dir", l.direction.as_str())]
        });
        let with = |attrs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            attrs.iter().chain(&language).map(|(k, v)| (*k, v.to_string())).collect()
        };
        match &block.kind {
            BlockKind::Paragraph { .. } if self.tight.last() == Some(&true) => {}
            BlockKind::Paragraph { .. } => self.start_owned("p", &with(&[])),
            BlockKind::Table { columns, .. } => {
                self.table_body = false;
                // On the web a wide table scrolls in a region of its own
                // (reachable by keyboard), the page never does; it stays a table.
                if let Flavour::Web { table_label, .. } = &self.flavour {
                    let label = table_label.clone();
                    self.start(
                        "div",
                        &[("class", "table-scroll"), ("role", "region"), ("aria-label", &label), ("tabindex", "0")],
                    );
                }
                // More columns than a phone's width holds at the text's size.
                let wide = columns.len() > WIDE_TABLE_COLUMNS;
                self.start_owned("table", &with(if wide { &[("class", "wide")] } else { &[] }));
            }
            BlockKind::Heading { level, .. } => {
                self.start_owned(&self.heading_name((*level).max(2)), &with(&[("id", &block.id.0)]))
            }
            BlockKind::List { ordered, start, .. } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let start = start.to_string();
                if *ordered && start != "1" {
                    self.start_owned(tag, &with(&[("start", &start)]));
                } else {
                    self.start_owned(tag, &with(&[]));
                }
                // Items inside are not tight unless they say so.
            }
            BlockKind::Quote { .. } => self.start_owned("blockquote", &with(&[])),
            BlockKind::Figure { image, caption } => {
                self.start("figure", &[]);
                let src = media_path(&image.file);
                let mut attrs = vec![("src", src.as_str()), ("alt", image.alt.as_str())];
                // A web page keeps the image's room while it loads, and loads it when near.
                let size = match &self.flavour {
                    Flavour::Web { sizes, .. } => sizes.get(&image.file).map(|(w, h)| (w.to_string(), h.to_string())),
                    Flavour::Epub => None,
                };
                if let Some((width, height)) = &size {
                    attrs.extend([("width", width.as_str()), ("height", height.as_str()), ("loading", "lazy")]);
                }
                self.empty("img", &attrs);
                if !caption.is_empty() {
                    self.start("figcaption", &[]);
                }
            }
            // The caption of a photo that is missing: a note, not a figure without an image.
            BlockKind::CaptionNote { .. } => self.start("p", &[("class", "caption-note"), ("role", "note")]),
            BlockKind::Code { text } => {
                self.start("pre", &[]);
                self.element("code", &[], text);
            }
            BlockKind::Rule => self.empty("hr", &[]),
        }
        if let Some(check) = self.pending_check.take() {
            self.extra_text(check);
        }
        // A note's first block begins with the note's number, linking back.
        self.write_backlink();
        if matches!(block.kind, BlockKind::List { .. } | BlockKind::Quote { .. }) {
            // A nested container's paragraphs get their own <p>.
            self.tight.push(false);
        }
    }

    fn leave_block(&mut self, block: &Block) {
        if matches!(block.kind, BlockKind::List { .. } | BlockKind::Quote { .. }) {
            self.tight.pop();
        }
        match &block.kind {
            BlockKind::Paragraph { .. } if self.tight.last() == Some(&true) => {}
            BlockKind::Paragraph { .. } => self.end("p"),
            BlockKind::Heading { level, .. } => self.end(&self.heading_name((*level).max(2))),
            BlockKind::List { ordered, .. } => self.end(if *ordered { "ol" } else { "ul" }),
            BlockKind::Quote { .. } => self.end("blockquote"),
            BlockKind::Figure { caption, .. } => {
                if !caption.is_empty() {
                    self.end("figcaption");
                }
                self.end("figure");
            }
            BlockKind::CaptionNote { .. } => self.end("p"),
            BlockKind::Code { .. } => self.end("pre"),
            BlockKind::Table { .. } => {
                if std::mem::take(&mut self.table_body) {
                    self.end("tbody");
                }
                self.end("table");
                if matches!(self.flavour, Flavour::Web { .. }) {
                    self.end("div");
                }
            }
            BlockKind::Rule => {}
        }
        if self.armed_in.as_ref() == Some(&block.id) {
            self.flush_armed();
        }
    }
}

/// Tables with more columns are set smaller, their cells breaking anywhere.
const WIDE_TABLE_COLUMNS: usize = 4;

/// The id of a note's first reference, which its back link goes to.
fn noteref_id(note: &BlockId) -> String {
    format!("ref-{note}")
}

/// Whether a list item is a single paragraph.
fn is_tight(blocks: &[Block]) -> bool {
    matches!(blocks, [Block { kind: BlockKind::Paragraph { .. }, .. }])
}

/// The structural semantics of an entry: `epub:type` and ARIA role.
pub fn semantics(kind: EntryKind) -> (&'static str, &'static str) {
    match kind {
        EntryKind::Cover => ("cover", "doc-cover"),
        EntryKind::Contents => ("toc", "doc-toc"),
        EntryKind::Acknowledgements => ("acknowledgments", "doc-acknowledgments"),
        EntryKind::Front => ("introduction", "doc-introduction"),
        EntryKind::Story => ("chapter", "doc-chapter"),
        EntryKind::Back => ("colophon", "doc-colophon"),
    }
}

fn write(w: &mut Writer<Vec<u8>>, event: Event) {
    // Writing to a Vec cannot fail.
    w.write_event(event).expect("writing XML to memory");
}

fn raw(w: &mut Writer<Vec<u8>>, s: &str) {
    w.get_mut().extend_from_slice(s.as_bytes());
}

fn start(w: &mut Writer<Vec<u8>>, name: &str, attrs: &[(&str, &str)]) {
    write(w, Event::Start(element(name, attrs)));
}

fn empty(w: &mut Writer<Vec<u8>>, name: &str, attrs: &[(&str, &str)]) {
    write(w, Event::Empty(element(name, attrs)));
}

fn element<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let clean: Vec<(&str, String)> = attrs.iter().map(|(k, v)| (*k, xml_safe(v))).collect();
    BytesStart::new(name).with_attributes(clean.iter().map(|(k, v)| (*k, v.as_str())))
}

fn end(w: &mut Writer<Vec<u8>>, name: &str) {
    write(w, Event::End(BytesEnd::new(name)));
}

fn text(w: &mut Writer<Vec<u8>>, s: &str) {
    write(w, Event::Text(BytesText::new(&xml_safe(s))));
}

/// Drops the characters XML 1.0 forbids even when escaped (most control
/// characters, U+FFFE, U+FFFF).
pub fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || !(c < '\u{20}' || c == '\u{FFFE}' || c == '\u{FFFF}'))
        .collect()
}
