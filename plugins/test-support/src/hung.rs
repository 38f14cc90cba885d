//! A mount that never answers, for the calls that can hang in the kernel (stat,
//! statvfs, read on a dead NFS or FUSE mount), and what tests that need a capability
//! do without it: fail in CI, skip with a word on stderr elsewhere.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The FUSE filesystem that blocks every call once mounted, at the repository's top.
const HANGFS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/hangfs.py"
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
    assert!(!in_ci(), "{test} cannot run in CI: {why}");
    eprintln!("SKIPPED {test}: {why}");
}

/// A FUSE mount that never answers (`tests/fixtures/hangfs.py`). Dropping it kills its
/// daemon, which frees every process stuck on the mount, and unmounts it lazily.
pub struct HungMount {
    dir: tempfile::TempDir,
    daemon: Child,
}

impl HungMount {
    /// Mounts it, or returns `None` after [`skip`] where this machine cannot (not
    /// root, no /dev/fuse, no python3 or python3-fusepy). A daemon that runs but does
    /// not mount in time fails the test.
    pub fn start(test: &str) -> Option<HungMount> {
        if !crate::is_root() {
            skip(test, "not root");
            return None;
        }
        for need in ["/dev/fuse", "/usr/bin/python3", HANGFS] {
            if !Path::new(need).exists() {
                skip(test, &format!("no {need}"));
                return None;
            }
        }
        let dir = tempfile::tempdir().expect("temp mount point");
        let daemon = Command::new("/usr/bin/python3")
            .arg(HANGFS)
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hangfs.py");
        let mut mount = HungMount { dir, daemon };
        let deadline = Instant::now() + MOUNT_BOUND;
        while !mount.mounted() {
            if let Some(status) = mount.daemon.try_wait().expect("wait for hangfs.py") {
                let mut why = String::new();
                if let Some(mut err) = mount.daemon.stderr.take() {
                    let _ = err.read_to_string(&mut why);
                }
                let last = why.lines().last().unwrap_or("no message");
                skip(test, &format!("hangfs.py exited ({status}): {last}"));
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "hangfs.py did not mount in {MOUNT_BOUND:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(mount)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The mount point, as a flag's value.
    pub fn name(&self) -> &str {
        self.dir.path().to_str().expect("UTF-8 temp dir")
    }

    fn mounted(&self) -> bool {
        let want = format!(" {} ", self.dir.path().display());
        std::fs::read_to_string("/proc/self/mountinfo")
            .map(|m| m.lines().any(|l| l.contains(&want) && l.contains("fuse")))
            .unwrap_or(false)
    }
}

impl Drop for HungMount {
    fn drop(&mut self) {
        // SIGKILL: the daemon ignores SIGTERM while its threads are blocked.
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .stderr(Stdio::null())
            .status();
    }
}

/// Processes whose name starts with `comm_prefix` (the kernel keeps 15 bytes of it)
/// and that sleep uninterruptibly: the helper processes a plugin left stuck on a hung
/// mount.
pub fn stuck_processes(comm_prefix: &str) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                return false;
            };
            stat[open + 1..close].starts_with(comm_prefix)
                && stat[close + 1..].trim_start().starts_with('D')
        })
        .count()
}
