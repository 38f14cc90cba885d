//! What a check is given besides its own configuration: the host root, its deadline,
//! the state store, and a way to explain itself.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::host::HostRoot;
use crate::hostfs::HostFs;
use crate::isolate::Isolation;
use crate::outcome::{Outcome, Status};
use crate::state::StateDir;
use crate::units::format_duration;

pub struct Context {
    host: HostRoot,
    hostfs: HostFs,
    started: Instant,
    timeout: Duration,
    deadline: Instant,
    explain: bool,
    state: StateDir,
    waiting_for: Awaited,
    wall_clock_ms: Option<i64>,
}

/// What the check last said it waits for, shared with the watchdog.
#[derive(Clone, Default)]
pub(crate) struct Awaited(Arc<Mutex<Option<String>>>);

impl Awaited {
    pub(crate) fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// As [`Awaited::get`], for a signal handler: `None` when the lock is held (by the
    /// very code the handler interrupted, perhaps), instead of waiting for ever.
    pub(crate) fn try_get(&self) -> Option<String> {
        match self.0.try_lock() {
            Ok(w) => w.clone(),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner().clone(),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}

impl Context {
    pub fn new(
        host_root: impl Into<PathBuf>,
        timeout: Duration,
        explain: bool,
        state: StateDir,
    ) -> Context {
        let started = Instant::now();
        let host_root = host_root.into();
        Context {
            hostfs: HostFs::new(&host_root),
            host: HostRoot::new(host_root),
            started,
            timeout,
            deadline: started + check_budget(timeout),
            explain,
            state,
            waiting_for: Awaited::default(),
            wall_clock_ms: None,
        }
    }

    /// Sets the wall clock's reading (`--test-wall-clock`); `None` keeps the real one.
    pub fn with_wall_clock(mut self, ms: Option<i64>) -> Context {
        self.wall_clock_ms = ms;
        self
    }

    /// The wall clock in milliseconds since the epoch (0 before 1970).
    pub fn wall_clock_ms(&self) -> i64 {
        self.wall_clock_ms.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        })
    }

    pub fn host(&self) -> &HostRoot {
        &self.host
    }

    /// Host paths reached without a call that can hang here (see [`crate::hostfs`]).
    pub fn hostfs(&self) -> &HostFs {
        &self.hostfs
    }

    /// A host path under the host root (see [`HostRoot::join`]).
    pub fn host_path(&self, path: impl AsRef<Path>) -> PathBuf {
        self.host.join(path)
    }

    /// The `--timeout` the plugin was given, for messages ("not responding after 4s").
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// When the check must have stopped waiting on anything, a little before
    /// `--timeout`, so that its own, specific message wins over the generic watchdog.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Whether `--explain` was given; use [`crate::explain!`] to print.
    pub fn explaining(&self) -> bool {
        self.explain
    }

    /// Says what the check is about to wait for, so that if the deadline passes the
    /// answer names it ("no answer in 4s while reading /proc/1/mountinfo").
    pub fn waiting_for(&self, what: impl Into<String>) {
        let mut w = self.waiting_for.0.lock().unwrap_or_else(|p| p.into_inner());
        *w = Some(what.into());
    }

    /// As [`Context::waiting_for`], for a call that can wait where only SIGKILL
    /// reaches (a killable wait: reading a process's command line, behind its memory
    /// map lock, which a process stuck in the kernel can hold for ever). The alarm's
    /// signal would never be handled there, so this starts the watchdog thread, once,
    /// whose exit takes the waiting call down with the process.
    pub fn waiting_killably_for(&self, what: impl Into<String>) {
        self.waiting_for(what);
        if let Err(e) = crate::watchdog::ensure_thread() {
            self.warn(format_args!("no watchdog thread: {e}"));
        }
    }

    pub(crate) fn awaited(&self) -> Awaited {
        self.waiting_for.clone()
    }

    /// The state store, locked for this run, for a check whose *measurement* needs
    /// state (offsets, counters since the last run). When the store is unusable the
    /// error makes the check answer Unknown, as the contract requires.
    pub fn state(&self) -> Result<&StateDir> {
        self.state.lock(self.deadline)?;
        Ok(&self.state)
    }

    /// Settings for [`crate::isolate`] calls: this run's deadline and where markers
    /// of stuck helpers live (none when the state dir cannot be created).
    pub fn isolation(&self) -> Isolation {
        let dir = self.state.dir().join("hung");
        let usable = std::fs::create_dir_all(&dir).is_ok() && writable(&dir);
        Isolation {
            marker_dir: usable.then_some(dir),
            deadline: self.deadline,
        }
    }

    /// A warning on stderr (NPD logs it); never on stdout.
    pub fn warn(&self, message: impl std::fmt::Display) {
        eprintln!("warning: {message}");
    }

    /// The answer of a check made of several readings, some of which failed: a
    /// problem observed stands (it is true; each failure goes to stderr), and
    /// without one the first failure is the answer, since its subject was not seen.
    pub fn despite(&self, outcome: Outcome, mut failures: Vec<Error>) -> Result<Outcome> {
        let blind = outcome.status != Status::Problem && !failures.is_empty();
        let first = blind.then(|| failures.remove(0));
        for e in &failures {
            self.warn(format_args!("{e}"));
        }
        match first {
            Some(e) => Err(e),
            None => Ok(outcome),
        }
    }

    /// "after 4s", for messages about a subject that did not answer.
    pub fn timeout_text(&self) -> String {
        format_duration(self.timeout)
    }
}

fn writable(dir: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    match CString::new(dir.as_os_str().as_bytes()) {
        // SAFETY: access(2) on a valid C string.
        Ok(c) => unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 },
        Err(_) => false,
    }
}

/// The check's share of `--timeout`: what is left is for debounce state and the answer.
fn check_budget(timeout: Duration) -> Duration {
    let margin = (timeout / 5).min(Duration::from_millis(300));
    timeout - margin
}

/// Prints a line on stderr when `--explain` was given; the arguments are not even
/// formatted otherwise.
#[macro_export]
macro_rules! explain {
    ($ctx:expr, $($arg:tt)*) => {
        if $ctx.explaining() {
            eprintln!($($arg)*);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_stops_before_the_timeout() {
        assert_eq!(
            check_budget(Duration::from_secs(4)),
            Duration::from_millis(3700)
        );
        assert_eq!(
            check_budget(Duration::from_millis(500)),
            Duration::from_millis(400)
        );
    }
}
