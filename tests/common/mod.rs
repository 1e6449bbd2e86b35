//! Helpers for integration tests: run the real `anthology` binary on an
//! edition folder, then open what it wrote the way a reader would.
#![allow(dead_code)]

pub mod photos;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `anthology` binary, run from the repository root.
pub fn anthology() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anthology"));
    command.current_dir(root()).env_remove("SOURCE_DATE_EPOCH");
    command
}

/// What a build wrote into its own temporary folder.
pub struct Build {
    pub dir: tempfile::TempDir,
    pub output: Output,
}

impl Build {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The one file with this extension in the output folder.
    pub fn artifact(&self, extension: &str) -> PathBuf {
        let mut found: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == extension))
            .collect();
        assert_eq!(found.len(), 1, "expected one .{extension} in {found:?}\n{}", self.stderr());
        found.remove(0)
    }

    pub fn pdf(&self) -> Pdf {
        Pdf::open(&self.artifact("pdf"))
    }

    pub fn epub(&self) -> Epub {
        Epub::open(&self.artifact("epub"))
    }
}

/// Builds an edition (path relative to the repository root) into a fresh folder.
#[track_caller]
pub fn build(edition: &str, extra: &[&str]) -> Build {
    let dir = tempfile::tempdir().unwrap();
    let output = anthology().args(["build", edition, "--out"]).arg(dir.path()).args(extra).output().unwrap();
    let build = Build { dir, output };
    assert!(build.output.status.success(), "build of {edition} failed:\n{}", build.stderr());
    build
}

/// The real edition, built once per test binary.
pub fn real_edition() -> &'static Build {
    static BUILD: OnceLock<Build> = OnceLock::new();
    BUILD.get_or_init(|| build("content/en", &[]))
}

/// Copies a folder recursively (an edition, to change it in a test).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The publication as anthology's library reads it, for expected values.
pub fn publication(edition: &str) -> anthology::model::Publication {
    let mut diags = anthology::diag::Diagnostics::default();
    let loaded = anthology::pipeline::load(&root().join(edition), &mut diags)
        .unwrap_or_else(|_| panic!("{edition} loads: {:?}", diags.items()));
    loaded.publication
}

/// The entries the table of contents lists, in order.
pub fn listed(publication: &anthology::model::Publication) -> Vec<&anthology::model::Entry> {
    publication.entries.iter().filter(|e| e.listed).collect()
}

/// Text for comparisons: without whitespace and hyphens, so that line breaks,
/// justification and hyphenation at line ends do not matter.
pub fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{00AD}' | '\u{2010}' | '\u{2011}' | '\u{2060}'))
        .collect()
}

/// Text as written before anthology's typographic clean-up: curly quotes
/// straight, no en dash for a spaced hyphen (squash drops both), no trailing
/// colon on run-in headings.
fn as_typed(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '–')
        .map(|c| match c {
            '‘' | '’' => '\'',
            '“' | '”' => '"',
            c => c,
        })
        .collect()
}

/// Asserts that every needle occurs in the haystack, in order, whatever the
/// typographic clean-up changed (quotation marks, dashes, headings' colons).
#[track_caller]
pub fn assert_in_order(haystack: &str, needles: &[String], what: &str) {
    let squashed = squash(&as_typed(haystack));
    let mut position = 0;
    for (i, needle) in needles.iter().enumerate() {
        let needle_squashed = squash(&as_typed(needle));
        let needle_squashed = needle_squashed.trim_end_matches(':').to_string();
        match squashed[position..].find(&needle_squashed) {
            Some(at) => position += at + needle_squashed.len(),
            None => {
                let anywhere = squashed.contains(&needle_squashed);
                panic!("{what}: paragraph {i} {} :\n{needle}", if anywhere { "is out of order" } else { "is missing" });
            }
        }
    }
}

/// The seed's paragraphs (blank-line separated blocks), Markdown stripped.
/// `cover`: include the cover lines. The seed's printed table of contents is
/// never included: anthology generates its own.
pub fn seed_paragraphs(cover: bool) -> Vec<String> {
    let seed = std::fs::read_to_string(root().join("tests/fixtures/seed.txt")).unwrap();
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in seed.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line.trim());
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    let ack = blocks.iter().position(|b| b == "Acknowledgements").unwrap();
    let toc = blocks.iter().position(|b| b == "Table of Contents").unwrap();
    let toc_end = toc + blocks[toc..].iter().position(|b| b.contains("21. WhatsOn")).unwrap();
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if (!cover && i < ack) || (toc..=toc_end).contains(&i) {
            continue;
        }
        out.push(strip_markdown(block));
    }
    out
}

/// The seed's table of contents: (number, title, printed pages).
pub fn seed_toc_titles() -> Vec<String> {
    let seed = std::fs::read_to_string(root().join("tests/fixtures/seed.txt")).unwrap();
    seed.lines()
        .filter_map(|line| {
            let (number, rest) = line.split_once(". ")?;
            number.parse::<u32>().ok()?;
            let (title, _pages) = rest.rsplit_once('\t')?;
            Some(title.trim().to_string())
        })
        .collect()
}

fn strip_markdown(block: &str) -> String {
    let mut text = block.replace("***", "").replace("**", "").replace("\\(", "(").replace("\\)", ")");
    // [text](#) → text
    while let Some(start) = text.find("](#)") {
        let open = text[..start].rfind('[').unwrap();
        text = format!("{}{}{}", &text[..open], &text[open + 1..start], &text[start + 4..]);
    }
    // <https://…> → https://…
    text = text.replace(['<', '>'], "");
    // The two titles whose line-break artifacts the content folder mends.
    text.replace("anti- corruption", "anti-corruption").replace("Survivor- centred", "Survivor-centred")
}

/// A PDF opened with lopdf.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub doc: lopdf::Document,
}

/// Where a link annotation goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Page(u32),
    Uri(String),
    Other(String),
}

impl Pdf {
    pub fn open(path: &Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        Self { bytes, doc }
    }

    pub fn page_count(&self) -> usize {
        self.doc.get_pages().len()
    }

    /// Each page's text, as a text extractor sees it.
    pub fn pages_text(&self) -> Vec<String> {
        pdf_extract::extract_text_from_mem_by_pages(&self.bytes).unwrap()
    }

    /// Bookmarks: (level, title, page).
    pub fn outline(&self) -> Vec<(usize, String, usize)> {
        let toc = self.doc.get_toc().unwrap();
        assert!(toc.errors.is_empty(), "{:?}", toc.errors);
        toc.toc.into_iter().map(|t| (t.level, t.title, t.page)).collect()
    }

    /// The bookmarks of the listed entries, in the order of the printed
    /// table of contents: the outline without the cover's bookmark (the
    /// first, on page 1) and the table of contents' own.
    pub fn entry_bookmarks(&self, publication: &anthology::model::Publication) -> Vec<(usize, String, usize)> {
        let mut outline = self.outline();
        assert_eq!(outline.first().map(|b| b.2), Some(1), "the first bookmark is the cover's: {outline:?}");
        outline.remove(0);
        let contents = publication.entries.iter().find(|e| e.kind() == anthology::model::EntryKind::Contents);
        outline.retain(|(_, title, _)| contents.is_none_or(|c| title != &c.title));
        outline
    }

    fn page_numbers(&self) -> BTreeMap<lopdf::ObjectId, u32> {
        self.doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect()
    }

    fn resolve<'a>(&'a self, object: &'a lopdf::Object) -> &'a lopdf::Object {
        self.doc.dereference(object).map(|(_, o)| o).unwrap_or(object)
    }

    /// Named destinations from the catalog's /Names /Dests tree.
    fn named_dests(&self) -> BTreeMap<Vec<u8>, lopdf::Object> {
        fn walk(pdf: &Pdf, node: &lopdf::Dictionary, out: &mut BTreeMap<Vec<u8>, lopdf::Object>) {
            if let Ok(names) = node.get(b"Names").and_then(|n| n.as_array()) {
                for pair in names.chunks(2) {
                    if let [name, dest] = pair
                        && let Ok(name) = pdf.resolve(name).as_str()
                    {
                        out.insert(name.to_vec(), pdf.resolve(dest).clone());
                    }
                }
            }
            if let Ok(kids) = node.get(b"Kids").and_then(|k| k.as_array()) {
                for kid in kids {
                    if let Ok(kid) = pdf.resolve(kid).as_dict() {
                        walk(pdf, kid, out);
                    }
                }
            }
        }
        let mut out = BTreeMap::new();
        if let Ok(catalog) = self.doc.catalog()
            && let Ok(names) = catalog.get(b"Names").map(|n| self.resolve(n))
            && let Ok(dests) = names.as_dict().and_then(|n| n.get(b"Dests")).map(|d| self.resolve(d))
            && let Ok(dests) = dests.as_dict()
        {
            walk(self, dests, &mut out);
        }
        out
    }

    fn dest_page(&self, dest: &lopdf::Object) -> Target {
        let pages = self.page_numbers();
        let dest = self.resolve(dest);
        let named;
        let dest = match dest {
            lopdf::Object::String(name, _) | lopdf::Object::Name(name) => {
                named = self.named_dests().remove(name).unwrap_or(lopdf::Object::Null);
                match &named {
                    lopdf::Object::Dictionary(d) => d.get(b"D").unwrap_or(&named),
                    other => other,
                }
            }
            other => other,
        };
        match self.resolve(dest) {
            lopdf::Object::Array(items) => match items.first().and_then(|o| o.as_reference().ok()) {
                Some(id) => pages.get(&id).map_or(Target::Other(format!("{id:?}")), |n| Target::Page(*n)),
                None => Target::Other(format!("{items:?}")),
            },
            other => Target::Other(format!("{other:?}")),
        }
    }

    /// Every link annotation: (page, rectangle, target).
    pub fn links(&self) -> Vec<(u32, Vec<f32>, Target)> {
        let mut out = Vec::new();
        for (number, page_id) in self.doc.get_pages() {
            for annot in self.doc.get_page_annotations(page_id).unwrap_or_default() {
                if annot.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Link".as_slice()) {
                    continue;
                }
                let rect: Vec<f32> = annot
                    .get(b"Rect")
                    .and_then(|r| r.as_array())
                    .map(|a| a.iter().filter_map(|n| n.as_float().ok()).collect())
                    .unwrap_or_default();
                let target = if let Ok(dest) = annot.get(b"Dest") {
                    self.dest_page(dest)
                } else if let Ok(action) = annot.get(b"A") {
                    let action = self.resolve(action).as_dict().unwrap();
                    match action.get(b"S").and_then(|s| s.as_name()).unwrap_or(b"") {
                        b"URI" => Target::Uri(
                            String::from_utf8_lossy(action.get(b"URI").unwrap().as_str().unwrap()).into_owned(),
                        ),
                        b"GoTo" => self.dest_page(action.get(b"D").unwrap()),
                        other => Target::Other(String::from_utf8_lossy(other).into_owned()),
                    }
                } else {
                    Target::Other("no action".into())
                };
                out.push((number, rect, target));
            }
        }
        out
    }

    /// The value of a key in the document information dictionary or catalog.
    pub fn catalog_string(&self, key: &[u8]) -> Option<String> {
        let catalog = self.doc.catalog().ok()?;
        let value = self.resolve(catalog.get(key).ok()?);
        lopdf::decode_text_string(value).ok()
    }
}

/// An EPUB opened with the zip crate.
pub struct Epub {
    pub files: BTreeMap<String, Vec<u8>>,
    pub order: Vec<String>,
}

impl Epub {
    pub fn open(path: &Path) -> Self {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut files = BTreeMap::new();
        let mut order = Vec::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            order.push(file.name().to_string());
            files.insert(file.name().to_string(), bytes);
        }
        Self { files, order }
    }

    pub fn text(&self, name: &str) -> String {
        String::from_utf8(self.files[name].clone()).unwrap()
    }

    /// Spine documents in reading order (paths inside the archive).
    pub fn spine(&self) -> Vec<String> {
        let opf = self.text("OEBPS/content.opf");
        let mut items = BTreeMap::new();
        let mut spine = Vec::new();
        for element in elements(&opf) {
            match element.name.as_str() {
                "item" => {
                    items.insert(element.attr("id").unwrap(), element.attr("href").unwrap());
                }
                "itemref" => spine.push(element.attr("idref").unwrap()),
                _ => {}
            }
        }
        spine.iter().map(|id| format!("OEBPS/{}", items[id])).collect()
    }

    /// The entries of a nav list (`toc`, `page-list`, `landmarks`): (href, text).
    pub fn nav(&self, kind: &str) -> Vec<(String, String)> {
        let nav = self.text("OEBPS/nav.xhtml");
        let mut reader = quick_xml::Reader::from_str(&nav);
        let mut depth_in = None;
        let mut depth = 0;
        let mut out = Vec::new();
        let mut current: Option<(String, String)> = None;
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Start(e) => {
                    depth += 1;
                    let attrs = attributes(&e);
                    if e.name().as_ref() == b"nav" && attrs.get("epub:type").map(String::as_str) == Some(kind) {
                        depth_in = Some(depth);
                    }
                    if depth_in.is_some() && e.name().as_ref() == b"a" {
                        current = Some((attrs.get("href").cloned().unwrap_or_default(), String::new()));
                    }
                }
                quick_xml::events::Event::End(e) => {
                    if e.name().as_ref() == b"a"
                        && let Some(link) = current.take()
                    {
                        out.push(link);
                    }
                    if depth_in == Some(depth) {
                        depth_in = None;
                    }
                    depth -= 1;
                }
                quick_xml::events::Event::Text(t) => {
                    if let Some((_, text)) = current.as_mut() {
                        text.push_str(&t.xml_content().unwrap());
                    }
                }
                quick_xml::events::Event::GeneralRef(r) => {
                    if let Some((_, text)) = current.as_mut() {
                        text.push_str(&unescape_ref(&r));
                    }
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        out
    }
}

/// The text content of an XHTML document (parsing it as XML, which also
/// proves it well-formed).
pub fn xhtml_text(xhtml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xhtml);
    let mut out = String::new();
    let mut in_body = false;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xhtml}")) {
            quick_xml::events::Event::Start(e) => {
                if e.name().as_ref() == b"body" {
                    in_body = true;
                }
                if in_body && matches!(e.name().as_ref(), b"p" | b"li" | b"h1" | b"h2" | b"h3" | b"figcaption") {
                    out.push('\n');
                }
            }
            quick_xml::events::Event::Text(t) if in_body => out.push_str(&t.xml_content().unwrap()),
            quick_xml::events::Event::GeneralRef(r) if in_body => out.push_str(&unescape_ref(&r)),
            quick_xml::events::Event::Empty(e) if in_body && e.name().as_ref() == b"br" => out.push('\n'),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn unescape_ref(r: &quick_xml::events::BytesRef) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match r.decode().unwrap().as_ref() {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        other => panic!("unknown entity &{other};"),
    }
}

fn attributes(e: &quick_xml::events::BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (String::from_utf8_lossy(a.key.as_ref()).into_owned(), a.unescape_value().unwrap().into_owned())
        })
        .collect()
}

/// An XML element's name and attributes.
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
}

impl Element {
    pub fn attr(&self, key: &str) -> Option<String> {
        self.attrs.get(key).cloned()
    }
}

/// Every start or empty element of an XML document, in order.
pub fn elements(xml: &str) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => out
                .push(Element { name: String::from_utf8_lossy(e.name().as_ref()).into_owned(), attrs: attributes(&e) }),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The page ranges printed in the table of contents, entry by entry.
pub fn printed_ranges(toc_text: &str, titles: &[String]) -> Vec<(u32, u32)> {
    // Squashed text for finding titles, with each character's place in the original.
    let (squashed, places): (String, Vec<usize>) = toc_text
        .char_indices()
        .filter(|(_, c)| squash(&c.to_string()).len() == c.len_utf8())
        .map(|(i, c)| (c, i))
        .unzip();
    let squashed_places: Vec<usize> = squashed.char_indices().map(|(i, _)| i).collect();
    let mut position = 0;
    titles
        .iter()
        .map(|title| {
            let needle = squash(title);
            let at =
                position + squashed[position..].find(&needle).unwrap_or_else(|| panic!("{title} not in the table"));
            position = at + needle.len();
            let char_index = squashed_places.iter().position(|&p| p == position).unwrap_or(places.len());
            let original = places.get(char_index).copied().unwrap_or(toc_text.len());
            // After the title (and a story's organisation · country line): `12` or `12–14`.
            let rest = &toc_text[original..];
            let rest = &rest[rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len())..];
            let range: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '–').collect();
            let mut numbers =
                range.split('–').map(|n| n.parse::<u32>().unwrap_or_else(|_| panic!("no pages after {title}")));
            let first = numbers.next().unwrap();
            (first, numbers.next().unwrap_or(first))
        })
        .collect()
}

/// The table of contents prints, for every entry, the pages the layout
/// gave it: from its bookmark to the page before the next entry (a blank
/// page before the back page aside).
pub fn assert_printed_ranges_match(pdf: &Pdf, publication: &anthology::model::Publication) {
    let pages = pdf.pages_text();
    let titles: Vec<String> = listed(publication).iter().map(|e| e.toc_title.clone()).collect();
    let toc_page = pages.iter().position(|t| t.contains("Table of Contents")).unwrap() + 1;
    let ranges = printed_ranges(&pages[toc_page - 1], &titles);
    // Where each entry starts (from the bookmarks), and where the table of contents starts.
    let mut starts: Vec<usize> = pdf.entry_bookmarks(publication).into_iter().map(|(_, _, p)| p).collect();
    let entry_starts = starts.clone();
    starts.push(toc_page);
    starts.sort();
    for (i, entry) in listed(publication).into_iter().enumerate() {
        let first = entry_starts[i];
        let next = starts.iter().copied().find(|&s| s > first).unwrap_or(pages.len() + 1);
        // The back page is the last; blank pages may stand before it.
        let mut last = next - 1;
        while last > first && squash(&pages[last - 1]).is_empty() {
            last -= 1;
        }
        assert_eq!(ranges[i], (first as u32, last as u32), "printed range of “{}”", entry.toc_title);
    }
    // At least one story spans several pages, so the ranges are really tested.
    assert!(ranges.iter().any(|(a, b)| b > a));
}

/// Lines of text set at `size_pt` on a laid-out page: distinct baselines,
/// to half a point (body text is the only text at the body size).
pub fn lines_at_size(frame: &typst::layout::Frame, size_pt: f64) -> usize {
    use typst::layout::{Frame, FrameItem, Transform};
    fn walk(frame: &Frame, ts: Transform, size_pt: f64, baselines: &mut std::collections::BTreeSet<i64>) {
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(group) => {
                    let ts = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                    walk(&group.frame, ts, size_pt, baselines);
                }
                FrameItem::Text(text) if (text.size.to_pt() - size_pt).abs() < 0.01 => {
                    baselines.insert((pos.transform(ts).y.to_pt() * 2.0).round() as i64);
                }
                _ => {}
            }
        }
    }
    let mut baselines = std::collections::BTreeSet::new();
    walk(frame, Transform::identity(), size_pt, &mut baselines);
    baselines.len()
}

/// No story ends on a page with one or two lines of its text (or none: a
/// panel or a pull quote alone): the edition is laid out again in-process
/// and each story's last page (from the built PDF's bookmarks) counted.
pub fn assert_no_one_line_endings(edition: &Path, pdf: &Pdf) {
    let mut diags = anthology::diag::Diagnostics::default();
    let loaded = anthology::pipeline::load(edition, &mut diags).unwrap();
    let publication = &loaded.publication;
    let time = anthology::pipeline::datetime(0).unwrap();
    let mut layouter = anthology::layout::Layouter::new();
    let laid_out =
        layouter.lay_out(loaded.layout_input(), time, false, anthology::layout::Variant::Screen, &mut diags).unwrap();
    let pages = laid_out.document.pages();
    assert_eq!(pages.len(), pdf.page_count(), "laid out as built");
    let texts = pdf.pages_text();
    let starts: Vec<usize> = pdf.entry_bookmarks(publication).into_iter().map(|(_, _, p)| p).collect();
    let size = publication.theme.text.size_pt;
    let mut stories = 0;
    for (i, entry) in listed(publication).into_iter().enumerate() {
        if entry.number.is_none() {
            continue;
        }
        stories += 1;
        let next = starts.iter().copied().find(|&s| s > starts[i]).unwrap_or(pages.len() + 1);
        let mut last = next - 1;
        while last > starts[i] && squash(&texts[last - 1]).is_empty() {
            last -= 1;
        }
        let lines = lines_at_size(&pages[last - 1].frame, size);
        assert!(lines >= 3, "“{}” ends on page {last} with {lines} line(s) of its text", entry.toc_title);
    }
    assert!(stories > 10, "{stories} stories");
}
