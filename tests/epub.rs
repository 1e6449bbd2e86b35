//! The EPUB of the real edition as a reading system sees it: the page list
//! against the PDF, navigation, semantics, accessibility metadata, the cover.

mod common;

use common::{build, elements, real_edition, squash, xhtml_text};

/// The text that follows each page-break marker in its document, by page.
fn text_after_page_breaks(epub: &common::Epub) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for doc in epub.spine() {
        let xhtml = epub.text(&doc);
        let mut rest = xhtml.as_str();
        while let Some(at) = rest.find("<span epub:type=\"pagebreak\"") {
            let tag_end = at + rest[at..].find("/>").unwrap() + 2;
            let tag = &rest[at..tag_end];
            let page: usize = tag.split("id=\"page-").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            // Text up to the end of the document, markup removed.
            let following = format!("<r>{}</r>", &rest[tag_end..].split("</body>").next().unwrap());
            let following = following.replace("</section>", "").replace("</nav>", "").replace("</html>", "");
            let text = strip_tags(&following);
            out.push((page, doc.clone(), text));
            rest = &rest[tag_end..];
        }
    }
    out
}

fn strip_tags(xml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
}

#[test]
fn page_list_has_every_pdf_page_with_matching_numbers() {
    let build = real_edition();
    let epub = build.epub();
    let pdf_pages = build.pdf().page_count();
    let page_list = epub.nav("page-list");
    let numbers: Vec<usize> = page_list.iter().map(|(_, n)| n.parse().unwrap()).collect();
    assert_eq!(numbers, (1..=pdf_pages).collect::<Vec<_>>(), "one entry per PDF page, in order");
    for (href, number) in &page_list {
        let (file, anchor) = href.split_once('#').unwrap();
        assert_eq!(anchor, format!("page-{number}"));
        let doc = epub.text(&format!("OEBPS/{file}"));
        let marker = elements(&doc).into_iter().find(|e| e.attr("id").as_deref() == Some(anchor));
        let marker = marker.unwrap_or_else(|| panic!("{href} has no target"));
        assert_eq!(marker.attr("epub:type").as_deref(), Some("pagebreak"));
        assert_eq!(marker.attr("aria-label").as_deref(), Some(number.as_str()));
    }
    let opf = epub.text("OEBPS/content.opf");
    assert!(opf.contains("<dc:source id=\"print-source\">"), "the page list names its print source");
    assert!(opf.contains("<meta refines=\"#print-source\" property=\"source-of\">pagination</meta>"));
}

#[test]
fn page_breaks_sit_where_the_pdf_pages_begin() {
    let build = real_edition();
    let pdf_text = build.pdf().pages_text();
    let breaks = text_after_page_breaks(&build.epub());
    let publication = common::publication("content/en");
    // A story's first PDF page prints its organisation and country in the
    // side column before the title; the EPUB prints them after it.
    let bylines: Vec<String> = publication
        .entries
        .iter()
        .map(|e| squash(&e.organisations.iter().map(String::as_str).chain(e.country.as_deref()).collect::<String>()))
        .filter(|b| !b.is_empty())
        .collect();
    let mut checked = 0;
    for (page, doc, following) in breaks {
        // Numbers and dots differ by design (the printed table of contents
        // has numbers and leaders, the EPUB's is a numbered list).
        let letters = |t: &str| squash(t).chars().filter(|c| !c.is_ascii_digit() && *c != '.').collect::<String>();
        let following = letters(&following);
        if following.is_empty() {
            continue; // the cover: an image
        }
        let probe: String = following.chars().take(20).collect();
        // A blank page (before the back cover) is marked where the next page begins.
        let page_text = letters(&pdf_text[page - 1]);
        let page_text = if page_text.is_empty() { letters(&pdf_text[page]) } else { page_text };
        let page_text =
            bylines.iter().find_map(|b| page_text.strip_prefix(&letters(b))).map_or(page_text.clone(), str::to_string);
        assert!(
            page_text.starts_with(&probe),
            "page {page} ({doc}): the EPUB marker is followed by “{probe}” but the PDF page begins “{}”",
            page_text.chars().take(40).collect::<String>()
        );
        checked += 1;
    }
    assert_eq!(checked, build.pdf().page_count() - 1, "every page but the cover was checked");
}

#[test]
fn every_document_declares_language_and_direction() {
    let epub = real_edition().epub();
    let opf = epub.text("OEBPS/content.opf");
    let package = elements(&opf).into_iter().find(|e| e.name == "package").unwrap();
    assert_eq!(package.attr("xml:lang").as_deref(), Some("en"));
    assert_eq!(package.attr("dir").as_deref(), Some("ltr"));
    assert_eq!(package.attr("version").as_deref(), Some("3.0"));
    let xhtml: Vec<&String> = epub.files.keys().filter(|n| n.ends_with(".xhtml")).collect();
    assert!(xhtml.iter().any(|n| n.ends_with("nav.xhtml")));
    for name in xhtml {
        let html = elements(&epub.text(name)).into_iter().find(|e| e.name == "html").unwrap();
        assert_eq!(html.attr("lang").as_deref(), Some("en"), "{name}");
        assert_eq!(html.attr("xml:lang").as_deref(), Some("en"), "{name}");
        assert_eq!(html.attr("dir").as_deref(), Some("ltr"), "{name}");
    }
}

#[test]
fn navigation_has_toc_role_and_landmarks() {
    let epub = real_edition().epub();
    let nav = elements(&epub.text("OEBPS/nav.xhtml"));
    let toc = nav.iter().find(|e| e.name == "nav" && e.attr("epub:type").as_deref() == Some("toc")).unwrap();
    assert_eq!(toc.attr("role").as_deref(), Some("doc-toc"));
    let landmarks: Vec<(String, String)> = epub.nav("landmarks");
    let kinds: Vec<String> = nav
        .iter()
        .filter(|e| e.name == "a" && e.attr("epub:type").is_some())
        .map(|e| e.attr("epub:type").unwrap())
        .collect();
    assert_eq!(kinds, ["cover", "toc", "bodymatter"]);
    assert_eq!(landmarks[0].0, "cover.xhtml");
    assert_eq!(landmarks[1].0, "toc.xhtml");
    assert_eq!(landmarks[2].0, "haiti-rapha-gitoc.xhtml");
    let labels: std::collections::BTreeSet<&String> = landmarks.iter().map(|(_, t)| t).collect();
    assert_eq!(labels.len(), 3, "landmark labels are unique");
}

#[test]
fn sections_carry_their_semantics() {
    let epub = real_edition().epub();
    let types_of = |file: &str| -> Vec<(String, String)> {
        elements(&epub.text(&format!("OEBPS/{file}")))
            .into_iter()
            .filter(|e| e.name == "section")
            .map(|e| (e.attr("epub:type").unwrap_or_default(), e.attr("role").unwrap_or_default()))
            .collect()
    };
    assert_eq!(
        types_of("acknowledgements.xhtml"),
        [("acknowledgments".into(), "doc-acknowledgments".into()), ("copyright-page".into(), String::new())]
    );
    assert_eq!(types_of("introduction.xhtml"), [("introduction".to_string(), "doc-introduction".to_string())]);
    // A story and its "find out more" panel (a plain section: no DPUB role fits).
    assert_eq!(
        types_of("haiti-rapha-gitoc.xhtml"),
        [("chapter".to_string(), "doc-chapter".to_string()), (String::new(), String::new())]
    );
    assert_eq!(types_of("whatson.xhtml"), [("colophon".to_string(), "doc-colophon".to_string())]);
    let equality = epub.text("OEBPS/equality-now-ecosystem-approach.xhtml");
    assert_eq!(equality.matches("<blockquote>").count(), 2, "the two pull quotes");
    let namibia = epub.text("OEBPS/namibia-ippr.xhtml");
    assert!(namibia.contains("<p class=\"caption-note\" role=\"note\">INTEGRITY NAMIBIA<br/>"), "{namibia}");
    let toc = epub.text("OEBPS/toc.xhtml");
    assert!(toc.contains("role=\"doc-toc\""));
    let ack = xhtml_text(&epub.text("OEBPS/acknowledgements.xhtml"));
    assert!(ack.contains("Suggested citation: United Nations Office on Drugs and Crime, Featured Human Stories"));
}

/// The OPF's `<meta property=…>` values.
fn opf_metas(epub: &common::Epub) -> Vec<(String, String)> {
    let opf = epub.text("OEBPS/content.opf");
    let mut reader = quick_xml::Reader::from_str(&opf);
    let mut out = Vec::new();
    let mut property = None;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"meta" => {
                property =
                    e.try_get_attribute("property").unwrap().map(|a| String::from_utf8_lossy(&a.value).into_owned());
            }
            quick_xml::events::Event::Text(t) => {
                if let Some(p) = property.take() {
                    out.push((p, t.xml_content().unwrap().into_owned()));
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// What the accessibility metadata must claim, read off the book itself.
fn claims_match_the_book(epub: &common::Epub) {
    let metas = opf_metas(epub);
    let has = |p: &str, v: &str| metas.iter().any(|(mp, mv)| mp == p && mv == v);
    let documents: Vec<String> = epub.spine().iter().map(|d| epub.text(d)).collect();
    let images: Vec<common::Element> = documents.iter().flat_map(|d| elements(d)).filter(|e| e.name == "img").collect();
    let page_breaks = documents.iter().any(|d| d.contains("epub:type=\"pagebreak\""));
    let page_list = !epub.nav("page-list").is_empty();
    // Every document but the cover picture opens with a heading.
    let headings = documents.iter().filter(|d| !d.contains("<body epub:type=\"cover\"")).all(|d| d.contains("<h1"));
    assert_eq!(has("schema:accessMode", "visual"), !images.is_empty(), "visual access mode iff there are images");
    assert_eq!(
        has("schema:accessibilityFeature", "alternativeText"),
        images.iter().all(|i| i.attr("alt").is_some_and(|a| !a.trim().is_empty())),
        "alternative text claimed iff every image has one"
    );
    assert_eq!(has("schema:accessibilityFeature", "printPageNumbers"), page_breaks, "page numbers iff marked");
    assert_eq!(has("schema:accessibilityFeature", "pageNavigation"), page_list, "page navigation iff a page list");
    assert_eq!(
        has("schema:accessibilityFeature", "structuralNavigation"),
        headings,
        "structural navigation iff every document has a heading"
    );
    assert!(has("schema:accessibilityFeature", "tableOfContents") && !epub.nav("toc").is_empty());
    assert!(has("schema:accessModeSufficient", "textual"));
    let summary = metas.iter().find(|(p, _)| p == "schema:accessibilitySummary").map(|(_, v)| v.clone()).unwrap();
    let publication = common::publication("content/en");
    assert_eq!(summary, publication.labels["accessibility-summary"], "the summary is the language's label");
}

#[test]
fn accessibility_metadata_claims_what_the_book_has() {
    let epub = real_edition().epub();
    claims_match_the_book(&epub);
    let metas = opf_metas(&epub);
    assert!(metas.iter().any(|(p, v)| p == "dcterms:modified" && v == "2026-06-01T00:00:00Z"), "the manifest's date");
    let opf = epub.text("OEBPS/content.opf");
    for element in ["dc:title", "dc:language", "dc:identifier", "dc:publisher", "dc:creator", "dc:date"] {
        assert!(opf.contains(&format!("<{element}")), "{element}");
    }
}

#[test]
fn without_pagination_the_epub_claims_no_page_list() {
    // An edition whose own layout places no block markers.
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::root().join("content/en"), &dir.path().join("en"));
    let layout = std::fs::read_to_string(common::root().join("layouts/publication.typ")).unwrap();
    let layout = layout.replace("#let marker(id) = [#metadata(id) <anthology-block>]", "#let marker(id) = []");
    std::fs::create_dir_all(dir.path().join("en/layouts")).unwrap();
    std::fs::write(dir.path().join("en/layouts/publication.typ"), layout).unwrap();
    let out = dir.path().join("out");
    let output =
        common::anthology().args(["build"]).arg(dir.path().join("en")).arg("--out").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("the layout places no block markers, so the EPUB has no page list"), "{stderr}");
    let epub = common::Epub::open(&out.join("featured-human-stories-2026-en.epub"));
    assert!(epub.nav("page-list").is_empty());
    assert!(!epub.text("OEBPS/content.opf").contains("source-of"), "no print source claimed");
    claims_match_the_book(&epub);
}

#[test]
fn renaming_a_story_to_a_prefix_of_another_moves_no_page() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::root().join("content/en"), &dir.path().join("en"));
    let ed = dir.path().join("en");
    std::fs::rename(ed.join("stories/mexico-onc.md"), ed.join("stories/mexico.md")).unwrap();
    let manifest = std::fs::read_to_string(ed.join("publication.toml")).unwrap();
    std::fs::write(ed.join("publication.toml"), manifest.replace("stories/mexico-onc.md", "stories/mexico.md"))
        .unwrap();
    let renamed = build(ed.to_str().unwrap(), &[]);
    let before: Vec<(String, String)> = real_edition()
        .epub()
        .nav("page-list")
        .into_iter()
        .map(|(href, n)| (href.replace("mexico-onc.xhtml", "mexico.xhtml"), n))
        .collect();
    let after = renamed.epub().nav("page-list");
    assert_eq!(after, before, "only the renamed file's name changes in the page list");
    assert!(after.iter().any(|(href, _)| href.starts_with("mexico.xhtml#")), "the renamed story keeps its pages");
}

#[test]
fn cover_image_is_an_e_book_cover() {
    let epub = real_edition().epub();
    let opf = elements(&epub.text("OEBPS/content.opf"));
    let cover = opf.iter().find(|e| e.attr("properties").as_deref() == Some("cover-image")).unwrap();
    let href = cover.attr("href").unwrap();
    assert!(opf.iter().any(|e| e.name == "meta" && e.attr("name").as_deref() == Some("cover")));
    let png = &epub.files[&format!("OEBPS/{href}")];
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1600, 2560), "the e-book proportions reading systems show in a grid");
    let doc = elements(&epub.text("OEBPS/cover.xhtml"));
    let img = doc.iter().find(|e| e.name == "img").unwrap();
    assert!(img.attr("alt").unwrap().starts_with("Cover: Featured Human Stories"));
}

#[test]
fn stylesheet_respects_reader_settings() {
    let epub = real_edition().epub();
    let css = epub.text("OEBPS/stylesheet.css");
    assert!(!css.contains("px"), "no pixel sizes");
    assert!(!css.contains("background"), "no fixed backgrounds");
    assert!(!css.contains("prefers-color-scheme"), "no colour switch with the reader's theme");
    assert!(!css.contains("font-family: \""), "the reader's font");
}

/// The stylesheet's rules: (selector, declarations as (property, value)).
fn css_rules(css: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut without_comments = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    without_comments.push_str(rest);
    without_comments
        .split('}')
        .filter_map(|rule| {
            let (selector, body) = rule.split_once('{')?;
            let declarations = body
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(p, v)| (p.trim().to_string(), v.trim().to_string()))
                .collect();
            Some((selector.trim().to_string(), declarations))
        })
        .collect()
}

/// WCAG contrast of two #rrggbb colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let channel = |i: usize| {
            let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn stylesheet_works_in_every_reading_system_and_direction() {
    let epub = real_edition().epub();
    let css = epub.text("OEBPS/stylesheet.css");
    let rules = css_rules(&css);
    assert!(rules.len() > 20, "{} rules", rules.len());
    // Adobe's engine ignores logical properties: each comes after its physical fallback.
    let mut logical = 0;
    for (selector, declarations) in &rules {
        for (i, (property, _)) in declarations.iter().enumerate() {
            let Some(side) = ["-inline-start", "-inline-end"].iter().find(|s| property.ends_with(*s)) else { continue };
            let physical = property.replace(side, if *side == "-inline-start" { "-left" } else { "-right" });
            assert!(
                declarations[..i].iter().any(|(p, _)| *p == physical
                    || (physical.starts_with("padding") && p == "padding")
                    || (physical.starts_with("border") && p == "border")),
                "`{selector}`: `{property}` has no `{physical}` before it"
            );
            logical += 1;
        }
    }
    assert!(logical >= 5, "{logical} logical properties");
    // …and right-to-left text mirrors every rule that sits on one side.
    for selector in ["blockquote", ".citation", ".caption-note", "ul, [dir=\"rtl\"] ol"] {
        assert!(
            rules.iter().any(|(s, d)| s.starts_with("[dir=\"rtl\"]")
                && s.contains(selector)
                && d.iter().any(|(p, _)| p.ends_with("-right"))),
            "no right-to-left override for {selector}"
        );
    }
    // The tables of contents have no underlines and no list numbers.
    let rule = |selector: &str| {
        rules
            .iter()
            .find(|(s, _)| s == selector)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("no `{selector}` rule"))
    };
    assert!(rule("nav a").contains(&("text-decoration".into(), "none".into())));
    assert!(rule("nav ol").contains(&("list-style".into(), "none".into())));
    // Story titles stay at two or three lines on a phone.
    let h1 = rule("h1");
    let size = h1.iter().find(|(p, _)| p == "font-size").unwrap().1.trim_end_matches("em").parse::<f64>().unwrap();
    assert!((1.35..=1.45).contains(&size), "h1 at {size} em");
    let list = rule("ul, ol");
    assert!(list.contains(&("padding-left".into(), "1.3em".into())), "list indent: {list:?}");
    // The one colour, on light and dark pages alike.
    let theme: toml::Table =
        toml::from_str(&std::fs::read_to_string(common::root().join("layouts/theme.toml")).unwrap()).unwrap();
    let accent = theme["colours"]["accent"].as_str().unwrap();
    let colours: std::collections::BTreeSet<&str> =
        rules.iter().flat_map(|(_, d)| d.iter()).filter(|(p, _)| p == "color").map(|(_, v)| v.as_str()).collect();
    assert_eq!(colours, [accent, "inherit"].into_iter().collect(), "only the accent is set as a text colour");
    assert!(contrast(accent, "#ffffff") >= 4.5, "accent on white: {:.2}", contrast(accent, "#ffffff"));
    assert!(contrast(accent, "#000000") >= 4.0, "accent on black: {:.2}", contrast(accent, "#000000"));
}

#[test]
fn no_figure_without_a_picture_and_a_note_for_each_missing_photo() {
    let build = real_edition();
    let epub = build.epub();
    let mut notes = 0;
    for (name, _) in epub.files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let text = epub.text(name);
        for figure in text.split("<figure").skip(1) {
            let figure = &figure[..figure.find("</figure>").unwrap()];
            assert!(figure.contains("<img"), "{name}: a figure without a picture: {figure}");
        }
        notes += text.matches("class=\"caption-note\" role=\"note\"").count();
    }
    assert_eq!(notes, 3, "the three captions whose photos are missing, as notes");
    // The build says so, naming the story's file and line.
    let stderr = String::from_utf8_lossy(&build.output.stderr);
    // Three of a kind: one line, at the first.
    assert!(stderr.contains("warning: 3 captions whose photo is missing"), "{stderr}");
    assert!(stderr.contains("content/en/stories/namibia-ippr.md:14:1"), "{stderr}");
}

#[test]
fn two_builds_are_byte_identical() {
    let first = build("content/en", &[]);
    let second = build("content/en", &[]);
    for extension in ["epub", "pdf"] {
        let a = std::fs::read(first.artifact(extension)).unwrap();
        let b = std::fs::read(second.artifact(extension)).unwrap();
        assert!(a == b, "two {extension} builds differ");
    }
    let sums = |b: &common::Build| std::fs::read_to_string(b.dir.path().join("SHA256SUMS")).unwrap();
    assert_eq!(sums(&first), sums(&second));
}
