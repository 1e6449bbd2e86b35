//! The proof sheet: every page as a thumbnail on one PNG, to see the layout
//! at a glance.

use super::{Artifact, Context, Renderer};
use crate::diag::{Diagnostic, Diagnostics, Failed};

/// `--format proof` (or `--proof`): `<file-stem>-<language>-proof.png`.
pub struct Proof;

impl Renderer for Proof {
    fn name(&self) -> &'static str {
        "proof"
    }

    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed> {
        let document = context.proof.unwrap_or(&context.laid_out.document);
        let Some(bytes) = crate::raster::proof_sheet(document) else {
            return Err(diags.fail(
                Diagnostic::error("the pages are too large or too oddly shaped for a proof sheet")
                    .hint("build without the proof sheet"),
            ));
        };
        Ok(vec![Artifact { name: super::artifact_name(context.publication, "-proof.png"), bytes, pages: None }])
    }
}
