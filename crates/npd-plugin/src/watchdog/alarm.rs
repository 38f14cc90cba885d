//! The alarm: ITIMER_REAL (SIGALRM at a relative time on the monotonic clock, which a
//! change of the wall clock does not move), and a handler that answers.
//!
//! The handler runs in the middle of whatever the interrupted thread was doing, maybe
//! inside malloc or holding a lock. So it takes no lock it could wait for (what the
//! check waits for is read with try_lock), and it first switches the process to the
//! emergency allocator ([`crate::emergency`]), which serves the answer from a static
//! arena and never calls into the C library's allocator; the process exits right
//! after, so nothing it leaves behind matters. If the check is answering already, the
//! handler returns and lets it finish.
//!
//! Timers set with setitimer are not inherited across fork, and a handler does not
//! survive exec: helper processes and the programs a plugin runs never get it.

use std::mem::MaybeUninit;
use std::time::Duration;

use super::ARMED;
use crate::answer;

/// Installs the handler and starts the timer.
pub(super) fn arm(after: Duration) -> Result<(), String> {
    // SAFETY: installs a handler for SIGALRM, with a mask built here; SA_RESTART so
    // that a call the handler interrupts and returns to (the check answering already)
    // goes on as if nothing happened.
    unsafe {
        let mut action = MaybeUninit::<libc::sigaction>::zeroed().assume_init();
        action.sa_sigaction = on_alarm as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGALRM, &action, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error().to_string());
        }
    }
    // A zero it_value would disarm the timer instead: at least a microsecond.
    let micros = after.subsec_micros().max(u32::from(after.as_secs() == 0));
    let timer = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: after.as_secs() as libc::time_t,
            tv_usec: libc::suseconds_t::from(micros),
        },
    };
    // SAFETY: sets this process's real-time interval timer from a struct built here.
    if unsafe { libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut()) } != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    Ok(())
}

extern "C" fn on_alarm(_signal: libc::c_int) {
    if answer::answering() {
        return;
    }
    let Some(armed) = ARMED.get() else {
        return;
    };
    crate::emergency::take_over();
    super::fire(armed.timeout, armed.awaited.try_get())
}
