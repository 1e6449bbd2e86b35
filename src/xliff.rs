//! XLIFF 1.2 for CAT tools: `export` writes a translation's units (see
//! [`crate::segments`]) with their source text from the edition it was
//! made from and, where the translation has it, their target; `import`
//! writes the targets back into the translation's files and records them as
//! translated.
//!
//! XLIFF 1.2, not 2.x: it is the version every CAT tool in use at the UN
//! reads and writes back unchanged (Trados Studio, memoQ, Phrase, OmegaT
//! through Okapi, and translate-toolkit, which Weblate and Pootle use);
//! support for 2.x is still partial in several of them. Inline markup is
//! `<g>` (around words: bold, italic, links) and `<x/>`/`<ph>` (in place of
//! words: line breaks, code, note references), numbered per unit. What a
//! tag stands for is taken from the source when importing (a `<ph>` shows
//! its Markdown, for the translator to read), so a target cannot add markup
//! the source did not have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::manifest::MANIFEST_FILE;
use crate::segments::{Code, Piece, Place, Unit};

/// The XLIFF 1.2 namespace.
const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:1.2";

/// Largest XLIFF file `import` reads.
pub const MAX_XLIFF_BYTES: u64 = 64 * 1024 * 1024;

/// One file of the edition as exported: its units with their targets.
#[derive(Debug)]
pub struct ExportedFile {
    pub rel: String,
    pub units: Vec<(Unit, Option<Unit>)>,
    /// Why its translation's text could not be given as targets, if so.
    pub unaligned: Option<String>,
}

impl ExportedFile {
    /// Words of the source text.
    pub fn words(&self) -> usize {
        self.units.iter().map(|(unit, _)| unit.words()).sum()
    }
}

/// What `export` made.
#[derive(Debug)]
pub struct Export {
    pub xml: String,
    pub files: Vec<ExportedFile>,
    pub source_language: String,
    pub target_language: String,
}

/// The units of a translation against its source, as XLIFF 1.2.
pub fn export(edition: &Path, diags: &mut Diagnostics) -> Result<Export, Failed> {
    let pair = crate::translation::Pair::open(edition, None, diags)?;
    let mut files = Vec::new();
    files.push(ExportedFile { rel: MANIFEST_FILE.to_string(), units: manifest_units(&pair), unaligned: None });
    for rel in pair.common_files() {
        let source = read_text(&pair.source_dir, &rel);
        let translated = read_text(&pair.edition, &rel);
        let source_units = crate::segments::markdown_units(&source);
        let untranslated = source == translated || pair.is_copy(&rel, translated.as_bytes());
        let (targets, unaligned) = if untranslated {
            (vec![None; source_units.len()], None)
        } else {
            translated_targets(&pair, &rel, &source_units, &translated)
        };
        files.push(ExportedFile { rel, units: source_units.into_iter().zip(targets).collect(), unaligned });
    }
    let source_language = pair.source.manifest.language.get_ref().clone();
    let target_language = pair.translation.manifest.language.get_ref().clone();
    let xml = write_xliff(&files, &source_language, &target_language);
    Ok(Export { xml, files, source_language, target_language })
}

/// The manifest's texts and the labels (`labels.KEY`, their source the
/// English label): targets are the translation's values where they differ
/// from the source's, and its labels unless they fall back to English.
fn manifest_units(pair: &crate::translation::Pair) -> Vec<(Unit, Option<Unit>)> {
    let source = crate::segments::manifest_units(&pair.source.file.text);
    let translated: BTreeMap<String, Unit> = crate::segments::manifest_units(&pair.translation.file.text)
        .into_iter()
        .map(|unit| (unit.id.clone(), unit))
        .collect();
    let mut units: Vec<(Unit, Option<Unit>)> = source
        .into_iter()
        .map(|unit| {
            let target = translated.get(&unit.id).filter(|t| t.markdown() != unit.markdown()).cloned();
            (unit, target)
        })
        .collect();
    let (english, _) = crate::labels::resolve("en", &pair.source_labels());
    let (labels, fallbacks) = crate::labels::resolve(&pair.translation_lang(), &pair.translation_labels());
    let line = crate::segments::labels_line(&pair.source.file.text);
    for (key, text) in english {
        let unit = crate::segments::plain_unit(format!("labels.{key}"), &["labels", &key], &text, line);
        let target = labels
            .get(&key)
            .filter(|_| !fallbacks.iter().any(|f| f.key == key))
            .map(|t| crate::segments::plain_unit(unit.id.clone(), &["labels", &key], t, line));
        units.push((unit, target));
    }
    units
}

/// The translation's texts as targets of the source's `units`: the
/// translation lines up block for block with the source it was translated
/// from (kept in `translated-from/`, else the source as it is), and a text
/// of the source as it is now has the translation of that same text there —
/// a text changed or added since has none. Else none, and why.
fn translated_targets(
    pair: &crate::translation::Pair,
    rel: &str,
    units: &[Unit],
    translated: &str,
) -> (Vec<Option<Unit>>, Option<String>) {
    let snapshot = std::fs::read(pair.edition.join(crate::translation::SNAPSHOT_DIR).join(rel))
        .map(|b| crate::segments::markdown_units(&String::from_utf8_lossy(&b)));
    let basis = snapshot.unwrap_or_else(|_| units.to_vec());
    let (aligned, why) = aligned_targets(&basis, &crate::segments::markdown_units(translated));
    if why.is_some() {
        return (vec![None; units.len()], why);
    }
    let mut by_text: BTreeMap<String, std::collections::VecDeque<Unit>> = BTreeMap::new();
    for (unit, target) in basis.iter().zip(aligned) {
        if let Some(target) = target {
            by_text.entry(unit.markdown()).or_default().push_back(target);
        }
    }
    let targets = units.iter().map(|u| by_text.get_mut(&u.markdown()).and_then(|q| q.pop_front())).collect();
    (targets, None)
}

/// The translation's blocks as targets of the source's, when the two line
/// up block for block (same number, same kinds); else none, and why.
fn aligned_targets(source: &[Unit], translated: &[Unit]) -> (Vec<Option<Unit>>, Option<String>) {
    let kind = |u: &Unit| u.id.split('-').next().unwrap_or("").to_string();
    let kinds = |units: &[Unit]| units.iter().map(kind).collect::<Vec<_>>();
    if kinds(source) != kinds(translated) {
        let reason = if translated.len() == source.len() {
            "its texts are not the same kinds of block as the source's (a heading, list or table changed)".to_string()
        } else {
            format!(
                "its {} texts do not line up with the source's {} (a block added, removed or split)",
                translated.len(),
                source.len()
            )
        };
        return (vec![None; source.len()], Some(reason));
    }
    let targets = source
        .iter()
        .zip(translated)
        .map(|(s, t)| (t.markdown() != s.markdown() || s.key.is_some() && t.plain() != s.plain()).then(|| t.clone()))
        .collect();
    (targets, None)
}

/// A text file of an edition, read through its checks (no symlink out, a
/// size limit); empty if it cannot be read.
fn read_text(edition: &Path, rel: &str) -> String {
    crate::files::read_text(edition, &edition.join(rel)).unwrap_or_default()
}

/// XLIFF 1.2 for `files`.
fn write_xliff(files: &[ExportedFile], source_language: &str, target_language: &str) -> String {
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let io = |r: std::io::Result<()>| r.expect("writing to memory");
    io(writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))));
    let mut root = BytesStart::new("xliff");
    root.push_attribute(("version", "1.2"));
    root.push_attribute(("xmlns", NAMESPACE));
    io(writer.write_event(Event::Start(root)));
    for file in files {
        let mut start = BytesStart::new("file");
        start.push_attribute(("original", file.rel.as_str()));
        start.push_attribute(("source-language", source_language));
        start.push_attribute(("target-language", target_language));
        start.push_attribute(("datatype", if file.rel == MANIFEST_FILE { "plaintext" } else { "x-markdown" }));
        io(writer.write_event(Event::Start(start)));
        io(writer.write_event(Event::Start(BytesStart::new("header"))));
        let mut group = BytesStart::new("count-group");
        group.push_attribute(("name", "words"));
        io(writer.write_event(Event::Start(group)));
        let mut count = BytesStart::new("count");
        count.push_attribute(("count-type", "total"));
        count.push_attribute(("unit", "word"));
        io(writer.write_event(Event::Start(count)));
        io(writer.write_event(Event::Text(BytesText::new(&file.words().to_string()))));
        io(writer.write_event(Event::End(BytesEnd::new("count"))));
        io(writer.write_event(Event::End(BytesEnd::new("count-group"))));
        io(writer.write_event(Event::End(BytesEnd::new("header"))));
        io(writer.write_event(Event::Start(BytesStart::new("body"))));
        for (unit, target) in &file.units {
            let mut start = BytesStart::new("trans-unit");
            start.push_attribute(("id", unit.id.as_str()));
            if let Some(restype) = restype(unit) {
                start.push_attribute(("restype", restype));
            }
            start.push_attribute(("xml:space", "preserve"));
            io(writer.write_event(Event::Start(start)));
            // Inline content goes out unindented: whitespace in it is text.
            let mut inline = String::new();
            inline.push_str("<source>");
            inline_xml(&mut inline, &unit.pieces, &unit.codes);
            inline.push_str("</source>");
            if let Some(target) = target {
                inline.push_str("<target state=\"translated\">");
                inline_xml(&mut inline, &target.pieces, &unit.codes);
                inline.push_str("</target>");
            }
            writer.get_mut().extend_from_slice(inline.as_bytes());
            let mut note = BytesStart::new("note");
            note.push_attribute(("from", "anthology"));
            io(writer.write_event(Event::Start(note)));
            io(writer.write_event(Event::Text(BytesText::new(&format!("{}:{}", file.rel, unit.line)))));
            io(writer.write_event(Event::End(BytesEnd::new("note"))));
            io(writer.write_event(Event::End(BytesEnd::new("trans-unit"))));
        }
        io(writer.write_event(Event::End(BytesEnd::new("body"))));
        io(writer.write_event(Event::End(BytesEnd::new("file"))));
    }
    io(writer.write_event(Event::End(BytesEnd::new("xliff"))));
    let mut xml = String::from_utf8(writer.into_inner()).expect("UTF-8 in, UTF-8 out");
    xml.push('\n');
    xml
}

/// XLIFF 1.2's name for what a block is.
fn restype(unit: &Unit) -> Option<&'static str> {
    if unit.key.is_some() {
        return None;
    }
    Some(match unit.id.split('-').next() {
        Some("h") => "heading",
        Some("li") => "listitem",
        Some("td") => "cell",
        Some("fn") => "fn",
        Some("fig") => "x-caption",
        Some("q") => "x-quote",
        _ => "x-paragraph",
    })
}

/// A unit's pieces as XLIFF inline content; `codes` are the source's
/// (a target's codes are the source's, by number).
fn inline_xml(out: &mut String, pieces: &[Piece], codes: &[Code]) {
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
            Piece::Open(n) => out.push_str(&format!("<g id=\"{}\" ctype=\"{}\">", n + 1, ctype(&codes[*n], true))),
            Piece::Close(_) => out.push_str("</g>"),
            Piece::Code(n) => match &codes[*n] {
                Code::Standalone { kind: "lb", .. } => out.push_str(&format!("<x id=\"{}\" ctype=\"lb\"/>", n + 1)),
                code @ Code::Standalone { markdown, .. } => out.push_str(&format!(
                    "<ph id=\"{}\" ctype=\"{}\">{}</ph>",
                    n + 1,
                    ctype(code, false),
                    quick_xml::escape::escape(markdown.as_str())
                )),
                code @ Code::Paired { .. } => {
                    out.push_str(&format!("<x id=\"{}\" ctype=\"{}\"/>", n + 1, ctype(code, false)))
                }
            },
        }
    }
}

/// XLIFF 1.2 `ctype` values: its own where one fits, else `x-`.
fn ctype(code: &Code, paired: bool) -> &'static str {
    match (code.kind(), paired) {
        ("bold", true) => "bold",
        ("italic", true) => "italic",
        ("link", true) => "link",
        ("image", _) => "x-image",
        (kind, _) if kind.starts_with("x-") => kind,
        _ => "x-markup",
    }
}

/// What `import` did.
#[derive(Debug, Default)]
pub struct Imported {
    /// Files written, with how many of their units got a target.
    pub written: Vec<(String, usize, usize)>,
    /// Files recorded as translated from the source as it is now.
    pub recorded: Vec<String>,
}

/// A target read from an XLIFF file, with where it is written there.
struct Target {
    id: String,
    source: Vec<Piece>,
    pieces: Vec<Piece>,
    at: std::ops::Range<usize>,
}

/// Writes the targets of `xliff` into the translation `edition`.
pub fn import(xliff: &Path, edition: &Path, diags: &mut Diagnostics) -> Result<Imported, Failed> {
    let folder = xliff.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let bytes = crate::files::read(folder, xliff, MAX_XLIFF_BYTES)
        .map_err(|err| diags.fail(Diagnostic::error(format!("the file {err}")).in_file(xliff)))?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(diags.fail(
            Diagnostic::error("the file is not UTF-8").in_file(xliff).hint("save the XLIFF from the CAT tool as UTF-8"),
        ));
    };
    let file = SourceFile::new(xliff, text);
    let read = read_xliff(&file, diags)?;
    let pair = crate::translation::Pair::open(edition, None, diags)?;
    let known: Vec<String> = std::iter::once(MANIFEST_FILE.to_string()).chain(pair.common_files()).collect();
    let mut imported = Imported::default();
    let mut writes: Vec<(PathBuf, String)> = Vec::new();
    for (rel, at, targets) in &read.files {
        if !known.contains(rel) {
            diags.push(
                Diagnostic::error(format!("`{rel}` is not a file this translation shares with its source"))
                    .at(&file, at.clone())
                    .hint(format!("files it shares: {}", known.join(", "))),
            );
            continue;
        }
        let source_text = read_text(&pair.source_dir, rel);
        let units = if rel == MANIFEST_FILE {
            manifest_units(&pair).into_iter().map(|(unit, _)| unit).collect()
        } else {
            crate::segments::markdown_units(&source_text)
        };
        let by_id: BTreeMap<&str, &Unit> = units.iter().map(|u| (u.id.as_str(), u)).collect();
        let mut chosen: BTreeMap<String, Vec<Piece>> = BTreeMap::new();
        let mut stale = false;
        for target in targets {
            let Some(unit) = by_id.get(target.id.as_str()).copied() else {
                diags.push(
                    Diagnostic::warning(format!(
                        "the unit `{}` is no longer in {rel} of the source (changed since the export); its target is not imported",
                        target.id
                    ))
                    .at(&file, target.at.clone())
                    .hint("export again and translate the changed text"),
                );
                stale = true;
                continue;
            };
            if !same_words(&target.source, &unit.pieces) {
                diags.push(
                    Diagnostic::warning(format!(
                        "the source of `{}` changed since the export ({rel}:{}); its target is not imported",
                        target.id, unit.line
                    ))
                    .at(&file, target.at.clone())
                    .hint("export again and translate the changed text"),
                );
                stale = true;
                continue;
            }
            if let Some(problem) = check_codes(&target.pieces, &unit.codes) {
                diags.push(
                    Diagnostic::error(format!("the target of `{}` {problem}", target.id))
                        .at(&file, target.at.clone())
                        .hint("keep the source's tags: each number stands for markup of the source text"),
                );
                continue;
            }
            chosen.insert(unit.id.clone(), target.pieces.clone());
        }
        // A file with no target stays as it is (still the copy `init` made,
        // or translated by hand).
        if chosen.is_empty() {
            continue;
        }
        let path = pair.edition.join(rel);
        let current = read_text(&pair.edition, rel);
        let written = if rel == MANIFEST_FILE {
            write_manifest(&current, &units, &chosen, &pair)
        } else {
            let is_copy = current == source_text || pair.is_copy(rel, current.as_bytes());
            let (kept, why) = if is_copy {
                (vec![None; units.len()], None)
            } else {
                translated_targets(&pair, rel, &units, &current)
            };
            if let Some(why) = why {
                diags.push(
                    Diagnostic::warning(format!("{rel} is not imported: {why}, and its translation would be lost"))
                        .at(&file, at.clone())
                        .hint("bring the file's blocks in line with the source, export again, and import"),
                );
                continue;
            }
            write_markdown(&source_text, &units, &chosen, &kept)
        };
        let translated_units = units.iter().filter(|u| chosen.contains_key(&u.id)).count();
        imported.written.push((rel.clone(), translated_units, units.len()));
        // Translated from the source as it is now; texts it leaves as in the
        // source are for `status` to report.
        if rel != MANIFEST_FILE && !stale {
            imported.recorded.push(rel.clone());
        }
        writes.push((path, written));
    }
    diags.check()?;
    for (path, text) in writes {
        crate::files::write_within(edition, &path, text.as_bytes())
            .map_err(|err| crate::translation::io_error(diags, &path, err))?;
    }
    if !imported.recorded.is_empty() {
        crate::translation::record(edition, &imported.recorded, diags)?;
    }
    Ok(imported)
}

/// Whether two texts are the same but for how their white space is laid out.
fn same_words(a: &[Piece], b: &[Piece]) -> bool {
    let squash = |pieces: &[Piece]| -> Vec<Piece> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => Piece::Text(t.split_whitespace().collect::<Vec<_>>().join(" ")),
                other => other.clone(),
            })
            .collect()
    };
    squash(a) == squash(b)
}

/// Whether a target's tags are the source's: numbers it has, each used as
/// it is in the source (around words, or in place of them).
fn check_codes(pieces: &[Piece], codes: &[Code]) -> Option<String> {
    for piece in pieces {
        let (n, paired) = match piece {
            Piece::Open(n) | Piece::Close(n) => (*n, true),
            Piece::Code(n) => (*n, false),
            Piece::Text(_) => continue,
        };
        match codes.get(n) {
            None if n == usize::MAX - 1 => return Some("has a tag without a number of the source's".to_string()),
            None => return Some(format!("has the tag {}, which its source does not", n + 1)),
            Some(Code::Standalone { .. }) if paired => {
                return Some(format!("puts words inside the tag {}, which stands alone in the source", n + 1));
            }
            Some(Code::Paired { .. }) if !paired => {
                return Some(format!("has the tag {} alone, which stands around words in the source", n + 1));
            }
            _ => {}
        }
    }
    None
}

/// What an XLIFF file holds: per `<file>`, its `original`, where it is, and its targets.
struct Read {
    files: Vec<(String, std::ops::Range<usize>, Vec<Target>)>,
}

/// Reads the targets of an XLIFF 1.2 file; errors are located in it.
fn read_xliff(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Result<Read, Failed> {
    let mut reader = quick_xml::Reader::from_str(&file.text);
    reader.config_mut().check_end_names = true;
    let mut files: Vec<(String, std::ops::Range<usize>, Vec<Target>)> = Vec::new();
    // The unit being read: its id, where it starts, its source and target pieces.
    let mut unit: Option<(String, usize)> = None;
    let mut into: Option<Vec<Piece>> = None;
    let mut source: Vec<Piece> = Vec::new();
    let mut target: Option<Vec<Piece>> = None;
    let mut in_ph = 0usize;
    let mut open_g: Vec<Option<usize>> = Vec::new();
    let mut version_seen = false;
    let mut alt_trans = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                let at = reader.error_position() as usize;
                return Err(diags.fail(
                    Diagnostic::error(format!("this is not well-formed XML ({err})"))
                        .at(file, at..at)
                        .hint("open the file in the CAT tool again and export it anew"),
                ));
            }
        };
        let after = reader.buffer_position() as usize;
        let at = before..after;
        let attr = |e: &BytesStart, name: &[u8]| -> Option<String> {
            e.try_get_attribute(name).ok().flatten().and_then(|a| a.unescape_value().ok()).map(|v| v.into_owned())
        };
        // A tag's number; 0 or a non-number is no tag of the source's.
        let code_id =
            |e: &BytesStart| Some(attr(e, b"id")?.parse::<usize>().ok().filter(|n| *n > 0).unwrap_or(usize::MAX));
        match event {
            Event::Start(ref e) | Event::Empty(ref e) if into.is_some() => {
                let pieces = into.as_mut().unwrap();
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"g" | b"bpt" if !empty => {
                        let n = code_id(e).map(|n| n.saturating_sub(1));
                        if let Some(n) = n {
                            pieces.push(Piece::Open(n));
                        }
                        if e.local_name().as_ref() == b"bpt" {
                            // <bpt>'s content is native code: its words are not text.
                            in_ph += 1;
                        } else {
                            open_g.push(n);
                        }
                    }
                    b"x" | b"ph" | b"it" => {
                        if let Some(n) = code_id(e) {
                            pieces.push(Piece::Code(n.saturating_sub(1)));
                        }
                        if !empty {
                            in_ph += 1;
                        }
                    }
                    b"ept" => {
                        if let Some(n) = code_id(e) {
                            pieces.push(Piece::Close(n.saturating_sub(1)));
                        }
                        if !empty {
                            in_ph += 1;
                        }
                    }
                    // <mrk> (a CAT tool's segment or comment) wraps words: read through it.
                    _ => {}
                }
            }
            Event::End(e) if into.is_some() => match e.local_name().as_ref() {
                b"source" => source = into.take().unwrap_or_default(),
                b"target" => target = into.take(),
                b"g" => {
                    if let Some(Some(n)) = open_g.pop() {
                        into.as_mut().unwrap().push(Piece::Close(n));
                    }
                }
                b"ph" | b"it" | b"ept" | b"bpt" | b"x" => in_ph = in_ph.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if into.is_some() && in_ph == 0 => {
                let words = t.decode().map(|c| c.into_owned()).unwrap_or_default();
                push_text(into.as_mut().unwrap(), &words);
            }
            Event::GeneralRef(r) if into.is_some() && in_ph == 0 => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => quick_xml::escape::resolve_xml_entity(&name).map(str::to_string),
                    Err(_) => None,
                };
                match resolved {
                    Some(words) => push_text(into.as_mut().unwrap(), &words),
                    None => {
                        return Err(diags.fail(
                            Diagnostic::error(format!("unknown entity `&{name};`"))
                                .at(file, at)
                                .hint("write the character itself"),
                        ));
                    }
                }
            }
            Event::CData(t) if into.is_some() && in_ph == 0 => {
                push_text(into.as_mut().unwrap(), &String::from_utf8_lossy(&t));
            }
            Event::Start(e) => match e.local_name().as_ref() {
                b"xliff" => {
                    let version = attr(&e, b"version").unwrap_or_default();
                    if version != "1.2" {
                        return Err(diags.fail(
                            Diagnostic::error(format!(
                                "XLIFF version `{version}` is not read; anthology reads XLIFF 1.2"
                            ))
                            .at(file, at)
                            .hint("export the file from the CAT tool as XLIFF 1.2"),
                        ));
                    }
                    version_seen = true;
                }
                b"file" => {
                    let Some(original) = attr(&e, b"original") else {
                        return Err(diags.fail(
                            Diagnostic::error(
                                "this <file> has no `original`: which file of the edition it is, is not known",
                            )
                            .at(file, at),
                        ));
                    };
                    if files.iter().any(|(o, ..)| *o == original) {
                        return Err(diags.fail(
                            Diagnostic::error(format!("`{original}` is in this file twice"))
                                .at(file, at)
                                .hint("merge the two <file> elements, or export again"),
                        ));
                    }
                    files.push((original, at, Vec::new()));
                }
                b"trans-unit" => {
                    unit = Some((attr(&e, b"id").unwrap_or_default(), before));
                    source.clear();
                    target = None;
                }
                // A CAT tool's suggestions (<alt-trans>) are not the unit's text.
                b"alt-trans" => alt_trans += 1,
                b"source" | b"target" if unit.is_some() && alt_trans == 0 => {
                    into = Some(Vec::new());
                    open_g.clear();
                    in_ph = 0;
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"alt-trans" => alt_trans = alt_trans.saturating_sub(1),
            Event::End(e) if e.local_name().as_ref() == b"trans-unit" => {
                // An empty target is no translation yet, not an empty text.
                let target =
                    target.take().filter(|p| p.iter().any(|p| !matches!(p, Piece::Text(t) if t.trim().is_empty())));
                if let (Some((id, start)), Some(pieces), Some(last)) = (unit.take(), target, files.last_mut()) {
                    last.2.push(Target { id, source: std::mem::take(&mut source), pieces, at: start..after });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !version_seen {
        return Err(diags.fail(
            Diagnostic::error("this is not an XLIFF file (no <xliff version=\"1.2\">)")
                .at(file, 0..0)
                .hint("pass the .xlf file `anthology xliff export` wrote, as the CAT tool saved it"),
        ));
    }
    // A target written as its source words with tags stripped by the tool
    // still counts: merge adjacent words so they compare with the source's.
    for (_, _, targets) in &mut files {
        for target in targets {
            target.source = merge(std::mem::take(&mut target.source));
            target.pieces = merge(std::mem::take(&mut target.pieces));
        }
    }
    Ok(Read { files })
}

fn push_text(pieces: &mut Vec<Piece>, words: &str) {
    match pieces.last_mut() {
        Some(Piece::Text(last)) => last.push_str(words),
        _ => pieces.push(Piece::Text(words.to_string())),
    }
}

fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(words) if words.is_empty() => {}
            Piece::Text(words) => push_text(&mut out, &words),
            other => out.push(other),
        }
    }
    out
}

/// A Markdown file of the translation with the targets in place: the
/// source's structure and front matter, each block's text the target's,
/// else the translation's own where it lines up with the source (else the
/// source's).
fn write_markdown(
    source: &str,
    units: &[Unit],
    chosen: &BTreeMap<String, Vec<Piece>>,
    kept: &[Option<Unit>],
) -> String {
    let text_of = |n: usize, unit: &Unit| -> Option<String> {
        match chosen.get(&unit.id) {
            Some(pieces) => Some(crate::segments::write_pieces(pieces, &unit.codes, unit.place)),
            None => kept[n].as_ref().map(Unit::markdown),
        }
    };
    let mut out = source.to_string();
    // Blocks from the last, so that earlier ranges stay where they are.
    for (n, unit) in units.iter().enumerate().rev() {
        if let (Some(range), Some(text)) = (&unit.range, text_of(n, unit)) {
            out.replace_range(range.clone(), &text);
        }
    }
    if let Some((inner, _)) = crate::content::front_matter_bounds(&out)
        && let Ok(mut front) = out[inner.clone()].parse::<toml_edit::DocumentMut>()
    {
        for (n, unit) in units.iter().enumerate() {
            if let (Some(key), Some(text)) = (&unit.key, text_of(n, unit)) {
                set_value(front.as_table_mut(), key, &text);
            }
        }
        let mut front = front.to_string();
        if !front.ends_with('\n') {
            front.push('\n');
        }
        out.replace_range(inner, &front);
    }
    out
}

/// The translation's manifest with the targets in place (its own layout,
/// comments and other keys kept); a label is written under `[labels]` only
/// where it differs from anthology's own for the language.
fn write_manifest(
    current: &str,
    units: &[Unit],
    chosen: &BTreeMap<String, Vec<Piece>>,
    pair: &crate::translation::Pair,
) -> String {
    let Ok(mut document) = current.parse::<toml_edit::DocumentMut>() else { return current.to_string() };
    for unit in units.iter().filter(|u| !u.id.starts_with("labels.")) {
        if let (Some(key), Some(pieces)) = (&unit.key, chosen.get(&unit.id)) {
            let text = crate::segments::write_pieces(pieces, &unit.codes, unit.place);
            set_value(document.as_table_mut(), key, &text);
        }
    }
    let (builtin, _) = crate::labels::resolve(&pair.translation_lang(), &BTreeMap::new());
    for (id, pieces) in chosen.iter().filter(|(id, _)| id.starts_with("labels.")) {
        let key = &id["labels.".len()..];
        let text = crate::segments::write_pieces(pieces, &[], Place::Plain);
        if builtin.get(key) != Some(&text) {
            set_value(document.as_table_mut(), &(vec!["labels".into(), key.to_string()], None), &text);
        }
    }
    document.to_string()
}

/// Sets a string (or one string of an array) at `key` in a TOML table.
fn set_value(table: &mut toml_edit::Table, (path, index): &(Vec<String>, Option<usize>), text: &str) {
    let Some((last, tables)) = path.split_last() else { return };
    let mut table = table;
    for name in tables {
        if !table.contains_key(name) {
            table.insert(name, toml_edit::Item::Table(toml_edit::Table::new()));
        }
        let Some(inner) = table.get_mut(name).and_then(toml_edit::Item::as_table_mut) else { return };
        table = inner;
    }
    match index {
        None => {
            let decor = table.get(last).and_then(|i| i.as_value()).map(|v| v.decor().clone());
            let mut value = toml_edit::Value::from(text);
            if let Some(decor) = decor {
                *value.decor_mut() = decor;
            }
            table.insert(last, toml_edit::Item::Value(value));
        }
        Some(n) => {
            if let Some(array) = table.get_mut(last).and_then(toml_edit::Item::as_array_mut)
                && let Some(item) = array.get_mut(*n)
            {
                let decor = item.decor().clone();
                *item = toml_edit::Value::from(text);
                *item.decor_mut() = decor;
            }
        }
    }
}
