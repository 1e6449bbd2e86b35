//! The fonts in `fonts/`, built into the binary: output never depends on the
//! fonts of the machine. Parsed once per process, on first use.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

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
];

/// The parsed fonts and typst's index of them.
pub struct FontStore {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

static STORE: LazyLock<FontStore> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES.iter().flat_map(|(_, data)| Font::iter(Bytes::new(*data))).collect();
    let book = FontBook::from_fonts(&fonts);
    FontStore { book: LazyHash::new(book), fonts }
});

/// The bundled fonts, parsed on first use.
pub fn store() -> &'static FontStore {
    &STORE
}

/// Whether some bundled font has a glyph for `c`.
pub fn covers(c: char) -> bool {
    store().fonts.iter().any(|font| font.info().coverage.contains(c as u32))
}

/// Characters that need no glyph: spaces, controls and format characters
/// that shaping consumes (joiners, direction marks, soft hyphens …).
pub fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_cover_latin_cyrillic_and_arabic() {
        for c in ['a', 'é', 'ć', 'Ж', 'ب', '“', '–', '中', '。', '`'] {
            assert!(covers(c), "{c} U+{:04X} is not covered", c as u32);
        }
        assert!(!covers('\u{13000}'), "Egyptian hieroglyphs are not bundled");
    }
}
