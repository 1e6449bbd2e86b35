//! IMAGES: every image an edition shows — photos in the stories, the cover
//! logo — read once (through [`crate::files`]), checked and made safe for
//! every renderer:
//!
//! - raster images (PNG, JPEG, GIF, WebP) are recognised by their content,
//!   their size is probed from the header before anything is decoded (a
//!   69-byte file may claim 60000 × 60000 pixels), and they are decoded once,
//!   within limits, so that a broken file fails `check` at the story's line
//!   instead of failing later inside typst;
//! - SVG images are re-serialised through usvg (the SVG library typst
//!   itself uses): scripts, event attributes, `javascript:` links,
//!   `foreignObject`, style imports and every external reference are gone,
//!   text becomes outlines drawn with the bundled fonts.
//!
//! Each image gets a published file name of plain ASCII, so that no
//! renderer has to escape a user's file name, and its renditions for each
//! output ([`renditions`]): reduced for the screen PDF and the EPUB, whole for
//! print. A photo too small for the size it is printed at is a warning.

pub mod renditions;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use crate::diag::{Diagnostic, Diagnostics};
use crate::files::{self, MAX_IMAGE_BYTES, ReadError};
use crate::markdown::{ImageRole, ImageUse};

/// Largest raster image anthology accepts, in pixels (a 100-megapixel photo
/// printed across a page is over 1000 ppi; decoding it takes 400 MB).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Memory the decoder may use for one image.
const MAX_DECODE_BYTES: u64 = 1024 * 1024 * 1024;

/// An image format both outputs can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl ImageFormat {
    /// The file extension of published files.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
            ImageFormat::Svg => "svg",
        }
    }

    /// The media type, for the EPUB manifest.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Svg => "image/svg+xml",
        }
    }
}

/// An image checked and ready for the renderers.
#[derive(Debug, Clone)]
pub struct ImageAsset {
    /// The format of every rendition (a photo given as PNG is published as JPEG).
    pub format: ImageFormat,
    /// The screen PDF's rendition (at most 300 ppi at its printed size).
    pub pdf: Arc<[u8]>,
    /// The EPUB's (a longest side of 1600 pixels; see [`ImageAsset::epub`]).
    epub: renditions::Lazy,
    /// The print PDF's: every pixel of the original (see [`ImageAsset::print`]).
    print: renditions::Lazy,
    /// Size in pixels, upright (an SVG's in CSS pixels).
    pub width: u32,
    pub height: u32,
    /// The published file name: ASCII, unique in the edition, e.g. `workshop.png`.
    pub name: String,
}

impl ImageAsset {
    /// The EPUB's rendition (encoded the first time it is asked for).
    pub fn epub(&self) -> Result<Arc<[u8]>, String> {
        std::sync::LazyLock::force(&self.epub).clone()
    }

    /// The print edition's rendition: every pixel of the original, in the
    /// published format (made the first time it is asked for).
    pub fn print(&self) -> Result<Arc<[u8]>, String> {
        std::sync::LazyLock::force(&self.print).clone()
    }
}

/// The share of the cover's height its colour field (and photo) takes.
pub const COVER_FIELD: f64 = 0.64;

/// The tallest a figure is printed, in mm (the layout's limit too).
pub const FIGURE_MAX_HEIGHT_MM: f64 = 110.0;
/// The height of the cover's logo, in mm.
pub const LOGO_HEIGHT_MM: f64 = 22.0;

/// The box an image used as `role` is printed into, on the theme's page.
pub fn fit(role: ImageRole, theme: &crate::theme::Theme) -> renditions::Fit {
    let page = &theme.page;
    match role {
        ImageRole::Figure => renditions::Fit {
            width_mm: page.width_mm - page.margin_inside_mm - page.margin_outside_mm,
            height_mm: FIGURE_MAX_HEIGHT_MM,
            cover: false,
        },
        ImageRole::Logo => renditions::Fit { width_mm: page.width_mm, height_mm: LOGO_HEIGHT_MM, cover: false },
        // It covers the field, cropped: printed at least as wide as the page.
        ImageRole::CoverPhoto => {
            renditions::Fit { width_mm: page.width_mm, height_mm: page.height_mm * COVER_FIELD, cover: true }
        }
    }
}

/// Every image of an edition, by its edition-relative path.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    pub images: BTreeMap<String, ImageAsset>,
}

impl Assets {
    /// The asset for an edition-relative image path.
    pub fn image(&self, src: &str) -> Option<&ImageAsset> {
        self.images.get(src)
    }
}

/// Reads and checks every image used and makes its renditions; problems are
/// reported at each use.
pub fn load(edition: &Path, uses: &[ImageUse], theme: &crate::theme::Theme, diags: &mut Diagnostics) -> Assets {
    let mut by_src: BTreeMap<&str, Vec<&ImageUse>> = BTreeMap::new();
    for image_use in uses {
        by_src.entry(&image_use.src).or_default().push(image_use);
    }
    // Read in order (problems reported at each use), then checked and
    // rendered on every core: decoding and resizing photos is the slow part.
    let mut read = Vec::new();
    // The edition's files, listed once, for the did-you-mean of missing images.
    let mut listing: Option<Vec<String>> = None;
    for (src, uses) in by_src {
        let report = |diags: &mut Diagnostics, message: &dyn Fn(&str) -> String, hint: &str| {
            for image_use in &uses {
                diags.push(
                    Diagnostic::error(message(&image_use.written))
                        .at(&image_use.file, image_use.span.clone())
                        .hint(hint.to_string()),
                );
            }
        };
        let path = edition.join(src);
        if let Err(reason) = files::confine(edition, &path) {
            report(diags, &|w| format!("the image `{w}` {reason}"), "copy the image into the edition folder");
            continue;
        }
        let bytes = match files::read(edition, &path, MAX_IMAGE_BYTES) {
            Ok(bytes) => bytes,
            Err(ReadError::NotFound) => {
                for image_use in &uses {
                    // The folder the path is written relative to.
                    let base = image_use.file.path.parent().and_then(|dir| dir.strip_prefix(edition).ok());
                    let base = base.map(|dir| dir.to_string_lossy().replace('\\', "/")).unwrap_or_default();
                    let found = listing.get_or_insert_with(|| files::walk(edition, edition, &["layouts"]));
                    let hint = match files::did_you_mean_among(found, &base, src) {
                        Some(meant) => format!("did you mean `{meant}`?"),
                        None => "check the path: it is relative to this file (`../images/…` from a story)".into(),
                    };
                    diags.push(
                        Diagnostic::error(format!("the image `{}` does not exist", image_use.written))
                            .at(&image_use.file, image_use.span.clone())
                            .hint(hint),
                    );
                }
                continue;
            }
            Err(err @ ReadError::TooLarge { .. }) => {
                report(
                    diags,
                    &|w| format!("the image `{w}` {err}"),
                    "reduce the image to print resolution (300 ppi at its printed size)",
                );
                continue;
            }
            Err(err) => {
                report(diags, &|w| format!("the image `{w}` {err}"), "point at an image file");
                continue;
            }
        };
        // Printed in the largest of the boxes it is used in.
        let fit = uses.iter().map(|u| fit(u.role, theme)).fold(
            renditions::Fit { width_mm: 0.0, height_mm: 0.0, cover: false },
            |a, b| renditions::Fit {
                width_mm: a.width_mm.max(b.width_mm),
                height_mm: a.height_mm.max(b.height_mm),
                cover: a.cover || b.cover,
            },
        );
        read.push((src, uses, bytes, fit));
    }
    let prepared: Vec<_> = {
        use rayon::prelude::*;
        read.into_par_iter().map(|(src, uses, bytes, fit)| (src, uses, prepare(bytes, fit))).collect()
    };

    let mut assets = Assets::default();
    // The EPUB's cover picture is `media/cover.png` or `.jpg`: no image may take those names.
    let mut names = BTreeSet::from(["cover.png".to_string(), "cover.jpg".to_string()]);
    for (src, uses, prepared) in prepared {
        match prepared {
            Ok(prepared) => {
                let name = published_name(src, prepared.format, &mut names);
                for image_use in uses.iter().filter(|u| u.role != ImageRole::Logo) {
                    if let Some(diagnostic) = low_resolution(&prepared, image_use) {
                        diags.push(diagnostic);
                    }
                }
                let Prepared { format, pdf, epub, print, width, height, .. } = prepared;
                assets.images.insert(src.to_string(), ImageAsset { format, pdf, epub, print, width, height, name });
            }
            Err(reason) => {
                for image_use in &uses {
                    diags.push(
                        Diagnostic::error(format!("the image `{}` {reason}", image_use.written))
                            .at(&image_use.file, image_use.span.clone())
                            .hint("save it again as JPEG or PNG"),
                    );
                }
            }
        }
    }
    assets
}

/// A warning when a photo has under [`renditions::MIN_PPI`] at its printed size.
fn low_resolution(prepared: &Prepared, image_use: &ImageUse) -> Option<Diagnostic> {
    if prepared.format == ImageFormat::Svg {
        return None;
    }
    let ppi = renditions::ppi(prepared.width, prepared.printed_mm);
    (ppi < renditions::MIN_PPI).then(|| {
        let needed = (prepared.printed_mm / 25.4 * renditions::MIN_PPI).ceil();
        Diagnostic::warning(format!(
            "the photo `{}` is {} × {} pixels: printed {:.0} mm wide, that is {ppi:.0} ppi, and it will look soft",
            image_use.written, prepared.width, prepared.height, prepared.printed_mm
        ))
        .at(&image_use.file, image_use.span.clone())
        .hint(format!("use a larger original, at least {needed:.0} pixels wide ({:.0} ppi)", renditions::MIN_PPI))
    })
}

/// What checking an image's bytes found, with its renditions.
#[derive(Debug, Clone)]
struct Prepared {
    format: ImageFormat,
    pdf: Arc<[u8]>,
    epub: renditions::Lazy,
    print: renditions::Lazy,
    width: u32,
    height: u32,
    printed_mm: f64,
}

/// Checked SVG images by content hash: sanitising is done once per process,
/// so that `watch` rebuilds stay fast (raster renditions have their own cache).
static SANITISED: LazyLock<Mutex<HashMap<u128, Result<Prepared, String>>>> = LazyLock::new(Default::default);

fn prepare(bytes: Vec<u8>, fit: renditions::Fit) -> Result<Prepared, String> {
    if !looks_like_svg(&bytes) {
        return check_raster(bytes, fit);
    }
    let key = typst::utils::hash128(&bytes);
    if let Some(done) = SANITISED.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return done.clone();
    }
    let result = sanitize_svg(&bytes);
    SANITISED.lock().unwrap_or_else(|e| e.into_inner()).insert(key, result.clone());
    result
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

fn check_raster(bytes: Vec<u8>, fit: renditions::Fit) -> Result<Prepared, String> {
    use image::ImageFormat as F;
    let format = match image::guess_format(&bytes) {
        Ok(F::Png) => ImageFormat::Png,
        Ok(F::Jpeg) => ImageFormat::Jpeg,
        Ok(F::Gif) => ImageFormat::Gif,
        Ok(F::WebP) => ImageFormat::Webp,
        Ok(other) => {
            return Err(format!(
                "is a {} image, which EPUB readers cannot show",
                other.extensions_str().first().unwrap_or(&"?").to_uppercase()
            ));
        }
        Err(_) => return Err("is not a PNG, JPEG, GIF, WebP or SVG image".into()),
    };
    let reader = || image::ImageReader::with_format(Cursor::new(bytes.as_slice()), image_format(format));
    // The header first: its claimed size decides whether decoding is affordable.
    let (width, height) = reader().into_dimensions().map_err(|err| format!("cannot be read ({err})"))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "is {width} × {height} pixels ({} megapixels); the limit is {} megapixels",
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        ));
    }
    // Decoded within limits, once, while its renditions are made.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let made = renditions::make(&Arc::from(bytes), format, fit, limits)?;
    Ok(Prepared {
        format: made.format,
        pdf: made.pdf,
        epub: made.epub,
        print: made.print,
        width: made.width,
        height: made.height,
        printed_mm: made.printed_mm,
    })
}

fn image_format(format: ImageFormat) -> image::ImageFormat {
    match format {
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::Webp => image::ImageFormat::WebP,
        ImageFormat::Svg => unreachable!("SVG is not decoded as a raster"),
    }
}

/// The bundled fonts for text inside SVG images (loaded on first use).
static SVG_FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    for (_, data) in crate::fonts::FONT_FILES {
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(*data)));
    }
    db.set_sans_serif_family("Noto Sans");
    db.set_serif_family("Noto Sans");
    db.set_monospace_family("Noto Sans Mono");
    Arc::new(db)
});

/// Re-serialises an SVG through usvg: only drawing survives.
fn sanitize_svg(bytes: &[u8]) -> Result<Prepared, String> {
    let options = usvg::Options {
        resources_dir: None,
        font_family: "Noto Sans".into(),
        fontdb: SVG_FONTS.clone(),
        image_href_resolver: usvg::ImageHrefResolver {
            // Embedded (data:) images stay; a file or web address is never followed.
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(bytes, &options).map_err(|err| format!("is not a readable SVG image ({err})"))?;
    let size = tree.size();
    let svg = tree.to_string(&usvg::WriteOptions::default());
    // Pictures embedded in the drawing count against the same budget as a photo.
    let pixels = embedded_pixels(&svg, 0)?;
    if pixels > MAX_PIXELS {
        return Err(format!(
            "embeds pictures of {} megapixels; the limit is {} megapixels",
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        ));
    }
    let (width, height) = (size.width().ceil().clamp(1.0, 1e6) as u32, size.height().ceil().clamp(1.0, 1e6) as u32);
    // A drawing stays a drawing in every output.
    let bytes: Arc<[u8]> = svg.into_bytes().into();
    Ok(Prepared {
        format: ImageFormat::Svg,
        pdf: bytes.clone(),
        epub: renditions::ready(bytes.clone()),
        print: renditions::ready(bytes),
        width,
        height,
        printed_mm: 0.0,
    })
}

/// The pixels of every raster picture embedded (as `data:` URLs) in a
/// sanitised SVG, nested SVGs included, read from their headers.
fn embedded_pixels(svg: &str, depth: usize) -> Result<u64, String> {
    use base64::Engine;
    if depth > 4 {
        return Err("nests SVG pictures too deeply".into());
    }
    let mut total = 0u64;
    let mut rest = svg;
    while let Some(at) = rest.find("data:image/") {
        rest = &rest[at + "data:image/".len()..];
        let Some((media, after)) = rest.split_once(";base64,") else { break };
        // usvg writes a space after the comma.
        let after = after.trim_start();
        let end =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))).unwrap_or(after.len());
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&after[..end])
            .map_err(|_| "embeds a picture that cannot be read".to_string())?;
        rest = &after[end..];
        if media.starts_with("svg") {
            total += embedded_pixels(&String::from_utf8_lossy(&bytes), depth + 1)?;
            continue;
        }
        let (width, height) = image::ImageReader::new(Cursor::new(&bytes))
            .with_guessed_format()
            .map_err(|err| err.to_string())?
            .into_dimensions()
            .map_err(|err| format!("embeds a picture that cannot be read ({err})"))?;
        total = total.saturating_add(u64::from(width) * u64::from(height));
    }
    Ok(total)
}

/// A plain ASCII file name for an image, unique among `taken`.
fn published_name(src: &str, format: ImageFormat, taken: &mut BTreeSet<String>) -> String {
    let stem = Path::new(src).file_stem().and_then(|s| s.to_str()).unwrap_or("image");
    let slug: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    let slug: String = if slug.is_empty() { "image".into() } else { slug.chars().take(60).collect() };
    let mut name = format!("{slug}.{}", format.extension());
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{slug}-{n}.{}", format.extension());
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIG: renditions::Fit = renditions::Fit { width_mm: 120.0, height_mm: FIGURE_MAX_HEIGHT_MM, cover: false };

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().unwrap();
        let row = (width as usize).div_ceil(8);
        writer.write_image_data(&vec![0u8; row * height as usize]).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn a_claimed_size_past_the_budget_is_refused_before_decoding() {
        let mut bytes = png(1, 1);
        // Rewrite the header's size to 60000 × 60000 (and its checksum).
        bytes[16..20].copy_from_slice(&60000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&60000u32.to_be_bytes());
        let crc = crc32fast::hash(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = check_raster(bytes, FIG).unwrap_err();
        assert!(err.contains("60000 × 60000 pixels (3600 megapixels)"), "{err}");
    }

    #[test]
    fn formats_come_from_the_content_and_broken_files_are_refused() {
        let prepared = check_raster(png(3, 2), FIG).unwrap();
        assert_eq!((prepared.format, prepared.width, prepared.height), (ImageFormat::Png, 3, 2));
        assert!(check_raster(b"just some text".to_vec(), FIG).unwrap_err().contains("is not a PNG"));
        let mut truncated = png(64, 64);
        truncated.truncate(truncated.len() - 20);
        assert!(check_raster(truncated, FIG).is_err());
        assert!(check_raster(b"II*\0rest-of-a-tiff".to_vec(), FIG).unwrap_err().contains("TIFF"));
    }

    #[test]
    fn svg_loses_scripts_events_and_external_references() {
        let hostile = br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" onload="alert(1)">
            <style>@import url(https://evil.example/x.css);</style>
            <script>alert(2)</script>
            <a xlink:href="javascript:alert(3)"><rect width="10" height="10" fill="red"/></a>
            <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>
            <image xlink:href="https://evil.example/p.png" width="5" height="5"/>
            <text x="1" y="15">Hi</text>
        </svg>"#;
        let prepared = sanitize_svg(hostile).unwrap();
        let svg = String::from_utf8(prepared.pdf.to_vec()).unwrap();
        for bad in ["script", "onload", "javascript:", "@import", "foreignObject", "evil.example", "iframe"] {
            assert!(!svg.contains(bad), "{bad} survived:\n{svg}");
        }
        assert!(svg.contains("<path"), "the drawing and the text outlines stay:\n{svg}");
        assert_eq!((prepared.width, prepared.height), (40, 20));
    }

    #[test]
    fn pictures_embedded_in_an_svg_count_against_the_budget() {
        use base64::Engine;
        let mut claim = png(1, 1);
        claim[16..20].copy_from_slice(&60000u32.to_be_bytes());
        claim[20..24].copy_from_slice(&60000u32.to_be_bytes());
        let crc = crc32fast::hash(&claim[12..29]);
        claim[29..33].copy_from_slice(&crc.to_be_bytes());
        let data = base64::engine::general_purpose::STANDARD.encode(&claim);
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:image/png;base64,{data}" width="10" height="10"/></svg>"#
        );
        let err = sanitize_svg(svg.as_bytes()).unwrap_err();
        assert!(err.contains("embeds pictures of 3600 megapixels"), "{err}");
        // Inside an SVG inside the SVG, too.
        let inner = base64::engine::general_purpose::STANDARD.encode(svg.as_bytes());
        let outer = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:image/svg+xml;base64,{inner}" width="10" height="10"/></svg>"#
        );
        assert!(sanitize_svg(outer.as_bytes()).unwrap_err().contains("megapixels"));
        // A small embedded picture is fine.
        let small = base64::engine::general_purpose::STANDARD.encode(png(4, 4));
        let fine = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="data:image/png;base64,{small}" width="10" height="10"/></svg>"#
        );
        assert!(sanitize_svg(fine.as_bytes()).is_ok());
    }

    #[test]
    fn published_names_are_plain_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(published_name("images/My photo #1?.png", ImageFormat::Png, &mut taken), "my-photo-1.png");
        assert_eq!(published_name("other/my-photo-1.png", ImageFormat::Png, &mut taken), "my-photo-1-2.png");
        assert_eq!(published_name("images/a\\b.JPG", ImageFormat::Jpeg, &mut taken), "a-b.jpg");
    }
}
