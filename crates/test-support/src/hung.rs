//! A mount that never answers, for the calls that can hang in the kernel (stat,
//! statvfs, read on a dead NFS or FUSE mount), and what tests that need a capability
//! do without it: fail in CI, skip with a word on stderr elsewhere.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The FUSE filesystem that blocks every call once mounted, at the repository's top.
const HANGFS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/hangfs.py"
);

/// The FUSE filesystem that answers: a read-only view of a directory.
const PASSFS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/passfs.py"
);

/// How long the FUSE daemon gets to mount before the test fails.
const MOUNT_BOUND: Duration = Duration::from_secs(10);

/// True when running in CI (`CI` set, not empty, not "false"), where a test that needs a
/// capability must run rather than skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Says on stderr that `test` cannot run here and why; in CI, fails instead, so that
/// a lost capability cannot turn a suite green by skipping.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    assert!(!in_ci(), "{test} cannot run in CI: {why}");
    // Written past the test harness's capture (which swallows eprintln! of a test
    // that passes): a skip nobody sees is a pass nobody earned.
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED {test}: {why}\n");
}

/// A FUSE mount that never answers (`tests/fixtures/hangfs.py`), or one that does
/// ([`FuseMount::passthrough`]). Dropping it kills its daemon, which frees every
/// process stuck on the mount, and unmounts it lazily.
pub struct FuseMount {
    /// The temp dir it is mounted on, when it made its own.
    _dir: Option<tempfile::TempDir>,
    point: PathBuf,
    daemon: Child,
}

impl FuseMount {
    /// Mounts it on a temp dir, or returns `None` after [`skip`] where this machine
    /// cannot (not root, no /dev/fuse, no python3 or python3-fusepy). A daemon that
    /// runs but does not mount in time fails the test.
    pub fn start(test: &str) -> Option<FuseMount> {
        let dir = tempfile::tempdir().expect("temp mount point");
        let point = dir.path().to_path_buf();
        FuseMount::mount(test, Some(dir), point, None, false)
    }

    /// Mounts it on `at`, an existing empty directory (inside a chroot's tree, say).
    pub fn start_at(test: &str, at: &Path) -> Option<FuseMount> {
        FuseMount::mount(test, None, at.to_path_buf(), None, false)
    }

    /// A FUSE mount that answers, on `at`: a read-only view of `source` (a healthy
    /// network or FUSE filesystem, which plugins must still treat as one that can
    /// hang).
    pub fn passthrough(test: &str, source: &Path, at: &Path) -> Option<FuseMount> {
        FuseMount::mount(test, None, at.to_path_buf(), Some(source), false)
    }

    /// Mounts it in a mount namespace of its own (the daemon's), so that neither PID
    /// 1's mount table nor this process's lists it: only runs that [`FuseMount::join`]
    /// that namespace see it, as a systemd unit with PrivateTmp or a container sees
    /// its own mounts.
    pub fn start_private(test: &str) -> Option<FuseMount> {
        if !Path::new("/usr/bin/unshare").exists() {
            skip(test, "no /usr/bin/unshare");
            return None;
        }
        if !crate::root_is_a_mount() {
            skip(
                test,
                "/ is not a mount point (a plain chroot): no private mount namespace",
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("temp mount point");
        let point = dir.path().to_path_buf();
        FuseMount::mount(test, Some(dir), point, None, true)
    }

    /// Makes `run` happen in the mount namespace the mount was made in, with this
    /// process's root and working directory (joining a mount namespace resets both to
    /// the namespace's, which in a chroot is outside it).
    pub fn join(&self, run: crate::Invocation) -> crate::Invocation {
        let proc_file = |name: &str| {
            std::ffi::CString::new(format!("/proc/{}/{name}", self.daemon.id()))
                .expect("no NUL in a path")
        };
        let (ns, root) = (proc_file("ns/mnt"), proc_file("root"));
        let cwd = std::env::current_dir().expect("working directory");
        let cwd = std::ffi::CString::new(cwd.into_os_string().into_encoded_bytes())
            .expect("no NUL in a path");
        run.setup(move |cmd| {
            use std::os::unix::process::CommandExt;
            // SAFETY: open, setns, fchdir, chroot, chdir and close are
            // async-signal-safe; the paths were prepared before the fork.
            unsafe {
                cmd.pre_exec(move || {
                    let dir = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
                    let root_fd = libc::open(root.as_ptr(), dir);
                    let ns_fd = libc::open(ns.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
                    let joined = root_fd >= 0
                        && ns_fd >= 0
                        && libc::setns(ns_fd, libc::CLONE_NEWNS) == 0
                        && libc::fchdir(root_fd) == 0
                        && libc::chroot(c".".as_ptr()) == 0
                        && libc::chdir(cwd.as_ptr()) == 0;
                    if !joined {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(ns_fd);
                    libc::close(root_fd);
                    Ok(())
                });
            }
        })
    }

    fn mount(
        test: &str,
        dir: Option<tempfile::TempDir>,
        point: PathBuf,
        source: Option<&Path>,
        private: bool,
    ) -> Option<FuseMount> {
        if !crate::is_root() {
            skip(test, "not root");
            return None;
        }
        for need in ["/dev/fuse", "/usr/bin/python3", HANGFS, PASSFS] {
            if !Path::new(need).exists() {
                skip(test, &format!("no {need}"));
                return None;
            }
        }
        let mut cmd = if private {
            // A namespace whose mounts propagate nowhere; the daemon holds it.
            let mut c = Command::new("/usr/bin/unshare");
            c.args(["--mount", "--propagation", "private", "/usr/bin/python3"]);
            c
        } else {
            Command::new("/usr/bin/python3")
        };
        match source {
            Some(source) => cmd.arg(PASSFS).arg(source),
            None => cmd.arg(HANGFS),
        };
        let daemon = cmd
            .arg(&point)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the FUSE daemon");
        let mut mount = FuseMount {
            _dir: dir,
            point,
            daemon,
        };
        let deadline = Instant::now() + MOUNT_BOUND;
        while !mount.mounted() {
            if let Some(status) = mount.daemon.try_wait().expect("wait for hangfs.py") {
                let mut why = String::new();
                if let Some(mut err) = mount.daemon.stderr.take() {
                    let _ = err.read_to_string(&mut why);
                }
                let last = why.lines().last().unwrap_or("no message");
                skip(test, &format!("the FUSE daemon exited ({status}): {last}"));
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "the FUSE daemon did not mount in {MOUNT_BOUND:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(mount)
    }

    pub fn path(&self) -> &Path {
        &self.point
    }

    /// The mount point, as a flag's value.
    pub fn name(&self) -> &str {
        self.point.to_str().expect("UTF-8 temp dir")
    }

    /// Whether the daemon's own view lists the mount.
    fn mounted(&self) -> bool {
        let want = format!(" {} ", self.point.display());
        std::fs::read_to_string(format!("/proc/{}/mountinfo", self.daemon.id()))
            .map(|m| m.lines().any(|l| l.contains(&want) && l.contains("fuse")))
            .unwrap_or(false)
    }
}

impl Drop for FuseMount {
    fn drop(&mut self) {
        // SIGKILL: the daemon ignores SIGTERM while its threads are blocked.
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&self.point)
            .stderr(Stdio::null())
            .status();
    }
}

/// Taken by the tests of a binary that count stuck helpers ([`stuck_processes`]): they
/// count machine-wide, so they take turns.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// The FUSE mount the hung-mount tests use.
pub type HungMount = FuseMount;

/// Processes whose name starts with `comm_prefix` (the kernel keeps 15 bytes of it)
/// and that sleep uninterruptibly: the helper processes a plugin left stuck on a hung
/// mount.
pub fn stuck_processes(comm_prefix: &str) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("stat")).ok())
        .filter_map(|stat| npd_plugin::procstat::parse_stat(&stat).ok())
        .filter(|p| p.comm().starts_with(comm_prefix.as_bytes()) && p.state == b'D')
        .count()
}
