//! Where each PDF page begins, in terms of the document model: the block it
//! begins in and how far into that block's text. The EPUB places its
//! page-break markers there, so that its page list matches the print edition
//! to the word.

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

use super::BlockStart;
use crate::model::{Block, Publication, block_text};

/// Where a printed page begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    /// The 1-based page number, which is also its printed folio.
    pub page: usize,
    /// The marker id of the block the page begins in.
    pub block: String,
    /// Non-whitespace characters of that block's text before the page begins
    /// (0: the page begins with the block).
    pub offset: usize,
}

/// Computes where every page begins, from the block markers' pages and the
/// first lines of text on each page.
pub fn page_starts(document: &PagedDocument, blocks: &[BlockStart], publication: &Publication) -> Vec<PageStart> {
    let rtl = publication.meta.direction == crate::model::Direction::Rtl;
    let mut starts = Vec::new();
    for (index, page) in document.pages().iter().enumerate() {
        let number = index + 1;
        let first_here = blocks.iter().find(|b| b.page == number);
        // The block running into this page from the one before, if any.
        let running = blocks.iter().rev().find(|b| b.page < number);
        let lines = lines(&page.frame, rtl);
        // The page begins inside the running block when its first line of
        // text is above the first block that starts here, and is found in
        // the running block's text.
        let continuation = running.and_then(|block| {
            let text = squash(&text_of(publication, &block.id)?);
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
        let start = match (continuation, first_here.or(running)) {
            (Some((block, offset)), _) => PageStart { page: number, block: block.id.clone(), offset },
            (None, Some(block)) => PageStart { page: number, block: block.id.clone(), offset: 0 },
            (None, None) => continue,
        };
        starts.push(start);
    }
    starts
}

/// The plain text of a marked block, if it has one.
fn text_of(publication: &Publication, id: &str) -> Option<String> {
    let block = |blocks: &[Block], index: &str| -> Option<String> {
        index.parse::<usize>().ok().and_then(|i| blocks.get(i)).map(block_text)
    };
    if let Some(index) = id.strip_prefix("legal-notice-") {
        return block(&publication.legal.notices, index);
    }
    if let Some(index) = id.strip_prefix("legal-disclaimer-") {
        return block(&publication.legal.disclaimers, index);
    }
    publication.entries.iter().find_map(|entry| {
        let index = id.strip_prefix(entry.id.as_str())?.strip_prefix('-')?;
        block(&entry.blocks, index)
    })
}

/// Text without whitespace: how page starts are matched and counted.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
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
