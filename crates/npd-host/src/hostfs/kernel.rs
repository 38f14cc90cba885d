//! Kernel files under the host root (`/proc`, `/sys`), which most plugins read every
//! run, reached at the cost of a plain open.
//!
//! The directory (`<host-root>/proc`) is opened once per run by a lookup that the
//! kernel answers from its cache without asking any filesystem (`RESOLVE_CACHED`), or
//! else by the careful walk. It is taken to be the kernel's own filesystem: that is
//! what `--host-root` promises. Each file is then opened relative to it with
//! `RESOLVE_NO_XDEV`, so one that is a mount of its own (lxcfs's FUSE files over
//! /proc/meminfo in a container, a bind mount over /proc/sys) is not opened that way:
//! it goes through the careful walk, and is read only where that finds a local mount.
//! Any other host file (`/etc/resolv.conf`) goes through the careful walk.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::sync::OnceLock;

use super::{sys, HostFs, Reach};

/// The kernel directories a run has opened.
#[derive(Default)]
pub(crate) struct KernelDirs {
    proc: OnceLock<Result<OwnedFd, (io::ErrorKind, String)>>,
    sys: OnceLock<Result<OwnedFd, (io::ErrorKind, String)>>,
}

impl KernelDirs {
    fn get(&self, fs: &HostFs, top: &str) -> io::Result<&OwnedFd> {
        let cell = if top == "proc" { &self.proc } else { &self.sys };
        cell.get_or_init(|| reach_dir(fs, top).map_err(|e| (e.kind(), e.to_string())))
            .as_ref()
            .map_err(|(kind, text)| io::Error::new(*kind, text.clone()))
    }
}

impl KernelDirs {
    /// Whether `<host-root>/proc` is a procfs (the host's own, or this machine's),
    /// not a copy of some files.
    pub(crate) fn proc_is_procfs(&self, fs: &HostFs) -> bool {
        let Ok(dir) = self.get(fs, "proc") else {
            return false;
        };
        let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
        // SAFETY: fstatfs on a descriptor we hold (O_PATH allows it), into our buffer.
        if unsafe { libc::fstatfs(dir.as_raw_fd(), st.as_mut_ptr()) } != 0 {
            return false;
        }
        // SAFETY: filled by the kernel.
        unsafe { st.assume_init() }.f_type == libc::PROC_SUPER_MAGIC
    }
}

fn reach_dir(fs: &HostFs, top: &str) -> io::Result<OwnedFd> {
    let real = fs.root().join(top);
    if let Some(fd) = sys::open_cached(real.as_os_str())? {
        return Ok(fd);
    }
    let host = format!("/{top}");
    match fs.resolve_fd(Path::new(&host)).map_err(into_io)? {
        (Reach::Local { .. }, Some(fd)) => Ok(fd),
        (Reach::Local { .. }, None) => Err(io::Error::from_raw_os_error(libc::ENOTDIR)),
        (Reach::Guarded(g), _) => Err(io::Error::other(format!(
            "on a {}, not the kernel's: not read (a read there can hang)",
            g.describe()
        ))),
        (Reach::Missing(_), _) => Err(io::Error::from(io::ErrorKind::NotFound)),
    }
}

/// A failed lookup as the I/O error of the open it stood for: the reason alone when
/// it is about the path opened, the failing component otherwise.
fn into_io(e: super::LookupError) -> io::Error {
    let text = e.to_string();
    io::Error::new(e.error.kind(), text)
}

/// `path` split into a kernel directory and the rest: `/proc/meminfo` -> ("proc",
/// "meminfo").
fn kernel_parts(path: &str) -> Option<(&str, &str)> {
    let (top, rest) = path.trim_start_matches('/').split_once('/')?;
    let rest = rest.trim_start_matches('/');
    (matches!(top, "proc" | "sys") && !rest.is_empty()).then_some((top, rest))
}

pub(crate) fn open(fs: &HostFs, path: &str) -> io::Result<File> {
    if let Some((top, rest)) = kernel_parts(path) {
        let dir = fs.kernel.get(fs, top)?;
        if let Some(fd) = sys::open_read_same_mount(dir, rest.as_ref())? {
            return Ok(File::from(fd));
        }
    }
    match fs.resolve_fd(Path::new(path)).map_err(into_io)? {
        (Reach::Local { real, .. }, _) => File::open(real),
        (Reach::Guarded(g), _) => Err(io::Error::other(format!(
            "on a {}: not read (a read there can hang)",
            g.describe()
        ))),
        (Reach::Missing(_), _) => Err(io::Error::from(io::ErrorKind::NotFound)),
    }
}

/// The kernel directory `path` opened for reading its entries.
pub(crate) fn dir_for_listing(fs: &HostFs, path: &str) -> io::Result<OwnedFd> {
    let top = path.trim_matches('/');
    if !matches!(top, "proc" | "sys") {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let dir = fs.kernel.get(fs, top)?;
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: reopens the directory we hold ("." relative to it) for reading.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), c".".as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_paths_split_into_directory_and_rest() {
        assert_eq!(kernel_parts("/proc/meminfo"), Some(("proc", "meminfo")));
        assert_eq!(
            kernel_parts("/sys/fs/cgroup/cpu.pressure"),
            Some(("sys", "fs/cgroup/cpu.pressure"))
        );
        assert_eq!(kernel_parts("/etc/resolv.conf"), None);
        assert_eq!(kernel_parts("/proc"), None);
    }
}
