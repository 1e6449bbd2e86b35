//! The PDF: the laid-out pages exported as PDF/UA-1 and PDF/A-2a.

use typst::foundations::Smart;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::{Artifact, Context, Renderer};
use crate::diag::{Diagnostic, Diagnostics, Failed};

/// `--format pdf`: `<file-stem>-<language>.pdf`.
pub struct Pdf;

impl Renderer for Pdf {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed> {
        let publication = context.publication;
        let standards = PdfStandards::new(&[PdfStandard::Ua_1, PdfStandard::A_2a])
            .map_err(|err| diags.fail(Diagnostic::error(format!("internal error: {}", err.message()))))?;
        let options = PdfOptions {
            ident: Smart::Custom(publication.meta.urn()),
            creator: Smart::Custom(Some(format!("anthology {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(Timestamp::new_utc(context.time)),
            page_ranges: None,
            standards,
            tagged: true,
            pretty: false,
        };
        let document = &context.laid_out.document;
        let bytes = typst_pdf::pdf(document, &options).map_err(|errors| {
            for error in &errors {
                diags.push(crate::layout::convert(context.laid_out.world, error));
            }
            Failed
        })?;
        let name = super::artifact_name(publication, ".pdf");
        Ok(vec![Artifact { name, bytes, pages: Some(document.pages().len()) }])
    }
}
