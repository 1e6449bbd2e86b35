//! A story full of typst and XML metacharacters builds both outputs and
//! shows every character literally: content can never inject code.

mod common;

use common::{build, squash, xhtml_text};

const EDITION: &str = "tests/editions/metacharacters";

const TITLE: &str = "Metacharacters #set $x$ @ref <b> & \\ [ ] * _";
const SUBTITLE: &str = "A subtitle with #import \"x.typ\" and </html> and &amp;";

/// Strings that must appear, exactly, in both outputs.
const LITERALS: &[&str] = &[
    // Manifest texts (not Markdown: printed as written).
    "Thanks to #everyone $and$ @nobody <script>alert(1)</script>.",
    "A & B, C <D>, #E, and F ]] > G.",
    "Notice with \\ backslash and",
    "Cite #this $carefully$ [please].",
    "Disclaimer ]]> CDATA end.",
    // Front matter.
    "Soup: #set page(fill: red) $x^2$ @label <tag> & \\ [x] *y* _z_",
    "Org <&> #1",
    // Markdown body.
    "A paragraph with #set text(red) and #import \"evil.typ\": * and #include \"x.typ\" literally.",
    "Math $a + b = c$ and $$ display $$ and @reference and <label> and <angle>.",
    "Escaped Markdown: * star _ underscore \\ backslash [ bracket ] and # hash ` tick.",
    "XML: & ampersand, < not-an-entity-in-output, ]]> CDATA end, \"double\" and 'single' quotes, </p> closing tag.",
    "#let x = 1; #x #{ panic(\"no\") } #eval(\"1+1\") #read(\"/etc/passwd\") #(1 + 2) [#emph[no]]",
    "raw #code",
    "Heading with #hash and $dollar$ and <angle>",
    "Quote with #quote and @cite and $math$.",
    "Item #1 with $",
    "Item <2> with @",
    "Caption #caption <figure> & $",
    "A link with #hash and a real link.",
];

#[test]
fn metacharacters_print_literally_in_the_pdf() {
    let build = build(EDITION, &[]);
    let text = squash(&build.pdf().pages_text().concat());
    for literal in LITERALS {
        assert!(text.contains(&squash(literal)), "the PDF does not show {literal:?}");
    }
    // The cover sets the title and subtitle in capitals.
    for literal in [TITLE, SUBTITLE] {
        assert!(text.contains(&squash(&literal.to_uppercase())), "the PDF cover does not show {literal:?}");
    }
}

#[test]
fn metacharacters_print_literally_in_the_epub() {
    let build = build(EDITION, &[]);
    let epub = build.epub();
    // Every XHTML file parses as XML (xhtml_text panics otherwise).
    let mut text = String::new();
    for name in epub.files.keys().filter(|n| n.ends_with(".xhtml")) {
        text.push_str(&xhtml_text(&epub.text(name)));
        text.push('\n');
    }
    let text = text.replace('\n', " ");
    for literal in LITERALS {
        let squashed_text = squash(&text);
        assert!(squashed_text.contains(&squash(literal)), "the EPUB does not show {literal:?}");
    }
    // The package document is well-formed too and keeps the title literally.
    let opf = epub.text("OEBPS/content.opf");
    let titles: Vec<_> = common::elements(&opf).into_iter().filter(|e| e.name == "dc:title").collect();
    assert_eq!(titles.len(), 2, "the title and the subtitle");
    assert!(opf.contains("Metacharacters #set $x$ @ref &lt;b&gt; &amp; \\ [ ] * _"), "{opf}");
    let cover = common::elements(&epub.text("OEBPS/cover.xhtml"));
    let alt = cover.iter().find(|e| e.name == "img").and_then(|e| e.attr("alt")).unwrap();
    assert!(alt.contains(TITLE) && alt.contains(SUBTITLE), "cover alt text: {alt}");
}
