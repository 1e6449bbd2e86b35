//! Typographic clean-up of printed text, the same for every output: what a
//! copy editor would mark without touching the wording.
//!
//! - a hyphen with a space on each side, between words, becomes an en dash
//!   ("2018 - 2020", "recalls - Mariana" → "–");
//! - a hyphen between a single letter and a number does not break ("A‑1400"),
//!   nor does a slash between numbers ("9/11");
//! - a number and its unit stay on one line ("30 km", "20 %");
//! - the copyright sign is followed by a space ("©The" → "© The");
//! - a run-in heading's trailing colon ("Tools for engagement :") is not
//!   printed: a heading is not the start of a sentence.
//!
//! Straight quotes become the language's quotation marks separately, when the
//! edition asks for it (`smart-quotes`).

/// A non-breaking hyphen.
const NON_BREAKING_HYPHEN: char = '\u{2011}';
/// A word joiner: no line break on either side.
const WORD_JOINER: char = '\u{2060}';
/// A no-break space.
const NO_BREAK_SPACE: char = '\u{00A0}';

/// Units that must not be separated from their number.
const UNITS: &[&str] = &["%", "km", "m", "cm", "mm", "kg", "g", "ha", "km²", "m²", "°C", "per"];

/// Cleans up a run of printed text (never code).
pub fn refine(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        match c {
            // " - " between words: an en dash.
            '-' if before == Some(' ') && after == Some(' ') => out.push('–'),
            // "A-1400": a letter alone before the hyphen, a digit after it.
            '-' if after.is_some_and(|a| a.is_ascii_digit())
                && before.is_some_and(char::is_alphabetic)
                && i.checked_sub(2).map(|j| chars[j]).is_none_or(|b| !b.is_alphanumeric()) =>
            {
                out.push(NON_BREAKING_HYPHEN)
            }
            // "9/11": no break around the slash.
            '/' if before.is_some_and(|b| b.is_ascii_digit()) && after.is_some_and(|a| a.is_ascii_digit()) => {
                out.push(WORD_JOINER);
                out.push('/');
                out.push(WORD_JOINER);
            }
            // "30 km": the space after a number, before a unit.
            ' ' if before.is_some_and(|b| b.is_ascii_digit()) && unit_follows(&chars[i + 1..]) => {
                out.push(NO_BREAK_SPACE)
            }
            '©' => {
                out.push('©');
                if after.is_some_and(char::is_alphanumeric) {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether the characters start with a unit followed by the end of the word.
fn unit_follows(rest: &[char]) -> bool {
    UNITS.iter().any(|unit| {
        let unit: Vec<char> = unit.chars().collect();
        rest.starts_with(&unit) && rest.get(unit.len()).is_none_or(|c| !c.is_alphanumeric())
    })
}

/// A heading's text without its trailing colon (and the space before it).
pub fn heading(text: &str) -> Option<String> {
    let trimmed = text.trim_end();
    let without = trimmed.strip_suffix(':').or_else(|| trimmed.strip_suffix('：'))?;
    Some(without.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_hyphens_become_dashes_and_hyphenated_words_stay() {
        assert_eq!(refine("2018 - 2020 and anti-corruption"), "2018 – 2020 and anti-corruption");
        assert_eq!(refine("Albania,\" - recalls Mariana"), "Albania,\" – recalls Mariana");
    }

    #[test]
    fn what_must_not_break_does_not() {
        assert_eq!(refine("A-1400 Vienna"), "A\u{2011}1400 Vienna");
        assert_eq!(refine("SE4U-2 and COVID-19"), "SE4U-2 and COVID-19", "only a letter alone before the hyphen");
        assert_eq!(
            refine("after 9/11, 30 km and 20 % of 300 citations"),
            "after 9\u{2060}/\u{2060}11, 30\u{a0}km and 20\u{a0}% of 300 citations"
        );
    }

    #[test]
    fn the_copyright_sign_gets_its_space() {
        assert_eq!(refine("©The designations"), "© The designations");
        assert_eq!(refine("© UNODC"), "© UNODC");
    }

    #[test]
    fn run_in_headings_lose_their_colon() {
        assert_eq!(heading("Tools for engagement :").as_deref(), Some("Tools for engagement"));
        assert_eq!(
            heading("Integrity Pledges, Codes of Conduct:").as_deref(),
            Some("Integrity Pledges, Codes of Conduct")
        );
        assert_eq!(heading("建议："), Some("建议".to_string()));
        assert_eq!(heading("What More Could Be Done"), None);
    }
}
