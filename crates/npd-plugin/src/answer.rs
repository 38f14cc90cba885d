//! The one place that prints the answer and exits. Whoever gets here first (the check,
//! the watchdog, a panic) answers; nobody else can add a second line.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::message::sanitize;
use crate::outcome::Status;

static ANSWERING: AtomicBool = AtomicBool::new(false);
static MAX_OUTPUT: AtomicUsize = AtomicUsize::new(crate::flags::DEFAULT_MAX_OUTPUT);

thread_local! {
    static IN_ANSWER: Cell<bool> = const { Cell::new(false) };
}

pub(crate) fn set_max_output(bytes: usize) {
    MAX_OUTPUT.store(bytes, Ordering::Relaxed);
}

/// Whether this process is answering already (this thread, or another): the alarm's
/// handler then leaves it to finish.
pub(crate) fn answering() -> bool {
    ANSWERING.load(Ordering::SeqCst) || IN_ANSWER.with(Cell::get)
}

/// Writes the sanitized line to stdout and exits with the status's code.
pub(crate) fn answer(status: Status, message: &str) -> ! {
    finish(status, message, false)
}

/// As [`answer`], for the watchdog: the check did not finish by `--timeout`.
pub(crate) fn answer_timed_out(message: &str) -> ! {
    finish(Status::Unknown, message, true)
}

fn finish(status: Status, message: &str, timed_out: bool) -> ! {
    if IN_ANSWER.with(|c| c.replace(true)) {
        // A panic while answering: the line may be half written, but the code is right.
        // SAFETY: terminates the process without unwinding.
        unsafe { libc::_exit(2) }
    }
    if ANSWERING.swap(true, Ordering::SeqCst) {
        // Another thread is answering and will exit the process.
        loop {
            std::thread::park();
        }
    }
    let mut line = sanitize(message, MAX_OUTPUT.load(Ordering::Relaxed));
    if line.is_empty() {
        // NPD would show an empty message; say at least what the verdict is.
        line = status.as_str().to_string();
    }
    crate::metrics::record(status, timed_out);
    line.push('\n');
    write_all_stdout(line.as_bytes());
    // SAFETY: stdout was written with write(2) directly; nothing is left to flush and
    // no other thread may run destructors or atexit handlers now.
    unsafe { libc::_exit(status.exit_code()) }
}

fn write_all_stdout(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: writes our buffer to fd 1.
        let n = unsafe { libc::write(1, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return; // NPD went away; nothing to tell.
        }
        bytes = &bytes[n as usize..];
    }
}

/// A write to a pipe or socket whose reader is gone (NPD closed its end of stdout, a
/// peer hung up) must fail with EPIPE, which every writer here handles, instead of
/// killing the plugin by SIGPIPE, which NPD would show as Unknown and no exit code of
/// ours. Rust's start-up, which plugins skip, ignores it for the same reason; the
/// programs a plugin starts get the default back (std restores it before exec).
pub(crate) fn ignore_sigpipe() {
    // SAFETY: sets a signal's disposition to SIG_IGN; no handler runs.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}

/// A plugin started with stdin, stdout or stderr closed would see the first file it
/// opens take that number, and could write its answer into a state file: point each
/// closed one at /dev/null first, as Rust's start-up (which plugins skip) would.
pub(crate) fn reopen_closed_std_fds() {
    for fd in 0..3 {
        // SAFETY: F_GETFD only queries the descriptor table.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
            // SAFETY: a NUL-terminated path; the lowest free number is `fd` itself
            // because the lower ones are open (or were just reopened).
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}

/// A panic anywhere becomes an Unknown answer (exit 2), never Rust's 101 or an abort.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("panic{place}: {what}");
        answer(Status::Unknown, &format!("internal error (panic): {what}"));
    }));
}
