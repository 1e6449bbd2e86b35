//! Pagination: where each printed page begins, in terms of the model — the
//! block it begins in and how far into that block's text. Plain data: the
//! lay-out stage writes it, the EPUB (page-break markers, page list) and any
//! other renderer read it.

use std::collections::BTreeMap;

use crate::model::BlockId;

/// Where a printed page begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    /// The 1-based page number, which is also its printed folio.
    pub page: usize,
    /// The block the page begins in.
    pub block: BlockId,
    /// Non-whitespace characters of that block's text before the page begins
    /// (0: the page begins with the block).
    pub offset: usize,
}

/// Where every page of the print edition begins, in page order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pagination {
    pub pages: Vec<PageStart>,
}

impl Pagination {
    /// The pages that begin in each block: (page, offset), by block id.
    pub fn by_block(&self) -> BTreeMap<BlockId, Vec<(usize, usize)>> {
        let mut out: BTreeMap<BlockId, Vec<(usize, usize)>> = BTreeMap::new();
        for start in &self.pages {
            out.entry(start.block.clone()).or_default().push((start.page, start.offset));
        }
        out
    }
}

/// Text without whitespace: how page starts are matched and counted.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
