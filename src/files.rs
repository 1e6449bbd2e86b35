//! READ: the only way anthology reads an edition's files.
//!
//! Everything an edition references must stay inside its folder: `..` that
//! climbs out, absolute paths, web addresses and symlinks that resolve
//! outside are refused. Only regular files are read — a FIFO, a device or a
//! socket is refused by its type before it is opened, and the opening itself
//! never blocks — and the size limit is enforced while reading, not taken
//! from metadata that a device or a growing file can misstate.

use std::fmt;
use std::io::Read;
use std::path::{Component, Path};
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};

/// Largest Markdown or manifest file anthology reads (a story is a few dozen kilobytes).
pub const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;
/// Largest image file anthology reads.
pub const MAX_IMAGE_BYTES: u64 = 40 * 1024 * 1024;
/// Largest font or layout file anthology reads.
pub const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// A folder, FIFO, device or socket: `kind` says which.
    NotRegular(&'static str),
    TooLarge {
        limit: u64,
    },
    /// With symlinks resolved, the file lies outside the folder it must stay in.
    Outside,
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "does not exist"),
            ReadError::NotRegular(kind) => write!(f, "is {kind}, not a regular file"),
            ReadError::TooLarge { limit } => write!(f, "is too large (the limit is {})", size(*limit)),
            ReadError::Outside => write!(f, "resolves outside the edition folder (symlink)"),
            ReadError::Io(err) => write!(f, "cannot be read ({err})"),
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 { format!("{} MiB", bytes / (1024 * 1024)) } else { format!("{} KiB", bytes / 1024) }
}

/// What kind of file system object a file type is, for messages.
pub fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file of at most `limit` bytes that, symlinks resolved,
/// lies inside `within` (an edition folder). The check is made on the path
/// and again on the file actually opened, so that a symlink swapped between
/// the two cannot lead outside.
pub fn read(within: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let root = within.canonicalize().map_err(ReadError::Io)?;
    if path.canonicalize().is_ok_and(|target| !target.starts_with(&root)) {
        return Err(ReadError::Outside);
    }
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
        Err(err) => return Err(ReadError::Io(err)),
    };
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(kind_of(metadata.file_type())));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // If the file was swapped for a FIFO since the check, opening it must not wait for a writer.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(err),
    })?;
    // What was opened is what counts.
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let opened_path = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()));
        if opened_path.is_ok_and(|p| !p.starts_with(&root)) {
            return Err(ReadError::Outside);
        }
    }
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(kind_of(opened.file_type())));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize + 1);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Why a UTF-8 text file could not be read.
#[derive(Debug)]
pub enum TextError {
    Read(ReadError),
    /// Not UTF-8: the valid text before the first bad byte, and that byte.
    NotUtf8 {
        valid: String,
        byte: u8,
        utf16: bool,
    },
}

/// Reads a UTF-8 text file of at most [`MAX_TEXT_BYTES`].
pub fn read_text(within: &Path, path: &Path) -> Result<String, TextError> {
    let bytes = read(within, path, MAX_TEXT_BYTES).map_err(TextError::Read)?;
    // UTF-16 without a byte order mark is valid UTF-8 when its text is
    // ASCII, with a NUL in every other byte: told apart here, not printed.
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let head = &bytes[..bytes.len().min(512)];
        let nuls = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
        let utf16 = nuls(0).max(nuls(1)) * 4 >= head.len().max(2);
        let valid = if utf16 { String::new() } else { String::from_utf8_lossy(&bytes[..nul]).into_owned() };
        return Err(TextError::NotUtf8 { valid, byte: 0, utf16 });
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid_up_to = err.utf8_error().valid_up_to();
        let bytes = err.into_bytes();
        let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
        TextError::NotUtf8 {
            valid: String::from_utf8_lossy(&bytes[..valid_up_to]).into_owned(),
            byte: bytes[valid_up_to],
            utf16,
        }
    })
}

/// Why a text file of the edition could not be read.
pub enum SourceError {
    /// It does not exist: the caller knows what to say.
    Missing,
    /// Any other problem, already phrased and located.
    Other(Diagnostic),
}

/// Reads a UTF-8 text file of the edition (manifest, story) for parsing and quoting.
pub fn read_source(within: &Path, path: &Path) -> Result<Arc<SourceFile>, SourceError> {
    match read_text(within, path) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(TextError::Read(ReadError::NotFound)) => Err(SourceError::Missing),
        Err(TextError::Read(err @ ReadError::TooLarge { .. })) => Err(SourceError::Other(
            Diagnostic::error(format!("the file {err}"))
                .in_file(path)
                .hint("split the text into several stories, or check that this is the right file"),
        )),
        Err(TextError::Read(err)) => Err(SourceError::Other(
            Diagnostic::error(format!("the file {err}")).in_file(path).hint("list a regular text file here"),
        )),
        Err(TextError::NotUtf8 { valid, byte, utf16 }) => {
            let at = valid.len();
            let file = SourceFile::new(path, valid);
            let (message, hint) = if utf16 {
                (
                    "the file is UTF-16, not UTF-8".to_string(),
                    "save it as UTF-8 (in Word or Notepad: Save as… › Encoding: UTF-8)",
                )
            } else if byte == 0 {
                ("the file holds a NUL character: it is not a text file".to_string(), "list a Markdown text file here")
            } else {
                (format!("the file is not valid UTF-8 (byte 0x{byte:02X})"), "save the file as UTF-8 in your editor")
            };
            Err(SourceError::Other(Diagnostic::error(message).at(&file, at..at).hint(hint)))
        }
    }
}

/// Lexically normalises an edition-relative path, refusing ones that leave
/// the folder, web addresses and names no file system agrees on.
pub fn normalize_relative(path: &str) -> Result<String, &'static str> {
    if path.trim().is_empty() {
        return Err("is an empty path");
    }
    if path.contains('\0') {
        return Err("contains a NUL character");
    }
    if path.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    if let Some((scheme, _)) = path.split_once("://")
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return Err("is a web address, not a file of the edition");
    }
    if path.contains('\\') {
        return Err("contains a backslash; separate folders with /");
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().ok_or("is not valid UTF-8")?),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err("points outside the edition folder");
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err("is an absolute path"),
        }
    }
    if parts.is_empty() {
        return Err("is not a file");
    }
    Ok(parts.join("/"))
}

/// Checks that a path, with symlinks resolved, stays inside the edition
/// folder. A path that does not exist passes: whoever reads it reports that.
pub fn confine(edition: &Path, path: &Path) -> Result<(), &'static str> {
    let (Ok(root), Ok(target)) = (edition.canonicalize(), path.canonicalize()) else {
        return Ok(());
    };
    if target.starts_with(&root) { Ok(()) } else { Err("resolves outside the edition folder (symlink)") }
}

/// A new temporary file in `dir`: created exclusively under a random
/// `.anthology-…tmp` name (never through a symlink), readable like any file
/// the user makes (0644 less the umask), removed unless persisted.
pub fn scratch_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".anthology-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// Replaces a file of the edition (a manifest `status --record` updates)
/// through a temporary file created exclusively beside it, so that an
/// interrupted write never leaves half a file and a planted symlink is
/// replaced, not followed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = scratch_file(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map(drop).map_err(|err| err.error)
}

/// Writes `bytes` to `path` inside `edition` like [`write_atomic`],
/// creating its folders; refused when a folder on the way is a symlink that
/// leads outside the edition.
pub fn write_within(edition: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(edition);
    std::fs::create_dir_all(parent)?;
    confine(edition, parent).map_err(|reason| std::io::Error::other(format!("the folder {reason}")))?;
    write_atomic(path, bytes)
}

/// Whether `path` (which may not exist yet) is `dir` or lies inside it.
pub fn is_within(path: &Path, dir: &Path) -> bool {
    let Ok(dir) = dir.canonicalize() else { return false };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Resolve the part that exists, keep the rest as written.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else { break };
        rest.push(name.to_os_string());
        existing = parent;
    }
    let mut resolved = existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    resolved.starts_with(&dir)
}

/// Who an existing file is, to recognise two spellings of one file.
pub fn identity(path: &Path) -> Option<(u64, u64)> {
    // The device and inode: the same for symlinks and hard links to one file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        path.canonicalize().ok().map(|p| (typst::utils::hash128(&p) as u64, 0))
    }
}

/// The file an editor most likely meant by `wanted`, an edition-relative
/// path that does not exist: the same path in another case, else the only
/// file of that name elsewhere in the edition (a moved file, `images/`
/// written for `../images/`). Returned as it should be written in a file
/// of the folder `base` (edition-relative; `""` for the edition itself).
pub fn did_you_mean(edition: &Path, base: &str, wanted: &str) -> Option<String> {
    did_you_mean_among(&walk(edition, edition, &["layouts"]), base, wanted)
}

/// [`did_you_mean`] among the edition's files, listed once by the caller
/// (`walk`) when it has many paths to ask about.
pub fn did_you_mean_among(found: &[String], base: &str, wanted: &str) -> Option<String> {
    let wanted = wanted.to_lowercase();
    let name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_lowercase();
    let chosen = found.iter().find(|f| f.to_lowercase() == wanted).or_else(|| {
        let mut same_name = found.iter().filter(|f| name(f) == name(&wanted));
        let first = same_name.next()?;
        same_name.next().is_none().then_some(first)
    })?;
    let relative = pathdiff::diff_paths(chosen, base)?;
    Some(relative.to_string_lossy().replace('\\', "/"))
}

/// Files under `dir` (recursively, not following symlinked folders), as
/// `/`-separated paths relative to `root`, sorted; names starting with `.`
/// and folders named in `skip` are left out.
pub fn walk(root: &Path, dir: &Path, skip: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    // Iterative, so that a deep folder tree cannot exhaust the stack.
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else { continue };
        for entry in read.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || skip.contains(&name.as_ref()) {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                found.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_may_not_leave_the_edition() {
        assert_eq!(normalize_relative("stories/../intro.md"), Ok("intro.md".to_string()));
        assert_eq!(normalize_relative("./a/b.md"), Ok("a/b.md".to_string()));
        assert_eq!(normalize_relative("stories//b.md"), Ok("stories/b.md".to_string()));
        assert!(normalize_relative("../other/a.md").is_err());
        assert!(normalize_relative("/etc/passwd").is_err());
        assert!(normalize_relative("a/../../b.md").is_err());
        assert_eq!(normalize_relative("https://example.org/a.md"), Err("is a web address, not a file of the edition"));
        assert_eq!(normalize_relative("a\0b.md"), Err("contains a NUL character"));
        assert_eq!(normalize_relative("a\\b.png"), Err("contains a backslash; separate folders with /"));
    }

    #[test]
    fn only_regular_files_are_read_and_the_limit_holds_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read(dir.path(), &file, 10).unwrap(), b"0123456789");
        assert!(matches!(read(dir.path(), &file, 9), Err(ReadError::TooLarge { limit: 9 })));
        assert!(matches!(read(dir.path(), dir.path(), 10), Err(ReadError::NotRegular("a folder"))));
        assert!(matches!(read(dir.path(), &dir.path().join("none"), 10), Err(ReadError::NotFound)));
        // A character device is refused by its type, never read.
        assert!(matches!(read(Path::new("/dev"), Path::new("/dev/zero"), 10), Err(ReadError::NotRegular("a device"))));
        // A symlink out of the folder is refused.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"secret").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("link.md")).unwrap();
        assert!(matches!(read(dir.path(), &dir.path().join("link.md"), 10), Err(ReadError::Outside)));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("story.md");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(matches!(read(dir.path(), &fifo, 10), Err(ReadError::NotRegular("a FIFO (named pipe)"))));
    }

    #[test]
    fn utf16_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, [0xFF, 0xFE, b'a', 0]).unwrap();
        assert!(matches!(read_text(dir.path(), &file), Err(TextError::NotUtf8 { utf16: true, .. })));
    }
}
