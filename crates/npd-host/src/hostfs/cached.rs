//! Whether a host path exists, told by the kernel's lookup cache alone.
//!
//! The careful walk ([`HostFs::resolve`]) reads a mount table to learn the kind of
//! the mount each step enters, which costs more than the answer is worth when only
//! presence is asked (`--only-if-exists`, at every run of a gated rule) and grows with
//! the node's mounts. A lookup made with `RESOLVE_CACHED` never asks a filesystem
//! anything: the kernel answers it from dentries it holds, and fails it with `EAGAIN`
//! as soon as a step would need a filesystem (a component not cached, a network
//! filesystem's dentry to revalidate). So it cannot wait on a hung mount, and when it
//! answers, the answer (present, or a cached negative entry: absent) is the kernel's
//! own. `RESOLVE_IN_ROOT` resolves `..` and absolute symlinks under the host root, as
//! the walk does. When the cache cannot tell, the caller walks.

use std::path::Path;

use super::{sys, HostFs};

impl HostFs {
    /// `Some(present)` when the kernel's lookup cache tells whether `host_path`
    /// (absolute, host view) exists; `None` when only the careful walk can.
    pub fn present_in_cache(&self, host_path: &Path) -> Option<bool> {
        let rel = host_path.strip_prefix("/").ok()?;
        let root = sys::open_cached(self.root().as_os_str()).ok()??;
        if rel.as_os_str().is_empty() {
            return Some(true);
        }
        sys::present_cached_in(&root, rel.as_os_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_tells_a_looked_up_path_and_never_guesses() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("run/containerd")).unwrap();
        std::fs::write(tmp.path().join("run/containerd/containerd.sock"), "").unwrap();
        std::os::unix::fs::symlink("/run", tmp.path().join("var-run")).unwrap();
        let fs = HostFs::new(tmp.path());
        let sock = Path::new("/run/containerd/containerd.sock");
        // Just created, so cached: present, also through an absolute symlink that
        // must resolve under the host root.
        assert_eq!(fs.present_in_cache(sock), Some(true));
        assert_eq!(
            fs.present_in_cache(Path::new("/var-run/containerd/containerd.sock")),
            Some(true)
        );
        assert_eq!(fs.present_in_cache(Path::new("/")), Some(true));
        // `..` stays under the host root.
        assert_eq!(
            fs.present_in_cache(Path::new("/../../run/containerd/containerd.sock")),
            Some(true)
        );
        // Absent: either the cache holds the negative entry, or it cannot tell.
        let missing = Path::new("/run/crio/crio.sock");
        assert_ne!(fs.present_in_cache(missing), Some(true));
        assert!(std::fs::metadata(tmp.path().join("run/crio")).is_err());
        assert_eq!(fs.present_in_cache(missing), Some(false), "now cached");
        assert_eq!(fs.present_in_cache(Path::new("relative")), None);
    }
}
