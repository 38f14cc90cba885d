//! The state store: small JSON documents kept between runs in `--state-dir`, one set
//! per plugin and state key, written atomically (write a temporary file, rename it)
//! under an exclusive lock.
//!
//! Two kinds of callers use it, with different rules for a broken store: debounce falls
//! back to the undebounced answer (a broken store must never hide a problem), while a
//! check whose measurement itself needs state (counters since the last run) answers
//! Unknown. The store only reports; each caller decides.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;

use npd_host::{short_io_reason, write_atomically};
// Here for the plugins that key their own state by a hash (npd-log, npd-openstack):
// they reach the host layer through this crate.
pub use npd_host::stable_hash;

use crate::Error;

/// The state of one plugin invocation: `<dir>/<plugin>.<key>.<purpose>.json`, guarded by
/// `<dir>/<plugin>.<key>.lock`, taken once per run and held until the process exits.
pub struct StateDir {
    dir: PathBuf,
    prefix: String,
    lock: Mutex<Option<File>>,
}

impl StateDir {
    pub fn new(dir: impl Into<PathBuf>, plugin: &str, key: &str) -> StateDir {
        StateDir {
            dir: dir.into(),
            prefix: format!("{plugin}.{key}"),
            lock: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, purpose: &str) -> PathBuf {
        self.dir.join(format!("{}.{purpose}.json", self.prefix))
    }

    /// Creates the directory if needed and takes the lock, waiting at most until
    /// `deadline` for another run holding it.
    pub fn lock(&self, deadline: Instant) -> crate::Result<()> {
        let mut held = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        if held.is_some() {
            return Ok(());
        }
        let fail = |what: &str, e: &io::Error| {
            Error::unobserved(format!(
                "state dir {}: {what}: {}",
                self.dir.display(),
                short_io_reason(e)
            ))
        };
        fs::create_dir_all(&self.dir).map_err(|e| fail("cannot create", &e))?;
        let path = self.dir.join(format!("{}.lock", self.prefix));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| fail("cannot open lock", &e))?;
        loop {
            // SAFETY: flock on a file descriptor we own.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc == 0 {
                break;
            }
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(fail("cannot lock", &err));
            }
            if Instant::now() >= deadline {
                return Err(Error::unobserved(format!(
                    "state dir {}: lock held by another run",
                    self.dir.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        *held = Some(file);
        Ok(())
    }

    /// Reads the document kept for `purpose`: `Ok(None)` when there is none yet, an error
    /// when it cannot be read or does not parse. Call [`StateDir::lock`] first.
    pub fn load<T: DeserializeOwned>(&self, purpose: &str) -> crate::Result<Option<T>> {
        let path = self.path(purpose);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::unobserved(format!(
                    "cannot read state {}: {}",
                    path.display(),
                    short_io_reason(&e)
                )))
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::unobserved(format!("corrupt state {}: {e}", path.display())))
    }

    /// Replaces the document for `purpose` atomically; files are private (0600) because
    /// some hold secrets (cached tokens).
    pub fn save<T: Serialize>(&self, purpose: &str, value: &T) -> crate::Result<()> {
        let path = self.path(purpose);
        let fail = |e: io::Error| {
            Error::unobserved(format!(
                "cannot write state {}: {}",
                path.display(),
                short_io_reason(&e)
            ))
        };
        let bytes = serde_json::to_vec(value)
            .map_err(|e| Error::unobserved(format!("cannot encode state: {e}")))?;
        write_atomically(&path, &bytes).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(2)
    }

    #[test]
    fn round_trip_private_and_atomic() {
        let tmp = tempfile::tempdir().unwrap();
        let st = StateDir::new(tmp.path().join("sub"), "npd-x", "k");
        st.lock(soon()).unwrap();
        assert_eq!(st.load::<u32>("n").unwrap(), None);
        st.save("n", &7u32).unwrap();
        assert_eq!(st.load::<u32>("n").unwrap(), Some(7));
        let meta = fs::metadata(tmp.path().join("sub/npd-x.k.n.json")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let leftovers: Vec<_> = fs::read_dir(tmp.path().join("sub"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn corrupt_state_is_an_error_not_a_default() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("p.k.n.json"), b"{not json").unwrap();
        let st = StateDir::new(tmp.path(), "p", "k");
        st.lock(soon()).unwrap();
        let err = st.load::<u32>("n").unwrap_err();
        assert!(err.message().contains("corrupt state"), "{err}");
    }

    #[test]
    fn a_second_holder_times_out_on_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let a = StateDir::new(tmp.path(), "p", "k");
        a.lock(soon()).unwrap();
        let b = StateDir::new(tmp.path(), "p", "k");
        let err = b
            .lock(Instant::now() + Duration::from_millis(30))
            .unwrap_err();
        assert!(err.message().contains("lock held"), "{err}");
    }
}
