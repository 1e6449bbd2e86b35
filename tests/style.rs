//! A house style set in the manifest (`[style]`): paper, accent colour and
//! text size restyle the PDF and the EPUB alike, keep the layout balanced,
//! and a value the keys do not take is a located error.

mod common;

use common::{Pdf, anthology, copy_tree, root};

/// content/en with a US Letter, #009edb, 11 pt house style, built.
fn styled(extra: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("content/en"), &dir.path().join("ed"));
    let manifest = dir.path().join("ed/publication.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n[style]\n{extra}")).unwrap();
    let output = anthology()
        .arg("build")
        .arg(dir.path().join("ed"))
        .args(["--diagnostic-format", "short", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    (dir, output)
}

const LETTER: &str = "paper = \"us-letter\"\naccent = \"#009edb\"\ntext-size = \"11pt\"\n";

#[test]
fn paper_accent_and_size_restyle_the_pdf_and_the_epub() {
    let (dir, output) = styled(LETTER);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let pdf = Pdf::open(&dir.path().join("out/featured-human-stories-2026-en.pdf"));
    for (number, id) in pdf.doc.get_pages() {
        let media = pdf.doc.get_dictionary(id).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
        let media: Vec<f32> = media.iter().map(|o| o.as_float().unwrap()).collect();
        assert_eq!(media, [0.0, 0.0, 612.0, 792.0], "page {number} is US Letter");
    }
    // The accent is drawn (the story numbers, rules): a fill or stroke colour
    // of three components (`r g b scn`, in typst's sRGB colour space).
    let accent = [0.0, 158.0 / 255.0, 219.0 / 255.0];
    let drawn = pdf.doc.get_pages().values().any(|&id| {
        let content = String::from_utf8_lossy(&pdf.doc.get_page_content(id)).into_owned();
        let tokens: Vec<&str> = content.split_whitespace().collect();
        tokens.windows(4).any(|w| {
            matches!(w[3], "scn" | "SCN" | "rg" | "RG")
                && w[..3].iter().zip(accent).all(|(t, c)| t.parse::<f64>().is_ok_and(|v| (v - c).abs() < 0.003))
        })
    });
    assert!(drawn, "the accent #009edb is drawn in the PDF");
    let epub = common::Epub::open(&dir.path().join("out/featured-human-stories-2026-en.epub"));
    let css = epub.text("OEBPS/stylesheet.css");
    assert!(css.contains("#009edb") && !css.contains("#0a7cc1"), "the EPUB stylesheet has the new accent");
    // The layout keeps its balance: the printed ranges are the pages the stories have.
    let mut diags = anthology::diag::Diagnostics::default();
    let publication = anthology::pipeline::load(&dir.path().join("ed"), &mut diags).unwrap().publication;
    common::assert_printed_ranges_match(&pdf, &publication);
    assert_eq!(publication.theme.text.size_pt, 11.0);
    common::assert_no_one_line_endings(&dir.path().join("ed"), &pdf);
}

#[test]
fn a_value_the_style_does_not_take_is_an_error_at_its_line() {
    for (style, expected) in [
        ("paper = \"a5\"\n", "error: unknown paper `a5`"),
        ("accent = \"#09edb\"\n", "error: `#09edb` is not a colour"),
        ("text-size = \"40pt\"\n", "error: `40pt` is not a text size anthology sets"),
        ("text-size = \"eleven\"\n", "error: `eleven` is not a text size anthology sets"),
        ("cover-photo = \"images/cover.jpg\"\n", "error: the cover photo has no alt text"),
        ("papr = \"a4\"\n", "error: unknown key `papr`"),
    ] {
        let (dir, output) = styled(style);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{style}: {stderr}");
        let text = std::fs::read_to_string(dir.path().join("ed/publication.toml")).unwrap();
        let line = text.lines().count();
        let first = stderr.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!("{}:{line}:", dir.path().join("ed/publication.toml").display()))
                && first.contains(expected),
            "{style}: expected `{expected}` at line {line}, got {first}"
        );
    }
}
