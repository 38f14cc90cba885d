//! The careful walk: a path resolved one component at a time, each lookup made in a
//! directory whose mount is known not to hang, stopping before the first lookup that
//! would be made on a mount that can hang or whose kind cannot be established.
//!
//! Symlinks are followed as the host follows them: an absolute target restarts at the
//! base (the host root), `..` never climbs above it. Every mount the walk enters is
//! identified by the kernel (the mount ID of the descriptor reached), never by
//! matching path prefixes against a table, so a table that is stale, from another
//! namespace or wrong cannot send a lookup into a hung mount.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::sys::{self, Step};

/// Symlinks followed per path before giving up, as the kernel's ELOOP limit.
const MAX_LINKS: u32 = 40;

/// What kind of mount a lookup would be made on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// Answers from memory or a local disk.
    Local,
    /// A filesystem type whose calls can wait on a server or a daemon.
    CanHang(String),
    /// Not in this process's mount table (or no table): nothing is known of it.
    Unknown,
}

/// A directory the walk stands in, with the mount it is on.
pub(crate) struct Frame {
    pub name: OsString,
    pub fd: OwnedFd,
    pub mount: u64,
}

/// Where a walk ended.
pub(crate) enum Walked {
    /// Every component reached; the last frame is the object (its mount is Local).
    Reached(Vec<Frame>),
    /// Reached the root of a mount that is not Local; `rest` was not looked up.
    Stopped {
        frames: Vec<Frame>,
        kind: MountKind,
        rest: Vec<OsString>,
    },
    /// `frames` then `missing` (which does not exist).
    Missing {
        frames: Vec<Frame>,
        missing: OsString,
    },
}

/// Why a walk could not go on at all.
#[derive(Debug)]
pub(crate) struct WalkError {
    /// The components reached before the failing one, and that one.
    pub at: Vec<OsString>,
    pub error: io::Error,
}

pub(crate) fn components(path: &Path) -> Vec<OsString> {
    path.as_os_str()
        .as_bytes()
        .split(|b| *b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .map(|c| OsStr::from_bytes(c).to_os_string())
        .collect()
}

/// Walks `path` from `base` (a directory on a Local mount, `base_mount`).
/// `classify` names the kind of a mount by its ID.
pub(crate) fn walk(
    base: &OwnedFd,
    base_mount: u64,
    path: &Path,
    classify: &dyn Fn(u64) -> MountKind,
) -> Result<Walked, WalkError> {
    // A stack, the next component last.
    let mut pending: Vec<OsString> = components(path);
    pending.reverse();
    let mut frames: Vec<Frame> = Vec::new();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            frames.pop();
            continue;
        }
        let (dir, dir_mount) = match frames.last() {
            Some(f) => (&f.fd, f.mount),
            None => (base, base_mount),
        };
        let fail = |frames: &[Frame], part: &OsStr, error: io::Error| {
            let mut at: Vec<OsString> = frames.iter().map(|f| f.name.clone()).collect();
            at.push(part.to_os_string());
            WalkError { at, error }
        };
        match sys::step(dir, dir_mount, &part) {
            Ok(Step::Same(fd)) => frames.push(Frame {
                name: part,
                fd,
                mount: dir_mount,
            }),
            Ok(Step::Link(target)) => {
                links += 1;
                if links > MAX_LINKS {
                    let loops = io::Error::from_raw_os_error(libc::ELOOP);
                    return Err(fail(&frames, &part, loops));
                }
                if target.as_bytes().starts_with(b"/") {
                    frames.clear();
                }
                pending.extend(components(Path::new(&target)).into_iter().rev());
            }
            Ok(Step::Crossed(fd)) => {
                // 0 is no mount's ID: the mount cannot be established.
                let mount = sys::mount_id(&fd).unwrap_or_default();
                let kind = if mount == 0 {
                    MountKind::Unknown
                } else {
                    classify(mount)
                };
                frames.push(Frame {
                    name: part,
                    fd,
                    mount,
                });
                if kind != MountKind::Local {
                    pending.reverse();
                    return Ok(Walked::Stopped {
                        frames,
                        kind,
                        rest: pending,
                    });
                }
            }
            Err(e) if missing(&e) => {
                return Ok(Walked::Missing {
                    frames,
                    missing: part,
                })
            }
            Err(e) => return Err(fail(&frames, &part, e)),
        }
    }
    Ok(Walked::Reached(frames))
}

/// Not there: no such entry, or a component on the way that is not a directory.
pub(crate) fn missing(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

/// `base` joined with the names of `frames`.
pub(crate) fn joined(base: &Path, names: impl IntoIterator<Item = impl AsRef<OsStr>>) -> PathBuf {
    let mut p = base.to_path_buf();
    for n in names {
        p.push(n.as_ref());
    }
    p
}
