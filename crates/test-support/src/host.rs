//! A fixture host root: a temp dir a test fills with the files a plugin reads under
//! `--host-root`. Only the generic parts live here; a plugin's own file formats
//! (meminfo, socket tables, ...) are extension traits in that plugin's tests.

use std::ffi::CString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// A host root under a temp dir, removed when the value is dropped. Every method
/// takes a host path, with or without its leading '/' ("/etc/x" and "etc/x" are the
/// same file), and the writers return the host so that calls chain.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

impl Default for FakeHost {
    fn default() -> FakeHost {
        FakeHost::new()
    }
}

impl FakeHost {
    /// Runs the plugin `bin` on this host root with `args`.
    pub fn run_plugin(&self, bin: &str, args: &[&str]) -> crate::Run {
        let mut all = vec!["--host-root", self.root()];
        all.extend_from_slice(args);
        crate::run::run(bin, &all)
    }

    /// Runs the plugin `bin` on this host root with `args`: its exit code and line.
    pub fn answer(&self, bin: &str, args: &[&str]) -> (i32, String) {
        let r = self.run_plugin(bin, args);
        (r.code, r.line().to_string())
    }

    /// An empty root any user can traverse, as `/` is: a test that runs the plugin as
    /// nobody then fails on the file it made unreadable, not on the temp dir.
    pub fn new() -> FakeHost {
        let dir = tempfile::tempdir().expect("temp host root");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        FakeHost { dir }
    }

    /// The root, as `--host-root` takes it.
    pub fn root(&self) -> &str {
        self.dir.path().to_str().expect("UTF-8 temp dir")
    }

    /// Where the host path `host_path` is on this machine.
    pub fn path(&self, host_path: &str) -> PathBuf {
        self.dir.path().join(host_path.trim_start_matches('/'))
    }

    /// Writes `bytes` to `host_path`, creating the directories above it.
    pub fn write(&self, host_path: &str, bytes: impl AsRef<[u8]>) -> &FakeHost {
        let path = self.parent_made(host_path);
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self
    }

    /// Appends `bytes` to `host_path`, which must exist.
    pub fn append(&self, host_path: &str, bytes: impl AsRef<[u8]>) -> &FakeHost {
        use std::io::Write;
        let path = self.path(host_path);
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(bytes.as_ref()))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self
    }

    /// Creates the directory `host_path` and those above it.
    pub fn dir(&self, host_path: &str) -> &FakeHost {
        fs::create_dir_all(self.path(host_path)).unwrap();
        self
    }

    /// Removes the file or directory tree at `host_path`, which must exist.
    pub fn remove(&self, host_path: &str) -> &FakeHost {
        let path = self.path(host_path);
        if path.is_dir() {
            fs::remove_dir_all(&path).unwrap();
        } else {
            fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        self
    }

    /// Makes `host_path` a symbolic link whose target is `target`, as written.
    pub fn symlink(&self, host_path: &str, target: &str) -> &FakeHost {
        std::os::unix::fs::symlink(target, self.parent_made(host_path)).unwrap();
        self
    }

    /// Replaces whatever is at `host_path` with a FIFO no process writes to: opening
    /// it for reading blocks forever, as a file on a hung mount would.
    pub fn fifo(&self, host_path: &str) -> &FakeHost {
        let path = self.parent_made(host_path);
        let _ = fs::remove_file(&path);
        let c = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo(3) on a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
        self
    }

    /// Sets the modification time of `host_path` to `ago` before now.
    pub fn age(&self, host_path: &str, ago: Duration) -> &FakeHost {
        fs::File::options()
            .write(true)
            .open(self.path(host_path))
            .and_then(|f| f.set_modified(SystemTime::now() - ago))
            .unwrap();
        self
    }

    /// The host's mount table, which plugins read as PID 1 sees it.
    pub fn mountinfo(&self, text: &str) -> &FakeHost {
        self.write("/proc/1/mountinfo", text)
    }

    fn parent_made(&self, host_path: &str) -> PathBuf {
        let path = self.path(host_path);
        fs::create_dir_all(path.parent().expect("a host path below the root")).unwrap();
        path
    }
}
