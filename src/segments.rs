//! Translation units: the texts of an edition a translator translates — one
//! per block of a Markdown file (paragraph, heading, list item, quote,
//! caption, table cell, footnote), per front-matter title and per text of the
//! manifest — each with a stable id, the line it is written on, and its
//! inline markup (bold, links, code …) kept apart from its words as codes.
//!
//! [`crate::xliff`] exchanges units with CAT tools; [`crate::translation`]
//! compares them with the text they were translated from.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use sha2::Digest;

/// Markup inside a unit's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// Around words (bold, italic, a link, an image's description): its
    /// Markdown before and after them.
    Paired { kind: &'static str, open: String, close: String },
    /// In place of words (a code span, a note reference, a line break, inline
    /// HTML): its Markdown.
    Standalone { kind: &'static str, markdown: String },
}

impl Code {
    /// What the markup is, for CAT tools (XLIFF 1.2 `ctype`).
    pub fn kind(&self) -> &'static str {
        match self {
            Code::Paired { kind, .. } | Code::Standalone { kind, .. } => kind,
        }
    }
}

/// A piece of a unit's text, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// The start of [`Code::Paired`] number `n`.
    Open(usize),
    /// Its end.
    Close(usize),
    /// [`Code::Standalone`] number `n`.
    Code(usize),
}

/// Where a unit's text goes, which decides how it is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Inline Markdown of a block of the file's body.
    Block,
    /// Inline Markdown of a table cell (`|` must be escaped).
    Cell,
    /// A TOML string (front matter or manifest) holding inline Markdown.
    Markdown,
    /// A TOML string printed as it is (names, labels).
    Plain,
}

/// One translatable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Stable within its file: a block's id is derived from its source text;
    /// a TOML text's is its key (`title`, `legal.notices-2`).
    pub id: String,
    /// The 1-based line of the file it is written on.
    pub line: usize,
    /// The bytes of the file its text occupies (blocks of the body only).
    pub range: Option<Range<usize>>,
    /// For a TOML text: its key path and, in an array, its index.
    pub key: Option<(Vec<String>, Option<usize>)>,
    pub place: Place,
    pub pieces: Vec<Piece>,
    pub codes: Vec<Code>,
}

impl Unit {
    /// The words as a reader sees them (markup left out, code spans kept).
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Code(n) => match &self.codes[*n] {
                    Code::Standalone { kind: "lb", .. } => out.push(' '),
                    Code::Standalone { kind: "x-code", markdown } => out.push_str(markdown.trim_matches('`')),
                    _ => {}
                },
                Piece::Open(_) | Piece::Close(_) => {}
            }
        }
        out
    }

    /// The text written back as Markdown (or as the plain TOML value).
    pub fn markdown(&self) -> String {
        write_pieces(&self.pieces, &self.codes, self.place)
    }

    /// Words to translate: whitespace-separated, each CJK character counting as one.
    pub fn words(&self) -> usize {
        word_count(&self.plain())
    }
}

/// Words to translate in `text`, as CAT tools count them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .map(|word| {
            let cjk = word.chars().filter(|c| is_cjk(*c)).count();
            if cjk > 0 { cjk + usize::from(word.chars().any(|c| c.is_alphanumeric() && !is_cjk(c))) } else { 1 }
        })
        .sum()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// The front-matter keys whose values are translated.
pub const FRONT_MATTER_KEYS: &[&str] =
    &["title", "toc-title", "country", "pull-quote", "pull-quote-by", "organisations"];

/// The units of a Markdown file: its front-matter titles, then its blocks.
/// A file without front matter (never loaded by `build`) has its blocks only.
pub fn markdown_units(text: &str) -> Vec<Unit> {
    let (front, body_start) = match crate::content::front_matter_bounds(text) {
        Some((inner, body)) => (Some(inner), body),
        None => (None, 0),
    };
    let mut units = Vec::new();
    if let Some(inner) = front
        && let Ok(document) = toml_edit::Document::parse(&text[inner.clone()])
    {
        let lines_before = line_of(text, inner.start) - 1;
        for key in FRONT_MATTER_KEYS {
            // Front-matter texts are printed as written, not read as Markdown.
            let value = document.as_item().get(key).and_then(|i| i.as_value());
            let mut found = toml_units(&text[inner.clone()], &[*key], value, Place::Plain);
            found.iter_mut().for_each(|unit| unit.line += lines_before);
            units.extend(found);
        }
    }
    units.extend(block_units(text, body_start));
    disambiguate(&mut units);
    units
}

/// The units of a manifest: the texts a reader sees, in the order printed.
pub fn manifest_units(text: &str) -> Vec<Unit> {
    // toml_edit keeps where each value is written: an array's items get their own lines.
    let Ok(document) = toml_edit::Document::parse(text) else { return Vec::new() };
    const KEYS: &[(&[&str], Place)] = &[
        (&["title"], Place::Plain),
        (&["subtitle"], Place::Plain),
        (&["subject"], Place::Plain),
        (&["keywords"], Place::Plain),
        (&["publisher", "name"], Place::Plain),
        (&["publisher", "short-name"], Place::Plain),
        (&["publisher", "unit"], Place::Plain),
        (&["acknowledgements", "text"], Place::Markdown),
        (&["acknowledgements", "organisations"], Place::Plain),
        (&["acknowledgements", "without-story"], Place::Plain),
        (&["legal", "notices"], Place::Markdown),
        (&["legal", "citation"], Place::Markdown),
        (&["legal", "disclaimers"], Place::Markdown),
        (&["cover", "alt"], Place::Plain),
        (&["style", "cover-photo-alt"], Place::Plain),
    ];
    let mut units = Vec::new();
    for (path, place) in KEYS {
        let mut item = Some(document.as_item());
        for key in *path {
            item = item.and_then(|i| i.get(key));
        }
        let value = item.and_then(|i| i.as_value());
        units.extend(toml_units(text, path, value, *place));
    }
    units
}

/// A unit of plain text (a label) at `path` of the manifest.
pub fn plain_unit(id: String, path: &[&str], text: &str, line: usize) -> Unit {
    Unit {
        id,
        line,
        range: None,
        key: Some((path.iter().map(|k| k.to_string()).collect(), None)),
        place: Place::Plain,
        pieces: vec![Piece::Text(text.to_string())],
        codes: Vec::new(),
    }
}

/// The line of a manifest's `[labels]` table (or 1).
pub fn labels_line(text: &str) -> usize {
    text.lines().position(|l| l.trim() == "[labels]").map_or(1, |n| n + 1)
}

/// The 1-based line where `path`'s last key is written (its table's line, or 1).
fn key_line(text: &str, path: &[&str]) -> usize {
    let Some((key, tables)) = path.split_last() else { return 1 };
    let mut table_start = 0;
    if let Some(table) = tables.first() {
        let header = format!("[{table}]");
        match text.lines().position(|l| l.trim() == header) {
            Some(n) => table_start = n,
            None => return 1,
        }
    }
    let rest: String = text.lines().skip(table_start).collect::<Vec<_>>().join("\n");
    assignment_line(&rest, key).map_or(table_start + 1, |n| table_start + n)
}

/// The 1-based line of `key = …` in some TOML, before any other table starts.
fn assignment_line(toml: &str, key: &str) -> Option<usize> {
    toml.lines()
        .enumerate()
        .take_while(|(n, l)| *n == 0 || !l.trim_start().starts_with('['))
        .find(|(_, l)| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
        .map(|(n, _)| n + 1)
}

/// The units of one TOML value of the manifest `text`: a string, or each
/// string of an array, each at the line where it is written.
fn toml_units(text: &str, path: &[&str], value: Option<&toml_edit::Value>, place: Place) -> Vec<Unit> {
    let key: Vec<String> = path.iter().map(|k| k.to_string()).collect();
    let id = path.join(".");
    let line_of = |value: &toml_edit::Value| match value.span().and_then(|span| text.get(..span.start)) {
        Some(before) => before.matches('\n').count() + 1,
        None => key_line(text, path),
    };
    let unit = |id: String, index: Option<usize>, value: &toml_edit::Value, content: &str| {
        let (pieces, codes) = match place {
            Place::Plain => (vec![Piece::Text(content.to_string())], Vec::new()),
            _ => inline_pieces(content),
        };
        Unit { id, line: line_of(value), range: None, key: Some((key.clone(), index)), place, pieces, codes }
    };
    match value {
        Some(string @ toml_edit::Value::String(content)) if !content.value().trim().is_empty() => {
            vec![unit(id, None, string, content.value())]
        }
        Some(toml_edit::Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(n, item)| {
                let content = item.as_str().filter(|t| !t.trim().is_empty())?;
                Some(unit(format!("{id}-{}", n + 1), Some(n), item, content))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The pieces of a short Markdown text (a TOML value): its paragraphs'
/// inline content, paragraphs apart by a paragraph code.
fn inline_pieces(text: &str) -> (Vec<Piece>, Vec<Code>) {
    let blocks = block_units(text, 0);
    let mut pieces = Vec::new();
    let mut codes = Vec::new();
    for (n, block) in blocks.into_iter().enumerate() {
        if n > 0 {
            pieces.push(Piece::Code(codes.len()));
            codes.push(Code::Standalone { kind: "x-paragraph", markdown: "\n\n".into() });
        }
        let base = codes.len();
        codes.extend(block.codes);
        pieces.extend(block.pieces.into_iter().map(|piece| match piece {
            Piece::Open(n) => Piece::Open(n + base),
            Piece::Close(n) => Piece::Close(n + base),
            Piece::Code(n) => Piece::Code(n + base),
            text => text,
        }));
    }
    if pieces.is_empty() && !text.trim().is_empty() {
        pieces.push(Piece::Text(text.trim().to_string()));
    }
    (pieces, codes)
}

/// A unit being read from the events of one block.
struct Builder {
    kind: &'static str,
    place: Place,
    range: Option<Range<usize>>,
    pieces: Vec<Piece>,
    codes: Vec<Code>,
    /// Inline elements open: their code, range, first child start, last child end.
    open: Vec<(usize, Range<usize>, Option<usize>, usize)>,
}

impl Builder {
    fn new(kind: &'static str, place: Place) -> Self {
        Builder { kind, place, range: None, pieces: Vec::new(), codes: Vec::new(), open: Vec::new() }
    }

    fn push(&mut self, event: Event, at: Range<usize>, text: &str) {
        if matches!(event, Event::TaskListMarker(_)) {
            return;
        }
        let range = self.range.get_or_insert(at.clone());
        range.start = range.start.min(at.start);
        range.end = range.end.max(at.end);
        if matches!(event, Event::End(_))
            && let Some((code, range, first, last)) = self.open.pop()
        {
            self.close(code, range, first, last, text);
            return;
        }
        for (_, _, first, last) in &mut self.open {
            first.get_or_insert(at.start);
            *last = (*last).max(at.end);
        }
        let standalone = |kind: &'static str, markdown: &str| Code::Standalone { kind, markdown: markdown.to_string() };
        match event {
            Event::Start(tag) => {
                let kind = match tag {
                    Tag::Strong => "bold",
                    Tag::Emphasis => "italic",
                    Tag::Strikethrough => "x-strike",
                    Tag::Link { .. } => "link",
                    Tag::Image { .. } => "image",
                    _ => "x-markup",
                };
                let code = self.codes.len();
                self.codes.push(Code::Paired { kind, open: String::new(), close: String::new() });
                self.pieces.push(Piece::Open(code));
                self.open.push((code, at, None, 0));
            }
            Event::Text(words) => match self.pieces.last_mut() {
                Some(Piece::Text(last)) => last.push_str(&words),
                _ => self.pieces.push(Piece::Text(words.into_string())),
            },
            Event::SoftBreak if self.kind == "fig" => {
                self.add(standalone("lb", "\n"));
            }
            Event::SoftBreak => self.push(Event::Text(" ".into()), at, text),
            Event::HardBreak => self.add(standalone("lb", "\\\n")),
            Event::Code(_) => self.add(standalone("x-code", &text[at])),
            Event::FootnoteReference(_) => self.add(standalone("x-footnote", &text[at])),
            Event::InlineHtml(_) | Event::Html(_) => self.add(standalone("x-html", &text[at])),
            _ => self.add(standalone("x-markup", &text[at])),
        }
    }

    /// Ends the inline element `code`: its Markdown before and after its
    /// content, or the whole of it when it has none (`[](x)`).
    fn close(&mut self, code: usize, range: Range<usize>, first: Option<usize>, last: usize, text: &str) {
        for (_, _, parent_first, parent_last) in &mut self.open {
            parent_first.get_or_insert(range.start);
            *parent_last = (*parent_last).max(range.end);
        }
        match first {
            Some(first) if range.start <= first && first <= last && last <= range.end => {
                if let Code::Paired { open, close, .. } = &mut self.codes[code] {
                    *open = text[range.start..first].to_string();
                    *close = text[last..range.end].to_string();
                }
                self.pieces.push(Piece::Close(code));
            }
            _ => {
                let kind = self.codes[code].kind();
                self.codes[code] = Code::Standalone { kind, markdown: text[range].to_string() };
                if let Some(at) = self.pieces.iter().rposition(|p| *p == Piece::Open(code)) {
                    self.pieces[at] = Piece::Code(code);
                }
            }
        }
    }

    fn add(&mut self, code: Code) {
        self.pieces.push(Piece::Code(self.codes.len()));
        self.codes.push(code);
    }

    fn finish(self, line_base: &[usize]) -> Option<Unit> {
        let range = self.range?;
        let mut pieces = self.pieces;
        let has_words = pieces.iter().any(|p| matches!(p, Piece::Text(t) if t.chars().any(char::is_alphanumeric)));
        if !has_words {
            return None;
        }
        if let Some(Piece::Text(first)) = pieces.first_mut() {
            *first = first.trim_start().to_string();
        }
        let line = line_base.partition_point(|&start| start <= range.start);
        Some(Unit {
            id: self.kind.to_string(),
            line,
            range: Some(range),
            key: None,
            place: self.place,
            pieces,
            codes: self.codes,
        })
    }
}

/// The units of the Markdown from `start` (a file's body).
fn block_units(text: &str, start: usize) -> Vec<Unit> {
    let line_base: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
    let body = &text[start..];
    let mut units = Vec::new();
    let mut current: Option<Builder> = None;
    // The containers open around the current position.
    let mut containers: Vec<&'static str> = Vec::new();
    let mut skip = 0usize;
    let shift = |r: Range<usize>| r.start + start..r.end + start;
    for (event, range) in Parser::new_ext(body, crate::markdown::syntax()).into_offset_iter() {
        let range = shift(range);
        if skip > 0 {
            match event {
                Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => skip += 1,
                Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock) => skip -= 1,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(ref tag) if is_block(tag) => {
                // A tight list item's text ends where a nested block starts.
                if containers.last() == Some(&"li")
                    && let Some(unit) = current.take()
                {
                    units.extend(unit.finish(&line_base));
                }
                match tag {
                    Tag::Paragraph => {
                        let kind = match containers.last() {
                            Some(&"li") => "li",
                            Some(&"q") => "q",
                            Some(&"fn") => "fn",
                            _ => "p",
                        };
                        // A paragraph that starts with an image is a figure and its caption.
                        let figure = body[range.start - start..].starts_with("![");
                        current = Some(Builder::new(if figure { "fig" } else { kind }, Place::Block));
                    }
                    Tag::Heading { .. } => current = Some(Builder::new("h", Place::Block)),
                    Tag::TableCell => current = Some(Builder::new("td", Place::Cell)),
                    Tag::Item => containers.push("li"),
                    Tag::BlockQuote(_) => containers.push("q"),
                    Tag::FootnoteDefinition(_) => containers.push("fn"),
                    Tag::CodeBlock(_) | Tag::HtmlBlock => skip = 1,
                    _ => containers.push("other"),
                }
            }
            Event::End(ref end) if is_block_end(end) => match end {
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell => {
                    if let Some(unit) = current.take() {
                        units.extend(unit.finish(&line_base));
                    }
                }
                _ => {
                    if matches!(end, TagEnd::Item)
                        && let Some(unit) = current.take()
                    {
                        units.extend(unit.finish(&line_base));
                    }
                    containers.pop();
                }
            },
            // Block-level HTML and rules: not text.
            Event::Rule | Event::Html(_) if current.is_none() => {}
            event => {
                if current.is_none() && containers.last() == Some(&"li") {
                    current = Some(Builder::new("li", Place::Block));
                }
                if let Some(unit) = &mut current {
                    unit.push(event, range, text);
                }
            }
        }
    }
    if let Some(unit) = current.take() {
        units.extend(unit.finish(&line_base));
    }
    units
}

fn is_block(tag: &Tag) -> bool {
    !matches!(tag, Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. })
}

fn is_block_end(end: &TagEnd) -> bool {
    !matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Ids of blocks from their kind and source text: a text written twice gets
/// `-2`, `-3` after the first. (Inserting a paragraph leaves the others' ids
/// as they were; changing one gives it a new id.)
fn disambiguate(units: &mut [Unit]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for unit in units.iter_mut().filter(|u| u.key.is_none()) {
        let digest = sha2::Sha256::digest(unit.markdown().as_bytes());
        let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let id = format!("{}-{hash}", unit.id);
        let count = seen.entry(id.clone()).or_default();
        *count += 1;
        unit.id = if *count == 1 { id } else { format!("{id}-{count}") };
    }
}

/// The pieces written as Markdown: words escaped where they could be read
/// as markup, codes as their Markdown.
pub fn write_pieces(pieces: &[Piece], codes: &[Code], place: Place) -> String {
    let pieces = &tidy(pieces);
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) if place == Place::Plain => out.push_str(text),
            Piece::Text(text) => escape_into(&mut out, text, place),
            Piece::Open(n) => {
                let open = match &codes[*n] {
                    Code::Paired { open, .. } => open,
                    Code::Standalone { markdown, .. } => markdown,
                };
                // "!" before a link's "[" would make it an image.
                if open.starts_with('[') && out.ends_with('!') && !out.ends_with("\\!") {
                    out.insert(out.len() - 1, '\\');
                }
                out.push_str(open);
            }
            Piece::Close(n) => {
                if let Code::Paired { close, .. } = &codes[*n] {
                    out.push_str(close)
                }
            }
            Piece::Code(n) => out.push_str(match &codes[*n] {
                Code::Standalone { markdown, .. } => markdown,
                Code::Paired { open, .. } => open,
            }),
        }
    }
    out
}

/// A target's pieces as Markdown can hold them: runs of spaces and line
/// breaks in its words (a CAT tool's: the source's breaks are codes) become
/// one space, the text starts and ends with a word, and a space just inside
/// a tag goes outside it (`** bold **` is not bold). No-break spaces stay.
fn tidy(pieces: &[Piece]) -> Vec<Piece> {
    let squash = |t: &str| {
        let mut out = String::with_capacity(t.len());
        for c in t.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c };
            if !(c == ' ' && out.ends_with(' ')) {
                out.push(c);
            }
        }
        out
    };
    let mut out: Vec<Piece> = Vec::new();
    let push_text = |out: &mut Vec<Piece>, text: &str| match out.last_mut() {
        Some(Piece::Text(last)) => {
            last.push_str(text);
            *last = squash(last);
        }
        _ if !text.is_empty() => out.push(Piece::Text(text.to_string())),
        _ => {}
    };
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                let text = squash(text);
                match out.last() {
                    Some(Piece::Open(_)) if text.starts_with(' ') => {
                        let open = out.pop().expect("just seen");
                        push_text(&mut out, " ");
                        out.push(open);
                        push_text(&mut out, text.trim_start_matches(' '));
                    }
                    _ => push_text(&mut out, &text),
                }
            }
            Piece::Close(n) => {
                let trailing = matches!(out.last(), Some(Piece::Text(t)) if t.ends_with(' '));
                if let (true, Some(Piece::Text(t))) = (trailing, out.last_mut()) {
                    t.truncate(t.trim_end_matches(' ').len());
                }
                out.push(Piece::Close(*n));
                if trailing {
                    push_text(&mut out, " ");
                }
            }
            other => out.push(other.clone()),
        }
    }
    if let Some(Piece::Text(first)) = out.first_mut() {
        *first = first.trim_start_matches(' ').to_string();
    }
    if let Some(Piece::Text(last)) = out.last_mut() {
        last.truncate(last.trim_end_matches(' ').len());
    }
    out.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
    out
}

/// Appends `text` with the characters Markdown would read as markup
/// escaped: emphasis, links, code, HTML, entities, and at the start of a
/// line what would start a block.
fn escape_into(out: &mut String, text: &str, place: Place) {
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        out.push_str(&line[..line.len() - trimmed.len()]);
        let at_start = out.is_empty() || out.ends_with('\n');
        let mut chars = trimmed.char_indices().peekable();
        if at_start {
            let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && trimmed[digits..].starts_with(['.', ')']) {
                out.push_str(&trimmed[..digits]);
                out.push('\\');
                for _ in 0..digits {
                    chars.next();
                }
            } else if trimmed.starts_with(['#', '>', '-', '+', '=']) {
                out.push('\\');
            }
        }
        for (_, c) in chars {
            if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '&' | '~') || (c == '|' && place == Place::Cell) {
                out.push('\\');
            }
            out.push(c);
        }
    }
}

/// The 1-based line of byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(units: &[Unit]) -> Vec<String> {
        units.iter().map(|u| u.id.split('-').next().unwrap().to_string()).collect()
    }

    #[test]
    fn one_unit_per_block_with_its_markup_as_codes() {
        let text = "+++\ntitle = \"A *title*\"\norganisations = [\"X\", \"Y\"]\n+++\n\n# Head\n\nSome **bold** and [a link](https://x.org \"t\").\n\n- one\n- two `code`\n\n> quoted\n> on two lines\n\n| a | b |\n|---|---|\n| c \\| d | e |\n\nNote[^1].\n\n[^1]: The note.\n\n```\nnot text\n```\n\n![alt text](x.png)\nCaption line one\nline two\n";
        let units = markdown_units(text);
        assert_eq!(
            ids(&units),
            [
                "title",
                "organisations",
                "organisations",
                "h",
                "p",
                "li",
                "li",
                "q",
                "td",
                "td",
                "td",
                "td",
                "p",
                "fn",
                "fig"
            ]
        );
        let p = &units[4];
        assert_eq!(p.plain(), "Some bold and a link.");
        assert_eq!(p.codes.len(), 2);
        assert_eq!(p.codes[1], Code::Paired { kind: "link", open: "[".into(), close: "](https://x.org \"t\")".into() });
        assert_eq!(p.line, 8);
        // Written back, each block is its source text again.
        for unit in units.iter().filter(|u| u.range.is_some()) {
            let range = unit.range.clone().unwrap();
            let written = unit.markdown();
            let source = &text[range];
            let squash = |s: &str| s.replace("\n> ", " ").replace('\n', " ");
            assert_eq!(squash(&written), squash(source), "{unit:?}");
        }
        assert_eq!(units[0].markdown(), "A *title*");
        assert_eq!(units[10].plain(), "c | d");
        assert_eq!(units[14].plain(), "alt text Caption line one line two");
    }

    #[test]
    fn ids_are_derived_from_the_text_and_survive_an_inserted_paragraph() {
        let before = markdown_units("+++\ntitle = \"T\"\n+++\n\nOne.\n\nTwo.\n\nOne.\n");
        let after = markdown_units("+++\ntitle = \"T\"\n+++\n\nNew.\n\nOne.\n\nTwo.\n\nOne.\n");
        let before: Vec<&str> = before.iter().map(|u| u.id.as_str()).collect();
        let after: Vec<&str> = after.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(before.len(), 4);
        assert_eq!(&after[2..], &before[1..]);
        assert!(before[3].ends_with("-2"), "{before:?}");
    }

    #[test]
    fn words_that_look_like_markup_are_escaped_when_written_back() {
        let unit = |text: &str| Unit {
            id: "p".into(),
            line: 1,
            range: None,
            key: None,
            place: Place::Block,
            pieces: vec![Piece::Text(text.into())],
            codes: vec![],
        };
        assert_eq!(unit("2021. A *star* [x] <b> & ~").markdown(), "2021\\. A \\*star\\* \\[x\\] \\<b> \\& \\~");
        assert_eq!(unit("# not a heading").markdown(), "\\# not a heading");
        let units =
            markdown_units(&format!("+++\ntitle = \"T\"\n+++\n\n{}\n", unit("2021. A *star* [x] <b> & ~").markdown()));
        assert_eq!(units[1].plain(), "2021. A *star* [x] <b> & ~");
    }

    #[test]
    fn the_manifest_texts_are_units_keyed_by_their_place() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/content/en/publication.toml")).unwrap();
        let units = manifest_units(&text);
        let ids: Vec<&str> = units.iter().map(|u| u.id.as_str()).collect();
        assert!(ids.contains(&"legal.citation"), "{ids:?}");
        assert!(ids.contains(&"legal.notices-2"));
        assert!(ids.contains(&"acknowledgements.organisations-15"));
        let citation = units.iter().find(|u| u.id == "legal.citation").unwrap();
        assert_eq!(citation.codes[0].kind(), "italic");
        assert!(text.lines().nth(citation.line - 1).unwrap().starts_with("citation"));
        // An array's items each at their own line, not their key's.
        for unit in units.iter().filter(|u| u.id.starts_with("acknowledgements.organisations-")) {
            let line = text.lines().nth(unit.line - 1).unwrap();
            assert!(line.contains(&format!("\"{}\"", unit.plain())), "{}: line {} is {line}", unit.id, unit.line);
        }
        assert_eq!(word_count("国际 合作 and more"), 6);
    }
}
