//! anthology: a document compiler for collections of stories.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`manifest`] — LOAD `publication.toml` into a checked manifest;
//! 2. [`content`] — COLLECT the Markdown files it lists, with their front matter;
//! 3. [`markdown`] — PARSE each body into the document [`model`];
//! 4. [`compose`] — build the one [`model::Publication`] both renderers use;
//! 5. [`pdf`] and [`epub`] — RENDER it through embedded typst and epub-builder;
//! 6. [`output`] — WRITE the artifacts atomically, with checksums and a report.
//!
//! [`pipeline`] runs the stages for one edition; [`commands`] implements the
//! command line; [`diag`] is the one diagnostic type every stage reports with.

pub mod checks;
pub mod cli;
pub mod commands;
pub mod compose;
pub mod content;
pub mod diag;
pub mod epub;
pub mod files;
pub mod fonts;
pub mod images;
pub mod labels;
pub mod layouts;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pdf;
pub mod pipeline;
pub mod raster;
pub mod translation;
