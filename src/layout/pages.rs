//! Where each PDF page begins, in terms of the document model: the block it
//! begins in and how far into that block's text, from the layout's block
//! markers and the first lines of text on each page. The EPUB places its
//! page-break markers there, so that its page list matches the print edition
//! to the word.

use std::collections::BTreeMap;

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

use super::BlockStart;
use crate::model::{BlockId, Publication, block_text};
use crate::pagination::{PageStart, Pagination, squash};

/// Computes where every page begins. Markers whose id is not a block of the
/// publication are ignored; without any marker there is no pagination.
pub fn paginate(document: &PagedDocument, markers: &[BlockStart], publication: &Publication) -> Option<Pagination> {
    let rtl = publication.meta.direction == crate::model::Direction::Rtl;
    let blocks = publication.blocks_by_id();
    let mut known: std::collections::BTreeSet<&BlockId> = blocks.keys().copied().collect();
    known.extend(publication.entries.iter().flat_map(|e| e.marker_ids()));
    // In document order, so one cursor walks them alongside the pages.
    let markers: Vec<&BlockStart> = markers.iter().filter(|m| known.contains(&m.id)).collect();
    if markers.is_empty() {
        return None;
    }
    let texts: BTreeMap<&BlockId, String> =
        markers.iter().filter_map(|m| Some((&m.id, squash(&block_text(blocks.get(&m.id)?))))).collect();
    let mut starts = Vec::new();
    let mut next = 0;
    for (index, page) in document.pages().iter().enumerate() {
        let number = index + 1;
        while next < markers.len() && markers[next].page < number {
            next += 1;
        }
        // The block running into this page from the one before, if any.
        let running = next.checked_sub(1).map(|i| markers[i]);
        let first_here = markers.get(next).filter(|b| b.page == number).copied();
        let lines = lines(&page.frame, rtl);
        // The page begins inside the running block when its first line of
        // text is above the first block that starts here, and is found in
        // the running block's text.
        let continuation = running.and_then(|block| {
            let text = texts.get(&block.id)?;
            lines.iter().take(4).find_map(|(y, line)| {
                if first_here.is_some_and(|first| first.y <= y + 2.0) {
                    return None;
                }
                let probe: String = squash(line).chars().take(24).collect();
                if probe.chars().count() < 4 {
                    return None;
                }
                let at = text.find(&probe)?;
                (at > 0).then(|| (block, text[..at].chars().count()))
            })
        });
        // A blank page (before the back cover) begins where the next page
        // does: nothing of the block before it is on it.
        let blank_before = (lines.is_empty() && first_here.is_none()).then(|| markers.get(next).copied()).flatten();
        let start = match (continuation, blank_before.or(first_here).or(running)) {
            (Some((block, offset)), _) => PageStart { page: number, block: block.id.clone(), offset },
            (None, Some(block)) => PageStart { page: number, block: block.id.clone(), offset: 0 },
            (None, None) => continue,
        };
        starts.push(start);
    }
    Some(Pagination { pages: starts })
}

/// The page's lines of text, top to bottom, with their baselines.
fn lines(frame: &Frame, rtl: bool) -> Vec<(f64, String)> {
    let mut runs = Vec::new();
    collect(frame, Transform::identity(), &mut runs);
    // Group runs that share a baseline (to a quarter point).
    runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut lines: Vec<(f64, Vec<(f64, String)>)> = Vec::new();
    for (y, x, text) in runs {
        match lines.last_mut() {
            Some((line_y, parts)) if (y - *line_y).abs() < 0.25 => parts.push((x, text)),
            _ => lines.push((y, vec![(x, text)])),
        }
    }
    lines
        .into_iter()
        .map(|(y, mut parts)| {
            if rtl {
                parts.reverse();
            }
            (y, parts.into_iter().map(|(_, t)| t).collect())
        })
        .collect()
}

fn collect(frame: &Frame, ts: Transform, out: &mut Vec<(f64, f64, String)>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let inner = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                collect(&group.frame, inner, out);
            }
            FrameItem::Text(text) => {
                let at = Point::new(pos.x, pos.y).transform(ts);
                out.push((at.y.to_pt(), at.x.to_pt(), text.text.to_string()));
            }
            _ => {}
        }
    }
}
