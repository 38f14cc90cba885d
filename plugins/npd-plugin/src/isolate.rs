//! Calls that can hang forever (statvfs, stat on a hung NFS or FUSE mount) run in a
//! short-lived helper process, so that the plugin can answer and exit whatever they do.
//!
//! A thread is not enough: a thread stuck in uninterruptible sleep keeps its whole
//! process alive, with its stdout open, and NPD waits for both. The helper is a fork
//! that holds no file descriptor but the pipe it answers on, so the plugin can report
//! "not responding" and leave. A marker in the state dir remembers a helper that is
//! still stuck, so later runs report the same hung mount without starting another:
//! at most one stuck helper per (call, path), and none once the mount answers again.

use std::ffi::CString;
use std::fs;
use std::io;
use std::mem::{size_of, MaybeUninit};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::{short_io_reason, Error, Result};
use crate::state::{stable_hash, write_atomically};

/// What a call run in a helper process came to.
#[derive(Debug)]
pub enum Isolated<T> {
    /// The call returned.
    Done(T),
    /// The call had not returned by the deadline; `since` is when it was first seen
    /// hanging (an earlier run's helper may still be stuck on it).
    Hung { since: SystemTime },
}

/// Where helpers leave their markers; `None` when the state dir is unusable, in which
/// case every run starts its own helper (and says so on stderr).
#[derive(Clone, Debug)]
pub struct Isolation {
    pub marker_dir: Option<PathBuf>,
    pub deadline: Instant,
}

/// Whether a call on a filesystem of this type (statvfs, stat, open) can wait on
/// something other than this machine: a server (NFS, SMB, Ceph, ...), a FUSE daemon,
/// or an automounter that mounts one of those on access. Such calls sleep
/// uninterruptibly for as long as the other side does not answer, so plugins make
/// them in a helper process ([`statvfs`], [`stat`]); local filesystems answer from
/// memory or their own disk, and are called directly.
pub fn fs_type_can_hang(fs_type: &str) -> bool {
    const REMOTE: &[&str] = &[
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ceph",
        "glusterfs",
        "9p",
        "afs",
        "lustre",
        "gpfs",
        "beegfs",
        "ocfs2",
        "gfs2",
        "orangefs",
        "pvfs2",
        "ncpfs",
        "coda",
        "virtiofs",
        "fuse",
        "fuseblk",
        "autofs",
    ];
    REMOTE.contains(&fs_type) || fs_type.starts_with("fuse.") || fs_type.starts_with("fuseblk.")
}

/// `statvfs(2)` on `path`, in a helper process.
pub fn statvfs(iso: &Isolation, path: &Path) -> Result<Isolated<io::Result<libc::statvfs>>> {
    let c_path = c_path(path)?;
    let raw = run_in_helper(iso, "statvfs", path, move || {
        let mut buf = MaybeUninit::<libc::statvfs>::zeroed();
        // SAFETY: a plain syscall wrapper writing into our buffer; no allocation.
        let rc = unsafe { libc::statvfs(c_path.as_ptr(), buf.as_mut_ptr()) };
        let errno = if rc == 0 { 0 } else { last_errno() };
        // SAFETY: zeroed and then filled by the kernel; all fields are integers.
        (errno, unsafe { buf.assume_init() })
    })?;
    Ok(map_errno(raw))
}

/// `stat(2)` on `path` (following symlinks), in a helper process.
pub fn stat(iso: &Isolation, path: &Path) -> Result<Isolated<io::Result<libc::stat>>> {
    let c_path = c_path(path)?;
    let raw = run_in_helper(iso, "stat", path, move || {
        let mut buf = MaybeUninit::<libc::stat>::zeroed();
        // SAFETY: as above.
        let rc = unsafe { libc::stat(c_path.as_ptr(), buf.as_mut_ptr()) };
        let errno = if rc == 0 { 0 } else { last_errno() };
        // SAFETY: as above.
        (errno, unsafe { buf.assume_init() })
    })?;
    Ok(map_errno(raw))
}

fn map_errno<T>(raw: Isolated<(i32, T)>) -> Isolated<io::Result<T>> {
    match raw {
        Isolated::Done((0, v)) => Isolated::Done(Ok(v)),
        Isolated::Done((errno, _)) => Isolated::Done(Err(io::Error::from_raw_os_error(errno))),
        Isolated::Hung { since } => Isolated::Hung { since },
    }
}

fn c_path(path: &Path) -> Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::new(format!("path {} contains a NUL byte", path.display())))
}

fn last_errno() -> i32 {
    // SAFETY: reads this thread's errno.
    unsafe { *libc::__errno_location() }
}

/// The marker of a helper still stuck on (call, path): its pid, its start time (to
/// tell it from a reused pid) and when it started.
struct Marker {
    file: PathBuf,
}

impl Marker {
    fn new(dir: &Path, call: &str, path: &Path) -> Marker {
        let mut key = call.as_bytes().to_vec();
        key.push(0);
        key.extend_from_slice(path.as_os_str().as_bytes());
        Marker {
            file: dir.join(format!("hung-{call}-{:016x}", stable_hash(&key))),
        }
    }

    /// An exclusive lock on this (call, path), waited for until `deadline`; `None` when
    /// another run still holds it then. Locking problems fall back to no lock.
    fn take_turn(&self, deadline: Instant) -> Option<Option<fs::File>> {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::io::AsRawFd;
        let mut name = self.file.clone().into_os_string();
        name.push(".lock");
        let Ok(file) = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&name)
        else {
            return Some(None);
        };
        loop {
            // SAFETY: flock on a descriptor we own.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Some(Some(file));
            }
            if io::Error::last_os_error().raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Some(None);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `Some(since)` when the marker names a helper that is still alive.
    fn still_stuck(&self) -> Option<SystemTime> {
        let text = fs::read_to_string(&self.file).ok()?;
        let mut fields = text.split_whitespace();
        let pid: i32 = fields.next()?.parse().ok()?;
        let start: u64 = fields.next()?.parse().ok()?;
        let since: u64 = fields.next()?.parse().ok()?;
        if live_process_start_time(pid) == Some(start) {
            Some(UNIX_EPOCH + Duration::from_secs(since))
        } else {
            let _ = fs::remove_file(&self.file);
            None
        }
    }

    fn record(&self, pid: i32, since: SystemTime, path: &Path) {
        let Some(start) = live_process_start_time(pid) else {
            return;
        };
        let secs = since.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let text = format!("{pid} {start} {secs} {}\n", path.display());
        if let Some(dir) = self.file.parent() {
            let _ = fs::create_dir_all(dir);
        }
        if let Err(e) = write_atomically(&self.file, text.as_bytes()) {
            eprintln!(
                "warning: cannot record stuck helper in {}: {}",
                self.file.display(),
                short_io_reason(&e)
            );
        }
    }
}

/// The start time (field 22 of /proc/PID/stat) of a process that has not exited; our
/// own /proc, since helpers live in our PID namespace.
fn live_process_start_time(pid: i32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses; fields resume after the last ')'.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split_whitespace();
    if matches!(fields.next()?, "Z" | "X" | "x") {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Runs `call` in a forked helper and waits for its answer until `iso.deadline`.
///
/// `call` runs in the child of a possibly multi-threaded process, so it must be
/// async-signal-safe: plain syscalls on data prepared before the fork, no allocation,
/// no locks. `T` crosses the pipe as raw bytes, so it must be plain data.
fn run_in_helper<T: Copy, F: FnOnce() -> T>(
    iso: &Isolation,
    call: &str,
    path: &Path,
    f: F,
) -> Result<Isolated<T>> {
    let marker = iso.marker_dir.as_ref().map(|d| Marker::new(d, call, path));
    // Runs probing the same (call, path) at once (NPD runs rules concurrently) take
    // turns, so that only one of them can leave a stuck helper behind; a run that
    // cannot get its turn by the deadline is waiting on a probe that is not answering.
    let _turn = match &marker {
        Some(m) => match m.take_turn(iso.deadline) {
            Some(lock) => Some(lock),
            None => {
                return Ok(Isolated::Hung {
                    since: SystemTime::now(),
                })
            }
        },
        None => None,
    };
    if let Some(since) = marker.as_ref().and_then(Marker::still_stuck) {
        return Ok(Isolated::Hung { since });
    }

    let mut fds = [0i32; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Error::new(format!(
            "cannot start helper: {}",
            short_io_reason(&io::Error::last_os_error())
        )));
    }
    let (read_fd, write_fd) = (fds[0], fds[1]);

    // SAFETY: the child runs only async-signal-safe code (see above) and _exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let err = io::Error::last_os_error();
        // SAFETY: closing descriptors we own.
        unsafe {
            libc::close(read_fd);
            libc::close(write_fd);
        }
        return Err(Error::new(format!(
            "cannot start helper: {}",
            short_io_reason(&err)
        )));
    }
    if pid == 0 {
        // Child: hold nothing of the parent's (NPD's stdout pipe, the state lock) in
        // case this call never returns.
        close_all_but(write_fd);
        let value = f();
        let bytes = (&value as *const T).cast::<u8>();
        let mut off = 0;
        while off < size_of::<T>() {
            // SAFETY: writes the bytes of `value`, which lives on this stack.
            let n = unsafe { libc::write(write_fd, bytes.add(off).cast(), size_of::<T>() - off) };
            if n <= 0 {
                break;
            }
            off += n as usize;
        }
        // SAFETY: leaves without running the parent's atexit handlers or destructors.
        unsafe { libc::_exit(0) };
    }

    // SAFETY: the parent no longer needs the write end.
    unsafe { libc::close(write_fd) };
    let outcome = read_answer::<T>(read_fd, iso.deadline);
    // SAFETY: closing our read end.
    unsafe { libc::close(read_fd) };
    match outcome {
        Ok(Some(value)) => {
            reap(pid);
            Ok(Isolated::Done(value))
        }
        Ok(None) => {
            let since = SystemTime::now();
            match &marker {
                Some(m) => m.record(pid, since, path),
                None => eprintln!(
                    "warning: no usable state dir: a helper stuck on {} cannot be remembered, the next run will start another",
                    path.display()
                ),
            }
            // A slow but not stuck helper dies now (and its marker is stale at once);
            // one in uninterruptible sleep keeps the signal pending and dies when the
            // mount answers.
            // SAFETY: signalling our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            // Reap it if the kill took effect at once (it was not in the kernel).
            std::thread::sleep(Duration::from_millis(2));
            // SAFETY: non-blocking wait on our child.
            unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) };
            Ok(Isolated::Hung { since })
        }
        Err(e) => {
            reap(pid);
            Err(e)
        }
    }
}

fn reap(pid: i32) {
    let mut status = 0;
    // SAFETY: waiting for our own child, which has answered or died.
    unsafe { libc::waitpid(pid, &mut status, 0) };
}

/// Reads one `T` from `fd`; `Ok(None)` when the deadline passes first.
fn read_answer<T: Copy>(fd: i32, deadline: Instant) -> Result<Option<T>> {
    let mut value = MaybeUninit::<T>::zeroed();
    let buf = value.as_mut_ptr().cast::<u8>();
    let mut got = 0usize;
    while got < size_of::<T>() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: polls one descriptor we own.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::new(format!(
                "helper: poll: {}",
                short_io_reason(&err)
            )));
        }
        if rc == 0 {
            continue;
        }
        // SAFETY: reads into the remaining bytes of `value`.
        let n = unsafe { libc::read(fd, buf.add(got).cast(), size_of::<T>() - got) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::new(format!(
                "helper: read: {}",
                short_io_reason(&err)
            )));
        }
        if n == 0 {
            return Err(Error::new("helper process died before answering"));
        }
        got += n as usize;
    }
    // SAFETY: every byte was written by the helper from a valid T.
    Ok(Some(unsafe { value.assume_init() }))
}

/// Closes every descriptor but `keep`. Runs in the forked child: syscalls only.
fn close_all_but(keep: i32) {
    // SAFETY: close_range/close on descriptors of this (child) process.
    unsafe {
        let ok_low =
            keep == 0 || libc::syscall(libc::SYS_close_range, 0u32, (keep - 1) as u32, 0u32) == 0;
        let ok_high = libc::syscall(libc::SYS_close_range, (keep + 1) as u32, u32::MAX, 0u32) == 0;
        if !(ok_low && ok_high) {
            // Kernels before 5.9: close one by one up to the soft limit.
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            let max = if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
                lim.rlim_cur.min(1 << 20) as i32
            } else {
                1024
            };
            for fd in 0..max {
                if fd != keep {
                    libc::close(fd);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_and_fuse_types_can_hang_local_ones_cannot() {
        for t in [
            "nfs",
            "nfs4",
            "cifs",
            "smb3",
            "ceph",
            "fuse",
            "fuse.sshfs",
            "fuseblk.ntfs",
            "autofs",
        ] {
            assert!(fs_type_can_hang(t), "{t}");
        }
        for t in [
            "ext4", "xfs", "btrfs", "tmpfs", "overlay", "vfat", "nfsd", "fusectl",
        ] {
            assert!(!fs_type_can_hang(t), "{t}");
        }
    }

    fn iso(dir: Option<&Path>, ms: u64) -> Isolation {
        Isolation {
            marker_dir: dir.map(Path::to_path_buf),
            deadline: Instant::now() + Duration::from_millis(ms),
        }
    }

    #[test]
    fn statvfs_of_a_real_directory() {
        match statvfs(&iso(None, 2000), Path::new("/")).unwrap() {
            Isolated::Done(Ok(s)) => assert!(s.f_blocks > 0),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn errors_cross_the_pipe() {
        match stat(&iso(None, 2000), Path::new("/no/such/path")).unwrap() {
            Isolated::Done(Err(e)) => assert_eq!(e.kind(), io::ErrorKind::NotFound),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn concurrent_probes_of_one_path_start_one_helper() {
        let tmp = tempfile::tempdir().unwrap();
        let started = std::sync::atomic::AtomicUsize::new(0);
        let deadline = Instant::now() + Duration::from_millis(300);
        let it = Isolation {
            marker_dir: Some(tmp.path().to_path_buf()),
            deadline,
        };
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    let r = run_in_helper(&it, "slow", Path::new("/y"), || {
                        // SAFETY: async-signal-safe sleep in the child.
                        unsafe { libc::sleep(30) };
                        0u8
                    })
                    .unwrap();
                    assert!(matches!(r, Isolated::Hung { .. }));
                    started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                });
            }
        });
        assert_eq!(started.into_inner(), 3);
        assert!(Instant::now() < deadline + Duration::from_millis(500));
        let helpers = fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_name().to_string_lossy().ends_with(".lock"))
            .count();
        assert_eq!(helpers, 1, "one marker, from the one run that probed");
    }

    #[test]
    fn a_helper_that_does_not_answer_is_reported_and_remembered() {
        let tmp = tempfile::tempdir().unwrap();
        let it = iso(Some(tmp.path()), 100);
        let started = Instant::now();
        let r = run_in_helper(&it, "sleep", Path::new("/x"), || {
            // SAFETY: async-signal-safe sleep in the child.
            unsafe { libc::sleep(30) };
            0u8
        })
        .unwrap();
        assert!(matches!(r, Isolated::Hung { .. }));
        assert!(started.elapsed() < Duration::from_secs(2));
        // The helper was killed (it was not in the kernel), so its marker is stale and
        // the next run probes again.
        let marker = Marker::new(tmp.path(), "sleep", Path::new("/x"));
        std::thread::sleep(Duration::from_millis(50));
        assert!(marker.still_stuck().is_none());
    }
}
