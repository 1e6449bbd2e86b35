//! Pages as pictures: the EPUB's cover (the PDF's first page) and the proof
//! sheet (every page as a thumbnail on one PNG, so that an editor sees the
//! whole layout at a glance).

use std::borrow::Cow;

use tiny_skia::{Color, Pixmap, PixmapPaint, Transform};

use typst_layout::{Page, PagedDocument};

/// Pixels per point of the EPUB cover: 893 × 1263 for A4.
const COVER_SCALE: f64 = 1.5;

/// The page as a PNG for the EPUB cover.
pub fn cover_png(page: &Page) -> Vec<u8> {
    let options =
        typst_render::RenderOptions { pixel_per_pt: typst::utils::Scalar::new(COVER_SCALE), render_bleed: false };
    encode_png(&typst_render::render(page, &options))
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

/// Renders every page and lays the thumbnails out in rows; returns PNG bytes.
pub fn proof_sheet(document: &PagedDocument) -> Vec<u8> {
    let options = typst_render::RenderOptions { pixel_per_pt: typst::utils::Scalar::new(SCALE), render_bleed: false };
    let thumbnails: Vec<Pixmap> = document.pages().iter().map(|page| typst_render::render(page, &options)).collect();
    let cell_width = thumbnails.iter().map(Pixmap::width).max().unwrap_or(1);
    let cell_height = thumbnails.iter().map(Pixmap::height).max().unwrap_or(1);
    let columns = COLUMNS.min(thumbnails.len().max(1) as u32);
    let rows = (thumbnails.len() as u32).div_ceil(columns).max(1);
    let width = columns * cell_width + (columns + 1) * GAP;
    let height = rows * cell_height + (rows + 1) * GAP;
    let mut sheet = Pixmap::new(width, height).expect("a proof sheet has a size");
    sheet.fill(Color::from_rgba8(0x8a, 0x94, 0x9c, 0xff));
    for (index, thumbnail) in thumbnails.iter().enumerate() {
        let column = index as u32 % columns;
        let row = index as u32 / columns;
        let x = GAP + column * (cell_width + GAP);
        let y = GAP + row * (cell_height + GAP);
        sheet.draw_pixmap(x as i32, y as i32, thumbnail.as_ref(), &PixmapPaint::default(), Transform::identity(), None);
    }
    encode_png(&sheet)
}
