//! Checks over a whole edition that no single stage makes: the printed
//! text's characters against the fonts, story files the manifest forgot,
//! the acknowledgements against the stories.
//! `check` and `build` run the same ones.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::content::{Edition, Section};
use crate::diag::{Diagnostic, SourceFile};
use crate::fonts::FontStore;
use crate::model::{Body, Inline, Node, Publication, Visit};
use crate::unicode::{forbidden, is_bidi_control, needs_glyph};

/// Every character printed from the edition that no bundled font covers, or
/// that a PDF/A file may not hold: one error per character and file, at its
/// first occurrence. Only what is printed counts — after escapes and
/// entities are resolved, and never a comment.
pub fn glyph_coverage(edition: &Edition, publication: &Publication, fonts: &FontStore) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut manifest_text = String::new();
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
        manifest_text.push_str(s);
        manifest_text.push('\n');
    }
    for label in publication.labels.values() {
        manifest_text.push_str(label);
        manifest_text.push('\n');
    }
    for entry in &publication.entries {
        let mut printed = String::new();
        // Code blocks wrap anywhere (the layout breaks long lines): they count
        // for the glyphs, not for the longest word.
        let mut code = String::new();
        for s in [&entry.title, &entry.toc_title].into_iter().chain(&entry.organisations).chain(&entry.country) {
            printed.push_str(s);
            printed.push('\n');
        }
        crate::model::walk_blocks(entry.blocks(), &mut |visit| match visit {
            Visit::Enter(Node::Inline(Inline::Text { text } | Inline::Code { text })) => printed.push_str(text),
            // Blocks and table cells are texts of their own: no word runs on from one to the next.
            Visit::Enter(Node::Cell(..) | Node::Item(_)) => printed.push('\n'),
            Visit::Enter(Node::Block(block)) => {
                printed.push('\n');
                if let crate::model::BlockKind::Code { text } = &block.kind {
                    code.push_str(text);
                    code.push('\n');
                }
            }
            _ => {}
        });
        let document = entry.source.as_ref().and_then(|rel| edition.documents.iter().find(|(_, d)| &d.rel_path == rel));
        match (document, &entry.body) {
            (Some((_, document)), _) => {
                let body_start = document.spans.first().map_or(0, |s| s.start);
                out.extend(unprintable(&document.file, &printed, &code, body_start, fonts));
            }
            // Generated entries print the manifest's texts.
            (None, Body::Acknowledgements { .. }) => {
                manifest_text.push_str(&printed);
                manifest_text.push_str(&code);
            }
            (None, _) => {}
        }
    }
    out.extend(unprintable(&edition.manifest.file, &manifest_text, "", 0, fonts));
    out
}

/// Longest run of letters without a place to break the line: a "word" of
/// thousands of characters cannot be set, and becomes a PDF string longer
/// than PDF/A allows.
pub const MAX_WORD_CHARS: usize = 1000;

/// Longest run of letters a heading's line is sure to hold: typst breaks a
/// line at spaces, hyphens and slashes, and hyphenates words it knows, but
/// sets a longer run it cannot break (a code, a number, a made-up word)
/// past the edge of the page.
pub const LINE_WORD_CHARS: usize = 40;

/// Characters after which a line may break without a space (CJK scripts).
fn breaks_anywhere(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{3FFFF}')
}

/// The first run of more than `limit` characters without a break, if any.
fn overlong_word(printed: &str, limit: usize) -> Option<&str> {
    printed
        .split(|c: char| c.is_whitespace() || breaks_anywhere(c) || c == '-' || c == '/')
        .find(|word| word.chars().count() > limit)
}

/// Problems with the characters of `printed`, located in `file` (searched
/// from `from` first: a story's body comes after its front matter).
fn unprintable(file: &Arc<SourceFile>, printed: &str, code: &str, from: usize, fonts: &FontStore) -> Vec<Diagnostic> {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    for c in printed.chars().chain(code.chars()) {
        *counts.entry(c).or_default() += 1;
    }
    let mut out = Vec::new();
    let locate = |word: &str| {
        let start: String = word.chars().take(40).collect();
        let at = file.text.get(from..).and_then(|t| t.find(&start)).map_or(from, |i| i + from);
        at..at + start.len()
    };
    if let Some(word) = overlong_word(printed, MAX_WORD_CHARS) {
        out.push(
            Diagnostic::error(format!(
                "a word of {} characters has no place to break the line; the limit is {MAX_WORD_CHARS}",
                word.chars().count()
            ))
            .at(file, locate(word))
            .hint("put spaces in it, or shorten it"),
        );
    } else if let Some(word) = overlong_word(printed, LINE_WORD_CHARS) {
        out.push(
            Diagnostic::warning(format!(
                "a word of {} characters may run past the edge of the page in the PDF: a line breaks only at a space, hyphen or slash",
                word.chars().count()
            ))
            .at(file, locate(word))
            .hint("put a space, hyphen or slash where it may break, or shorten it"),
        );
    }
    let mut reported = BTreeSet::new();
    for (&c, &count) in &counts {
        // Looked for only for the few characters that are a problem: a scan of the file each.
        let mut written = None;
        let problem = if is_bidi_control(c) {
            // Closers anthology adds at a paragraph's end are not the editor's:
            // what the file writes counts.
            written = find_written(&file.text, c, from);
            if written.is_none() {
                continue;
            }
            let count = file.text.matches(c).count().max(1);
            let more = if count > 1 { format!(" ({} more in this file)", count - 1) } else { String::new() };
            Diagnostic::warning(format!(
                "the text holds the bidirectional control U+{:04X}{more}: it shows the text after it in another order than it is written",
                c as u32
            ))
            .hint("delete it unless the reordering is meant; anthology closes it at the end of its paragraph")
        } else if let Some(why) = forbidden(c) {
            Diagnostic::error(format!("the character U+{:04X} cannot be printed ({why})", c as u32))
                .hint("delete it; it is often invisible in editors")
        } else if needs_glyph(c) && !fonts.covers(c) {
            let more = if count > 1 { format!(" ({} more in this file)", count - 1) } else { String::new() };
            Diagnostic::error(format!("no bundled font has the character “{c}” (U+{:04X}){more}", c as u32)).hint(
                "replace the character, or put a font that covers it in the edition's fonts/ folder (see README.md)",
            )
        } else {
            continue;
        };
        if reported.insert(c) {
            let span = written.or_else(|| find_written(&file.text, c, from)).unwrap_or(from..from);
            out.push(problem.at(file, span));
        }
    }
    out
}

/// Where a printed character is written: literally (from `from` on, then
/// anywhere), or as a numeric entity (`&#x1F600;`, `&#128512;`, any case
/// and leading zeros aside); `None` when the file does not write it.
fn find_written(text: &str, c: char, from: usize) -> Option<std::ops::Range<usize>> {
    let literal = text.get(from..).and_then(|t| t.find(c)).map(|i| i + from).or_else(|| text.find(c));
    if let Some(at) = literal {
        return Some(at..at + c.len_utf8());
    }
    let lower = text.to_ascii_lowercase();
    for entity in [format!("&#x{:x};", c as u32), format!("&#{};", c as u32)] {
        if let Some(at) = lower.find(&entity) {
            return Some(at..at + entity.len());
        }
    }
    None
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

/// The acknowledgements' organisations against the stories': each listed
/// story's organisations are thanked, each thanked organisation has a story
/// (or is listed under `without-story`), none is thanked twice, and none is
/// written with the "and" the printed list puts in itself.
pub fn acknowledged_organisations(edition: &Edition) -> Vec<Diagnostic> {
    let thanks = &edition.manifest.manifest.acknowledgements;
    let file = &edition.manifest.file;
    let mut out = Vec::new();
    if thanks.organisations.is_empty() {
        return out;
    }
    // Names compare without case, extra spaces or a leading "and".
    let key = |name: &str| {
        let name = name.trim();
        let lower = name.to_lowercase();
        let bare = ["and", "&"]
            .iter()
            .find_map(|and| lower.strip_prefix(and).filter(|rest| rest.starts_with(char::is_whitespace)))
            .unwrap_or(&lower);
        bare.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let mut in_stories: BTreeMap<String, (&crate::content::Document, &toml::Spanned<String>)> = BTreeMap::new();
    for (_, document) in edition.documents.iter().filter(|(section, _)| *section == Section::Story) {
        for organisation in &document.front.organisations {
            in_stories.entry(key(organisation.get_ref())).or_insert((document, organisation));
        }
    }
    let story_names: Vec<&str> = in_stories.values().map(|(_, o)| o.get_ref().as_str()).collect();
    let without_story: BTreeSet<String> = thanks.without_story.iter().map(|o| key(o.get_ref())).collect();
    let mut thanked = BTreeSet::new();
    for organisation in &thanks.organisations {
        let name = organisation.get_ref().trim();
        let at = organisation.span();
        if !thanked.insert(key(name)) {
            out.push(
                Diagnostic::warning(format!("`{name}` is thanked twice in the acknowledgements"))
                    .at(file, at)
                    .hint("remove one of the two: the printed list names each organisation once"),
            );
            continue;
        }
        if key(name) != name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase() {
            out.push(
                Diagnostic::warning(format!("`{name}` starts with “and”"))
                    .at(file, at.clone())
                    .hint("write the name alone: the printed list puts “and” before the last name itself"),
            );
        }
        if !in_stories.contains_key(&key(name)) && !without_story.contains(&key(name)) {
            let mut warning = Diagnostic::warning(format!(
                "`{name}` is thanked in the acknowledgements, but no listed story names it"
            ))
            .at(file, at);
            if let Some(close) = crate::diag::suggest(name, story_names.iter().copied()) {
                warning = warning.hint(format!("did you mean `{close}`, as a story writes it?"));
            }
            out.push(warning.hint(
                "remove it if its story was dropped; if it is thanked for something else (a sponsor, a partner), \
                 add it to `without-story = [\"…\"]` under [acknowledgements]",
            ));
        }
    }
    for (name_key, (document, organisation)) in &in_stories {
        if thanked.contains(name_key) {
            continue;
        }
        let span = organisation.span();
        out.push(
            Diagnostic::warning(format!(
                "`{}`, an organisation of this story, is not thanked in the acknowledgements",
                organisation.get_ref().trim()
            ))
            .at(&document.file, document.front_start + span.start..document.front_start + span.end)
            .hint("add it to `organisations` under [acknowledgements] in publication.toml, written the same way"),
        );
    }
    for organisation in &thanks.without_story {
        if !thanked.contains(&key(organisation.get_ref())) {
            out.push(
                Diagnostic::warning(format!(
                    "`{}` is listed under `without-story` but not among the acknowledged organisations",
                    organisation.get_ref().trim()
                ))
                .at(file, organisation.span())
                .hint("`without-story` only marks names of `organisations`: add it there too, or remove it"),
            );
        }
    }
    out
}
