//! The system calls a careful walk is made of, each a lookup in one directory that the
//! caller already knows to be safe: `openat2(2)` with `RESOLVE_NO_XDEV` (the kernel
//! stops at a mount point instead of entering it), `openat(2)` with `O_PATH` (reaches
//! a mount's root without asking its filesystem anything), `readlinkat(2)`, and the
//! mount ID of a descriptor from `/proc/self/fdinfo`, which the kernel answers from
//! memory whatever the filesystem behind the descriptor.
//!
//! Kernels before 5.6 have no `openat2`, and some seccomp profiles refuse it; then
//! every step costs an fdinfo read instead ([`Step`] says which was used).

use std::ffi::{CStr, CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::sync::atomic::{AtomicBool, Ordering};

/// Cleared at the first sign that `openat2` is not available to this process.
static OPENAT2: AtomicBool = AtomicBool::new(true);

/// Makes this process walk as it would on a kernel without openat2.
#[cfg(test)]
pub(crate) fn set_openat2(on: bool) {
    OPENAT2.store(on, Ordering::Relaxed);
}

/// What one lookup of a name in a directory found.
pub(crate) enum Step {
    /// An object on the directory's own mount (not a symlink).
    Same(OwnedFd),
    /// A symlink, not followed; its target.
    Link(OsString),
    /// A mount point: the root of the mount on it, reached without a call to its
    /// filesystem.
    Crossed(OwnedFd),
}

fn cstr(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn owned(rc: libc::c_long) -> io::Result<OwnedFd> {
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor to us.
    Ok(unsafe { OwnedFd::from_raw_fd(rc as RawFd) })
}

/// `openat(dir, path, O_PATH | O_NOFOLLOW)`: no filesystem is asked anything beyond
/// the lookups of `path` itself.
pub(crate) fn open_path(dir: RawFd, path: &CStr) -> io::Result<OwnedFd> {
    let flags = libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: a NUL-terminated path relative to a descriptor we hold.
    owned(unsafe { libc::openat(dir, path.as_ptr(), flags) } as libc::c_long)
}

/// The root directory of this process, as a descriptor.
pub(crate) fn process_root() -> io::Result<OwnedFd> {
    open_path(libc::AT_FDCWD, c"/")
}

fn openat2(dir: RawFd, path: &CStr, flags: i32, resolve: u64) -> io::Result<OwnedFd> {
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC) as u64;
    how.resolve = resolve;
    // SAFETY: openat2 with a valid path, a zeroed-then-filled open_how and its size.
    owned(unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir,
            path.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    })
}

/// Whether an `openat2` error means the call itself is unavailable here.
fn unavailable(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM))
}

/// Looks `name` (one component, not `..`) up in `dir`, whose mount is `dir_mount`.
pub(crate) fn step(dir: &OwnedFd, dir_mount: u64, name: &OsStr) -> io::Result<Step> {
    let c = cstr(name)?;
    if OPENAT2.load(Ordering::Relaxed) {
        let resolve = libc::RESOLVE_NO_XDEV | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_BENEATH;
        match openat2(dir.as_raw_fd(), &c, libc::O_PATH, resolve) {
            Ok(fd) => return Ok(Step::Same(fd)),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return read_link(dir, &c).map(Step::Link)
            }
            Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
                return open_path(dir.as_raw_fd(), &c).map(Step::Crossed)
            }
            Err(e) if unavailable(&e) => OPENAT2.store(false, Ordering::Relaxed),
            Err(e) => return Err(e),
        }
    }
    // Without openat2: reach the object, then ask the kernel which mount it is on
    // before anything asks its filesystem.
    let fd = open_path(dir.as_raw_fd(), &c)?;
    if mount_id(&fd)? != dir_mount {
        return Ok(Step::Crossed(fd));
    }
    if is_symlink(&fd)? {
        return read_link(dir, &c).map(Step::Link);
    }
    Ok(Step::Same(fd))
}

/// Opens `path` below `dir` for reading, refusing to leave `dir`'s mount: `Ok(None)`
/// when the path crosses into another mount (or openat2 is unavailable), which the
/// caller then walks carefully.
pub(crate) fn open_read_same_mount(dir: &OwnedFd, path: &OsStr) -> io::Result<Option<OwnedFd>> {
    if !OPENAT2.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let c = cstr(path)?;
    let resolve = libc::RESOLVE_NO_XDEV | libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
    match openat2(dir.as_raw_fd(), &c, libc::O_RDONLY, resolve) {
        Ok(fd) => Ok(Some(fd)),
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => Ok(None),
        Err(e) if unavailable(&e) => {
            OPENAT2.store(false, Ordering::Relaxed);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Opens `path` (absolute, this process's view) as an `O_PATH` descriptor only if
/// every component is in the kernel's lookup cache: no filesystem is asked anything.
/// `Ok(None)` when that is not so (or openat2 is unavailable).
pub(crate) fn open_cached(path: &OsStr) -> io::Result<Option<OwnedFd>> {
    if !OPENAT2.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let c = cstr(path)?;
    match openat2(
        libc::AT_FDCWD,
        &c,
        libc::O_PATH | libc::O_DIRECTORY,
        libc::RESOLVE_CACHED,
    ) {
        Ok(fd) => Ok(Some(fd)),
        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Ok(None),
        // RESOLVE_CACHED is from 5.12; an older openat2 refuses the flag.
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(None),
        Err(e) if unavailable(&e) => {
            OPENAT2.store(false, Ordering::Relaxed);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Whether `rel` exists under `root`, looked up with `RESOLVE_CACHED` (no filesystem
/// asked) and `RESOLVE_IN_ROOT` (`..` and absolute symlinks stay under `root`).
/// `None` when the cache cannot tell.
pub(crate) fn present_cached_in(root: &OwnedFd, rel: &OsStr) -> Option<bool> {
    if !OPENAT2.load(Ordering::Relaxed) {
        return None;
    }
    let c = cstr(rel).ok()?;
    let resolve = libc::RESOLVE_CACHED | libc::RESOLVE_IN_ROOT;
    match openat2(root.as_raw_fd(), &c, libc::O_PATH, resolve) {
        Ok(_) => Some(true),
        // Only a negative entry the kernel holds answers ENOENT here: a component
        // not cached fails with EAGAIN instead.
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Some(false),
        Err(_) => None,
    }
}

fn read_link(dir: &OwnedFd, name: &CStr) -> io::Result<OsString> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: readlinkat into a buffer of the length given.
    let n = unsafe {
        libc::readlinkat(
            dir.as_raw_fd(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(OsString::from_vec(buf))
}

fn is_symlink(fd: &OwnedFd) -> io::Result<bool> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::zeroed();
    let flags = libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW;
    // SAFETY: fstatat on a descriptor we hold, into our buffer.
    if unsafe { libc::fstatat(fd.as_raw_fd(), c"".as_ptr(), st.as_mut_ptr(), flags) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: filled by the kernel.
    let st = unsafe { st.assume_init() };
    Ok(st.st_mode & libc::S_IFMT == libc::S_IFLNK)
}

/// Whether `fd` is the root directory of its mount (statx's STATX_ATTR_MOUNT_ROOT,
/// Linux 5.8 on); `None` when the kernel does not say. Asks the object's filesystem:
/// call it only on a mount known to answer.
pub(crate) fn is_mount_root(fd: &OwnedFd) -> Option<bool> {
    let mut stx = std::mem::MaybeUninit::<libc::statx>::zeroed();
    // SAFETY: statx on a descriptor we hold, into our buffer.
    let rc = unsafe {
        libc::statx(
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            libc::STATX_TYPE,
            stx.as_mut_ptr(),
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: filled by the kernel.
    let stx = unsafe { stx.assume_init() };
    let bit = libc::STATX_ATTR_MOUNT_ROOT as u64;
    (stx.stx_attributes_mask & bit != 0).then_some(stx.stx_attributes & bit != 0)
}

/// The mount ID of the object `fd` refers to, as /proc/self/mountinfo numbers it.
pub(crate) fn mount_id(fd: &OwnedFd) -> io::Result<u64> {
    use std::io::Read;
    let path = format!("/proc/self/fdinfo/{}", fd.as_raw_fd());
    // The lines before mnt_id are short; one read of a small buffer has them.
    let mut buf = [0u8; 256];
    let n = std::fs::File::open(path)?.read(&mut buf)?;
    parse_mnt_id(&buf[..n]).ok_or_else(|| io::Error::from_raw_os_error(libc::ENODATA))
}

fn parse_mnt_id(fdinfo: &[u8]) -> Option<u64> {
    fdinfo.split(|b| *b == b'\n').find_map(|line| {
        let value = line.strip_prefix(b"mnt_id:")?;
        std::str::from_utf8(value).ok()?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdinfo_gives_the_mount_id() {
        assert_eq!(
            parse_mnt_id(b"pos:\t0\nflags:\t012100000\nmnt_id:\t29\nino:\t2\n"),
            Some(29)
        );
        assert_eq!(parse_mnt_id(b"pos:\t0\n"), None);
        let root = process_root().unwrap();
        assert!(mount_id(&root).unwrap() > 0);
    }

    #[test]
    fn a_step_says_what_it_found() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("d")).unwrap();
        std::os::unix::fs::symlink("/x/y", tmp.path().join("l")).unwrap();
        let dir = open_path(libc::AT_FDCWD, &cstr(tmp.path().as_os_str()).unwrap()).unwrap();
        let id = mount_id(&dir).unwrap();
        assert!(matches!(step(&dir, id, OsStr::new("d")), Ok(Step::Same(_))));
        match step(&dir, id, OsStr::new("l")) {
            Ok(Step::Link(t)) => assert_eq!(t, "/x/y"),
            _ => panic!("not a link"),
        }
        let err = step(&dir, id, OsStr::new("missing")).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        // /proc is a mount of its own, whatever the root's filesystem.
        let root = process_root().unwrap();
        let root_id = mount_id(&root).unwrap();
        assert!(matches!(
            step(&root, root_id, OsStr::new("proc")),
            Ok(Step::Crossed(_))
        ));
    }
}
