//! From a `--path` to the mount that holds it: symlinks are followed as the host
//! follows them (an absolute target restarts at the host root), and no lookup ever
//! enters a mount that can hang.
//!
//! A lookup (`lstat`) of a name on a hung NFS or FUSE mount blocks this process in
//! the kernel just as statvfs would, so the walk stops before the first component on
//! such a mount and leaves the rest of the path to the helper process that measures
//! it. It does not measure anything itself.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use npd_plugin::host::HostRoot;
use npd_plugin::{short_io_reason, Error, Result};

use crate::mountinfo::{Mount, MountTable};

/// Where a path was found.
#[derive(Debug)]
pub struct Located<'t> {
    /// The path as the host sees it, symlinks followed as far as the walk went.
    pub path: PathBuf,
    pub mount: &'t Mount,
    /// Whether the walk saw every component exist; false when it stopped before a
    /// mount that can hang (the helper then finds out).
    pub walked: bool,
}

/// The outcome of a walk.
#[derive(Debug)]
pub enum Found<'t> {
    At(Located<'t>),
    /// The host has no such path; the first missing component, host view.
    Missing(PathBuf),
}

/// Walks `path` (absolute, host view) under `root`. `can_hang` says which mounts the
/// walk must not enter.
pub fn locate<'t>(
    table: &'t MountTable,
    root: &HostRoot,
    path: &Path,
    can_hang: impl Fn(&Mount) -> bool,
) -> Result<Found<'t>> {
    let mut pending: Vec<OsString> = components(path);
    pending.reverse();
    let mut resolved = PathBuf::from("/");
    let mut links = 0;
    let mut walked = true;
    while let Some(part) = pending.pop() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        let candidate = resolved.join(&part);
        if walked && can_hang(holding(table, &candidate)?) {
            walked = false;
        }
        if !walked {
            resolved = candidate;
            continue;
        }
        match fs::symlink_metadata(root.join(&candidate)) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return Err(Error::new(format!(
                        "cannot look up {}: too many levels of symbolic links",
                        path.display()
                    )));
                }
                let target = fs::read_link(root.join(&candidate))
                    .map_err(|e| lookup_error(&candidate, &e))?;
                if target.is_absolute() {
                    resolved = PathBuf::from("/");
                }
                let mut more = components(&target);
                more.reverse();
                pending.extend(more);
            }
            Ok(_) => resolved = candidate,
            Err(e) if missing(&e) => return Ok(Found::Missing(candidate)),
            Err(e) => return Err(lookup_error(&candidate, &e)),
        }
    }
    let mount = holding(table, &resolved)?;
    Ok(Found::At(Located {
        path: resolved,
        mount,
        walked,
    }))
}

fn holding<'t>(table: &'t MountTable, path: &Path) -> Result<&'t Mount> {
    table.holding(path).ok_or_else(|| {
        Error::new(format!(
            "no mount holds {} in the host's mount table",
            path.display()
        ))
    })
}

fn missing(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

fn lookup_error(path: &Path, e: &io::Error) -> Error {
    Error::new(format!(
        "cannot look up {}: {}",
        path.display(),
        short_io_reason(e)
    ))
}

fn components(path: &Path) -> Vec<OsString> {
    path.as_os_str()
        .as_bytes()
        .split(|b| *b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .map(|c| OsStr::from_bytes(c).to_os_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn table() -> MountTable {
        MountTable::parse(
            b"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n\
              2 1 8:2 / /data rw - xfs /dev/sdb rw\n\
              3 1 0:50 / /mnt/nfs rw - nfs4 srv:/x rw\n\
              4 3 8:3 / /mnt/nfs/local rw - ext4 /dev/sdc rw\n",
        )
        .unwrap()
    }

    fn nfs(m: &Mount) -> bool {
        m.fs_type == "nfs4"
    }

    fn tree() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::create_dir_all(r.join("data/containerd")).unwrap();
        fs::create_dir_all(r.join("var/lib")).unwrap();
        fs::create_dir_all(r.join("mnt")).unwrap();
        symlink("/data/containerd", r.join("var/lib/containerd")).unwrap();
        symlink("../../data", r.join("var/lib/rel")).unwrap();
        symlink("/mnt/nfs/share", r.join("var/lib/remote")).unwrap();
        tmp
    }

    fn at(tmp: &tempfile::TempDir, path: &str) -> (PathBuf, u64, bool) {
        let t = table();
        let root = HostRoot::new(tmp.path());
        match locate(&t, &root, Path::new(path), nfs).unwrap() {
            Found::At(l) => (l.path, l.mount.id, l.walked),
            Found::Missing(p) => panic!("{path}: {} missing", p.display()),
        }
    }

    #[test]
    fn symlinks_are_followed_under_the_host_root() {
        let tmp = tree();
        assert_eq!(at(&tmp, "/"), (PathBuf::from("/"), 1, true));
        assert_eq!(
            at(&tmp, "/var/lib/containerd"),
            (PathBuf::from("/data/containerd"), 2, true)
        );
        assert_eq!(
            at(&tmp, "/var/lib/rel/containerd/"),
            (PathBuf::from("/data/containerd"), 2, true)
        );
        assert_eq!(at(&tmp, "/data/../var"), (PathBuf::from("/var"), 1, true));
    }

    #[test]
    fn the_walk_stops_before_a_mount_that_can_hang() {
        let tmp = tree();
        // Neither /mnt/nfs nor anything under it exists in the tree: had the walk
        // looked, it would have said "missing".
        assert_eq!(
            at(&tmp, "/var/lib/remote/a/../b"),
            (PathBuf::from("/mnt/nfs/share/b"), 3, false)
        );
        // A local mount under a remote one is reached through the remote one.
        assert_eq!(
            at(&tmp, "/mnt/nfs/local/x"),
            (PathBuf::from("/mnt/nfs/local/x"), 4, false)
        );
    }

    #[test]
    fn a_missing_component_is_named() {
        let tmp = tree();
        let t = table();
        let root = HostRoot::new(tmp.path());
        match locate(&t, &root, Path::new("/var/lib/kubelet/pods"), nfs).unwrap() {
            Found::Missing(p) => assert_eq!(p, Path::new("/var/lib/kubelet")),
            other => panic!("unexpected {other:?}"),
        }
        fs::write(tmp.path().join("var/file"), b"").unwrap();
        assert!(matches!(
            locate(&t, &root, Path::new("/var/file/x"), nfs).unwrap(),
            Found::Missing(_)
        ));
    }

    #[test]
    fn loops_and_tables_without_a_root_are_errors() {
        let tmp = tree();
        symlink("/loop", tmp.path().join("loop")).unwrap();
        let t = table();
        let root = HostRoot::new(tmp.path());
        let e = locate(&t, &root, Path::new("/loop"), nfs).unwrap_err();
        assert!(e.message().contains("symbolic links"), "{e}");
        let partial = MountTable::parse(b"2 1 8:2 / /data rw - xfs /dev/sdb rw\n").unwrap();
        let e = locate(&partial, &root, Path::new("/var"), nfs).unwrap_err();
        assert!(e.message().contains("no mount holds /var"), "{e}");
    }
}
