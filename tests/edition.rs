//! The real edition (`content/en`) built by the real binary, then read back
//! from the PDF and EPUB it wrote.

mod common;

use common::{
    Target, assert_in_order, publication, real_edition, seed_paragraphs, seed_toc_titles, squash, xhtml_text,
};

#[test]
fn build_writes_one_pdf_and_one_epub_and_says_so() {
    let build = real_edition();
    let stdout = build.stdout();
    let pdf = build.artifact("pdf");
    let epub = build.artifact("epub");
    assert_eq!(pdf.file_name().unwrap(), "featured-human-stories-2026-en.pdf");
    assert_eq!(epub.file_name().unwrap(), "featured-human-stories-2026-en.epub");
    let pages = build.pdf().page_count();
    assert!(stdout.contains(&format!("featured-human-stories-2026-en.pdf ({pages} pages")), "{stdout}");
    assert!(stdout.contains("featured-human-stories-2026-en.epub"), "{stdout}");
    assert!(stdout.contains(" ms"), "the build reports its time: {stdout}");
}

#[test]
fn every_seed_paragraph_is_in_the_pdf_in_order() {
    let pdf = real_edition().pdf();
    let pages = pdf.pages_text();
    let publication = publication("content/en");
    let entries = entry_of_each_page(&pdf, &publication);
    // Drop each page's running foot so that paragraphs running over a page
    // break read continuously.
    let body: String = pages
        .iter()
        .enumerate()
        .map(|(i, text)| {
            // The "find out more" panel's label is anthology's, not the seed's.
            let mut text = squash(&text.replace("Find out more", ""));
            if text.is_empty() {
                return text;
            }
            // A pull quote repeats the story's words (an artifact, not read)
            // on the story's last page.
            if let Some(quote) = entries[i].and_then(pull_quote)
                && last_page_of(&entries, &pages, entries[i]) == Some(i)
            {
                // It stands below the text it repeats: the last occurrence.
                for part in std::iter::once(&quote.text).chain(&quote.by) {
                    if let Some(at) = text.rfind(&squash(part)) {
                        text.replace_range(at..at + squash(part).len(), "");
                    }
                }
            }
            if let Some(foot) = running_foot(&publication, entries[i], i + 1) {
                assert!(text.ends_with(&foot), "page {}: no running foot “{foot}”: {text}", i + 1);
                text.truncate(text.len() - foot.len());
            }
            text
        })
        .collect();
    let paragraphs = seed_paragraphs(true);
    assert!(paragraphs.len() > 250, "the seed has {} paragraphs", paragraphs.len());
    assert_in_order(&body, &paragraphs, "PDF");
}

/// The index of the last page that prints something of an entry.
fn last_page_of(
    entries: &[Option<&anthology::model::Entry>],
    pages: &[String],
    entry: Option<&anthology::model::Entry>,
) -> Option<usize> {
    let id = &entry?.id;
    (0..entries.len()).rev().find(|&i| entries[i].is_some_and(|e| &e.id == id) && !pages[i].trim().is_empty())
}

fn pull_quote(entry: &anthology::model::Entry) -> Option<&anthology::model::PullQuote> {
    match &entry.body {
        anthology::model::Body::Story { pull_quote, .. } => pull_quote.as_ref(),
        _ => None,
    }
}

/// Each story's pull quote stands on its last page, large in the text column
/// where the page has room, in the side column otherwise — never left out.
#[test]
fn every_pull_quote_is_printed_on_its_storys_last_page() {
    let pdf = real_edition().pdf();
    let pages = pdf.pages_text();
    let publication = publication("content/en");
    let entries = entry_of_each_page(&pdf, &publication);
    let mut quotes = 0;
    for entry in &publication.entries {
        let Some(quote) = pull_quote(entry) else { continue };
        quotes += 1;
        let last = last_page_of(&entries, &pages, Some(entry)).expect("the story has pages");
        let text = squash(&quote.text);
        // Printed once more than the story says it, the last time on its last page.
        let story: String = entry.blocks().iter().map(|b| squash(&anthology::model::block_text(b))).collect();
        let before: String = pages[..last].iter().map(|p| squash(p)).collect();
        let page = squash(&pages[last]);
        let printed = (before.clone() + &page).matches(&text).count();
        assert_eq!(printed, story.matches(&text).count() + 1, "{}: the pull quote is printed once", entry.id);
        assert!(page.contains(&text), "page {}: the pull quote of {} is on the story's last page", last + 1, entry.id);
        if let Some(by) = &quote.by {
            assert!(page.contains(&squash(by)), "page {}: {} is credited", last + 1, by);
        }
    }
    assert_eq!(quotes, 17, "content/en gives every story a pull quote");
}

#[test]
fn every_seed_paragraph_is_in_the_epub_in_order() {
    let epub = real_edition().epub();
    let text: String = epub.spine().iter().map(|doc| xhtml_text(&epub.text(doc))).collect();
    // The "find out more" panel's heading is anthology's, not the seed's.
    let text = text.replace("Find out more", "");
    assert_in_order(&text, &seed_paragraphs(false), "EPUB");
}

#[test]
fn bookmarks_are_the_printed_table_of_contents_and_land_on_their_titles() {
    let build = real_edition();
    let pdf = build.pdf();
    let publication = publication("content/en");
    let outline = pdf.entry_bookmarks(&publication);
    assert_eq!(outline.len(), 21, "{outline:#?}");
    let titles: Vec<&str> = outline.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(titles, seed_toc_titles(), "bookmarks carry the seed's table-of-contents titles");
    let pages = pdf.pages_text();
    for ((level, _, page), entry) in outline.iter().zip(common::listed(&publication)) {
        assert_eq!(*level, 1);
        let text = squash(&pages[page - 1]);
        assert!(text.contains(&squash(&entry.title)), "page {page} does not print “{}”", entry.title);
    }
}

#[test]
fn the_pdf_opens_with_its_bookmarks_the_cover_and_the_contents_among_them() {
    let pdf = real_edition().pdf();
    let catalog = pdf.doc.catalog().unwrap();
    assert_eq!(catalog.get(b"PageMode").and_then(|m| m.as_name()).ok(), Some(&b"UseOutlines"[..]));
    let outline = pdf.outline();
    let toc_page = pdf.pages_text().iter().position(|t| t.contains("Table of Contents")).unwrap() + 1;
    assert_eq!(outline[0], (1, "Cover".to_string(), 1), "the first bookmark is the cover");
    let contents = outline.iter().position(|b| *b == (1, "Table of Contents".to_string(), toc_page));
    let contents = contents.unwrap_or_else(|| panic!("no bookmark for the table of contents: {outline:?}"));
    // In page order: the table of contents after the entries before it.
    assert!(outline[contents - 1].2 < toc_page && outline[contents + 1].2 > toc_page, "{outline:?}");
    assert_eq!(outline.len(), 23, "the cover, the contents and the 21 entries");
}

#[test]
fn printed_table_of_contents_links_to_the_bookmarked_pages() {
    let pdf = real_edition().pdf();
    let outline = pdf.entry_bookmarks(&publication("content/en"));
    let pages = pdf.pages_text();
    let toc_page = pages.iter().position(|t| t.contains("Table of Contents")).unwrap() as u32 + 1;
    let toc_links: Vec<u32> = pdf
        .links()
        .into_iter()
        .filter(|(page, _, _)| *page == toc_page || *page == toc_page + 1)
        .filter_map(|(_, _, target)| match target {
            Target::Page(p) => Some(p),
            _ => None,
        })
        .collect();
    let outline_pages: Vec<u32> = outline.iter().map(|(_, _, p)| *p as u32).collect();
    assert_eq!(toc_links, outline_pages);
    // Every printed entry's title is on the table-of-contents page.
    let toc_text = squash(&pages[toc_page as usize - 1]);
    for title in seed_toc_titles() {
        assert!(toc_text.contains(&squash(&title)), "{title}");
    }
}

#[test]
fn every_pdf_link_leads_to_an_entry_or_a_web_address() {
    let pdf = real_edition().pdf();
    // Where entries begin: the only places an internal link may go.
    let starts: Vec<u32> = pdf.outline().into_iter().map(|(_, _, p)| p as u32).collect();
    let links = pdf.links();
    let internal = links.iter().filter(|(_, _, t)| matches!(t, Target::Page(_))).count();
    let lines = pdf.entry_bookmarks(&publication("content/en")).len();
    assert_eq!(internal, lines, "one link per table-of-contents line, and no other internal link");
    for (page, _, target) in links {
        match target {
            Target::Page(p) => assert!(starts.contains(&p), "p{page}: a link to page {p}, where no entry begins"),
            Target::Uri(uri) => {
                let url = url::Url::parse(&uri).unwrap_or_else(|e| panic!("p{page}: `{uri}` is not an address ({e})"));
                assert!(matches!(url.scheme(), "https" | "http" | "mailto"), "p{page}: {uri}");
                assert!(url.scheme() == "mailto" || url.host_str().is_some_and(|h| h.contains('.')), "p{page}: {uri}");
            }
            Target::Other(other) => panic!("p{page}: unexpected link target {other}"),
        }
    }
}

#[test]
fn no_epub_link_goes_nowhere() {
    let epub = real_edition().epub();
    for (name, _) in epub.files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        for element in common::elements(&epub.text(name)) {
            if element.name != "a" {
                continue;
            }
            let href = element.attr("href").unwrap_or_default();
            assert!(!href.is_empty() && href != "#", "{name}: empty link");
            if href.contains("://") || href.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = href.split_once('#').unwrap_or((href.as_str(), ""));
            let target = format!("OEBPS/{file}");
            assert!(epub.files.contains_key(&target), "{name}: link to missing {href}");
            if !fragment.is_empty() {
                let ids: Vec<String> =
                    common::elements(&epub.text(&target)).iter().filter_map(|e| e.attr("id")).collect();
                assert!(ids.iter().any(|id| id == fragment), "{name}: {href} names no element of {file}");
            }
        }
    }
}

#[test]
fn epub_nav_and_spine_follow_the_manifest() {
    let epub = real_edition().epub();
    let publication = publication("content/en");
    let nav: Vec<String> = epub.nav("toc").into_iter().map(|(_, text)| text).collect();
    // Stories by their number (01–17), front and back matter by title alone.
    let numbered: Vec<String> = common::listed(&publication)
        .iter()
        .zip(seed_toc_titles())
        .map(|(entry, title)| match entry.number {
            Some(n) => format!("{n:02} {title}"),
            None => title,
        })
        .collect();
    assert_eq!(nav, numbered, "the nav lists the printed table of contents, stories numbered");
    assert_eq!(nav[3], format!("01 {}", seed_toc_titles()[3]), "the first story is 01");
    let outline: Vec<String> =
        real_edition().pdf().entry_bookmarks(&publication).into_iter().map(|(_, t, _)| t).collect();
    let unnumbered: Vec<String> = nav
        .iter()
        .map(|t| {
            t.split_once(' ')
                .filter(|(n, _)| n.len() == 2 && n.parse::<u8>().is_ok())
                .map_or(t.clone(), |(_, t)| t.to_string())
        })
        .collect();
    assert_eq!(unnumbered, outline, "nav and PDF bookmarks agree");
    let spine = epub.spine();
    let entries: Vec<String> = publication.entries.iter().map(|e| format!("OEBPS/{}.xhtml", e.id)).collect();
    assert_eq!(spine, entries, "the spine is the publication's reading order");
    assert_eq!(spine.first().map(String::as_str), Some("OEBPS/cover.xhtml"));
    let toc = spine.iter().position(|s| s == "OEBPS/toc.xhtml").unwrap();
    let first_story = publication.entries.iter().position(|e| e.kind() == anthology::model::EntryKind::Story).unwrap();
    assert_eq!(spine[toc + 1], entries[first_story], "the table of contents comes before the first story");
}

#[test]
fn pdf_has_title_and_language() {
    let pdf = real_edition().pdf();
    assert_eq!(pdf.catalog_string(b"Lang").as_deref(), Some("en"));
    let text = String::from_utf8_lossy(&pdf.bytes);
    assert!(text.contains("<dc:title>") || text.contains("Featured Human Stories"), "title metadata");
    let info = pdf.doc.trailer.get(b"Info").and_then(|i| pdf.doc.dereference(i)).unwrap().1.as_dict().unwrap();
    let title = lopdf::decode_text_string(info.get(b"Title").unwrap()).unwrap();
    // `year-in-title`: a reading app tells the 2026 edition from the 2027 one.
    assert_eq!(title, "Featured Human Stories 2026");
    assert!(text.contains("Featured Human Stories 2026</rdf:li>"), "the XMP title has the year too");
    let opf = real_edition().epub().text("OEBPS/content.opf");
    assert!(opf.contains(">Featured Human Stories 2026</dc:title>"), "{opf}");
}

/// The listed entry each page belongs to (by the bookmarks); `None` before
/// the first one.
fn entry_of_each_page<'a>(
    pdf: &common::Pdf,
    publication: &'a anthology::model::Publication,
) -> Vec<Option<&'a anthology::model::Entry>> {
    let outline = pdf.entry_bookmarks(publication);
    let listed = common::listed(publication);
    // The table of contents starts where its title is printed.
    let pages = pdf.pages_text();
    let contents = publication.entries.iter().find(|e| e.kind() == anthology::model::EntryKind::Contents);
    let toc_page = pages.iter().position(|t| t.contains("Table of Contents")).unwrap() + 1;
    let mut starts: Vec<(usize, &anthology::model::Entry)> =
        outline.iter().zip(listed).map(|((_, _, page), entry)| (*page, entry)).collect();
    starts.extend(contents.map(|c| (toc_page, c)));
    starts.sort_by_key(|(page, _)| *page);
    (1..=pages.len()).map(|page| starts.iter().rev().find(|(start, _)| *start <= page).map(|(_, e)| *e)).collect()
}

/// The running foot a page must carry, squashed: versos the folio and the
/// publication's title, rectos the folio and the story's number and
/// organisation (or the entry's title); none on the cover, the back page or
/// a blank page.
fn running_foot(
    publication: &anthology::model::Publication,
    entry: Option<&anthology::model::Entry>,
    page: usize,
) -> Option<String> {
    use anthology::model::EntryKind;
    let entry = entry?;
    if matches!(entry.kind(), EntryKind::Cover | EntryKind::Back) {
        return None;
    }
    let foot = if page.is_multiple_of(2) {
        format!("{page}{}", publication.meta.title.to_uppercase())
    } else if let Some(number) = entry.number {
        let byline: Vec<&str> =
            entry.organisations.iter().map(String::as_str).chain(entry.country.as_deref()).collect();
        format!("{page}{number:02}{}", byline.join("·"))
    } else {
        format!("{page}{}", entry.toc_title)
    };
    Some(squash(&foot))
}

#[test]
fn printed_page_ranges_match_the_layout() {
    common::assert_printed_ranges_match(&real_edition().pdf(), &publication("content/en"));
}

#[test]
fn no_story_ends_with_a_page_of_one_or_two_lines() {
    common::assert_no_one_line_endings(&common::root().join("content/en"), &real_edition().pdf());
}

#[test]
fn the_page_sequence_can_be_bound_with_the_back_page_outside() {
    let pdf = real_edition().pdf();
    let pages = pdf.pages_text();
    assert_eq!(pages.len() % 2, 0, "an even number of pages");
    let back = squash(pages.last().unwrap());
    assert!(back.contains("WhatsOn"), "the back page is last: {back}");
    let folio = pages.len().to_string();
    assert!(
        !back.ends_with(&folio) && !back.contains("FEATUREDHUMANSTORIES"),
        "no running foot on the back page: {back}"
    );
    let cover = squash(&pages[0]);
    assert!(!cover.ends_with('1'), "no folio on the cover: {cover}");
    // A blank page before the back page, if any, is wholly blank.
    for (i, text) in pages.iter().enumerate().skip(1) {
        if squash(text).is_empty() {
            assert_eq!(i + 2, pages.len(), "page {} is blank but is not the one before the back page", i + 1);
        }
    }
}

/// Every run of text on a page: (left, right) in points from the page's left edge.
fn text_spans(frame: &typst::layout::Frame, ts: typst::layout::Transform, out: &mut Vec<(f64, f64, String)>) {
    for (pos, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => {
                let inner =
                    ts.pre_concat(typst::layout::Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                text_spans(&group.frame, inner, out);
            }
            typst::layout::FrameItem::Text(text) => {
                let start = pos.transform(ts).x.to_pt();
                // Spaces and punctuation at the end of a line hang into the
                // margin by design (typst's optical margin alignment).
                let hangs =
                    |c: char| c.is_whitespace() || c.is_ascii_punctuation() || "’”–—…\u{AD}\u{2010}".contains(c);
                let mut glyphs = text.glyphs.as_slice();
                while let [rest @ .., last] = glyphs
                    && text.text[last.range()].chars().all(hangs)
                {
                    glyphs = rest;
                }
                let width: f64 = glyphs.iter().map(|g| g.x_advance.at(text.size).to_pt()).sum();
                out.push((start, start + width, text.text.to_string()));
            }
            _ => {}
        }
    }
}

#[test]
fn no_line_runs_into_the_margins() {
    let mut diags = anthology::diag::Diagnostics::default();
    let loaded = anthology::pipeline::load(&common::root().join("content/en"), &mut diags).unwrap();
    let mut layouter = anthology::layout::Layouter::new();
    let time = anthology::pipeline::datetime(0).unwrap();
    let laid_out =
        layouter.lay_out(loaded.layout_input(), time, false, anthology::layout::Variant::Screen, &mut diags).unwrap();
    let pages = laid_out.document.pages();
    // The grid of the built-in layout (layouts/theme.toml): a text column
    // inside 22 mm and outside 68 mm margins on A4, and in the outer margin
    // a side column of 44 mm, 7 mm from the text.
    let mm = |x: f64| x / 25.4 * 72.0;
    let (width, inside, outside, side) = (210.0, 22.0, 68.0, 44.0 + 7.0);
    let mut checked = 0;
    // The cover and the back page are drawn to their own measures.
    for (i, page) in pages.iter().enumerate().take(pages.len() - 1).skip(1) {
        let verso = (i + 1).is_multiple_of(2);
        let (left, right) =
            if verso { (mm(outside - side), mm(width - inside)) } else { (mm(inside), mm(width - outside + side)) };
        let mut spans = Vec::new();
        text_spans(&page.frame, typst::layout::Transform::identity(), &mut spans);
        for (start, end, text) in spans {
            assert!(
                start >= left - 0.5 && end <= right + 0.5,
                "p{}: “{text}” runs from {start:.1} to {end:.1} pt, outside {left:.1}–{right:.1}",
                i + 1
            );
            checked += 1;
        }
    }
    assert!(checked > 2000, "{checked} runs of text checked");
}

#[test]
fn stories_print_with_the_languages_quotation_marks_and_dashes() {
    let pdf = real_edition().pdf();
    let pages = pdf.pages_text();
    let publication = publication("content/en");
    let entries = entry_of_each_page(&pdf, &publication);
    let mut story_pages = 0;
    for (i, text) in pages.iter().enumerate() {
        if !entries[i].is_some_and(|e| e.kind() == anthology::model::EntryKind::Story) {
            continue;
        }
        story_pages += 1;
        let text = text.replace('\n', " ");
        assert!(!text.contains('"'), "page {}: a straight double quote in {text}", i + 1);
        if let Some(at) = text.find(" - ") {
            let around = &text[text[..at].char_indices().rev().nth(20).map_or(0, |(j, _)| j)..];
            panic!("page {}: a spaced hyphen: {}", i + 1, around.chars().take(50).collect::<String>());
        }
    }
    assert!(story_pages > 30, "{story_pages} story pages checked");
    // The source keeps its straight quotes and hyphens: the clean-up is in print only.
    let source = std::fs::read_to_string(common::root().join("content/en/stories/albania-different-equal.md")).unwrap();
    assert!(source.contains('"') || source.contains(" - "), "the test needs content that has something to clean up");
}
