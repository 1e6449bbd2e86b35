//! Photos as a new editor brings them: phone-sized, with a photograph's
//! detail and grain (so that they compress like photographs, not like flat
//! drawings), placed in three stories of a copy of the 2026 edition.

use std::path::Path;

/// A photograph-like picture: soft shapes under light and grain.
pub fn picture(width: u32, height: u32) -> image::RgbImage {
    let mut seed = 0x2545_f491_u32;
    image::RgbImage::from_fn(width, height, |x, y| {
        // xorshift: the grain.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let grain = (seed % 25) as f64 - 12.0;
        let (u, v) = (f64::from(x) / f64::from(width), f64::from(y) / f64::from(height));
        let light = 0.5 + 0.5 * (6.0 * u + 3.0 * v).sin() * (4.0 * v - 2.0 * u).cos();
        let channel = |phase: f64| {
            (40.0 + 180.0 * light * (0.75 + 0.25 * (9.0 * u + phase).sin()) + grain).clamp(0.0, 255.0) as u8
        };
        image::Rgb([channel(0.0), channel(2.0), channel(4.0)])
    })
}

/// The picture as a JPEG straight from a phone (quality 92).
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92).encode_image(&picture(width, height)).unwrap();
    out
}

/// The picture saved as PNG (a screenshot or an export).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    picture(width, height).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The stories that get a photo, the photo's file, its size and its caption.
pub const PLACED: [(&str, &str, (u32, u32), &str); 3] = [
    ("stories/haiti-rapha-gitoc.md", "workshop.jpg", (3000, 2000), "A field workshop supported by the Resilience Fund"),
    ("stories/malawi-cost.md", "meeting.png", (2400, 1600), "The Malawi Chapter of CoST at a meeting"),
    ("stories/uganda-uydel.md", "small.jpg", (240, 160), "A UYDEL drop-in centre in Kampala"),
];

/// Copies `content/en` into `to` with a 3000 × 2000 JPEG, a 2400 × 1600 PNG
/// and a 240 × 160 JPEG placed in three stories (after their third paragraph).
pub fn edition_with_photos(root: &Path, to: &Path) {
    super::copy_tree(&root.join("content/en"), to);
    std::fs::create_dir_all(to.join("images")).unwrap();
    for (story, file, (width, height), caption) in PLACED {
        let bytes = if file.ends_with(".png") { png(width, height) } else { jpeg(width, height) };
        std::fs::write(to.join("images").join(file), bytes).unwrap();
        let path = to.join(story);
        let text = std::fs::read_to_string(&path).unwrap();
        let (head, body) = text.split_once("\n+++\n").unwrap();
        let mut paragraphs: Vec<&str> = body.split("\n\n").collect();
        let figure = format!("![{caption}](../images/{file})\n{caption}");
        paragraphs.insert(3, &figure);
        std::fs::write(&path, format!("{head}\n+++\n{}", paragraphs.join("\n\n"))).unwrap();
    }
}

/// The 1-based line of a story's figure.
pub fn figure_line(edition: &Path, story: &str, file: &str) -> usize {
    let text = std::fs::read_to_string(edition.join(story)).unwrap();
    text.lines().position(|l| l.contains(&format!("../images/{file})"))).unwrap() + 1
}
