//! MODEL: an edition read from disk → one [`Publication`]. Every decision
//! the renderers would otherwise each make is made here, once: the entries
//! in reading order with the generated ones (cover, acknowledgements with the
//! legal texts, table of contents) and where the table of contents goes, the
//! numbering, every block's id, the back page's parts, the script, the
//! quotation marks, the published image names. No I/O.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::content::{Document, Edition, Section};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::images::Assets;
use crate::manifest::Manifest;
use crate::markdown::ParseContext;
use crate::model::{
    Block, BlockId, BlockKind, Body, ContentsLine, Direction, Entry, EntryId, Inline, Language, Legal, Meta, NodeMut,
    Pillar, Publication, PullQuote, Script,
};
use crate::theme::Theme;

/// Languages written right to left.
const RTL_LANGUAGES: &[&str] = &["ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"];
/// Languages written in the Arabic script.
const ARABIC_SCRIPT: &[&str] = &["ar", "fa", "ur", "ps", "sd", "ug", "ckb"];
/// Languages written in Chinese characters (and Japanese and Korean, set alike).
const CJK: &[&str] = &["zh", "ja", "ko"];

/// Builds the publication; label fallbacks and back-page overflow become warnings.
pub fn compose(edition: &Edition, assets: &Assets, theme: &Theme, diags: &mut Diagnostics) -> Publication {
    let manifest = &edition.manifest.manifest;
    let file = &edition.manifest.file;
    let meta = meta(manifest);
    let labels = labels(manifest, &meta, file, diags);

    let mut entries = vec![Entry {
        id: EntryId("cover".into()),
        listed: false,
        number: None,
        title: meta.title.clone(),
        toc_title: meta.title.clone(),
        organisations: vec![],
        country: None,
        source: None,
        marker: BlockId::default(),
        body: Body::Cover {
            image: edition.cover.as_ref().map(|(i, _)| i.clone()),
            photo: edition.cover_photo.as_ref().map(|(i, _)| i.clone()),
        },
        notes: vec![],
        language: None,
    }];
    entries.push(acknowledgements(edition, &labels, diags));
    for (section, document) in &edition.documents {
        let blocks = document.blocks.clone();
        let body = match section {
            Section::Front => Body::Front { blocks },
            Section::Story => story(blocks, document),
            Section::Back => back_page(document, blocks, theme, diags),
        };
        let front = &document.front;
        let title = front.title.get_ref().trim().to_string();
        entries.push(Entry {
            id: EntryId(document.id.clone()),
            listed: true,
            number: None,
            toc_title: front
                .toc_title
                .as_ref()
                .map(|t| t.get_ref().trim().to_string())
                .unwrap_or_else(|| title.clone()),
            title,
            organisations: front.organisations.iter().map(|o| o.get_ref().trim().to_string()).collect(),
            country: front.country.as_ref().map(|c| c.get_ref().trim().to_string()),
            source: Some(document.rel_path.clone()),
            marker: BlockId::default(),
            body,
            notes: document.notes.clone(),
            language: document_language(edition, document, &meta),
        });
    }
    // The table of contents comes before the first story (or the back page).
    let at =
        entries.iter().position(|e| matches!(e.body, Body::Story { .. } | Body::Back { .. })).unwrap_or(entries.len());
    entries.insert(
        at,
        Entry {
            id: EntryId("toc".into()),
            listed: false,
            number: None,
            title: labels["table-of-contents"].clone(),
            toc_title: labels["table-of-contents"].clone(),
            organisations: vec![],
            country: None,
            source: None,
            marker: BlockId::default(),
            body: Body::Contents { lines: vec![] },
            notes: vec![],
            language: None,
        },
    );

    // The table of contents lists every entry but the cover and itself;
    // stories are numbered 01, 02 …, front and back matter are not.
    let mut lines = Vec::new();
    let mut stories = 0;
    for entry in entries.iter_mut().filter(|e| e.listed) {
        if matches!(entry.body, Body::Story { .. }) {
            stories += 1;
            entry.number = Some(stories);
        }
        lines.push(ContentsLine { id: BlockId(format!("toc.{}", lines.len() + 1)), entry: entry.id.clone() });
    }
    if let Some(Body::Contents { lines: slot, .. }) = entries.get_mut(at).map(|e| &mut e.body) {
        *slot = lines;
    }

    let quotes = manifest.smart_quotes.then(|| crate::labels::quotation_marks(&meta.lang, meta.region.as_deref()));
    for entry in &mut entries {
        entry.marker = BlockId(format!("{}.start", entry.id));
        let prefix = entry.id.0.clone();
        let note_id = |number: usize| BlockId(format!("{prefix}.note-{number}"));
        for note in &mut entry.notes {
            note.id = note_id(note.number);
        }
        let mut n = 0;
        crate::model::walk_blocks_mut(entry.blocks_mut(), &mut |node| match node {
            NodeMut::Block(block) => {
                block.id = BlockId(format!("{prefix}.{n}"));
                n += 1;
                match &mut block.kind {
                    BlockKind::Paragraph { content }
                    | BlockKind::Heading { content, .. }
                    | BlockKind::Figure { caption: content, .. }
                    | BlockKind::CaptionNote { caption: content } => close_bidi(content),
                    BlockKind::Table { rows, .. } => {
                        rows.iter_mut().flat_map(|r| &mut r.cells).for_each(|c| close_bidi(&mut c.content))
                    }
                    _ => {}
                }
                match &mut block.kind {
                    BlockKind::Figure { image, .. } => publish(image, assets),
                    BlockKind::Heading { content, .. } => {
                        if let Some(Inline::Text { text }) = content.last_mut()
                            && let Some(without) = crate::typography::heading(text)
                        {
                            *text = without;
                        }
                    }
                    _ => {}
                }
            }
            NodeMut::Inline(Inline::Text { text }) => {
                if let Some((open, close)) = quotes {
                    localize_quotes(text, open, close);
                }
                *text = crate::typography::refine(text);
            }
            NodeMut::Inline(Inline::NoteRef { note, number, .. }) => *note = note_id(*number),
            NodeMut::Inline(_) => {}
        });
        if let Body::Cover { image, photo } = &mut entry.body {
            image.iter_mut().chain(photo.iter_mut()).for_each(|image| publish(image, assets));
        }
        if let Body::Story { pull_quote: Some(quote), .. } = &mut entry.body {
            for text in std::iter::once(&mut quote.text).chain(quote.by.as_mut()) {
                if let Some((open, close)) = quotes {
                    localize_quotes(text, open, close);
                }
                *text = crate::typography::refine(text);
            }
        }
    }
    Publication { version: crate::model::DATA_VERSION, meta, labels, theme: theme.clone(), entries }
}

/// The image's published name, from the checked assets.
fn publish(image: &mut crate::model::Image, assets: &Assets) {
    if let Some(asset) = assets.image(&image.src) {
        image.file = asset.name.clone();
    }
}

fn labels(
    manifest: &Manifest,
    meta: &Meta,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let overrides: BTreeMap<String, String> =
        manifest.labels.iter().map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone())).collect();
    let (labels, fallbacks) = crate::labels::resolve(&meta.lang, &overrides);
    if !fallbacks.is_empty() {
        let keys: Vec<&str> = fallbacks.iter().map(|f| f.key).collect();
        diags.push(
            Diagnostic::warning(format!(
                "no built-in labels for language `{}`; English is used for: {}",
                meta.language,
                keys.join(", ")
            ))
            .in_file(&file.path)
            .hint("translate them under [labels] in publication.toml, e.g. table-of-contents = \"…\""),
        );
    }
    labels
}

/// The acknowledgements entry: the manifest's text, the sentence of
/// organisations, and the legal texts.
fn acknowledgements(edition: &Edition, labels: &BTreeMap<String, String>, diags: &mut Diagnostics) -> Entry {
    let manifest = &edition.manifest.manifest;
    let file = &edition.manifest.file;
    // Texts written in the manifest are Markdown too (links, emphasis).
    let no_entries = BTreeMap::new();
    let context = ParseContext { entries: &no_entries, smart_punctuation: manifest.smart_quotes };
    let mut markdown = |text: &toml::Spanned<String>| manifest_markdown(file, text, &context, diags);

    // Texts a translation still has as in its source are set in the source's language.
    let untranslated = untranslated_manifest_texts(edition);
    let tagged = |blocks: Vec<Block>, path: &[&str], index: Option<usize>, text: &str| -> Vec<Block> {
        let Some((language, snapshot)) = &untranslated else { return blocks };
        let mut value = snapshot.get(path[0]);
        for key in &path[1..] {
            value = value.and_then(|v| v.get(key));
        }
        // A text of a list is untranslated if the list had it anywhere
        // (a notice added in front moves the others along).
        let same = match (index, value) {
            (Some(_), Some(toml::Value::Array(list))) => list.iter().any(|v| v.as_str() == Some(text)),
            (None, Some(value)) => value.as_str() == Some(text),
            _ => false,
        };
        blocks.into_iter().map(|b| Block { language: same.then(|| language.clone()), ..b }).collect()
    };
    let text = &manifest.acknowledgements.text;
    let mut blocks = tagged(markdown(text), &["acknowledgements", "text"], None, text.get_ref());
    if !manifest.acknowledgements.organisations.is_empty() {
        let names: Vec<String> =
            manifest.acknowledgements.organisations.iter().map(|o| o.get_ref().trim().to_string()).collect();
        // After a text still in the source's language, the names as it wrote
        // them are its sentence too, with its separators ("A, B and C").
        let in_source = untranslated.as_ref().filter(|(_, snapshot)| {
            let written = snapshot.get("acknowledgements").and_then(|a| a.get("organisations"));
            let as_written = written.and_then(toml::Value::as_array).is_some_and(|list| {
                list.iter().map(|v| v.as_str().unwrap_or("").trim()).eq(names.iter().map(String::as_str))
            });
            as_written && blocks.last().is_some_and(|b| b.language.is_some())
        });
        let block = match in_source {
            Some((language, _)) => {
                let overrides: BTreeMap<String, String> = untranslated
                    .as_ref()
                    .and_then(|(_, snapshot)| snapshot.get("labels")?.as_table().cloned())
                    .map(|table| table.into_iter().filter_map(|(k, v)| Some((k, v.as_str()?.to_string()))).collect())
                    .unwrap_or_default();
                let (source_labels, _) = crate::labels::resolve(&language.lang, &overrides);
                let sentence = crate::labels::join_list(&names, &source_labels);
                Block {
                    language: Some(language.clone()),
                    ..Block::paragraph(format!("{sentence}{}", source_labels["full-stop"]))
                }
            }
            None => Block::paragraph(format!("{}{}", crate::labels::join_list(&names, labels), labels["full-stop"])),
        };
        blocks.push(block);
    }
    let citation: Vec<Inline> = markdown(&manifest.legal.citation)
        .into_iter()
        .flat_map(|b| match b.kind {
            BlockKind::Paragraph { content } => content,
            _ => vec![],
        })
        .collect();
    let citation = Block::new(BlockKind::Paragraph { content: citation });
    let citation = tagged(vec![citation], &["legal", "citation"], None, manifest.legal.citation.get_ref());
    let mut texts = |list: &[toml::Spanned<String>], key: &str| -> Vec<Block> {
        let mut out = Vec::new();
        for (i, text) in list.iter().enumerate() {
            out.extend(tagged(markdown(text), &["legal", key], Some(i), text.get_ref()));
        }
        out
    };
    let legal = Legal {
        notices: texts(&manifest.legal.notices, "notices"),
        citation: citation.into_iter().next().expect("one block"),
        disclaimers: texts(&manifest.legal.disclaimers, "disclaimers"),
    };
    Entry {
        id: EntryId("acknowledgements".into()),
        number: None,
        title: labels["acknowledgements"].clone(),
        toc_title: labels["acknowledgements"].clone(),
        organisations: vec![],
        country: None,
        source: None,
        marker: BlockId::default(),
        listed: true,
        body: Body::Acknowledgements { blocks, legal },
        notes: vec![],
        language: None,
    }
}

/// A story: its closing paragraphs that carry links — the calls to action
/// ("Visit their profile …", "For more information …") — are set apart as
/// its "find out more" panel.
fn story(mut blocks: Vec<Block>, document: &Document) -> Body {
    let has_link = |block: &Block| {
        let mut found = false;
        crate::model::walk_blocks([block], &mut |visit| {
            found |= matches!(visit, crate::model::Visit::Enter(crate::model::Node::Inline(Inline::Link { .. })));
        });
        found && matches!(block.kind, BlockKind::Paragraph { .. })
    };
    let keep = blocks.iter().rposition(|b| !has_link(b)).map_or(0, |i| i + 1);
    // A story made only of links keeps its text where it is.
    let closing = if keep == 0 { vec![] } else { blocks.split_off(keep) };
    // A heading right above the links ("Further information") is their
    // title, not a heading left standing over an empty end of text.
    let closing_title = match blocks.last() {
        Some(Block { kind: BlockKind::Heading { .. }, .. }) if !closing.is_empty() => blocks.pop(),
        _ => None,
    };
    let pull_quote = document.front.pull_quote.as_ref().map(|text| PullQuote {
        text: text.get_ref().trim().to_string(),
        by: document.front.pull_quote_by.as_ref().map(|by| by.get_ref().trim().to_string()),
    });
    Body::Story { blocks, closing_title, closing, pull_quote }
}

/// The back page: its Markdown's first list is the pillars (as many as the
/// theme draws side by side; the rest stay a list), the first paragraph after
/// them the lead, everything else the contact block.
fn back_page(document: &Document, mut blocks: Vec<Block>, theme: &Theme, diags: &mut Diagnostics) -> Body {
    let mut pillars = Vec::new();
    if let Some(at) = blocks.iter().position(|b| matches!(b.kind, BlockKind::List { .. })) {
        let list_span = document.spans.get(at).cloned();
        let BlockKind::List { items, .. } = &mut blocks[at].kind else { unreachable!("found as a list") };
        let max = theme.back.pillars;
        if items.len() > max {
            let span: Range<usize> = list_span.unwrap_or(0..0);
            diags.push(
                Diagnostic::warning(format!(
                    "the back page draws {max} pillars side by side; the other {} stay a list under them",
                    items.len() - max
                ))
                .at(&document.file, span)
                .hint("shorten the list, or raise `pillars` in the theme (layouts/theme.toml) if the page has room"),
            );
        }
        let drawn: Vec<_> = items.drain(..items.len().min(max)).collect();
        pillars = drawn.into_iter().map(|item| Pillar { blocks: item.blocks }).collect();
        if items.is_empty() {
            blocks.remove(at);
        }
    }
    let lead = blocks.iter().position(|b| matches!(b.kind, BlockKind::Paragraph { .. })).map(|at| blocks.remove(at));
    Body::Back { pillars, lead, contact: blocks }
}

/// The facts the renderers need of a (checked) BCP 47 tag.
pub fn language(tag: &str) -> Language {
    let (lang, region) = match tag.parse::<unic_langid::LanguageIdentifier>() {
        Ok(id) => (id.language.as_str().to_string(), id.region.map(|r| r.as_str().to_string())),
        Err(_) => (tag.to_ascii_lowercase(), None),
    };
    let direction = if RTL_LANGUAGES.contains(&lang.as_str()) { Direction::Rtl } else { Direction::Ltr };
    let script = if CJK.contains(&lang.as_str()) {
        Script::Cjk
    } else if ARABIC_SCRIPT.contains(&lang.as_str()) {
        Script::Arabic
    } else {
        Script::Latin
    };
    Language { tag: tag.to_string(), lang, region, direction, script }
}

/// The language a document's text is in, when it is not the publication's:
/// its front matter's `language`, or — in a translation — the source's
/// while the file is still the copy `init` made (its SHA-256 the one
/// recorded for it).
fn document_language(edition: &Edition, document: &crate::content::Document, meta: &Meta) -> Option<Language> {
    let manifest = &edition.manifest.manifest;
    let tag = match &document.front.language {
        Some(tag) => tag.get_ref().trim().to_string(),
        None => {
            let translation = manifest.translation.as_ref()?;
            let source = translation.source_language.as_ref()?;
            translation.is_copy(&document.rel_path, document.file.text.as_bytes()).then(|| source.clone())?
        }
    };
    let language = language(&tag);
    (language.lang != meta.lang || language.region != meta.region).then_some(language)
}

fn meta(manifest: &Manifest) -> Meta {
    let language_tag = manifest.language.get_ref().clone();
    let Language { tag: language, lang, region, direction, script } = self::language(&language_tag);
    let date = manifest.date.get_ref().date.unwrap_or(toml::value::Date { year: 1980, month: 1, day: 1 });
    // `validate` has refused anything else.
    let identifier = crate::manifest::parse_identifier(manifest.identifier.get_ref()).unwrap_or_default();
    let file_stem = manifest.file_stem.as_ref().map(|s| s.get_ref().clone()).unwrap_or_else(|| {
        let slug: String = manifest
            .title
            .get_ref()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
        let slug: String = slug.chars().take(60).collect();
        format!("{}-{}", if slug.is_empty() { "publication" } else { &slug }, date.year)
    });
    let title = manifest.title.get_ref().trim().to_string();
    Meta {
        metadata_title: if manifest.year_in_title { format!("{title} {}", date.year) } else { title.clone() },
        title,
        subtitle: text(&manifest.subtitle),
        language,
        lang,
        region,
        direction,
        script,
        date: format!("{:04}-{:02}-{:02}", date.year, date.month, date.day),
        year: i32::from(date.year),
        month: date.month,
        day: date.day,
        identifier,
        publisher: manifest.publisher.name.get_ref().trim().to_string(),
        publisher_short: text(&manifest.publisher.short_name),
        unit: text(&manifest.publisher.unit),
        subject: text(&manifest.subject),
        keywords: manifest.keywords.iter().map(|k| k.get_ref().trim().to_string()).collect(),
        file_stem,
        base_url: manifest.web.as_ref().and_then(|w| w.base_url()),
    }
}

/// An optional one-line text of the manifest, trimmed.
fn text(value: &Option<toml::Spanned<String>>) -> Option<String> {
    value.as_ref().map(|v| v.get_ref().trim().to_string())
}

/// Closes the bidirectional overrides and isolates a paragraph leaves open,
/// so that a stray U+202E cannot reverse the text after it in either output.
fn close_bidi(content: &mut Vec<Inline>) {
    let closers = crate::unicode::bidi_closers([crate::model::plain_text(content).as_str()]);
    if !closers.is_empty() {
        content.push(Inline::text(closers));
    }
}

/// The source's language and its manifest as the translation was started
/// from it (`translated-from/publication.toml`), for a translation into
/// another language.
fn untranslated_manifest_texts(edition: &Edition) -> Option<(Language, toml::Table)> {
    let source = edition.manifest.manifest.translation.as_ref()?.source_language.as_ref()?.trim();
    crate::manifest::check_language(source).ok()?;
    if language(source).lang == language(edition.manifest.manifest.language.get_ref()).lang {
        return None;
    }
    let path = edition.dir.join(crate::manifest::SNAPSHOT_DIR).join(crate::manifest::MANIFEST_FILE);
    let text = crate::files::read_text(&edition.dir, &path).ok()?;
    Some((language(source), text.parse().ok()?))
}

/// Parses a Markdown text from the manifest; problems point at the TOML value.
fn manifest_markdown(
    file: &Arc<SourceFile>,
    text: &toml::Spanned<String>,
    context: &ParseContext,
    diags: &mut Diagnostics,
) -> Vec<Block> {
    let inner = SourceFile::new(&file.path, text.get_ref().clone());
    let mut local = Diagnostics::default();
    let parsed = crate::markdown::parse(&inner, 0, "", context, &mut local);
    if !parsed.images.is_empty() {
        local.push(Diagnostic::error("images cannot be shown in the manifest's texts").hint("put photos in a story"));
    }
    if !parsed.notes.is_empty() {
        local.push(
            Diagnostic::error("footnotes cannot be used in the manifest's texts")
                .hint("write the note's words into the text, or move the text into a section's Markdown file"),
        );
    }
    // Re-anchor each problem on the manifest value it came from.
    for mut d in local.items().iter().cloned() {
        d.location = Some(crate::diag::Location::Span(file.clone(), text.span()));
        diags.push(d);
    }
    parsed.blocks
}

/// Turns the curly double quotes of smart punctuation into the language's
/// quotation marks (« » for French, Russian and Arabic …). Single quotes
/// stay: most of them are apostrophes.
fn localize_quotes(text: &mut String, open: &str, close: &str) {
    if (open, close) != ("“", "”") && text.contains(['“', '”']) {
        *text = text.replace('“', open).replace('”', close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_follow_the_language() {
        let (open, close) = crate::labels::quotation_marks("fr", None);
        let mut text = "Il a dit “bonjour” et l’a quitté.".to_string();
        localize_quotes(&mut text, open, close);
        assert_eq!(text, "Il a dit «\u{202F}bonjour\u{202F}» et l’a quitté.");
        let (open, close) = crate::labels::quotation_marks("en", None);
        let mut text = "He said “hello”.".to_string();
        localize_quotes(&mut text, open, close);
        assert_eq!(text, "He said “hello”.");
    }
}
