//! A story with every Markdown construct an editor may write (GitHub's
//! tables, footnotes, strikethrough and task lists among them) and the
//! scripts a story may quote builds, and both outputs show each construct
//! as what it is — never as its markup.

mod common;

use common::{Target, anthology, assert_in_order, build, copy_tree, elements, squash, xhtml_text};

const EDITION: &str = "tests/editions/markdown";
const STORY: &str = "OEBPS/constructs.xhtml";

/// Texts both outputs must hold: every table cell, the notes' texts, the
/// quoted scripts.
const TEXTS: &[&str] = &[
    "Country",
    "Cases",
    "a pipe | inside a cell",
    "a long cell whose text runs on and on so that it has to wrap onto several lines inside its column, as tables pasted from reports often do, without ever leaving the page",
    "emphasis and a link",
    "C10",
    "juliett",
    "2028",
    "The first footnote's text.",
    "The second footnote's first paragraph.",
    "Its second paragraph, indented under it.",
    "agree the partnership",
    "level five, the deepest",
    "A quote, level three.",
    "A sixth-level heading",
    "Another setext heading",
    "😀",
    "🌍",
];

/// The quoted scripts, as written. pdf-extract (a simple extractor) takes
/// Hebrew in the order it is drawn and repeats parts of Devanagari
/// clusters, so the PDF's are checked by poppler's pdftotext in
/// `.ci/validate`; here the fonts that set them are.
const SCRIPTS: &[(&str, &str)] = &[
    ("שלום עולם", "NotoSansHebrew"),
    ("नमस्ते दुनिया", "NotoSansDevanagari"),
    ("สวัสดีชาวโลก", "NotoSansThai"),
    ("😀", "NotoEmoji"),
];

/// Markup that must never reach a reader.
const MARKUP: &[&str] = &["|---", "|:--", "[^first]", "[^long]", "~~", "[x]", "[ ]", "&#x"];

fn code_line() -> String {
    let story = std::fs::read_to_string(common::root().join(EDITION).join("constructs.md")).unwrap();
    let line = story.lines().find(|l| l.starts_with("let partnership")).unwrap().to_string();
    assert_eq!(line.chars().count(), 130);
    line
}

#[test]
fn the_pdf_shows_every_construct_and_no_markup() {
    let build = build(EDITION, &[]);
    let pdf = build.pdf();
    let text = pdf.pages_text().concat();
    let squashed = squash(&text);
    for wanted in TEXTS {
        assert!(squashed.contains(&squash(wanted)), "the PDF lacks {wanted:?}: {text}");
    }
    for markup in MARKUP {
        assert!(!text.contains(markup), "the PDF prints the markup {markup:?}");
    }
    let fonts = String::from_utf8_lossy(&pdf.bytes).into_owned();
    for (_, font) in SCRIPTS {
        assert!(fonts.contains(&format!("+{font}")), "no {font} in the PDF");
    }
    // The undefined footnote is printed as written.
    assert!(text.contains("[^missing]"));
    // The long code line is wrapped, never clipped: every character is there.
    assert!(squashed.contains(&squash(&code_line())), "the 130-character code line is cut");
    assert!(squashed.contains("indentedwithatab"));
    // Task items carry their check boxes as characters.
    assert!(text.contains('☑') && text.matches('☐').count() == 2, "{text}");
    // Every page has the same size.
    let sizes: std::collections::BTreeSet<String> = pdf
        .doc
        .get_pages()
        .values()
        .map(|id| format!("{:?}", pdf.doc.get_dictionary(*id).unwrap().get(b"MediaBox").unwrap()))
        .collect();
    assert_eq!(sizes.len(), 1, "{sizes:?}");
}

#[test]
fn footnotes_are_at_the_foot_of_the_page_and_linked_both_ways() {
    let build = build(EDITION, &[]);
    let pdf = build.pdf();
    let pages = pdf.pages_text();
    let page = 1 + pages.iter().position(|p| p.contains("The first footnote")).expect("the note is printed");
    // The note is on the page that refers to it, below the text.
    let text = &pages[page - 1];
    assert!(text.contains("a first footnote"), "the note is not on its reference's page");
    assert!(text.find("The first footnote").unwrap() > text.find("publish the report").unwrap());
    // Links on that page that stay on it: three references (the first note
    // is referred to twice) down to the notes, two back up from them.
    let internal: Vec<f32> = pdf
        .links()
        .into_iter()
        .filter(|(on, _, target)| *on as usize == page && *target == Target::Page(page as u32))
        .map(|(_, rect, _)| rect[1])
        .collect();
    let foot = internal.iter().filter(|y| **y < 200.0).count();
    let text_area = internal.iter().filter(|y| **y > 400.0).count();
    assert_eq!((text_area, foot), (3, 2), "link heights: {internal:?}");
}

#[test]
fn the_epub_has_tables_notes_deletions_and_deep_nesting() {
    let build = build(EDITION, &[]);
    let epub = build.epub();
    let xhtml = epub.text(STORY);
    let text = xhtml_text(&xhtml);
    let squashed = squash(&text);
    for wanted in TEXTS {
        assert!(squashed.contains(&squash(wanted)), "the EPUB lacks {wanted:?}");
    }
    for markup in MARKUP {
        assert!(!text.contains(markup), "the EPUB prints the markup {markup:?}");
    }
    for (script, _) in SCRIPTS {
        assert!(text.contains(script), "the EPUB lacks {script}");
    }
    assert!(squashed.contains(&squash(&code_line())));
    let found = elements(&xhtml);
    let count = |name: &str| found.iter().filter(|e| e.name == name).count();
    assert_eq!(count("table"), 2);
    // The ten-column table is set to fit a phone's width.
    let tables: Vec<Option<String>> = found.iter().filter(|e| e.name == "table").map(|e| e.attr("class")).collect();
    assert_eq!(tables, [None, Some("wide".to_string())]);
    assert_eq!(count("thead"), 2);
    assert_eq!(found.iter().filter(|e| e.name == "th" && e.attr("scope").as_deref() == Some("col")).count(), 13);
    assert_eq!(count("td"), 39);
    assert_eq!(found.iter().filter(|e| e.attr("class").as_deref() == Some("align-right")).count(), 4);
    assert_eq!(count("del"), 1);
    // Two headings of the same text get ids of their own; no id repeats.
    let ids: Vec<String> = found.iter().filter_map(|e| e.attr("id")).collect();
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert_eq!(xhtml.matches(">A second-level heading</h2>").count(), 2);
    // Three references, two notes, each note linking back to its first reference.
    let refs: Vec<_> = found.iter().filter(|e| e.attr("role").as_deref() == Some("doc-noteref")).collect();
    assert_eq!(refs.len(), 3);
    let notes: Vec<_> = found.iter().filter(|e| e.attr("role").as_deref() == Some("doc-footnote")).collect();
    assert_eq!(notes.len(), 2);
    for note in &notes {
        let id = note.attr("id").unwrap();
        assert!(refs.iter().any(|r| r.attr("href") == Some(format!("#{id}"))), "nothing refers to {id}");
    }
    for back in found.iter().filter(|e| e.attr("role").as_deref() == Some("doc-backlink")) {
        let target = back.attr("href").unwrap();
        assert!(refs.iter().any(|r| r.attr("id").map(|id| format!("#{id}")) == Some(target.clone())), "{target}");
    }
    // Lists nest five deep and quotes three deep, as written.
    let mut depth: i32 = 0;
    let mut deepest = 0;
    let mut reader = quick_xml::Reader::from_str(&xhtml);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"ul" => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"ul" => depth -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(deepest, 5);
    assert!(xhtml.contains("<blockquote><p>A quote, level one.</p><blockquote><p>A quote, level two.</p><blockquote>"));
    // An override is closed where its paragraph ends.
    assert!(xhtml.contains("the paragraph&apos;s end.\u{202C}</p>"), "the override runs on");
}

#[test]
fn check_warns_about_markup_that_prints_as_written_and_the_override() {
    let output = anthology().args(["check", EDITION, "--diagnostic-format", "short"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let story = std::fs::read_to_string(common::root().join(EDITION).join("constructs.md")).unwrap();
    let line_of = |needle: &str| 1 + story.lines().position(|l| l.contains(needle)).unwrap();
    let column_of = |needle: &str| {
        let line = story.lines().find(|l| l.contains(needle)).unwrap();
        1 + line[..line.find(needle).unwrap()].chars().count()
    };
    let path = format!("{EDITION}/constructs.md");
    let override_line = line_of("\u{202E}");
    for expected in [
        format!(
            "{path}:{override_line}:{}: warning: the text holds the bidirectional control U+202E",
            column_of("\u{202E}")
        ),
        format!(
            "{path}:{}:{}: warning: the footnote [^missing] is not defined",
            line_of("[^missing]"),
            column_of("[^missing]")
        ),
        format!("{path}:{}:{}: warning: `H~2~` is printed as written", line_of("H~2~O"), column_of("H~2~O")),
    ] {
        assert!(stderr.lines().any(|l| l.starts_with(&expected)), "missing {expected:?} in\n{stderr}");
    }
    // One override is written: none of the closers anthology adds is counted.
    let override_warning = stderr.lines().find(|l| l.contains("U+202E")).unwrap();
    assert!(!override_warning.contains("more in this file"), "{override_warning}");
    assert!(!stderr.contains("U+202C"), "{stderr}");
    // The terminal never receives the override itself (it would reorder the line).
    let human = anthology().args(["check", EDITION]).output().unwrap();
    assert!(!String::from_utf8_lossy(&human.stderr).contains('\u{202E}'));
}

#[test]
fn a_character_no_font_has_is_named_even_when_written_as_an_entity() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("markdown");
    copy_tree(&common::root().join(EDITION), &edition);
    let story = edition.join("constructs.md");
    let text = std::fs::read_to_string(&story).unwrap();
    // An Egyptian hieroglyph: no bundled font draws it.
    std::fs::write(
        &story,
        text.replace("The paragraph after it", "A sign &#x13000; in the text. The paragraph after it"),
    )
    .unwrap();
    let output = anthology().arg("check").arg(&edition).args(["--diagnostic-format", "short"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    let line = 1 + std::fs::read_to_string(&story).unwrap().lines().position(|l| l.contains("&#x13000;")).unwrap();
    assert!(
        stderr.contains(&format!(
            "constructs.md:{line}:8: error: no bundled font has the character “\u{13000}” (U+13000)"
        )),
        "{stderr}"
    );
}

#[test]
fn a_story_of_26000_words_keeps_every_paragraph_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("long");
    copy_tree(&common::root().join(EDITION), &edition);
    let paragraphs: Vec<String> = (0..1400)
        .map(|i| {
            format!("Paragraph {i} of the long story tells how partners in country {i} met, worked and reported back together again.")
        })
        .collect();
    let body = paragraphs.join("\n\n");
    assert!(body.split_whitespace().count() >= 26_000);
    std::fs::write(
        edition.join("constructs.md"),
        format!("+++\ntitle = \"A long story\"\norganisations = [\"Markdown Org\"]\n+++\n\n{body}\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = anthology().arg("build").arg(&edition).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let pdf = common::Pdf::open(&out.join("every-construct-en.pdf"));
    let text = pdf.pages_text().concat();
    assert_in_order(&text, &paragraphs, "the PDF");
    let epub = common::Epub::open(&out.join("every-construct-en.epub"));
    let text = xhtml_text(&epub.text(STORY));
    assert_in_order(&text, &paragraphs, "the EPUB");
    // Once each.
    let pdf_text = squash(&pdf.pages_text().concat());
    for probe in ["Paragraph 7 of", "Paragraph 1399 of"] {
        assert_eq!(squash(&text).matches(&squash(probe)).count(), 1, "{probe} in the EPUB");
        assert_eq!(pdf_text.matches(&squash(probe)).count(), 1, "{probe} in the PDF");
    }
}

/// Hostile combinations found in review: each builds, or is refused at its line.
#[test]
fn struck_links_long_tables_and_notes_in_repeated_headers_build() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("markdown");
    copy_tree(&common::root().join(EDITION), &edition);
    let rows: String = (1950..2070).map(|year| format!("| {year} | {} | {}.5 |\n", year % 7, year % 3)).collect();
    let story = format!(
        "+++\ntitle = \"Review\"\norganisations = [\"Markdown Org\"]\n+++\n\n\
         Strike ~~across [a link](https://www.unodc.org/)~~ and [a ~~struck~~ link](https://www.unodc.org/).\n\n\
         | Year[^h] | [Value](https://www.unodc.org/) | Rate |\n|---|---|---|\n{rows}\n\
         - [x] done, with a second paragraph\n\n  The second paragraph.\n\n\
         [^h]: The year of the count.\n"
    );
    std::fs::write(edition.join("constructs.md"), &story).unwrap();
    let out = dir.path().join("out");
    let output = anthology().arg("build").arg(&edition).arg("--out").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("has no place to break"), "{stderr}");
    let pdf = common::Pdf::open(&out.join("every-construct-en.pdf"));
    let text = squash(&pdf.pages_text().concat());
    assert!(text.contains("2069") && text.contains("Theyearofthecount."), "the table and its note are printed");
    let epub = common::Epub::open(&out.join("every-construct-en.epub"));
    // The check box begins the item's first paragraph.
    assert!(
        epub.text(STORY).contains("<li class=\"task\"><p>☑ done, with a second paragraph</p>"),
        "{}",
        epub.text(STORY)
    );

    // A table of 13 columns is refused at its line.
    let wide = format!("+++\ntitle = \"Wide\"\n+++\n\nText.\n\n|{}\n|{}\n", " c |".repeat(13), "---|".repeat(13));
    std::fs::write(edition.join("constructs.md"), wide).unwrap();
    let output = anthology().arg("check").arg(&edition).args(["--diagnostic-format", "short"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("constructs.md:7:1: error: a table of 13 columns cannot be printed"), "{stderr}");
}
