//! `anthology watch` on a copy of the real edition: an edited paragraph
//! appears in the rebuilt PDF; a broken save is reported and the watcher
//! keeps waiting.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{anthology, copy_tree, root, squash};

struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    /// The next stdout line containing `needle`, within a minute.
    #[track_caller]
    fn wait_for(&self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("the watcher never printed {needle:?}"),
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_rebuilds_after_an_edit_and_survives_a_bad_save() {
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("en");
    copy_tree(&root().join("content/en"), &edition);
    let out = dir.path().join("out");
    let mut child = anthology()
        .arg("watch")
        .arg(&edition)
        .arg("--out")
        .arg(&out)
        .args(["--format", "pdf", "--diagnostic-format", "short"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("watch: {line}");
            let _ = sender.send(line);
        }
    });
    let watcher = Watcher { child, lines };
    watcher.wait_for("] built in");
    let pdf_path = out.join("featured-human-stories-2026-en.pdf");
    assert!(pdf_path.exists());

    // Edit one paragraph.
    let story = edition.join("stories/uganda-uydel.md");
    let text = std::fs::read_to_string(&story).unwrap();
    let edited = text.replace("over five thousand success stories", "over six thousand documented success stories");
    assert_ne!(text, edited);
    std::fs::write(&story, &edited).unwrap();
    let line = watcher.wait_for("] rebuilt in");
    let ms: u64 = line.split("rebuilt in ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(line.starts_with('[') && line.as_bytes()[9] == b']', "[hh:mm:ss] prefix: {line}");
    let pdf = common::Pdf::open(&pdf_path);
    let pdf_text = squash(&pdf.pages_text().concat());
    assert!(pdf_text.contains(&squash("over six thousand documented success stories")), "the edit is in the PDF");
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("rebuild after a one-paragraph edit: {ms} ms ({profile} build)");

    // A bad save: reported, and the watcher waits for the next one.
    let manifest = edition.join("publication.toml");
    let good = std::fs::read_to_string(&manifest).unwrap();
    let good_pdf = std::fs::read(&pdf_path).unwrap();
    std::fs::write(&manifest, good.replace("title = \"Featured Human Stories\"", "titel = \"Featured Human Stories\""))
        .unwrap();
    watcher.wait_for("build failed; waiting for the next change");
    assert_eq!(good_pdf, std::fs::read(&pdf_path).unwrap(), "the last good PDF stays");
    std::fs::write(&manifest, good).unwrap();
    watcher.wait_for("] rebuilt in");
}
