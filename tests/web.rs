//! The web edition and the story PDFs of the real edition, opened as their
//! readers open them: pages parsed, links followed to their files and
//! anchors, text read in order; story PDFs' metadata, tags and text.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{Build, Pdf, assert_in_order, build, elements, publication, seed_paragraphs, squash, xhtml_text};

/// content/en with all four formats, built once.
fn built() -> &'static Build {
    static BUILD: OnceLock<Build> = OnceLock::new();
    BUILD.get_or_init(|| build("content/en", &["--format", "pdf,epub,html,story-pdf"]))
}

/// The one folder whose name ends so.
fn folder(build: &Build, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(build.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(found.len(), 1, "one *{suffix} folder: {found:?}");
    found[0].clone()
}

/// Every HTML page of a web folder, by file name.
fn pages(web: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(web)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// The page files in reading order: the index, then each page's "next" link.
fn reading_order(pages: &BTreeMap<String, String>) -> Vec<String> {
    let mut order = vec!["index.html".to_string()];
    let first = pages.keys().find(|name| {
        let prev = elements(&pages[*name]).into_iter().find(|e| e.attr("rel").as_deref() == Some("prev"));
        prev.and_then(|e| e.attr("href")).as_deref() == Some("index.html")
    });
    let mut current = first.cloned();
    while let Some(name) = current {
        assert!(!order.contains(&name), "the next links go round in a circle at {name}");
        order.push(name.clone());
        current = elements(&pages[&name])
            .into_iter()
            .find(|e| e.attr("rel").as_deref() == Some("next"))
            .and_then(|e| e.attr("href"));
    }
    order
}

#[test]
fn the_index_links_every_entry_and_every_entry_has_its_page() {
    let web = folder(built(), "-web");
    let pages = pages(&web);
    assert!(pages.len() >= 21, "{} pages: {:?}", pages.len(), pages.keys());
    let publication = publication("content/en");
    let links: BTreeSet<String> =
        elements(&pages["index.html"]).into_iter().filter(|e| e.name == "a").filter_map(|e| e.attr("href")).collect();
    for entry in publication.entries.iter().filter(|e| e.listed) {
        let page = format!("{}.html", entry.id);
        let anchor = format!("index.html#{}", entry.id);
        assert!(links.contains(&page) || links.contains(&anchor), "the index does not link {}: {links:?}", entry.id);
    }
    // Every page is read in one chain of next links from the index.
    let order = reading_order(&pages);
    assert_eq!(order.len(), pages.len(), "pages outside the chain of next links: {order:?}");
}

#[test]
fn every_local_link_and_image_resolves_and_nothing_is_remote() {
    let web = folder(built(), "-web");
    let pages = pages(&web);
    let ids: BTreeMap<&str, BTreeSet<String>> = pages
        .iter()
        .map(|(name, html)| (name.as_str(), elements(html).into_iter().filter_map(|e| e.attr("id")).collect()))
        .collect();
    let mut checked = 0;
    for (name, html) in &pages {
        assert!(!html.contains("<script"), "{name} holds a script");
        for element in elements(html) {
            let address = match element.name.as_str() {
                "a" => element.attr("href"),
                "img" | "source" => element.attr("src"),
                "link" => element.attr("href"),
                _ => None,
            };
            let Some(address) = address else { continue };
            if address.starts_with("http://") || address.starts_with("https://") || address.starts_with("mailto:") {
                // Links in the stories' text may lead out; nothing the page loads may.
                assert_eq!(element.name, "a", "{name} loads {address}");
                continue;
            }
            assert!(!address.starts_with("//") && !address.starts_with('/'), "{name}: {address} is not relative");
            let (file, fragment) = address.split_once('#').unwrap_or((&address, ""));
            let file = if file.is_empty() { name.as_str() } else { file };
            assert!(web.join(file).is_file(), "{name}: {address} leads to no file");
            if !fragment.is_empty() {
                assert!(ids[file].contains(fragment), "{name}: {address}: {file} has no id {fragment}");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} local links and images");
    let css = std::fs::read_to_string(web.join("style.css")).unwrap();
    assert!(!css.contains("@import") && !css.contains("url("), "the stylesheet loads nothing");
    // The cover picture is there; its title, subtitle and publisher are the
    // heading and lines beside it, so it is not read twice (alt=""), while a
    // shared link describes it.
    let index = elements(&pages["index.html"]);
    let cover = index.iter().find(|e| e.name == "img").expect("a cover picture");
    assert!(web.join(cover.attr("src").unwrap()).is_file());
    assert_eq!(cover.attr("alt").as_deref(), Some(""));
    let shared_alt = index.iter().find(|e| e.attr("property").as_deref() == Some("og:image:alt"));
    assert!(shared_alt.and_then(|e| e.attr("content")).is_some_and(|alt| alt.contains("Featured Human Stories")));
}

#[test]
fn every_seed_paragraph_is_in_the_web_pages_in_order() {
    let web = folder(built(), "-web");
    let pages = pages(&web);
    let text: String = reading_order(&pages).iter().map(|name| xhtml_text(&pages[name])).collect();
    let text = text.replace("Find out more", "");
    assert_in_order(&text, &seed_paragraphs(false), "web edition");
}

#[test]
fn every_page_says_its_language_and_shares_its_title_and_description() {
    let web = folder(built(), "-web");
    for (name, html) in pages(&web) {
        let elements = elements(&html);
        let root = elements.iter().find(|e| e.name == "html").unwrap();
        assert_eq!(root.attr("lang").as_deref(), Some("en"), "{name}");
        assert_eq!(root.attr("dir").as_deref(), Some("ltr"), "{name}");
        let property = |p: &str| {
            elements.iter().find(|e| e.attr("property").as_deref() == Some(p)).and_then(|e| e.attr("content"))
        };
        assert!(property("og:title").is_some_and(|t| !t.is_empty()), "{name}: og:title");
        assert!(property("og:image").is_some_and(|i| web.join(i).is_file()), "{name}: og:image");
        let description = elements.iter().find(|e| e.attr("name").as_deref() == Some("description"));
        assert!(description.and_then(|d| d.attr("content")).is_some_and(|d| d.chars().count() <= 201), "{name}");
        assert!(html.contains("class=\"skip-link\" href=\"#main\"") && html.contains("<main id=\"main\""), "{name}");
    }
    let haiti = &pages(&web)["haiti-rapha-gitoc.html"];
    assert!(haiti.contains("<title>Responding to sexual exploitation and trafficking in Haiti"), "{haiti}");
    assert!(haiti.contains("<meta property=\"og:type\" content=\"article\"/>"));
}

#[test]
fn an_arabic_web_edition_reads_right_to_left() {
    let build = build("tests/editions/ar", &["--format", "html"]);
    let web = folder(&build, "-web");
    let pages = pages(&web);
    assert!(pages.len() > 3);
    for (name, html) in &pages {
        let root = elements(html).into_iter().find(|e| e.name == "html").unwrap();
        assert_eq!((root.attr("lang").as_deref(), root.attr("dir").as_deref()), (Some("ar"), Some("rtl")), "{name}");
    }
}

/// A PDF's document information entry.
fn info(pdf: &Pdf, key: &[u8]) -> String {
    let info = pdf.doc.trailer.get(b"Info").and_then(|o| o.as_reference()).unwrap();
    let value = pdf.doc.get_dictionary(info).unwrap().get(key).unwrap();
    lopdf::decode_text_string(value).unwrap()
}

#[test]
fn each_story_has_a_tagged_pdf_of_its_own_text_saying_where_it_comes_from() {
    let stories = folder(built(), "-stories");
    let publication = publication("content/en");
    let story_entries: Vec<_> =
        publication.entries.iter().filter(|e| e.kind() == anthology::model::EntryKind::Story).collect();
    let mut files: Vec<String> =
        std::fs::read_dir(&stories).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    let mut expected: Vec<String> = story_entries.iter().map(|e| format!("{}.pdf", e.id)).collect();
    expected.sort();
    assert_eq!(files, expected);
    assert_eq!(files.len(), 17);

    let haiti = Pdf::open(&stories.join("haiti-rapha-gitoc.pdf"));
    assert_eq!(
        info(&haiti, b"Title"),
        "Responding to sexual exploitation and trafficking in Haiti through field partnerships"
    );
    assert!(info(&haiti, b"Subject").contains("Featured Human Stories"));
    let catalog = haiti.doc.catalog().unwrap();
    assert!(catalog.get(b"StructTreeRoot").is_ok(), "tagged");
    assert_eq!(catalog.get(b"Lang").ok().map(|l| lopdf::decode_text_string(l).unwrap()).as_deref(), Some("en"));
    let text = squash(&haiti.pages_text().concat());
    // Its own first and last paragraphs …
    let first_paragraph = |id: &str| {
        let entry = story_entries.iter().find(|e| e.id.0 == id).unwrap();
        let anthology::model::Body::Story { blocks, .. } = &entry.body else { panic!() };
        squash(&anthology::model::block_text(&blocks[0]))
    };
    assert!(text.contains(&first_paragraph("haiti-rapha-gitoc")));
    // … no other story's …
    for other in story_entries.iter().filter(|e| e.id.0 != "haiti-rapha-gitoc") {
        assert!(!text.contains(&first_paragraph(&other.id.0)), "the Haiti PDF holds {}", other.id);
    }
    // … and where it comes from, with the publication's citation.
    assert!(text.contains(&squash("From Featured Human Stories")), "{text}");
    assert!(text.contains(&squash("Suggested citation:")), "{text}");
}

#[test]
fn the_web_edition_and_the_story_pdfs_are_reproducible_byte_for_byte() {
    let again = build("content/en", &["--format", "pdf,epub,html,story-pdf"]);
    let sums = |b: &Build| std::fs::read_to_string(b.dir.path().join("SHA256SUMS")).unwrap();
    let (first, second) = (sums(built()), sums(&again));
    assert_eq!(first, second);
    assert!(first.lines().filter(|l| l.contains("-web/")).count() >= 22, "{first}");
    assert_eq!(first.lines().filter(|l| l.contains("-stories/")).count(), 17, "{first}");
}

/// Elements written self-closed that HTML does not close (`<span/>` opens a span).
fn self_closed_non_void(html: &str) -> Vec<String> {
    const VOID: &[&str] = &["br", "hr", "img", "link", "meta", "source", "wbr"];
    let mut reader = quick_xml::Reader::from_str(html);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if !VOID.contains(&name.as_str()) {
                    out.push(name);
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn tables_figures_and_notes_are_html_a_browser_reads_as_written() {
    for edition in ["tests/editions/markdown", "tests/editions/figures"] {
        let build = build(edition, &["--format", "html"]);
        let pages = pages(&folder(&build, "-web"));
        let all: String = pages.values().cloned().collect();
        for (name, html) in &pages {
            assert_eq!(self_closed_non_void(html), Vec::<String>::new(), "{edition}/{name}");
            assert!(!html.contains("epub:") && !html.contains("xml:lang"), "{edition}/{name}: EPUB vocabulary");
        }
        if edition.ends_with("markdown") {
            // A table scrolls in a named, focusable region and stays a table.
            assert!(
                all.contains("<div class=\"table-scroll\" role=\"region\" aria-label=\"Table\" tabindex=\"0\"><table")
            );
            assert!(all.contains("role=\"doc-footnote\"") && all.contains("role=\"doc-backlink\""));
        } else {
            let figure = elements(&all).into_iter().find(|e| e.name == "img" && e.attr("loading").is_some()).unwrap();
            assert!(figure.attr("width").is_some() && figure.attr("height").is_some() && figure.attr("alt").is_some());
            assert!(all.contains("<figcaption>"));
        }
    }
}

#[test]
fn a_page_is_shared_with_a_photo_sites_show_not_a_drawing_in_svg() {
    let build = build("tests/editions/figures", &["--format", "html"]);
    let pages = pages(&folder(&build, "-web"));
    let shared = |page: &str| {
        elements(&pages[page])
            .into_iter()
            .find(|e| e.attr("property").as_deref() == Some("og:image"))
            .and_then(|e| e.attr("content"))
    };
    // two.md's only figure is an SVG: the page is shared with the cover.
    assert_eq!(shared("two.html").as_deref(), Some("media/cover.png"));
    assert_eq!(shared("one.html").as_deref(), Some("media/workshop.png"));
}

/// The story PDFs' files: named after the Markdown files, whatever their
/// script, even a name the web edition keeps for itself.
#[test]
fn story_pdfs_are_named_after_their_files() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::root().join("tests/editions/figures"), dir.path());
    std::fs::rename(dir.path().join("stories/one.md"), dir.path().join("stories/index.md")).unwrap();
    std::fs::rename(dir.path().join("stories/two.md"), dir.path().join("stories/中文.md")).unwrap();
    for file in ["publication.toml", "preface.md", "stories/index.md", "stories/中文.md"] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("one.md", "index.md").replace("two.md", "中文.md")).unwrap();
    }
    let build = build(dir.path().to_str().unwrap(), &["--format", "html,story-pdf"]);
    let mut names: Vec<String> = std::fs::read_dir(folder(&build, "-stories"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["index.pdf", "zhong-wen.pdf"]);
    // The web edition's own index.html keeps its name; the story's page does not take it.
    let pages = pages(&folder(&build, "-web"));
    assert!(pages.contains_key("index-2.html") && pages.contains_key("zhong-wen.html"), "{:?}", pages.keys());
}

/// content/en copied, with `extra` appended to its manifest.
fn edition_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::root().join("content/en"), dir.path());
    let manifest = dir.path().join("publication.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n{extra}")).unwrap();
    dir
}

#[test]
fn with_a_base_address_pages_are_canonical_and_listed_in_a_sitemap() {
    let edition = edition_with("[web]\nbase-url = \"https://example.org/stories/2026/en\"\n");
    let build = build(edition.path().to_str().unwrap(), &["--format", "html"]);
    let web = folder(&build, "-web");
    let pages = pages(&web);
    let haiti = elements(&pages["haiti-rapha-gitoc.html"]);
    let attr = |key: &str, value: &str, wanted: &str| {
        haiti.iter().find(|e| e.attr(key).as_deref() == Some(value)).and_then(|e| e.attr(wanted))
    };
    assert_eq!(
        attr("rel", "canonical", "href").as_deref(),
        Some("https://example.org/stories/2026/en/haiti-rapha-gitoc.html")
    );
    assert_eq!(attr("property", "og:url", "content"), attr("rel", "canonical", "href"));
    assert_eq!(
        attr("property", "og:image", "content").as_deref(),
        Some("https://example.org/stories/2026/en/media/cover.png")
    );
    let sitemap = std::fs::read_to_string(web.join("sitemap.xml")).unwrap();
    assert_eq!(sitemap.matches("<loc>").count(), pages.len(), "{sitemap}");
    for name in pages.keys() {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/stories/2026/en/{name}</loc>")),
            "{name}: {sitemap}"
        );
    }
}

#[test]
fn a_base_address_that_is_no_web_address_is_refused_at_its_place() {
    let edition = edition_with("[web]\nbase-url = \"javascript:alert(1)\"\n");
    let output = common::anthology().args(["check"]).arg(edition.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("is not a web address"), "{stderr}");
    assert!(stderr.contains("publication.toml:"), "{stderr}");
}

#[test]
fn organisations_in_latin_letters_keep_their_brackets_in_an_arabic_byline() {
    let build = build("tests/editions/ar", &["--format", "html"]);
    let index = &pages(&folder(&build, "-web"))["index.html"];
    assert!(index.contains("<span class=\"toc-byline\"><bdi>"), "{index}");
    assert!(index.contains("<bdi>Nigat Global Initiative (NGI)</bdi>"), "{index}");
}

#[test]
fn a_story_pdf_of_a_mixed_edition_is_in_its_story_s_language() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&common::root().join("content/en"), &dir.path().join("en"));
    let init = common::anthology()
        .args(["init"])
        .arg(dir.path().join("es"))
        .arg("--from")
        .arg(dir.path().join("en"))
        .args(["--language", "es"])
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    std::fs::copy(
        common::root().join("tests/fixtures/es/stories/haiti-rapha-gitoc.md"),
        dir.path().join("es/stories/haiti-rapha-gitoc.md"),
    )
    .unwrap();
    let build = build(dir.path().join("es").to_str().unwrap(), &["--format", "story-pdf,html"]);
    let stories = folder(&build, "-stories");
    let lang = |name: &str| {
        let pdf = Pdf::open(&stories.join(name));
        let catalog = pdf.doc.catalog().unwrap();
        catalog.get(b"Lang").ok().map(|l| lopdf::decode_text_string(l).unwrap())
    };
    assert_eq!(lang("haiti-rapha-gitoc.pdf").as_deref(), Some("es"), "translated");
    assert_eq!(lang("malawi-cost.pdf").as_deref(), Some("en"), "still in English");
    // On the web, the English story is an English article in a Spanish page.
    let malawi = &pages(&folder(&build, "-web"))["malawi-cost.html"];
    assert!(malawi.contains("<html lang=\"es\" dir=\"ltr\">"), "{malawi}");
    assert!(
        malawi.contains("<article id=\"malawi-cost\" aria-labelledby=\"malawi-cost-title\" lang=\"en\" dir=\"ltr\">")
    );
}
