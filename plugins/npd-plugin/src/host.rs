//! Host paths: every path a plugin reads about the host is resolved under the host root
//! (`--host-root`, env HOST_ROOT), which is how a plugin inside NPD's container judges
//! the host, and how tests point it at fixture trees.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

/// The host's `/` as seen from here.
#[derive(Clone, Debug)]
pub struct HostRoot(PathBuf);

impl HostRoot {
    pub fn new(root: impl Into<PathBuf>) -> HostRoot {
        HostRoot(root.into())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `path` (a host path such as `/proc/1/mountinfo`) under the root, without
    /// touching the filesystem. Use it for paths the kernel already resolved (mount
    /// points from mountinfo) and for /proc and /sys files.
    pub fn join(&self, path: impl AsRef<Path>) -> PathBuf {
        let mut out = self.0.clone();
        for c in path.as_ref().components() {
            match c {
                Component::Normal(p) => out.push(p),
                Component::ParentDir => out.push(".."),
                _ => {}
            }
        }
        out
    }

    /// The host path with symlinks followed as the host would follow them: an absolute
    /// link target (`/var/run -> /run`) restarts at the host root, not at this
    /// container's `/`, and `..` never climbs above the root. The final component is
    /// followed too. Missing components are left as they are (the caller's open then
    /// says "not found").
    pub fn resolve(&self, path: impl AsRef<Path>) -> io::Result<PathBuf> {
        let mut pending: Vec<OsString> = components(path.as_ref());
        pending.reverse();
        let mut resolved: Vec<OsString> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                resolved.pop();
                continue;
            }
            let candidate = self.with(&resolved).join(&part);
            match fs::symlink_metadata(&candidate) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    links += 1;
                    if links > 40 {
                        return Err(io::Error::from_raw_os_error(libc::ELOOP));
                    }
                    let target = fs::read_link(&candidate)?;
                    if target.is_absolute() {
                        resolved.clear();
                    }
                    let mut more = components(&target);
                    more.reverse();
                    pending.extend(more);
                }
                _ => resolved.push(part),
            }
        }
        Ok(self.with(&resolved))
    }

    fn with(&self, parts: &[OsString]) -> PathBuf {
        let mut p = self.0.clone();
        p.extend(parts);
        p
    }
}

fn components(path: &Path) -> Vec<OsString> {
    path.as_os_str()
        .as_bytes()
        .split(|b| *b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .map(|c| OsString::from_vec(c.to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn join_stays_under_the_root() {
        let r = HostRoot::new("/host");
        assert_eq!(
            r.join("/proc/1/mountinfo"),
            Path::new("/host/proc/1/mountinfo")
        );
        assert_eq!(HostRoot::new("/").join("/proc"), Path::new("/proc"));
    }

    #[test]
    fn absolute_links_restart_at_the_host_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("run")).unwrap();
        fs::create_dir_all(root.join("var")).unwrap();
        fs::write(root.join("run/reboot-required"), b"").unwrap();
        symlink("/run", root.join("var/run")).unwrap();
        symlink("../../../../../etc/x", root.join("run/escape")).unwrap();
        let r = HostRoot::new(root);
        assert_eq!(
            r.resolve("/var/run/reboot-required").unwrap(),
            root.join("run/reboot-required")
        );
        assert_eq!(r.resolve("/run/escape").unwrap(), root.join("etc/x"));
        assert_eq!(
            r.resolve("/missing/file").unwrap(),
            root.join("missing/file")
        );
    }

    #[test]
    fn link_loops_are_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        symlink("/a", tmp.path().join("a")).unwrap();
        let err = HostRoot::new(tmp.path()).resolve("/a").unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ELOOP));
    }
}
