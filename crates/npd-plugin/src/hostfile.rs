//! Reading one small host file under the host root, bounded in size and named to the
//! watchdog while it is read. The file is opened through [`crate::hostfs`], so that
//! one on a mount that can hang is never read here.
//!
//! procfs files answer from memory, but `--host-root` may point at anything (a copy
//! of /proc, a FIFO left by a broken tool, /dev/zero behind a symlink): the read says
//! what it waits for, so that a read that never returns is named in the answer, and
//! it stops at a size no kernel file of interest reaches.

use std::io::{self, Read};
use std::path::PathBuf;

use crate::{Context, Error, Result};

/// /proc/stat, the largest procfs file plugins read whole, grows with CPUs and
/// interrupt lines to some hundreds of KB on the largest hosts; 4 MiB is garbage.
const MAX_BYTES: u64 = 4 << 20;

/// A host file's text, or why it could not be had.
pub enum HostFile {
    Text(String),
    /// The file does not exist (or the kernel switched the feature off): a kernel
    /// without the feature, or a host root without the file. The caller decides
    /// which it is.
    Missing(PathBuf),
}

/// Reads the host file `path` (e.g. `/proc/meminfo`) under the host root.
pub fn host_file(ctx: &Context, path: &str) -> Result<HostFile> {
    let full = ctx.host_path(path);
    ctx.waiting_for(format!("reading {}", full.display()));
    let file = match ctx.hostfs().open_file(path) {
        Ok(f) => f,
        // procfs answers EOPNOTSUPP for pressure files when PSI is compiled in but
        // switched off: as good as absent.
        Err(e)
            if e.kind() == io::ErrorKind::NotFound
                || e.raw_os_error() == Some(libc::EOPNOTSUPP) =>
        {
            return Ok(HostFile::Missing(full))
        }
        Err(e) => return Err(Error::io(full.display(), &e)),
    };
    let mut bytes = Vec::with_capacity(8192);
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(full.display(), &e))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Error::unobserved(format!(
            "{}: garbage (longer than {} KiB)",
            full.display(),
            MAX_BYTES >> 10
        )));
    }
    String::from_utf8(bytes)
        .map(HostFile::Text)
        .map_err(|_| Error::unobserved(format!("{}: garbage (not text)", full.display())))
}

/// As [`host_file`], for a file the check cannot do without: missing is Unknown too.
pub fn required(ctx: &Context, path: &str) -> Result<String> {
    match host_file(ctx, path)? {
        HostFile::Text(t) => Ok(t),
        HostFile::Missing(full) => Err(Error::unobserved(format!(
            "cannot read {}: not found",
            full.display()
        ))),
    }
}

/// A parser's error with the host path of the file it read in front:
/// "/host/proc/loadavg: garbage line ...".
pub fn garbage(ctx: &Context, path: &str, why: Error) -> Error {
    why.context(ctx.host_path(path).display())
}

/// A file the check cannot do without, read and parsed by `parse`.
pub fn parsed<T>(ctx: &Context, path: &str, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    let text = required(ctx, path)?;
    parse(&text).map_err(|why| garbage(ctx, path, why))
}
