//! Renditions of a raster image, one per output: the screen PDF's at no
//! more than 300 ppi at the size it is printed, the EPUB's at a longest side
//! of 1600 pixels, the print PDF's at full resolution. Each is made once per
//! image per process (cached by content hash and target size), oriented
//! upright (EXIF), carrying the original's colour profile, encoded as JPEG
//! for photographs and PNG for graphics. An image that needs no change is
//! published as given, byte for byte; every encoding is deterministic.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, LazyLock, Mutex};

use image::{DynamicImage, ImageDecoder, ImageEncoder};

use super::ImageFormat;

/// The screen PDF's resolution for photos, in pixels per inch at the printed size.
pub const PDF_PPI: f64 = 250.0;
/// Above this, a photo in the screen PDF is reduced (to [`PDF_PPI`]).
pub const PDF_MAX_PPI: f64 = 300.0;
/// Below this, a photo prints visibly soft: a warning.
pub const MIN_PPI: f64 = 150.0;
/// The EPUB's longest side, in pixels.
pub const EPUB_LONGEST: u32 = 1600;
/// Up to this longest side an EPUB image is published as it is.
pub const EPUB_MAX_LONGEST: u32 = 2000;
/// JPEG quality of reduced photos (visually lossless at reading size).
const JPEG_QUALITY: u8 = 85;
/// JPEG quality of a full-resolution photo re-encoded for print (a PNG photo, a turned one).
const PRINT_JPEG_QUALITY: u8 = 95;
/// More distinct colours than this (and no transparency): a photograph.
const PHOTO_COLOURS: usize = 4096;

/// The three renditions of one image.
#[derive(Debug, Clone)]
pub struct Renditions {
    /// The format every rendition is published in.
    pub format: ImageFormat,
    pub pdf: Arc<[u8]>,
    /// Encoded when first asked for.
    pub epub: Lazy,
    /// Every pixel of the original; re-encoded, when needed, when first asked for.
    pub print: Lazy,
    /// The upright image's size in pixels.
    pub width: u32,
    pub height: u32,
    /// Its printed width in the screen PDF, in mm.
    pub printed_mm: f64,
}

/// The box an image is printed into, in the screen PDF: as wide as it can
/// be within both (a figure: the text column, and at most 11 cm tall).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub width_mm: f64,
    pub height_mm: f64,
    /// Whether the image covers the box (cropped) rather than fitting inside it.
    pub cover: bool,
}

impl Fit {
    /// The printed width of an image of this size.
    pub fn width_for(self, width: u32, height: u32) -> f64 {
        let at_full_height = self.height_mm * f64::from(width) / f64::from(height.max(1));
        if self.cover { self.width_mm.max(at_full_height) } else { self.width_mm.min(at_full_height) }
    }
}

/// The effective resolution of `pixels` printed across `width_mm`.
pub fn ppi(pixels: u32, width_mm: f64) -> f64 {
    f64::from(pixels) / (width_mm / 25.4)
}

/// The EPUB's (and the web edition's) size of an image: the original, or
/// 1600 pixels on its longest side when that is over 2000.
pub fn epub_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= EPUB_MAX_LONGEST {
        return (width, height);
    }
    let scale = f64::from(EPUB_LONGEST) / f64::from(longest);
    let scaled = |n: u32| (f64::from(n) * scale).round().max(1.0) as u32;
    (scaled(width), scaled(height))
}

type Key = (u128, u64, u64, bool);

/// Renditions by content hash and printed width: made once per process.
static MADE: LazyLock<Mutex<HashMap<Key, Result<Renditions, String>>>> = LazyLock::new(Default::default);

/// The renditions of a checked raster image (`format` as recognised).
pub fn make(bytes: &Arc<[u8]>, format: ImageFormat, fit: Fit, limits: image::Limits) -> Result<Renditions, String> {
    let key = (typst::utils::hash128(&bytes[..]), fit.width_mm.to_bits(), fit.height_mm.to_bits(), fit.cover);
    if let Some(done) = MADE.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return done.clone();
    }
    let made = render(bytes, format, fit, limits);
    MADE.lock().unwrap_or_else(|e| e.into_inner()).insert(key, made.clone());
    made
}

fn render(bytes: &Arc<[u8]>, format: ImageFormat, fit: Fit, limits: image::Limits) -> Result<Renditions, String> {
    let (image, icc, rotated) = decode(bytes, format, limits.clone())?;
    let (width, height) = (image.width(), image.height());
    let printed_mm = fit.width_for(width, height);
    let published = if format == ImageFormat::Jpeg || is_photo(&image) { ImageFormat::Jpeg } else { ImageFormat::Png };
    // Published as given when the format stays and nothing is turned.
    let as_given = published == format && !rotated;
    let height_at = |w: u32| (f64::from(height) * f64::from(w) / f64::from(width)).round().max(1.0) as u32;

    let pdf_width = if ppi(width, printed_mm) > PDF_MAX_PPI {
        (printed_mm / 25.4 * PDF_PPI).round().max(1.0) as u32
    } else {
        width
    };
    let epub_width = epub_size(width, height).0;
    // The image at a width: the original when nothing changes, else resized
    // (never enlarged) and encoded.
    let sized = |target: u32| -> Result<Option<DynamicImage>, String> {
        match (target >= width, as_given) {
            (true, true) => Ok(None),
            (true, false) => Ok(Some(image.clone())),
            (false, _) => resize(&image, target, height_at(target)).map(Some),
        }
    };
    let pdf = match sized(pdf_width)? {
        None => bytes.clone(),
        Some(image) => encode(&image, published, icc.as_deref(), JPEG_QUALITY)?.into(),
    };
    // The EPUB's is encoded when first asked for (the build does it while
    // typst lays the pages out); resized now, while the image is decoded.
    let epub = if epub_width == pdf_width {
        ready(pdf.clone())
    } else {
        match sized(epub_width)? {
            None => ready(bytes.clone()),
            Some(image) => {
                let icc = icc.clone();
                Lazy::new(LazyLock::new(Box::new(move || {
                    encode(&image, published, icc.as_deref(), JPEG_QUALITY).map(Arc::from)
                })))
            }
        }
    };
    // Print wants every pixel: the original when it can be published as
    // given, else re-encoded (decoded again) when a print edition is built.
    let print = if as_given {
        ready(bytes.clone())
    } else {
        let original = bytes.clone();
        Lazy::new(LazyLock::new(Box::new(move || {
            decode(&original, format, limits)
                .and_then(|(image, icc, _)| encode(&image, published, icc.as_deref(), PRINT_JPEG_QUALITY))
                .map(Arc::from)
        })))
    };
    Ok(Renditions { format: published, pdf, epub, print, width, height, printed_mm })
}

/// A rendition made when first asked for, once, whoever asks.
pub type Lazy = Arc<LazyLock<Result<Arc<[u8]>, String>, Box<dyn FnOnce() -> Result<Arc<[u8]>, String> + Send>>>;

/// A rendition that is already made.
pub fn ready(bytes: Arc<[u8]>) -> Lazy {
    Lazy::new(LazyLock::new(Box::new(move || Ok(bytes))))
}

/// The image at another size (Lanczos 3, SIMD), as 8-bit RGB or RGBA.
fn resize(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, String> {
    let source = match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => std::borrow::Cow::Borrowed(image),
        other if other.color().has_alpha() => std::borrow::Cow::Owned(DynamicImage::ImageRgba8(other.to_rgba8())),
        other => std::borrow::Cow::Owned(DynamicImage::ImageRgb8(other.to_rgb8())),
    };
    let failed = |err: &dyn std::fmt::Display| format!("cannot be resized ({err})");
    let pixel_type =
        fast_image_resize::IntoImageView::pixel_type(source.as_ref()).ok_or_else(|| failed(&"pixel type"))?;
    let mut resized = fast_image_resize::images::Image::new(width, height, pixel_type);
    fast_image_resize::Resizer::new().resize(source.as_ref(), &mut resized, None).map_err(|e| failed(&e))?;
    let buffer = resized.into_vec();
    let image = if source.color().has_alpha() {
        image::RgbaImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgba8)
    } else {
        image::RgbImage::from_raw(width, height, buffer).map(DynamicImage::ImageRgb8)
    };
    image.ok_or_else(|| failed(&"buffer size"))
}

/// Decodes upright: the image, its colour profile, and whether it was turned.
fn decode(
    bytes: &[u8],
    format: ImageFormat,
    limits: image::Limits,
) -> Result<(DynamicImage, Option<Vec<u8>>, bool), String> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), super::image_format(format));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|err| format!("cannot be decoded ({err})"))?;
    let icc = decoder.icc_profile().ok().flatten().filter(|icc| !icc.is_empty());
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| format!("cannot be decoded ({err})"))?;
    let rotated = orientation != image::metadata::Orientation::NoTransforms;
    image.apply_orientation(orientation);
    Ok((image, icc, rotated))
}

/// Whether an image is a photograph (many colours, no transparency) rather
/// than a graphic, which PNG keeps sharp and small.
fn is_photo(image: &DynamicImage) -> bool {
    use image::GenericImageView;
    let transparent = image.color().has_alpha();
    let mut colours = std::collections::HashSet::new();
    // One pass over the pixels in place: any transparency makes a graphic;
    // every 7th pixel is enough to count a photograph's colours.
    for (index, (_, _, pixel)) in image.pixels().enumerate() {
        if transparent && pixel[3] < 255 {
            return false;
        }
        if index % 7 == 0 && colours.len() <= PHOTO_COLOURS {
            colours.insert([pixel[0], pixel[1], pixel[2]]);
            if colours.len() > PHOTO_COLOURS && !transparent {
                return true;
            }
        }
    }
    colours.len() > PHOTO_COLOURS
}

fn encode(image: &DynamicImage, format: ImageFormat, icc: Option<&[u8]>, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let failed = |err: image::ImageError| format!("cannot be re-encoded ({err})");
    match format {
        ImageFormat::Jpeg => {
            // JPEG has no transparency: flattened onto white. jpeg-encoder
            // (integer DCT, the same result with or without SIMD) is several
            // times faster than image's own encoder.
            let rgb = flatten(image);
            let too_large = || "cannot be re-encoded (JPEG takes at most 65535 × 65535 pixels)".to_string();
            let width = u16::try_from(rgb.width()).map_err(|_| too_large())?;
            let height = u16::try_from(rgb.height()).map_err(|_| too_large())?;
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
            if let Some(icc) = icc {
                // A profile the encoder refuses is left out rather than failing the build.
                let _ = encoder.add_icc_profile(icc);
            }
            encoder
                .encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
                .map_err(|err| format!("cannot be re-encoded ({err})"))?;
        }
        _ => {
            let mut encoder = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            let rgba = image.to_rgba8();
            encoder
                .write_image(rgba.as_raw(), rgba.width(), rgba.height(), image::ExtendedColorType::Rgba8)
                .map_err(failed)?;
        }
    }
    Ok(out)
}

/// The image on a white ground, as 8-bit RGB.
fn flatten(image: &DynamicImage) -> image::RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([over(p[0]), over(p[1]), over(p[2])])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photograph-like image: a smooth gradient with noise.
    fn photo(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            let n = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) % 23;
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y + n) % 256) as u8])
        }))
    }

    /// A figure in the 120 mm text column, at most 110 mm tall.
    const FIG: Fit = Fit { width_mm: 120.0, height_mm: 110.0, cover: false };

    fn jpeg(image: &DynamicImage) -> Arc<[u8]> {
        encode(image, ImageFormat::Jpeg, None, 90).unwrap().into()
    }

    fn size(bytes: &[u8]) -> (u32, u32) {
        image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().into_dimensions().unwrap()
    }

    #[test]
    fn a_large_photo_is_reduced_for_the_screen_and_kept_for_print() {
        let original = jpeg(&photo(3000, 2000));
        let made = make(&original, ImageFormat::Jpeg, FIG, image::Limits::default()).unwrap();
        // 120 mm at 250 ppi.
        assert_eq!(size(&made.pdf), (1181, 787));
        assert_eq!(size(&LazyLock::force(&made.epub).clone().unwrap()), (1600, 1067));
        assert_eq!(LazyLock::force(&made.print).clone().unwrap(), original, "print gets the photo as given");
        assert!(made.pdf.len() < original.len() / 3);
        // Reproducible: made again from scratch, byte for byte.
        let again = render(&original, ImageFormat::Jpeg, FIG, image::Limits::default()).unwrap();
        assert_eq!(again.pdf, made.pdf);
        assert_eq!(LazyLock::force(&again.epub).clone(), LazyLock::force(&made.epub).clone());
    }

    #[test]
    fn a_small_image_is_published_as_given() {
        let original = jpeg(&photo(240, 160));
        let made = make(&original, ImageFormat::Jpeg, FIG, image::Limits::default()).unwrap();
        assert_eq!(made.pdf, original);
        assert_eq!(LazyLock::force(&made.epub).clone().unwrap(), original);
        assert!(ppi(240, made.printed_mm) < MIN_PPI);
    }

    #[test]
    fn photos_become_jpeg_and_graphics_stay_png() {
        let png = |image: &DynamicImage| -> Arc<[u8]> { encode(image, ImageFormat::Png, None, 0).unwrap().into() };
        let photo_png = make(&png(&photo(2400, 1600)), ImageFormat::Png, FIG, image::Limits::default()).unwrap();
        assert_eq!(photo_png.format, ImageFormat::Jpeg);
        let print = LazyLock::force(&photo_png.print).clone().unwrap();
        assert_eq!(image::guess_format(&print).unwrap(), image::ImageFormat::Jpeg);
        assert_eq!(size(&print), (2400, 1600), "print keeps every pixel");
        let chart = DynamicImage::ImageRgb8(image::RgbImage::from_fn(2400, 1600, |x, _| {
            if x < 1200 { image::Rgb([10, 124, 193]) } else { image::Rgb([255, 255, 255]) }
        }));
        let graphic = make(&png(&chart), ImageFormat::Png, FIG, image::Limits::default()).unwrap();
        assert_eq!(graphic.format, ImageFormat::Png);
        assert_eq!(image::guess_format(&graphic.pdf).unwrap(), image::ImageFormat::Png);
    }

    #[test]
    fn a_webp_photo_is_reduced_like_any_other() {
        let mut webp = Vec::new();
        let original = photo(3000, 2000);
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(original.as_bytes(), 3000, 2000, image::ExtendedColorType::Rgb8)
            .unwrap();
        let made = make(&webp.into(), ImageFormat::Webp, FIG, image::Limits::default()).unwrap();
        assert_eq!(made.format, ImageFormat::Jpeg);
        assert_eq!(image::guess_format(&made.pdf).unwrap(), image::ImageFormat::Jpeg);
        assert_eq!(size(&made.pdf), (1181, 787));
        assert_eq!(size(&LazyLock::force(&made.print).clone().unwrap()), (3000, 2000));
    }

    #[test]
    fn the_colour_profile_goes_with_every_rendition() {
        let icc: Vec<u8> = (0..=255u8).cycle().take(600).collect();
        let profile_of = |bytes: &[u8]| {
            let mut decoder =
                image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().into_decoder().unwrap();
            decoder.icc_profile().unwrap()
        };
        // A JPEG, reduced; a PNG photo, made a JPEG.
        let mut jpeg_bytes = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg_bytes, 90);
        encoder.set_icc_profile(icc.clone()).unwrap();
        encoder.encode_image(&photo(3000, 2000)).unwrap();
        let mut png_bytes = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut png_bytes);
        encoder.set_icc_profile(icc.clone()).unwrap();
        encoder.write_image(photo(2400, 1600).as_bytes(), 2400, 1600, image::ExtendedColorType::Rgb8).unwrap();
        for (bytes, format) in [(jpeg_bytes, ImageFormat::Jpeg), (png_bytes, ImageFormat::Png)] {
            let made = make(&bytes.into(), format, FIG, image::Limits::default()).unwrap();
            assert_eq!(profile_of(&made.pdf), Some(icc.clone()), "{format:?} for the screen PDF");
            assert_eq!(
                profile_of(&LazyLock::force(&made.epub).clone().unwrap()),
                Some(icc.clone()),
                "{format:?} for the EPUB"
            );
            assert_eq!(
                profile_of(&LazyLock::force(&made.print).clone().unwrap()),
                Some(icc.clone()),
                "{format:?} for print"
            );
        }
    }

    #[test]
    fn exif_orientation_is_applied() {
        // A 40 × 20 JPEG whose EXIF says "rotate 90° clockwise" prints 20 × 40.
        let mut bytes = jpeg(&photo(40, 20)).to_vec();
        // APP1 Exif segment: big-endian TIFF, one IFD entry, Orientation (0x0112) = 6.
        let tiff: [u8; 26] =
            [b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
        let mut app1 = vec![0xFF, 0xE1];
        let length = (2 + 6 + tiff.len()) as u16;
        app1.extend_from_slice(&length.to_be_bytes());
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        bytes.splice(2..2, app1);
        let made = make(&bytes.into(), ImageFormat::Jpeg, FIG, image::Limits::default()).unwrap();
        assert_eq!((made.width, made.height), (20, 40));
        assert_eq!(size(&made.pdf), (20, 40), "turned, so re-encoded upright");
    }
}
