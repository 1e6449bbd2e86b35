//! The theme: the colours, type sizes, paper and measures of the design, in
//! one file (`layouts/theme.toml`, replaceable per edition like any layout
//! file). The typst layout reads it from the data (`data.theme`), and the
//! EPUB stylesheet's `var(--name)` values are filled in from it, so a
//! single change restyles both outputs.
//!
//! Keys are kebab-case in the TOML file and snake_case in the data handed to
//! the layout (typst reads `theme.colours.accent`, `theme.page.width_mm`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostics, Failed, SourceFile};
use crate::layouts::LayoutFile;

/// The theme file's name in `layouts/`.
pub const THEME_FILE: &str = "theme.toml";

/// Every token of the design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Theme {
    pub page: Page,
    pub grid: Grid,
    pub text: Text,
    pub space: Space,
    pub colours: Colours,
    pub back: Back,
}

/// The paper and the text area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Page {
    pub width_mm: f64,
    pub height_mm: f64,
    pub margin_inside_mm: f64,
    pub margin_outside_mm: f64,
    pub margin_top_mm: f64,
    pub margin_bottom_mm: f64,
}

/// The side column beside the text column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Grid {
    pub side_column_mm: f64,
    pub gutter_mm: f64,
}

/// Vertical spacing around blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Space {
    /// Above and below quotes, figures, lists, in em.
    pub block_em: f64,
    pub heading_above_em: f64,
    pub heading_below_em: f64,
}

/// Type sizes and spacing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Text {
    /// Body text.
    pub size_pt: f64,
    /// Body text in Chinese, Japanese and Korean.
    pub size_cjk_pt: f64,
    /// Body text in the Arabic script (its x-height is smaller).
    pub size_arabic_pt: f64,
    /// Space between lines, in em of the text size.
    pub leading_em: f64,
    pub leading_cjk_em: f64,
    pub leading_arabic_em: f64,
    /// Space between paragraphs, in em.
    pub paragraph_spacing_em: f64,
    /// An entry's title.
    pub title_pt: f64,
    /// Headings inside an entry.
    pub heading_pt: f64,
    pub subheading_pt: f64,
    /// A story's number above its title.
    pub number_pt: f64,
    pub quote_pt: f64,
    pub caption_pt: f64,
    /// Text in the side column.
    pub side_pt: f64,
    /// Legal notices.
    pub legal_pt: f64,
    /// Running feet.
    pub foot_pt: f64,
    pub cover_title_pt: f64,
    pub cover_subtitle_pt: f64,
}

/// The palette. Each is `#RRGGBB`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Colours {
    /// Body text.
    pub ink: Colour,
    /// Titles, the cover and back page fields.
    pub navy: Colour,
    /// Numbers, rules, links.
    pub accent: Colour,
    /// The accent for small text: the accent itself when it has 4.5:1 on
    /// white, else darkened until it has (derived, not in the file).
    #[serde(skip_deserializing)]
    pub accent_text: Option<Colour>,
    /// The accent on dark reading themes (EPUB): must keep 4.5:1 on black.
    pub accent_on_dark: Colour,
    /// Background of quotes and the citation.
    pub tint: Colour,
    /// Secondary text: bylines, captions, feet.
    pub grey: Colour,
    /// Hairlines.
    pub rule: Colour,
    /// On navy: rules and accents.
    pub navy_accent: Colour,
    /// On navy: the cover's subtitle.
    pub navy_pale: Colour,
    /// On navy: links.
    pub navy_link: Colour,
    /// On navy: the folio; also the rule beside a caption without photo.
    pub navy_muted: Colour,
    /// The cover's drawing.
    pub cover_ring: Colour,
    pub cover_disc: Colour,
    pub cover_dot: Colour,
}

/// The back page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "kebab-case", serialize = "snake_case"))]
pub struct Back {
    /// How many pillars the back page draws side by side.
    pub pillars: usize,
    /// The diameter of a pillar's circle.
    pub pillar_mm: f64,
}

/// A colour written `#RRGGBB`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Colour(String);

impl Colour {
    /// The colour as CSS and typst write it, `#rrggbb`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses `#RRGGBB` (any case).
    pub fn parse(text: &str) -> Result<Self, String> {
        let hex = text.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()));
        match hex {
            Some(hex) => Ok(Colour(format!("#{}", hex.to_ascii_lowercase()))),
            None => Err(format!("`{text}` is not a colour; write it as #RRGGBB, e.g. #0a7cc1")),
        }
    }
}

impl Colour {
    /// WCAG 2 relative luminance.
    fn luminance(&self) -> f64 {
        let hex = &self.0[1..];
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
            if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    /// WCAG 2 contrast ratio against white.
    pub fn contrast_on_white(&self) -> f64 {
        1.05 / (self.luminance() + 0.05)
    }

    /// WCAG 2 contrast ratio between two colours.
    pub fn contrast_with(&self, other: &Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The colour, darkened in steps of 1 % towards black until it has
    /// `ratio` against white.
    pub fn darkened_to(&self, ratio: f64) -> Colour {
        let hex = &self.0[1..];
        let rgb: Vec<f64> =
            (0..3).map(|i| f64::from(u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))).collect();
        let mut colour = self.clone();
        let mut keep = 1.0;
        while colour.contrast_on_white() < ratio && keep > 0.0 {
            keep -= 0.01;
            colour = Colour(format!(
                "#{:02x}{:02x}{:02x}",
                (rgb[0] * keep).round() as u8,
                (rgb[1] * keep).round() as u8,
                (rgb[2] * keep).round() as u8
            ));
        }
        colour
    }
}

/// The contrast small text needs (WCAG 2.1 AA).
pub const TEXT_CONTRAST: f64 = 4.5;

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Colour::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Theme {
    /// The value of a token named as the EPUB stylesheet names it
    /// (`var(--accent)`, `var(--accent-on-dark)`): the colours.
    pub fn css_value(&self, name: &str) -> Option<&str> {
        // The names are CSS_COLOURS.
        let c = &self.colours;
        Some(match name {
            "ink" => c.ink.as_str(),
            "navy" => c.navy.as_str(),
            "accent" => c.accent.as_str(),
            "accent-text" => c.accent_text.as_ref().unwrap_or(&c.accent).as_str(),
            "accent-on-dark" => c.accent_on_dark.as_str(),
            "tint" => c.tint.as_str(),
            "grey" => c.grey.as_str(),
            "rule" => c.rule.as_str(),
            "navy-link" => c.navy_link.as_str(),
            "navy-muted" => c.navy_muted.as_str(),
            "cover-ring" => c.cover_ring.as_str(),
            "cover-disc" => c.cover_disc.as_str(),
            _ => return None,
        })
    }
}

/// Reads the theme from the layout files (the edition's `layouts/theme.toml`
/// or the built-in one); problems point at that file.
pub fn load(layouts: &[LayoutFile], diags: &mut Diagnostics) -> Result<Theme, Failed> {
    let Some(file) = crate::layouts::find(layouts, THEME_FILE) else {
        return Err(diags.fail(crate::diag::Diagnostic::error("no layouts/theme.toml")));
    };
    let text = String::from_utf8_lossy(&file.bytes).into_owned();
    let source: Arc<SourceFile> = SourceFile::new(file.display_path(), text);
    crate::diag::parse_toml(&source, 0, &source.text, "theme", &schema, diags).map(Theme::with_derived)
}

/// Whether `text` is a colour written `#RRGGBB`.
pub fn is_colour(text: &str) -> bool {
    Colour::parse(text).is_ok()
}

impl Theme {
    /// The colours derived from the others: the accent for small text.
    pub fn with_derived(mut self) -> Theme {
        self.colours.accent_text = Some(self.colours.accent.darkened_to(TEXT_CONTRAST));
        self
    }
}

/// What an edition's house style (`[style]` in its manifest) changes.
#[derive(Debug, Clone, Default)]
pub struct Style<'a> {
    /// The paper, width and height in mm.
    pub paper_mm: Option<(f64, f64)>,
    /// The accent colour, `#RRGGBB`.
    pub accent: Option<&'a str>,
    /// The body size, in pt.
    pub text_size_pt: Option<f64>,
}

impl Theme {
    /// The theme with a house style applied: the paper, the accent colour,
    /// the body size (the sizes for Chinese and Arabic scaled with it).
    pub fn with_style(mut self, style: &Style) -> Theme {
        if let Some((width, height)) = style.paper_mm {
            self.page.width_mm = width;
            self.page.height_mm = height;
        }
        if let Some(accent) = style.accent.and_then(|a| Colour::parse(a).ok()) {
            self.colours.accent = accent;
        }
        self = self.with_derived();
        if let Some(size) = style.text_size_pt {
            let scale = size / self.text.size_pt;
            self.text.size_pt = size;
            self.text.size_cjk_pt *= scale;
            self.text.size_arabic_pt *= scale;
        }
        self
    }
}

/// The keys each table of the theme knows.
fn schema(path: &[&str]) -> Option<&'static [&'static str]> {
    use serde_aux::serde_introspection::serde_introspect;
    Some(match path {
        [] => serde_introspect::<Theme>(),
        ["page"] => serde_introspect::<Page>(),
        ["grid"] => serde_introspect::<Grid>(),
        ["space"] => serde_introspect::<Space>(),
        ["text"] => serde_introspect::<Text>(),
        ["colours"] => serde_introspect::<Colours>(),
        ["back"] => serde_introspect::<Back>(),
        _ => return None,
    })
}

/// The colour names stylesheets use as `var(--name)`.
pub const CSS_COLOURS: &[&str] = &[
    "ink",
    "navy",
    "accent",
    "accent-text",
    "accent-on-dark",
    "tint",
    "grey",
    "rule",
    "navy-link",
    "navy-muted",
    "cover-ring",
    "cover-disc",
];

/// The theme's colours as CSS custom properties, for stylesheets read by
/// browsers (the web edition): `:root { --ink: #1d252c; … }`.
pub fn custom_properties(theme: &Theme) -> String {
    let mut out = String::from(":root {\n");
    for name in CSS_COLOURS {
        if let Some(value) = theme.css_value(name) {
            out.push_str(&format!("  --{name}: {value};\n"));
        }
    }
    out.push_str("}\n");
    out
}

/// Replaces every `var(--name)` in a stylesheet with the theme's value, so
/// that reading systems without CSS variables (Adobe's engine) see colours.
/// An error gives the byte offset of the `var(` it is about.
pub fn fill_stylesheet(css: &str, theme: &Theme) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(css.len());
    let mut position = 0;
    while let Some(found) = css[position..].find("var(") {
        let at = position + found;
        out.push_str(&css[position..at]);
        let after = &css[at + "var(".len()..];
        let Some(end) = after.find(')') else { return Err((at, "this `var(` is not closed".into())) };
        let name = after[..end].trim();
        match name.strip_prefix("--").and_then(|n| theme.css_value(n)) {
            Some(value) => out.push_str(value),
            None => return Err((at, format!("`var({name})` names no colour of the theme"))),
        }
        position = at + "var(".len() + end + 1;
    }
    out.push_str(&css[position..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Theme {
        toml::from_str(include_str!("../layouts/theme.toml")).unwrap()
    }

    #[test]
    fn small_text_gets_an_accent_with_4_5_to_1_on_white() {
        let un_blue = Colour::parse("#009edb").unwrap();
        assert!((un_blue.contrast_on_white() - 3.03).abs() < 0.01);
        let text = un_blue.darkened_to(TEXT_CONTRAST);
        assert!(text.contrast_on_white() >= 4.5, "{text:?}");
        assert!(text.darkened_to(TEXT_CONTRAST) == text);
        // A dark enough accent stays as it is.
        let builtin = Colour::parse("#0a7cc1").unwrap();
        assert!(builtin.contrast_on_white() >= 4.5);
        assert_eq!(builtin.darkened_to(TEXT_CONTRAST), builtin);
    }

    #[test]
    fn the_builtin_theme_reads_and_fills_the_stylesheet() {
        let theme = builtin();
        assert_eq!(theme.colours.accent.as_str(), "#0a7cc1");
        let css = fill_stylesheet("a { color: var(--accent); border-color: var( --navy ) }", &theme).unwrap();
        assert_eq!(css, "a { color: #0a7cc1; border-color: #0b2f5b }");
        assert_eq!(fill_stylesheet("a { color: var(--acent) }", &theme).unwrap_err().0, 11);
    }

    #[test]
    fn colours_must_be_written_as_hex() {
        assert_eq!(Colour::parse("#0A7CC1").unwrap().as_str(), "#0a7cc1");
        assert!(Colour::parse("blue").is_err());
        assert!(Colour::parse("#12345").is_err());
        let text = include_str!("../layouts/theme.toml").replace("accent = \"#0a7cc1\"", "accent = \"#0a7cc\"");
        let err = toml::from_str::<Theme>(&text).unwrap_err();
        assert!(err.message().contains("is not a colour"), "{}", err.message());
    }

    #[test]
    fn the_data_uses_snake_case_names() {
        let json = serde_json::to_value(builtin()).unwrap();
        assert!(json["page"]["width_mm"].is_number());
        assert!(json["colours"]["accent_on_dark"].is_string());
    }
}
