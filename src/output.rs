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
//! - An artifact may be a folder (the web edition, the story PDFs): its
//!   files are named `folder/file` and the folder is written whole under a
//!   scratch name, then renamed into place, the old one kept aside until the
//!   commit is done. A folder holding files anthology did not write is not
//!   replaced.
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
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex SHA-256 of a file, read in pieces (an artifact may be large).
fn file_sha256(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut file = File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        match file.read(&mut buffer).ok()? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Some(hex(&hasher.finalize()))
}

/// Removes the folders on the way to `name` inside `root` that are left
/// empty, innermost first (a symlink or a folder with files stays).
fn remove_empty_parents(root: &Path, name: &str) {
    let mut parent = name;
    while let Some((folder, _)) = parent.rsplit_once('/') {
        let _ = std::fs::remove_dir(root.join(folder));
        parent = folder;
    }
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
        if let Some(bad) = outputs.iter().flat_map(|o| &o.files).find(|f| !is_plain_name(&f.name)) {
            return Err(CommitError::new(dir.clone(), format!("internal error: `{}` is no artifact name", bad.name)));
        }
        let rebuilt: BTreeMap<&str, &str> =
            outputs.iter().map(|o| (o.identifier.as_str(), o.prefix.as_str())).collect();
        let new_names: BTreeSet<&str> = outputs.iter().flat_map(|o| o.files.iter().map(|f| f.name.as_str())).collect();

        // What stays from earlier runs: other editions' artifacts that are still as written.
        let mut stale = Vec::new();
        let mut artifacts: Vec<Artifact> = Vec::new();
        let previous = read_report(dir);
        let new_folders: BTreeSet<&str> = new_names.iter().filter_map(|n| folder_of(n)).collect();
        // Files anthology wrote and nobody changed since: the report names them and their content agrees.
        let mut ours: BTreeSet<String> = BTreeSet::new();
        for old in previous.iter().cloned() {
            let intact = is_intact(dir, &old);
            if intact {
                ours.insert(old.file.clone());
            }
            if new_names.contains(old.file.as_str()) {
                continue;
            }
            // A folder written now replaces all of its old files.
            if folder_of(&old.file).is_some_and(|f| new_folders.contains(f)) {
                continue;
            }
            if let Some(prefix) = rebuilt.get(old.identifier.as_str()) {
                // The edition no longer makes this file (a proof sheet, another format).
                if intact && old.file.starts_with(prefix) {
                    stale.push(old.file.clone());
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

        let mut entries: Vec<Entry> = Vec::new();
        for file in outputs.iter().flat_map(|o| &o.files) {
            match file.name.split_once('/') {
                None => entries.push(Entry::File(&file.name, &file.bytes)),
                Some((folder, inner)) => {
                    match entries.iter_mut().find(|e| matches!(e, Entry::Folder(f, _) if *f == folder)) {
                        Some(Entry::Folder(_, files)) => files.push((inner, &file.bytes)),
                        _ => entries.push(Entry::Folder(folder, vec![(inner, &file.bytes)])),
                    }
                }
            }
        }
        // A folder is replaced only when every file in it is one anthology wrote.
        for entry in &entries {
            if let Entry::Folder(folder, _) = entry
                && let Some(foreign) = foreign_file(dir, folder, &ours)
            {
                return Err(CommitError::new(
                    dir.join(&foreign),
                    format!(
                        "{foreign} was not written by anthology, and writing the folder {folder} would delete it: move it out of the folder"
                    ),
                ));
            }
        }
        entries.push(Entry::File(REPORT, &report_json));
        entries.push(Entry::File(CHECKSUMS, sums.as_bytes()));
        replace_all(dir, &entries)?;
        for name in stale {
            // Never through a symlink: a folder on the way that is not a real folder keeps the file.
            let Some(path) = resolve(dir, &name) else { continue };
            let _ = std::fs::remove_file(path);
            remove_empty_parents(dir, &name);
        }
        Ok(report.artifacts)
    }
}

/// One thing a commit puts in place: a file, or a folder of files.
enum Entry<'a> {
    File(&'a str, &'a [u8]),
    /// Its name, and its files by their paths inside it.
    Folder(&'a str, Vec<(&'a str, &'a [u8])>),
}

impl Entry<'_> {
    fn name(&self) -> &str {
        match self {
            Entry::File(name, _) | Entry::Folder(name, _) => name,
        }
    }
}

/// The folder an artifact's name puts it in (`x-en-web` of `x-en-web/index.html`).
fn folder_of(name: &str) -> Option<&str> {
    name.split_once('/').map(|(folder, _)| folder)
}

/// The path of an artifact inside the output folder, when every folder on
/// the way is a real folder (never a symlink leading elsewhere).
fn resolve(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    let mut parts = name.split('/').peekable();
    while let Some(part) = parts.next() {
        path.push(part);
        if parts.peek().is_some() && !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            return None;
        }
    }
    Some(path)
}

/// The first thing in `folder` that is not one of anthology's files as it
/// wrote them (its name inside the output folder), if the folder exists.
fn foreign_file(dir: &Path, folder: &str, ours: &BTreeSet<String>) -> Option<String> {
    let root = dir.join(folder);
    let meta = std::fs::symlink_metadata(&root).ok()?;
    if !meta.is_dir() {
        // A file or a symlink of that name is replaced like any file.
        return None;
    }
    let mut pending = vec![root];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else { return Some(folder.to_string()) };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
            match entry.file_type() {
                // anthology makes no empty folders: an empty one is someone else's.
                Ok(kind) if kind.is_dir() && std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) => {
                    return Some(name);
                }
                Ok(kind) if kind.is_dir() => pending.push(path),
                Ok(kind) if kind.is_file() && ours.contains(&name) => {}
                _ => return Some(name),
            }
        }
    }
    None
}

/// Whether a file is still what the report says anthology wrote: a regular
/// file of that size and hash (hashed only when the size agrees).
fn is_intact(dir: &Path, artifact: &Artifact) -> bool {
    let Some(path) = resolve(dir, &artifact.file) else { return false };
    let Ok(meta) = std::fs::symlink_metadata(&path) else { return false };
    meta.is_file() && meta.len() == artifact.bytes as u64 && file_sha256(&path).is_some_and(|h| h == artifact.sha256)
}

/// The report of earlier runs, if there is a readable one.
fn read_report(dir: &Path) -> Vec<Artifact> {
    let Ok(bytes) = crate::files::read(dir, &dir.join(REPORT), MAX_REPORT_BYTES) else { return vec![] };
    let Ok(report) = serde_json::from_slice::<Report>(&bytes) else { return vec![] };
    // Only plain names of this folder: a report edited to name `../../x` is ignored there.
    report.artifacts.into_iter().filter(|a| is_plain_name(&a.file)).collect()
}

/// A name an artifact may have: plain names (`x.pdf`), or `folder/…/file`
/// of plain names; never the report, the sums or a scratch file.
fn is_plain_name(name: &str) -> bool {
    let plain = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && !part.starts_with(SCRATCH_PREFIX)
            && !part.contains('\\')
            && !part.chars().any(char::is_control)
    };
    let first = name.split('/').next().unwrap_or_default();
    name.split('/').all(plain) && first != REPORT && first != CHECKSUMS
}

/// Removes what an interrupted run left behind.
fn remove_scratch(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(SCRATCH_PREFIX) {
            continue;
        }
        // A backup folder that could not be put back keeps what it holds.
        if name.ends_with(".bak") && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir(entry.path());
        } else {
            remove_entry(&entry.path());
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
    /// Whether it is a folder (moved aside whole, not linked).
    #[serde(default)]
    folder: bool,
    /// A folder's new files (name inside it, SHA-256): what an interrupted
    /// commit may have put in place, and all that undoing it removes.
    #[serde(default)]
    files: Vec<(String, String)>,
}

/// Rolls back a commit that was interrupted between its renames.
fn recover(dir: &Path) {
    let Ok(bytes) = crate::files::read(dir, &dir.join(JOURNAL), MAX_REPORT_BYTES) else { return };
    let Ok(entries) = serde_json::from_slice::<Vec<Journaled>>(&bytes) else { return };
    for entry in entries.iter().filter(|e| is_plain_name(&e.file) && !e.file.contains('/')) {
        let path = dir.join(&entry.file);
        let backup =
            entry.backup.as_ref().filter(|b| b.starts_with(SCRATCH_PREFIX) && !b.contains('/')).map(|b| dir.join(b));
        if !entry.folder {
            match (&entry.backup, backup) {
                (Some(_), Some(backup)) => drop(std::fs::rename(backup, &path)),
                (Some(_), None) => {}
                (None, _) => drop(std::fs::remove_file(&path)),
            }
            continue;
        }
        // A folder: was the old one moved aside (its backup holds it)?
        let moved_aside = backup.as_ref().is_some_and(|b| {
            std::fs::symlink_metadata(b)
                .is_ok_and(|m| !m.is_dir() || std::fs::read_dir(b).is_ok_and(|mut d| d.next().is_some()))
        });
        if entry.backup.is_none() || moved_aside {
            // Only what this commit wrote is removed, never anything else.
            remove_written(&path, &entry.files);
        }
        if let Some(backup) = backup {
            if moved_aside && std::fs::symlink_metadata(&path).is_err() {
                let _ = std::fs::rename(&backup, &path);
            } else if !moved_aside {
                let _ = std::fs::remove_dir(&backup);
            }
        }
    }
    let _ = std::fs::remove_file(dir.join(JOURNAL));
}

/// Removes from `folder` the files `files` names that still hold what was
/// written (by SHA-256), then the folders left empty, `folder` too.
fn remove_written(folder: &Path, files: &[(String, String)]) {
    if !std::fs::symlink_metadata(folder).is_ok_and(|m| m.is_dir()) {
        return;
    }
    for (name, sha256) in files.iter().filter(|(name, _)| is_plain_name(name)) {
        let Some(path) = resolve(folder, name) else { continue };
        let written = crate::files::read(folder, &path, u64::MAX).is_ok_and(|bytes| sha256_hex(&bytes) == *sha256);
        if written {
            let _ = std::fs::remove_file(&path);
        }
        remove_empty_parents(folder, name);
    }
    let _ = std::fs::remove_dir(folder);
}

/// Removes a file, a symlink (not what it points to) or a folder and everything in it.
fn remove_entry(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => drop(std::fs::remove_dir_all(path)),
        Ok(_) => drop(std::fs::remove_file(path)),
        Err(_) => {}
    }
}

/// A file or a folder written under a scratch name, waiting to be renamed into place.
enum Staged {
    File(tempfile::TempPath),
    Folder(tempfile::TempDir),
}

/// Writes a folder's files into a new scratch folder in `dir`.
fn stage_folder(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<tempfile::TempDir> {
    let staged = tempfile::Builder::new().prefix(SCRATCH_PREFIX).suffix(".dir").tempdir_in(dir)?;
    for (name, bytes) in files {
        let path = staged.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = File::create_new(&path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    Ok(staged)
}

/// A backup under a new random name in `dir`, made by `make` (which fails
/// if the name is taken; another is tried then).
fn backup_in(dir: &Path, make: impl FnMut(&Path) -> std::io::Result<()>) -> std::io::Result<PathBuf> {
    let made = tempfile::Builder::new().prefix(SCRATCH_PREFIX).suffix(".bak").make_in(dir, make)?;
    made.into_temp_path().keep().map_err(|err| err.error)
}

/// Keeps the old file at `path` until the commit is done: a hard link (a
/// symlink is linked, not followed), or a copy of a regular file.
fn keep_file(dir: &Path, path: &Path) -> std::io::Result<PathBuf> {
    backup_in(dir, |backup| std::fs::hard_link(path, backup)).or_else(|_| {
        if !std::fs::symlink_metadata(path)?.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        backup_in(dir, |backup| {
            let mut to = File::create_new(backup)?;
            std::io::copy(&mut File::open(path)?, &mut to).map(drop)
        })
    })
}

/// What a commit has done so far, to be undone in reverse if a later step fails.
enum Done {
    /// A file put in place; its old version kept in the backup, if it had one.
    Replaced { path: PathBuf, backup: Option<PathBuf> },
    /// An old folder (or what stood at its name) moved to its backup.
    MovedAside { path: PathBuf, backup: PathBuf },
    /// A new folder put in place.
    Placed { path: PathBuf },
}

#[cfg(test)]
thread_local! {
    /// Tests make the commit's step of this number fail (a full disk, a lost mount).
    static FAIL_AT_STEP: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Whether this step is the one a test wants to fail.
fn injected_failure(step: usize) -> std::io::Result<()> {
    #[cfg(test)]
    if FAIL_AT_STEP.with(|f| f.get()) == Some(step) {
        return Err(std::io::Error::other("injected failure"));
    }
    let _ = step;
    Ok(())
}

/// Writes every entry under a scratch name, then renames them all into
/// place; on failure, and after an interruption (see [`recover`]), nothing
/// is left changed.
fn replace_all(dir: &Path, entries: &[Entry]) -> Result<(), CommitError> {
    let mut staged = Vec::with_capacity(entries.len());
    for entry in entries {
        let name = entry.name();
        let path = dir.join(name);
        let fail = |err: std::io::Error| CommitError::new(path.clone(), format!("failed to write {name} ({err})"));
        let scratch = match entry {
            Entry::File(_, bytes) => {
                let mut temp = crate::files::scratch_file(dir).map_err(fail)?;
                temp.write_all(bytes).map_err(fail)?;
                temp.as_file().sync_all().map_err(fail)?;
                Staged::File(temp.into_temp_path())
            }
            Entry::Folder(_, files) => Staged::Folder(stage_folder(dir, files).map_err(fail)?),
        };
        staged.push((path, scratch));
    }
    // A destination that cannot be replaced is found before anything is replaced.
    for (path, scratch) in &staged {
        if matches!(scratch, Staged::File(_)) && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(CommitError::new(path.clone(), "cannot replace this file: a folder has its name"));
        }
    }
    // Keep the old files (hard links, or copies) until every new one is in
    // place, and say so in the journal. An old folder gets a new, empty
    // backup folder now and is moved into it just before the new one takes
    // its place.
    let mut journal = Vec::new();
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    let undo_backups = |backups: &[Option<PathBuf>]| {
        for backup in backups.iter().flatten() {
            // A link, a copy or an empty folder: never an old folder itself.
            match std::fs::symlink_metadata(backup) {
                Ok(m) if m.is_dir() => drop(std::fs::remove_dir(backup)),
                Ok(_) => drop(std::fs::remove_file(backup)),
                Err(_) => {}
            }
        }
    };
    for ((path, scratch), entry) in staged.iter().zip(entries) {
        let folder = matches!(scratch, Staged::Folder(_));
        let existing = std::fs::symlink_metadata(path).ok();
        let backup = match &existing {
            None => None,
            Some(meta) if folder && meta.is_dir() => Some(backup_in(dir, |b| std::fs::create_dir(b))),
            Some(_) if folder => Some(backup_in(dir, |_| Ok(()))),
            Some(_) => Some(keep_file(dir, path)),
        };
        let backup = match backup.transpose() {
            Ok(backup) => backup,
            Err(err) => {
                undo_backups(&backups);
                return Err(CommitError::new(
                    path.clone(),
                    format!("cannot keep a copy of this file while replacing it ({err})"),
                ));
            }
        };
        let files = match entry {
            Entry::Folder(_, files) => {
                files.iter().map(|(name, bytes)| (name.to_string(), sha256_hex(bytes))).collect()
            }
            Entry::File(..) => Vec::new(),
        };
        let file = entry.name().to_string();
        let backup_name = backup.as_ref().map(|b| b.file_name().unwrap_or_default().to_string_lossy().into_owned());
        journal.push(Journaled { file, backup: backup_name, folder, files });
        backups.push(backup);
    }
    let journal_json = serde_json::to_vec(&journal).map_err(|e| CommitError::new(dir.join(JOURNAL), e.to_string()))?;
    if let Err(err) = crate::files::write_atomic(&dir.join(JOURNAL), &journal_json) {
        undo_backups(&backups);
        return Err(CommitError::new(dir.join(JOURNAL), format!("failed to write the journal ({err})")));
    }
    let mut done: Vec<Done> = Vec::new();
    let mut step = 0;
    for ((path, scratch), backup) in staged.into_iter().zip(&backups) {
        let result = match scratch {
            Staged::File(temp) => {
                step += 1;
                injected_failure(step)
                    .and_then(|()| temp.persist(&path).map_err(|err| err.error))
                    .map(|()| done.push(Done::Replaced { path: path.clone(), backup: backup.clone() }))
            }
            Staged::Folder(temp) => {
                step += 1;
                let aside = match backup {
                    Some(backup) => injected_failure(step).and_then(|()| std::fs::rename(&path, backup)).map(|()| {
                        done.push(Done::MovedAside { path: path.clone(), backup: backup.clone() });
                    }),
                    None => injected_failure(step),
                };
                step += 1;
                aside.and_then(|()| injected_failure(step)).and_then(|()| {
                    // Kept (not dropped and removed) only once it is in place.
                    std::fs::rename(temp.path(), &path).map(|()| {
                        drop(temp.keep());
                        done.push(Done::Placed { path: path.clone() });
                    })
                })
            }
        };
        if let Err(err) = result {
            let mut restored = true;
            for step in done.into_iter().rev() {
                restored &= match step {
                    Done::Placed { path } => {
                        remove_entry(&path);
                        true
                    }
                    Done::MovedAside { path, backup } => std::fs::rename(&backup, &path).is_ok(),
                    Done::Replaced { path, backup: Some(backup) } => std::fs::rename(&backup, &path).is_ok(),
                    Done::Replaced { path, backup: None } => {
                        let _ = std::fs::remove_file(&path);
                        true
                    }
                };
            }
            if restored {
                let _ = std::fs::remove_file(dir.join(JOURNAL));
                undo_backups(&backups);
            }
            return Err(CommitError::new(path, format!("failed to replace this file ({err})")));
        }
    }
    // Every new file is in place: the commit is done, the old ones can go
    // (an old folder, checked to hold only anthology's files, whole).
    let _ = std::fs::remove_file(dir.join(JOURNAL));
    for backup in backups.iter().flatten() {
        remove_entry(backup);
    }
    Ok(())
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
    fn a_folder_is_written_whole_and_listed_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        let first = [("en.pdf", &b"pdf"[..]), ("en-web/index.html", b"index"), ("en-web/media/a.jpg", b"a")];
        folder.commit(&[output("en", &first)], "t").unwrap();
        assert_eq!(names(dir.path()), ["SHA256SUMS", "build-report.json", "en-web", "en.pdf"]);
        assert_eq!(
            sums(dir.path()),
            format!(
                "{}  en-web/index.html\n{}  en-web/media/a.jpg\n{}  en.pdf\n",
                sha256_hex(b"index"),
                sha256_hex(b"a"),
                sha256_hex(b"pdf")
            )
        );
        // Rebuilt without the image: the folder is the new one, nothing of the old is left.
        folder.commit(&[output("en", &[("en.pdf", b"pdf"), ("en-web/index.html", b"index 2")])], "t").unwrap();
        assert_eq!(std::fs::read(dir.path().join("en-web/index.html")).unwrap(), b"index 2");
        assert!(!dir.path().join("en-web/media").exists());
        assert!(names(dir.path()).iter().all(|n| !n.starts_with(SCRATCH_PREFIX)), "{:?}", names(dir.path()));
        // Rebuilt without a web edition: the folder goes.
        folder.commit(&[output("en", &[("en.pdf", b"pdf"), ("en-web/media/b.jpg", b"b")])], "t").unwrap();
        folder.commit(&[output("en", &[("en.pdf", b"pdf")])], "t").unwrap();
        assert_eq!(names(dir.path()), ["SHA256SUMS", "build-report.json", "en.pdf"]);
    }

    #[test]
    fn a_folder_holding_a_file_of_someone_else_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en-web/index.html", b"index")])], "t").unwrap();
        std::fs::write(dir.path().join("en-web/notes.txt"), b"mine").unwrap();
        let before = sums(dir.path());
        let err = folder.commit(&[output("en", &[("en-web/index.html", b"new")])], "t").unwrap_err();
        assert!(err.message.contains("en-web/notes.txt"), "{err:?}");
        assert_eq!(std::fs::read(dir.path().join("en-web/notes.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read(dir.path().join("en-web/index.html")).unwrap(), b"index");
        assert_eq!(sums(dir.path()), before);
    }

    #[test]
    fn a_planted_folder_symlink_is_replaced_and_what_it_points_to_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("index.html"), b"keep me").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("en-web")).unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en-web/index.html", b"new")])], "t").unwrap();
        assert_eq!(std::fs::read(outside.path().join("index.html")).unwrap(), b"keep me");
        assert!(std::fs::symlink_metadata(dir.path().join("en-web")).unwrap().is_dir());
        assert_eq!(std::fs::read(dir.path().join("en-web/index.html")).unwrap(), b"new");
    }

    #[test]
    fn a_commit_killed_after_moving_a_folder_aside_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en-web/index.html", b"old")])], "t").unwrap();
        drop(folder);
        let before = sums(dir.path());
        // Killed after the old folder was moved aside and the new one put in place.
        std::fs::rename(dir.path().join("en-web"), dir.path().join(".anthology-9-0.bak")).unwrap();
        std::fs::create_dir(dir.path().join("en-web")).unwrap();
        std::fs::write(dir.path().join("en-web/index.html"), b"new").unwrap();
        let journal = format!(
            r#"[{{"file":"en-web","backup":".anthology-9-0.bak","folder":true,"files":[["index.html","{}"]]}}]"#,
            sha256_hex(b"new")
        );
        std::fs::write(dir.path().join(JOURNAL), journal).unwrap();
        let _folder = OutputFolder::open(dir.path(), || {}).unwrap();
        assert_eq!(std::fs::read(dir.path().join("en-web/index.html")).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["SHA256SUMS", "build-report.json", "en-web"]);
        assert_eq!(sums(dir.path()), before);
    }

    /// Every file under `dir` with its bytes, scratch files included.
    fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            for entry in std::fs::read_dir(&current).unwrap() {
                let path = entry.unwrap().path();
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if path.is_dir() {
                    out.insert(format!("{name}/"), Vec::new());
                    pending.push(path);
                } else {
                    out.insert(name, std::fs::read(&path).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn a_commit_failing_at_any_step_leaves_every_file_and_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        let old = [("en.pdf", &b"old pdf"[..]), ("en-web/index.html", b"old index"), ("en-web/media/a.jpg", b"a")];
        folder.commit(&[output("en", &old)], "t").unwrap();
        let before = tree(dir.path());
        let new = [("en.pdf", &b"new pdf"[..]), ("en-web/index.html", b"new index"), ("en-new/x.html", b"x")];
        // Steps: the PDF; the old folder aside; the new in place; the new folder in place; report; sums.
        for step in 1..=6 {
            FAIL_AT_STEP.with(|f| f.set(Some(step)));
            let err = folder.commit(&[output("en", &new)], "t").unwrap_err();
            assert!(err.message.contains("injected failure"), "step {step}: {err:?}");
            assert_eq!(tree(dir.path()), before, "step {step}");
        }
        FAIL_AT_STEP.with(|f| f.set(None));
        folder.commit(&[output("en", &new)], "t").unwrap();
        assert_eq!(std::fs::read(dir.path().join("en-web/index.html")).unwrap(), b"new index");
        assert!(!dir.path().join("en-web/media").exists());
    }

    #[test]
    fn a_hostile_journal_deletes_no_folder_of_someone_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("photos")).unwrap();
        std::fs::write(dir.path().join("photos/x.jpg"), b"mine").unwrap();
        std::fs::write(
            dir.path().join(JOURNAL),
            r#"[{"file":"photos","backup":null,"folder":true,"files":[["x.jpg","00"]]},{"file":"photos","backup":".anthology-x.bak","folder":true}]"#,
        )
        .unwrap();
        let _folder = OutputFolder::open(dir.path(), || {}).unwrap();
        assert_eq!(std::fs::read(dir.path().join("photos/x.jpg")).unwrap(), b"mine");
    }

    #[test]
    fn a_report_claiming_a_file_in_a_folder_does_not_make_it_anthologys() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en-web/index.html", b"index")])], "t").unwrap();
        std::fs::write(dir.path().join("en-web/notes.txt"), b"mine").unwrap();
        let report = std::fs::read_to_string(dir.path().join(REPORT)).unwrap();
        let claimed = report.replacen("\"artifacts\": [", &format!(
            "\"artifacts\": [{{\"path\":\"x\",\"file\":\"en-web/notes.txt\",\"edition\":\"e\",\"identifier\":\"en\",\"bytes\":4,\"pages\":null,\"sha256\":\"{}\",\"source_date_epoch\":0,\"warnings\":[]}},",
            sha256_hex(b"not it")
        ), 1);
        assert_ne!(claimed, report);
        std::fs::write(dir.path().join(REPORT), claimed).unwrap();
        // An empty folder of someone else's is kept too.
        assert!(folder.commit(&[output("en", &[("en-web/index.html", b"new")])], "t").is_err());
        std::fs::remove_file(dir.path().join("en-web/notes.txt")).unwrap();
        std::fs::create_dir(dir.path().join("en-web/drafts")).unwrap();
        let err = folder.commit(&[output("en", &[("en-web/index.html", b"new")])], "t").unwrap_err();
        assert!(err.message.contains("en-web/drafts"), "{err:?}");
        assert_eq!(std::fs::read(dir.path().join("en-web/index.html")).unwrap(), b"index");
    }

    #[test]
    fn a_commit_killed_after_moving_a_folder_aside_and_before_the_new_one_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en-web/index.html", b"old")])], "t").unwrap();
        drop(folder);
        let before = tree(dir.path());
        std::fs::rename(dir.path().join("en-web"), dir.path().join(".anthology-9-0.bak")).unwrap();
        std::fs::write(
            dir.path().join(JOURNAL),
            r#"[{"file":"en-web","backup":".anthology-9-0.bak","folder":true,"files":[]}]"#,
        )
        .unwrap();
        let _folder = OutputFolder::open(dir.path(), || {}).unwrap();
        assert_eq!(tree(dir.path()), before);
    }

    #[test]
    fn a_symlinked_folder_keeps_its_files_when_they_go_stale() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let folder = OutputFolder::open(dir.path(), || {}).unwrap();
        folder.commit(&[output("en", &[("en-web/index.html", b"index")])], "t").unwrap();
        // Someone swaps the folder for a symlink to a folder holding the same file.
        std::fs::write(outside.path().join("index.html"), b"index").unwrap();
        std::fs::remove_dir_all(dir.path().join("en-web")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("en-web")).unwrap();
        folder.commit(&[output("en", &[("en.pdf", b"pdf")])], "t").unwrap();
        assert_eq!(std::fs::read(outside.path().join("index.html")).unwrap(), b"index");
    }

    #[test]
    fn names_reaching_out_of_the_folder_are_not_artifact_names() {
        for name in ["../x", "a/../x", "a//b", "/etc/passwd", "a/.anthology-x", "SHA256SUMS/x", "a\\b", ""] {
            assert!(!is_plain_name(name), "{name}");
        }
        for name in ["x.pdf", "x-en-web/index.html", "x-en-web/media/a.jpg"] {
            assert!(is_plain_name(name), "{name}");
        }
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".anthology-abc.tmp"), b"half").unwrap();
        let _folder = OutputFolder::open(dir.path(), || {}).unwrap();
        assert!(names(dir.path()).is_empty());
    }
}
