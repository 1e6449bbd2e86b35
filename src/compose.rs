//! MODEL: an edition read from disk → one [`Publication`]: metadata, resolved
//! labels, the generated acknowledgements entry, numbering. No I/O.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::content::{Edition, Section};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::images::Assets;
use crate::manifest::Manifest;
use crate::markdown::ParseContext;
use crate::model::{Block, Direction, Entry, EntryKind, Inline, Legal, Meta, Publication};

/// Languages written right to left.
const RTL_LANGUAGES: &[&str] = &["ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"];

/// Builds the publication; label fallbacks become warnings.
pub fn compose(edition: &Edition, assets: &Assets, diags: &mut Diagnostics) -> Publication {
    let manifest = &edition.manifest.manifest;
    let file = &edition.manifest.file;
    let meta = meta(manifest);

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

    // Texts written in the manifest are Markdown too (links, emphasis).
    let no_entries = BTreeMap::new();
    let context = ParseContext { entries: &no_entries, smart_punctuation: manifest.smart_quotes };
    let mut markdown = |text: &toml::Spanned<String>| manifest_markdown(file, text, &context, diags);

    let mut ack_blocks = markdown(&manifest.acknowledgements.text);
    if !manifest.acknowledgements.organisations.is_empty() {
        let names: Vec<String> =
            manifest.acknowledgements.organisations.iter().map(|o| o.get_ref().trim().to_string()).collect();
        let sentence = crate::labels::join_list(&names, &labels);
        let stop = &labels["full-stop"];
        ack_blocks.push(Block::Paragraph { content: vec![Inline::text(format!("{sentence}{stop}"))] });
    }
    let legal = Legal {
        notices: manifest.legal.notices.iter().flat_map(&mut markdown).collect(),
        citation: markdown(&manifest.legal.citation)
            .into_iter()
            .flat_map(|b| match b {
                Block::Paragraph { content } => content,
                _ => vec![],
            })
            .collect(),
        disclaimers: manifest.legal.disclaimers.iter().flat_map(&mut markdown).collect(),
    };

    let mut entries = vec![Entry {
        id: "acknowledgements".into(),
        kind: EntryKind::Acknowledgements,
        number: 1,
        title: labels["acknowledgements"].clone(),
        toc_title: labels["acknowledgements"].clone(),
        organisations: vec![],
        country: None,
        blocks: ack_blocks,
        source: None,
    }];
    for (section, document) in &edition.documents {
        let front = &document.front;
        let title = front.title.get_ref().trim().to_string();
        entries.push(Entry {
            id: document.id.clone(),
            kind: match section {
                Section::Front => EntryKind::Front,
                Section::Story => EntryKind::Story,
                Section::Back => EntryKind::Back,
            },
            number: entries.len() + 1,
            toc_title: front
                .toc_title
                .as_ref()
                .map(|t| t.get_ref().trim().to_string())
                .unwrap_or_else(|| title.clone()),
            title,
            organisations: front.organisations.iter().map(|o| o.get_ref().trim().to_string()).collect(),
            country: front.country.as_ref().map(|c| c.get_ref().trim().to_string()),
            blocks: document.blocks.clone(),
            source: Some(document.rel_path.clone()),
        });
    }

    let mut cover = edition.cover.as_ref().map(|(image, _)| image.clone());
    let mut publish = |image: &mut crate::model::Image| {
        if let Some(asset) = assets.image(&image.src) {
            image.file = asset.name.clone();
        }
    };
    for entry in &mut entries {
        crate::model::images_mut(&mut entry.blocks, &mut publish);
    }
    cover.iter_mut().for_each(&mut publish);
    let mut publication = Publication { meta, labels, entries, legal, cover };
    if manifest.smart_quotes {
        localize_quotes(&mut publication);
    }
    publication
}

fn meta(manifest: &Manifest) -> Meta {
    let language = manifest.language.get_ref().clone();
    let (lang, region) = match language.parse::<unic_langid::LanguageIdentifier>() {
        Ok(id) => (id.language.as_str().to_string(), id.region.map(|r| r.as_str().to_string())),
        Err(_) => (language.to_ascii_lowercase(), None),
    };
    let direction = if RTL_LANGUAGES.contains(&lang.as_str()) { Direction::Rtl } else { Direction::Ltr };
    let date = manifest.date.get_ref().date.unwrap_or(toml::value::Date { year: 1970, month: 1, day: 1 });
    let identifier = crate::manifest::parse_identifier(manifest.identifier.get_ref())
        .map(|u| format!("urn:uuid:{u}"))
        .unwrap_or_else(|| manifest.identifier.get_ref().clone());
    let file_stem = manifest.file_stem.as_ref().map(|s| s.get_ref().clone()).unwrap_or_else(|| {
        let slug: String = manifest
            .title
            .get_ref()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
        format!("{}-{}", if slug.is_empty() { "publication" } else { &slug }, date.year)
    });
    Meta {
        title: manifest.title.get_ref().trim().to_string(),
        subtitle: text(&manifest.subtitle),
        language,
        lang,
        region,
        direction,
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
    }
}

/// An optional one-line text of the manifest, trimmed.
fn text(value: &Option<toml::Spanned<String>>) -> Option<String> {
    value.as_ref().map(|v| v.get_ref().trim().to_string())
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
    let blocks = parsed.blocks;
    // Re-anchor each problem on the manifest value it came from.
    for mut d in local.items().iter().cloned() {
        d.location = Some(crate::diag::Location::Span(file.clone(), text.span()));
        diags.push(d);
    }
    blocks
}

/// Turns the curly double quotes of smart punctuation into the language's
/// quotation marks (typst's table: « » for French, Russian and Arabic …).
/// Single quotes stay: most of them are apostrophes.
fn localize_quotes(publication: &mut Publication) {
    use std::str::FromStr;
    use typst::foundations::Smart;
    use typst::text::{Lang, Region, SmartQuotes};
    let meta = &publication.meta;
    let lang = Lang::from_str(&meta.lang).unwrap_or(Lang::ENGLISH);
    let region = meta.region.as_deref().and_then(|r| Region::from_str(r).ok());
    let auto = Smart::Auto;
    let quotes = SmartQuotes::get(&auto, lang, region, false);
    let (open, close) = (quotes.double_open.to_string(), quotes.double_close.to_string());
    if open == "“" && close == "”" {
        return;
    }
    let fix = |text: &mut String| *text = text.replace('“', &open).replace('”', &close);
    fn inlines(content: &mut [Inline], fix: &dyn Fn(&mut String)) {
        for inline in content {
            match inline {
                Inline::Text { text } => fix(text),
                Inline::Strong { content } | Inline::Emph { content } | Inline::Link { content, .. } => {
                    inlines(content, fix)
                }
                Inline::Code { .. } | Inline::Linebreak => {}
            }
        }
    }
    fn blocks(blocks_: &mut [Block], fix: &dyn Fn(&mut String)) {
        for block in blocks_ {
            match block {
                Block::Paragraph { content } | Block::Heading { content, .. } => inlines(content, fix),
                Block::Figure { caption, .. } => inlines(caption, fix),
                Block::List { items, .. } => items.iter_mut().for_each(|item| blocks(item, fix)),
                Block::Quote { blocks: inner } => blocks(inner, fix),
                Block::Code { .. } | Block::Rule => {}
            }
        }
    }
    for entry in &mut publication.entries {
        blocks(&mut entry.blocks, &fix);
    }
    let legal = &mut publication.legal;
    blocks(&mut legal.notices, &fix);
    blocks(&mut legal.disclaimers, &fix);
    inlines(&mut legal.citation, &fix);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(text: &str) -> Block {
        Block::Paragraph { content: vec![Inline::text(text)] }
    }

    fn publication(lang: &str) -> Publication {
        Publication {
            meta: Meta {
                title: "T".into(),
                subtitle: None,
                language: lang.into(),
                lang: lang.into(),
                region: None,
                direction: Direction::Ltr,
                date: "2026-01-01".into(),
                year: 2026,
                month: 1,
                day: 1,
                identifier: String::new(),
                publisher: "P".into(),
                publisher_short: None,
                unit: None,
                subject: None,
                keywords: vec![],
                file_stem: "t".into(),
            },
            labels: BTreeMap::new(),
            entries: vec![Entry {
                id: "a".into(),
                kind: EntryKind::Story,
                number: 1,
                title: "A".into(),
                toc_title: "A".into(),
                organisations: vec![],
                country: None,
                blocks: vec![paragraph("Il a dit “bonjour” et l’a quitté.")],
                source: None,
            }],
            legal: Legal { notices: vec![], citation: vec![], disclaimers: vec![] },
            cover: None,
        }
    }

    #[test]
    fn quotes_follow_the_language() {
        let mut fr = publication("fr");
        localize_quotes(&mut fr);
        assert_eq!(fr.entries[0].blocks[0], paragraph("Il a dit «\u{202F}bonjour\u{202F}» et l’a quitté."));
        let mut en = publication("en");
        localize_quotes(&mut en);
        assert_eq!(en.entries[0].blocks[0], paragraph("Il a dit “bonjour” et l’a quitté."));
    }
}
