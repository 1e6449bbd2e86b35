//! The files in `layouts/` (typst templates, EPUB stylesheet), built into the
//! binary. An edition overrides any of them, file by file, with a `layouts/`
//! folder of its own.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Failed};

/// The entry point of the PDF layout.
pub const PDF_MAIN: &str = "publication.typ";
/// The EPUB stylesheet.
pub const EPUB_CSS: &str = "epub.css";
/// The web edition's stylesheet (after the EPUB's), and its dark colours.
pub const WEB_CSS: &str = "web.css";
pub const WEB_DARK_CSS: &str = "web-dark.css";
/// The EPUB's cover picture: a one-page typst layout in e-book proportions.
pub const EPUB_COVER: &str = "epub-cover.typ";

/// Built-in layout files by name.
const BUILTIN: &[(&str, &[u8])] = &[
    ("publication.typ", include_bytes!("../layouts/publication.typ")),
    ("theme.toml", include_bytes!("../layouts/theme.toml")),
    ("epub.css", include_bytes!("../layouts/epub.css")),
    ("epub-cover.typ", include_bytes!("../layouts/epub-cover.typ")),
    ("web.css", include_bytes!("../layouts/web.css")),
    ("web-dark.css", include_bytes!("../layouts/web-dark.css")),
];

/// A layout file: built in, or the edition's own.
#[derive(Debug, Clone)]
pub struct LayoutFile {
    /// Its name inside `layouts/` (`publication.typ`).
    pub name: String,
    pub bytes: Vec<u8>,
    /// Where it was read from when the edition overrides it.
    pub path: Option<PathBuf>,
}

impl LayoutFile {
    /// How diagnostics name this file.
    pub fn display_path(&self) -> PathBuf {
        self.path.clone().unwrap_or_else(|| PathBuf::from(format!("<built-in>/layouts/{}", self.name)))
    }
}

/// The edition's `layouts/` folder.
pub fn override_dir(edition: &Path) -> PathBuf {
    edition.join("layouts")
}

/// Every layout file: the built-in ones, replaced or joined by the edition's own.
pub fn load(edition: &Path, diags: &mut Diagnostics) -> Result<Vec<LayoutFile>, Failed> {
    let mut files: Vec<LayoutFile> = BUILTIN
        .iter()
        .map(|(name, bytes)| LayoutFile { name: name.to_string(), bytes: bytes.to_vec(), path: None })
        .collect();
    let dir = override_dir(edition);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(files) };
    let mut own = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            diags.push(
                Diagnostic::error("a layout file's name may hold only letters, digits, `-`, `_` and `.`")
                    .in_file(&path)
                    .hint("rename the file; layouts import each other by these names"),
            );
            continue;
        }
        if let Err(reason) = crate::files::confine(edition, &path) {
            diags.push(Diagnostic::error(format!("the layout file {reason}")).in_file(&path));
            continue;
        }
        match crate::files::read(edition, &path, crate::files::MAX_FONT_BYTES) {
            Ok(bytes) => own.push(LayoutFile { name, bytes, path: Some(path) }),
            Err(err) => diags.push(Diagnostic::error(format!("the layout file {err}")).in_file(&path)),
        }
    }
    // An edition's stylesheet may come from anywhere: it may not make the outputs fetch anything.
    for file in own.iter().filter(|f| f.name.ends_with(".css")) {
        for problem in loading_problems(file, &String::from_utf8_lossy(&file.bytes)) {
            diags.push(problem);
        }
    }
    diags.check()?;
    own.sort_by(|a, b| a.name.cmp(&b.name));
    for file in own {
        match files.iter_mut().find(|f| f.name == file.name) {
            Some(slot) => *slot = file,
            None => files.push(file),
        }
    }
    Ok(files)
}

/// A layout file by name.
pub fn find<'a>(files: &'a [LayoutFile], name: &str) -> Option<&'a LayoutFile> {
    files.iter().find(|f| f.name == name)
}

/// A stylesheet with its comments blanked out, byte offsets kept.
pub fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").map_or(rest.len(), |e| start + e + 2);
        for c in rest[start..end].chars() {
            match c {
                '\n' => out.push('\n'),
                c => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Where a stylesheet would load something (`@import`, `url(…)`: a font, an
/// image, another sheet), by byte offset and what it is. anthology's outputs
/// load nothing: an edition's own stylesheet that does is refused.
pub fn loads(css: &str) -> Vec<(usize, &'static str)> {
    let css = without_comments(css).to_ascii_lowercase();
    let mut found: Vec<(usize, &'static str)> = css.match_indices("@import").map(|(at, _)| (at, "@import")).collect();
    found.extend(css.match_indices("url(").map(|(at, _)| (at, "url(")));
    found.extend(css.match_indices("image-set(").map(|(at, _)| (at, "image-set(")));
    found.sort();
    found
}

/// Errors for whatever a stylesheet would load, located in its file.
fn loading_problems(file: &LayoutFile, css: &str) -> Vec<Diagnostic> {
    let source = crate::diag::SourceFile::new(file.display_path(), css.to_string());
    loads(css)
        .into_iter()
        .map(|(at, what)| {
            Diagnostic::error(format!(
                "the stylesheet loads a file with `{what}`; the EPUB and the web edition load nothing"
            ))
            .at(&source, at..at + what.len())
            .hint("remove it: text is set in the reader's fonts, and photos belong in the stories")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stylesheet_that_loads_something_is_found_out_but_not_in_comments() {
        let css = "/* url(x) */ @IMPORT 'a.css'; b { background: URL(//evil.example/b.png) }";
        let found: Vec<&str> = super::loads(css).into_iter().map(|(_, what)| what).collect();
        assert_eq!(found, ["@import", "url("]);
        for builtin in ["epub.css", "web.css", "web-dark.css"] {
            let (_, bytes) = super::BUILTIN.iter().find(|(name, _)| *name == builtin).unwrap();
            assert!(super::loads(std::str::from_utf8(bytes).unwrap()).is_empty(), "{builtin}");
        }
    }
}
