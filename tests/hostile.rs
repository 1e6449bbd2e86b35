//! Broken and hostile editions: each gets the right exit code and a message
//! naming the file, line and column; nothing panics, nothing escapes the
//! edition folder, and a failed build leaves earlier artifacts untouched.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{anthology, copy_tree, root};

/// A temporary copy of the `figures` test edition to break.
struct Edition {
    dir: tempfile::TempDir,
}

impl Edition {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&root().join("tests/editions/figures"), &dir.path().join("ed"));
        Self { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("ed")
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        std::fs::write(self.file(rel), text).unwrap();
    }

    fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, text.replacen(from, to, 1));
    }

    fn run(&self, command: &str, extra: &[&str]) -> Output {
        let mut cmd = anthology();
        cmd.current_dir(self.dir.path()).arg(command).arg("ed").args(["--diagnostic-format", "short"]).args(extra);
        if command == "build" {
            cmd.args(["--out", "out"]);
        }
        cmd.output().unwrap()
    }
}

struct Case {
    name: &'static str,
    command: &'static str,
    setup: fn(&Edition),
    code: i32,
    /// Expected in the first line of stderr (empty: stderr may be anything).
    first_line: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "bad TOML",
        command: "check",
        setup: |e| e.replace("publication.toml", "title = \"Figures and Links\"", "title = \"Figures and Links"),
        code: 1,
        first_line: "ed/publication.toml:3:27: error: this text is not closed on its line",
    },
    Case {
        name: "unknown key in the manifest",
        command: "check",
        setup: |e| e.replace("publication.toml", "subject =", "subjcet ="),
        code: 1,
        first_line: "ed/publication.toml:8:1: error: unknown key `subjcet`",
    },
    Case {
        name: "unknown key in a table",
        command: "check",
        setup: |e| e.replace("publication.toml", "short-name =", "shortname ="),
        code: 1,
        first_line: "ed/publication.toml:13:1: error: unknown key `shortname`",
    },
    Case {
        name: "unknown key in front matter",
        command: "check",
        setup: |e| e.replace("stories/one.md", "country =", "countyr ="),
        code: 1,
        first_line: "ed/stories/one.md:4:1: error: unknown key `countyr`",
    },
    Case {
        name: "date in quotes",
        command: "check",
        setup: |e| e.replace("publication.toml", "date = 2025-12-01", "date = \"2025-12-01\""),
        code: 1,
        first_line: "ed/publication.toml:6:8: error: a date is written without quotes",
    },
    Case {
        name: "wrong type",
        command: "check",
        setup: |e| e.replace("publication.toml", "date = 2025-12-01", "date = 2025-12-01\nsmart-quotes = \"yes\""),
        code: 1,
        first_line: "ed/publication.toml:7:16: error: invalid manifest (invalid type: string \"yes\", expected a boolean)",
    },
    Case {
        name: "missing key",
        command: "check",
        setup: |e| e.replace("publication.toml", "language = \"en-GB\"\n", ""),
        code: 1,
        first_line: "ed/publication.toml:1:1: error: missing key `language`",
    },
    Case {
        name: "bad language tag",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"en-GB\"", "\"english!\""),
        code: 1,
        first_line: "ed/publication.toml:5:12: error: `english!` is not a BCP 47 language tag",
    },
    Case {
        name: "missing story",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/two.md\", \"stories/three.md\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:48: error: `stories/three.md` does not exist",
    },
    Case {
        name: "duplicate entry",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/two.md\", \"stories/one.md\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:48: error: `stories/one.md` is listed twice",
    },
    Case {
        name: "empty file",
        command: "check",
        setup: |e| e.write("stories/two.md", ""),
        code: 1,
        first_line: "ed/stories/two.md:1:1: error: the file is empty",
    },
    Case {
        name: "front matter and no text",
        command: "check",
        setup: |e| e.write("stories/two.md", "+++\ntitle = \"Empty\"\n+++\n\n"),
        code: 1,
        first_line: "ed/stories/two.md:4:1: error: `stories/two.md` has no text after its front matter",
    },
    Case {
        name: "no front matter",
        command: "check",
        setup: |e| e.write("stories/two.md", "Just text.\n"),
        code: 1,
        first_line: "ed/stories/two.md:1:1: error: the file has no front matter",
    },
    Case {
        name: "invalid UTF-8",
        command: "check",
        setup: |e| e.write("stories/two.md", b"+++\ntitle = \"T\"\n+++\n\nCaf\xe9 au lait.\n"),
        code: 1,
        first_line: "ed/stories/two.md:5:4: error: the file is not valid UTF-8 (byte 0xE9)",
    },
    Case {
        name: "byte order marks",
        command: "build",
        setup: |e| {
            for rel in ["publication.toml", "stories/two.md"] {
                let text = e.read(rel);
                e.write(rel, format!("\u{feff}{text}"));
            }
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "CRLF line ends",
        command: "build",
        setup: |e| {
            for rel in ["publication.toml", "stories/one.md", "stories/two.md", "preface.md"] {
                let text = e.read(rel);
                e.write(rel, text.replace('\n', "\r\n"));
            }
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "CRLF with an error keeps line numbers",
        command: "check",
        setup: |e| {
            let text = e.read("stories/one.md").replace("[website](https://www.unodc.org/)", "[website](#)");
            e.write("stories/one.md", text.replace('\n', "\r\n"));
        },
        code: 1,
        first_line: "ed/stories/one.md:12:75: error: this link has no address",
    },
    Case {
        name: "path traversal",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"../../etc/passwd\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `../../etc/passwd` points outside the edition folder",
    },
    Case {
        name: "absolute path",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"/etc/passwd\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `/etc/passwd` is an absolute path",
    },
    Case {
        name: "symlink escaping the edition",
        command: "check",
        setup: |e| {
            let outside = e.dir.path().join("outside.md");
            std::fs::write(&outside, "+++\ntitle = \"Secret\"\n+++\n\nSecret text.\n").unwrap();
            std::fs::remove_file(e.file("stories/two.md")).unwrap();
            std::os::unix::fs::symlink(&outside, e.file("stories/two.md")).unwrap();
        },
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `stories/two.md` resolves outside the edition folder (symlink)",
    },
    Case {
        name: "image symlink escaping the edition",
        command: "check",
        setup: |e| {
            let outside = e.dir.path().join("outside.png");
            std::fs::copy(e.file("images/workshop.png"), &outside).unwrap();
            std::fs::remove_file(e.file("images/workshop.png")).unwrap();
            std::os::unix::fs::symlink(&outside, e.file("images/workshop.png")).unwrap();
        },
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` resolves outside the edition folder",
    },
    Case {
        name: "50 MB story",
        command: "check",
        setup: |e| {
            let mut text = String::from("+++\ntitle = \"Huge\"\n+++\n\n");
            let paragraph = "A sentence that repeats. ".repeat(40) + "\n\n";
            while text.len() < 50 * 1024 * 1024 {
                text.push_str(&paragraph);
            }
            e.write("stories/two.md", text);
        },
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `stories/two.md`: the file is too large (the limit is 4 MiB)",
    },
    Case {
        name: "image without alt text",
        command: "check",
        setup: |e| {
            e.replace("stories/one.md", "![Participants seated at tables in a bright room during a workshop]", "![]")
        },
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image has no alt text",
    },
    Case {
        name: "missing image",
        command: "check",
        setup: |e| e.replace("stories/one.md", "workshop.png", "missing.png"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/missing.png` does not exist",
    },
    Case {
        name: "link to #",
        command: "check",
        setup: |e| e.replace("stories/one.md", "(https://www.unodc.org/)", "(#)"),
        code: 1,
        first_line: "ed/stories/one.md:12:75: error: this link has no address",
    },
    Case {
        name: "link to a story not in the edition",
        command: "check",
        setup: |e| e.replace("stories/one.md", "(two.md)", "(three.md)"),
        code: 1,
        first_line: "ed/stories/one.md:12:28: error: the link to `three.md` does not resolve to a story of this edition",
    },
    Case {
        name: "malformed address",
        command: "check",
        setup: |e| e.replace("stories/one.md", "(https://www.unodc.org/)", "(www.unodc.org)"),
        code: 1,
        first_line: "ed/stories/one.md:12:75: error: `www.unodc.org` is not a valid link address",
    },
    Case {
        name: "character no font has",
        command: "check",
        setup: |e| e.replace("stories/two.md", "A short story", "A short \u{13000} story"),
        code: 1,
        first_line: "ed/stories/two.md:6:9: error: no bundled font has the character “\u{13000}” (U+13000)",
    },
    Case {
        name: "unknown label",
        command: "check",
        setup: |e| {
            e.write("publication.toml", e.read("publication.toml") + "\n[labels]\ntable-of-content = \"Contents\"\n")
        },
        code: 1,
        first_line: "ed/publication.toml:33:1: error: unknown label `table-of-content`",
    },
    Case {
        name: "error in the edition's own layout",
        command: "build",
        setup: |e| {
            std::fs::create_dir_all(e.file("layouts")).unwrap();
            e.write("layouts/publication.typ", "#let data = json(\"/data-v4.json\")\n#text(data.meta.titel)\n");
        },
        code: 1,
        first_line: "ed/layouts/publication.typ:2:17: error: dictionary does not contain key \"titel\"",
    },
    Case {
        name: "an edition's layout written for the data of an older anthology",
        command: "build",
        setup: |e| {
            std::fs::create_dir_all(e.file("layouts")).unwrap();
            e.write("layouts/publication.typ", "#let data = json(\"/data.json\")\n#text(data.meta.title)\n");
        },
        code: 1,
        first_line: "ed/layouts/publication.typ:1:18: error: file not found (searched at /data.json)",
    },
    Case {
        name: "no manifest",
        command: "check",
        setup: |e| std::fs::remove_file(e.file("publication.toml")).unwrap(),
        code: 1,
        first_line: "ed/publication.toml: error: no publication.toml in ed",
    },
    Case {
        name: "story not listed in the manifest (warning)",
        command: "check",
        setup: |e| e.write("stories/draft.md", "+++\ntitle = \"Draft\"\n+++\n\nNot ready.\n"),
        code: 0,
        first_line: "ed/stories/draft.md: warning: `stories/draft.md` is not listed in publication.toml",
    },
    Case {
        name: "a 69-byte PNG claiming 60000 × 60000 pixels (check)",
        command: "check",
        setup: |e| fixture(e, "claim-60000.png", "images/workshop.png"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` is 60000 × 60000 pixels (3600 megapixels); the limit is 100 megapixels",
    },
    Case {
        name: "a 69-byte PNG claiming 60000 × 60000 pixels (build)",
        command: "build",
        setup: |e| fixture(e, "claim-60000.png", "images/workshop.png"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` is 60000 × 60000 pixels",
    },
    Case {
        name: "a PNG bomb, 40000 × 40000 in 190 KB",
        command: "build",
        setup: |e| fixture(e, "bomb-40000.png", "images/workshop.png"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` is 40000 × 40000 pixels",
    },
    Case {
        name: "a text file saved as .png",
        command: "check",
        setup: |e| e.write("images/workshop.png", "not an image\n"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` is not a PNG, JPEG, GIF, WebP or SVG image",
    },
    Case {
        name: "a truncated PNG",
        command: "check",
        setup: |e| {
            let bytes = std::fs::read(e.file("images/workshop.png")).unwrap();
            e.write("images/workshop.png", &bytes[..bytes.len() / 2]);
        },
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` cannot be decoded",
    },
    Case {
        name: "a TIFF photo",
        command: "check",
        setup: |e| e.replace("stories/one.md", "workshop.png", "workshop.tiff"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: `../images/workshop.tiff` is not a supported image format",
    },
    Case {
        name: "an image path with a backslash",
        command: "build",
        setup: |e| e.replace("stories/one.md", "../images/workshop.png", "../images/a\\b.png"),
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/a\\b.png` contains a backslash; separate folders with /",
    },
    Case {
        name: "an image named with a space, #, ? and %",
        command: "build",
        setup: |e| {
            std::fs::rename(e.file("images/workshop.png"), e.file("images/work shop #1?%.png")).unwrap();
            e.replace("stories/one.md", "(../images/workshop.png)", "(<../images/work shop #1?%.png>)");
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "5000 nested quotes (check)",
        command: "check",
        setup: |e| e.write("stories/two.md", format!("+++\ntitle = \"Deep\"\n+++\n\n{} deep\n", ">".repeat(5000))),
        code: 1,
        first_line: "ed/stories/two.md:5:9: error: quotes and lists are nested more than 8 levels deep here",
    },
    Case {
        name: "5000 nested quotes (build)",
        command: "build",
        setup: |e| e.write("stories/two.md", format!("+++\ntitle = \"Deep\"\n+++\n\n{} deep\n", ">".repeat(5000))),
        code: 1,
        first_line: "ed/stories/two.md:5:9: error: quotes and lists are nested more than 8 levels deep here",
    },
    Case {
        name: "30000 nested list markers (check)",
        command: "check",
        setup: |e| e.write("stories/two.md", format!("+++\ntitle = \"Deep\"\n+++\n\n{}x\n", "- ".repeat(30000))),
        code: 1,
        first_line: "ed/stories/two.md:5:17: error: quotes and lists are nested more than 8 levels deep here",
    },
    Case {
        name: "30000 nested list markers (build)",
        command: "build",
        setup: |e| e.write("stories/two.md", format!("+++\ntitle = \"Deep\"\n+++\n\n{}x\n", "- ".repeat(30000))),
        code: 1,
        first_line: "ed/stories/two.md:5:17: error: quotes and lists are nested more than 8 levels deep here",
    },
    Case {
        name: "nesting right at the limits renders in both outputs",
        command: "build",
        setup: |e| {
            use anthology::markdown::{MAX_BLOCK_DEPTH, MAX_INLINE_DEPTH};
            // Lists, quotes and both alternating, as deep as allowed, with inline markup as deep as allowed inside.
            let marks: Vec<&str> = (0..MAX_INLINE_DEPTH).map(|i| if i % 2 == 0 { "*" } else { "**" }).collect();
            let open: String = marks.iter().map(|m| format!("{m}a ")).collect();
            let close: String = marks.iter().rev().map(|m| format!(" b{m}")).collect();
            let inline = format!("{open}deep{close}");
            let lists: String = (0..MAX_BLOCK_DEPTH).map(|i| format!("{}- item {inline}\n", "  ".repeat(i))).collect();
            let mixed: String = (0..MAX_BLOCK_DEPTH).map(|i| if i % 2 == 0 { "> " } else { "- " }).collect();
            let quotes = ">".repeat(MAX_BLOCK_DEPTH);
            e.write(
                "stories/two.md",
                format!("+++\ntitle = \"Deep\"\n+++\n\n{lists}\n{mixed}{inline}\n\n{quotes} {inline}\n"),
            );
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "a list 17 deep",
        command: "build",
        setup: |e| {
            let list: String = (0..17).map(|i| format!("{}- item\n", "  ".repeat(i))).collect();
            e.write("stories/two.md", format!("+++\ntitle = \"Deep\"\n+++\n\n{list}"));
        },
        code: 1,
        first_line: "ed/stories/two.md:13:17: error: quotes and lists are nested more than 8 levels deep here",
    },
    Case {
        name: "emphasis 3000 deep",
        command: "check",
        setup: |e| {
            let deep = "*a ".repeat(3000) + &"b*".repeat(3000);
            e.write("stories/two.md", format!("+++\ntitle = \"Deep\"\n+++\n\n{deep}\n"));
        },
        code: 1,
        first_line: "error: emphasis, strong text and links are nested more than 8 levels deep here",
    },
    Case {
        name: "a FIFO as a story",
        command: "build",
        setup: |e| {
            std::fs::remove_file(e.file("stories/two.md")).unwrap();
            mkfifo(&e.file("stories/two.md"));
        },
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `stories/two.md`: the file is a FIFO (named pipe), not a regular file",
    },
    Case {
        name: "a FIFO as an image",
        command: "check",
        setup: |e| {
            std::fs::remove_file(e.file("images/workshop.png")).unwrap();
            mkfifo(&e.file("images/workshop.png"));
        },
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the image `../images/workshop.png` is a FIFO (named pipe), not a regular file",
    },
    Case {
        name: "a FIFO as a font",
        command: "check",
        setup: |e| {
            std::fs::create_dir_all(e.file("fonts")).unwrap();
            mkfifo(&e.file("fonts/Extra.ttf"));
        },
        code: 1,
        first_line: "ed/fonts/Extra.ttf: error: the font file is a FIFO (named pipe), not a regular file",
    },
    Case {
        name: "a FIFO as the manifest",
        command: "check",
        setup: |e| {
            std::fs::remove_file(e.file("publication.toml")).unwrap();
            mkfifo(&e.file("publication.toml"));
        },
        code: 1,
        first_line: "ed/publication.toml: error: the file is a FIFO (named pipe), not a regular file",
    },
    Case {
        name: "one story spelt `stories//one.md`",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/two.md\", \"stories//one.md\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:48: error: `stories//one.md` is listed twice",
    },
    Case {
        name: "one story spelt `stories/../stories/one.md`",
        command: "check",
        setup: |e| {
            e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/two.md\", \"stories/../stories/one.md\"]")
        },
        code: 1,
        first_line: "ed/publication.toml:30:48: error: `stories/../stories/one.md` is listed twice",
    },
    Case {
        name: "one story listed again through a symlink",
        command: "check",
        setup: |e| {
            std::os::unix::fs::symlink("one.md", e.file("stories/alias.md")).unwrap();
            e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/two.md\", \"stories/alias.md\"]");
        },
        code: 1,
        first_line: "ed/publication.toml:30:48: error: `stories/alias.md` is listed twice",
    },
    Case {
        name: "a 64 KiB title",
        command: "build",
        setup: |e| {
            e.replace(
                "publication.toml",
                "title = \"Figures and Links\"",
                &format!("title = \"{}\"", "T".repeat(65536)),
            )
        },
        code: 1,
        first_line: "ed/publication.toml:3:9: error: the title is 65536 characters long; the limit is 500",
    },
    Case {
        name: "a title with a carriage return",
        command: "check",
        setup: |e| e.replace("publication.toml", "title = \"Figures and Links\"", "title = \"Figures\\rand Links\""),
        code: 1,
        first_line: "ed/publication.toml:3:9: error: the title contains a control character (U+000D)",
    },
    Case {
        name: "a title with a right-to-left override",
        command: "check",
        setup: |e| {
            e.replace("publication.toml", "title = \"Figures and Links\"", "title = \"Figures \\u202Eand Links\"")
        },
        code: 1,
        first_line: "ed/publication.toml:3:9: error: the title contains a bidirectional control character (U+202E)",
    },
    Case {
        name: "an empty publisher name",
        command: "check",
        setup: |e| e.replace("publication.toml", "name = \"Test Publisher\"", "name = \"\""),
        code: 1,
        first_line: "ed/publication.toml:12:8: error: the publisher's name is empty",
    },
    Case {
        name: "an empty label",
        command: "check",
        setup: |e| e.write("publication.toml", e.read("publication.toml") + "\n[labels]\ntable-of-contents = \"\"\n"),
        code: 1,
        first_line: "ed/publication.toml:33:21: error: a label is empty",
    },
    Case {
        name: "an empty toc-title",
        command: "build",
        setup: |e| e.replace("stories/two.md", "toc-title = \"Second story\"", "toc-title = \"\""),
        code: 1,
        first_line: "ed/stories/two.md:3:13: error: the toc-title is empty",
    },
    Case {
        name: "a 245-character file-stem",
        command: "check",
        setup: |e| {
            let stem = format!("file-stem = \"{}\"\nsubject =", "a".repeat(245));
            e.replace("publication.toml", "subject =", &stem);
        },
        code: 1,
        first_line: "ed/publication.toml:8:13: error: file-stem is 245 characters long; the limit is 100",
    },
    Case {
        name: "a NUL in a story path",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/t\\u0000o.md\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `stories/t\\u{0000}o.md` contains a NUL character",
    },
    Case {
        name: "a web address as a story path",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"stories/two.md\"]", "\"https://example.org/two.md\"]"),
        code: 1,
        first_line: "ed/publication.toml:30:30: error: `https://example.org/two.md` is a web address, not a file of the edition",
    },
    Case {
        name: "a UTF-16 story",
        command: "check",
        setup: |e| {
            let text = e.read("stories/two.md");
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            e.write("stories/two.md", bytes);
        },
        code: 1,
        first_line: "ed/stories/two.md:1:1: error: the file is UTF-16, not UTF-8",
    },
    Case {
        name: "a UTF-16 story without a byte order mark",
        command: "check",
        setup: |e| {
            let text = e.read("stories/two.md");
            e.write("stories/two.md", text.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>());
        },
        code: 1,
        first_line: "ed/stories/two.md:1:1: error: the file is UTF-16, not UTF-8",
    },
    Case {
        name: "a NUL inside a story",
        command: "check",
        setup: |e| e.replace("stories/two.md", "+++\n", "+++\nti\0tle\n"),
        code: 1,
        first_line: "ed/stories/two.md:2:3: error: the file holds a NUL character: it is not a text file",
    },
    Case {
        name: "a layout with a 40000 pt page",
        command: "build",
        setup: |e| {
            std::fs::create_dir_all(e.file("layouts")).unwrap();
            let layout = std::fs::read_to_string(root().join("layouts/publication.typ")).unwrap();
            e.write("layouts/publication.typ", layout.replace("paper: \"a4\",", "width: 40000pt, height: 40000pt,"));
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "a language's name instead of its tag",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"en-GB\"", "\"Spanish\""),
        code: 1,
        first_line: "ed/publication.toml:5:12: error: `Spanish` is a language's name, not its tag",
    },
    Case {
        name: "a language tag written with an underscore",
        command: "check",
        setup: |e| e.replace("publication.toml", "\"en-GB\"", "\"en_GB\""),
        code: 1,
        first_line: "ed/publication.toml:5:12: error: `en_GB` is not a BCP 47 language tag",
    },
    Case {
        name: "a comment in front matter with a character no font has",
        command: "check",
        setup: |e| e.replace("stories/two.md", "+++\ntitle", "+++\n# reviewed \u{2705} \u{13000}\ntitle"),
        code: 0,
        first_line: "",
    },
    Case {
        name: "a stylesheet naming a colour the theme lacks",
        command: "build",
        setup: |e| {
            std::fs::create_dir_all(e.file("layouts")).unwrap();
            e.write("layouts/epub.css", "p {\n  color: var(--acent);\n}\n");
        },
        code: 1,
        first_line: "ed/layouts/epub.css:2:10: error: `var(--acent)` names no colour of the theme",
    },
    Case {
        name: "a theme with a misspelt colour",
        command: "check",
        setup: |e| {
            std::fs::create_dir_all(e.file("layouts")).unwrap();
            let theme = std::fs::read_to_string(root().join("layouts/theme.toml")).unwrap();
            e.write("layouts/theme.toml", theme.replace("accent = \"#0a7cc1\"", "accent = \"#0a7cc\""));
        },
        code: 1,
        first_line: "ed/layouts/theme.toml:49:10: error: invalid theme (`#0a7cc` is not a colour",
    },
    Case {
        name: "a back page with more pillars than the theme draws",
        command: "build",
        setup: |e| {
            e.replace(
                "publication.toml",
                "stories = [\"stories/one.md\", \"stories/two.md\"]",
                "stories = [\"stories/one.md\", \"stories/two.md\"]\nback = [\"back.md\"]",
            );
            e.write("back.md", "+++\ntitle = \"Back\"\n+++\n\n- One\n- Two\n- Three\n- Four\n- Five\n\nThe lead.\n");
        },
        code: 0,
        first_line: "ed/back.md:5:1: warning: the back page draws 3 pillars side by side; the other 2 stay a list under them",
    },
    Case {
        name: "a font whose character maps claim Unicode 200 times over",
        command: "check",
        setup: |e| {
            std::fs::create_dir_all(e.file("fonts")).unwrap();
            fixture(e, "cmap-bomb.ttf", "fonts/Bomb.ttf");
        },
        code: 1,
        first_line: "ed/fonts/Bomb.ttf: error: the font's character maps claim more characters than Unicode has",
    },
    Case {
        name: "an SVG embedding a PNG that claims 60000 × 60000 pixels",
        command: "build",
        setup: |e| {
            use base64::Engine;
            let png = std::fs::read(root().join("tests/fixtures/claim-60000.png")).unwrap();
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            e.write(
                "images/logo.svg",
                format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:image/png;base64,{data}" width="10" height="10"/></svg>"#),
            );
        },
        code: 1,
        first_line: "ed/publication.toml:17:9: error: the image `images/logo.svg` embeds pictures of 3600 megapixels; the limit is 100 megapixels",
    },
    Case {
        name: "a link address of 9000 characters",
        command: "check",
        setup: |e| {
            e.replace(
                "stories/one.md",
                "(https://www.unodc.org/)",
                &format!("(https://example.org/{})", "a".repeat(9000)),
            )
        },
        code: 1,
        first_line: "ed/stories/one.md:12:75: error: the address is 9020 characters long; the limit is 2000",
    },
    Case {
        name: "a word of 17000 characters",
        command: "check",
        setup: |e| e.replace("stories/two.md", "A short story", &format!("A short {} story", "w".repeat(17000))),
        code: 1,
        first_line: "ed/stories/two.md:6:9: error: a word of 17000 characters has no place to break the line; the limit is 1000",
    },
    Case {
        name: "4000 keywords",
        command: "check",
        setup: |e| {
            let keywords: Vec<String> = (0..4000).map(|i| format!("\"keyword {i}\"")).collect();
            e.replace(
                "publication.toml",
                "keywords = [\"test\", \"figures\"]",
                &format!("keywords = [{}]", keywords.join(", ")),
            );
        },
        code: 1,
        first_line: "error: the keywords run to more than 2000 characters",
    },
    Case {
        name: "an alt text of 5000 characters",
        command: "check",
        setup: |e| {
            e.replace("stories/one.md", "![Participants seated", &format!("![{} Participants seated", "a".repeat(5000)))
        },
        code: 1,
        first_line: "ed/stories/one.md:9:1: error: the alt text is 5065 characters long; the limit is 2000",
    },
    Case {
        name: "a story named nav.md",
        command: "build",
        setup: |e| {
            std::fs::rename(e.file("stories/two.md"), e.file("stories/nav.md")).unwrap();
            e.replace("publication.toml", "stories/two.md", "stories/nav.md");
            e.replace("stories/one.md", "(two.md)", "(nav.md)");
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "a photo named images/cover.png",
        command: "build",
        setup: |e| {
            std::fs::rename(e.file("images/workshop.png"), e.file("images/cover.png")).unwrap();
            e.replace("stories/one.md", "workshop.png", "cover.png");
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "one story listed again through a hard link",
        command: "check",
        setup: |e| {
            std::fs::hard_link(e.file("stories/one.md"), e.file("stories/hard.md")).unwrap();
            e.replace("publication.toml", "\"stories/two.md\"]", "\"stories/two.md\", \"stories/hard.md\"]");
        },
        code: 1,
        first_line: "ed/publication.toml:30:48: error: `stories/hard.md` is listed twice",
    },
    Case {
        name: "the manifest is a symlink to a file outside",
        command: "check",
        setup: |e| {
            let outside = e.dir.path().join("outside.toml");
            std::fs::rename(e.file("publication.toml"), &outside).unwrap();
            std::os::unix::fs::symlink(&outside, e.file("publication.toml")).unwrap();
        },
        code: 1,
        first_line: "ed/publication.toml: error: the file resolves outside the edition folder (symlink)",
    },
    Case {
        name: "a file-stem that starts like anthology's scratch files",
        command: "check",
        setup: |e| e.replace("publication.toml", "subject =", "file-stem = \".anthology-x\"\nsubject ="),
        code: 1,
        first_line: "ed/publication.toml:8:13: error: file-stem `.anthology-x` is not a plain file name",
    },
    Case {
        name: "a story entry that is a folder",
        command: "check",
        setup: |e| e.replace("publication.toml", "front = [\"preface.md\"]", "front = [\"stories\"]"),
        code: 1,
        first_line: "error: `stories`: the file is a folder, not a regular file",
    },
    Case {
        name: "a cover photo symlinked from outside the edition",
        command: "check",
        setup: |e| {
            let outside = e.dir.path().join("outside.png");
            std::fs::copy(e.file("images/workshop.png"), &outside).unwrap();
            std::os::unix::fs::symlink(&outside, e.file("images/cover-photo.png")).unwrap();
            with_cover_photo(e);
        },
        code: 1,
        first_line: "ed/publication.toml:32:15: error: the image `images/cover-photo.png` resolves outside the edition folder",
    },
    Case {
        name: "a FIFO as the cover photo",
        command: "build",
        setup: |e| {
            mkfifo(&e.file("images/cover-photo.png"));
            with_cover_photo(e);
        },
        code: 1,
        first_line: "ed/publication.toml:32:15: error: the image `images/cover-photo.png` is a FIFO (named pipe), not a regular file",
    },
    Case {
        name: "a cover photo claiming 60000 × 60000 pixels",
        command: "build",
        setup: |e| {
            fixture(e, "claim-60000.png", "images/cover-photo.png");
            with_cover_photo(e);
        },
        code: 1,
        first_line: "ed/publication.toml:32:15: error: the image `images/cover-photo.png` is 60000 × 60000 pixels",
    },
    Case {
        name: "a story in a right-to-left language in a left-to-right edition",
        command: "build",
        setup: |e| {
            e.replace(
                "stories/two.md",
                "toc-title = \"Second story\"",
                "toc-title = \"Second story\"\nlanguage = \"ar\"",
            )
        },
        code: 0,
        first_line: "",
    },
    Case {
        name: "an edition's stylesheet that loads a remote font",
        command: "check",
        setup: |e| {
            std::fs::create_dir_all(e.file("layouts")).unwrap();
            e.write("layouts/web.css", "/* url(fine) */\n@font-face { src: url(https://evil.example/f.woff2) }\n");
        },
        code: 1,
        first_line: "ed/layouts/web.css:2:19: error: the stylesheet loads a file with `url(`",
    },
    Case {
        name: "a line separator in a story's title",
        command: "check",
        setup: |e| e.replace("stories/two.md", "title = \"A second story\"", "title = \"A second\u{2028}story\""),
        code: 1,
        first_line: "ed/stories/two.md:2:9: error: the title contains a line or paragraph separator (U+2028)",
    },
    Case {
        name: "a web address with a password",
        command: "check",
        setup: |e| {
            let manifest = e.read("publication.toml");
            e.write(
                "publication.toml",
                format!("{manifest}\n[web]\nbase-url = \"https://user:secret@example.org/\"\n"),
            );
        },
        code: 1,
        first_line: "is not a web address the edition can be published at",
    },
    Case {
        name: "a web address of a page, not of the folder",
        command: "check",
        setup: |e| {
            let manifest = e.read("publication.toml");
            e.write(
                "publication.toml",
                format!("{manifest}\n[web]\nbase-url = \"https://example.org/x/index.html\"\n"),
            );
        },
        code: 1,
        first_line: "`https://example.org/x/index.html` is not a web address the edition can be published at",
    },
    Case {
        name: "a link to a place inside another story",
        command: "check",
        setup: |e| e.replace("stories/one.md", "(two.md)", "(two.md#the-end)"),
        code: 0,
        first_line: "ed/stories/one.md:12:28: warning: `#the-end` is left out: the link goes to the start of `two.md`",
    },
    Case {
        name: "a heading with a word no line can hold",
        command: "check",
        setup: |e| {
            e.replace("stories/two.md", "A short story,", &format!("## Code {}\n\nA short story,", "x".repeat(60)))
        },
        code: 0,
        first_line: "ed/stories/two.md:6:9: warning: a word of 60 characters may run past the edge of the page in the PDF",
    },
    Case {
        name: "metacharacter soup",
        command: "build",
        setup: |e| {
            std::fs::copy(root().join("tests/editions/metacharacters/soup.md"), e.file("stories/two.md")).unwrap();
        },
        code: 0,
        first_line: "ed/stories/two.md:10:55: warning: HTML is not interpreted; it is printed as written",
    },
];

/// Sets `images/cover-photo.png` as the cover photo (`[style]`, line 32 of the manifest).
fn with_cover_photo(e: &Edition) {
    let manifest = e.read("publication.toml");
    assert_eq!(manifest.lines().count(), 30);
    e.write(
        "publication.toml",
        manifest + "[style]\ncover-photo = \"images/cover-photo.png\"\ncover-photo-alt = \"A workshop\"\n",
    );
}

/// Puts a file of `tests/fixtures` into the edition.
fn fixture(e: &Edition, name: &str, rel: &str) {
    std::fs::copy(root().join("tests/fixtures").join(name), e.file(rel)).unwrap();
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

/// A problem the tool met instead of reporting: a crash, an abort, a panic.
fn crashed(output: &Output) -> Option<String> {
    use std::os::unix::process::ExitStatusExt;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if let Some(signal) = output.status.signal() {
        return Some(format!("killed by signal {signal}"));
    }
    for bad in ["panicked", "stack overflow", "memory allocation of", "RUST_BACKTRACE"] {
        if stderr.contains(bad) {
            return Some(format!("stderr says {bad:?}"));
        }
    }
    matches!(output.status.code(), Some(101 | 134 | 137 | 139)).then(|| format!("exit {:?}", output.status.code()))
}

#[test]
fn hostile_inputs_get_the_right_exit_code_and_message() {
    let mut failures = Vec::new();
    let mut table = String::from("| input | exit | first line of the message |\n|---|---|---|\n");
    // Everything each case printed, for the snapshot of what users see.
    let mut seen = String::new();
    for case in CASES {
        let edition = Edition::new();
        (case.setup)(&edition);
        let started = std::time::Instant::now();
        let output = edition.run(case.command, &[]);
        let seconds = started.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").to_string();
        let code = output.status.code().unwrap_or(-1);
        let shown: String = first.chars().take(160).collect();
        table.push_str(&format!("| {} | {code} | `{shown}` |\n", case.name));
        let printed: Vec<String> = stderr.lines().map(|l| l.chars().take(300).collect()).collect();
        seen.push_str(&format!(
            "## {} ({} {}, exit {code})\n{}\n\n",
            case.name,
            case.command,
            "ed",
            printed.join("\n")
        ));
        if let Some(crash) = crashed(&output) {
            failures.push(format!("{}: {crash}\n{stderr}", case.name));
        }
        if first.contains('\0') {
            failures.push(format!("{}: a raw NUL reached the terminal", case.name));
        }
        // Generous for a debug build on a busy machine; a hang would take forever.
        if seconds > 60.0 {
            failures.push(format!("{}: took {seconds:.0} s", case.name));
        }
        if stderr.contains("<built-in>") {
            failures.push(format!("{}: a problem in the user's files is blamed on the built-in layout", case.name));
        }
        // An empty expectation means: nothing at all to report.
        let quiet = case.first_line.is_empty() && (stderr.contains("error") || stderr.contains("warning"));
        if quiet || code != case.code || !first.contains(case.first_line) {
            failures.push(format!(
                "{}: expected exit {} and a first line with\n    {:?}\n  got exit {code} and\n    {first:?}",
                case.name, case.code, case.first_line
            ));
        }
        if case.code != 0 && case.command == "build" {
            assert!(!edition.dir.path().join("out/figures-and-links-2025-en-GB.pdf").exists());
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!("hostile_diagnostics", seen);
}

#[test]
fn unknown_keys_come_with_a_suggestion() {
    let edition = Edition::new();
    edition.replace("publication.toml", "subject =", "subjcet =");
    let mut cmd = anthology();
    let output = cmd.current_dir(edition.dir.path()).args(["check", "ed"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("ed/publication.toml:8:1"), "{stderr}");
    assert!(stderr.contains("8 │ subjcet = \"Testing anthology\""), "the line is quoted: {stderr}");
    assert!(stderr.contains("hint: did you mean `subject`?"), "{stderr}");
}

#[test]
fn deny_warnings_turns_warnings_into_errors() {
    let edition = Edition::new();
    edition.write("stories/draft.md", "+++\ntitle = \"Draft\"\n+++\n\nNot ready.\n");
    assert_eq!(edition.run("check", &[]).status.code(), Some(0));
    assert_eq!(edition.run("check", &["--deny-warnings"]).status.code(), Some(1));
    // A build denied by a warning writes nothing.
    assert_eq!(edition.run("build", &["--deny-warnings"]).status.code(), Some(1));
    assert!(!edition.dir.path().join("out/figures-and-links-2025-en-GB.pdf").exists());
}

#[test]
fn usage_errors_exit_with_2() {
    let edition = Edition::new();
    assert_eq!(edition.run("build", &["--format", "docx"]).status.code(), Some(2));
    let output = anthology().args(["check", "no/such/folder"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/folder: no such edition folder"));
    // A story file, or an edition's stories folder, is sent to its edition.
    let story = anthology().current_dir(edition.dir.path()).args(["build", "ed/stories/one.md"]).output().unwrap();
    assert_eq!(story.status.code(), Some(2));
    let said = String::from_utf8_lossy(&story.stderr);
    assert!(said.contains("ed/stories/one.md: a file, not an edition folder"), "{said}");
    assert!(
        said.contains("belongs to the edition ed: build or check that folder, e.g. `anthology build ed`"),
        "{said}"
    );
    let stories = anthology().current_dir(edition.dir.path()).args(["check", "ed/stories"]).output().unwrap();
    assert_eq!(stories.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stories.stderr).contains("ed/stories belongs to the edition ed"));
    assert_eq!(anthology().arg("frobnicate").output().unwrap().status.code(), Some(2));
    // An output folder inside the edition would mix artifacts with its files.
    let inside =
        anthology().current_dir(edition.dir.path()).args(["build", "ed", "--out", "ed/images"]).output().unwrap();
    assert_eq!(inside.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&inside.stderr).contains("the output folder is inside the edition ed"));
    // Out-of-range times are usage errors that say the range, from the flag or the environment.
    for (flag, env) in [(Some("400000000000"), None), (None, Some("99999999999999")), (Some("-1"), None)] {
        let mut cmd = anthology();
        cmd.args(["build", "tests/editions/figures", "--out"]).arg(edition.dir.path().join("o"));
        if let Some(value) = flag {
            cmd.arg(format!("--source-date-epoch={value}"));
        }
        if let Some(value) = env {
            cmd.env("SOURCE_DATE_EPOCH", value);
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("is not in 0..=4354819199"), "{stderr}");
        assert!(!edition.dir.path().join("o").exists(), "nothing written");
    }
}

#[test]
fn a_failed_build_leaves_earlier_artifacts_byte_identical() {
    let edition = Edition::new();
    assert!(edition.run("build", &[]).status.success());
    let out = edition.dir.path().join("out");
    let snapshot = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&out);
    assert_eq!(before.len(), 4, "pdf, epub, SHA256SUMS, build-report.json");
    // A layout error fails the build after loading succeeded.
    std::fs::create_dir_all(edition.file("layouts")).unwrap();
    edition.write("layouts/publication.typ", "#panic(\"broken layout\")\n");
    let failed = edition.run("build", &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(snapshot(&out), before, "the output folder is untouched");
}

#[test]
fn build_report_and_checksums_describe_the_artifacts() {
    let edition = Edition::new();
    assert!(edition.run("build", &[]).status.success());
    let out = edition.dir.path().join("out");
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("build-report.json")).unwrap()).unwrap();
    let artifacts = report["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 2);
    for artifact in artifacts {
        let path = PathBuf::from(artifact["path"].as_str().unwrap());
        let bytes = std::fs::read(edition.dir.path().join(&path)).unwrap();
        assert_eq!(artifact["bytes"].as_u64().unwrap() as usize, bytes.len());
        let hash = anthology::output::sha256_hex(&bytes);
        assert_eq!(artifact["sha256"].as_str().unwrap(), hash);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(sums.contains(&format!("{hash}  {name}\n")), "{sums}");
        assert!(artifact["warnings"].is_array());
    }
    let pdf = artifacts.iter().find(|a| a["path"].as_str().unwrap().ends_with(".pdf")).unwrap();
    assert_eq!(pdf["pages"].as_u64(), Some(6));
}

#[test]
fn a_png_bomb_is_refused_without_decoding_it() {
    let edition = Edition::new();
    fixture(&edition, "bomb-40000.png", "images/workshop.png");
    let output = edition.run("build", &[]);
    assert_eq!(output.status.code(), Some(1));
    // The largest resident size of any process this test binary has waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    let peak_mib = usage.ru_maxrss / 1024;
    assert!(peak_mib < 1024, "peak {peak_mib} MiB");
}

#[test]
fn diagnostics_quote_the_line_and_say_what_to_do() {
    let edition = Edition::new();
    edition.replace("publication.toml", "subject =", "subjcet =");
    edition.replace("stories/one.md", "(https://www.unodc.org/)", "(www.unodc.org)");
    let mut cmd = anthology();
    let output = cmd.current_dir(edition.dir.path()).args(["check", "ed"]).output().unwrap();
    insta::assert_snapshot!("human_diagnostics", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn every_unknown_key_is_reported_in_one_run() {
    let edition = Edition::new();
    edition.replace("publication.toml", "subject =", "subjcet =");
    edition.replace("publication.toml", "short-name =", "shortname =");
    edition.replace("stories/one.md", "country =", "countyr =");
    edition.replace("stories/two.md", "toc-title =", "toctitle =");
    let output = edition.run("check", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        errors,
        [
            "ed/publication.toml:8:1: error: unknown key `subjcet`",
            "ed/publication.toml:13:1: error: unknown key `shortname`",
            "ed/stories/one.md:4:1: error: unknown key `countyr`",
            "ed/stories/two.md:3:1: error: unknown key `toctitle`",
        ]
    );
}

#[test]
fn a_closed_stdout_is_not_a_crash_and_the_folder_stays_true() {
    let edition = Edition::new();
    let mut child = anthology()
        .current_dir(edition.dir.path())
        .args(["build", "ed", "--out", "out"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away at once, as `anthology build | head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let sums = std::fs::read_to_string(edition.dir.path().join("out/SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 2);
}
