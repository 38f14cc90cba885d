//! The backstop that answers Unknown for a check that does not finish by `--timeout`.
//!
//! Two kinds, for two ways of being stuck:
//!
//! - The alarm ([`alarm`]), armed for every run: a timer signal whose handler answers
//!   from the thread it interrupts. It reaches a check that spins, sleeps, or waits on
//!   a socket, pipe, futex or child: everything a signal interrupts. It costs two
//!   system calls.
//! - A thread ([`thread`]), started only by a check about to make a call that waits
//!   where no signal but SIGKILL reaches (a killable wait: reading a process's command
//!   line behind its mm lock). [`crate::Context::waiting_killably_for`] starts it.
//!
//! A thread for every run was the price of the second case paid by all: measured with
//! wait4's rusage, 4,000 runs of npd-memory one at a time, 0.843 ms a run with a
//! watchdog thread against 0.754 ms without (the same binary), and /bin/true 0.773 ms.
//! Whoever answers first exits the process ([`crate::answer`]). A call that sleeps
//! uninterruptibly (D state) is reached by neither; such calls run in a helper process
//! ([`crate::isolate`]).

mod alarm;
mod thread;

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use crate::context::Awaited;
use crate::{answer, units};

/// What either backstop needs to answer, set once by [`arm`].
struct Armed {
    /// When to give up, on CLOCK_MONOTONIC.
    give_up: libc::timespec,
    timeout: Duration,
    awaited: Awaited,
}

static ARMED: OnceLock<Armed> = OnceLock::new();
static THREAD_STARTED: AtomicBool = AtomicBool::new(false);

/// Arms the alarm to fire `after` from now. An error says why it could not be armed
/// (the check still honours its own deadline).
pub(crate) fn arm(after: Duration, timeout: Duration, awaited: Awaited) -> Result<(), String> {
    let armed = Armed {
        give_up: monotonic_after(after),
        timeout,
        awaited,
    };
    if ARMED.set(armed).is_err() {
        return Err("armed twice".to_string());
    }
    alarm::arm(after)
}

/// Starts the thread backstop, once, for the deadline [`arm`] set. Without an armed
/// deadline (a check run outside [`crate::run`], as tests do) there is nothing to do.
pub(crate) fn ensure_thread() -> Result<(), String> {
    let Some(armed) = ARMED.get() else {
        return Ok(());
    };
    if THREAD_STARTED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    thread::start(armed)
}

/// Answers Unknown for a check that ran out of time, naming what it waited for.
fn fire(timeout: Duration, awaited: Option<String>) -> ! {
    let waited = units::format_duration(timeout);
    let message = match awaited {
        Some(what) => format!("no answer in {waited} while {what}"),
        None => format!("check did not finish in {waited}"),
    };
    answer::answer_timed_out(&message)
}

/// CLOCK_MONOTONIC `after` from now.
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
