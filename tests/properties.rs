//! Property test: arbitrary Markdown and front matter never make anthology
//! panic, and whatever it accepts becomes a PDF that compiled and XHTML that
//! parses as well-formed XML.

use std::io::Read;

use anthology::diag::Diagnostics;
use anthology::pipeline::{self, BuildOptions};
use proptest::prelude::*;

const MANIFEST: &str = r#"
title = "Property"
language = "en"
date = 2026-01-01
identifier = "urn:uuid:1b4e28ba-2fa1-4d2b-9e3c-5f6a7b8c9d0e"
[publisher]
name = "P"
[acknowledgements]
text = "Thanks."
[legal]
citation = "Cite."
[contents]
stories = ["story.md"]
"#;

/// Pieces that mean something to Markdown, typst, XML or TOML.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.]{1,16}",
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("> ".to_string()),
        Just("**".to_string()),
        Just("*".to_string()),
        Just("_".to_string()),
        Just("`".to_string()),
        Just("```".to_string()),
        Just("[".to_string()),
        Just("](".to_string()),
        Just(")".to_string()),
        Just("![".to_string()),
        Just("](unknown:)".to_string()),
        Just("](https://example.org/a?b=1&c=<2>)".to_string()),
        Just("<b>".to_string()),
        Just("</p>".to_string()),
        Just("&amp;".to_string()),
        Just("&".to_string()),
        Just("]]>".to_string()),
        Just("#set page(fill: red)".to_string()),
        Just("$x^2$".to_string()),
        Just("@ref".to_string()),
        Just("\\".to_string()),
        Just("+++".to_string()),
        Just("\"".to_string()),
        Just("\t".to_string()),
        Just("\u{202E}".to_string()),
        Just("ж é 中 ب".to_string()),
        "[a-zA-Zéжб中ب#$@<>&*_()!\\\\\"' -]{1,12}",
    ]
}

/// Anything at all, including characters no font has and control characters.
fn wild() -> impl Strategy<Value = String> {
    prop_oneof![piece(), "\\PC{1,4}", Just("\u{0}".to_string()), Just("\u{E000}".to_string())]
}

fn lines(piece: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(piece, 1..8).prop_map(|p| p.concat()), 1..10)
        .prop_map(|lines| lines.join("\n"))
}

/// Mostly Markdown a person could write; sometimes anything.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![3 => lines(piece()), 1 => lines(wild())]
}

fn front_matter() -> impl Strategy<Value = String> {
    prop_oneof![
        // Valid TOML with arbitrary strings.
        3 => ("[a-zA-Z0-9é中ب#$@<>&*_\\\\\"' ]{1,20}", proptest::option::of("[a-zA-Z0-9 #<>&]{1,20}")).prop_map(|(title, toc)| {
            let mut text = format!("title = {}\n", toml_string(&title));
            if let Some(toc) = toc {
                text.push_str(&format!("toc-title = {}\n", toml_string(&toc)));
            }
            text
        }),
        // Anything at all.
        1 => "\\PC{0,40}",
    ]
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_stories_never_panic_and_accepted_ones_render(front in front_matter(), body in body()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("publication.toml"), MANIFEST).unwrap();
        std::fs::write(dir.path().join("story.md"), format!("+++\n{front}+++\n\n{body}\n")).unwrap();
        let mut diags = Diagnostics::default();
        match pipeline::build(dir.path(), &BuildOptions::default(), &mut diags) {
            Ok(built) => {
                prop_assert!(!diags.has_errors());
                let artifact = |suffix: &str| built.artifacts.iter().find(|a| a.name.ends_with(suffix)).unwrap().clone();
                let pdf = artifact(".pdf");
                prop_assert!(pdf.bytes.starts_with(b"%PDF-") && pdf.pages.unwrap() >= 4);
                let epub = artifact(".epub").bytes;
                let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
                for i in 0..archive.len() {
                    let mut file = archive.by_index(i).unwrap();
                    if !file.name().ends_with(".xhtml") && !file.name().ends_with(".opf") {
                        continue;
                    }
                    let mut text = String::new();
                    file.read_to_string(&mut text).unwrap();
                    let mut reader = quick_xml::Reader::from_str(&text);
                    loop {
                        match reader.read_event() {
                            Ok(quick_xml::events::Event::Eof) => break,
                            Ok(_) => {}
                            Err(err) => prop_assert!(false, "{} is not well-formed ({err}):\n{text}", file.name()),
                        }
                    }
                }
            }
            Err(_) => prop_assert!(diags.has_errors(), "a failure always says why"),
        }
    }
}
