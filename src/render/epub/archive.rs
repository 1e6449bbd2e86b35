//! A post-pass over the archive epub-builder 0.8.3 writes. Why it exists:
//!
//! - its `nav.xhtml` template has no `lang`/`xml:lang`/`dir`, no
//!   `role="doc-toc"` and no page list, so EPUBCheck and Ace reject it; the
//!   navigation document is replaced by anthology's own;
//! - its `content.opf` template gives `<package>` no `xml:lang` or `dir`, its
//!   `dc:title` no id (so no subtitle can sit beside it), and gives
//!   `dc:language` and `dc:creator` the same id; anthology adds the
//!   attributes and writes `dc:creator`, `dc:publisher` and `dc:source` itself;
//! - it stamps every zip entry with the current time; entries are re-stamped
//!   with the build's fixed time, without recompressing, so two builds of the
//!   same input are byte-identical.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// What to mend.
pub struct Fixes {
    /// The complete navigation document.
    pub nav: Vec<u8>,
    /// BCP 47 tag for `<package xml:lang>`.
    pub language: String,
    /// `ltr` or `rtl`.
    pub direction: String,
    /// Extra elements for `<metadata>`, already escaped.
    pub metadata: String,
    /// Seconds since 1970 for every entry's time.
    pub epoch: i64,
}

const NAV: &str = "OEBPS/nav.xhtml";
const OPF: &str = "OEBPS/content.opf";
/// The id given to the `<dc:title>` epub-builder writes (the main title).
pub const MAIN_TITLE_ID: &str = "title";
const PACKAGE: &str = r#"<package version="3.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="epub-id-1">"#;

/// Rewrites the archive with the fixes applied.
pub fn apply(epub: &[u8], fixes: &Fixes) -> Result<Vec<u8>, String> {
    let mut archive = ZipArchive::new(Cursor::new(epub)).map_err(|e| e.to_string())?;
    let time = zip_time(fixes.epoch);
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(epub.len())));
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(|e| e.to_string())?;
        match file.name() {
            NAV => {
                drop(file);
                out.start_file(NAV, deflated).map_err(|e| e.to_string())?;
                out.write_all(&fixes.nav).map_err(|e| e.to_string())?;
            }
            OPF => {
                drop(file);
                let mut text = String::new();
                std::io::Read::read_to_string(&mut archive.by_name(OPF).map_err(|e| e.to_string())?, &mut text)
                    .map_err(|e| e.to_string())?;
                let patched = patch_package(&text, fixes)?;
                out.start_file(OPF, deflated).map_err(|e| e.to_string())?;
                out.write_all(patched.as_bytes()).map_err(|e| e.to_string())?;
            }
            _ => out.raw_copy_file_touch(file, time, Some(0o644)).map_err(|e| e.to_string())?,
        }
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Adds language and direction to `<package>` and the extra metadata.
fn patch_package(opf: &str, fixes: &Fixes) -> Result<String, String> {
    if !opf.contains(PACKAGE) {
        return Err("content.opf does not have the expected <package> element (epub-builder changed?)".into());
    }
    let language = quick_xml::escape::escape(&fixes.language);
    let package = PACKAGE
        .replace("version=\"3.0\"", &format!("version=\"3.0\" xml:lang=\"{language}\" dir=\"{}\"", fixes.direction));
    let opf = opf.replacen(PACKAGE, &package, 1);
    // epub-builder's title has no id, so nothing could refine it.
    if !opf.contains("<dc:title>") {
        return Err("content.opf has no <dc:title> (epub-builder changed?)".into());
    }
    let opf = opf.replacen("<dc:title>", &format!("<dc:title id=\"{MAIN_TITLE_ID}\">"), 1);
    let Some(at) = opf.find("</metadata>") else {
        return Err("content.opf has no </metadata>".into());
    };
    Ok(format!("{}  {}  {}", &opf[..at], fixes.metadata.trim_end(), &opf[at..])
        .replace("  </metadata>", "\n  </metadata>"))
}

/// A zip time from seconds since 1970 (zip times cannot be before 1980).
fn zip_time(epoch: i64) -> DateTime {
    let datetime = chrono::DateTime::from_timestamp(epoch.max(315_532_800), 0).unwrap_or_default();
    use chrono::{Datelike, Timelike};
    DateTime::from_date_and_time(
        datetime.year().clamp(1980, 2107) as u16,
        datetime.month() as u8,
        datetime.day() as u8,
        datetime.hour() as u8,
        datetime.minute() as u8,
        datetime.second() as u8,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes() -> Fixes {
        Fixes {
            nav: b"<nav/>".to_vec(),
            language: "ar".into(),
            direction: "rtl".into(),
            metadata: "<dc:source>print</dc:source>".into(),
            epoch: 1_780_000_000,
        }
    }

    fn sample(time: DateTime) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let stored =
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored).last_modified_time(time);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/epub+zip").unwrap();
        let opts = SimpleFileOptions::default().last_modified_time(time);
        zip.start_file(OPF, opts).unwrap();
        zip.write_all(format!("{PACKAGE}<metadata><dc:title>T</dc:title></metadata></package>").as_bytes()).unwrap();
        zip.start_file(NAV, opts).unwrap();
        zip.write_all(b"<old/>").unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn entry_times_no_longer_depend_on_when_the_archive_was_made() {
        let a = apply(&sample(DateTime::from_date_and_time(2001, 1, 1, 0, 0, 0).unwrap()), &fixes()).unwrap();
        let b = apply(&sample(DateTime::from_date_and_time(2024, 5, 6, 7, 8, 9).unwrap()), &fixes()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn nav_is_replaced_package_is_patched_mimetype_stays_first_and_stored() {
        let out = apply(&sample(DateTime::default()), &fixes()).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(out)).unwrap();
        let first = archive.by_index(0).unwrap();
        assert_eq!(first.name(), "mimetype");
        assert_eq!(first.compression(), CompressionMethod::Stored);
        drop(first);
        let mut nav = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(NAV).unwrap(), &mut nav).unwrap();
        assert_eq!(nav, "<nav/>");
        let mut opf = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(OPF).unwrap(), &mut opf).unwrap();
        assert!(opf.contains(r#"version="3.0" xml:lang="ar" dir="rtl""#), "{opf}");
        assert!(opf.contains("<dc:source>print</dc:source>"), "{opf}");
        assert!(opf.contains(r#"<dc:title id="title">T</dc:title>"#), "{opf}");
    }

    #[test]
    fn an_unexpected_template_is_an_error_not_a_silent_skip() {
        let err = patch_package("<package version=\"3.1\">", &fixes()).unwrap_err();
        assert!(err.contains("expected <package>"));
    }
}
