//! A translator's round trip, on the real edition: a Spanish translation
//! started with `init` from a copy of content/en, three stories translated
//! (tests/fixtures/es), the rest still English. XLIFF out and back in, and
//! `status` down to the paragraph.

mod common;

use std::path::{Path, PathBuf};

use common::{anthology, copy_tree, elements, root, squash};

const TRANSLATED: [&str; 3] = ["haiti-rapha-gitoc", "bosnia-herzegovina-ti", "ethiopia-nigat"];

/// Runs anthology; panics with its output unless it exits with `code`.
fn run(code: i32, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let output = anthology().args(args.iter().map(|a| a.as_ref())).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(code), "{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

/// A copy of content/en in `dir/en` and a translation of it in `dir/<name>`.
fn init(dir: &Path, name: &str) -> PathBuf {
    let source = dir.join("en");
    if !source.exists() {
        copy_tree(&root().join("content/en"), &source);
    }
    let edition = dir.join(name);
    run(0, &[&"init", &edition, &"--from", &source, &"--language", &"es"]);
    edition
}

/// The Spanish edition: three stories translated and recorded as such.
fn spanish(dir: &Path) -> PathBuf {
    let es = init(dir, "es");
    for story in TRANSLATED {
        let from = root().join(format!("tests/fixtures/es/stories/{story}.md"));
        std::fs::copy(from, es.join(format!("stories/{story}.md"))).unwrap();
    }
    let files: Vec<String> = TRANSLATED.iter().map(|s| format!("stories/{s}.md")).collect();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"status", &es, &"--record"];
    args.extend(files.iter().map(|f| f as &dyn AsRef<std::ffi::OsStr>));
    run(0, &args);
    es
}

fn story_xhtml(out: &Path, story: &str) -> String {
    common::Epub::open(&out.join("featured-human-stories-2026-es.epub")).text(&format!("OEBPS/{story}.xhtml"))
}

#[test]
fn an_exported_translation_imported_into_a_fresh_one_is_the_same_book() {
    let dir = tempfile::tempdir().unwrap();
    let es = spanish(dir.path());
    let xlf = dir.path().join("es.xlf");
    let report = run(0, &[&"xliff", &"export", &es, &"--out", &xlf]);
    assert!(report.contains("(XLIFF 1.2, en → es)"), "{report}");

    // Valid XLIFF 1.2 from English to Spanish, one unit per block.
    let xml = std::fs::read_to_string(&xlf).unwrap();
    let nodes = elements(&xml);
    let xliff = nodes.iter().find(|e| e.name == "xliff").unwrap();
    assert_eq!(xliff.attr("version").as_deref(), Some("1.2"));
    assert_eq!(xliff.attr("xmlns").as_deref(), Some("urn:oasis:names:tc:xliff:document:1.2"));
    let files: Vec<_> = nodes.iter().filter(|e| e.name == "file").collect();
    assert_eq!(files.len(), 1 + 20, "the manifest and the 20 text files");
    assert!(files.iter().all(|f| f.attr("source-language").as_deref() == Some("en")));
    assert!(files.iter().all(|f| f.attr("target-language").as_deref() == Some("es")));
    let units = nodes.iter().filter(|e| e.name == "trans-unit").count();
    assert!(units >= 150, "{units} units");
    let ids: std::collections::BTreeSet<_> =
        nodes.iter().filter(|e| e.name == "trans-unit").map(|e| e.attr("id").unwrap()).collect();
    assert!(ids.contains("legal.citation") && ids.contains("title"), "manifest and front-matter texts are units");
    // Bold and links are tags, not asterisks and brackets.
    // (A `<ph>` carries its Markdown: it stands alone, in place of words.)
    let words_only: String =
        xml.split("<ph ").map(|part| part.split_once("</ph>").map_or(part, |(_, rest)| rest)).collect();
    assert!(!words_only.contains("**") && !words_only.contains("](unknown:)"), "Markdown leaked into the XLIFF");
    assert!(xml.contains("<g id=\"1\" ctype=\"bold\">"));
    let words: usize = report
        .lines()
        .find(|l| l.starts_with("wrote "))
        .and_then(|l| l.rsplit(", ").next())
        .and_then(|w| w.trim_end_matches(" words").parse().ok())
        .unwrap();
    assert!((9_000..20_000).contains(&words), "{words} words in the edition");
    let targets = xml.matches("<target state=\"translated\">").count();
    assert!(targets >= 3 * 10, "the three stories' texts are targets ({targets})");

    // Imported into a fresh translation, the three stories come out the same.
    let es2 = init(dir.path(), "es2");
    let imported = run(0, &[&"xliff", &"import", &xlf, &es2]);
    for story in TRANSLATED {
        assert!(imported.contains(&format!("recorded stories/{story}.md")), "{imported}");
    }
    let (out, out2) = (dir.path().join("out"), dir.path().join("out2"));
    run(0, &[&"build", &es, &"--out", &out, &"--format", &"epub"]);
    run(0, &[&"build", &es2, &"--out", &out2, &"--format", &"epub"]);
    for story in TRANSLATED {
        assert_eq!(story_xhtml(&out, story), story_xhtml(&out2, story), "{story}");
    }
    assert_eq!(story_xhtml(&out, "malawi-cost"), story_xhtml(&out2, "malawi-cost"), "an English story");
    let status = run(0, &[&"status", &es2]);
    assert!(status.contains("3 of 20 files translated and up to date"), "{status}");

    // A target edited in the XLIFF reaches the PDF.
    let haiti = std::fs::read_to_string(es.join("stories/haiti-rapha-gitoc.md")).unwrap();
    let sentence = haiti.lines().find(|l| l.starts_with("Treinta mujeres")).expect("the fixture's paragraph");
    let first_words: String = sentence.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
    assert!(xml.contains(&first_words));
    let edited = xml.replacen(&first_words, "Treinta y una mujeres valientes", 1);
    std::fs::write(&xlf, edited).unwrap();
    run(0, &[&"xliff", &"import", &xlf, &es2]);
    run(0, &[&"build", &es2, &"--out", &out2, &"--format", &"pdf"]);
    let pdf = common::Pdf::open(&out2.join("featured-human-stories-2026-es.pdf"));
    assert!(squash(&pdf.pages_text().concat()).contains(&squash("Treinta y una mujeres valientes")));
}

#[test]
fn a_broken_xliff_is_refused_where_it_is_broken_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let es = spanish(dir.path());
    let xlf = dir.path().join("es.xlf");
    run(0, &[&"xliff", &"export", &es, &"--out", &xlf]);
    let xml = std::fs::read_to_string(&xlf).unwrap();
    let before = std::fs::read(es.join("stories/haiti-rapha-gitoc.md")).unwrap();
    let line_of = |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;

    // A target with a tag the source does not have.
    let tagged = xml
        .match_indices("<target state=\"translated\">")
        .find_map(|(at, _)| {
            let end = at + xml[at..].find("</target>")?;
            xml[at..end].find("<g id=\"").map(|g| at + g)
        })
        .expect("a target with a tag");
    let mut bad = xml.clone();
    let number = xml[tagged + 7..].split('"').next().unwrap().to_string();
    bad.replace_range(tagged..tagged + 8 + number.len(), "<g id=\"9\"");
    std::fs::write(&xlf, &bad).unwrap();
    let report = run(1, &[&"xliff", &"import", &xlf, &es]);
    assert!(report.contains("has the tag 9, which its source does not"), "{report}");
    assert!(report.contains(&format!("es.xlf:{}:", line_of(&bad, "<g id=\"9\""))), "{report}");
    assert_eq!(std::fs::read(es.join("stories/haiti-rapha-gitoc.md")).unwrap(), before);

    // Not well-formed.
    std::fs::write(&xlf, xml.replacen("</target>", "</targt>", 1)).unwrap();
    let report = run(1, &[&"xliff", &"import", &xlf, &es]);
    assert!(report.contains("not well-formed XML"), "{report}");

    // XLIFF 2.
    std::fs::write(&xlf, xml.replacen("version=\"1.2\"", "version=\"2.0\"", 1)).unwrap();
    let report = run(1, &[&"xliff", &"import", &xlf, &es]);
    assert!(report.contains("anthology reads XLIFF 1.2"), "{report}");
    assert_eq!(std::fs::read(es.join("stories/haiti-rapha-gitoc.md")).unwrap(), before);
}

#[test]
fn status_names_the_changed_paragraph_with_its_new_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let es = spanish(dir.path());
    let source = dir.path().join("en/stories/haiti-rapha-gitoc.md");
    let text = std::fs::read_to_string(&source).unwrap();
    let changed = text.replace(
        "Thirty women, each a head of household and member of a displaced family,",
        "Forty women, each a head of household,",
    );
    assert_ne!(text, changed);
    std::fs::write(&source, &changed).unwrap();
    // An untranslated story changes too: it stays untranslated.
    let malawi = dir.path().join("en/stories/malawi-cost.md");
    let english = std::fs::read_to_string(&malawi).unwrap();
    std::fs::write(&malawi, format!("{english}\nA closing sentence.\n")).unwrap();

    let report = run(0, &[&"status", &es]);
    let line = changed[..changed.find("Forty women").unwrap()].matches('\n').count() + 1;
    let place = format!("stories/haiti-rapha-gitoc.md:{line}: changed");
    assert!(report.contains(&place), "{place} not in\n{report}");
    assert!(report.contains("+ Forty women, each a head of household, are receiving"), "{report}");
    assert!(report.contains("- Thirty women, each a head of household and member"), "{report}");
    assert!(report.contains("1 paragraph out of date"), "{report}");
    // Exported now, the changed paragraph goes out without its old translation.
    let xlf = dir.path().join("es.xlf");
    run(0, &[&"xliff", &"export", &es, &"--out", &xlf]);
    let xml = std::fs::read_to_string(&xlf).unwrap();
    let unit = xml.split("<trans-unit ").find(|u| u.contains("Forty women")).expect("the changed paragraph's unit");
    assert!(!unit.contains("<target"), "{unit}");
    let kept =
        xml.split("<trans-unit ").find(|u| u.contains("Both Rapha International and GI-TOC are members")).unwrap();
    assert!(kept.contains("<target state=\"translated\">"), "an unchanged paragraph keeps its translation");
    let untranslated = report.split("not translated yet (identical to the source):").nth(1).unwrap();
    assert!(untranslated.contains("stories/malawi-cost.md"), "{report}");
    // The legal texts are still English.
    let manifest = report.split("manifest texts still as in the source").nth(1).unwrap();
    assert!(manifest.contains("legal.notices-1") && manifest.contains("legal.citation"), "{report}");

    // A story left out on purpose is not missing.
    let manifest_path = es.join("publication.toml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let manifest = manifest.replacen("  \"stories/italy-libera.md\",\n", "", 1).replacen(
        "[translation]\n",
        "[translation]\nleft-out = [\"stories/italy-libera.md\"]\n",
        1,
    );
    std::fs::write(&manifest_path, manifest).unwrap();
    let report = run(0, &[&"status", &es]);
    assert!(!report.contains("missing"), "{report}");
    assert!(report.contains("left out on purpose ([translation] left-out):\n    stories/italy-libera.md"), "{report}");
}

#[test]
fn targets_as_cat_tools_write_them_come_back_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let es = spanish(dir.path());
    let xlf = dir.path().join("es.xlf");
    run(0, &[&"xliff", &"export", &es, &"--out", &xlf]);
    let mut xml = std::fs::read_to_string(&xlf).unwrap();
    let haiti = std::fs::read_to_string(es.join("stories/haiti-rapha-gitoc.md")).unwrap();
    // "!" right before a link, and a space inside a tag.
    assert!(xml.contains("Visite su <g id=\"1\" ctype=\"link\">perfil"));
    xml = xml.replacen("Visite su <g id=\"1\" ctype=\"link\">perfil", "¡Visite!<g id=\"1\" ctype=\"link\">perfil", 1);
    let bold = xml.find("<g id=\"1\" ctype=\"bold\">").unwrap();
    let target_bold = xml[bold..].find("<target").map(|t| bold + t).unwrap();
    let inner = target_bold + xml[target_bold..].find("ctype=\"bold\">").unwrap() + "ctype=\"bold\">".len();
    xml.insert(inner, ' ');
    // A CAT tool's suggestion, and a line break of its own.
    xml = xml.replacen("</target>", "</target><alt-trans><source>x</source><target>SUGERENCIA</target></alt-trans>", 1);
    xml = xml.replacen("Treinta mujeres", "Treinta\n   mujeres", 1);
    std::fs::write(&xlf, &xml).unwrap();
    run(0, &[&"xliff", &"import", &xlf, &es]);
    let written = std::fs::read_to_string(es.join("stories/haiti-rapha-gitoc.md")).unwrap();
    assert!(written.contains("¡Visite\\![perfil en WhatsOn](unknown:)"), "{written}");
    assert!(!written.contains("** "), "a space inside the bold tag went outside it:\n{written}");
    assert!(written.contains("Treinta mujeres"), "{written}");
    let manifest = std::fs::read_to_string(es.join("publication.toml")).unwrap();
    assert!(!written.contains("SUGERENCIA") && !manifest.contains("SUGERENCIA"), "an <alt-trans> was read");
    assert_ne!(written, haiti);
    // Written back, the file still lines up with the source: nothing was
    // taken for markup.
    let again = run(0, &[&"xliff", &"export", &es, &"--out", &xlf]);
    assert!(!again.contains("exported without its translation"), "{again}");
}
