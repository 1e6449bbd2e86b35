//! A test edition with a cover logo, a photo with alt text and a caption, and
//! links between stories: checked in the PDF's structure and in the EPUB.

mod common;

use common::{Target, build, elements, squash};

const EDITION: &str = "tests/editions/figures";
const PHOTO_ALT: &str = "Participants seated at tables in a bright room during a workshop";
const LOGO_ALT: &str = "Test Publisher logo: a tick in a circle";

/// Every `/Alt` text in the PDF's structure tree.
fn alt_texts(pdf: &common::Pdf) -> Vec<String> {
    pdf.doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter_map(|d| d.get(b"Alt").ok())
        .filter_map(|alt| lopdf::decode_text_string(alt).ok())
        .collect()
}

#[test]
fn pdf_images_carry_their_alt_text_and_caption() {
    let build = build(EDITION, &[]);
    let pdf = build.pdf();
    let alts = alt_texts(&pdf);
    assert!(alts.iter().any(|a| a == PHOTO_ALT), "{alts:?}");
    assert!(alts.iter().any(|a| a == LOGO_ALT), "{alts:?}");
    let text = squash(&pdf.pages_text().concat());
    assert!(text.contains(&squash("Participants at the workshop, Vienna, 2025.")));
    assert!(!text.contains(&squash("Figure 1")), "captions are printed as written, without a number");
}

#[test]
fn pdf_links_between_stories_go_to_the_story() {
    let build = build(EDITION, &[]);
    let pdf = build.pdf();
    let outline = pdf.outline();
    let page_of = |title: &str| outline.iter().find(|(_, t, _)| t == title).map(|(_, _, p)| *p as u32).unwrap();
    let links = pdf.links();
    let preface = page_of("Preface");
    let from_preface: Vec<_> = links.iter().filter(|(p, _, _)| *p == preface).map(|(_, _, t)| t.clone()).collect();
    assert_eq!(from_preface, [Target::Page(page_of("A story with a photo"))]);
    let story_one = page_of("A story with a photo");
    let from_one: Vec<_> = links.iter().filter(|(p, _, _)| *p == story_one).map(|(_, _, t)| t.clone()).collect();
    assert_eq!(from_one, [Target::Page(page_of("Second story")), Target::Uri("https://www.unodc.org/".into())]);
}

#[test]
fn pdf_metadata_has_subject_keywords_language_and_date() {
    let build = build(EDITION, &["--source-date-epoch", "1767225600"]);
    let pdf = build.pdf();
    let info = pdf.doc.trailer.get(b"Info").and_then(|i| pdf.doc.dereference(i)).unwrap().1.as_dict().unwrap();
    let get = |key: &[u8]| lopdf::decode_text_string(info.get(key).unwrap()).unwrap();
    assert_eq!(get(b"Title"), "Figures and Links");
    assert_eq!(get(b"Author"), "Test Publisher");
    assert_eq!(get(b"Subject"), "Testing anthology");
    assert_eq!(get(b"Keywords"), "test, figures");
    // SOURCE_DATE_EPOCH 1767225600 is 2026-01-01T00:00:00Z.
    assert!(get(b"CreationDate").starts_with("D:20260101000000"), "{}", get(b"CreationDate"));
    assert_eq!(pdf.catalog_string(b"Lang").as_deref(), Some("en-GB"));
}

#[test]
fn epub_figures_and_links() {
    let build = build(EDITION, &[]);
    let epub = build.epub();
    let story = epub.text("OEBPS/one.xhtml");
    let found = elements(&story);
    let img = found.iter().find(|e| e.name == "img").expect("an img");
    assert_eq!(img.attr("alt").as_deref(), Some(PHOTO_ALT));
    let src = img.attr("src").unwrap();
    assert!(epub.files.contains_key(&format!("OEBPS/{src}")), "the image {src} is in the package");
    assert!(story.contains("<figcaption>Participants at the workshop, Vienna, 2025.</figcaption>"), "{story}");
    let hrefs: Vec<String> = found.iter().filter(|e| e.name == "a").filter_map(|e| e.attr("href")).collect();
    assert_eq!(hrefs, ["two.xhtml", "https://www.unodc.org/"]);
}

#[test]
fn a_scripted_svg_reaches_the_epub_as_drawing_only_under_a_plain_name() {
    let build = build(EDITION, &[]);
    let epub = build.epub();
    let names: Vec<&String> = epub.files.keys().filter(|n| n.starts_with("OEBPS/media/")).collect();
    for name in &names {
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-')),
            "{name} is a plain file name"
        );
    }
    let svg = epub.text("OEBPS/media/diagram-1-v2.svg");
    for bad in ["<script", "onload", "onclick", "javascript:", "@import", "foreignObject", "iframe", "tracker.example"]
    {
        assert!(!svg.contains(bad), "{bad} survived in the EPUB's SVG");
    }
    assert!(svg.matches("<path").count() >= 3, "the boxes and the lettering are still drawn");
    let story = epub.text("OEBPS/two.xhtml");
    assert!(story.contains(r#"<img src="media/diagram-1-v2.svg" alt="A diagram of three boxes labelled Prevent, Protect and Partner"/>"#), "{story}");
}

#[test]
fn the_data_handed_to_the_layout() {
    let publication = common::publication(EDITION);
    insta::assert_snapshot!("layout_data", serde_json::to_string_pretty(&publication).unwrap());
}

#[test]
fn a_story_as_xhtml() {
    let build = build(EDITION, &[]);
    let story = build.epub().text("OEBPS/one.xhtml");
    insta::assert_snapshot!("story_xhtml", story.replace("><", ">\n<"));
}
