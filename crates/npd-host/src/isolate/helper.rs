//! The helper process: a fork that holds nothing of the plugin's but the pipe it
//! answers on, its answer read until the deadline, and its reaping.

use std::io;
use std::mem::{size_of, MaybeUninit};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use super::marker::Marker;
use super::{Isolated, Isolation};
use crate::short_io_reason;

/// Runs `f` in a forked helper and waits for its answer until `iso.deadline`.
///
/// `f` runs in the child of a possibly multi-threaded process, so it must be
/// async-signal-safe: plain syscalls on data prepared before the fork, no allocation,
/// no locks. `T` crosses the pipe as raw bytes, so it must be plain data.
pub(super) fn run_in_helper<T: Copy, F: FnOnce() -> T>(
    iso: &Isolation,
    mount: &Path,
    path: &Path,
    f: F,
) -> io::Result<Isolated<T>> {
    let marker = iso.marker_dir.as_ref().map(|d| Marker::new(d, mount));
    // Runs probing the same mount at once (NPD runs rules concurrently) take turns, so
    // that only one of them can leave a stuck helper behind; a run that cannot get its
    // turn by the deadline is waiting on a probe that is not answering.
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
        return Err(io::Error::other(format!(
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
        return Err(io::Error::other(format!(
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
fn read_answer<T: Copy>(fd: i32, deadline: Instant) -> io::Result<Option<T>> {
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
            return Err(io::Error::other(format!(
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
            return Err(io::Error::other(format!(
                "helper: read: {}",
                short_io_reason(&err)
            )));
        }
        if n == 0 {
            return Err(io::Error::other("helper process died before answering"));
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
