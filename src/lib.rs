//! anthology: a document compiler for collections of stories.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md for which module
//! may use which):
//!
//! 1. [`manifest`] — LOAD `publication.toml` into a checked manifest;
//! 2. [`content`] — COLLECT the Markdown files it lists, with their front
//!    matter, reading through [`files`] (confinement, limits);
//! 3. [`markdown`] — PARSE each body into the document [`model`];
//! 4. [`images`], [`layouts`], [`theme`], [`fonts`] — the edition's other inputs;
//! 5. [`compose`] — build the one [`model::Publication`] every renderer reads;
//! 6. [`layout`] — LAY OUT the pages with embedded typst, with their [`pagination`];
//! 7. [`render`] — RENDER each output: PDF, EPUB, proof sheet;
//! 8. [`output`] — WRITE the artifacts as one transaction, with checksums and a report.
//!
//! [`pipeline`] runs the stages for one edition; [`commands`] implements the
//! command line ([`cli`]); [`diag`] is the one diagnostic type every stage
//! reports with.

pub mod checks;
pub mod cli;
pub mod commands;
pub mod compose;
pub mod content;
pub mod diag;
pub mod files;
pub mod fonts;
pub mod images;
pub mod labels;
pub mod layout;
pub mod layouts;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod next_edition;
pub mod output;
pub mod pagination;
pub mod pipeline;
pub mod raster;
pub mod render;
pub mod segments;
pub mod theme;
pub mod translation;
pub mod typography;
pub mod unicode;
pub mod xliff;
