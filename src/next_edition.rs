//! `anthology new`: next year's edition from this year's. The files build
//! reads are copied (as `init` copies them); the manifest gets the new date,
//! a new identifier, the new year in the file stem, the citation and the
//! legal notices, and no `[translation]` table. Mentions of the old year
//! left in the text are listed, located, for the editor to decide on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Failed, SourceFile};
use crate::manifest::MANIFEST_FILE;
use crate::translation::{derived_uuid, edition_files, io_error, write_new};

/// What `new` made.
pub struct Created {
    /// Every file written, the manifest first.
    pub written: Vec<PathBuf>,
    /// The old year where it is still written, in the new edition's files.
    pub mentions: Vec<Diagnostic>,
    pub old_year: i32,
}

/// Creates `new` from `from`, dated `date` (`YYYY-MM-DD`).
pub fn create(new: &Path, from: &Path, date: &str, diags: &mut Diagnostics) -> Result<Created, Failed> {
    let datetime: toml_edit::Datetime = match date.parse() {
        Ok(datetime @ toml_edit::Datetime { date: Some(_), time: None, offset: None }) => datetime,
        _ => {
            return Err(diags.fail(
                Diagnostic::error(format!("`{date}` is not a date")).hint("write it as YYYY-MM-DD, e.g. 2027-06-01"),
            ));
        }
    };
    let new_year = i32::from(datetime.date.expect("a date").year);
    // The source edition's warnings (its placeholders) are last year's
    // news: `new` passes on only what stops it.
    let mut loading = Diagnostics::default();
    let result = edition_files(new, from, &mut loading);
    for problem in loading.items().iter().filter(|d| d.severity == crate::diag::Severity::Error) {
        diags.push(problem.clone());
    }
    let (loaded, copies) = result?;
    let source = &loaded.edition.manifest;
    let old_year = loaded.publication.meta.year;
    let (old, new_text) = (old_year.to_string(), new_year.to_string());

    let mut document: toml_edit::DocumentMut = source.file.text.parse().map_err(|err| {
        diags.fail(Diagnostic::error(format!("failed to edit the manifest ({err})")).in_file(&source.file.path))
    })?;
    set(&mut document["date"], datetime.into());
    let old_id = crate::manifest::parse_identifier(source.manifest.identifier.get_ref()).unwrap_or_default();
    let identifier = format!("urn:uuid:{}", derived_uuid(&old_id, &format!("edition {date}")));
    set(&mut document["identifier"], identifier.into());
    // The file stem names the year, so that the two editions never write the same files.
    let stem = &loaded.publication.meta.file_stem;
    let stem =
        if year_at(stem, &old).is_empty() { format!("{stem}-{new_year}") } else { replace_year(stem, &old, &new_text) };
    set(&mut document["file-stem"], stem.into());
    if let Some(legal) = document.get_mut("legal").and_then(|l| l.as_table_like_mut()) {
        if let Some(citation) = legal.get_mut("citation")
            && let Some(text) = citation.as_str()
        {
            let text = replace_year(text, &old, &new_text);
            set(citation, text.into());
        }
        if let Some(notices) = legal.get_mut("notices").and_then(|n| n.as_array_mut()) {
            for notice in notices.iter_mut() {
                if let Some(text) = notice.as_str() {
                    *notice = replace_year(text, &old, &new_text).into();
                }
            }
        }
    }
    document.remove("translation");

    let manifest_path = new.join(MANIFEST_FILE);
    let manifest_text = document.to_string();
    write_new(&manifest_path, manifest_text.as_bytes()).map_err(|e| io_error(diags, &manifest_path, e))?;
    let mut written = vec![manifest_path.clone()];
    let mut mentions = located_years(&manifest_path, &manifest_text, &old);
    for (rel, bytes) in &copies {
        let path = new.join(rel);
        write_new(&path, bytes).map_err(|err| io_error(diags, &path, err))?;
        if rel.ends_with(".md") {
            mentions.extend(located_years(&path, &String::from_utf8_lossy(bytes), &old));
        }
        written.push(path);
    }
    Ok(Created { written, mentions, old_year })
}

/// Replaces a value, keeping the comment beside it.
fn set(item: &mut toml_edit::Item, mut value: toml_edit::Value) {
    if let Some(old) = item.as_value() {
        *value.decor_mut() = old.decor().clone();
    }
    *item = toml_edit::Item::Value(value);
}

/// Byte offsets of `year` standing as a number of its own in `text`.
fn year_at(text: &str, year: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    text.match_indices(year)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + year.len()).copied();
            !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
        })
        .collect()
}

fn replace_year(text: &str, old: &str, new: &str) -> String {
    let mut out = text.to_string();
    for at in year_at(text, old).into_iter().rev() {
        out.replace_range(at..at + old.len(), new);
    }
    out
}

/// A warning at every mention of `year` in a new file.
fn located_years(path: &Path, text: &str, year: &str) -> Vec<Diagnostic> {
    let file: Arc<SourceFile> = SourceFile::new(path, text);
    year_at(text, year)
        .into_iter()
        .map(|at| {
            Diagnostic::warning(format!("{year} is still written here"))
                .at(&file, at..at + year.len())
                .hint("change it if it should be the new edition's year")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_year_as_a_number_of_its_own_is_replaced() {
        assert_eq!(
            replace_year("stories-2026 (2026), 20265, 12026", "2026", "2027"),
            "stories-2027 (2027), 20265, 12026"
        );
        assert_eq!(year_at("April 2026.", "2026"), [6]);
    }
}
