//! The stages in order, for one edition:
//!
//! ```text
//! load (manifest → stories → images → layouts, theme → compose → checks)
//!   → lay out (typst: pages, pagination, cover picture)
//!   → render each requested output (PDF, EPUB, proof sheet …)
//! ```
//!
//! Writing is the caller's (see [`crate::output`]): nothing here touches the
//! output folder.

use std::path::Path;
use std::sync::Arc;

use crate::content::Edition;
use crate::diag::{Diagnostic, Diagnostics, Failed};
use crate::images::Assets;
use crate::layout::{Layouter, Variant};
use crate::layouts::LayoutFile;
use crate::model::Publication;
use crate::render::{Artifact, Renderer};

/// How to build, checked before any work.
#[derive(Clone)]
pub struct BuildOptions {
    /// The outputs to make.
    pub renderers: Vec<&'static dyn Renderer>,
    /// `SOURCE_DATE_EPOCH`: every timestamp; the manifest's date when absent.
    pub source_date_epoch: Option<i64>,
}

impl Default for BuildOptions {
    /// The PDF and the EPUB, timed by the manifest's date.
    fn default() -> Self {
        let renderers = ["pdf", "epub"].into_iter().filter_map(crate::render::by_name).collect();
        Self { renderers, source_date_epoch: None }
    }
}

/// An edition loaded, parsed, composed and checked: ready to lay out.
pub struct Loaded {
    pub edition: Edition,
    pub publication: Publication,
    /// Every image, read and checked.
    pub assets: Assets,
    pub layouts: Vec<LayoutFile>,
    /// The bundled fonts and the edition's own.
    pub fonts: Arc<crate::fonts::FontStore>,
}

impl Loaded {
    /// What the lay-out stage reads of it.
    pub fn layout_input(&self) -> crate::layout::Input<'_> {
        crate::layout::Input {
            publication: &self.publication,
            assets: &self.assets,
            layouts: &self.layouts,
            fonts: &self.fonts,
        }
    }
}

/// What a build of one edition produced, in memory.
pub struct Built {
    pub publication: Publication,
    pub artifacts: Vec<Artifact>,
    /// The time written into every artifact, in seconds since 1970.
    pub epoch: i64,
}

/// LOAD: everything read and checked, the publication composed. `check` stops here.
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
    let layouts = crate::layouts::load(&edition.dir, diags)?;
    let mut theme = crate::theme::load(&layouts, diags)?;
    if let Some(style) = &edition.manifest.manifest.style {
        // Values the manifest check refused are left as the theme has them.
        theme = theme.with_style(&crate::theme::Style {
            paper_mm: style.paper_mm(),
            accent: style.accent(),
            text_size_pt: style.text_size_pt(),
        });
    }
    // Images are sized for the theme's page.
    let uses: Vec<_> = edition.image_uses().cloned().collect();
    let assets = crate::images::load(&edition.dir, &uses, &theme, diags);
    diags.check()?;
    let publication = crate::compose::compose(&edition, &assets, &theme, diags);
    let fonts = crate::fonts::for_edition(&edition.dir, diags)?;
    for diagnostic in crate::checks::glyph_coverage(&edition, &publication, &fonts) {
        diags.push(diagnostic);
    }
    for diagnostic in crate::checks::acknowledged_organisations(&edition) {
        diags.push(diagnostic);
    }
    for diagnostic in crate::checks::unlisted_files(&edition) {
        diags.push(diagnostic);
    }
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
pub fn datetime(epoch: i64) -> Option<typst::foundations::Datetime> {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::from_timestamp(epoch, 0)?;
    typst::foundations::Datetime::from_ymd_hms(
        t.year(),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
}

/// Builds editions, keeping what the lay-out stage can reuse between builds
/// of the same edition (watch mode).
#[derive(Default)]
pub struct Builder {
    layouter: Layouter,
}

impl Builder {
    /// A builder with nothing cached.
    pub fn new() -> Self {
        Self::default()
    }

    /// LAY OUT, then RENDER each requested output.
    pub fn build(&mut self, loaded: &Loaded, options: &BuildOptions, diags: &mut Diagnostics) -> Result<Built, Failed> {
        let publication = &loaded.publication;
        let epoch = epoch(publication, options.source_date_epoch);
        let Some(time) = datetime(epoch) else {
            return Err(diags.fail(Diagnostic::error(format!("the time {epoch} (seconds since 1970) is out of range"))));
        };
        let wants = |name: &str| options.renderers.iter().any(|r| r.name() == name);
        // A proof sheet shows frames where missing photos will stand: its own lay-out.
        let proof = if wants("proof") {
            Some(self.layouter.lay_out(loaded.layout_input(), time, false, Variant::Proof, diags)?.document)
        } else {
            None
        };
        // The print edition: bleed, marks, full-resolution photos — its own lay-out too.
        let print = if wants("print") {
            Some(self.layouter.lay_out(loaded.layout_input(), time, false, Variant::Print, diags)?.document)
        } else {
            None
        };
        // The EPUB's photos are encoded while typst lays the pages out.
        let laid_out = std::thread::scope(|scope| {
            // The web edition serves the same photos and cover picture.
            let screen_media = wants("epub") || wants("html");
            if screen_media {
                scope.spawn(|| loaded.assets.images.values().for_each(|asset| drop(asset.epub())));
            }
            self.layouter.lay_out(loaded.layout_input(), time, screen_media, Variant::Screen, diags)
        })?;
        let context = crate::render::Context {
            publication,
            assets: &loaded.assets,
            layouts: &loaded.layouts,
            laid_out: &laid_out,
            proof: proof.as_ref(),
            print: print.as_ref(),
            time,
            epoch,
        };
        let artifacts = crate::render::render_all(&options.renderers, &context, diags)?;
        Ok(Built { publication: publication.clone(), artifacts, epoch })
    }
}

/// Loads and builds an edition.
pub fn build(edition: &Path, options: &BuildOptions, diags: &mut Diagnostics) -> Result<Built, Failed> {
    let loaded = load(edition, diags)?;
    Builder::new().build(&loaded, options, diags)
}
