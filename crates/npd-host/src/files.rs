//! Files kept between runs (state documents, markers of stuck helpers): replaced
//! atomically, and named by a hash that every build computes alike. What goes in them
//! and what a broken one means is for their owners to say.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Writes `bytes` to a temporary sibling and renames it over `path`, so that a reader
/// (or a run killed half way) sees either the old or the new document. The file is
/// private (0600): some hold secrets (cached tokens).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&tmp)?;
        f.write_all(bytes)?;
        // No fsync: the rename alone keeps readers from ever seeing half a file, and
        // what a power cut may lose (a debounce count, a marker, an offset) is state
        // every reader already survives as missing or corrupt. An fsync, by contrast,
        // can stall for seconds on a busy disk, on every run of every rule.
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A stable 64-bit FNV-1a hash, for state keys and marker names that must not change
/// between builds (std's hasher is randomly seeded).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_document_is_replaced_whole_and_kept_private() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("doc");
        write_atomically(&path, b"old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "no leftovers");
    }

    #[test]
    fn a_write_that_fails_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let err = write_atomically(&tmp.path().join("no/such/dir/doc"), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn stable_hash_is_stable() {
        assert_eq!(stable_hash(b""), 0xcbf29ce484222325);
        assert_eq!(stable_hash(b"a"), 0xaf63dc4c8601ec8c);
    }
}
