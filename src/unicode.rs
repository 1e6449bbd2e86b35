//! Classes of characters the checks need: which need a glyph, which a PDF/A
//! file may not contain, which reorder text.

/// Characters that need no glyph: spaces, controls and format characters
/// that shaping consumes (joiners, direction marks, soft hyphens …).
pub fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}'))
}

/// The bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): they can make text display in another order than it is
/// stored (a spoofing risk), and an unterminated one runs on.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why a PDF/A or PDF/UA file may not contain a character, whatever the
/// font: control characters (but tab and line ends), a byte order mark,
/// non-characters, and private-use code points.
pub fn forbidden(c: char) -> Option<&'static str> {
    match c {
        '\t' | '\n' | '\r' => None,
        '\u{FEFF}' => Some("a byte order mark inside the text"),
        c if c.is_control() => Some("a control character"),
        '\u{FFFE}' | '\u{FFFF}' => Some("a non-character"),
        '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}' => {
            Some("a private-use character, which means nothing outside one font")
        }
        _ => None,
    }
}

/// The controls that close what `text` leaves open of bidirectional
/// embeddings, overrides (closed by U+202C) and isolates (by U+2069),
/// innermost first: appended at the end of a paragraph, an override
/// written there cannot run on into what follows.
pub fn bidi_closers<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut open: Vec<char> = Vec::new();
    for c in texts.into_iter().flat_map(str::chars) {
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push('\u{202C}'),
            '\u{2066}'..='\u{2068}' => open.push('\u{2069}'),
            '\u{202C}' if open.last() == Some(&'\u{202C}') => {
                open.pop();
            }
            // A PDI closes its isolate and whatever was opened inside it.
            '\u{2069}' if open.contains(&'\u{2069}') => while open.pop() != Some('\u{2069}') {},
            _ => {}
        }
    }
    open.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_overrides_and_isolates_are_closed_innermost_first() {
        assert_eq!(bidi_closers(["a\u{202E}b", "c"]), "\u{202C}");
        assert_eq!(bidi_closers(["\u{2067}x\u{202D}y"]), "\u{202C}\u{2069}");
        assert_eq!(bidi_closers(["\u{202E}x\u{202C} \u{2066}y\u{2069}"]), "");
        // A PDI closes the override opened inside its isolate.
        assert_eq!(bidi_closers(["\u{202B}\u{2068}x\u{202E}y\u{2069}"]), "\u{202C}");
        assert_eq!(bidi_closers(["plain text"]), "");
    }
}
