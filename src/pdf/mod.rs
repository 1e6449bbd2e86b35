//! RENDER (PDF): the model → typst (embedded as a library) → a tagged PDF/UA-1 file.
//!
//! The publication reaches the layout as JSON data (`/data.json`), never as
//! generated markup: whatever a story contains is printed literally, and
//! content can never inject typst code.

pub mod pages;
pub mod world;

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Label, Selector, Smart};
use typst::introspection::Introspector;
use typst::utils::PicoStr;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::images::Assets;
use crate::layouts::{self, LayoutFile};
use crate::model::Publication;
pub use world::PublicationWorld;

/// Label of the markers the layout places before every block, for the EPUB page list.
pub const BLOCK_MARKER: &str = "anthology-block";

/// A compiled publication.
pub struct Compiled {
    pub document: PagedDocument,
    /// Where each marked block starts, in document order.
    pub block_pages: Vec<BlockStart>,
}

/// A world loaded with the layout, the data and the images of a publication.
pub fn prepare(
    publication: &Publication,
    assets: &Assets,
    layout_files: &[LayoutFile],
    fonts: std::sync::Arc<crate::fonts::FontStore>,
    today: Datetime,
    diags: &mut Diagnostics,
) -> Result<PublicationWorld, Failed> {
    if layouts::find(layout_files, layouts::PDF_MAIN).is_none() {
        return Err(diags.fail(Diagnostic::error(format!("no layouts/{} to compile", layouts::PDF_MAIN))));
    }
    let mut world = PublicationWorld::new(layout_files, fonts, layouts::PDF_MAIN, today);
    update(&mut world, publication, assets, diags)?;
    Ok(world)
}

/// Replaces the data and images a world serves (for rebuilds in watch mode).
pub fn update(
    world: &mut PublicationWorld,
    publication: &Publication,
    assets: &Assets,
    diags: &mut Diagnostics,
) -> Result<(), Failed> {
    let data = serde_json::to_vec(publication)
        .map_err(|err| diags.fail(Diagnostic::error(format!("failed to prepare the layout data ({err})"))))?;
    world.set_file(world::DATA_PATH, Bytes::new(data));
    for asset in assets.images.values() {
        world.set_file(&format!("{}{}", world::ASSETS_DIR, asset.name), Bytes::new(asset.bytes.clone()));
    }
    Ok(())
}

/// Lays the publication out.
pub fn compile(world: &PublicationWorld, diags: &mut Diagnostics) -> Result<Compiled, Failed> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    for warning in &warnings {
        diags.push(convert(world, warning));
    }
    let document = output.map_err(|errors| {
        for error in &errors {
            diags.push(convert(world, error));
        }
        Failed
    })?;
    let block_pages = block_pages(&document);
    Ok(Compiled { document, block_pages })
}

/// Writes the laid-out document as PDF/UA-1 (and PDF/A-2a).
pub fn export(
    world: &PublicationWorld,
    compiled: &Compiled,
    publication: &Publication,
    timestamp: Datetime,
    diags: &mut Diagnostics,
) -> Result<Vec<u8>, Failed> {
    let standards =
        PdfStandards::new(&[PdfStandard::Ua_1, PdfStandard::A_2a]).expect("PDF/UA-1 and PDF/A-2a are compatible");
    let options = PdfOptions {
        ident: Smart::Custom(publication.meta.identifier.clone()),
        creator: Smart::Custom(Some(format!("anthology {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(timestamp)),
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(&compiled.document, &options).map_err(|errors| {
        for error in &errors {
            diags.push(convert(world, error));
        }
        Failed
    })
}

/// Where a marked block starts in the laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockStart {
    pub id: String,
    /// 1-based page.
    pub page: usize,
    /// Distance from the top of the page, in points.
    pub y: f64,
}

/// Where each block marker landed.
fn block_pages(document: &PagedDocument) -> Vec<BlockStart> {
    let label = Label::new(PicoStr::intern(BLOCK_MARKER)).expect("non-empty label");
    let introspector = document.introspector();
    let mut out = Vec::new();
    for marker in introspector.query(&Selector::Label(label)) {
        let Some(location) = marker.location() else { continue };
        let Some(position) = introspector.position(location) else { continue };
        let Ok(value) = marker.get_by_name("value") else { continue };
        if let typst::foundations::Value::Str(id) = value {
            out.push(BlockStart { id: id.to_string(), page: position.page.get(), y: position.point.y.to_pt() });
        }
    }
    out
}

/// A typst diagnostic as anthology reports it: against the user's layout file
/// when it comes from one, else against the built-in layout.
fn convert(world: &PublicationWorld, diagnostic: &SourceDiagnostic) -> Diagnostic {
    let mut out = match diagnostic.severity {
        typst::diag::Severity::Error => Diagnostic::error(diagnostic.message.to_string()),
        typst::diag::Severity::Warning => Diagnostic::warning(diagnostic.message.to_string()),
    };
    if let Some(id) = diagnostic.span.id()
        && let Some(layout) = world.layout(id)
    {
        let text = String::from_utf8_lossy(&layout.bytes).into_owned();
        let file = SourceFile::new(layout.display_path(), text);
        let range = world.range(diagnostic.span).unwrap_or(0..0);
        out = out.at(&file, range);
    }
    for hint in &diagnostic.hints {
        out = out.hint(hint.v.to_string());
    }
    if world.layout(world.main()).is_some_and(|l| l.path.is_none()) && out.location.is_none() {
        out = out.hint("this comes from anthology's built-in layout: please report it");
    }
    out
}
