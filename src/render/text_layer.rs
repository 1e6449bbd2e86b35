//! The PDF's text layer where marks sit above or below their letter
//! (Arabic vowel marks, Hebrew points, Devanagari signs).
//!
//! typst 0.15 lays a glyph that the font moves up or down out as a text
//! run of its own (`ShapedText::build` in typst-layout groups glyphs by
//! their vertical offset), so a mark and its letter reach the PDF as two
//! pieces of text, and text extraction puts the mark before the wrong
//! letter: "مؤخراً" is found as "مؤخرًا" — search, copy and the accessible
//! text all miss it. Before the PDF is written, such pieces are joined
//! again into one text item whose glyphs carry their own offsets, and each
//! mark glyph is given its own character (see [`split_clusters`]). The
//! pages look the same; only the PDF's copy of them is changed.

use std::ops::Range;

use typst::layout::{Abs, Em, Frame, FrameItem, Point};
use typst::text::TextItem;
use typst_layout::{Page, PagedDocument};

/// The document with marks joined to their letters, if any were apart.
pub fn join_marks(document: &PagedDocument) -> Option<PagedDocument> {
    let mut changed = false;
    let pages: Vec<Page> = document
        .pages()
        .iter()
        .map(|page| {
            let mut page = page.clone();
            if let Some(frame) = join_frame(&page.frame) {
                page.frame = frame;
                changed = true;
            }
            page
        })
        .collect();
    changed.then(|| PagedDocument::new(pages.into_iter().collect(), typst::model::Document::info(document).clone()))
}

/// A frame with its runs joined, if any were.
fn join_frame(frame: &Frame) -> Option<Frame> {
    let items: Vec<(Point, FrameItem)> = frame.items().cloned().collect();
    let mut out = Vec::with_capacity(items.len());
    let mut changed = false;
    let mut i = 0;
    while i < items.len() {
        match &items[i].1 {
            FrameItem::Group(group) => {
                match join_frame(&group.frame) {
                    Some(inner) => {
                        let mut group = group.clone();
                        group.frame = inner;
                        out.push((items[i].0, FrameItem::Group(group)));
                        changed = true;
                    }
                    None => out.push(items[i].clone()),
                }
                i += 1;
            }
            FrameItem::Text(_) => {
                let mut end = i + 1;
                while end < items.len() && continues(&items[end - 1], &items[end]) {
                    end += 1;
                }
                let run: Vec<(Point, FrameItem)> = match join_run(&items[i..end]) {
                    Some(joined) => {
                        changed = true;
                        vec![joined]
                    }
                    None => items[i..end].to_vec(),
                };
                for (at, mut item) in run {
                    if let FrameItem::Text(text) = &mut item {
                        changed |= split_clusters(text);
                    }
                    out.push((at, item));
                }
                i = end;
            }
            _ => {
                out.push(items[i].clone());
                i += 1;
            }
        }
    }
    if !changed {
        return None;
    }
    let mut joined = frame.clone();
    joined.clear();
    joined.push_multiple(out);
    Some(joined)
}

/// Whether text item `b` goes on where `a` stops: same font, size, colour
/// and language, starting where `a` ends, on the same line.
fn continues((a_at, a): &(Point, FrameItem), (b_at, b): &(Point, FrameItem)) -> bool {
    let (FrameItem::Text(a), FrameItem::Text(b)) = (a, b) else { return false };
    a.font == b.font
        && a.size == b.size
        && a.fill == b.fill
        && a.stroke == b.stroke
        && a.lang == b.lang
        && a.region == b.region
        && (b_at.x - (a_at.x + a.width())).abs() < Abs::pt(0.01)
        && (b_at.y - a_at.y).abs() < a.size * 0.6
}

/// A mark: a run whose glyphs take no room of their own, and that holds a
/// mark (a space trimmed at the end of a line takes no room either).
fn is_mark(item: &TextItem) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    item.glyphs.iter().all(|g| g.x_advance == Em::zero())
        && item.text.chars().any(|c| c.general_category() == GeneralCategory::NonspacingMark)
}

/// One text item for a run that a mark split, or none when the run was
/// not split by one.
fn join_run(run: &[(Point, FrameItem)]) -> Option<(Point, FrameItem)> {
    let texts: Vec<(Point, &TextItem)> = run
        .iter()
        .filter_map(|(at, item)| match item {
            FrameItem::Text(text) => Some((*at, text)),
            _ => None,
        })
        .collect();
    if texts.len() < 2 || !texts.iter().any(|(_, t)| is_mark(t)) {
        return None;
    }
    // The line's baseline: the first piece that is not a mark.
    let baseline = texts.iter().find(|(_, t)| !is_mark(t))?.0.y;
    let rtl = texts.iter().any(|(_, t)| t.text.chars().any(is_rtl));
    // The text in reading order: each piece's text after the one before,
    // a mark's being the cluster the letter before it already holds.
    let logical: Vec<usize> = if rtl { (0..texts.len()).rev().collect() } else { (0..texts.len()).collect() };
    let mut text = String::new();
    let mut offsets = vec![0usize; texts.len()];
    for &k in &logical {
        let item = texts[k].1;
        let first = item.glyphs.iter().min_by_key(|g| g.range.start)?;
        let cluster = &item.text[first.range()];
        let overlap =
            if is_mark(item) && text.ends_with(cluster) && first.range.start == 0 { item.text.len() } else { 0 };
        // A mark must hold its letter's cluster, else its text would be its
        // letter's again.
        if overlap > 0 && overlap != cluster.len() || is_mark(item) && overlap == 0 {
            return None;
        }
        offsets[k] = text.len() - overlap;
        text.push_str(&item.text[overlap..]);
    }
    if text.len() > usize::from(u16::MAX) {
        return None;
    }
    let size = texts[0].1.size;
    let mut glyphs = Vec::new();
    for (k, (at, item)) in texts.iter().enumerate() {
        let raise = Em::from_abs(baseline - at.y, size);
        let shift = offsets[k] as u16;
        glyphs.extend(item.glyphs.iter().map(|g| {
            let mut glyph = g.clone();
            glyph.range = g.range.start + shift..g.range.end + shift;
            glyph.y_offset = g.y_offset + raise;
            glyph
        }));
    }
    let first = texts[0].1;
    let joined = TextItem { text: text.into(), glyphs, ..first.clone() };
    Some((Point::new(texts[0].0.x, baseline), FrameItem::Text(joined)))
}

/// Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko …).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Gives each mark glyph of a cluster — a letter and the marks on it —
/// its own character (found through the font's character map), and the
/// letter its own: each glyph then maps to one character in the PDF, drawn
/// where it stands (a cluster shared by several glyphs is written as
/// `/ActualText`, which MuPDF leaves out and poppler and PDFium spell
/// backwards in right-to-left text). Clusters of another shape (Indic
/// reordering, a mark drawn as part of its letter) stay as typst shaped them.
/// Whether any glyph changed.
fn split_clusters(item: &mut TextItem) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let is_mark = |c: char| c.general_category() == GeneralCategory::NonspacingMark;
    let face = item.font.ttf();
    let mut changed = false;
    let mut i = 0;
    while i < item.glyphs.len() {
        let range = item.glyphs[i].range.clone();
        let end = i + item.glyphs[i..].iter().take_while(|g| g.range == range).count();
        let cluster = &item.text[usize::from(range.start)..usize::from(range.end)];
        let (marks, letters): (Vec<usize>, Vec<usize>) =
            (i..end).partition(|&k| item.glyphs[k].x_advance == Em::zero());
        let first_mark = cluster.char_indices().find(|(_, c)| is_mark(*c)).map_or(0, |(at, _)| at);
        // One letter (the characters before the first mark), then marks only.
        if end - i < 2 || letters.len() != 1 || first_mark == 0 || !cluster[first_mark..].chars().all(is_mark) {
            i = end;
            continue;
        }
        // Each mark glyph's character, by the font's map; one glyph left
        // over (marks drawn as one) takes the characters left, if together.
        let chars: Vec<(usize, char)> =
            cluster[first_mark..].char_indices().map(|(at, c)| (first_mark + at, c)).collect();
        let mut taken = vec![false; chars.len()];
        let mut ranges: Vec<Option<Range<usize>>> = vec![None; marks.len()];
        for (n, &k) in marks.iter().enumerate() {
            let found = chars
                .iter()
                .enumerate()
                .find(|(m, (_, c))| !taken[*m] && face.glyph_index(*c).is_some_and(|g| g.0 == item.glyphs[k].id));
            if let Some((m, &(at, c))) = found {
                taken[m] = true;
                ranges[n] = Some(at..at + c.len_utf8());
            }
        }
        let left: Vec<usize> = (0..chars.len()).filter(|m| !taken[*m]).collect();
        let unplaced: Vec<usize> = (0..marks.len()).filter(|n| ranges[*n].is_none()).collect();
        match (unplaced.as_slice(), left.as_slice()) {
            ([], []) => {}
            ([n], [first, .., last]) | ([n], [first @ last]) if left.windows(2).all(|w| w[1] == w[0] + 1) => {
                let (from, (at, c)) = (chars[*first].0, chars[*last]);
                ranges[*n] = Some(from..at + c.len_utf8());
            }
            _ => {
                i = end;
                continue;
            }
        }
        let start = usize::from(range.start);
        item.glyphs[letters[0]].range = range.start..(start + first_mark) as u16;
        for (n, &k) in marks.iter().enumerate() {
            let own = ranges[n].clone().expect("every mark placed");
            item.glyphs[k].range = (start + own.start) as u16..(start + own.end) as u16;
        }
        changed = true;
        i = end;
    }
    changed
}
