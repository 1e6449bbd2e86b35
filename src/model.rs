//! The document model: one in-memory publication that every renderer reads.
//! No I/O here.
//!
//! Compose decides everything once and writes it down here: the entries in
//! reading order (the cover and the table of contents included), every
//! block's id, the back page's parts, the script facts and the theme. The
//! typst layout receives the model as JSON (`/data-v4.json`), so the serde
//! names below are also the names layouts use; [`DATA_VERSION`] changes when
//! that shape does.

use std::collections::BTreeMap;

use serde::Serialize;

/// The version of the data's shape handed to layouts.
pub const DATA_VERSION: u32 = 4;

/// A whole edition, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    /// [`DATA_VERSION`].
    pub version: u32,
    pub meta: Meta,
    /// Generated strings ("Table of Contents", …) resolved for the language.
    pub labels: BTreeMap<String, String>,
    /// Colours, sizes and measures of the design, for every renderer.
    pub theme: crate::theme::Theme,
    /// Every entry in reading order: cover, front matter, table of contents, stories, back.
    pub entries: Vec<Entry>,
}

/// Publication-wide metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub title: String,
    /// The title the PDF and EPUB metadata give: the title, and with the
    /// manifest's `year-in-title` the year after it.
    pub metadata_title: String,
    pub subtitle: Option<String>,
    /// The BCP 47 tag, e.g. `en`, `zh-Hans-CN`.
    pub language: String,
    /// The ISO 639 language subtag (`en`), as typst's `text(lang:)` wants it.
    pub lang: String,
    /// The region subtag (`GB`), if any.
    pub region: Option<String>,
    pub direction: Direction,
    /// The writing system the layout sets the text in.
    pub script: Script,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// A UUID that never changes between builds.
    #[serde(serialize_with = "urn")]
    pub identifier: uuid::Uuid,
    pub publisher: String,
    /// A short form of the publisher's name (`UNODC`), printed on the cover.
    pub publisher_short: Option<String>,
    pub unit: Option<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// File names of artifacts: `<file_stem>-<language>.pdf`.
    pub file_stem: String,
    /// Where the web edition is published (`[web] base-url`, ending in `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl Meta {
    /// The identifier as a URN: `urn:uuid:…`.
    pub fn urn(&self) -> String {
        format!("urn:uuid:{}", self.identifier)
    }
}

fn urn<S: serde::Serializer>(uuid: &uuid::Uuid, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("urn:uuid:{uuid}"))
}

/// Text direction of the publication's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    /// `ltr` or `rtl`, as HTML and OPF write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// The writing systems the layout knows how to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    /// Latin, Cyrillic, Greek: spaces between words, hyphenation.
    Latin,
    /// Arabic script: right to left, no hyphenation, no letter-spacing.
    Arabic,
    /// Chinese, Japanese, Korean: no spaces, no hyphenation, CJK line breaking.
    Cjk,
}

/// The id of an entry: unique, stable, file-name safe (`[a-z0-9-]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EntryId(pub String);

/// The id of a block: `<entry>.<n>`, unique in the publication. It is the
/// only id the renderers use for blocks (markers, page breaks, anchors).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct BlockId(pub String);

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for BlockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What role an entry plays in the publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Cover,
    /// Generated from the manifest's `[acknowledgements]` and `[legal]`.
    Acknowledgements,
    /// Front sections: introduction and the like.
    Front,
    /// The table of contents.
    Contents,
    Story,
    /// The back page.
    Back,
}

/// One entry of the publication: the cover, a section, the table of
/// contents, a story, the back page.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Unique, stable, file-name safe: used for labels and EPUB file names.
    pub id: EntryId,
    /// The marker where the entry begins (its title): `<id>.start`.
    pub marker: BlockId,
    /// Whether the table of contents, the bookmarks and the EPUB navigation list it.
    pub listed: bool,
    /// A story's number (01, 02 …); front and back matter have none.
    pub number: Option<usize>,
    pub title: String,
    /// The title printed in the table of contents and bookmarks.
    pub toc_title: String,
    pub organisations: Vec<String>,
    pub country: Option<String>,
    /// The Markdown file it came from, relative to the edition folder.
    pub source: Option<String>,
    /// What it holds; its `kind` tells the entry's role.
    #[serde(flatten)]
    pub body: Body,
    /// Its footnotes, numbered in order of first reference.
    pub notes: Vec<Note>,
    /// The language its text is in, when not the publication's (a story
    /// still in the source language of a translation): renderers set its
    /// language, direction, hyphenation and fonts by it.
    pub language: Option<Language>,
}

/// A language as the renderers need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Language {
    /// The BCP 47 tag, e.g. `en`, `ar-SA`.
    pub tag: String,
    /// The ISO 639 subtag (`en`), as typst's `text(lang:)` wants it.
    pub lang: String,
    /// The region subtag (`SA`), if any.
    pub region: Option<String>,
    pub direction: Direction,
    pub script: Script,
}

/// A footnote: its text, referred to from the entry's text by number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// `<entry>.note-<number>`: the anchor references link to.
    pub id: BlockId,
    /// 1, 2 … in the order the entry first refers to its notes.
    pub number: usize,
    pub blocks: Vec<Block>,
}

/// The content of an entry, by its role.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Body {
    Cover {
        /// The logo (`[cover] image`).
        image: Option<Image>,
        /// The photo across the cover (`[style] cover-photo`).
        photo: Option<Image>,
    },
    Acknowledgements {
        blocks: Vec<Block>,
        legal: Legal,
    },
    Front {
        blocks: Vec<Block>,
    },
    Contents {
        /// One line per listed entry, in order.
        lines: Vec<ContentsLine>,
    },
    Story {
        blocks: Vec<Block>,
        /// The heading the story wrote over its closing links ("Further
        /// information"), the panel's title instead of the label.
        closing_title: Option<Block>,
        /// The closing calls to action and links ("Visit their profile …"),
        /// set apart as a "find out more" panel at the foot of the story.
        closing: Vec<Block>,
        /// A sentence of the story repeated large where its last page has
        /// room (front matter `pull-quote`); not part of the reading order.
        pull_quote: Option<PullQuote>,
    },
    Back {
        /// The back page's pillars (its Markdown's first list), as many as the theme allows.
        pillars: Vec<Pillar>,
        /// The first paragraph after the pillars, set large.
        lead: Option<Block>,
        /// Everything else (the contact block), at the foot of the page.
        contact: Vec<Block>,
    },
}

impl Entry {
    /// The entry's role.
    pub fn kind(&self) -> EntryKind {
        match self.body {
            Body::Cover { .. } => EntryKind::Cover,
            Body::Acknowledgements { .. } => EntryKind::Acknowledgements,
            Body::Front { .. } => EntryKind::Front,
            Body::Contents { .. } => EntryKind::Contents,
            Body::Story { .. } => EntryKind::Story,
            Body::Back { .. } => EntryKind::Back,
        }
    }

    /// The entry's top-level blocks in reading order (legal texts, pillars and
    /// the back page's parts included), its notes' blocks last.
    pub fn blocks(&self) -> Vec<&Block> {
        let mut blocks = self.body_blocks();
        blocks.extend(self.notes.iter().flat_map(|n| &n.blocks));
        blocks
    }

    /// The top-level blocks of the entry's body, without its notes.
    fn body_blocks(&self) -> Vec<&Block> {
        match &self.body {
            Body::Cover { .. } | Body::Contents { .. } => vec![],
            Body::Front { blocks } => blocks.iter().collect(),
            Body::Story { blocks, closing_title, closing, .. } => {
                blocks.iter().chain(closing_title).chain(closing).collect()
            }
            Body::Acknowledgements { blocks, legal } => {
                blocks.iter().chain(&legal.notices).chain([&legal.citation]).chain(&legal.disclaimers).collect()
            }
            Body::Back { pillars, lead, contact } => {
                pillars.iter().flat_map(|p| &p.blocks).chain(lead).chain(contact).collect()
            }
        }
    }

    /// The entry's top-level blocks and its notes' blocks, to change them.
    pub fn blocks_mut(&mut self) -> Vec<&mut Block> {
        let notes = self.notes.iter_mut().flat_map(|n| n.blocks.iter_mut());
        let body: Vec<&mut Block> = match &mut self.body {
            Body::Cover { .. } | Body::Contents { .. } => vec![],
            Body::Front { blocks } => blocks.iter_mut().collect(),
            Body::Story { blocks, closing_title, closing, .. } => {
                blocks.iter_mut().chain(closing_title.iter_mut()).chain(closing.iter_mut()).collect()
            }
            Body::Acknowledgements { blocks, legal } => blocks
                .iter_mut()
                .chain(legal.notices.iter_mut())
                .chain([&mut legal.citation])
                .chain(legal.disclaimers.iter_mut())
                .collect(),
            Body::Back { pillars, lead, contact } => pillars
                .iter_mut()
                .flat_map(|p| p.blocks.iter_mut())
                .chain(lead.iter_mut())
                .chain(contact.iter_mut())
                .collect(),
        };
        body.into_iter().chain(notes).collect()
    }

    /// Every marker id at which a page may begin in this entry, in reading
    /// order: its own, its table-of-contents lines' and its blocks'.
    pub fn marker_ids(&self) -> Vec<&BlockId> {
        let mut ids = vec![&self.marker];
        if let Body::Contents { lines } = &self.body {
            ids.extend(lines.iter().map(|l| &l.id));
        }
        // Notes are set where they are referred to: no page begins with one.
        ids.extend(self.body_blocks().into_iter().map(|b| &b.id));
        ids
    }
}

/// A display pull quote: words of the story, and who said them.
#[derive(Debug, Clone, Serialize)]
pub struct PullQuote {
    pub text: String,
    pub by: Option<String>,
}

/// One line of the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct ContentsLine {
    pub id: BlockId,
    /// The entry it lists.
    pub entry: EntryId,
}

/// One pillar of the back page: a list item of its Markdown.
#[derive(Debug, Clone, Serialize)]
pub struct Pillar {
    pub blocks: Vec<Block>,
}

/// The legal texts printed with the acknowledgements.
#[derive(Debug, Clone, Serialize)]
pub struct Legal {
    pub notices: Vec<Block>,
    /// A paragraph, printed after the label "Suggested citation:".
    pub citation: Block,
    pub disclaimers: Vec<Block>,
}

/// Block-level content, with its id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// Assigned by compose; empty before.
    pub id: BlockId,
    #[serde(flatten)]
    pub kind: BlockKind,
    /// The language of this block, when not its entry's: a manifest text a
    /// translation still has in the source's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

impl Block {
    /// A block whose id compose has yet to assign.
    pub fn new(kind: BlockKind) -> Self {
        Self { id: BlockId::default(), kind, language: None }
    }

    /// A paragraph of plain text.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self::new(BlockKind::Paragraph { content: vec![Inline::text(text)] })
    }
}

/// What a block is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum BlockKind {
    Paragraph {
        content: Vec<Inline>,
    },
    /// A heading inside an entry; level 2 is the highest (level 1 is the entry title).
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<ListItem>,
    },
    /// A pull quote or testimonial.
    Quote {
        blocks: Vec<Block>,
    },
    /// A photo with its caption.
    Figure {
        image: Image,
        caption: Vec<Inline>,
    },
    /// The caption of a photo that is not available (`![](unknown:)`): the
    /// editor's text, set as a note.
    CaptionNote {
        caption: Vec<Inline>,
    },
    /// Preformatted text, tabs expanded to the next multiple of four columns.
    Code {
        text: String,
    },
    /// A table: a header row, then body rows, all with one cell per column.
    Table {
        /// Each column's alignment, as the delimiter row says.
        columns: Vec<Alignment>,
        rows: Vec<TableRow>,
    },
    Rule,
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    /// As the text runs (start of the line).
    None,
    Left,
    Center,
    Right,
}

impl Alignment {
    /// The CSS `text-align` value, if the column sets one.
    pub fn css(self) -> Option<&'static str> {
        match self {
            Alignment::None => None,
            Alignment::Left => Some("left"),
            Alignment::Center => Some("center"),
            Alignment::Right => Some("right"),
        }
    }
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// The header row (the first): its cells head their columns.
    pub header: bool,
    pub cells: Vec<TableCell>,
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCell {
    pub content: Vec<Inline>,
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    pub blocks: Vec<Block>,
    /// A task list's item: done (`[x]`) or not (`[ ]`).
    pub task: Option<bool>,
}

/// An image file in the edition folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Image {
    /// Path relative to the edition folder, with `/` separators.
    pub src: String,
    /// Text alternative for readers who cannot see the image.
    pub alt: String,
    /// The published file name (plain ASCII, the format's extension), set
    /// by compose from the checked assets: renderers serve the image under it.
    pub file: String,
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Inline {
    Text {
        text: String,
    },
    Strong {
        content: Vec<Inline>,
    },
    Emph {
        content: Vec<Inline>,
    },
    /// Struck-through text (`~~…~~`): deleted, still legible.
    Strike {
        content: Vec<Inline>,
    },
    Link {
        target: LinkTarget,
        content: Vec<Inline>,
    },
    Code {
        text: String,
    },
    /// A reference to one of the entry's notes.
    NoteRef {
        /// The note's id ([`Note::id`]).
        note: BlockId,
        number: usize,
        /// Whether this is the first reference to the note (later ones repeat its number).
        first: bool,
    },
    Linebreak,
}

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LinkTarget {
    /// An external address (`https:`, `mailto:` …).
    Url { url: String },
    /// Another entry of this publication.
    Entry { id: EntryId },
    /// The address is not known: printed as plain text, never a dead link.
    Unknown,
}

impl Inline {
    /// Plain text, for text.
    pub fn text(text: impl Into<String>) -> Self {
        Inline::Text { text: text.into() }
    }

    /// The inline content inside this node, if it holds any.
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Strong { content }
            | Inline::Emph { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => Some(content),
            Inline::Text { .. } | Inline::Code { .. } | Inline::NoteRef { .. } | Inline::Linebreak => None,
        }
    }
}

// ------------------------------------------------------------------ walking

/// A node of the model, as the walker meets it.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    Block(&'a Block),
    Item(&'a ListItem),
    Row(&'a TableRow),
    /// A table cell and its column's alignment.
    Cell(&'a TableCell, Alignment),
    Inline(&'a Inline),
}

/// One step of a walk: entering a node (before its children) or leaving it (after).
#[derive(Debug, Clone, Copy)]
pub enum Visit<'a> {
    Enter(Node<'a>),
    Leave(Node<'a>),
}

/// Walks blocks depth first, in reading order: every traversal of the model
/// (plain text, images, glyph coverage, XHTML) goes through here.
pub fn walk_blocks<'a>(blocks: impl IntoIterator<Item = &'a Block>, f: &mut dyn FnMut(Visit<'a>)) {
    for block in blocks {
        f(Visit::Enter(Node::Block(block)));
        match &block.kind {
            BlockKind::Paragraph { content } | BlockKind::Heading { content, .. } => walk_inlines(content, f),
            BlockKind::Figure { caption, .. } | BlockKind::CaptionNote { caption } => walk_inlines(caption, f),
            BlockKind::List { items, .. } => {
                for item in items {
                    f(Visit::Enter(Node::Item(item)));
                    walk_blocks(&item.blocks, f);
                    f(Visit::Leave(Node::Item(item)));
                }
            }
            BlockKind::Quote { blocks } => walk_blocks(blocks, f),
            BlockKind::Table { columns, rows } => {
                for row in rows {
                    f(Visit::Enter(Node::Row(row)));
                    for (cell, &align) in
                        row.cells.iter().zip(columns.iter().chain(std::iter::repeat(&Alignment::None)))
                    {
                        f(Visit::Enter(Node::Cell(cell, align)));
                        walk_inlines(&cell.content, f);
                        f(Visit::Leave(Node::Cell(cell, align)));
                    }
                    f(Visit::Leave(Node::Row(row)));
                }
            }
            BlockKind::Code { .. } | BlockKind::Rule => {}
        }
        f(Visit::Leave(Node::Block(block)));
    }
}

/// Walks inline content depth first.
pub fn walk_inlines<'a>(inlines: &'a [Inline], f: &mut dyn FnMut(Visit<'a>)) {
    for inline in inlines {
        f(Visit::Enter(Node::Inline(inline)));
        if let Some(content) = inline.children() {
            walk_inlines(content, f);
        }
        f(Visit::Leave(Node::Inline(inline)));
    }
}

/// A node met by the changing walk.
pub enum NodeMut<'a> {
    Block(&'a mut Block),
    Inline(&'a mut Inline),
}

/// Walks blocks depth first, letting `f` change each node before its
/// children are visited (ids, image names, quotation marks).
pub fn walk_blocks_mut<'a>(blocks: impl IntoIterator<Item = &'a mut Block>, f: &mut dyn FnMut(NodeMut<'_>)) {
    for block in blocks {
        f(NodeMut::Block(block));
        match &mut block.kind {
            BlockKind::Paragraph { content } | BlockKind::Heading { content, .. } => walk_inlines_mut(content, f),
            BlockKind::Figure { caption, .. } | BlockKind::CaptionNote { caption } => walk_inlines_mut(caption, f),
            BlockKind::List { items, .. } => {
                for item in items {
                    walk_blocks_mut(&mut item.blocks, f);
                }
            }
            BlockKind::Quote { blocks } => walk_blocks_mut(blocks, f),
            BlockKind::Table { rows, .. } => {
                for cell in rows.iter_mut().flat_map(|r| &mut r.cells) {
                    walk_inlines_mut(&mut cell.content, f);
                }
            }
            BlockKind::Code { .. } | BlockKind::Rule => {}
        }
    }
}

/// Walks inline content depth first, letting `f` change each node.
pub fn walk_inlines_mut(inlines: &mut [Inline], f: &mut dyn FnMut(NodeMut<'_>)) {
    for inline in inlines {
        f(NodeMut::Inline(inline));
        if let Inline::Strong { content }
        | Inline::Emph { content }
        | Inline::Strike { content }
        | Inline::Link { content, .. } = inline
        {
            walk_inlines_mut(content, f);
        }
    }
}

/// The text of inline content without markup (a line break is `\n`).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    walk_inlines(inlines, &mut |visit| push_text(visit, &mut out));
    out
}

/// The plain text of a block and everything inside it, paragraphs separated by blank lines.
pub fn block_text(block: &Block) -> String {
    let mut out = String::new();
    walk_blocks([block], &mut |visit| {
        if let Visit::Enter(Node::Block(inner)) = visit
            && !std::ptr::eq(inner, block)
            && !out.is_empty()
            && !matches!(inner.kind, BlockKind::List { .. } | BlockKind::Quote { .. } | BlockKind::Table { .. })
        {
            out.push_str("\n\n");
        }
        // Table cells are separate texts, like paragraphs.
        if let Visit::Enter(Node::Cell(..)) = visit
            && !out.is_empty()
        {
            out.push_str("\n\n");
        }
        push_text(visit, &mut out);
    });
    out
}

fn push_text(visit: Visit, out: &mut String) {
    match visit {
        Visit::Enter(Node::Inline(Inline::Text { text } | Inline::Code { text })) => out.push_str(text),
        Visit::Enter(Node::Inline(Inline::Linebreak)) => out.push('\n'),
        Visit::Enter(Node::Block(Block { kind: BlockKind::Code { text }, .. })) => out.push_str(text),
        _ => {}
    }
}

impl Publication {
    /// The entry with this id.
    pub fn entry(&self, id: &EntryId) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.id == id)
    }

    /// Every image shown, the cover's first, once each, in order of appearance.
    pub fn images(&self) -> Vec<&Image> {
        let mut out: Vec<&Image> = Vec::new();
        for entry in &self.entries {
            if let Body::Cover { image: Some(image), .. } = &entry.body {
                out.push(image);
            }
            walk_blocks(entry.blocks(), &mut |visit| {
                if let Visit::Enter(Node::Block(Block { kind: BlockKind::Figure { image, .. }, .. })) = visit
                    && !out.iter().any(|seen| seen.file == image.file)
                {
                    out.push(image);
                }
            });
        }
        out
    }

    /// Every block by its id (top-level and nested).
    pub fn blocks_by_id(&self) -> BTreeMap<&BlockId, &Block> {
        let mut out = BTreeMap::new();
        for entry in &self.entries {
            walk_blocks(entry.blocks(), &mut |visit| {
                if let Visit::Enter(Node::Block(block)) = visit {
                    out.insert(&block.id, block);
                }
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_text_separates_paragraphs_and_keeps_line_breaks() {
        let quote = Block::new(BlockKind::Quote {
            blocks: vec![
                Block::paragraph("One."),
                Block::new(BlockKind::Paragraph {
                    content: vec![
                        Inline::text("Two"),
                        Inline::Linebreak,
                        Inline::Emph { content: vec![Inline::text("three")] },
                    ],
                }),
            ],
        });
        assert_eq!(block_text(&quote), "One.\n\nTwo\nthree");
        let list = Block::new(BlockKind::List {
            ordered: false,
            start: 1,
            items: vec![
                ListItem { blocks: vec![Block::paragraph("a")], task: None },
                ListItem { blocks: vec![Block::paragraph("b")], task: None },
            ],
        });
        assert_eq!(block_text(&list), "a\n\nb");
    }

    #[test]
    fn the_walk_enters_and_leaves_in_reading_order() {
        let block = Block::new(BlockKind::Paragraph {
            content: vec![Inline::text("a"), Inline::Strong { content: vec![Inline::text("b")] }],
        });
        let mut steps = Vec::new();
        walk_blocks([&block], &mut |visit| {
            steps.push(match visit {
                Visit::Enter(Node::Inline(Inline::Text { text })) => format!("+{text}"),
                Visit::Leave(Node::Inline(Inline::Text { text })) => format!("-{text}"),
                Visit::Enter(Node::Inline(_)) => "+strong".into(),
                Visit::Leave(Node::Inline(_)) => "-strong".into(),
                Visit::Enter(_) => "+block".into(),
                Visit::Leave(_) => "-block".into(),
            })
        });
        assert_eq!(steps, ["+block", "+a", "-a", "+strong", "+b", "-b", "-strong", "-block"]);
    }
}
