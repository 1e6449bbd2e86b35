//! WRITE: artifacts into the output folder, atomically: each file is written
//! to a temporary file beside its destination and renamed into place only
//! when complete, so a failed build never leaves a half-written file where a
//! good one was. Then `SHA256SUMS` and the JSON build report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The name of the checksum file in the output folder.
pub const CHECKSUMS: &str = "SHA256SUMS";
/// The name of the JSON build report in the output folder.
pub const REPORT: &str = "build-report.json";

/// A file a build wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Artifact {
    pub path: PathBuf,
    pub bytes: usize,
    /// Pages, for a PDF.
    pub pages: Option<usize>,
    pub sha256: String,
    /// The time written into it (seconds since 1970: `SOURCE_DATE_EPOCH` or the manifest's date).
    pub source_date_epoch: i64,
    /// Warnings of the edition it was built from, one line each.
    pub warnings: Vec<String>,
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Updates `SHA256SUMS` in `dir`: the artifacts of this run replace their old
/// lines; lines of files that no longer exist are dropped.
pub fn write_checksums(dir: &Path, artifacts: &[Artifact]) -> std::io::Result<()> {
    let path = dir.join(CHECKSUMS);
    let mut sums: BTreeMap<String, String> = BTreeMap::new();
    if let Ok(old) = std::fs::read_to_string(&path) {
        for line in old.lines() {
            if let Some((hash, name)) = line.split_once("  ")
                && dir.join(name).is_file()
            {
                sums.insert(name.to_string(), hash.to_string());
            }
        }
    }
    for artifact in artifacts {
        let name = artifact.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        sums.insert(name, artifact.sha256.clone());
    }
    let text: String = sums.iter().map(|(name, hash)| format!("{hash}  {name}\n")).collect();
    write_atomic(&path, text.as_bytes())
}

/// The JSON build report of a run.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub tool: String,
    pub artifacts: &'a [Artifact],
}

/// Writes the JSON build report into `dir`.
pub fn write_report(dir: &Path, report: &Report) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
    json.push(b'\n');
    write_atomic(&dir.join(REPORT), &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_atomic(&path, b"good").unwrap();
        // A destination that is a non-empty folder cannot be replaced by a rename.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), b"x").unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"good");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn checksums_merge_and_forget_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.pdf"), b"x").unwrap();
        std::fs::write(dir.path().join(CHECKSUMS), "aaaa  old.pdf\nbbbb  gone.pdf\n").unwrap();
        let artifact = Artifact {
            path: dir.path().join("new.epub"),
            bytes: 1,
            pages: None,
            sha256: sha256_hex(b"y"),
            source_date_epoch: 0,
            warnings: vec![],
        };
        write_checksums(dir.path(), &[artifact]).unwrap();
        let text = std::fs::read_to_string(dir.path().join(CHECKSUMS)).unwrap();
        assert_eq!(text, format!("{}  new.epub\naaaa  old.pdf\n", sha256_hex(b"y")));
    }
}
