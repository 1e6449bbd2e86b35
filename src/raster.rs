//! Pages as pictures: the EPUB's cover (its own one-page layout) and the proof
//! sheet (every page as a thumbnail on one PNG, so that an editor sees the
//! whole layout at a glance).

use std::borrow::Cow;

use tiny_skia::{Color, Pixmap, PixmapPaint, Transform};

use typst_layout::{Page, PagedDocument};

/// Width of the EPUB cover in pixels (1600 × 2560 for the built-in cover).
const COVER_WIDTH: f64 = 1600.0;
/// Most pixels any one picture may have: an edition's layout can set a page
/// of 40000 pt, which at the cover's scale would need gigabytes.
const MAX_PIXELS: f64 = 16_000_000.0;

/// The scale for a page: `wanted`, or less, so that it stays within `max_pixels`.
fn fitting_scale(page: &Page, wanted: f64, max_pixels: f64) -> f64 {
    let size = page.frame.size();
    let area = (size.x.to_pt() * size.y.to_pt()).max(1.0);
    wanted.min((max_pixels / area).sqrt())
}

/// A PNG cover larger than this holds a photograph: it is published as JPEG.
const COVER_PNG_MAX_BYTES: usize = 1_000_000;

/// The EPUB's cover picture: its bytes and its format.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverPicture {
    pub bytes: Vec<u8>,
    pub format: crate::images::ImageFormat,
    /// Its size in pixels.
    pub width: u32,
    pub height: u32,
}

impl CoverPicture {
    /// Its path in the EPUB.
    pub fn path(&self) -> String {
        format!("media/cover.{}", self.format.extension())
    }
}

/// The page as the EPUB cover, 1600 pixels wide: PNG for a drawn cover
/// (sharp and small), JPEG when a cover photo makes the PNG large.
pub fn cover_picture(page: &Page) -> CoverPicture {
    let wanted = COVER_WIDTH / page.frame.size().x.to_pt().max(1.0);
    let scale = fitting_scale(page, wanted, MAX_PIXELS);
    let options = typst_render::RenderOptions { pixel_per_pt: typst::utils::Scalar::new(scale), render_bleed: false };
    let pixmap = typst_render::render(page, &options);
    let png = encode_png(&pixmap);
    let (width, height) = (pixmap.width(), pixmap.height());
    if png.len() <= COVER_PNG_MAX_BYTES {
        return CoverPicture { bytes: png, format: crate::images::ImageFormat::Png, width, height };
    }
    // A page is opaque: its premultiplied pixels are its colours.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut jpeg = Vec::new();
    let encoded = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80).encode(
        &rgb,
        pixmap.width(),
        pixmap.height(),
        image::ExtendedColorType::Rgb8,
    );
    match encoded {
        Ok(()) => CoverPicture { bytes: jpeg, format: crate::images::ImageFormat::Jpeg, width, height },
        Err(_) => CoverPicture { bytes: png, format: crate::images::ImageFormat::Png, width, height },
    }
}

/// PNG bytes, compressed for speed: a cover is written on every build, and
/// the default compression took three times as long as rendering it.
fn encode_png(pixmap: &Pixmap) -> Vec<u8> {
    // tiny-skia keeps premultiplied colours; an opaque picture (a page) is the same either way.
    let rgba: Cow<[u8]> = if pixmap.pixels().iter().all(|p| p.is_opaque()) {
        Cow::Borrowed(pixmap.data())
    } else {
        Cow::Owned(pixmap.clone().take_demultiplied())
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("writing a PNG header to memory");
    writer.write_image_data(&rgba).expect("writing PNG data to memory");
    writer.finish().expect("finishing a PNG in memory");
    out
}

/// Thumbnails per row of the proof sheet.
const COLUMNS: u32 = 8;
/// Pixels per point for thumbnails (an A4 page becomes 149 × 210 pixels).
const SCALE: f64 = 0.25;
/// Space around and between thumbnails, in pixels.
const GAP: u32 = 16;

/// Renders every page and lays the thumbnails out in rows; returns PNG
/// bytes, or nothing for pages so oddly shaped that no sheet can hold them.
pub fn proof_sheet(document: &PagedDocument) -> Option<Vec<u8>> {
    // However many and however large the pages, the sheet stays within the pixel budget.
    let per_page = MAX_PIXELS * 2.0 / document.pages().len().max(1) as f64;
    let thumbnails: Vec<Pixmap> = document
        .pages()
        .iter()
        .map(|page| {
            let scale = fitting_scale(page, SCALE, per_page.min(MAX_PIXELS));
            let options =
                typst_render::RenderOptions { pixel_per_pt: typst::utils::Scalar::new(scale), render_bleed: false };
            typst_render::render(page, &options)
        })
        .collect();
    let cell_width = thumbnails.iter().map(Pixmap::width).max().unwrap_or(1);
    let cell_height = thumbnails.iter().map(Pixmap::height).max().unwrap_or(1);
    let columns = COLUMNS.min(thumbnails.len().max(1) as u32);
    let rows = (thumbnails.len() as u32).div_ceil(columns).max(1);
    let width = columns * cell_width + (columns + 1) * GAP;
    let height = rows * cell_height + (rows + 1) * GAP;
    if f64::from(width) * f64::from(height) > MAX_PIXELS * 4.0 {
        return None;
    }
    let mut sheet = Pixmap::new(width, height)?;
    sheet.fill(Color::from_rgba8(0x8a, 0x94, 0x9c, 0xff));
    for (index, thumbnail) in thumbnails.iter().enumerate() {
        let column = index as u32 % columns;
        let row = index as u32 / columns;
        let x = GAP + column * (cell_width + GAP);
        let y = GAP + row * (cell_height + GAP);
        sheet.draw_pixmap(x as i32, y as i32, thumbnail.as_ref(), &PixmapPaint::default(), Transform::identity(), None);
    }
    Some(encode_png(&sheet))
}
