//! The module boundaries ARCHITECTURE.md draws, checked on the source: no
//! cycle between the crate's modules, the EPUB renderer independent of the
//! PDF renderer and of typst's lay-out stage, clap only on the command line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A source file's code, without its unit tests and comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The top-level module a file belongs to (`src/render/epub/mod.rs` → `render`).
fn module(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// `crate::x` references in some code.
fn references(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let name: String = rest[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        out.insert(name);
        rest = &rest[at + 7..];
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(&src) {
        let from = module(&src, &path);
        if from == "main" || from == "lib" {
            continue;
        }
        let uses = edges.entry(from.clone()).or_default();
        uses.extend(references(&code(&path)).into_iter().filter(|to| *to != from));
    }
    edges
}

#[test]
fn the_modules_form_no_cycle() {
    let edges = graph();
    // Depth-first search for a back edge, reporting the cycle it closes.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, edges, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            let cycle = visit(node, &edges, &mut state, &mut Vec::new());
            assert!(cycle.is_none(), "the modules form a cycle: {}", cycle.unwrap().join(" → "));
        }
    }
    // The stages come first, the commands last.
    assert!(
        edges["model"].iter().all(|m| m == "theme"),
        "the model depends on nothing but the theme: {:?}",
        edges["model"]
    );
    // Diagnostics depend on no stage: at most on leaf modules (character classes).
    assert!(
        edges["diag"].iter().all(|m| edges.get(m).is_none_or(|e| e.is_empty())),
        "diagnostics depend on no stage: {:?}",
        edges["diag"]
    );
}

#[test]
fn the_epub_does_not_import_the_pdf_or_the_lay_out_stage() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render/epub");
    for path in sources(&dir) {
        let code = code(&path);
        assert!(!references(&code).contains("layout"), "{} uses the lay-out stage", path.display());
        for forbidden in ["render::pdf", "super::pdf", "typst_pdf", "typst_layout"] {
            assert!(!code.contains(forbidden), "{} uses {forbidden}", path.display());
        }
    }
}

#[test]
fn clap_lives_on_the_command_line_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for path in sources(&src) {
        let name = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        if name == "cli.rs" || name == "main.rs" {
            continue;
        }
        assert!(!code(&path).contains("clap::"), "{name} uses clap");
    }
}
