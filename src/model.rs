//! The document model: one in-memory publication that both renderers consume.
//! No I/O here. The PDF layout receives it as JSON (`/data.json`), so the
//! serde names below are also the names the typst templates use.

use serde::Serialize;

/// A whole edition, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    pub meta: Meta,
    /// Generated strings ("Table of Contents", …) resolved for the language.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The entries of the table of contents, in reading order.
    pub entries: Vec<Entry>,
    pub legal: Legal,
    /// An optional image or logo printed on the cover.
    pub cover: Option<Image>,
}

/// Publication-wide metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub title: String,
    pub subtitle: Option<String>,
    /// The BCP 47 tag as written in the manifest, e.g. `en`, `zh-Hans-CN`.
    pub language: String,
    /// The ISO 639 language subtag (`en`), as typst's `text(lang:)` wants it.
    pub lang: String,
    /// The region subtag (`GB`), if any.
    pub region: Option<String>,
    pub direction: Direction,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// A `urn:uuid:` identifier that never changes between builds.
    pub identifier: String,
    pub publisher: String,
    /// A short form of the publisher's name (`UNODC`), printed on the cover.
    pub publisher_short: Option<String>,
    pub unit: Option<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// File names of artifacts: `<file_stem>-<language>.pdf`.
    pub file_stem: String,
}

/// Text direction of the publication's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

/// The legal notices printed on the acknowledgements page.
#[derive(Debug, Clone, Serialize)]
pub struct Legal {
    pub notices: Vec<Block>,
    pub citation: Vec<Inline>,
    pub disclaimers: Vec<Block>,
}

/// What role an entry plays in the publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// Generated from the manifest's `[acknowledgements]`.
    Acknowledgements,
    /// Front sections: introduction and the like.
    Front,
    Story,
    /// The back page.
    Back,
}

/// One entry of the table of contents: a section or a story.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Unique, stable, file-name safe: used for labels and EPUB file names.
    pub id: String,
    pub kind: EntryKind,
    /// Its number in the table of contents, from 1.
    pub number: usize,
    pub title: String,
    /// The title printed in the table of contents and bookmarks.
    pub toc_title: String,
    pub organisations: Vec<String>,
    pub country: Option<String>,
    pub blocks: Vec<Block>,
    /// The Markdown file it came from, relative to the edition folder.
    pub source: Option<String>,
}

/// Block-level content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
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
        items: Vec<Vec<Block>>,
    },
    /// A pull quote or testimonial.
    Quote {
        blocks: Vec<Block>,
    },
    /// A photo with its caption, or a caption whose photo is not available.
    Figure {
        image: Option<Image>,
        caption: Vec<Inline>,
    },
    /// Preformatted text.
    Code {
        text: String,
    },
    Rule,
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
    Text { text: String },
    Strong { content: Vec<Inline> },
    Emph { content: Vec<Inline> },
    Link { target: LinkTarget, content: Vec<Inline> },
    Code { text: String },
    Linebreak,
}

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LinkTarget {
    /// An external address (`https:`, `mailto:` …).
    Url { url: String },
    /// Another entry of this publication.
    Entry { id: String },
    /// The address is not known: printed as plain text, never a dead link.
    Unknown,
}

impl Inline {
    /// Plain text, for text.
    pub fn text(text: impl Into<String>) -> Self {
        Inline::Text { text: text.into() }
    }
}

/// The text of inline content without markup.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text } | Inline::Code { text } => out.push_str(text),
            Inline::Strong { content } | Inline::Emph { content } | Inline::Link { content, .. } => {
                push_plain(content, out)
            }
            Inline::Linebreak => out.push('\n'),
        }
    }
}

/// The plain text of a block and everything inside it, paragraphs separated by blank lines.
pub fn block_text(block: &Block) -> String {
    match block {
        Block::Paragraph { content } | Block::Heading { content, .. } => plain_text(content),
        Block::List { items, .. } => {
            items.iter().flat_map(|item| item.iter().map(block_text)).collect::<Vec<_>>().join("\n\n")
        }
        Block::Quote { blocks } => blocks.iter().map(block_text).collect::<Vec<_>>().join("\n\n"),
        Block::Figure { caption, .. } => plain_text(caption),
        Block::Code { text } => text.clone(),
        Block::Rule => String::new(),
    }
}

/// Calls `f` on every image inside `blocks`, to fill in what later stages know.
pub fn images_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Image)) {
    for block in blocks {
        match block {
            Block::Figure { image: Some(image), .. } => f(image),
            Block::Quote { blocks } => images_mut(blocks, f),
            Block::List { items, .. } => items.iter_mut().for_each(|item| images_mut(item, f)),
            _ => {}
        }
    }
}

impl Publication {
    /// The image files the entries show (not the cover), edition-relative, sorted.
    pub fn images(&self) -> std::collections::BTreeSet<String> {
        fn walk(blocks: &[Block], out: &mut std::collections::BTreeSet<String>) {
            for block in blocks {
                match block {
                    Block::Figure { image: Some(image), .. } => {
                        out.insert(image.src.clone());
                    }
                    Block::Quote { blocks } => walk(blocks, out),
                    Block::List { items, .. } => items.iter().for_each(|item| walk(item, out)),
                    _ => {}
                }
            }
        }
        let mut out = std::collections::BTreeSet::new();
        for entry in &self.entries {
            walk(&entry.blocks, &mut out);
        }
        out
    }
}
