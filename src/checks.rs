//! Checks over a whole edition that no single stage makes: glyph coverage by
//! the bundled fonts, story files the manifest forgot. `check` and `build` run
//! the same ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::content::Edition;
use crate::diag::{Diagnostic, SourceFile};
use crate::fonts::FontStore;
use crate::model::{Block, Inline, Publication};

/// Every character printed from the edition that no bundled font covers:
/// one error per character and file, at its first occurrence.
pub fn glyph_coverage(edition: &Edition, publication: &Publication, fonts: &FontStore) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, document) in &edition.documents {
        out.extend(missing_in(&document.file, None, fonts));
    }
    // From the manifest only the printed strings count (not its comments).
    let mut printed = String::new();
    let meta = &publication.meta;
    for s in [
        Some(&meta.title),
        meta.subtitle.as_ref(),
        Some(&meta.publisher),
        meta.publisher_short.as_ref(),
        meta.unit.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        printed.push_str(s);
    }
    printed.extend(publication.labels.values().map(String::as_str));
    if let Some(ack) = publication.entries.first() {
        ack.blocks.iter().for_each(|b| push_block(b, &mut printed));
    }
    let legal = &publication.legal;
    legal.notices.iter().chain(&legal.disclaimers).for_each(|b| push_block(b, &mut printed));
    push_inlines(&legal.citation, &mut printed);
    out.extend(missing_in(&edition.manifest.file, Some(&printed), fonts));
    out
}

/// Characters a PDF/A or PDF/UA file may not contain, whatever the font:
/// control characters (but tab and line ends), a byte order mark inside the
/// text, non-characters, and private-use code points.
fn forbidden(c: char, offset: usize) -> Option<&'static str> {
    match c {
        '\t' | '\n' | '\r' => None,
        '\u{FEFF}' if offset == 0 => None,
        '\u{FEFF}' => Some("a byte order mark inside the text"),
        c if c.is_control() => Some("a control character"),
        '\u{FFFE}' | '\u{FFFF}' => Some("a non-character"),
        '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}' => {
            Some("a private-use character, which means nothing outside one font")
        }
        _ => None,
    }
}

/// The bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): they can make text display in another order than it is
/// stored (a spoofing risk), and an unterminated one runs on.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn missing_in(file: &Arc<SourceFile>, only: Option<&str>, fonts: &FontStore) -> Vec<Diagnostic> {
    let mut first: BTreeMap<char, (usize, usize)> = BTreeMap::new();
    let mut out = Vec::new();
    for (offset, c) in file.text.char_indices() {
        if only.is_some_and(|s| !s.contains(c)) {
            continue;
        }
        if let Some(why) = forbidden(c, offset) {
            out.push(
                Diagnostic::error(format!("the character U+{:04X} cannot be printed ({why})", c as u32))
                    .at(file, offset..offset + c.len_utf8())
                    .hint("delete it; it is often invisible in editors"),
            );
            continue;
        }
        if !crate::fonts::needs_glyph(c) {
            continue;
        }
        if let Some((_, count)) = first.get_mut(&c) {
            *count += 1;
            continue;
        }
        if !fonts.covers(c) {
            first.insert(c, (offset, 1));
        }
    }
    out.extend(first.into_iter().map(|(c, (offset, count))| {
        let more = if count > 1 { format!(" ({} more in this file)", count - 1) } else { String::new() };
        Diagnostic::error(format!("no bundled font has the character “{c}” (U+{:04X}){more}", c as u32))
            .at(file, offset..offset + c.len_utf8())
            .hint("replace the character, or put a font that covers it in the edition's fonts/ folder (see README.md)")
    }));
    out
}

fn push_block(block: &Block, out: &mut String) {
    out.push_str(&crate::model::block_text(block));
}

fn push_inlines(inlines: &[Inline], out: &mut String) {
    out.push_str(&crate::model::plain_text(inlines));
}

/// Warnings for Markdown files in the edition folder that the manifest does not list.
pub fn unlisted_files(edition: &Edition) -> Vec<Diagnostic> {
    crate::content::unlisted_markdown(edition)
        .into_iter()
        .map(|rel| {
            Diagnostic::warning(format!("`{rel}` is not listed in publication.toml, so it is not published"))
                .in_file(edition.dir.join(&rel))
                .hint("add it under [contents], or move it out of the edition folder")
        })
        .collect()
}
