//! The stages in order, for one edition: LOAD the manifest, COLLECT and PARSE
//! the stories, compose the MODEL, check it, then RENDER the PDF and the EPUB
//! (concurrently, from one typst compilation). Nothing here writes files.

use std::path::Path;

use typst::foundations::Datetime;

use crate::content::Edition;
use crate::diag::{Diagnostic, Diagnostics, Failed};
use crate::layouts::{self, LayoutFile};
use crate::model::Publication;
use crate::pdf::PublicationWorld;

/// Which artifacts to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub pdf: bool,
    pub epub: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Self { pdf: true, epub: true }
    }
}

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub formats: Formats,
    /// `SOURCE_DATE_EPOCH`: every timestamp; the manifest's date when absent.
    pub source_date_epoch: Option<i64>,
}

/// An edition loaded, parsed and checked: ready to render.
pub struct Loaded {
    pub edition: Edition,
    pub publication: Publication,
    /// Every image, read and checked.
    pub assets: crate::images::Assets,
    pub layouts: Vec<LayoutFile>,
    /// The bundled fonts and the edition's own.
    pub fonts: std::sync::Arc<crate::fonts::FontStore>,
}

/// What a build of one edition produced, in memory.
pub struct Built {
    pub publication: Publication,
    pub pdf: Option<(Vec<u8>, usize)>,
    pub epub: Option<Vec<u8>>,
    /// The PDF's pages as laid out (for proof sheets).
    pub document: typst_layout::PagedDocument,
    pub epoch: i64,
}

/// LOAD → COLLECT → PARSE → MODEL, plus the edition-wide checks.
pub fn load(edition: &Path, diags: &mut Diagnostics) -> Result<Loaded, Failed> {
    if !edition.is_dir() {
        return Err(diags.fail(
            Diagnostic::error("no such edition folder")
                .in_file(edition)
                .hint("pass a folder holding a publication.toml, e.g. content/en"),
        ));
    }
    let manifest = crate::manifest::load(edition, diags)?;
    let edition = crate::content::collect(edition, manifest, diags)?;
    let uses: Vec<_> = edition.image_uses().cloned().collect();
    let assets = crate::images::load(&edition.dir, &uses, diags);
    diags.check()?;
    let publication = crate::compose::compose(&edition, &assets, diags);
    let fonts = crate::fonts::for_edition(&edition.dir, diags)?;
    for diagnostic in crate::checks::glyph_coverage(&edition, &publication, &fonts) {
        diags.push(diagnostic);
    }
    for diagnostic in crate::checks::unlisted_files(&edition) {
        diags.push(diagnostic);
    }
    let layouts = layouts::load(&edition.dir, diags)?;
    diags.check()?;
    Ok(Loaded { edition, publication, assets, layouts, fonts })
}

/// The build's fixed time: `SOURCE_DATE_EPOCH`, else the manifest's date at midnight UTC.
pub fn epoch(publication: &Publication, source_date_epoch: Option<i64>) -> i64 {
    source_date_epoch.unwrap_or_else(|| {
        let meta = &publication.meta;
        chrono::NaiveDate::from_ymd_opt(meta.year, meta.month.into(), meta.day.into())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |d| d.and_utc().timestamp())
    })
}

/// A typst datetime from seconds since 1970 (`None` past the year 9999).
pub fn datetime(epoch: i64) -> Option<Datetime> {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::from_timestamp(epoch, 0)?;
    Datetime::from_ymd_hms(t.year(), t.month() as u8, t.day() as u8, t.hour() as u8, t.minute() as u8, t.second() as u8)
}

/// The artifact file names of an edition: `<stem>-<language>.pdf` / `.epub`.
pub fn artifact_name(publication: &Publication, extension: &str) -> String {
    format!("{}-{}.{extension}", publication.meta.file_stem, publication.meta.language)
}

/// Renders editions, keeping what can be reused between builds of the same
/// edition (watch mode): the typst world over unchanged layout files, and the
/// EPUB cover while the PDF's first page is unchanged. typst's own caches are
/// process-wide, so a recompile after a small edit is incremental.
#[derive(Default)]
pub struct Renderer {
    world: Option<(Vec<LayoutFile>, PublicationWorld)>,
    cover: Option<(u128, Vec<u8>)>,
}

impl Renderer {
    /// A renderer with nothing cached.
    pub fn new() -> Self {
        Self::default()
    }

    /// One typst compilation, then PDF export and EPUB in parallel.
    pub fn render(
        &mut self,
        loaded: &Loaded,
        options: &BuildOptions,
        diags: &mut Diagnostics,
    ) -> Result<Built, Failed> {
        let publication = &loaded.publication;
        let epoch = epoch(publication, options.source_date_epoch);
        let today = datetime(epoch).ok_or_else(|| {
            diags.fail(Diagnostic::error(format!("the time {epoch} (seconds since 1970) cannot be written into a PDF")))
        })?;
        let world = match self.world.take() {
            Some((layouts, mut world))
                if layouts_equal(&layouts, &loaded.layouts) && world.fonts().id == loaded.fonts.id =>
            {
                world.set_today(today);
                crate::pdf::update(&mut world, publication, &loaded.assets, diags)?;
                world
            }
            _ => crate::pdf::prepare(publication, &loaded.assets, &loaded.layouts, loaded.fonts.clone(), today, diags)?,
        };
        let world = &self.world.insert((loaded.layouts.clone(), world)).1;
        let compiled = crate::pdf::compile(world, diags)?;
        let page_starts = crate::pdf::pages::page_starts(&compiled.document, &compiled.block_pages, publication);

        // The cover image is the first page: render it again only when that page changed.
        let cover_png = compiled.document.pages().first().filter(|_| options.formats.epub).map(|page| {
            let hash = typst::utils::hash128(page);
            match &self.cover {
                Some((cached, png)) if *cached == hash => png.clone(),
                _ => {
                    let png = crate::raster::cover_png(page);
                    self.cover = Some((hash, png.clone()));
                    png
                }
            }
        });

        let mut pdf_diags = Diagnostics::default();
        let mut epub_diags = Diagnostics::default();
        let (pdf, epub) = std::thread::scope(|scope| {
            let epub = scope.spawn(|| {
                if !options.formats.epub {
                    return Ok(None);
                }
                let css = layouts::find(&loaded.layouts, layouts::EPUB_CSS).map(|f| f.bytes.as_slice()).unwrap_or(b"");
                let pdf_name = artifact_name(publication, "pdf");
                let input = crate::epub::EpubInput {
                    publication,
                    assets: &loaded.assets,
                    css,
                    cover_png,
                    page_starts: &page_starts,
                    pdf_name: &pdf_name,
                    epoch,
                };
                crate::epub::render(&input, &mut epub_diags).map(Some)
            });
            let pdf = if options.formats.pdf {
                crate::pdf::export(world, &compiled, publication, today, &mut pdf_diags).map(Some)
            } else {
                Ok(None)
            };
            (pdf, epub.join().map_err(|_| Failed))
        });
        diags.extend(pdf_diags);
        diags.extend(epub_diags);
        let epub = epub.unwrap_or_else(|failed| {
            diags.push(Diagnostic::error("internal error: the EPUB stage panicked").hint("please report this"));
            Err(failed)
        });
        let pdf = pdf?;
        let epub = epub?;
        Ok(Built {
            publication: publication.clone(),
            pdf: pdf.map(|bytes| (bytes, compiled.document.pages().len())),
            epub,
            document: compiled.document,
            epoch,
        })
    }
}

fn layouts_equal(a: &[LayoutFile], b: &[LayoutFile]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name && x.bytes == y.bytes)
}

/// Loads and renders.
pub fn build(edition: &Path, options: &BuildOptions, diags: &mut Diagnostics) -> Result<Built, Failed> {
    let loaded = load(edition, diags)?;
    Renderer::new().render(&loaded, options, diags)
}
