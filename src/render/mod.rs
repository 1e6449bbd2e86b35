//! RENDER: one interface for every output, in the spirit of mdBook's
//! `Renderer`: a [`Context`] (the publication, its images, the laid-out
//! pages and their pagination, the options) in, [`Artifact`]s out. `--format`
//! picks renderers by [`Renderer::name`]; adding an output is adding a
//! module and a line in [`all`].

pub mod epub;
pub mod pdf;
pub mod proof;
pub mod story_pdf;
pub mod text_layer;
pub mod web;

use typst::foundations::Datetime;

use crate::diag::{Diagnostics, Failed};
use crate::images::Assets;
use crate::layout::LaidOut;
use crate::layouts::LayoutFile;
use crate::model::Publication;

/// Everything a renderer may read.
pub struct Context<'a> {
    pub publication: &'a Publication,
    pub assets: &'a Assets,
    /// The layout files (the EPUB stylesheet is one).
    pub layouts: &'a [LayoutFile],
    pub laid_out: &'a LaidOut<'a>,
    /// The pages laid out as a proof, when a proof sheet is wanted.
    pub proof: Option<&'a typst_layout::PagedDocument>,
    /// The pages laid out for print, when the print edition is wanted.
    pub print: Option<&'a typst_layout::PagedDocument>,
    /// The build's fixed time, for every timestamp.
    pub time: Datetime,
    /// The same, in seconds since 1970.
    pub epoch: i64,
}

/// A file a renderer made, in memory.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Its file name in the output folder.
    pub name: String,
    pub bytes: Vec<u8>,
    /// Pages, for a paginated document.
    pub pages: Option<usize>,
}

/// An output format.
pub trait Renderer: Sync {
    /// The name `--format` selects it by.
    fn name(&self) -> &'static str;
    /// Makes the artifacts; problems go into `diags`.
    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed>;
}

/// Every renderer, in the order their artifacts are listed.
pub fn all() -> Vec<&'static dyn Renderer> {
    vec![&pdf::Pdf, &epub::Epub, &web::Web, &story_pdf::StoryPdf, &proof::Proof, &pdf::Print]
}

/// The names of every renderer.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|r| r.name()).collect()
}

/// The renderer of this name.
pub fn by_name(name: &str) -> Option<&'static dyn Renderer> {
    all().into_iter().find(|r| r.name() == name)
}

/// The artifact file name of an edition: `<stem>-<language><suffix>`.
pub fn artifact_name(publication: &Publication, suffix: &str) -> String {
    format!("{}-{}{suffix}", publication.meta.file_stem, publication.meta.language)
}

/// Runs the renderers side by side; their problems are merged in their order.
pub fn render_all(
    renderers: &[&'static dyn Renderer],
    context: &Context,
    diags: &mut Diagnostics,
) -> Result<Vec<Artifact>, Failed> {
    let results: Vec<(Diagnostics, Result<Vec<Artifact>, Failed>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = renderers
            .iter()
            .map(|renderer| {
                scope.spawn(move || {
                    let mut local = Diagnostics::default();
                    let result = renderer.render(context, &mut local);
                    (local, result)
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(renderers)
            .map(|(handle, renderer)| {
                handle.join().unwrap_or_else(|_| {
                    let mut local = Diagnostics::default();
                    local.push(
                        crate::diag::Diagnostic::error(format!(
                            "internal error: the {} output panicked",
                            renderer.name()
                        ))
                        .hint("please report this"),
                    );
                    (local, Err(Failed))
                })
            })
            .collect()
    });
    let mut artifacts = Vec::new();
    let mut failed = false;
    for (local, result) in results {
        diags.extend(local);
        match result {
            Ok(made) => artifacts.extend(made),
            Err(Failed) => failed = true,
        }
    }
    if failed { Err(Failed) } else { Ok(artifacts) }
}
