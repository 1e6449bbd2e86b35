//! WRITE: artifacts into the output folder, as one transaction.
//!
//! - The folder is locked (an advisory lock on the folder itself, so there
//!   is no lock file to plant a symlink at): concurrent builds into one
//!   folder queue instead of interleaving their files.
//! - Every file of a run — artifacts, then `build-report.json`, then
//!   `SHA256SUMS` — is first written to a temporary file created
//!   exclusively (`O_EXCL`, a random name; never following a symlink) in the
//!   folder; only when all of them are complete are they renamed into place.
//!   A rename replaces a planted symlink, never its target. If a rename
//!   fails halfway, the files already replaced are restored.
//! - Leftovers of an interrupted run (`.anthology-*`) are removed by the next.
//! - The report is the folder's record of what anthology wrote: it lists
//!   every artifact present, across runs and editions; a file that is gone or
//!   was changed by someone else drops out, artifacts an edition no longer
//!   makes are removed, and `SHA256SUMS` is made from the report alone, so
//!   `sha256sum -c SHA256SUMS` always passes and foreign lines never survive.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The name of the checksum file in the output folder.
pub const CHECKSUMS: &str = "SHA256SUMS";
/// The name of the JSON build report in the output folder.
pub const REPORT: &str = "build-report.json";
/// What anthology's temporary and backup files start with.
const SCRATCH_PREFIX: &str = ".anthology-";
/// Largest report read back (a report lists a few dozen files).
const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;

/// A file a build wrote, as the report lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Artifact {
    /// The path as the user named the output folder, e.g. `dist/x.pdf`.
    pub path: PathBuf,
    /// Its name inside the output folder.
    pub file: String,
    /// The edition folder it was built from.
    pub edition: PathBuf,
    /// The edition's identifier: artifacts of one edition are replaced together.
    pub identifier: String,
    pub bytes: usize,
    /// Pages, for a PDF.
    pub pages: Option<usize>,
    pub sha256: String,
    /// The time written into it (seconds since 1970: `SOURCE_DATE_EPOCH` or the manifest's date).
    pub source_date_epoch: i64,
    /// Warnings of the edition it was built from, one line each.
    pub warnings: Vec<String>,
}

/// The JSON build report.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub tool: String,
    pub artifacts: Vec<Artifact>,
}

/// One file to write.
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub pages: Option<usize>,
}

/// Everything one edition's build writes.
pub struct EditionOutput {
    pub edition: PathBuf,
    pub identifier: String,
    /// What every file name of the edition starts with (`<file-stem>-<language>`):
    /// only files named so are ever removed as the edition's stale artifacts.
    pub prefix: String,
    pub epoch: i64,
    pub warnings: Vec<String>,
    pub files: Vec<OutputFile>,
}

/// Why a commit wrote nothing.
#[derive(Debug)]
pub struct CommitError {
    /// The file concerned.
    pub path: PathBuf,
    pub message: String,
}

impl CommitError {
    fn new(path: PathBuf, message: impl Into<String>) -> Self {
        Self { path, message: message.into() }
    }
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The output folder, locked for this process while the value lives.
pub struct OutputFolder {
    dir: PathBuf,
    _lock: File,
}

impl OutputFolder {
    /// Creates the folder if needed and locks it; `waiting` is called once
    /// if another build holds the lock, before waiting for it.
    pub fn open(dir: &Path, waiting: impl FnOnce()) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let lock = File::open(dir)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                lock.lock()?;
            }
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
        }
        // A commit that was interrupted between its renames is rolled back.
        recover(dir);
        remove_scratch(dir);
        Ok(Self { dir: dir.to_path_buf(), _lock: lock })
    }

    /// Writes the editions' files, the report and the checksums, all or
    /// nothing. Returns every artifact the folder now holds.
    pub fn commit(&self, outputs: &[EditionOutput], tool: &str) -> Result<Vec<Artifact>, CommitError> {
        let dir = &self.dir;
        let rebuilt: BTreeMap<&str, &str> =
            outputs.iter().map(|o| (o.identifier.as_str(), o.prefix.as_str())).collect();
        let new_names: BTreeSet<&str> = outputs.iter().flat_map(|o| o.files.iter().map(|f| f.name.as_str())).collect();

        // What stays from earlier runs: other editions' artifacts that are still as written.
        let mut stale = Vec::new();
        let mut artifacts: Vec<Artifact> = Vec::new();
        for old in read_report(dir) {
            let current = dir.join(&old.file);
            let intact = is_intact(&current, &old);
            if new_names.contains(old.file.as_str()) {
                continue;
            }
            if let Some(prefix) = rebuilt.get(old.identifier.as_str()) {
                // The edition no longer makes this file (a proof sheet, another format).
                if intact && old.file.starts_with(prefix) {
                    stale.push(current);
                }
                continue;
            }
            if intact {
                artifacts.push(old);
            }
        }
        for output in outputs {
            for file in &output.files {
                artifacts.push(Artifact {
                    path: dir.join(&file.name),
                    file: file.name.clone(),
                    edition: output.edition.clone(),
                    identifier: output.identifier.clone(),
                    bytes: file.bytes.len(),
                    pages: file.pages,
                    sha256: sha256_hex(&file.bytes),
                    source_date_epoch: output.epoch,
                    warnings: output.warnings.clone(),
                });
            }
        }
        artifacts.sort_by(|a, b| a.file.cmp(&b.file));

        let report = Report { tool: tool.to_string(), artifacts };
        let mut report_json =
            serde_json::to_vec_pretty(&report).map_err(|e| CommitError::new(dir.join(REPORT), e.to_string()))?;
        report_json.push(b'\n');
        let sums: String = report.artifacts.iter().map(|a| format!("{}  {}\n", a.sha256, a.file)).collect();

        let mut files: Vec<(&str, &[u8])> =
            outputs.iter().flat_map(|o| o.files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice()))).collect();
        files.push((REPORT, &report_json));
        files.push((CHECKSUMS, sums.as_bytes()));
        replace_all(dir, &files)?;
        for path in stale {
            let _ = std::fs::remove_file(path);
        }
        Ok(report.artifacts)
    }
}

/// Whether a file is still what the report says anthology wrote: a regular
/// file of that size and hash (hashed in pieces, only when the size agrees).
fn is_intact(path: &Path, artifact: &Artifact) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if !meta.is_file() || meta.len() != artifact.bytes as u64 {
        return false;
    }
    let Ok(mut file) = File::open(path) else { return false };
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(_) => return false,
        }
    }
    let hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    hash == artifact.sha256
}

/// The report of earlier runs, if there is a readable one.
fn read_report(dir: &Path) -> Vec<Artifact> {
    let Ok(bytes) = crate::files::read(dir, &dir.join(REPORT), MAX_REPORT_BYTES) else { return vec![] };
    let Ok(report) = serde_json::from_slice::<Report>(&bytes) else { return vec![] };
    // Only plain names of this folder: a report edited to name `../../x` is ignored there.
    report.artifacts.into_iter().filter(|a| is_plain_name(&a.file)).collect()
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.starts_with(SCRATCH_PREFIX)
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && name != REPORT
        && name != CHECKSUMS
}

/// Removes what an interrupted run left behind.
fn remove_scratch(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(SCRATCH_PREFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The journal of a commit in progress: while it exists, the old files are
/// in their backups, and the next run restores them.
const JOURNAL: &str = ".anthology-journal";

/// One destination of a commit: its backup, or none if it did not exist.
#[derive(Serialize, Deserialize)]
struct Journaled {
    file: String,
    backup: Option<String>,
}

/// Rolls back a commit that was interrupted between its renames.
fn recover(dir: &Path) {
    let Ok(bytes) = crate::files::read(dir, &dir.join(JOURNAL), MAX_REPORT_BYTES) else { return };
    let Ok(entries) = serde_json::from_slice::<Vec<Journaled>>(&bytes) else { return };
    for entry in entries.iter().filter(|e| is_plain_name(&e.file)) {
        let path = dir.join(&entry.file);
        match &entry.backup {
            Some(backup) if backup.starts_with(SCRATCH_PREFIX) && !backup.contains('/') => {
                let _ = std::fs::rename(dir.join(backup), &path);
            }
            Some(_) => {}
            None => drop(std::fs::remove_file(&path)),
        }
    }
    let _ = std::fs::remove_file(dir.join(JOURNAL));
}

/// Writes every file to a temporary file, then renames them all into place;
/// on failure, and after an interruption (see [`recover`]), nothing is left
/// changed.
fn replace_all(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), CommitError> {
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let fail = |err: std::io::Error| CommitError::new(path.clone(), format!("failed to write {name} ({err})"));
        let mut temp = crate::files::scratch_file(dir).map_err(fail)?;
        temp.write_all(bytes).map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;
        staged.push((name.to_string(), path, temp.into_temp_path()));
    }
    // A destination that cannot be replaced is found before anything is replaced.
    for (_, path, _) in &staged {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(CommitError::new(path.clone(), "cannot replace this file: a folder has its name"));
        }
    }
    // Keep the old files (hard links, or copies where links are not possible)
    // until every new one is in place, and say so in the journal.
    let mut journal = Vec::new();
    let mut backups: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for (n, (name, path, _)) in staged.iter().enumerate() {
        let mut backup = None;
        if std::fs::symlink_metadata(path).is_ok() {
            let backup_name = format!("{SCRATCH_PREFIX}{}-{n}.bak", std::process::id());
            let backup_path = dir.join(&backup_name);
            let kept = std::fs::hard_link(path, &backup_path).is_ok()
                || std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
                    && std::fs::copy(path, &backup_path).is_ok();
            if !kept {
                remove_backups(&backups);
                return Err(CommitError::new(path.clone(), "cannot keep a copy of this file while replacing it"));
            }
            backups.insert(path.clone(), backup_path);
            backup = Some(backup_name);
        }
        journal.push(Journaled { file: name.clone(), backup });
    }
    let journal_json = serde_json::to_vec(&journal).map_err(|e| CommitError::new(dir.join(JOURNAL), e.to_string()))?;
    crate::files::write_atomic(&dir.join(JOURNAL), &journal_json)
        .map_err(|err| CommitError::new(dir.join(JOURNAL), format!("failed to write the journal ({err})")))?;
    let mut replaced: Vec<PathBuf> = Vec::new();
    for (_, path, temp) in staged {
        if let Err(err) = temp.persist(&path) {
            for done in replaced {
                match backups.get(&done) {
                    Some(backup) => drop(std::fs::rename(backup, &done)),
                    None => drop(std::fs::remove_file(&done)),
                }
            }
            let _ = std::fs::remove_file(dir.join(JOURNAL));
            remove_backups(&backups);
            return Err(CommitError::new(path, format!("failed to replace this file ({})", err.error)));
        }
        replaced.push(path);
    }
    // Every new file is in place: the commit is done.
    let _ = std::fs::remove_file(dir.join(JOURNAL));
    remove_backups(&backups);
    Ok(())
}

fn remove_backups(backups: &BTreeMap<PathBuf, PathBuf>) {
    for backup in backups.values() {
        let _ = std::fs::remove_file(backup);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(identifier: &str, files: &[(&str, &[u8])]) -> EditionOutput {
        EditionOutput {
            edition: PathBuf::from(format!("content/{identifier}")),
            identifier: identifier.into(),
            prefix: identifier.into(),
            epoch: 0,
            warnings: vec![],
            files: files
                .iter()
                .map(|(name, bytes)| OutputFile { name: name.to_string(), bytes: bytes.to_vec(), pages: None })
                .collect(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    fn sums(dir: &Path) -> String {
        std::fs::read_to_string(dir.join(CHECKSUMS)).unwrap()
    }

    #[test]
    fn a_commit_writes_everything_and_leaves_no_scratch_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || panic!("nobody else holds the lock")).unwrap();
        folder.commit(&[output("en", &[("a.pdf", b"one"), ("a.epub", b"two")])], "t").unwrap();
        assert_eq!(names(dir.path()), ["SHA256SUMS", "a.epub", "a.pdf", "build-report.json"]);
        assert_eq!(sums(dir.path()), format!("{}  a.epub\n{}  a.pdf\n", sha256_hex(b"two"), sha256_hex(b"one")));
    }

    #[test]
    fn a_planted_symlink_is_replaced_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("precious");
        std::fs::write(&target, b"keep me").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("a.pdf")).unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("a.pdf", b"new")])], "t").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
        let meta = std::fs::symlink_metadata(dir.path().join("a.pdf")).unwrap();
        assert!(meta.file_type().is_file(), "the artifact is a file, not a symlink");
    }

    #[test]
    fn a_destination_that_cannot_be_replaced_leaves_every_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("a.pdf", b"old pdf"), ("a.epub", b"old epub")])], "t").unwrap();
        let before: Vec<(String, Vec<u8>)> =
            names(dir.path()).into_iter().map(|n| (n.clone(), std::fs::read(dir.path().join(&n)).unwrap())).collect();
        std::fs::remove_file(dir.path().join("a.epub")).unwrap();
        std::fs::create_dir(dir.path().join("a.epub")).unwrap();
        std::fs::write(dir.path().join("a.epub/x"), b"x").unwrap();
        let err = folder.commit(&[output("en", &[("a.pdf", b"new pdf"), ("a.epub", b"new epub")])], "t").unwrap_err();
        assert!(err.path.ends_with("a.epub"), "{err:?}");
        assert_eq!(std::fs::read(dir.path().join("a.pdf")).unwrap(), before.iter().find(|f| f.0 == "a.pdf").unwrap().1);
        assert!(names(dir.path()).iter().all(|n| !n.starts_with(SCRATCH_PREFIX)), "{:?}", names(dir.path()));
    }

    #[test]
    fn the_report_keeps_other_editions_and_drops_stale_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en.pdf", b"en"), ("en-proof.png", b"proof")])], "t").unwrap();
        folder.commit(&[output("fr", &[("fr.pdf", b"fr")])], "t").unwrap();
        // Someone edits the sums and leaves a file of their own.
        std::fs::write(dir.path().join(CHECKSUMS), "00  ../../../../etc/passwd\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        // The English edition is rebuilt without a proof sheet.
        folder.commit(&[output("en", &[("en.pdf", b"en2")])], "t").unwrap();
        assert_eq!(names(dir.path()), ["SHA256SUMS", "build-report.json", "en.pdf", "fr.pdf", "notes.txt"]);
        assert_eq!(sums(dir.path()), format!("{}  en.pdf\n{}  fr.pdf\n", sha256_hex(b"en2"), sha256_hex(b"fr")));
    }

    #[test]
    fn a_commit_killed_between_its_renames_is_rolled_back_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en.pdf", b"old pdf"), ("en.epub", b"old epub")])], "t").unwrap();
        drop(folder);
        let before = sums(dir.path());
        // What a commit leaves when killed after replacing the PDF only: the
        // old PDF in its backup, the journal, a new file that did not exist.
        std::fs::hard_link(dir.path().join("en.pdf"), dir.path().join(".anthology-9-0.bak")).unwrap();
        std::fs::write(dir.path().join("en.pdf.new"), b"new pdf").unwrap();
        std::fs::rename(dir.path().join("en.pdf.new"), dir.path().join("en.pdf")).unwrap();
        std::fs::write(dir.path().join("en-proof.png"), b"new proof").unwrap();
        std::fs::write(
            dir.path().join(JOURNAL),
            r#"[{"file":"en.pdf","backup":".anthology-9-0.bak"},{"file":"en-proof.png","backup":null},{"file":"../../x","backup":null}]"#,
        )
        .unwrap();
        let _folder = OutputFolder::open(dir.path(), || {}).unwrap();
        assert_eq!(std::fs::read(dir.path().join("en.pdf")).unwrap(), b"old pdf");
        assert_eq!(names(dir.path()), ["SHA256SUMS", "build-report.json", "en.epub", "en.pdf"]);
        assert_eq!(sums(dir.path()), before);
    }

    #[test]
    fn a_huge_file_in_the_folder_is_not_read_and_a_hostile_report_deletes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en.pdf", b"pdf")])], "t").unwrap();
        // Someone grows the artifact to 100 GB (sparse) and writes a note of their own.
        std::fs::OpenOptions::new().write(true).open(dir.path().join("en.pdf")).unwrap().set_len(100 << 30).unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        // … and a report claiming the note is this edition's.
        let report = format!(
            r#"{{"tool":"t","artifacts":[{{"path":"x","file":"notes.txt","edition":"e","identifier":"en","bytes":4,"pages":null,"sha256":"{}","source_date_epoch":0,"warnings":[]}},{{"path":"x","file":"evil
name","edition":"e","identifier":"fr","bytes":0,"pages":null,"sha256":"{}","source_date_epoch":0,"warnings":[]}}]}}"#,
            sha256_hex(b"mine"),
            sha256_hex(b"")
        );
        std::fs::write(dir.path().join(REPORT), report).unwrap();
        std::fs::write(
            dir.path().join(
                "evil
name",
            ),
            b"",
        )
        .unwrap();
        folder.commit(&[output("en", &[("en-x.pdf", b"pdf")])], "t").unwrap();
        assert_eq!(std::fs::read(dir.path().join("notes.txt")).unwrap(), b"mine", "not named like the edition's files");
        assert_eq!(sums(dir.path()), format!("{}  en-x.pdf\n", sha256_hex(b"pdf")));
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".anthology-abc.tmp"), b"half").unwrap();
        let _folder = OutputFolder::open(dir.path(), || {}).unwrap();
        assert!(names(dir.path()).is_empty());
    }
}
