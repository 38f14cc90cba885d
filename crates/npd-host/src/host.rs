//! Host paths: every path a plugin reads about the host is resolved under the host root
//! (`--host-root`, env HOST_ROOT), which is how a plugin inside NPD's container judges
//! the host, and how tests point it at fixture trees. Following a path's symlinks as the
//! host would, without a call that can hang, is [`crate::hostfs`]'s.

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_stays_under_the_root() {
        let r = HostRoot::new("/host");
        assert_eq!(
            r.join("/proc/1/mountinfo"),
            Path::new("/host/proc/1/mountinfo")
        );
        assert_eq!(HostRoot::new("/").join("/proc"), Path::new("/proc"));
    }
}
