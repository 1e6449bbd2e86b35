//! The output folder under attack and under faults: planted symlinks, an
//! artifact that cannot be replaced, a full disk, killed builds, concurrent
//! builds; and `init` on a source that tries to leak files.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{anthology, copy_tree, root};

const PDF: &str = "figures-and-links-2025-en-GB.pdf";
const EPUB: &str = "figures-and-links-2025-en-GB.epub";

/// A temporary folder with a copy of the figures edition at `ed`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("tests/editions/figures"), &dir.path().join("ed"));
    dir
}

fn build_in(dir: &Path, edition: &str) -> Output {
    anthology()
        .current_dir(dir)
        .args(["build", edition, "--out", "out", "--diagnostic-format", "short"])
        .output()
        .unwrap()
}

/// Every file of a folder with its bytes, sorted by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// What `sha256sum -c SHA256SUMS` checks: every line's file exists with that hash.
#[track_caller]
fn assert_sums_verify(out: &Path) {
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert!(!sums.is_empty());
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|_| panic!("{name} is listed but missing"));
        assert_eq!(anthology::output::sha256_hex(&bytes), hash, "{name}");
    }
}

fn no_scratch(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_planted_symlink_leaves_its_target_untouched_and_no_artifact_is_a_symlink() {
    let dir = workspace();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = dir.path().join("precious.txt");
    std::fs::write(&target, b"do not overwrite").unwrap();
    // At the artifacts' names, and at the temporary name older versions used.
    for name in [PDF.to_string(), EPUB.to_string(), format!(".{PDF}.1234.tmp"), "SHA256SUMS".into()] {
        std::os::unix::fs::symlink(&target, out.join(name)).unwrap();
    }
    let output = build_in(dir.path(), "ed");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read(&target).unwrap(), b"do not overwrite");
    for name in [PDF, EPUB, "SHA256SUMS", "build-report.json"] {
        let meta = std::fs::symlink_metadata(out.join(name)).unwrap();
        assert!(meta.file_type().is_file(), "{name} is a regular file");
    }
    assert_sums_verify(&out);
}

#[test]
fn an_epub_that_cannot_be_written_leaves_the_earlier_pdf_byte_identical() {
    let dir = workspace();
    let out = dir.path().join("out");
    assert!(build_in(dir.path(), "ed").status.success());
    let before = snapshot(&out);
    // The EPUB's name is taken by a folder that a rename cannot replace.
    std::fs::remove_file(out.join(EPUB)).unwrap();
    std::fs::create_dir(out.join(EPUB)).unwrap();
    std::fs::write(out.join(EPUB).join("x"), b"x").unwrap();
    std::fs::write(
        dir.path().join("ed/preface.md"),
        std::fs::read_to_string(dir.path().join("ed/preface.md")).unwrap() + "\nA new line.\n",
    )
    .unwrap();
    let output = build_in(dir.path(), "ed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("out/{EPUB}: error: cannot replace this file")), "{stderr}");
    assert!(stderr.contains("nothing written"), "{stderr}");
    let after = snapshot(&out);
    let keep: Vec<_> = before.into_iter().filter(|(n, _)| n != EPUB).collect();
    assert_eq!(after, keep, "the PDF, the sums and the report are as they were");
    assert!(no_scratch(&out).is_empty(), "{:?}", no_scratch(&out));
}

#[test]
fn a_full_disk_while_writing_an_artifact_changes_nothing() {
    let dir = workspace();
    let out = dir.path().join("out");
    assert!(build_in(dir.path(), "ed").status.success());
    let before = snapshot(&out);
    let pdf_size = before.iter().find(|(n, _)| n == PDF).unwrap().1.len();
    let epub_size = before.iter().find(|(n, _)| n == EPUB).unwrap().1.len();
    assert_ne!(epub_size / 1024, pdf_size / 1024, "the sizes differ, so a limit can fall between them");
    let bigger = if epub_size > pdf_size { EPUB } else { PDF };
    std::fs::write(
        dir.path().join("ed/preface.md"),
        std::fs::read_to_string(dir.path().join("ed/preface.md")).unwrap() + "\nA new line.\n",
    )
    .unwrap();
    // A file-size limit between the two sizes: the smaller fits, the bigger does not
    // (writes fail with EFBIG, as on a full disk, instead of killing the process).
    let limit_kib = (epub_size + pdf_size) / 2 / 1024;
    let script =
        format!("ulimit -f {limit_kib}; trap '' XFSZ; exec \"$0\" build ed --out out --diagnostic-format short");
    let output = Command::new("bash")
        .current_dir(dir.path())
        .args(["-c", &script, env!("CARGO_BIN_EXE_anthology")])
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("failed to write {bigger}")), "{stderr}");
    assert_eq!(snapshot(&out), before);
    assert!(no_scratch(&out).is_empty());
}

#[test]
fn killed_builds_leave_nothing_that_one_good_build_does_not_clear() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for delay_ms in [30u64, 90, 150, 210, 270] {
        let mut child = anthology()
            .args(["build", "content/en", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    // A killed writer can only leave its scratch files behind; plant one to be sure.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(".anthology-interrupted.tmp"), b"half a pdf").unwrap();
    let output = anthology().args(["build", "content/en", "--out"]).arg(&out).output().unwrap();
    assert!(output.status.success());
    assert!(no_scratch(&out).is_empty(), "{:?}", no_scratch(&out));
    assert_sums_verify(&out);
}

/// The title written in a PDF's document information.
fn pdf_title(path: &Path) -> String {
    let pdf = common::Pdf::open(path);
    let info = pdf.doc.trailer.get(b"Info").and_then(|i| pdf.doc.dereference(i)).unwrap().1.as_dict().unwrap();
    lopdf::decode_text_string(info.get(b"Title").unwrap()).unwrap()
}

fn epub_title(path: &Path) -> String {
    let opf = common::Epub::open(path).text("OEBPS/content.opf");
    let start = opf.find("<dc:title").unwrap();
    let start = start + opf[start..].find('>').unwrap() + 1;
    opf[start..start + opf[start..].find("</dc:title>").unwrap()].to_string()
}

#[test]
fn concurrent_builds_into_one_folder_never_mix_editions() {
    let dir = tempfile::tempdir().unwrap();
    // Two editions that write the same file names (one file stem and language).
    for (name, title) in [("a", "Edition Alpha"), ("b", "Edition Beta")] {
        let edition = dir.path().join(name);
        copy_tree(&root().join("tests/editions/figures"), &edition);
        let manifest = std::fs::read_to_string(edition.join("publication.toml")).unwrap();
        let manifest =
            manifest.replace("title = \"Figures and Links\"", &format!("title = \"{title}\"\nfile-stem = \"shared\""));
        std::fs::write(edition.join("publication.toml"), manifest).unwrap();
    }
    let out = dir.path().join("out");
    for _round in 0..4 {
        let spawn = |edition: &str| {
            anthology()
                .current_dir(dir.path())
                .args(["build", edition, "--out", "out"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let (mut a, mut b) = (spawn("a"), spawn("b"));
        assert!(a.wait().unwrap().success());
        assert!(b.wait().unwrap().success());
        let pdf = pdf_title(&out.join("shared-en-GB.pdf"));
        let epub = epub_title(&out.join("shared-en-GB.epub"));
        assert_eq!(pdf, epub, "the PDF and the EPUB come from one edition");
        assert_sums_verify(&out);
    }
}

#[test]
fn init_copies_nothing_from_outside_the_source() {
    let dir = workspace();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "+++\ntitle = \"Secret\"\n+++\n\nTOP-SECRET-CONTENT\n").unwrap();
    let source = dir.path().join("ed");
    std::fs::remove_file(source.join("stories/two.md")).unwrap();
    std::os::unix::fs::symlink(&secret, source.join("stories/two.md")).unwrap();
    std::fs::create_dir_all(source.join("layouts")).unwrap();
    std::os::unix::fs::symlink(&secret, source.join("layouts/x.typ")).unwrap();
    let output =
        anthology().current_dir(dir.path()).args(["init", "fr", "--from", "ed", "--language", "fr"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("resolves outside the edition folder"), "{stderr}");
    let copied: Vec<PathBuf> = if dir.path().join("fr").exists() { walk(&dir.path().join("fr")) } else { vec![] };
    for file in copied {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("TOP-SECRET-CONTENT"), "{} holds the secret", file.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out.sort();
    out
}

#[test]
fn init_into_a_folder_inside_its_source_is_refused_and_changes_nothing() {
    let dir = workspace();
    let before = walk(&dir.path().join("ed"));
    for target in ["ed/images/fr", "ed", "ed/./stories/../fr"] {
        let output = anthology()
            .current_dir(dir.path())
            .args(["init", target, "--from", "ed", "--language", "fr"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{target}: {stderr}");
        assert_eq!(walk(&dir.path().join("ed")), before, "{target}: the source is as it was");
    }
}

#[test]
fn init_copies_what_build_reads() {
    let dir = workspace();
    let output =
        anthology().current_dir(dir.path()).args(["init", "fr", "--from", "ed", "--language", "fr"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rel = |p: &Path| p.strip_prefix(dir.path().join("fr")).unwrap().to_string_lossy().into_owned();
    let copied: Vec<String> = walk(&dir.path().join("fr")).iter().map(|p| rel(p)).collect();
    assert_eq!(
        copied,
        [
            "images/diagram #1 (v2).svg",
            "images/logo.svg",
            "images/workshop.png",
            "preface.md",
            "publication.toml",
            "stories/one.md",
            "stories/two.md",
            // The source as copied, for `status` to compare paragraph by paragraph.
            "translated-from/preface.md",
            "translated-from/publication.toml",
            "translated-from/stories/one.md",
            "translated-from/stories/two.md"
        ]
    );
    let built = build_in(dir.path(), "fr");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
}
