//! The model → XHTML content documents, written with quick-xml so that every
//! character is escaped and every document is well-formed.

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::model::{Block, Entry, EntryKind, Inline, LinkTarget, Publication};

/// Print pages that begin in a block, by block id: (page, non-whitespace
/// characters of the block's text before the page begins).
pub type PageMarks = BTreeMap<String, Vec<(usize, usize)>>;

/// Where an EPUB file keeps an edition's image, by its published name.
pub fn media_path(name: &str) -> String {
    format!("media/{name}")
}

/// The XHTML file name of an entry.
pub fn file_name(id: &str) -> String {
    format!("{id}.xhtml")
}

/// An XHTML document under construction.
pub struct Xhtml {
    writer: Writer<Vec<u8>>,
    marks: PageMarks,
    /// Marks waiting inside the current block, by character offset (ascending).
    armed: Vec<(usize, usize)>,
    /// Non-whitespace characters written so far in the current block.
    counted: usize,
    /// Print pages marked in this document, for the page list.
    pub pages: Vec<usize>,
}

impl Xhtml {
    /// Starts a document: XML declaration, doctype, `<html>` with language and direction, `<head>`.
    pub fn new(publication: &Publication, title: &str, marks: PageMarks) -> Self {
        let mut writer = Writer::new(Vec::new());
        let meta = &publication.meta;
        let w = &mut writer;
        write(w, Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        raw(w, "\n<!DOCTYPE html>\n");
        let dir = match meta.direction {
            crate::model::Direction::Ltr => "ltr",
            crate::model::Direction::Rtl => "rtl",
        };
        start(
            w,
            "html",
            &[
                ("xmlns", "http://www.w3.org/1999/xhtml"),
                ("xmlns:epub", "http://www.idpf.org/2007/ops"),
                ("lang", &meta.language),
                ("xml:lang", &meta.language),
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
        Self { writer, marks, armed: Vec::new(), counted: 0, pages: Vec::new() }
    }

    /// Closes the document and returns its bytes.
    pub fn finish(mut self) -> (Vec<u8>, Vec<usize>) {
        end(&mut self.writer, "html");
        raw(&mut self.writer, "\n");
        (self.writer.into_inner(), self.pages)
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        start(&mut self.writer, name, attrs);
    }

    pub fn end(&mut self, name: &str) {
        end(&mut self.writer, name);
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        empty(&mut self.writer, name, attrs);
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
    pub fn page_marks(&mut self, id: &str) {
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
    }

    /// Places marks still armed (their offset was past the block's end).
    fn flush_armed(&mut self) {
        for (page, _) in std::mem::take(&mut self.armed) {
            self.page_break(page);
        }
    }

    /// Page marks left over (their blocks are not in this document), at the current position.
    pub fn remaining_marks(&mut self) {
        let ids: Vec<String> = self.marks.keys().cloned().collect();
        for id in ids {
            self.page_marks(&id);
            self.flush_armed();
        }
    }

    pub fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match inline {
                Inline::Text { text } => self.text(text),
                Inline::Strong { content } => {
                    self.start("strong", &[]);
                    self.inlines(content);
                    self.end("strong");
                }
                Inline::Emph { content } => {
                    self.start("em", &[]);
                    self.inlines(content);
                    self.end("em");
                }
                Inline::Code { text } => {
                    self.start("code", &[]);
                    self.text(text);
                    self.end("code");
                }
                Inline::Linebreak => self.empty("br", &[]),
                Inline::Link { target, content } => match target {
                    LinkTarget::Url { url } => {
                        self.start("a", &[("href", url)]);
                        self.inlines(content);
                        self.end("a");
                    }
                    LinkTarget::Entry { id } => {
                        self.start("a", &[("href", &file_name(id))]);
                        self.inlines(content);
                        self.end("a");
                    }
                    LinkTarget::Unknown => {
                        // The address is unknown: text, never a dead link.
                        self.start("span", &[("class", "link-unknown")]);
                        self.inlines(content);
                        self.end("span");
                    }
                },
            }
        }
    }

    /// A block; `id` is its marker id (top-level blocks only).
    pub fn block(&mut self, block: &Block, id: Option<&str>) {
        if let Some(id) = id {
            self.page_marks(id);
        }
        self.block_body(block, id);
        if id.is_some() {
            self.flush_armed();
        }
    }

    fn block_body(&mut self, block: &Block, id: Option<&str>) {
        match block {
            Block::Paragraph { content } => {
                self.start("p", &[]);
                self.inlines(content);
                self.end("p");
            }
            Block::Heading { level, content } => {
                let tag = format!("h{}", level.clamp(&2, &6));
                match id {
                    Some(id) => self.start(&tag, &[("id", id)]),
                    None => self.start(&tag, &[]),
                }
                self.inlines(content);
                self.end(&tag);
            }
            Block::List { ordered, start, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let start_attr = start.to_string();
                if *ordered && *start != 1 {
                    self.start(tag, &[("start", &start_attr)]);
                } else {
                    self.start(tag, &[]);
                }
                for item in items {
                    self.start("li", &[]);
                    match item.as_slice() {
                        [Block::Paragraph { content }] => self.inlines(content),
                        blocks => blocks.iter().for_each(|b| self.block(b, None)),
                    }
                    self.end("li");
                }
                self.end(tag);
            }
            Block::Quote { blocks } => {
                self.start("blockquote", &[]);
                blocks.iter().for_each(|b| self.block(b, None));
                self.end("blockquote");
            }
            Block::Figure { image, caption } => {
                match image {
                    Some(_) => self.start("figure", &[]),
                    None => self.start("figure", &[("class", "caption-only")]),
                }
                if let Some(image) = image {
                    self.empty("img", &[("src", &media_path(&image.file)), ("alt", &image.alt)]);
                }
                if !caption.is_empty() {
                    self.start("figcaption", &[]);
                    self.inlines(caption);
                    self.end("figcaption");
                }
                self.end("figure");
            }
            Block::Code { text } => {
                self.start("pre", &[]);
                self.start("code", &[]);
                self.text(text);
                self.end("code");
                self.end("pre");
            }
            Block::Rule => self.empty("hr", &[]),
        }
    }

    /// Every block of an entry, with its marker ids.
    pub fn entry_blocks(&mut self, entry: &Entry) {
        for (i, block) in entry.blocks.iter().enumerate() {
            self.block(block, Some(&format!("{}-{i}", entry.id)));
        }
    }
}

/// The structural semantics of an entry: `epub:type` and ARIA role.
pub fn semantics(kind: EntryKind) -> (&'static str, &'static str) {
    match kind {
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
