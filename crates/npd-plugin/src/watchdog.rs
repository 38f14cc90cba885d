//! The backstop that answers Unknown for a check that does not finish by `--timeout`.
//!
//! A raw pthread rather than `std::thread`: std's thread start allocates in the new
//! thread, and glibc then maps a second malloc arena (128 MiB reserved, then trimmed)
//! on every run, which is measurable in a process whose whole life is about half a
//! millisecond. This thread sleeps on the monotonic clock and touches neither the
//! allocator nor anything else until it fires; whoever answers first exits the
//! process, so nobody ever waits for it.
//!
//! It is still the dearest part of a quick check: ~0.12 ms of CPU a run (measured with
//! wait4's rusage over 3,000 runs of npd-memory with and without it), for its creation
//! and for the kernel waking it on the other core to die at exit. A timer signal would
//! be nearly free, but its handler only runs when the thread it interrupts leaves the
//! kernel: a check sitting in a killable wait (a /proc read behind a stuck process's
//! mm lock) would never answer. Another thread answers, and its exit_group kills the
//! waiting one, since killable waits yield to SIGKILL.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::time::Duration;

use crate::context::Awaited;
use crate::{answer, units};

/// One line formatted and written: 64 KiB is ample, and far cheaper to map than the
/// default 2 MiB.
const STACK: usize = 64 << 10;

struct Job {
    /// CLOCK_MONOTONIC time at which to give up.
    give_up: libc::timespec,
    timeout: Duration,
    awaited: Awaited,
}

/// Starts the watchdog; it fires `after` from now. An error says why it could not
/// start (the check still honours its own deadline).
pub(crate) fn start(after: Duration, timeout: Duration, awaited: Awaited) -> Result<(), String> {
    let give_up = monotonic_after(after);
    let job = Box::into_raw(Box::new(Job {
        give_up,
        timeout,
        awaited,
    }));
    // SAFETY: attr is initialised before use and destroyed after; the thread takes
    // ownership of `job` only when pthread_create succeeds.
    unsafe {
        let mut attr = MaybeUninit::<libc::pthread_attr_t>::uninit();
        if libc::pthread_attr_init(attr.as_mut_ptr()) != 0 {
            drop(Box::from_raw(job));
            return Err("pthread_attr_init failed".into());
        }
        let attr = attr.as_mut_ptr();
        libc::pthread_attr_setstacksize(attr, STACK);
        libc::pthread_attr_setdetachstate(attr, libc::PTHREAD_CREATE_DETACHED);
        let mut thread = MaybeUninit::<libc::pthread_t>::uninit();
        let rc = libc::pthread_create(thread.as_mut_ptr(), attr, run, job.cast());
        libc::pthread_attr_destroy(attr);
        if rc != 0 {
            drop(Box::from_raw(job));
            return Err(std::io::Error::from_raw_os_error(rc).to_string());
        }
    }
    Ok(())
}

extern "C" fn run(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the Box leaked by `start`, handed to this thread alone.
    let job = unsafe { Box::from_raw(arg.cast::<Job>()) };
    loop {
        // SAFETY: sleeps until an absolute time on the monotonic clock.
        let rc = unsafe {
            libc::clock_nanosleep(
                libc::CLOCK_MONOTONIC,
                libc::TIMER_ABSTIME,
                &job.give_up,
                std::ptr::null_mut(),
            )
        };
        if rc != libc::EINTR {
            break;
        }
    }
    let waited = units::format_duration(job.timeout);
    let message = match job.awaited.get() {
        Some(what) => format!("no answer in {waited} while {what}"),
        None => format!("check did not finish in {waited}"),
    };
    answer::answer_timed_out(&message)
}

fn monotonic_after(after: Duration) -> libc::timespec {
    let mut now = MaybeUninit::<libc::timespec>::uninit();
    // SAFETY: CLOCK_MONOTONIC always exists; the kernel fills the struct.
    let now = unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, now.as_mut_ptr());
        now.assume_init()
    };
    let nanos = now.tv_nsec as u64 + u64::from(after.subsec_nanos());
    libc::timespec {
        tv_sec: now.tv_sec
            + after.as_secs() as libc::time_t
            + (nanos / 1_000_000_000) as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    }
}
