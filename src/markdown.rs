//! PARSE: Markdown (pulldown-cmark) → the document model, once, for both renderers.
//!
//! Problems are reported against the Markdown file's own lines: links whose
//! address is unknown (`[text](unknown:)`, a warning), links that go nowhere,
//! images without alt text or whose file is missing, raw HTML.

use std::iter::Peekable;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, OffsetIter, Options, Parser, Tag, TagEnd};

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::files::normalize_relative;
use crate::model::{
    Alignment, Block, BlockId, BlockKind, EntryId, Image, Inline, LinkTarget, ListItem, Note, TableCell, TableRow,
};

/// The scheme that marks a link (or a photo) whose address is not known.
pub const UNKNOWN_SCHEME: &str = "unknown:";

/// Image formats both typst and EPUB readers display.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg"];

/// How deeply quotes and lists may nest inside one another. Everything
/// within the limit renders in both outputs (tested); deeper nesting is a
/// located error, never a stack overflow.
pub const MAX_BLOCK_DEPTH: usize = 8;
/// How deeply emphasis, strong text and links may nest.
pub const MAX_INLINE_DEPTH: usize = 8;

/// Longest link address: browsers and typst stop far below what a hostile
/// file could hold.
pub const MAX_ADDRESS_CHARS: usize = 2000;
/// Longest alt text (it becomes a PDF string, which PDF/A limits).
pub const MAX_ALT_CHARS: usize = 2000;

/// What Markdown parsing needs to know about the edition.
pub struct ParseContext<'a> {
    /// Edition-relative path → entry id, to resolve links between entries.
    pub entries: &'a BTreeMap<String, String>,
    /// Straight quotes, `--` and `...` become typographic (manifest `smart-quotes`).
    pub smart_punctuation: bool,
}

/// A Markdown text parsed into the model.
pub struct Parsed {
    pub blocks: Vec<Block>,
    /// Footnotes, numbered in order of first reference; compose gives them ids.
    pub notes: Vec<Note>,
    /// Where each top-level block is in the file (byte ranges).
    pub spans: Vec<Range<usize>>,
    /// The images it shows, in order, where they are referenced.
    pub images: Vec<ImageUse>,
}

/// How an image is used, which decides the size it is printed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageRole {
    /// A photo or graphic in a story: as wide as the text column, at most 11 cm tall.
    Figure,
    /// The cover's logo, 22 mm tall.
    Logo,
    /// The cover photo: across the cover's colour field, into the bleed.
    CoverPhoto,
}

/// Where an image is referenced: the images stage reads and checks the file
/// and reports its problems here.
#[derive(Debug, Clone)]
pub struct ImageUse {
    /// Edition-relative, normalised path.
    pub src: String,
    /// The path as written.
    pub written: String,
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    /// What the image is used as (a story's figure, the cover's logo).
    pub role: ImageRole,
}

/// Parses the body of `file` starting at byte `start`.
pub fn parse(
    file: &Arc<SourceFile>,
    start: usize,
    rel_path: &str,
    context: &ParseContext,
    diags: &mut Diagnostics,
) -> Parsed {
    let body = word_bullets(&file.text[start..]);
    let mut parser = BlockParser {
        events: Parser::new_ext(&body, options(context)).into_offset_iter().peekable(),
        text: &body,
        file,
        start,
        rel_path,
        context,
        diags,
        heading_level: 1,
        depth: 0,
        inline_depth: 0,
        images: Vec::new(),
        spans: Vec::new(),
        note_numbers: BTreeMap::new(),
        definitions: Vec::new(),
        tasks: Vec::new(),
        in_note: 0,
    };
    let blocks = parser.blocks(None);
    let notes = parser.notes();
    parser.check_literal_markup(&blocks);
    Parsed { blocks, notes, spans: parser.spans, images: parser.images }
}

/// CommonMark with GitHub's extensions: tables, footnotes, strikethrough,
/// task lists. (pulldown-cmark's sub- and superscript cannot stand inside a
/// word, where they are wanted — `H~2~O` — so they stay off, and a warning
/// suggests the Unicode characters instead.) Text is printed exactly as written,
/// unless the edition asks for typographic punctuation (the quotes are then
/// made the language's in compose): the one place that decides it.
fn options(context: &ParseContext) -> Options {
    let mut options = syntax();
    if context.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// The Markdown syntax anthology reads (without typographic punctuation):
/// also what the translation units are cut from.
pub fn syntax() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Most columns a table may have: more cannot be read on an A4 page.
pub const MAX_TABLE_COLUMNS: usize = 12;
/// Longest word a cell of a table of three columns or more holds safely.
pub const MAX_CELL_WORD_CHARS: usize = 30;

/// Columns a tab advances code to the next multiple of.
pub const TAB_WIDTH: usize = 4;

/// Code with its tabs expanded to the next multiple of [`TAB_WIDTH`]
/// columns, so that both outputs line it up the same way.
fn expand_tabs(code: &str) -> String {
    if !code.contains('\t') {
        return code.to_string();
    }
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let mut column = 0;
        for c in line.chars() {
            if c == '\t' {
                let to = TAB_WIDTH - column % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', to));
                column += to;
            } else {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// An inline piece before paragraphs are assembled: images only make sense at
/// the start of a paragraph (as figures), so they are kept apart.
enum Piece {
    Inline(Inline),
    Image { image: Option<Image>, span: Range<usize> },
}

struct BlockParser<'a, 'c> {
    events: Peekable<OffsetIter<'a>>,
    /// The text parsed: the body, its Word bullets made list markers.
    text: &'a str,
    file: &'a Arc<SourceFile>,
    start: usize,
    rel_path: &'a str,
    context: &'a ParseContext<'c>,
    diags: &'a mut Diagnostics,
    heading_level: u8,
    /// Open containers (quotes, lists; emphasis, links) around the current event.
    depth: usize,
    inline_depth: usize,
    images: Vec<ImageUse>,
    /// Spans of the top-level blocks.
    spans: Vec<Range<usize>>,
    /// Footnote label (lower case) → its number, in order of first reference.
    note_numbers: BTreeMap<String, usize>,
    /// Footnote definitions as written: label (lower case), blocks, where.
    definitions: Vec<(String, Vec<Block>, Range<usize>)>,
    /// For each open list item: its task marker, once met.
    tasks: Vec<Option<bool>>,
    /// Inside a footnote's definition (> 0).
    in_note: usize,
}

fn is_inline(event: &Event) -> bool {
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_)
        | Event::TaskListMarker(_)
        | Event::InlineMath(_) => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        _ => false,
    }
}

impl BlockParser<'_, '_> {
    fn span(&self, range: &Range<usize>) -> Range<usize> {
        range.start + self.start..range.end + self.start
    }

    fn warn(&mut self, range: &Range<usize>, diagnostic: Diagnostic) {
        let span = self.span(range);
        self.diags.push(diagnostic.at(self.file, span));
    }

    /// Block-level content until `until` closes (or the document ends).
    fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
        let mut blocks = Vec::new();
        while let Some((event, range)) = self.events.peek().cloned() {
            if is_inline(&event) {
                // Tight list items hold inline content with no paragraph around it.
                let pieces = self.pieces(None);
                blocks.extend(self.paragraph(pieces));
                continue;
            }
            self.events.next();
            let before = blocks.len();
            match event {
                Event::End(end) if Some(end) == until => break,
                Event::End(_) => {}
                Event::Start(Tag::Paragraph) => {
                    let pieces = self.pieces(Some(TagEnd::Paragraph));
                    self.check_unparsed_links(&range, &pieces);
                    blocks.extend(self.paragraph(pieces));
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let pieces = self.pieces(Some(TagEnd::Heading(level)));
                    let content = self.inlines_only(pieces);
                    if crate::model::plain_text(&content).trim().is_empty() {
                        self.warn(
                            &range,
                            Diagnostic::warning("this heading is empty; it is left out")
                                .hint("write the heading's text after the #, or remove the line"),
                        );
                        continue;
                    }
                    // Level 1 is the entry's own title; keep levels from skipping.
                    let wanted = (level as u8).max(2);
                    let level = wanted.min(self.heading_level + 1);
                    self.heading_level = level;
                    blocks.push(Block::new(BlockKind::Heading { level, content }));
                }
                Event::Start(Tag::BlockQuote(_) | Tag::List(_)) if self.depth >= MAX_BLOCK_DEPTH => {
                    self.too_deep(&range, "quotes and lists", MAX_BLOCK_DEPTH);
                }
                Event::Start(Tag::BlockQuote(_)) => {
                    self.depth += 1;
                    let inner = self.blocks(Some(TagEnd::BlockQuote(None)));
                    self.depth -= 1;
                    if !inner.is_empty() {
                        blocks.push(Block::new(BlockKind::Quote { blocks: inner }));
                    }
                }
                Event::Start(Tag::List(start)) => {
                    self.depth += 1;
                    let mut items = Vec::new();
                    loop {
                        match self.events.next() {
                            Some((Event::Start(Tag::Item), _)) => {
                                self.tasks.push(None);
                                let blocks = self.blocks(Some(TagEnd::Item));
                                let task = self.tasks.pop().flatten();
                                items.push(ListItem { blocks, task });
                            }
                            Some((Event::End(TagEnd::List(_)), _)) | None => break,
                            Some(_) => {}
                        }
                    }
                    self.depth -= 1;
                    blocks.push(Block::new(BlockKind::List {
                        ordered: start.is_some(),
                        start: start.unwrap_or(1),
                        items,
                    }));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let mut text = String::new();
                    for (event, _) in self.events.by_ref() {
                        match event {
                            Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    if let CodeBlockKind::Indented = kind {
                        self.warn(
                            &range,
                            Diagnostic::warning("indented text is printed as preformatted code")
                                .hint("remove the leading spaces if this is meant to be a paragraph"),
                        );
                    }
                    let text = expand_tabs(text.trim_end_matches('\n'));
                    blocks.push(Block::new(BlockKind::Code { text }));
                }
                Event::Start(Tag::HtmlBlock) => {
                    let mut text = String::new();
                    for (event, _) in self.events.by_ref() {
                        match event {
                            Event::Html(t) | Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::HtmlBlock) => break,
                            _ => {}
                        }
                    }
                    if is_comment(&text) {
                        self.warn(&range, comment_note());
                        continue;
                    }
                    self.warn(&range, html_warning());
                    blocks.push(Block::paragraph(text.trim_end()));
                }
                Event::Rule => blocks.push(Block::new(BlockKind::Rule)),
                Event::Start(Tag::Table(alignments)) => blocks.extend(self.table(&alignments, &range)),
                Event::Start(Tag::FootnoteDefinition(_)) if self.depth >= MAX_BLOCK_DEPTH => {
                    self.too_deep(&range, "quotes and lists", MAX_BLOCK_DEPTH);
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    // A note's text is kept apart, and set where it is referred to.
                    self.depth += 1;
                    self.in_note += 1;
                    let inner = self.blocks(Some(TagEnd::FootnoteDefinition));
                    self.in_note -= 1;
                    self.depth -= 1;
                    self.definitions.push((label.to_lowercase(), inner, range.clone()));
                }
                Event::Start(_) => {
                    // Constructs we did not enable (math, GFM alerts …) never start here.
                }
                _ => {}
            }
            if self.depth == 0 && blocks.len() > before {
                let span = self.span(&range);
                self.spans.extend(std::iter::repeat_n(span, blocks.len() - before));
            }
        }
        blocks
    }

    /// Inline pieces until `until` closes; with `None`, until the next block-level event.
    fn pieces(&mut self, until: Option<TagEnd>) -> Vec<Piece> {
        let mut pieces = Vec::new();
        while let Some((event, _)) = self.events.peek() {
            if until.is_none() && !is_inline(event) {
                break;
            }
            let (event, range) = self.events.next().expect("peeked");
            match event {
                Event::End(end) if Some(end) == until => break,
                Event::Start(_) if self.inline_depth >= MAX_INLINE_DEPTH => {
                    self.too_deep(&range, "emphasis, strong text and links", MAX_INLINE_DEPTH);
                }
                Event::Text(text) => pieces.push(Piece::Inline(Inline::text(text.into_string()))),
                Event::Code(text) => pieces.push(Piece::Inline(Inline::Code { text: text.into_string() })),
                Event::SoftBreak => pieces.push(Piece::Inline(Inline::text(" "))),
                Event::HardBreak => pieces.push(Piece::Inline(Inline::Linebreak)),
                Event::InlineHtml(html) | Event::Html(html) if html.starts_with("<!--") => {
                    // A comment is left out up to its end, which may be in a later event.
                    let mut end = range.end;
                    if !html.contains("-->") {
                        while let Some((event, range)) = self.events.next_if(|(e, _)| is_inline(e)) {
                            end = range.end;
                            if matches!(&event, Event::InlineHtml(t) | Event::Text(t) if t.contains("-->")) {
                                break;
                            }
                        }
                    }
                    self.warn(&(range.start..end), comment_note());
                }
                Event::InlineHtml(html) | Event::Html(html) => {
                    self.warn(&range, html_warning());
                    pieces.push(Piece::Inline(Inline::text(html.into_string())));
                }
                Event::FootnoteReference(name)
                    if self.in_note > 0 && !self.note_numbers.contains_key(&name.to_lowercase()) =>
                {
                    // A note that only notes refer to would be set inside itself, or nowhere.
                    self.warn(
                        &range,
                        Diagnostic::warning(format!(
                            "the footnote [^{name}] is referred to only from another footnote, so it is printed as written"
                        ))
                        .hint(format!("refer to [^{name}] in the text, or write its words into the note")),
                    );
                    pieces.push(Piece::Inline(Inline::text(format!("[^{name}]"))));
                }
                Event::FootnoteReference(name) => {
                    let next = self.note_numbers.len() + 1;
                    let label = name.to_lowercase();
                    let first = !self.note_numbers.contains_key(&label);
                    let number = *self.note_numbers.entry(label).or_insert(next);
                    pieces.push(Piece::Inline(Inline::NoteRef { note: BlockId::default(), number, first }));
                }
                Event::TaskListMarker(done) => {
                    if let Some(task) = self.tasks.last_mut() {
                        *task = Some(done);
                    }
                }
                Event::Start(Tag::Strikethrough) => {
                    let inner = self.nested(TagEnd::Strikethrough);
                    let content = self.inlines_only(inner);
                    pieces.push(Piece::Inline(Inline::Strike { content }));
                }
                Event::InlineMath(text) | Event::DisplayMath(text) => {
                    pieces.push(Piece::Inline(Inline::text(text.into_string())))
                }
                Event::Start(Tag::Emphasis) => {
                    let inner = self.nested(TagEnd::Emphasis);
                    let content = self.inlines_only(inner);
                    pieces.push(Piece::Inline(Inline::Emph { content }));
                }
                Event::Start(Tag::Strong) => {
                    let inner = self.nested(TagEnd::Strong);
                    let content = self.inlines_only(inner);
                    pieces.push(Piece::Inline(Inline::Strong { content }));
                }
                Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                    let inner = self.nested(TagEnd::Link);
                    let content = self.inlines_only(inner);
                    let target = self.link_target(link_type, &dest_url, &range, &content);
                    pieces.push(Piece::Inline(Inline::Link { target, content }));
                }
                Event::Start(Tag::Image { dest_url, .. }) => {
                    let inner = self.nested(TagEnd::Image);
                    let alt = crate::model::plain_text(&self.inlines_only(inner));
                    let image = self.image(&dest_url, alt, &range);
                    pieces.push(Piece::Image { image, span: range });
                }
                Event::Start(other) => {
                    // Disabled extensions: keep their text.
                    let end = other.to_end();
                    let inner = self.nested(end);
                    pieces.extend(inner);
                }
                _ => {}
            }
        }
        pieces
    }

    /// Inline pieces inside one more container.
    fn nested(&mut self, end: TagEnd) -> Vec<Piece> {
        self.inline_depth += 1;
        let pieces = self.pieces(Some(end));
        self.inline_depth -= 1;
        pieces
    }

    /// Reports a container nested past the limit and skips it whole (its
    /// `Start` is consumed), without recursing.
    fn too_deep(&mut self, range: &Range<usize>, what: &str, limit: usize) {
        let at = range.start..range.start + 1;
        self.warn(
            &at,
            Diagnostic::error(format!("{what} are nested more than {limit} levels deep here"))
                .hint("flatten the structure: deeper nesting cannot be printed"),
        );
        let mut level = 1usize;
        for (event, _) in self.events.by_ref() {
            match event {
                Event::Start(_) => level += 1,
                Event::End(_) => {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }

    /// A table, its `Start` consumed: the header row, then the body rows,
    /// each padded or cut to the number of columns.
    fn table(&mut self, alignments: &[pulldown_cmark::Alignment], range: &Range<usize>) -> Option<Block> {
        let columns: Vec<Alignment> = alignments
            .iter()
            .map(|a| match a {
                pulldown_cmark::Alignment::None => Alignment::None,
                pulldown_cmark::Alignment::Left => Alignment::Left,
                pulldown_cmark::Alignment::Center => Alignment::Center,
                pulldown_cmark::Alignment::Right => Alignment::Right,
            })
            .collect();
        let mut rows: Vec<TableRow> = Vec::new();
        while let Some((event, _)) = self.events.next() {
            match event {
                Event::Start(Tag::TableHead) => rows.push(TableRow { header: true, cells: Vec::new() }),
                Event::Start(Tag::TableRow) => rows.push(TableRow { header: false, cells: Vec::new() }),
                Event::Start(Tag::TableCell) => {
                    let pieces = self.pieces(Some(TagEnd::TableCell));
                    let content = self.inlines_only(pieces);
                    if let Some(row) = rows.last_mut() {
                        row.cells.push(TableCell { content });
                    }
                }
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        for row in &mut rows {
            row.cells.resize_with(columns.len(), || TableCell { content: Vec::new() });
        }
        let at = range.start..range.start + 1;
        if columns.len() > MAX_TABLE_COLUMNS {
            self.warn(
                &at,
                Diagnostic::error(format!(
                    "a table of {} columns cannot be printed across the page; the limit is {MAX_TABLE_COLUMNS}",
                    columns.len()
                ))
                .hint("split it into tables of fewer columns, or turn it so that its columns are rows"),
            );
            return None;
        }
        // A word longer than a narrow column runs into the next one in the PDF.
        let longest = rows
            .iter()
            .flat_map(|r| &r.cells)
            .flat_map(|c| crate::model::plain_text(&c.content).split_whitespace().map(|w| w.chars().count()).max())
            .max()
            .unwrap_or(0);
        if columns.len() > 2 && longest > MAX_CELL_WORD_CHARS {
            self.warn(
                &at,
                Diagnostic::warning(format!(
                    "a word of {longest} characters in this table may run into the next column in the PDF"
                ))
                .hint("shorten it (a link's text need not be its address), or put it in the text below the table"),
            );
        }
        Some(Block::new(BlockKind::Table { columns, rows }))
    }

    /// The notes referred to, in order of first reference; definitions never
    /// referred to get a warning (they are not printed).
    fn notes(&mut self) -> Vec<Note> {
        let mut by_label: BTreeMap<String, Vec<Block>> = BTreeMap::new();
        for (label, blocks, range) in std::mem::take(&mut self.definitions) {
            if by_label.contains_key(&label) {
                self.warn(
                    &range,
                    Diagnostic::warning(format!("the footnote [^{label}] is defined twice; the first is printed"))
                        .hint("give each note a label of its own"),
                );
                continue;
            }
            if blocks.is_empty() {
                self.warn(
                    &range,
                    Diagnostic::warning(format!("the footnote [^{label}] has no text"))
                        .hint(format!("write the note after `[^{label}]: `, or remove it and its references")),
                );
            }
            if !self.note_numbers.contains_key(&label) {
                self.warn(
                    &range,
                    Diagnostic::warning(format!("the footnote [^{label}] is never referred to, so it is not printed"))
                        .hint(format!("refer to it in the text with [^{label}], or remove it")),
                );
                continue;
            }
            by_label.insert(label, blocks);
        }
        let mut numbered: Vec<(usize, String)> = self.note_numbers.iter().map(|(l, &n)| (n, l.clone())).collect();
        numbered.sort();
        numbered
            .into_iter()
            .map(|(number, label)| Note {
                id: BlockId::default(),
                number,
                blocks: by_label.remove(&label).unwrap_or_default(),
            })
            .collect()
    }

    /// Markup that prints as written, with a warning where it is: a
    /// reference to a footnote that no definition gives (`[^9]` with no
    /// `[^9]: …`), and sub- or superscript inside a word (`H~2~O`, `10^3^`).
    fn check_literal_markup(&mut self, blocks: &[Block]) {
        let mut notes = BTreeSet::new();
        let mut scripts = BTreeSet::new();
        crate::model::walk_blocks(blocks, &mut |visit| {
            if let crate::model::Visit::Enter(crate::model::Node::Inline(Inline::Text { text })) = visit {
                notes.extend(undefined_note_references(text));
                scripts.extend(literal_scripts(text));
            }
        });
        for label in notes {
            let written = format!("[^{label}]");
            // The first place it is written unescaped and not as a definition.
            let found = self
                .text
                .match_indices(&written)
                .find(|&(at, _)| !self.text[..at].ends_with('\\') && !self.text[at + written.len()..].starts_with(':'));
            let Some((at, _)) = found else { continue };
            self.warn(
                &(at..at + written.len()),
                Diagnostic::warning(format!("the footnote {written} is not defined, so it is printed as written"))
                    .hint(format!("add its text on a line of its own: {written}: The note's text.")),
            );
        }
        for (written, unicode) in scripts {
            let Some(at) = self.text.find(&written) else { continue };
            let which = if written.contains('~') { "subscript" } else { "superscript" };
            let hint = match unicode {
                Some(unicode) => format!("type the {which} characters instead: {unicode}"),
                None => format!("rephrase, or type Unicode {which} characters"),
            };
            self.warn(
                &(at..at + written.len()),
                Diagnostic::warning(format!(
                    "`{written}` is printed as written: Markdown has no {which} inside a word"
                ))
                .hint(hint),
            );
        }
    }

    /// A paragraph, or a figure when it starts with an image.
    fn paragraph(&mut self, mut pieces: Vec<Piece>) -> Option<Block> {
        if let Some(Piece::Image { .. }) = pieces.first() {
            let Piece::Image { image, .. } = pieces.remove(0) else { unreachable!() };
            let mut caption = self.inlines_only(pieces);
            // The caption starts on the line after the image.
            while let Some(first) = caption.first_mut() {
                match first {
                    Inline::Linebreak => {
                        caption.remove(0);
                    }
                    Inline::Text { text } if text.trim().is_empty() => {
                        caption.remove(0);
                    }
                    Inline::Text { text } => {
                        *text = text.trim_start().to_string();
                        break;
                    }
                    _ => break,
                }
            }
            return Some(Block::new(match image {
                Some(image) => BlockKind::Figure { image, caption },
                // The photo is missing (or refused, and an error says why).
                None => BlockKind::CaptionNote { caption },
            }));
        }
        let content = merge_text(self.inlines_only(pieces));
        if content.is_empty() { None } else { Some(Block::new(BlockKind::Paragraph { content })) }
    }

    /// Inline content where images are not allowed (headings, links, captions …).
    fn inlines_only(&mut self, pieces: Vec<Piece>) -> Vec<Inline> {
        let mut out = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Inline(inline) => out.push(inline),
                Piece::Image { span, .. } => self.warn(
                    &span,
                    Diagnostic::error("an image must start its own paragraph")
                        .hint("put the image on its own line, with a blank line before it; lines right after it are its caption"),
                ),
            }
        }
        merge_text(out)
    }

    fn link_target(&mut self, link_type: LinkType, dest: &str, range: &Range<usize>, content: &[Inline]) -> LinkTarget {
        let dest = dest.trim();
        if dest.chars().count() > MAX_ADDRESS_CHARS {
            self.bad_link(
                range,
                format!("the address is {} characters long; the limit is {MAX_ADDRESS_CHARS}", dest.chars().count()),
                "link to a shorter address (many sites offer one for sharing)",
            );
            return LinkTarget::Unknown;
        }
        if link_type == LinkType::Email {
            return LinkTarget::Url { url: format!("mailto:{dest}") };
        }
        if dest.starts_with(UNKNOWN_SCHEME) {
            let text = crate::model::plain_text(content);
            self.warn(
                range,
                Diagnostic::warning(format!("the address of link “{text}” is unknown; it is printed as plain text"))
                    .hint("replace `unknown:` with the address (https://…) when it is known")
                    .kind("unknown-link"),
            );
            return LinkTarget::Unknown;
        }
        if dest.is_empty() || dest == "#" {
            self.warn(
                range,
                Diagnostic::error("this link has no address")
                    .hint("write the address, or [text](unknown:) if it is not known yet"),
            );
            return LinkTarget::Unknown;
        }
        if let Ok(url) = url::Url::parse(dest) {
            return match url.scheme() {
                "http" | "https" | "ftp" if url.host_str().is_none_or(str::is_empty) => {
                    self.bad_link(range, format!("`{dest}` has no host name"), "check the address");
                    LinkTarget::Unknown
                }
                "http" | "https" | "ftp" | "mailto" | "tel" => LinkTarget::Url { url: url.to_string() },
                scheme if crate::diag::suggest(scheme, [UNKNOWN_SCHEME.trim_end_matches(':')]).is_some() => {
                    self.bad_link(
                        range,
                        format!("`{scheme}:` is not a link address anthology knows"),
                        &format!("did you mean `{UNKNOWN_SCHEME}`, for an address not known yet?"),
                    );
                    LinkTarget::Unknown
                }
                scheme => {
                    self.bad_link(
                        range,
                        format!("links with the scheme `{scheme}:` are not allowed"),
                        "use an https:// or mailto: address",
                    );
                    LinkTarget::Unknown
                }
            };
        }
        if dest.starts_with('#') {
            self.bad_link(
                range,
                format!("`{dest}` links to an anchor, which anthology does not support"),
                "link to a whole story by its file name, e.g. [text](other-story.md)",
            );
            return LinkTarget::Unknown;
        }
        let (path_part, fragment) = dest.split_once('#').unwrap_or((dest, ""));
        if path_part.ends_with(".md") {
            let base = Path::new(self.rel_path).parent().unwrap_or(Path::new(""));
            let joined = base.join(path_part);
            let resolved = normalize_relative(&joined.to_string_lossy());
            if let Some(id) = resolved.ok().and_then(|rel| self.context.entries.get(&rel)) {
                if !fragment.is_empty() {
                    // Said, not dropped in silence: the reader lands at the story's start.
                    self.warn(
                        range,
                        Diagnostic::warning(format!(
                            "`#{fragment}` is left out: the link goes to the start of `{path_part}`"
                        ))
                        .hint(format!("anthology links to whole stories; write [text]({path_part})")),
                    );
                }
                return LinkTarget::Entry { id: EntryId(id.clone()) };
            }
            // The listed file of the same name (any case), as this file should write it.
            let name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_lowercase();
            let meant = self
                .context
                .entries
                .keys()
                .find(|listed| name(listed) == name(path_part))
                .and_then(|listed| pathdiff::diff_paths(listed, base))
                .map(|path| path.to_string_lossy().replace('\\', "/"));
            let hint = match meant {
                Some(meant) => format!("did you mean `{meant}`?"),
                None => "link to a file listed in publication.toml, relative to this file".to_string(),
            };
            self.bad_link(
                range,
                format!("the link to `{path_part}` does not resolve to a story of this edition"),
                &hint,
            );
            return LinkTarget::Unknown;
        }
        let hint = if dest.starts_with("www.") {
            format!("write the full address: https://{dest}")
        } else {
            "write an https:// address, a mailto: address, or a story file name ending in .md".to_string()
        };
        self.bad_link(range, format!("`{dest}` is not a valid link address"), &hint);
        LinkTarget::Unknown
    }

    /// A link whose address has a space is not a link to CommonMark: its
    /// brackets would print as written. Found where the printed text keeps `](`.
    fn check_unparsed_links(&mut self, range: &Range<usize>, pieces: &[Piece]) {
        let printed: String = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Inline(Inline::Text { text }) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if !printed.contains("](") {
            return;
        }
        let source = &self.text[range.clone()];
        for (at, _) in source.match_indices("](") {
            let rest = &source[at + 2..];
            // An address ends on its line, and within a bounded stretch: a
            // paragraph of many `](` must not be scanned once per bracket.
            let Some(close) = rest.bytes().take(MAX_ADDRESS).position(|b| b == b')' || b == b'\n') else { continue };
            let address = &rest[..close];
            let address_trimmed = address.trim();
            // A space before a title (`"…"`, `'…'`, `(…)`) is CommonMark's own.
            let has_title = address_trimmed
                .split_once(char::is_whitespace)
                .is_some_and(|(_, title)| title.trim_start().starts_with(['"', '\'', '(']));
            if !rest[close..].starts_with(')')
                || address.starts_with('<')
                || !address_trimmed.contains(char::is_whitespace)
                || has_title
                || source[..at].ends_with('\\')
            {
                continue;
            }
            // The link text's `[`, looked for in a bounded stretch too.
            let from = at.saturating_sub(MAX_ADDRESS);
            let open = source.as_bytes()[from..at].iter().rposition(|&b| b == b'[').map_or(at, |i| from + i);
            let span = range.start + open..range.start + at + 3 + close;
            self.warn(
                &span,
                Diagnostic::error(format!(
                    "the link address `{}` has a space, so the link prints as written",
                    address.trim()
                ))
                .hint(format!(
                    "write the space as %20 (`{}`), or put the address in <…>: [text](<{}>)",
                    address.trim().replace(' ', "%20"),
                    address.trim()
                )),
            );
        }
    }

    fn bad_link(&mut self, range: &Range<usize>, message: String, hint: &str) {
        self.warn(range, Diagnostic::error(message).hint(hint));
    }

    fn image(&mut self, dest: &str, alt: String, range: &Range<usize>) -> Option<Image> {
        let dest = dest.trim();
        if dest.starts_with(UNKNOWN_SCHEME) {
            if !alt.trim().is_empty() {
                self.warn(
                    range,
                    Diagnostic::warning("the photo is marked unavailable, so its alt text is not used")
                        .hint("write ![](unknown:) followed by the caption"),
                );
            }
            self.warn(
                range,
                Diagnostic::warning("the photo of this caption is missing; the caption is printed as a note")
                    .hint("replace `unknown:` with the photo's path when it arrives, e.g. ../images/photo.jpg")
                    .kind("missing-photo"),
            );
            return None;
        }
        if alt.chars().count() > MAX_ALT_CHARS {
            self.warn(
                range,
                Diagnostic::error(format!(
                    "the alt text is {} characters long; the limit is {MAX_ALT_CHARS}",
                    alt.chars().count()
                ))
                .hint("describe the picture in a sentence or two; longer text belongs in the caption or the story"),
            );
        }
        if alt.trim().is_empty() {
            self.warn(
                range,
                Diagnostic::error("the image has no alt text")
                    .hint("describe the image for readers who cannot see it: ![A woman speaking at a workshop](images/photo.jpg)"),
            );
        }
        let base = Path::new(self.rel_path).parent().unwrap_or(Path::new(""));
        let rel = match normalize_relative(&base.join(dest).to_string_lossy()) {
            Ok(rel) => rel,
            Err(reason) => {
                self.bad_link(
                    range,
                    format!("the image `{dest}` {reason}"),
                    "keep images inside the edition folder, e.g. images/photo.jpg",
                );
                return None;
            }
        };
        if let Err(hint) = check_extension(&rel) {
            self.bad_link(range, format!("`{dest}` is not a supported image format"), hint);
            return None;
        }
        let span = self.span(range);
        self.images.push(ImageUse {
            src: rel.clone(),
            written: dest.to_string(),
            file: self.file.clone(),
            span,
            role: ImageRole::Figure,
        });
        Some(Image { src: rel, alt: alt.trim().to_string(), file: String::new() })
    }
}

/// Labels of `[^label]` references left in printed text (pulldown-cmark
/// prints a reference to an undefined footnote as written).
fn undefined_note_references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("[^") {
        let after = &rest[at + 2..];
        // A label is short: the `]` is looked for in a bounded stretch, so
        // a text of many `[^` stays linear.
        match after.char_indices().take(101).find(|&(_, c)| c == ']').map(|(i, _)| i) {
            Some(end) if end > 0 && end <= 100 && !after[..end].contains(char::is_whitespace) => {
                out.push(after[..end].to_string());
                rest = &after[end..];
            }
            _ => rest = after,
        }
    }
    out
}

/// Sub- and superscripts written inside a word (`H~2~O`, `10^3^`), which
/// print as written: each with its Unicode spelling, when there is one.
fn literal_scripts(text: &str) -> Vec<(String, Option<String>)> {
    const SUB: (&str, &str) = ("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎");
    const SUP: (&str, &str) = ("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ");
    let mut out = Vec::new();
    for (delimiter, (from, to)) in [('~', SUB), ('^', SUP)] {
        for (at, _) in text.match_indices(delimiter) {
            let before = text[..at].chars().next_back();
            let inner: String =
                text[at + 1..].chars().take_while(|&c| c != delimiter && !c.is_whitespace()).take(11).collect();
            let closes = text[at + 1 + inner.len()..].starts_with(delimiter);
            if !before.is_some_and(char::is_alphanumeric) || inner.is_empty() || inner.chars().count() > 10 || !closes {
                continue;
            }
            let unicode: Option<String> =
                inner.chars().map(|c| from.chars().position(|f| f == c).and_then(|i| to.chars().nth(i))).collect();
            let word_start = text[..at]
                .rfind(|c: char| !c.is_alphanumeric())
                .map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
            let written = format!("{}{delimiter}{inner}{delimiter}", &text[word_start..at]);
            let spelled = unicode.map(|u| format!("{}{u}", &text[word_start..at]));
            out.push((written, spelled));
        }
    }
    out
}

/// Whether a path names an image format anthology prints; the hint says what to do if not.
pub fn check_extension(rel: &str) -> Result<(), &'static str> {
    let extension = Path::new(rel).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        e if IMAGE_EXTENSIONS.contains(&e) => Ok(()),
        "tif" | "tiff" | "heic" | "heif" | "bmp" | "psd" => {
            Err("EPUB readers cannot show this format: save the photo as JPEG (or PNG for graphics)")
        }
        _ => Err("use PNG, JPEG, GIF, WebP or SVG images"),
    }
}

/// An HTML comment is an editor's note: never printed.
fn is_comment(html: &str) -> bool {
    let html = html.trim();
    html.starts_with("<!--") && html.ends_with("-->")
}

fn comment_note() -> Diagnostic {
    Diagnostic::warning("an editor's note (`<!-- … -->`) is left out of the publication")
        .kind("editor-note")
        .hint("remove it when it is done; it is never printed")
}

/// The longest link address looked for after a `](` printed as text.
const MAX_ADDRESS: usize = 2048;

/// Bullets Word pastes at the start of a line.
const WORD_BULLETS: &[char] = &['•', '◦', '▪', '\u{F0B7}'];

/// Lines that start with a bullet pasted from Word read as list items: the
/// bullet becomes `-` padded with spaces to the same length, so that every
/// offset still points at the same place of the file. Code blocks are kept.
fn word_bullets(body: &str) -> std::borrow::Cow<'_, str> {
    if !body.contains(WORD_BULLETS) {
        return body.into();
    }
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<&str> = None;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - trimmed.len();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        // A bullet, a space, then the item's text (not `• • •`, a section break).
        let mut chars = trimmed.chars();
        let (first, second) = (chars.next(), chars.next());
        let text = chars.as_str().trim_start();
        let item = matches!(second, Some(' ' | '\t')) && !text.is_empty() && !text.starts_with(WORD_BULLETS);
        match first {
            Some(bullet) if item && fence.is_none() && indent < 4 && WORD_BULLETS.contains(&bullet) => {
                out.push_str(&line[..indent]);
                out.push('-');
                out.extend(std::iter::repeat_n(' ', bullet.len_utf8() - 1));
                out.push_str(&trimmed[bullet.len_utf8()..]);
            }
            _ => out.push_str(line),
        }
    }
    out.into()
}

fn html_warning() -> Diagnostic {
    Diagnostic::warning("HTML is not interpreted; it is printed as written")
        .hint("use Markdown instead, or escape `<` as `\\<`")
}

/// Joins neighbouring text runs, so renderers see words, not fragments.
fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        if let (Some(Inline::Text { text: last }), Inline::Text { text }) = (out.last_mut(), &inline) {
            last.push_str(text);
            continue;
        }
        out.push(inline);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::plain_text;

    fn parse_md(text: &str) -> (Vec<Block>, Vec<String>) {
        let file = SourceFile::new("stories/a.md", text);
        let entries = BTreeMap::from([("stories/b.md".to_string(), "b".to_string())]);
        let context = ParseContext { entries: &entries, smart_punctuation: false };
        let mut diags = Diagnostics::default();
        let parsed = parse(&file, 0, "stories/a.md", &context, &mut diags);
        (parsed.blocks, diags.items().iter().map(|d| d.short()).collect())
    }

    #[test]
    fn a_space_in_a_link_address_is_an_error_but_a_title_is_not() {
        let (_, diags) =
            parse_md("See [a](https://x.org/a b.html) and [b](https://x.org \"Title\") and \\[c\\](d e).\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].starts_with("stories/a.md:1:5: error: the link address `https://x.org/a b.html` has a space"),
            "{diags:?}"
        );
    }

    #[test]
    fn word_bullets_are_a_list_and_comments_are_left_out() {
        let (blocks, diags) =
            parse_md("Three steps:\n• plan the work\n•\tdo it\n  ◦ check it\n\n```\n• kept in code\n```\n");
        assert!(diags.is_empty(), "{diags:?}");
        let BlockKind::List { items, ordered: false, .. } = &blocks[1].kind else { panic!("{blocks:?}") };
        let texts: Vec<String> = items
            .iter()
            .map(|i| match &i.blocks[0].kind {
                BlockKind::Paragraph { content } => plain_text(content),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(texts, ["plan the work", "do it", "check it"]);
        assert_eq!(blocks[2].kind, BlockKind::Code { text: "• kept in code".into() });
        // A section break of bullets, and a bullet alone, are not list items.
        let (blocks, _) = parse_md("Steps:\n•\n\n• • •\n");
        assert!(
            blocks.iter().all(|b| !matches!(b.kind, BlockKind::List { .. } | BlockKind::Heading { .. })),
            "{blocks:?}"
        );

        let (blocks, diags) = parse_md("<!-- TODO: ask for a photo -->\n\nText <!-- check the\nfigure --> goes on.\n");
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        let BlockKind::Paragraph { content } = &blocks[0].kind else { panic!("{blocks:?}") };
        assert_eq!(plain_text(content), "Text  goes on.");
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(diags[0].starts_with("stories/a.md:1:1: warning: an editor's note"), "{diags:?}");
        assert!(diags[1].starts_with("stories/a.md:3:6: warning: an editor's note"), "{diags:?}");
    }

    fn paragraph_text(block: &Block) -> String {
        match &block.kind {
            BlockKind::Paragraph { content } => plain_text(content),
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn tables_keep_their_alignment_escaped_pipes_and_shape() {
        let (blocks, diags) = parse_md("| a | b | c |\n|:--|--:|:-:|\n| x \\| y | **z** |\n| short |\n");
        assert!(diags.is_empty(), "{diags:?}");
        let BlockKind::Table { columns, rows } = &blocks[0].kind else { panic!("{blocks:?}") };
        assert_eq!(columns, &[Alignment::Left, Alignment::Right, Alignment::Center]);
        assert_eq!(rows.len(), 3);
        assert!(rows[0].header && !rows[1].header);
        assert_eq!(plain_text(&rows[1].cells[0].content), "x | y");
        assert!(matches!(rows[1].cells[1].content[0], Inline::Strong { .. }));
        // A short row is padded to the number of columns.
        assert_eq!(rows[2].cells.len(), 3);
        assert!(rows[2].cells[2].content.is_empty());
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_kept_apart() {
        let file = SourceFile::new(
            "stories/a.md",
            "B[^b] then A[^a] and B again[^b] and C[^c].\n\n[^a]: Note A.\n\n[^b]: Note B.\n\n    More of B.\n\n[^z]: Never used.\n",
        );
        let entries = BTreeMap::new();
        let context = ParseContext { entries: &entries, smart_punctuation: false };
        let mut diags = Diagnostics::default();
        let parsed = parse(&file, 0, "stories/a.md", &context, &mut diags);
        let refs: Vec<(usize, bool)> = match &parsed.blocks[0].kind {
            BlockKind::Paragraph { content } => content
                .iter()
                .filter_map(
                    |i| if let Inline::NoteRef { number, first, .. } = i { Some((*number, *first)) } else { None },
                )
                .collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(refs, [(1, true), (2, true), (1, false)]);
        assert_eq!(parsed.blocks.len(), 1, "the notes are not in the text: {:?}", parsed.blocks);
        assert_eq!(parsed.notes.len(), 2);
        assert_eq!(paragraph_text(&parsed.notes[0].blocks[0]), "Note B.");
        assert_eq!(parsed.notes[0].blocks.len(), 2);
        assert_eq!(paragraph_text(&parsed.notes[1].blocks[0]), "Note A.");
        let messages: Vec<String> = diags.items().iter().map(|d| d.short()).collect();
        assert!(
            messages.iter().any(|m| m.starts_with("stories/a.md:1:39: warning: the footnote [^c] is not defined")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("the footnote [^z] is never referred to")), "{messages:?}");
        assert_eq!(messages.len(), 2, "{messages:?}");
    }

    #[test]
    fn a_note_defined_twice_or_empty_is_a_warning() {
        let (_, diags) = parse_md("A[^a] and B[^b].\n\n[^a]: First.\n\n[^a]: Second.\n\n[^b]:\n");
        assert!(
            diags.iter().any(|d| d.starts_with("stories/a.md:5:1: warning: the footnote [^a] is defined twice")),
            "{diags:?}"
        );
        assert!(diags.iter().any(|d| d.contains("the footnote [^b] has no text")), "{diags:?}");
    }

    #[test]
    fn a_note_referred_to_only_from_a_note_is_text() {
        let (_, diags) = parse_md("Text[^a].\n\n[^a]: See [^a] and [^b].\n\n[^b]: Only from a note.\n");
        assert!(diags.iter().any(|d| d.contains("[^b] is referred to only from another footnote")), "{diags:?}");
        assert!(diags.iter().any(|d| d.contains("[^b] is never referred to")), "{diags:?}");
        assert_eq!(diags.len(), 2, "{diags:?}");
    }

    #[test]
    fn strikethrough_tasks_tabs_and_empty_headings() {
        let (blocks, diags) =
            parse_md("A ~~gone~~ word.\n\n- [x] done\n- [ ] to do\n- plain\n\n##\n\n```\na\tb\n\tc\n```\n");
        let BlockKind::Paragraph { content } = &blocks[0].kind else { panic!("{blocks:?}") };
        assert!(matches!(&content[1], Inline::Strike { content } if plain_text(content) == "gone"));
        let BlockKind::List { items, .. } = &blocks[1].kind else { panic!("{blocks:?}") };
        assert_eq!(items.iter().map(|i| i.task).collect::<Vec<_>>(), [Some(true), Some(false), None]);
        assert_eq!(paragraph_text(&items[0].blocks[0]), "done");
        // The empty heading is left out, with a warning; tabs go to the next multiple of four.
        assert_eq!(blocks[2].kind, BlockKind::Code { text: "a   b\n    c".into() });
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].starts_with("stories/a.md:7:1: warning: this heading is empty"), "{diags:?}");
    }

    #[test]
    fn scripts_inside_a_word_get_their_unicode_spelling() {
        let file = SourceFile::new("stories/a.md", "Water is H~2~O, 10^3^ people, x^n^, and ~a~ b.\n");
        let entries = BTreeMap::new();
        let context = ParseContext { entries: &entries, smart_punctuation: false };
        let mut diags = Diagnostics::default();
        let parsed = parse(&file, 0, "stories/a.md", &context, &mut diags);
        let messages: Vec<String> = diags.items().iter().map(|d| d.short()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("stories/a.md:1:17: warning: `10^3^` is printed as written"), "{messages:?}");
        let hints: Vec<String> = diags.items().iter().flat_map(|d| d.hints.clone()).collect();
        for hint in ["H₂", "10³", "xⁿ"] {
            assert!(hints.iter().any(|h| h.ends_with(&format!("instead: {hint}"))), "{hint}: {hints:?}");
        }
        // A single tilde around a word is GitHub's strikethrough.
        let BlockKind::Paragraph { content } = &parsed.blocks[0].kind else { panic!() };
        assert!(content.iter().any(|i| matches!(i, Inline::Strike { .. })), "{content:?}");
    }

    #[test]
    fn paragraphs_headings_emphasis() {
        let (blocks, diags) = parse_md("## Tools for engagement :\n\nSome **bold** and *it* text\nacross lines.\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            blocks[0].kind,
            BlockKind::Heading { level: 2, content: vec![Inline::text("Tools for engagement :")] }
        );
        let BlockKind::Paragraph { content } = &blocks[1].kind else { panic!() };
        assert_eq!(plain_text(content), "Some bold and it text across lines.");
        assert!(matches!(content[1], Inline::Strong { .. }));
    }

    #[test]
    fn unknown_links_warn_and_stay_text() {
        let (blocks, diags) = parse_md("Visit their [website](unknown:).\n");
        let BlockKind::Paragraph { content } = &blocks[0].kind else { panic!() };
        assert!(matches!(&content[1], Inline::Link { target: LinkTarget::Unknown, .. }));
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].starts_with("stories/a.md:1:13: warning: the address of link “website” is unknown"),
            "{diags:?}"
        );
    }

    #[test]
    fn dead_links_are_errors() {
        let (_, diags) = parse_md("[a](#) [b]() [c](www.example.org) [d](javascript:alert(1)) [e](c.md)\n");
        assert_eq!(diags.len(), 5, "{diags:?}");
        assert!(diags.iter().all(|d| d.contains("error")), "{diags:?}");
        assert!(diags[2].contains("`www.example.org` is not a valid link address"));
    }

    #[test]
    fn links_between_stories_resolve_to_entries() {
        let (blocks, diags) = parse_md("See [the other](b.md) and <https://example.org> or <a@b.org>.\n");
        assert!(diags.is_empty(), "{diags:?}");
        let BlockKind::Paragraph { content } = &blocks[0].kind else { panic!() };
        let targets: Vec<_> = content
            .iter()
            .filter_map(|i| match i {
                Inline::Link { target, .. } => Some(target.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            targets,
            [
                LinkTarget::Entry { id: EntryId("b".into()) },
                LinkTarget::Url { url: "https://example.org/".into() },
                LinkTarget::Url { url: "mailto:a@b.org".into() },
            ]
        );
    }

    #[test]
    fn caption_without_photo() {
        let (blocks, diags) = parse_md("![](unknown:)\nINTEGRITY NAMIBIA\\\n15 February 2022\n");
        assert_eq!(
            diags,
            ["stories/a.md:1:1: warning: the photo of this caption is missing; the caption is printed as a note"]
        );
        let BlockKind::CaptionNote { caption } = &blocks[0].kind else { panic!("{blocks:?}") };
        assert_eq!(plain_text(caption), "INTEGRITY NAMIBIA\n15 February 2022");
    }

    #[test]
    fn images_need_alt_text_and_a_known_format() {
        let (_, diags) = parse_md("![](images/missing.png)\nCaption\n");
        assert!(diags.iter().any(|d| d.contains("the image has no alt text")), "{diags:?}");
        let (_, diags) = parse_md("![A photo](photo.heic)\n");
        assert!(diags.iter().any(|d| d.contains("not a supported image format")), "{diags:?}");
    }

    #[test]
    fn nesting_past_the_limit_is_a_located_error_not_a_stack_overflow() {
        for text in [">".repeat(5000) + " x", "- ".repeat(30000) + "x", "*a ".repeat(3000) + &"b*".repeat(3000)] {
            let (_, diags) = parse_md(&text);
            assert!(diags.iter().any(|d| d.contains("levels deep here")), "{:?}", &diags[..diags.len().min(3)]);
        }
        let within = format!("{} x", ">".repeat(MAX_BLOCK_DEPTH));
        let (blocks, diags) = parse_md(&within);
        assert!(diags.is_empty(), "{diags:?}");
        let mut depth = 0;
        let mut block = &blocks[0];
        while let BlockKind::Quote { blocks } = &block.kind {
            depth += 1;
            block = &blocks[0];
        }
        assert_eq!(depth, MAX_BLOCK_DEPTH);
    }

    #[test]
    fn lists_and_quotes() {
        let (blocks, _) = parse_md("- one\n- two\n\n> “Quoted.”\n");
        let BlockKind::List { items, ordered: false, .. } = &blocks[0].kind else { panic!("{blocks:?}") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].blocks, vec![Block::paragraph("two")]);
        assert!(matches!(&blocks[1].kind, BlockKind::Quote { .. }));
    }

    #[test]
    fn metacharacters_stay_literal() {
        let (blocks, _) = parse_md("#tag $x$ @ref <b> \\* \\_ \\\\ \\[x\\] = ~ / 'q' \"d\"\n");
        assert_eq!(crate::model::block_text(&blocks[0]), "#tag $x$ @ref <b> * _ \\ [x] = ~ / 'q' \"d\"");
    }

    #[test]
    fn heading_levels_do_not_skip() {
        let (blocks, _) = parse_md("#### Deep\n\n# Top\n\n### Sub\n");
        let levels: Vec<u8> = blocks
            .iter()
            .filter_map(|b| if let BlockKind::Heading { level, .. } = b.kind { Some(level) } else { None })
            .collect();
        assert_eq!(levels, [2, 2, 3]);
    }
}
