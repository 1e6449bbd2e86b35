//! The command line as a user meets it: messages, exit codes, warnings.

mod common;

use common::{anthology, build, root};

#[test]
fn unknown_link_addresses_are_warnings_with_file_and_line() {
    let build = build("content/en", &["--diagnostic-format", "short"]);
    let stderr = build.stderr();
    // Every `[text](unknown:)` in the content is reported once, at its place.
    let mut expected = Vec::new();
    let edition = root().join("content/en");
    for entry in walk(&edition) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for (n, line) in text.lines().enumerate() {
            let mut from = 0;
            while let Some(at) = line[from..].find("](unknown:)") {
                let close = from + at;
                let open = line[..close].rfind('[').unwrap();
                if !line[..open].ends_with('!') {
                    let rel = entry.strip_prefix(root()).unwrap().display().to_string();
                    let col = line[..open].chars().count() + 1;
                    expected.push(format!("{rel}:{}:{col}: warning: the address of link", n + 1));
                }
                from = close + 1;
            }
        }
    }
    assert!(expected.len() > 40, "the real edition has many unknown links");
    for line in &expected {
        assert!(stderr.contains(line), "missing warning {line}\n{stderr}");
    }
    let warnings = stderr.lines().filter(|l| l.contains("warning: the address of link")).count();
    assert_eq!(warnings, expected.len());
}

/// By default a build of the real edition fits a terminal screen: its 43
/// unknown links and 3 missing photos are one line each, and
/// `--allow` lets `--deny-warnings` gate a draft on everything else.
#[test]
fn the_default_output_fits_a_screen_and_placeholders_can_be_allowed() {
    let output = anthology()
        .arg("build")
        .arg(root().join("content/en"))
        .arg("--out")
        .arg(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
    assert!(text.lines().count() <= 25, "{} lines:\n{text}", text.lines().count());
    assert!(text.contains("warning: 43 links whose address is unknown (`unknown:`), printed as plain text [unknown-link], the first at "), "{text}");
    assert!(text.contains("warning: 3 captions whose photo is missing"), "{text}");
    let check = |extra: &[&str]| anthology().arg("check").arg(root().join("content/en")).args(extra).output().unwrap();
    assert_eq!(check(&["--deny-warnings"]).status.code(), Some(1));
    assert_eq!(
        check(&["--deny-warnings", "--allow", "unknown-link"]).status.code(),
        Some(1),
        "the missing photos still fail"
    );
    assert_eq!(check(&["--deny-warnings", "--allow", "unknown-link,missing-photo"]).status.code(), Some(0));
}

#[test]
fn a_pull_quote_the_story_does_not_say_is_a_located_warning() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&root().join("tests/editions/ar"), dir.path());
    let story = dir.path().join("stories/haiti-rapha-gitoc.md");
    let text = std::fs::read_to_string(&story).unwrap();
    let line = text.lines().position(|l| l.starts_with("pull-quote = ")).expect("the story has a pull quote") + 1;
    let text: Vec<String> =
        text.lines()
            .map(|l| {
                if l.starts_with("pull-quote = ") { "pull-quote = \"Words nobody said\"".into() } else { l.to_string() }
            })
            .collect();
    std::fs::write(&story, text.join("\n")).unwrap();
    let output = anthology().arg("check").arg(dir.path()).args(["--diagnostic-format", "short"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "stories/haiti-rapha-gitoc.md:{line}:14: warning: the pull quote is not in the story's text: “words nobody said” is not found"
        )),
        "{stderr}"
    );
}

#[test]
fn help_explains_every_build_option() {
    let output = anthology().args(["build", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for option in ["--out", "--format", "--source-date-epoch", "--diagnostic-format", "--deny-warnings", "EDITION_DIR"]
    {
        assert!(help.contains(option), "{option} missing from --help:\n{help}");
    }
    let output = anthology().arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("Exit status: 0 success"), "{help}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn proof_sheet_shows_every_page() {
    let build = build("tests/editions/figures", &["--proof"]);
    let png = std::fs::read(build.dir.path().join("figures-and-links-2025-en-GB-proof.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    // Six A4 pages at a quarter pixel a point (149 × 210), in one row, 16 px apart.
    assert_eq!((width, height), (6 * 149 + 7 * 16, 210 + 2 * 16));
    assert!(build.stdout().contains("figures-and-links-2025-en-GB-proof.png"));
}

#[test]
fn editions_in_nested_folders_under_content_are_found() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&root().join("tests/editions/fr"), &dir.path().join("content/2028/fr"));
    let output = anthology().current_dir(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("content/2028/fr: ok"), "{stdout}");
}

#[test]
fn new_starts_next_years_edition_and_lists_the_old_year_left() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("en-2027");
    let output = anthology()
        .arg("new")
        .arg(&new)
        .arg("--from")
        .arg(root().join("content/en"))
        .args(["--date", "2027-06-01"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let manifest = std::fs::read_to_string(new.join("publication.toml")).unwrap();
    let source = std::fs::read_to_string(root().join("content/en/publication.toml")).unwrap();
    let value = |text: &str, key: &str| {
        text.lines().find(|l| l.starts_with(&format!("{key} ="))).map(|l| l.to_string()).unwrap()
    };
    assert!(value(&manifest, "date").starts_with("date = 2027-06-01"));
    assert!(value(&manifest, "file-stem").starts_with("file-stem = \"featured-human-stories-2027\""));
    assert_ne!(value(&manifest, "identifier"), value(&source, "identifier"));
    assert!(value(&manifest, "citation").contains("2027") && !value(&manifest, "citation").contains("2026"));
    assert!(!manifest.contains("[translation]"));
    // "April 2026" in the introduction is left to the editor, located.
    assert!(stderr.contains("en-2027/introduction.md:9:467: warning: 2026 is still written here"), "{stderr}");
    // The new edition builds.
    let check = anthology().arg("check").arg(&new).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn the_acknowledgements_are_checked_against_the_stories() {
    // The real edition's list matches its stories.
    let real =
        anthology().args(["check", "--diagnostic-format", "short"]).arg(root().join("content/en")).output().unwrap();
    let said = String::from_utf8_lossy(&real.stderr);
    assert!(!said.contains("thanked"), "{said}");
    // Next year's editor drops the Malawi story, forgets Casa Monarca, adds a name twice and one with "and".
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("en");
    common::copy_tree(&root().join("content/en"), &edition);
    let path = edition.join("publication.toml");
    let manifest = std::fs::read_to_string(&path)
        .unwrap()
        .replace("  \"stories/malawi-cost.md\",\n", "")
        .replace("  \"Casa Monarca\",\n", "")
        .replace("\"Zhanaru (All-national", "\"and Zhanaru (All-national")
        .replace("  \"LIBERA\",\n", "  \"LIBERA\",\n  \"Libera\",\n");
    std::fs::write(&path, &manifest).unwrap();
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let check = |edition: &std::path::Path| {
        let output = anthology().args(["check", "--diagnostic-format", "short"]).arg(edition).output().unwrap();
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let said = check(&edition);
    let cost = line_of(&manifest, "\"Construction Sector");
    for expected in [
        format!(
            "en/publication.toml:{cost}:3: warning: `Construction Sector Transparency Initiative (CoST)` is thanked in the acknowledgements, but no listed story names it"
        ),
        format!("en/publication.toml:{}:3: warning: `Libera` is thanked twice", line_of(&manifest, "\"Libera\"")),
        format!(
            "en/publication.toml:{}:3: warning: `and Zhanaru (All-national Movement Against Corruption)` starts with “and”",
            line_of(&manifest, "\"and Zhanaru")
        ),
        "en/stories/mexico-casa-monarca.md:3:18: warning: `Casa Monarca`, an organisation of this story, is not thanked in the acknowledgements".to_string(),
    ] {
        assert!(said.contains(&expected), "expected {expected}\n in:\n{said}");
    }
    assert_eq!(said.matches("thanked").count(), 3, "nothing else: {said}");
    // A sponsor is thanked without a story when the manifest says so.
    let manifest = manifest
        .replace("[legal]", "without-story = [\"Construction Sector Transparency Initiative (CoST)\"]\n\n[legal]");
    std::fs::write(&path, &manifest).unwrap();
    assert!(!check(&edition).contains("no listed story names it"));
}

#[test]
fn editor_mistakes_get_messages_that_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("en");
    common::copy_tree(&root().join("content/en"), &edition);
    std::fs::create_dir(edition.join("images")).unwrap();
    std::fs::copy(root().join("tests/editions/figures/images/workshop.png"), edition.join("images/workshop.png"))
        .unwrap();
    let manifest = std::fs::read_to_string(edition.join("publication.toml")).unwrap();
    let story = std::fs::read_to_string(edition.join("stories/malawi-cost.md")).unwrap();
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    // (the mistake in the manifest or the Malawi story, what the message must say)
    let cases: Vec<(&str, String, &str, Vec<String>)> = vec![
        (
            "manifest",
            "title = \"Featured Human Stories\"".into(),
            "title = “Featured Human Stories”",
            vec![
                "curly quotes (“…”, as Word writes them) do not quote text in TOML".into(),
                "publication.toml:7:9".into(),
                "use straight quotes \" … \": title = \"Featured Human Stories\"".into(),
            ],
        ),
        (
            "manifest",
            "title = \"Featured Human Stories\"".into(),
            "title = \"Featured \"Human\" Stories\"",
            vec![
                "a quotation mark inside the text ends it early".into(),
                "title = 'Featured \"Human\" Stories'".into(),
            ],
        ),
        (
            "manifest",
            "title = \"Featured Human Stories\"".into(),
            "title = Featured",
            vec!["text must be in quotes".into(), "put it in straight quotes: title = \"Featured\"".into()],
        ),
        (
            "manifest",
            "title = \"Featured Human Stories\"".into(),
            "title = \"Featured Human Stories",
            vec!["this text is not closed on its line".into()],
        ),
        (
            "manifest",
            "  \"Casa Monarca\",".into(),
            "  \"Casa Monarca\"",
            vec![
                "a comma is missing after this element of the list".into(),
                format!("publication.toml:{}:16", line_of(&manifest, "\"Casa Monarca\"")),
            ],
        ),
        (
            "manifest",
            "date = 2026-06-01".into(),
            "date = 01/06/2027",
            vec!["`01/06/2027` is not a date as TOML writes one".into(), "date = 2027-06-01".into()],
        ),
        (
            "manifest",
            "date = 2026-06-01".into(),
            "date = \"2027-06-01\"",
            vec!["a date is written without quotes".into(), "date = 2027-06-01".into()],
        ),
        (
            "manifest",
            "\"stories/malawi-cost.md\"".into(),
            "\"stories/Malawi-Cost.md\"",
            vec!["`stories/Malawi-Cost.md` does not exist".into(), "did you mean `stories/malawi-cost.md`?".into()],
        ),
        (
            "manifest",
            "\"stories/malawi-cost.md\"".into(),
            "\"malawi-cost.md\"",
            vec!["did you mean `stories/malawi-cost.md`?".into()],
        ),
        (
            "story",
            "\n\nIn collaboration with".into(),
            "\n\n![Workshop](images/workshop.png)\n\nIn collaboration with",
            vec![
                "the image `images/workshop.png` does not exist".into(),
                "did you mean `../images/workshop.png`?".into(),
            ],
        ),
        (
            "story",
            "\n\nIn collaboration with".into(),
            "\n\nSee [the plan](unkown:).\n\nIn collaboration with",
            vec![
                "`unkown:` is not a link address anthology knows".into(),
                "did you mean `unknown:`, for an address not known yet?".into(),
            ],
        ),
        (
            "story",
            "\n\nIn collaboration with".into(),
            "\n\nSee [the Haiti story](Haiti-Rapha-Gitoc.md) and [this](stories/ethiopia-nigat.md).\n\nIn collaboration with",
            vec!["did you mean `haiti-rapha-gitoc.md`?".into(), "did you mean `ethiopia-nigat.md`?".into()],
        ),
        (
            "story",
            "\n\nIn collaboration with".into(),
            "\n\nSee [the plan](https://example.org/home page.html).\n\nIn collaboration with",
            vec![
                "the link address `https://example.org/home page.html` has a space, so the link prints as written"
                    .into(),
                "https://example.org/home%20page.html".into(),
                "[text](<https://example.org/home page.html>)".into(),
            ],
        ),
    ];
    for (file, from, to, expected) in cases {
        let (path, text) = match file {
            "manifest" => (edition.join("publication.toml"), &manifest),
            _ => (edition.join("stories/malawi-cost.md"), &story),
        };
        assert!(text.contains(&from), "{from}");
        std::fs::write(&path, text.replacen(&from, to, 1)).unwrap();
        let output = anthology().arg("check").arg(&edition).env("NO_COLOR", "1").output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{to}: {said}");
        for expected in expected {
            assert!(said.contains(&expected), "{to}: expected {expected}\n in:\n{said}");
        }
        std::fs::write(&path, text).unwrap();
    }
}
