//! Translated editions (Arabic, Chinese, French, Russian test editions):
//! language, direction, fonts and glyphs, labels, and following a translation
//! with `init` and `status`.

mod common;

use std::path::Path;

use common::{anthology, build, copy_tree, elements, root, squash, xhtml_text};

const LANGUAGES: &[&str] = &["ar", "zh", "fr", "ru"];

/// The PDF's text in reading order. Text extractors return glyphs left to
/// right; in a right-to-left edition each line then reads backwards, so it is
/// reversed (the test strings are chosen from Arabic words only).
fn reading_text(pdf: &common::Pdf, rtl: bool) -> String {
    let text = pdf.pages_text().concat();
    if !rtl {
        return text;
    }
    text.lines().map(|line| line.chars().rev().collect::<String>()).collect::<Vec<_>>().join("\n")
}

/// A stretch of a paragraph to look for: for Arabic, its first run of Arabic words.
fn probe(text: &str, rtl: bool) -> String {
    if !rtl {
        return squash(text).chars().take(30).collect();
    }
    let arabic = |w: &str| w.chars().all(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    let words: Vec<&str> = text.split_whitespace().collect();
    let runs: Vec<&[&str]> = words.split(|w| !arabic(w)).filter(|run| !run.is_empty()).collect();
    let run = runs.iter().find(|run| run.len() >= 3).unwrap_or(&runs[0]);
    run.iter().take(4).copied().collect::<Vec<_>>().join(" ")
}

fn content_ops(pdf: &common::Pdf) -> Vec<lopdf::content::Operation> {
    let mut ops = Vec::new();
    for (_, page) in pdf.doc.get_pages() {
        let content = pdf.doc.get_and_decode_page_content(page).unwrap();
        ops.extend(content.operations);
    }
    // Form XObjects hold text too.
    for object in pdf.doc.objects.values() {
        if let Ok(stream) = object.as_stream()
            && stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Form".as_slice())
            && let Ok(data) = stream.decompressed_content()
            && let Ok(content) = lopdf::content::Content::decode(&data)
        {
            ops.extend(content.operations);
        }
    }
    ops
}

#[test]
fn each_translation_builds_in_its_language() {
    for lang in LANGUAGES {
        let build = build(&format!("tests/editions/{lang}"), &[]);
        let pdf = build.pdf();
        assert_eq!(pdf.catalog_string(b"Lang").as_deref(), Some(*lang), "{lang}: PDF /Lang");
        let epub = build.epub();
        let dir = if *lang == "ar" { "rtl" } else { "ltr" };
        let opf = elements(&epub.text("OEBPS/content.opf"));
        let package = opf.iter().find(|e| e.name == "package").unwrap();
        assert_eq!(package.attr("xml:lang").as_deref(), Some(*lang));
        assert_eq!(package.attr("dir").as_deref(), Some(dir), "{lang}: package dir");
        let spine = opf.iter().find(|e| e.name == "spine").unwrap();
        assert_eq!(spine.attr("page-progression-direction").as_deref(), Some(dir), "{lang}: spine");
        for name in epub.files.keys().filter(|n| n.ends_with(".xhtml")) {
            let html = elements(&epub.text(name)).into_iter().find(|e| e.name == "html").unwrap();
            assert_eq!(html.attr("lang").as_deref(), Some(*lang), "{lang} {name}");
            assert_eq!(html.attr("dir").as_deref(), Some(dir), "{lang} {name}: dir");
        }
        // The translated text is what is printed: each story's opening words are in the PDF.
        let rtl = *lang == "ar";
        let text = squash(&reading_text(&pdf, rtl));
        let publication = common::publication(&format!("tests/editions/{lang}"));
        for entry in publication.entries.iter().filter(|e| e.kind() == anthology::model::EntryKind::Story) {
            let probe = probe(&anthology::model::block_text(entry.blocks()[0]), rtl);
            assert!(probe.chars().count() >= 10, "{lang}: probe “{probe}” too short");
            assert!(text.contains(&squash(&probe)), "{lang}: “{probe}” is not in the PDF");
        }
    }
}

#[test]
fn generated_labels_come_from_the_language() {
    let expected = [
        ("ar", "المحتويات", "شكر وتقدير"),
        ("zh", "目录", "致谢"),
        ("fr", "Table des matières", "Remerciements"),
        ("ru", "Содержание", "Выражение признательности"),
    ];
    for (lang, toc, ack) in expected {
        let build = build(&format!("tests/editions/{lang}"), &[]);
        let epub = build.epub();
        let nav = epub.nav("toc");
        assert_eq!(nav[0].1, ack, "{lang}: first entry of the nav");
        assert!(xhtml_text(&epub.text("OEBPS/toc.xhtml")).contains(toc), "{lang}: table of contents title");
        let text = squash(&reading_text(&build.pdf(), lang == "ar"));
        assert!(text.contains(&squash(toc)), "{lang}: PDF table of contents title");
        assert!(!text.contains("TableofContents") && !text.contains("Suggestedcitation"), "{lang}: no English labels");
    }
}

#[test]
fn arabic_text_runs_right_to_left() {
    let arabic = build("tests/editions/ar", &[]);
    let ops = content_ops(&arabic.pdf());
    let reversed = ops
        .iter()
        .filter(|op| {
            op.operator == "BMC"
                && op.operands.first().and_then(|o| o.as_name().ok()) == Some(b"ReversedChars".as_slice())
        })
        .count();
    assert!(reversed > 100, "right-to-left runs are marked /ReversedChars ({reversed})");
    // The English edition has none: the marking follows the language.
    let english = build("tests/editions/figures", &[]);
    let ops = content_ops(&english.pdf());
    assert!(
        !ops.iter().any(|op| op.operands.first().and_then(|o| o.as_name().ok()) == Some(b"ReversedChars".as_slice()))
    );
    // In the table of contents, entry numbers sit at the right and page numbers at the left.
    let pdf = arabic.pdf();
    let pages = pdf.pages_text();
    let toc_title: String = "المحتويات".chars().rev().collect();
    let toc_page = pages.iter().position(|t| t.contains(&toc_title)).unwrap() as u32 + 1;
    let links: Vec<Vec<f32>> = pdf.links().into_iter().filter(|(p, _, _)| *p == toc_page).map(|(_, r, _)| r).collect();
    assert!(!links.is_empty());
    let width = 595.0;
    for rect in links {
        // Each row spans the text width; the layout is mirrored, so it ends at the right margin.
        assert!(rect[2] > width * 0.85, "row ends at the right margin: {rect:?}");
    }
}

#[test]
fn chinese_pdf_has_no_missing_glyphs() {
    let build = build("tests/editions/zh", &[]);
    let pdf = build.pdf();
    let mut shown = 0;
    for op in content_ops(&pdf) {
        if op.operator != "Tj" && op.operator != "TJ" {
            continue;
        }
        let strings: Vec<&[u8]> = match op.operands.first() {
            Some(lopdf::Object::String(s, _)) => vec![s.as_slice()],
            Some(lopdf::Object::Array(items)) => items.iter().filter_map(|o| o.as_str().ok()).collect(),
            _ => vec![],
        };
        for s in strings {
            // Two-byte glyph ids (Identity-H); 0 is .notdef, the "missing glyph" box.
            for pair in s.chunks(2) {
                shown += 1;
                assert!(pair != [0, 0], "a missing glyph (.notdef) is drawn");
            }
        }
    }
    assert!(shown > 3000, "the Chinese text was drawn ({shown} glyphs)");
    let fonts = String::from_utf8_lossy(&pdf.bytes).matches("NotoSansCJKsc").count();
    assert!(fonts > 0, "the Chinese font is embedded");
}

#[test]
fn check_names_characters_no_font_has() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("ed");
    copy_tree(&root().join("tests/editions/figures"), &edition);
    let story = edition.join("stories/two.md");
    let text = std::fs::read_to_string(&story).unwrap();
    std::fs::write(&story, text.replace("A short story", "A short \u{13000} story")).unwrap();
    let output = anthology().arg("check").arg(&edition).args(["--diagnostic-format", "short"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("U+13000")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("stories/two.md:6:9: error: no bundled font has the character"), "{line}");
    // build refuses too, and writes nothing.
    let out = dir.path().join("out");
    let output = anthology().arg("build").arg(&edition).arg("--out").arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!out.join("figures-and-links-2025-en-GB.pdf").exists());
}

fn status(edition: &Path) -> (i32, String) {
    let output = anthology().arg("status").arg(edition).output().unwrap();
    (output.status.code().unwrap(), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The files listed under one heading of `status`'s report.
fn section(report: &str, title: &str) -> Vec<String> {
    let Some(rest) = report.split(&format!("{title}:\n")).nth(1) else { return vec![] };
    rest.lines().take_while(|l| l.starts_with("    ")).map(|l| l.trim().to_string()).collect()
}

const CHANGED: &str = "changed in the source since translated";

#[test]
fn status_reports_a_story_changed_in_the_source_after_translation() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("content/en"), &dir.path().join("content/en"));
    copy_tree(&root().join("tests/editions/fr"), &dir.path().join("tests/editions/fr"));
    let fr = dir.path().join("tests/editions/fr");
    let story = "stories/haiti-rapha-gitoc.md";
    let (_, before) = status(&fr);
    assert!(!section(&before, CHANGED).contains(&story.to_string()), "{before}");
    let path = dir.path().join("content/en").join(story);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Thirty women", "Forty women")).unwrap();
    let (code, after) = status(&fr);
    assert_eq!(code, 0);
    let changed = section(&after, CHANGED);
    assert!(changed.contains(&story.to_string()), "{after}");
    assert!(!changed.contains(&"stories/ethiopia-nigat.md".to_string()), "{after}");
    // Stories of the full edition that the short one leaves out are listed as missing.
    assert!(
        section(&after, "missing (in the source, not in this edition)")
            .contains(&"what-are-human-stories.md".to_string())
    );
    // `--record` alone does not record everything: it asks.
    let bare = anthology().arg("status").arg(&fr).arg("--record").output().unwrap();
    assert_eq!(bare.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bare.stderr).contains("pass --all"), "{}", String::from_utf8_lossy(&bare.stderr));
    // After updating the translation, recording it clears the report for that
    // story; the path may be given as the shell completes it.
    let completed = fr.join(story);
    let output = anthology().arg("status").arg(&fr).arg("--record").arg(&completed).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (_, recorded) = status(&fr);
    assert!(!section(&recorded, CHANGED).contains(&story.to_string()), "{recorded}");
    // --strict fails while anything is left to do.
    let strict = anthology().arg("status").arg(&fr).arg("--strict").output().unwrap();
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn init_starts_a_translation_that_status_follows() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/editions/figures"), &dir.path().join("en"));
    let es = dir.path().join("es");
    let output = anthology()
        .arg("init")
        .arg(&es)
        .arg("--from")
        .arg(dir.path().join("en"))
        .args(["--language", "es"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let manifest = std::fs::read_to_string(es.join("publication.toml")).unwrap();
    assert!(manifest.contains("language = \"es\""));
    assert!(manifest.contains("[translation]\nsource = \"../en\""), "{manifest}");
    assert!(!manifest.contains("4f3e1d2c-1b0a-4a9b-8c7d-6e5f4a3b2c1d"), "a new identifier");
    assert!(es.join("images/workshop.png").exists(), "images come along");
    let untranslated = "not translated yet (identical to the source)";
    let (_, report) = status(&es);
    assert_eq!(section(&report, untranslated), ["preface.md", "stories/one.md", "stories/two.md"], "{report}");
    // A story still as copied stays untranslated when its source changes.
    let source_one = dir.path().join("en/stories/one.md");
    let text = std::fs::read_to_string(&source_one).unwrap();
    std::fs::write(&source_one, format!("{text}\nA new closing sentence.\n")).unwrap();
    let (_, report) = status(&es);
    assert_eq!(section(&report, untranslated), ["preface.md", "stories/one.md", "stories/two.md"], "{report}");
    assert!(!section(&report, "changed in the source since translated").contains(&"stories/one.md".to_string()));
    // Translate one story: it leaves the list.
    std::fs::write(es.join("stories/two.md"), "+++\ntitle = \"Una segunda historia\"\n+++\n\nUna historia corta.\n")
        .unwrap();
    let (_, report) = status(&es);
    assert_eq!(section(&report, untranslated), ["preface.md", "stories/one.md"], "{report}");
    assert!(report.contains("  1 of 3 files translated and up to date, 2 not translated yet, "), "{report}");
    // The manifest's texts are still English, named with their line.
    assert!(report.contains("manifest texts as in the source"), "{report}");
    assert!(report.contains("    legal.citation (line "), "{report}");
    // The new edition builds, with Spanish labels.
    let build_dir = dir.path().join("out");
    let output = anthology().arg("build").arg(&es).arg("--out").arg(&build_dir).output().unwrap();
    assert!(output.status.success());
    assert!(build_dir.join("figures-and-links-2025-es.epub").exists());
    // A short edition in the same language, started from the same source, is another publication.
    let short = dir.path().join("es-short");
    let output = anthology()
        .arg("init")
        .arg(&short)
        .arg("--from")
        .arg(dir.path().join("en"))
        .args(["--language", "es"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let identifier = |path: &Path| {
        let text = std::fs::read_to_string(path.join("publication.toml")).unwrap();
        text.lines().find(|l| l.starts_with("identifier")).unwrap().to_string()
    };
    assert_ne!(identifier(&es), identifier(&short));
    // Moved away from its source, the edition says how to point at it.
    let moved = dir.path().join("elsewhere/es");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&short, &moved).unwrap();
    let lost = anthology().arg("status").arg(&moved).output().unwrap();
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert_eq!(lost.status.code(), Some(1));
    assert!(stderr.contains("the source edition `../en` is not found") && stderr.contains("--against"), "{stderr}");
    let found = anthology().arg("status").arg(&moved).arg("--against").arg(dir.path().join("en")).output().unwrap();
    assert!(found.status.success(), "{}", String::from_utf8_lossy(&found.stderr));
    // A second init into the same folder is refused.
    let again = anthology().arg("init").arg(&es).arg("--from").arg(dir.path().join("en")).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn smart_quotes_use_the_language_quotation_marks() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/editions/figures"), &dir.path().join("en"));
    let fr = dir.path().join("fr");
    assert!(
        anthology()
            .arg("init")
            .arg(&fr)
            .arg("--from")
            .arg(dir.path().join("en"))
            .args(["--language", "fr"])
            .status()
            .unwrap()
            .success()
    );
    let manifest = std::fs::read_to_string(fr.join("publication.toml")).unwrap();
    std::fs::write(
        fr.join("publication.toml"),
        manifest.replace("language = \"fr\"", "language = \"fr\"\nsmart-quotes = true"),
    )
    .unwrap();
    std::fs::write(
        fr.join("stories/two.md"),
        "+++\ntitle = \"Deux\"\n+++\n\nElle a dit \"bonjour\" -- puis l'a quitté...\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = anthology().arg("build").arg(&fr).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = "Elle a dit «\u{202F}bonjour\u{202F}» – puis l’a quitté…";
    let epub = common::Epub::open(&out.join("figures-and-links-2025-fr.epub"));
    assert!(xhtml_text(&epub.text("OEBPS/two.xhtml")).contains(expected), "{}", epub.text("OEBPS/two.xhtml"));
    let pdf = common::Pdf::open(&out.join("figures-and-links-2025-fr.pdf"));
    assert!(squash(&pdf.pages_text().concat()).contains(&squash(expected)));
}

#[test]
fn an_edition_can_bring_a_font_for_a_script_anthology_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("ed");
    copy_tree(&root().join("tests/editions/figures"), &edition);
    // Ogham: no bundled font has it.
    std::fs::write(edition.join("stories/two.md"), "+++\ntitle = \"Ogham\"\n+++\n\nAn inscription: ᚛ᚋᚐᚊᚔ ᚉᚑᚏᚐᚁᚔ᚜.\n")
        .unwrap();
    let check = anthology().arg("check").arg(&edition).output().unwrap();
    assert_eq!(check.status.code(), Some(1), "without the font the text cannot be printed");
    std::fs::create_dir_all(edition.join("fonts")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/fonts/NotoSansOgham-Regular.ttf"),
        edition.join("fonts/NotoSansOgham-Regular.ttf"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let build = anthology().arg("build").arg(&edition).arg("--out").arg(&out).output().unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let pdf = common::Pdf::open(&out.join("figures-and-links-2025-en-GB.pdf"));
    assert!(String::from_utf8_lossy(&pdf.bytes).contains("NotoSansOgham"), "the edition's font is embedded");
    assert!(squash(&pdf.pages_text().concat()).contains(&squash("ᚋᚐᚊᚔ")));
}

/// An Arabic edition begun with `init` from the English one, three stories
/// translated: the rest is still English, and both outputs say so.
#[test]
fn a_partly_translated_edition_tags_and_sets_each_story_in_its_own_language() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("en");
    copy_tree(&root().join("content/en"), &source);
    // A list in the acknowledgements, to see it tagged as English too.
    let manifest = std::fs::read_to_string(source.join("publication.toml")).unwrap();
    let manifest = manifest.replacen(
        "featured in this publication:'''",
        "featured in this publication:\n\n- the families who told them'''",
        1,
    );
    std::fs::write(source.join("publication.toml"), manifest).unwrap();
    let edition = dir.path().join("ar");
    let init =
        anthology().arg("init").arg(&edition).arg("--from").arg(&source).args(["--language", "ar"]).output().unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let translated = ["haiti-rapha-gitoc", "ethiopia-nigat", "bosnia-herzegovina-ti"];
    for story in translated {
        let from = root().join(format!("tests/editions/ar/stories/{story}.md"));
        std::fs::copy(from, edition.join(format!("stories/{story}.md"))).unwrap();
    }
    let out = dir.path().join("out");
    let output = anthology().arg("build").arg(&edition).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let epub = common::Epub::open(&out.join("featured-human-stories-2026-ar.epub"));
    let html = |name: &str| {
        elements(&epub.text(&format!("OEBPS/{name}.xhtml"))).into_iter().find(|e| e.name == "html").unwrap()
    };
    for story in translated {
        let root = html(story);
        assert_eq!((root.attr("lang").unwrap(), root.attr("dir").unwrap()), ("ar".into(), "rtl".into()), "{story}");
    }
    for untranslated in ["malawi-cost", "introduction", "uganda-uydel"] {
        let root = html(untranslated);
        assert_eq!(
            (root.attr("lang").unwrap(), root.attr("dir").unwrap()),
            ("en".into(), "ltr".into()),
            "{untranslated}"
        );
    }
    // The navigation names an English title in English.
    let nav = elements(&epub.text("OEBPS/nav.xhtml"));
    let link = nav.iter().find(|e| e.attr("href").as_deref() == Some("malawi-cost.xhtml")).unwrap();
    assert_eq!(link.attr("lang").as_deref(), Some("en"));
    let link = nav.iter().find(|e| e.attr("href").as_deref() == Some("haiti-rapha-gitoc.xhtml")).unwrap();
    assert_eq!(link.attr("lang"), None);

    // In the PDF the English text reads as written, its punctuation at the end.
    let pdf = common::Pdf::open(&out.join("featured-human-stories-2026-ar.pdf"));
    let text = pdf.pages_text().concat();
    assert!(squash(&text).contains("Whatarehumanstories?"));
    // Text extractors disagree on visual order: the laid-out page says where
    // the question mark stands — after the words, on the right.
    let document = lay_out(&edition);
    let mut runs = Vec::new();
    for page in document.pages() {
        text_runs(&page.frame, typst::layout::Point::zero(), &mut runs);
    }
    // Words are set one run each: the heading's line is the one with "What" and "stories".
    let same_line = |y: f64| runs.iter().filter(move |r| (r.1 - y).abs() < 1.0);
    let (x, y, _) = runs
        .iter()
        .find(|(_, y, t)| t == "What" && same_line(*y).any(|r| r.2.starts_with("stories")))
        .expect("the heading is set");
    let mark = same_line(*y).find(|r| r.2.contains('?')).expect("its question mark");
    assert!(mark.0 > *x, "the question mark stands left of “What” ({} < {x})", mark.0);
    let malawi = std::fs::read_to_string(source.join("stories/malawi-cost.md")).unwrap();
    let first = malawi
        .split("+++")
        .nth(2)
        .unwrap()
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .unwrap();
    let last_words: String = first
        .split_whitespace()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('*', "");
    assert!(squash(&text).contains(&squash(&last_words)), "{last_words:?} not in the Arabic PDF as written");
    // The legal texts, still English, are set left to right: the © stays in front.
    let (x, y, _) = runs.iter().find(|(_, _, t)| t.contains("designations")).expect("the notice is set");
    let copyright = same_line(*y).find(|r| r.2.contains('©')).expect("its ©");
    assert!(copyright.0 < *x, "the © stands right of the words ({} > {x})", copyright.0);
    let legal = epub.text("OEBPS/acknowledgements.xhtml");
    assert!(legal.contains("<ul lang=\"en\" xml:lang=\"en\" dir=\"ltr\">"), "{legal}");
    // The organisations after the English text: an English sentence.
    assert!(legal.contains("Uganda Youth Development Link (UYDEL), and Zhanaru"), "{legal}");
    let at = legal.find("The designations employed").expect("the notice");
    let tag = &legal[legal[..at].rfind("<p").unwrap()..at];
    assert!(tag.contains("lang=\"en\"") && tag.contains("dir=\"ltr\""), "{tag}");

    // A file's own `language` is checked where it is written.
    let story = edition.join("stories/malawi-cost.md");
    let with_tag = std::fs::read_to_string(&story).unwrap().replacen("+++\n", "+++\nlanguage = \"en_GB\"\n", 1);
    std::fs::write(&story, with_tag).unwrap();
    let check = anthology().arg("check").arg(&edition).args(["--diagnostic-format", "short"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("stories/malawi-cost.md:2:12: error: `en_GB` is not a BCP 47 language tag"), "{stderr}");
}

/// Every run of text on a frame: (x, y, text), in points from the page's corner.
fn text_runs(frame: &typst::layout::Frame, at: typst::layout::Point, out: &mut Vec<(f64, f64, String)>) {
    for (pos, item) in frame.items() {
        let here = at + *pos;
        match item {
            typst::layout::FrameItem::Group(group) => text_runs(&group.frame, here, out),
            typst::layout::FrameItem::Text(text) => out.push((here.x.to_pt(), here.y.to_pt(), text.text.to_string())),
            _ => {}
        }
    }
}

/// The weight of the font of every run of text on a frame, with its text.
fn weighted_runs(frame: &typst::layout::Frame, out: &mut Vec<(u16, String)>) {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => weighted_runs(&group.frame, out),
            typst::layout::FrameItem::Text(text) => {
                out.push((text.font.info().variant.weight.to_number(), text.text.to_string()))
            }
            _ => {}
        }
    }
}

#[test]
fn arabic_emphasis_is_set_in_bold_for_want_of_an_italic() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("ar");
    copy_tree(&root().join("tests/editions/ar"), &edition);
    let story = edition.join("stories/ethiopia-nigat.md");
    let text = std::fs::read_to_string(&story).unwrap();
    std::fs::write(&story, format!("{text}\nنص عادي هنا *كلمات مؤكدة فريدة* ثم نص عادي.\n")).unwrap();
    let document = lay_out(&edition);
    let mut runs = Vec::new();
    for page in document.pages() {
        weighted_runs(&page.frame, &mut runs);
    }
    let weight = |word: &str| runs.iter().find(|(_, t)| t.contains(word)).map(|(w, _)| *w).unwrap();
    assert!(weight("فريدة") >= 700, "the emphasised words are bold ({})", weight("فريدة"));
    assert!(weight("هنا") < 600, "the words around them are not");
}

/// Each text item's glyphs' characters, in the order they are read.
fn glyph_texts(frame: &typst::layout::Frame, out: &mut Vec<String>) {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => glyph_texts(&group.frame, out),
            typst::layout::FrameItem::Text(text) => {
                let mut seen = Vec::new();
                let mut pieces: Vec<&str> = Vec::new();
                for glyph in &text.glyphs {
                    // A cluster shared by several glyphs counts once.
                    if !seen.contains(&glyph.range) {
                        seen.push(glyph.range.clone());
                        pieces.push(&text.text[glyph.range()]);
                    }
                }
                let rtl = text.text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
                if rtl {
                    pieces.reverse();
                }
                out.push(pieces.concat());
            }
            _ => {}
        }
    }
}

#[test]
fn arabic_vowel_marks_reach_the_pdf_with_their_letters() {
    let edition = root().join("tests/editions/ar");
    let document = lay_out(&edition);
    let words = |document: &typst_layout::PagedDocument| {
        let mut texts = Vec::new();
        for page in document.pages() {
            glyph_texts(&page.frame, &mut texts);
        }
        texts.join(" ")
    };
    // typst sets a raised mark apart from its letter: the words are broken.
    let as_laid_out = words(&document);
    // (دعماً ends a line: a space trimmed there takes no room either.)
    let marked = ["وتقدّم", "مؤخراً", "المهمّشة", "دعماً"];
    assert!(marked.iter().any(|w| !as_laid_out.contains(w)), "typst joins marks now: drop text_layer");
    // What the PDF is written from has each glyph on its own character, in order.
    let joined = anthology::render::text_layer::join_marks(&document).expect("marks to join");
    let as_written = words(&joined);
    for word in marked {
        assert!(as_written.contains(word), "{word} is not spelled by the glyphs");
    }
    // … a glyph each: a mark sharing its letter's characters would be
    // written as /ActualText, which MuPDF leaves out and poppler reverses.
    fn shared(frame: &typst::layout::Frame) -> (usize, usize) {
        let mut counts = (0, 0);
        for (_, item) in frame.items() {
            let (marks, shared_ones) = match item {
                typst::layout::FrameItem::Group(group) => shared(&group.frame),
                typst::layout::FrameItem::Text(text) => {
                    let marks: Vec<_> =
                        text.glyphs.iter().filter(|g| g.x_advance.get() == 0.0 && !g.range.is_empty()).collect();
                    let shared = marks
                        .iter()
                        .filter(|m| text.glyphs.iter().any(|g| g.x_advance.get() > 0.0 && g.range == m.range))
                        .count();
                    (marks.len(), shared)
                }
                _ => (0, 0),
            };
            counts = (counts.0 + marks, counts.1 + shared_ones);
        }
        counts
    }
    let (mut marks, mut shared_marks) = (0, 0);
    for page in joined.pages() {
        let (m, s) = shared(&page.frame);
        marks += m;
        shared_marks += s;
    }
    assert!(marks > 50 && shared_marks * 20 < marks, "{shared_marks} of {marks} marks share their letter's characters");
}

/// The pages of an edition as typst lays them out for the screen PDF.
fn lay_out(edition: &Path) -> typst_layout::PagedDocument {
    let mut diags = anthology::diag::Diagnostics::default();
    let loaded = anthology::pipeline::load(edition, &mut diags).unwrap();
    let time = anthology::pipeline::datetime(0).unwrap();
    let mut layouter = anthology::layout::Layouter::new();
    let laid_out =
        layouter.lay_out(loaded.layout_input(), time, false, anthology::layout::Variant::Screen, &mut diags).unwrap();
    laid_out.document.clone()
}

/// The horizontal extent (from, to) in points of every text run of a frame, on its page.
fn text_extents(frame: &typst::layout::Frame, dx: f64, out: &mut Vec<(f64, f64, String)>) {
    use typst::layout::FrameItem;
    for (point, item) in frame.items() {
        let x = dx + point.x.to_pt();
        match item {
            FrameItem::Group(group) => text_extents(&group.frame, x + group.transform.tx.to_pt(), out),
            FrameItem::Text(text) => {
                let width: f64 = text.glyphs.iter().map(|g| g.x_advance.at(text.size).to_pt()).sum();
                out.push((x, x + width, text.text.to_string()));
            }
            _ => {}
        }
    }
}

#[test]
fn a_story_in_the_other_direction_keeps_the_books_binding_and_its_byline_on_the_page() {
    // An English edition with an Arabic story, and an Arabic one with an English story.
    let cases = [
        ("tests/editions/figures", "stories/two.md", "tests/editions/ar/stories/haiti-rapha-gitoc.md", "ar"),
        ("tests/editions/ar", "stories/bosnia-herzegovina-ti.md", "content/en/stories/malawi-cost.md", "en"),
    ];
    for (edition, replaced, story, language) in cases {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&root().join(edition), dir.path());
        let text = std::fs::read_to_string(root().join(story)).unwrap();
        let marked = text.replacen("+++\n", &format!("+++\nlanguage = \"{language}\"\n"), 1);
        std::fs::write(dir.path().join(replaced), marked).unwrap();
        let document = lay_out(dir.path());
        let mut printed = 0;
        for (n, page) in document.pages().iter().enumerate() {
            let width = page.frame.size().x.to_pt();
            let mut runs = Vec::new();
            text_extents(&page.frame, 0.0, &mut runs);
            for (from, to, text) in runs {
                // Swapped margins put the side column's byline off the page's edge.
                let on_page = from >= -0.5 && to <= width + 0.5;
                assert!(on_page, "{edition}, page {}: {text:?} at {from:.1}–{to:.1} pt of {width:.1}", n + 1);
                printed += 1;
            }
        }
        assert!(printed > 100, "{edition}");
    }
}
