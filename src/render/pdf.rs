//! The PDFs: the laid-out pages exported as PDF/UA-1 and PDF/A-2a, for the
//! screen and, with bleed and crop marks, for print.

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
        let document = &context.laid_out.document;
        let bytes = write(context, document, context.publication.meta.urn(), false, diags)?;
        let name = super::artifact_name(context.publication, ".pdf");
        Ok(vec![Artifact { name, bytes, pages: Some(document.pages().len()) }])
    }
}

/// `--format print`: `<file-stem>-<language>-print.pdf`, the print edition:
/// 3 mm bleed with crop marks outside it, TrimBox and BleedBox on every
/// page, a page count a multiple of 4, photos at full resolution.
pub struct Print;

impl Renderer for Print {
    fn name(&self) -> &'static str {
        "print"
    }

    fn render(&self, context: &Context, diags: &mut Diagnostics) -> Result<Vec<Artifact>, Failed> {
        let Some(document) = context.print else {
            return Err(diags.fail(Diagnostic::error("internal error: the print edition was not laid out")));
        };
        let bytes = write(context, document, context.publication.meta.urn(), true, diags)?;
        let name = super::artifact_name(context.publication, "-print.pdf");
        Ok(vec![Artifact { name, bytes, pages: Some(document.pages().len()) }])
    }
}

/// The PDF of laid-out pages: exported, then finished (see [`finish`]);
/// `ident` identifies the document (the PDF's /ID), `bleed`: for print.
pub fn write(
    context: &Context,
    document: &typst_layout::PagedDocument,
    ident: String,
    bleed: bool,
    diags: &mut Diagnostics,
) -> Result<Vec<u8>, Failed> {
    let bytes = export(context, document, ident, diags)?;
    finish(bytes, bleed)
        .map_err(|err| diags.fail(Diagnostic::error(format!("internal error: could not finish the PDF ({err})"))))
}

/// Exports laid-out pages as a tagged PDF/UA-1 and PDF/A-2a.
fn export(
    context: &Context,
    document: &typst_layout::PagedDocument,
    ident: String,
    diags: &mut Diagnostics,
) -> Result<Vec<u8>, Failed> {
    let standards = PdfStandards::new(&[PdfStandard::Ua_1, PdfStandard::A_2a])
        .map_err(|err| diags.fail(Diagnostic::error(format!("internal error: {}", err.message()))))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some(format!("anthology {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(context.time)),
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    let joined = super::text_layer::join_marks(document);
    typst_pdf::pdf(joined.as_ref().unwrap_or(document), &options).map_err(|errors| {
        for error in &errors {
            diags.push(crate::layout::convert(context.laid_out.world, error));
        }
        Failed
    })
}

/// What typst cannot say, appended as an incremental update (the pages
/// as typst wrote them stay byte for byte): the PDF opens with its bookmarks
/// panel (`/PageMode /UseOutlines`) and, in print, every page has its
/// BleedBox — the TrimBox typst writes, grown by the bleed on every side.
fn finish(pdf: Vec<u8>, bleed: bool) -> Result<Vec<u8>, lopdf::Error> {
    use lopdf::Object;
    let previous = lopdf::Document::load_mem(&pdf)?;
    let catalog = previous.trailer.get(b"Root")?.as_reference()?;
    let pages: Vec<lopdf::ObjectId> = if bleed { previous.get_pages().into_values().collect() } else { vec![] };
    let mut update = lopdf::IncrementalDocument::create_from(pdf, previous);
    update.opt_clone_object_to_new_document(catalog)?;
    update.new_document.get_dictionary_mut(catalog)?.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    let bleed = (crate::layout::BLEED_MM / 25.4 * 72.0) as f32;
    for id in pages {
        update.opt_clone_object_to_new_document(id)?;
        let page = update.new_document.get_dictionary_mut(id)?;
        let trim: Vec<f32> =
            page.get(b"TrimBox")?.as_array()?.iter().map(|o| o.as_float()).collect::<Result<_, _>>()?;
        let [x0, y0, x1, y1] = trim[..] else {
            return Err(lopdf::Error::InvalidStream("a TrimBox of 4 numbers".into()));
        };
        let grown = [x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed];
        page.set("BleedBox", Object::Array(grown.iter().map(|&v| Object::Real(v)).collect()));
    }
    let mut out = Vec::new();
    update.save_to(&mut out)?;
    Ok(out)
}
