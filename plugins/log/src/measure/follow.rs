//! Following files across runs: which bytes of which file are new since the last run.
//!
//! A file is known by its device and inode, plus a checksum of its first bytes (an
//! inode number is reused as soon as a file is deleted). Each run:
//! - a known file that no longer has a name the pattern matches was rotated
//!   (renamed, logrotate's default): it is found again by its inode in the same
//!   directory and finished from its offset; gone (deleted, compressed), it is dropped;
//! - a known file that is shorter than the offset, or whose first bytes changed, was
//!   truncated in place (copytruncate) or replaced: it is read from its start;
//! - a file not known is new since the last run (a rotation's fresh file, a
//!   delete-and-recreate, a file not created before): read from its start, except on
//!   the very first run, which starts at the end (history is not news).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use npd_plugin::state::stable_hash;
use npd_plugin::{explain, Context, Error, Result};
use serde::{Deserialize, Serialize};

use super::glob::{self, Named};
use super::read::{self, read, Position};
use crate::config::Config;
use crate::tally::Tally;

/// The checksum covers this many first bytes (fewer while the file is shorter).
const HEAD_BYTES: u64 = 1024;
/// A directory searched for a rotated file is given up on after this many entries.
const MAX_SIBLINGS: usize = 10_000;

/// A file being followed, as kept between runs.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Tracked {
    pub path: PathBuf,
    pub dev: u64,
    pub ino: u64,
    pub offset: u64,
    #[serde(default)]
    pub skipping: bool,
    pub head_len: u64,
    pub head: u64,
}

/// What this run did with the files, for --explain and the answer.
#[derive(Default)]
pub struct Progress {
    pub bytes: u64,
    pub files: usize,
    pub interrupted: bool,
}

struct Open {
    named: Named,
    file: File,
    dev: u64,
    ino: u64,
    size: u64,
}

/// Reads what is new in the files `named` (the pattern's matches now), given what was
/// followed before (`known`, None on a first run). Returns what to follow next time.
pub fn follow(
    cfg: &Config,
    ctx: &Context,
    named: &[Named],
    known: Option<&[Tracked]>,
    deadline: Instant,
    tally: &mut Tally,
    progress: &mut Progress,
) -> Result<Vec<Tracked>> {
    let literal = !glob::has_wildcards(&cfg.file);
    let mut open = Vec::new();
    for n in named {
        ctx.waiting_for(format!("opening {}", n.local.display()));
        match open_regular(&n.local) {
            Ok(Some((file, meta))) => open.push(Open {
                named: n.clone(),
                dev: meta.dev(),
                ino: meta.ino(),
                size: meta.size(),
                file,
            }),
            Ok(None) if literal => {
                return Err(Error::unobserved(format!("{}: not a regular file", n.host)))
            }
            Ok(None) => explain!(ctx, "{}: not a regular file, skipped", n.host),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&n.host, &e)),
        }
    }
    let first_run = known.is_none();
    let known = known.unwrap_or(&[]);
    let mut buf = vec![0u8; read::buffer_size(cfg)];
    let mut next = Vec::new();

    // Rotated files first: their lines were written before those of their successor.
    for t in known {
        if open.iter().any(|o| o.dev == t.dev && o.ino == t.ino) {
            continue;
        }
        let Some((path, file, size)) = find_rotated(ctx, t) else {
            explain!(
                ctx,
                "{}: gone (deleted or compressed) since the last run",
                t.path.display()
            );
            continue;
        };
        if head_of(&file, t.head_len)? != t.head || size < t.offset {
            explain!(
                ctx,
                "{}: inode reused by another file, not read",
                path.display()
            );
            continue;
        }
        explain!(
            ctx,
            "{}: rotated to {}, finishing it from offset {}",
            t.path.display(),
            path.display(),
            t.offset
        );
        ctx.waiting_for(format!("reading {}", path.display()));
        let from = Position {
            offset: t.offset,
            skipping: t.skipping,
        };
        let done = read(cfg, &file, from, size, deadline, &mut buf, tally)
            .map_err(|e| Error::io(path.display(), &e))?;
        progress.bytes += done.bytes;
        progress.files += 1;
        explain!(ctx, "{}: read {} bytes", path.display(), done.bytes);
        if done.interrupted {
            progress.interrupted = true;
            // Not finished: followed under its new name until it is.
            next.push(Tracked {
                path,
                offset: done.stop.offset,
                skipping: done.stop.skipping,
                ..t.clone()
            });
        }
    }

    for o in &open {
        let host = &o.named.host;
        let previous = known.iter().find(|t| t.dev == o.dev && t.ino == o.ino);
        let from = match previous {
            Some(t) if o.size < t.offset => {
                explain!(
                    ctx,
                    "{host}: shorter than offset {} (truncated in place), reading from its start",
                    t.offset
                );
                Position {
                    offset: 0,
                    skipping: false,
                }
            }
            Some(t) if head_of(&o.file, t.head_len)? != t.head => {
                explain!(
                    ctx,
                    "{host}: first bytes changed (replaced or truncated), reading from its start"
                );
                Position {
                    offset: 0,
                    skipping: false,
                }
            }
            Some(t) => Position {
                offset: t.offset,
                skipping: t.skipping,
            },
            None if first_run && !cfg.from_start => {
                explain!(
                    ctx,
                    "{host}: first run, starting at its end ({} bytes)",
                    o.size
                );
                Position {
                    offset: o.size,
                    skipping: !ends_a_line(&o.file, o.size)?,
                }
            }
            None => {
                explain!(
                    ctx,
                    "{host}: new since the last run, reading from its start"
                );
                Position {
                    offset: 0,
                    skipping: false,
                }
            }
        };
        let stop = if progress.interrupted {
            from
        } else {
            ctx.waiting_for(format!("reading {host}"));
            let done = read(cfg, &o.file, from, o.size, deadline, &mut buf, tally)
                .map_err(|e| Error::io(host, &e))?;
            progress.bytes += done.bytes;
            progress.files += 1;
            progress.interrupted |= done.interrupted;
            explain!(
                ctx,
                "{host}: read {} bytes from offset {} to {}",
                done.bytes,
                from.offset,
                done.stop.offset
            );
            done.stop
        };
        let head_len = o.size.min(HEAD_BYTES);
        next.push(Tracked {
            path: o.named.local.clone(),
            dev: o.dev,
            ino: o.ino,
            offset: stop.offset,
            skipping: stop.skipping,
            head_len,
            head: head_of(&o.file, head_len)?,
        });
    }
    Ok(next)
}

/// Opens a regular file without blocking: a FIFO at the path must not hang the run.
fn open_regular(path: &Path) -> io::Result<Option<(File, std::fs::Metadata)>> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    Ok(Some((file, meta)))
}

/// The file with `t`'s inode in `t`'s directory, under whatever name it has now. The
/// directory is listed only where it still is on a local mount.
fn find_rotated(ctx: &Context, t: &Tracked) -> Option<(PathBuf, File, u64)> {
    let host_dir = glob::host_of(ctx.hostfs(), t.path.parent()?)?;
    let dir = glob::local(ctx.hostfs(), host_dir.to_str()?).ok()??;
    for entry in std::fs::read_dir(dir).ok()?.take(MAX_SIBLINGS) {
        let Ok(entry) = entry else { continue };
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_file() && meta.ino() == t.ino && meta.dev() == t.dev {
            let path = entry.path();
            let (file, meta) = open_regular(&path).ok()??;
            if meta.ino() != t.ino {
                return None;
            }
            return Some((path, file, meta.size()));
        }
    }
    None
}

/// The checksum of the first `len` bytes; a file shorter than that has none that
/// matches.
fn head_of(file: &File, len: u64) -> Result<u64> {
    let mut buf = vec![0u8; len as usize];
    match file.read_exact_at(&mut buf, 0) {
        Ok(()) => Ok(stable_hash(&buf)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(!stable_hash(&buf)),
        Err(e) => Err(Error::unobserved(format!(
            "cannot read the start of a log: {e}"
        ))),
    }
}

fn ends_a_line(file: &File, size: u64) -> Result<bool> {
    if size == 0 {
        return Ok(true);
    }
    let mut last = [0u8];
    file.read_exact_at(&mut last, size - 1)
        .map_err(|e| Error::unobserved(format!("cannot read the end of a log: {e}")))?;
    Ok(last[0] == b'\n')
}
