//! From `--path` patterns to the files they name on the host: components resolved
//! under the host root (absolute symlinks restart there, `..` never climbs above it),
//! wildcards expanded by reading directories.
//!
//! Every lookup is made only after the mount table said the path is on a local
//! filesystem. A path on a network or FUSE mount is not looked up here at all: it is
//! handed on as [`Found::Remote`], for a stat in a helper process (see `inspect`).
//! Wildcards cannot be expanded there (a readdir can hang as well), which is an error.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use npd_plugin::{Error, Result};

use crate::config::{PathPattern, Step};
use crate::mounts::{Mount, Mounts};

/// Symlinks followed per path before giving up, as the kernel's ELOOP limit.
const MAX_LINKS: u32 = 40;
/// Files one run may judge; a pattern matching more is almost certainly a mistake.
pub const MAX_MATCHES: usize = 1000;

/// A file a pattern named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Resolved on a local filesystem: `host` is the host's path for it (for
    /// messages), `real` where this process reaches it.
    Local { host: PathBuf, real: PathBuf },
    /// On a mount that can hang; not looked up yet, and only in a helper process.
    Remote {
        host: PathBuf,
        real: PathBuf,
        mount: Mount,
    },
}

impl Found {
    pub fn host(&self) -> &Path {
        match self {
            Found::Local { host, .. } | Found::Remote { host, .. } => host,
        }
    }
}

pub struct Locator<'a> {
    root: &'a Path,
    mounts: &'a Mounts,
}

impl<'a> Locator<'a> {
    pub fn new(root: &'a Path, mounts: &'a Mounts) -> Locator<'a> {
        Locator { root, mounts }
    }

    /// Every existing file `pattern` names (a literal path gives at most one), in
    /// name order; files on hanging-prone mounts are returned unverified.
    pub fn locate(&self, pattern: &PathPattern) -> Result<Vec<Found>> {
        let mut out = Vec::new();
        let steps: VecDeque<Step> = pattern.steps.iter().cloned().collect();
        self.walk(pattern, Vec::new(), steps, 0, &mut out)?;
        Ok(out)
    }

    fn walk(
        &self,
        pattern: &PathPattern,
        mut at: Vec<OsString>,
        mut pending: VecDeque<Step>,
        mut links: u32,
        out: &mut Vec<Found>,
    ) -> Result<()> {
        if let Some(mount) = self.mounts.hanging(&host_path(&at)) {
            return self.remote(pattern, &at, &pending, mount, out);
        }
        while let Some(step) = pending.pop_front() {
            match step {
                Step::Literal(part) if part == ".." => {
                    at.pop();
                }
                Step::Literal(part) => {
                    at.push(part);
                    let host = host_path(&at);
                    if let Some(mount) = self.mounts.hanging(&host) {
                        return self.remote(pattern, &at, &pending, mount, out);
                    }
                    let real = self.real(&at);
                    let meta = match std::fs::symlink_metadata(&real) {
                        Ok(meta) => meta,
                        Err(e) if absent(&e) => return Ok(()),
                        Err(e) => return Err(Error::io(host.display(), &e)),
                    };
                    if !meta.file_type().is_symlink() {
                        continue;
                    }
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Error::new(format!(
                            "cannot resolve {}: too many levels of symbolic links",
                            host.display()
                        )));
                    }
                    let target =
                        std::fs::read_link(&real).map_err(|e| Error::io(host.display(), &e))?;
                    at.pop();
                    if target.is_absolute() {
                        at.clear();
                    }
                    for part in components(&target).into_iter().rev() {
                        pending.push_front(Step::Literal(part));
                    }
                }
                Step::Glob(glob) => {
                    let dir = self.real(&at);
                    let entries = match std::fs::read_dir(&dir) {
                        Ok(entries) => entries,
                        Err(e) if absent(&e) => return Ok(()),
                        Err(e) => return Err(Error::io(host_path(&at).display(), &e)),
                    };
                    let mut names = Vec::new();
                    for entry in entries {
                        let entry = entry.map_err(|e| Error::io(host_path(&at).display(), &e))?;
                        let name = entry.file_name();
                        if glob.matches(&name) {
                            names.push(name);
                        }
                    }
                    names.sort();
                    for name in names {
                        let mut rest = pending.clone();
                        rest.push_front(Step::Literal(name));
                        self.walk(pattern, at.clone(), rest, links, out)?;
                    }
                    return Ok(());
                }
            }
        }
        if out.len() >= MAX_MATCHES {
            return Err(Error::new(format!(
                "--path {} matches more than {MAX_MATCHES} files",
                pattern.text
            )));
        }
        out.push(Found::Local {
            host: host_path(&at),
            real: self.real(&at),
        });
        Ok(())
    }

    /// `at` and what follows lie on `mount`, which can hang: no lookup here.
    fn remote(
        &self,
        pattern: &PathPattern,
        at: &[OsString],
        pending: &VecDeque<Step>,
        mount: &Mount,
        out: &mut Vec<Found>,
    ) -> Result<()> {
        let mut parts = at.to_vec();
        for step in pending {
            match step {
                Step::Literal(part) => parts.push(part.clone()),
                Step::Glob(_) => {
                    return Err(Error::new(format!(
                        "--path {}: wildcards are not expanded on {} mount {} (a directory \
                         read there can hang)",
                        pattern.text,
                        mount.fs_type,
                        mount.point.display()
                    )))
                }
            }
        }
        out.push(Found::Remote {
            host: host_path(&parts),
            real: self.real(&parts),
            mount: mount.clone(),
        });
        Ok(())
    }

    fn real(&self, parts: &[OsString]) -> PathBuf {
        let mut p = self.root.to_path_buf();
        p.extend(parts);
        p
    }
}

/// Not there: no such entry, or a component on the way that is not a directory.
fn absent(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

fn host_path(parts: &[OsString]) -> PathBuf {
    let mut p = PathBuf::from("/");
    p.extend(parts);
    p
}

fn components(path: &Path) -> Vec<OsString> {
    use std::path::Component;
    path.components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{configure, Args};
    use std::fs;
    use std::os::unix::fs::symlink;

    fn pattern(text: &str) -> PathPattern {
        configure(Args {
            paths: vec![text.into()],
            problem_if_exists: true,
            problem_if_missing: false,
            problem_if_older_than: None,
            problem_if_contains: None,
            if_missing: None,
            max_read: 1,
        })
        .unwrap()
        .paths
        .remove(0)
    }

    fn hosts(found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|f| f.host().display().to_string())
            .collect()
    }

    #[test]
    fn links_restart_at_the_host_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("run")).unwrap();
        fs::create_dir_all(root.join("var")).unwrap();
        fs::write(root.join("run/reboot-required"), b"").unwrap();
        symlink("/run", root.join("var/run")).unwrap();
        symlink("../../../../etc/x", root.join("run/escape")).unwrap();
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::write(root.join("etc/x"), b"").unwrap();
        let mounts = Mounts::default();
        let l = Locator::new(root, &mounts);
        let found = l.locate(&pattern("/var/run/reboot-required")).unwrap();
        assert_eq!(
            found,
            vec![Found::Local {
                host: "/run/reboot-required".into(),
                real: root.join("run/reboot-required"),
            }]
        );
        assert_eq!(
            hosts(&l.locate(&pattern("/run/escape")).unwrap()),
            ["/etc/x"]
        );
        assert!(l.locate(&pattern("/var/run/nothing")).unwrap().is_empty());
        assert!(l
            .locate(&pattern("/run/reboot-required/under-a-file"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn wildcards_expand_in_name_order() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for d in ["a/x1", "a/x2", "b/x1", "a/.x3"] {
            fs::create_dir_all(root.join(d)).unwrap();
            fs::write(root.join(d).join("beat"), b"").unwrap();
        }
        let mounts = Mounts::default();
        let l = Locator::new(root, &mounts);
        let found = l.locate(&pattern("/*/x?/beat")).unwrap();
        assert_eq!(hosts(&found), ["/a/x1/beat", "/a/x2/beat", "/b/x1/beat"]);
        assert!(l.locate(&pattern("/nothing/*")).unwrap().is_empty());
    }

    #[test]
    fn link_loops_are_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        symlink("/a", tmp.path().join("a")).unwrap();
        let mounts = Mounts::default();
        let e = Locator::new(tmp.path(), &mounts)
            .locate(&pattern("/a"))
            .unwrap_err();
        assert!(e.message().contains("too many levels"), "{e}");
    }

    #[test]
    fn nothing_is_looked_up_on_a_mount_that_can_hang() {
        let tmp = tempfile::tempdir().unwrap();
        // The mount point does not even exist in the tree: a lookup would say so.
        fs::create_dir(tmp.path().join("mnt")).unwrap();
        let mounts = Mounts::parse(
            b"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 0:40 / /mnt/nfs rw - nfs4 srv:/e rw\n",
        );
        let l = Locator::new(tmp.path(), &mounts);
        let found = l.locate(&pattern("/mnt/nfs/beat")).unwrap();
        assert!(matches!(&found[..], [Found::Remote { host, mount, .. }]
            if host == Path::new("/mnt/nfs/beat") && mount.fs_type == "nfs4"));
        let e = l.locate(&pattern("/mnt/nfs/*.beat")).unwrap_err();
        assert!(e.message().contains("not expanded on nfs4 mount"), "{e}");
    }

    #[test]
    fn a_link_into_a_remote_mount_is_caught() {
        let tmp = tempfile::tempdir().unwrap();
        symlink("/mnt/nfs/data", tmp.path().join("data")).unwrap();
        fs::create_dir(tmp.path().join("mnt")).unwrap();
        let mounts = Mounts::parse(b"40 22 0:40 / /mnt/nfs rw - nfs4 srv:/e rw\n");
        let found = Locator::new(tmp.path(), &mounts)
            .locate(&pattern("/data/beat"))
            .unwrap();
        assert_eq!(hosts(&found), ["/mnt/nfs/data/beat"]);
        assert!(matches!(found[0], Found::Remote { .. }));
    }
}
