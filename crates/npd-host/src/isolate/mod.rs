//! Calls that can hang forever (statvfs, stat on a hung NFS or FUSE mount) run in a
//! short-lived helper process, so that the plugin can answer and exit whatever they do.
//!
//! A thread is not enough: a thread stuck in uninterruptible sleep keeps its whole
//! process alive, with its stdout open, and NPD waits for both. The helper is a fork
//! that holds no file descriptor but the pipe it answers on, so the plugin can report
//! "not responding" and leave. A marker in the state dir remembers a helper that is
//! still stuck, so later runs report the same hung mount without starting another:
//! at most one stuck helper per mount, and none once the mount answers again. Which
//! calls need a helper is [`crate::hostfs`]'s business.
//!
//! A call's own result is the `io::Result` inside [`Isolated::Done`]; the outer
//! `io::Error` is the helper's own failure (no pipe, no fork, a helper that died before
//! answering), in words that name it. Neither says whose fault it is: the caller does.

mod helper;
mod marker;

use std::ffi::CString;
use std::io;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use helper::run_in_helper;

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

/// `statvfs(2)` on `path`, in a helper process; `mount` is the mount point (as this
/// process reaches it) the call may hang on, which keys the marker.
pub fn statvfs(
    iso: &Isolation,
    mount: &Path,
    path: &Path,
) -> io::Result<Isolated<io::Result<libc::statvfs>>> {
    let c_path = c_path(path)?;
    let raw = run_in_helper(iso, mount, path, move || {
        let mut buf = MaybeUninit::<libc::statvfs>::zeroed();
        // SAFETY: a plain syscall wrapper writing into our buffer; no allocation.
        let rc = unsafe { libc::statvfs(c_path.as_ptr(), buf.as_mut_ptr()) };
        let errno = if rc == 0 { 0 } else { last_errno() };
        // SAFETY: zeroed and then filled by the kernel; all fields are integers.
        (errno, unsafe { buf.assume_init() })
    })?;
    Ok(map_errno(raw))
}

/// `stat(2)` on `path` (following symlinks), in a helper process; `mount` as for
/// [`statvfs`].
pub fn stat(
    iso: &Isolation,
    mount: &Path,
    path: &Path,
) -> io::Result<Isolated<io::Result<libc::stat>>> {
    let c_path = c_path(path)?;
    let raw = run_in_helper(iso, mount, path, move || {
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

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("path {} contains a NUL byte", path.display()),
        )
    })
}

fn last_errno() -> i32 {
    // SAFETY: reads this thread's errno.
    unsafe { *libc::__errno_location() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::time::Duration;

    fn iso(dir: Option<&Path>, ms: u64) -> Isolation {
        Isolation {
            marker_dir: dir.map(Path::to_path_buf),
            deadline: Instant::now() + Duration::from_millis(ms),
        }
    }

    #[test]
    fn statvfs_of_a_real_directory() {
        match statvfs(&iso(None, 2000), Path::new("/"), Path::new("/")).unwrap() {
            Isolated::Done(Ok(s)) => assert!(s.f_blocks > 0),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn errors_cross_the_pipe() {
        match stat(&iso(None, 2000), Path::new("/"), Path::new("/no/such/path")).unwrap() {
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
                    let r = run_in_helper(&it, Path::new("/y"), Path::new("/y"), || {
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
        let r = run_in_helper(&it, Path::new("/x"), Path::new("/x"), || {
            // SAFETY: async-signal-safe sleep in the child.
            unsafe { libc::sleep(30) };
            0u8
        })
        .unwrap();
        assert!(matches!(r, Isolated::Hung { .. }));
        assert!(started.elapsed() < Duration::from_secs(2));
        // The helper was killed (it was not in the kernel), so its marker is stale and
        // the next run probes again.
        let marker = marker::Marker::new(tmp.path(), Path::new("/x"));
        std::thread::sleep(Duration::from_millis(50));
        assert!(marker.still_stuck().is_none());
    }
}
