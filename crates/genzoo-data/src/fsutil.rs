//! Atomic file writes: write `<path>.tmp`, flush it to disk, rename it over `<path>`.
//!
//! On POSIX file systems `rename` within one directory is atomic, so a reader (or a run resumed
//! after a crash) sees either the old complete file or the new complete file, never a torn one.
//! Every file this crate writes goes through [`write_atomic`]; other crates reuse it for
//! checkpoints, configs and logs that are rewritten whole.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// Suffix of the temporary file written next to the destination before the rename.
pub const TMP_SUFFIX: &str = ".tmp";

/// The temporary path used for `path`: the same name with [`TMP_SUFFIX`] appended.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(TMP_SUFFIX);
    PathBuf::from(name)
}

/// Writes `bytes` to `path` atomically, creating missing parent directories.
///
/// The bytes go to `<path>.tmp`, are synced to disk, and the temporary file is renamed over
/// `path`. On failure the temporary file is removed (best effort) and the destination is left as
/// it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| DataError::io(parent, e))?;
    }
    let tmp = tmp_path(path);
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        // Sync before the rename: otherwise a crash can leave the new name pointing at an
        // empty or partial file on file systems that reorder metadata and data writes.
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(DataError::io(&tmp, e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        DataError::io(path, e)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn writes_creates_parents_and_leaves_no_tmp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/file.bin");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert!(!tmp_path(&path).exists());
    }

    #[test]
    fn failure_names_the_path_and_keeps_destination() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should go makes the rename fail.
        let path = dir.path().join("taken");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), b"x").unwrap();
        let err = write_atomic(&path, b"data").unwrap_err();
        assert!(matches!(err, DataError::Io { .. }), "{err}");
        assert!(path.is_dir());
        assert!(!tmp_path(&path).exists());
    }
}
