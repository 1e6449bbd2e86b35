//! The fonts in `fonts/`, built into the binary: output never depends on the
//! fonts of the machine. Parsed once per process, on first use. An edition
//! may add fonts of its own in its `fonts/` folder.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use sha2::Digest;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::diag::{Diagnostic, Diagnostics, Failed};

/// Every bundled font file: its name in `fonts/` and its bytes.
pub const FONT_FILES: &[(&str, &[u8])] = &[
    ("NotoSans-Regular.ttf", include_bytes!("../fonts/NotoSans-Regular.ttf")),
    ("NotoSans-Italic.ttf", include_bytes!("../fonts/NotoSans-Italic.ttf")),
    ("NotoSans-Bold.ttf", include_bytes!("../fonts/NotoSans-Bold.ttf")),
    ("NotoSans-BoldItalic.ttf", include_bytes!("../fonts/NotoSans-BoldItalic.ttf")),
    ("NotoNaskhArabic-Regular.ttf", include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf")),
    ("NotoNaskhArabic-Bold.ttf", include_bytes!("../fonts/NotoNaskhArabic-Bold.ttf")),
    ("NotoSansCJKsc-Regular-GB2312.otf", include_bytes!("../fonts/NotoSansCJKsc-Regular-GB2312.otf")),
    ("NotoSansCJKsc-Bold-GB2312.otf", include_bytes!("../fonts/NotoSansCJKsc-Bold-GB2312.otf")),
    ("NotoSansMono-Regular.ttf", include_bytes!("../fonts/NotoSansMono-Regular.ttf")),
    // Scripts a story may quote: a name, a place, a saying.
    ("NotoSansHebrew-Regular.ttf", include_bytes!("../fonts/NotoSansHebrew-Regular.ttf")),
    ("NotoSansHebrew-Bold.ttf", include_bytes!("../fonts/NotoSansHebrew-Bold.ttf")),
    ("NotoSansDevanagari-Regular.ttf", include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf")),
    ("NotoSansDevanagari-Bold.ttf", include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf")),
    ("NotoSansThai-Regular.ttf", include_bytes!("../fonts/NotoSansThai-Regular.ttf")),
    ("NotoSansThai-Bold.ttf", include_bytes!("../fonts/NotoSansThai-Bold.ttf")),
    ("NotoSansArmenian-Regular.ttf", include_bytes!("../fonts/NotoSansArmenian-Regular.ttf")),
    ("NotoSansArmenian-Bold.ttf", include_bytes!("../fonts/NotoSansArmenian-Bold.ttf")),
    ("NotoSansGeorgian-Regular.ttf", include_bytes!("../fonts/NotoSansGeorgian-Regular.ttf")),
    ("NotoSansGeorgian-Bold.ttf", include_bytes!("../fonts/NotoSansGeorgian-Bold.ttf")),
    // Check boxes of task lists (☐ ☑), arrows, stars, dingbats.
    ("NotoSansSymbols2-Regular.ttf", include_bytes!("../fonts/NotoSansSymbols2-Regular.ttf")),
    ("NotoEmoji-Regular.ttf", include_bytes!("../fonts/NotoEmoji-Regular.ttf")),
];

/// Parsed fonts and typst's index of them.
pub struct FontStore {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
    /// Identifies the set of fonts: 0 for the bundled ones alone.
    pub id: u128,
}

impl FontStore {
    fn new(fonts: Vec<Font>, id: u128) -> Self {
        let book = FontBook::from_fonts(&fonts);
        Self { book: LazyHash::new(book), fonts, id }
    }

    /// Whether some font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.fonts.iter().any(|font| font.info().coverage.contains(c as u32))
    }
}

static BUNDLED: LazyLock<Arc<FontStore>> = LazyLock::new(|| {
    let fonts = FONT_FILES.iter().flat_map(|(_, data)| Font::iter(Bytes::new(*data))).collect();
    Arc::new(FontStore::new(fonts, 0))
});

/// The bundled fonts, parsed on first use and shared by every edition.
pub fn bundled() -> Arc<FontStore> {
    BUNDLED.clone()
}

/// Font files an edition may add in its own `fonts/` folder.
const FONT_EXTENSIONS: &[&str] = &["ttf", "otf", "ttc", "otc"];

/// The bundled fonts plus those in the edition's `fonts/` folder (for a
/// script the bundled ones lack); an edition's font comes first, so it can
/// also replace a bundled family.
pub fn for_edition(edition: &Path, diags: &mut Diagnostics) -> Result<Arc<FontStore>, Failed> {
    let paths = edition_font_files(edition);
    if paths.is_empty() {
        return Ok(bundled());
    }
    let mut fonts = Vec::new();
    let mut hasher = sha2::Sha256::new();
    for path in paths {
        if let Err(reason) = crate::files::confine(edition, &path) {
            diags.push(Diagnostic::error(format!("the font file {reason}")).in_file(&path));
            continue;
        }
        let data = match crate::files::read(edition, &path, crate::files::MAX_FONT_BYTES) {
            Ok(data) => data,
            Err(err) => {
                diags.push(Diagnostic::error(format!("the font file {err}")).in_file(&path));
                continue;
            }
        };
        if let Err(reason) = plausible(&data) {
            diags.push(Diagnostic::error(reason).in_file(&path).hint("use the font as its foundry publishes it"));
            continue;
        }
        hasher.update(&data);
        let before = fonts.len();
        fonts.extend(Font::iter(Bytes::new(data)));
        if fonts.len() == before {
            diags.push(
                Diagnostic::error("not a font typst can read")
                    .in_file(&path)
                    .hint("use TrueType or OpenType fonts (.ttf, .otf, .ttc)"),
            );
        }
    }
    diags.check()?;
    fonts.extend(bundled().fonts.iter().cloned());
    let digest = hasher.finalize();
    let id = u128::from_le_bytes(digest[..16].try_into().expect("16 bytes")) | 1;
    Ok(Arc::new(FontStore::new(fonts, id)))
}

/// Most characters a font's character maps may claim in all: Unicode has
/// 1,114,112 code points, and a font lists each in a few maps at most. A
/// crafted map claiming every code point thousands of times would make
/// typst's index of the font take gigabytes.
const MAX_MAPPED_CHARACTERS: u64 = 4 * 0x11_0000;
/// Most faces in one font collection, and character maps in one face.
const MAX_FACES: u32 = 64;
const MAX_CHARACTER_MAPS: usize = 16;

/// Refuses a font whose tables would cost more to index than any real font.
fn plausible(data: &[u8]) -> Result<(), String> {
    let faces = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    if faces > MAX_FACES {
        return Err(format!("the font collection holds {faces} fonts; the limit is {MAX_FACES}"));
    }
    for index in 0..faces {
        let Ok(face) = ttf_parser::Face::parse(data, index) else { continue };
        let Some(cmap) = face.tables().cmap else { continue };
        let maps: Vec<_> = cmap.subtables.into_iter().filter(|s| s.is_unicode()).collect();
        if maps.len() > MAX_CHARACTER_MAPS {
            return Err(format!("the font has {} character maps; the limit is {MAX_CHARACTER_MAPS}", maps.len()));
        }
        let mut claimed = 0u64;
        for map in maps {
            map.codepoints(|_| claimed += 1);
            if claimed > MAX_MAPPED_CHARACTERS {
                return Err("the font's character maps claim more characters than Unicode has".into());
            }
        }
    }
    Ok(())
}

/// The font files in an edition's `fonts/` folder, sorted.
pub fn edition_font_files(edition: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(edition.join("fonts")) else { return vec![] };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| FONT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_cover_latin_cyrillic_and_arabic() {
        let fonts = bundled();
        for c in ['a', 'é', 'ć', 'Ж', 'ب', '“', '–', '中', '。', '`'] {
            assert!(fonts.covers(c), "{c} U+{:04X} is not covered", c as u32);
        }
        assert!(!fonts.covers('\u{13000}'), "Egyptian hieroglyphs are not bundled");
    }
}
