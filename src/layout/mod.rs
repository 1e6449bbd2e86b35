//! LAY OUT: the model → typst (embedded as a library) → pages.
//!
//! The publication reaches the layout as JSON data (`/data-v4.json`), never as
//! generated markup: whatever a story contains is printed literally, and
//! content can never inject typst code. The stage returns the laid-out
//! document, its [`Pagination`] (where each page begins in the model) and the
//! cover as a picture; renderers take it from there.

pub mod pages;
pub mod world;

use std::sync::Arc;

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Label, Selector};
use typst::introspection::Introspector;
use typst::utils::PicoStr;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::images::Assets;
use crate::layouts::{self, LayoutFile};
use crate::model::{BlockId, Publication};
use crate::pagination::Pagination;
pub use world::PublicationWorld;

/// Label of the markers the layout places before every block, for the pagination.
pub const BLOCK_MARKER: &str = "anthology-block";

/// What the lay-out stage produces.
pub struct LaidOut<'a> {
    pub document: PagedDocument,
    /// Where each page begins; `None` when the layout sets no block markers
    /// (an edition's own layout may not).
    pub pagination: Option<Pagination>,
    /// The EPUB's cover as PNG: `layouts/epub-cover.typ` rendered 1600
    /// pixels wide.
    pub cover_picture: Option<Arc<crate::raster::CoverPicture>>,
    /// The world it was laid out in, for locating problems that come later (PDF export).
    pub world: &'a PublicationWorld,
}

/// What the lay-out stage reads.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub publication: &'a Publication,
    pub assets: &'a Assets,
    pub layouts: &'a [LayoutFile],
    pub fonts: &'a Arc<crate::fonts::FontStore>,
}

/// Lays editions out, keeping what can be reused between builds of the same
/// edition (watch mode): the typst world over unchanged layout files and
/// fonts, and the cover picture while its page is unchanged. typst's
/// own caches are process-wide, so a recompile after a small edit is
/// incremental.
#[derive(Default)]
pub struct Layouter {
    world: Option<(Vec<LayoutFile>, PublicationWorld)>,
    cover: Option<(u128, Arc<crate::raster::CoverPicture>)>,
}

impl Layouter {
    /// A layouter with nothing cached.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lays the publication out as `variant`; `cover`: also lay out and
    /// render the EPUB's cover picture.
    pub fn lay_out(
        &mut self,
        input: Input<'_>,
        time: Datetime,
        cover: bool,
        variant: Variant,
        diags: &mut Diagnostics,
    ) -> Result<LaidOut<'_>, Failed> {
        let Input { publication, assets, layouts: layout_files, fonts } = input;
        let world = match self.world.take() {
            Some((layouts, mut world)) if layouts_equal(&layouts, layout_files) && world.fonts().id == fonts.id => {
                world.set_today(time);
                serve(&mut world, publication, assets, variant, diags)?;
                world
            }
            _ => {
                if layouts::find(layout_files, layouts::PDF_MAIN).is_none() {
                    return Err(diags.fail(Diagnostic::error(format!("no layouts/{} to compile", layouts::PDF_MAIN))));
                }
                let mut world = PublicationWorld::new(layout_files, fonts.clone(), layouts::PDF_MAIN, time);
                serve(&mut world, publication, assets, variant, diags)?;
                world
            }
        };
        let world = &self.world.insert((layout_files.to_vec(), world)).1;
        // The EPUB's cover is laid out and rendered on another core while
        // the pages are laid out.
        let cover_cache = &mut self.cover;
        let (cover_picture, document) = std::thread::scope(|scope| {
            let cover = cover.then(|| {
                scope.spawn(|| {
                    let mut cover_diags = Diagnostics::default();
                    (epub_cover(cover_cache, world, &mut cover_diags), cover_diags)
                })
            });
            let document = compile(world, world, diags);
            let cover = cover.map(|job| job.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            (cover, document)
        });
        let cover_picture = match cover_picture {
            Some((picture, cover_diags)) => {
                diags.extend(cover_diags);
                Some(picture)
            }
            None => None,
        };
        let document = document?;
        let cover_picture = cover_picture.transpose()?;
        let markers = markers(&document);
        let pagination = pages::paginate(&document, &markers, publication);
        Ok(LaidOut { document, pagination, cover_picture, world })
    }
}

/// Compiles a world's main file, its warnings and errors reported (located
/// in the publication's world).
pub fn compile(
    world: &impl World,
    located: &PublicationWorld,
    diags: &mut Diagnostics,
) -> Result<PagedDocument, Failed> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    for warning in &warnings {
        diags.push(convert(located, warning));
    }
    output.map_err(|errors| {
        for error in &errors {
            diags.push(convert(located, error));
        }
        Failed
    })
}

/// Lays out and renders the EPUB cover (`layouts/epub-cover.typ`); renders
/// again only when its page changed since `cache`.
fn epub_cover(
    cache: &mut Option<(u128, Arc<crate::raster::CoverPicture>)>,
    world: &PublicationWorld,
    diags: &mut Diagnostics,
) -> Result<Arc<crate::raster::CoverPicture>, Failed> {
    let document = compile(&world.with_main(layouts::EPUB_COVER), world, diags)?;
    let Some(page) = document.pages().first() else {
        return Err(diags.fail(Diagnostic::error(format!("layouts/{} lays out no page", layouts::EPUB_COVER))));
    };
    let hash = typst::utils::hash128(page);
    if let Some((cached, png)) = cache
        && *cached == hash
    {
        return Ok(png.clone());
    }
    let picture = Arc::new(crate::raster::cover_picture(page));
    *cache = Some((hash, picture.clone()));
    Ok(picture)
}

fn layouts_equal(a: &[LayoutFile], b: &[LayoutFile]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name && x.bytes == y.bytes)
}

/// Which lay-out of the publication is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The screen PDF (and the EPUB's page list).
    Screen,
    /// A proof: frames where missing photos will stand.
    Proof,
    /// The print edition: bleed, crop marks, a page count a multiple of 4,
    /// photos at full resolution.
    Print,
}

/// The print edition's bleed, in mm.
pub const BLEED_MM: f64 = 3.0;
/// Room outside the bleed for crop marks, in mm.
pub const MARKS_MM: f64 = 10.0;

/// What `/options.json` tells the layout about the lay-out wanted.
pub fn options(variant: Variant) -> serde_json::Value {
    serde_json::json!({
        "proof": variant == Variant::Proof,
        "print": variant == Variant::Print,
        "bleed_mm": BLEED_MM,
        "marks_mm": MARKS_MM,
    })
}

/// What the layout reads at [`world::DATA_PATH`]: the publication as JSON.
pub fn data(publication: &Publication, diags: &mut Diagnostics) -> Result<Bytes, Failed> {
    let json = serde_json::to_vec(publication)
        .map_err(|err| diags.fail(Diagnostic::error(format!("failed to prepare the layout data ({err})"))))?;
    Ok(Bytes::new(json))
}

/// Serves the data, the options and the images to the world, replacing what it had.
fn serve(
    world: &mut PublicationWorld,
    publication: &Publication,
    assets: &Assets,
    variant: Variant,
    diags: &mut Diagnostics,
) -> Result<(), Failed> {
    world.set_file(world::DATA_PATH, data(publication, diags)?);
    world.set_file(world::OPTIONS_PATH, Bytes::new(options(variant).to_string().into_bytes()));
    for asset in assets.images.values() {
        let bytes = if variant == Variant::Print {
            asset.print().map_err(|reason| {
                diags.fail(
                    Diagnostic::error(format!("the image `{}` {reason}", asset.name))
                        .hint("save it again as JPEG or PNG"),
                )
            })?
        } else {
            asset.pdf.clone()
        };
        world.set_file(&format!("{}{}", world::ASSETS_DIR, asset.name), Bytes::new(bytes));
    }
    Ok(())
}

/// Where a marked block starts in the laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockStart {
    pub id: BlockId,
    /// 1-based page.
    pub page: usize,
    /// Distance from the top of the page, in points.
    pub y: f64,
}

/// Where each block marker landed, in document order.
fn markers(document: &PagedDocument) -> Vec<BlockStart> {
    let Some(label) = Label::new(PicoStr::intern(BLOCK_MARKER)) else { return vec![] };
    let introspector = document.introspector();
    let mut out = Vec::new();
    for marker in introspector.query(&Selector::Label(label)) {
        let Some(location) = marker.location() else { continue };
        let Some(position) = introspector.position(location) else { continue };
        let Ok(value) = marker.get_by_name("value") else { continue };
        if let typst::foundations::Value::Str(id) = value {
            out.push(BlockStart {
                id: BlockId(id.to_string()),
                page: position.page.get(),
                y: position.point.y.to_pt(),
            });
        }
    }
    out
}

/// A typst diagnostic as anthology reports it: against the user's layout file
/// when it comes from one, else against the built-in layout.
pub fn convert(world: &PublicationWorld, diagnostic: &SourceDiagnostic) -> Diagnostic {
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
    // A layout written for another version of the data asks for another file.
    if diagnostic.message.contains("file not found") && diagnostic.message.contains("/data") {
        out = out.hint(format!(
            "this layout reads data of another anthology version; this one serves {} (data version {}), see README.md, Layouts",
            world::DATA_PATH,
            crate::model::DATA_VERSION
        ));
    }
    if world.layout(world.main()).is_some_and(|l| l.path.is_none()) && out.location.is_none() {
        out = out.hint("this comes from anthology's built-in layout: please report it");
    }
    out
}
