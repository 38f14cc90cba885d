//! The thread backstop, for a check about to wait where no signal reaches it: a
//! killable wait, such as a /proc read behind a stuck process's mm lock, yields to
//! SIGKILL only, so the alarm's handler would never run. Another thread answers, and
//! its exit_group kills the waiting one, since killable waits yield to SIGKILL. It is
//! started on demand ([`super::ensure_thread`]), by the few calls that can wait so.
//!
//! A raw pthread rather than `std::thread`: std's thread start allocates in the new
//! thread, and glibc then maps a second malloc arena (128 MiB reserved, then trimmed),
//! which is measurable in a process whose whole life is about half a millisecond. This
//! thread sleeps on the monotonic clock and touches neither the allocator nor anything
//! else until it fires; whoever answers first exits the process, so nobody ever waits
//! for it.
//!
//! It is what made a thread backstop for every run dear: measured with wait4's rusage
//! over 3,000 runs of npd-memory, six at a time on two cores as NPD runs a config's
//! rules: without a watchdog 0.917 ms a run, with a thread on a mapped stack started
//! anywhere 1.087 ms, as done here 0.985 ms (one at a time: 1.146, 1.326, 1.191 ms).
//! What makes the difference: its stack is a static buffer, so no mapping is made and
//! torn down for it, and it is born on the CPU the check runs on, so neither its start
//! nor its death at exit wakes the other CPU (on a VM, an interrupt to another vCPU is
//! a trip through the hypervisor). The kernel still moves it when that CPU leaves the
//! process's cpuset, and the scheduler runs it there as soon as it wakes, even if the
//! check spins on that CPU.

use std::cell::UnsafeCell;
use std::ffi::c_void;
use std::mem::MaybeUninit;

use super::Armed;

/// One line formatted and written: 64 KiB is ample, and far cheaper to map than the
/// default 2 MiB.
const STACK: usize = 64 << 10;

/// The one watchdog's stack (glibc also puts the thread's descriptor and TLS at its
/// top, a few KiB). Lives in .bss: no mapping, and no page of it is touched unless the
/// thread runs on it. Unlike a mapped stack it has no guard page below it; what the
/// thread does (format one line, rewrite the metrics file) needs a few KiB of it.
#[repr(C, align(4096))]
struct Stack(UnsafeCell<[u8; STACK]>);

// SAFETY: handed to exactly one thread, once (`super::ensure_thread` starts one per
// process), and touched by no one else.
unsafe impl Sync for Stack {}

static STACK_MEMORY: Stack = Stack(UnsafeCell::new([0; STACK]));

/// Starts the thread; it fires at `armed.give_up`. An error says why it could not
/// start (the alarm and the check's own deadline still stand). Called once per
/// process: the thread runs on the one static stack.
pub(super) fn start(armed: &'static Armed) -> Result<(), String> {
    let rc = on_this_cpu(|| create(armed));
    if rc != 0 {
        return Err(std::io::Error::from_raw_os_error(rc).to_string());
    }
    Ok(())
}

/// Runs `f` with this thread bound to the CPU it runs on, then restores its CPU mask,
/// so that a thread `f` starts is born on this CPU and stays there. (Asking glibc for
/// a thread with an affinity costs more: the new thread starts, waits on a futex
/// until its creator has set the mask, and only then runs, ~0.05 ms more.) Where the
/// mask cannot be read or set, `f` runs as things are.
fn on_this_cpu<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: reads and sets the calling thread's own CPU mask, in buffers of the
    // size given.
    unsafe {
        let mut before = MaybeUninit::<libc::cpu_set_t>::zeroed().assume_init();
        let size = std::mem::size_of_val(&before);
        let cpu = libc::sched_getcpu();
        if cpu < 0 || libc::sched_getaffinity(0, size, &mut before) != 0 {
            return f();
        }
        let mut here = MaybeUninit::<libc::cpu_set_t>::zeroed().assume_init();
        libc::CPU_SET(cpu as usize, &mut here);
        if libc::sched_setaffinity(0, size, &here) != 0 {
            return f();
        }
        let out = f();
        // Should the cpuset have shrunk meanwhile, the kernel keeps what is allowed
        // of `before`; if none of it is, this thread stays on `cpu` for the rest of
        // the run, which is no harm.
        libc::sched_setaffinity(0, size, &before);
        out
    }
}

/// pthread_create's result for a detached watchdog thread running `run(armed)`.
fn create(armed: &'static Armed) -> i32 {
    // SAFETY: attr is initialised before use and destroyed after; the stack handed
    // over is the static one, given to this thread only; the thread
    // only reads `armed`, which lives as long as the process.
    unsafe {
        let mut attr = MaybeUninit::<libc::pthread_attr_t>::uninit();
        let rc = libc::pthread_attr_init(attr.as_mut_ptr());
        if rc != 0 {
            return rc;
        }
        let attr = attr.as_mut_ptr();
        libc::pthread_attr_setstack(attr, STACK_MEMORY.0.get().cast(), STACK);
        libc::pthread_attr_setdetachstate(attr, libc::PTHREAD_CREATE_DETACHED);
        let mut thread = MaybeUninit::<libc::pthread_t>::uninit();
        let rc = libc::pthread_create(
            thread.as_mut_ptr(),
            attr,
            run,
            (armed as *const Armed).cast_mut().cast(),
        );
        libc::pthread_attr_destroy(attr);
        rc
    }
}

extern "C" fn run(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the `&'static Armed` that `create` passed.
    let armed = unsafe { &*arg.cast::<Armed>().cast_const() };
    // The alarm is the check's: delivered here, its handler would answer from this
    // thread's small stack while this thread already waits for the same moment.
    // SAFETY: blocks one signal for this thread, in a set built here.
    unsafe {
        let mut set = MaybeUninit::<libc::sigset_t>::zeroed().assume_init();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGALRM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
    loop {
        // SAFETY: sleeps until an absolute time on the monotonic clock.
        let rc = unsafe {
            libc::clock_nanosleep(
                libc::CLOCK_MONOTONIC,
                libc::TIMER_ABSTIME,
                &armed.give_up,
                std::ptr::null_mut(),
            )
        };
        if rc != libc::EINTR {
            break;
        }
    }
    super::fire(armed.timeout, armed.awaited.get())
}
