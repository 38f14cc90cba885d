//! Markers of helpers still stuck: one file per hung mount in the state dir, so that
//! later runs report the mount without starting a second helper, and a lock per mount,
//! so that concurrent runs (NPD runs rules at once) take turns probing it.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::short_io_reason;
use crate::{stable_hash, write_atomically};

/// The marker of a helper still stuck on a mount: its pid, its start time (to tell
/// it from a reused pid) and when it started.
pub(super) struct Marker {
    file: PathBuf,
}

impl Marker {
    /// The marker of the mount at `mount` (as this process reaches it).
    pub(super) fn new(dir: &Path, mount: &Path) -> Marker {
        let key = mount.as_os_str().as_bytes();
        Marker {
            file: dir.join(format!("hung-{:016x}", stable_hash(key))),
        }
    }

    /// An exclusive lock on this mount, waited for until `deadline`; `None` when
    /// another run still holds it then. Locking problems fall back to no lock.
    pub(super) fn take_turn(&self, deadline: Instant) -> Option<Option<fs::File>> {
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
    pub(super) fn still_stuck(&self) -> Option<SystemTime> {
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

    pub(super) fn record(&self, pid: i32, since: SystemTime, path: &Path) {
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
    let stat = fs::read(format!("/proc/{pid}/stat")).ok()?;
    let stat = crate::procstat::parse_stat(&stat).ok()?;
    (!stat.is_gone()).then_some(stat.starttime)
}
