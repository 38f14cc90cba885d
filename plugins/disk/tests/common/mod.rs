//! Running npd-disk as NPD would (no stdin, stdout read to its end, a bound on how
//! long a test waits), fixture host roots, and real mounts torn down on drop.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const NPD_DISK: &str = env!("CARGO_BIN_EXE_npd-disk");

/// No run may take longer than this, whatever goes wrong.
const TEST_BOUND: Duration = Duration::from_secs(20);

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Until stdout reached end of file: the moment NPD stops waiting.
    pub took: Duration,
}

impl Output {
    /// The one line, without its newline.
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

/// Runs npd-disk with `args`. The caller passes `--state-dir` (a temp dir): nothing
/// here may write to the machine's /var/lib/npd-checks.
pub fn run(args: &[&str]) -> Output {
    assert!(
        args.contains(&"--state-dir"),
        "every test run names its own --state-dir"
    );
    let started = Instant::now();
    let mut child = Command::new(NPD_DISK)
        .args(args)
        .env_remove("HOST_ROOT")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .env_remove("NPD_CHECKS_METRICS_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn npd-disk");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = String::new();
        // Returns only when no process holds the pipe any more.
        let _ = out_pipe.read_to_string(&mut stdout);
        let _ = tx.send((stdout, started.elapsed()));
    });
    let Ok((stdout, took)) = rx.recv_timeout(TEST_BOUND) else {
        let _ = child.kill();
        panic!("npd-disk {args:?}: stdout still open after {TEST_BOUND:?}");
    };
    let mut stderr = String::new();
    let _ = err_pipe.read_to_string(&mut stderr);
    let status = child.wait().unwrap();
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        took,
    }
}

/// True when running in CI, where a test that needs a capability must not skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Fails in CI, warns and tells the caller to skip elsewhere.
pub fn cannot(test: &str, why: &str) -> bool {
    assert!(!in_ci(), "{test} cannot run in CI: {why}");
    eprintln!("SKIPPED {test}: {why}");
    false
}

/// A fixture host root: a temp dir with `proc/1/mountinfo` and real directories for
/// the mount points, so that statvfs works on them (on whatever filesystem holds
/// the temp dir, whose numbers the test cannot choose).
pub struct Host {
    pub root: tempfile::TempDir,
    pub state: tempfile::TempDir,
}

impl Host {
    pub fn new(mountinfo: &str, dirs: &[&str]) -> Host {
        let host = Host {
            root: tempfile::tempdir().unwrap(),
            state: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(host.path("/proc/1")).unwrap();
        std::fs::write(host.path("/proc/1/mountinfo"), mountinfo).unwrap();
        for d in dirs {
            std::fs::create_dir_all(host.path(d)).unwrap();
        }
        host
    }

    /// A host path under the fixture root.
    pub fn path(&self, host_path: &str) -> PathBuf {
        self.root.path().join(host_path.trim_start_matches('/'))
    }

    /// Runs npd-disk against this host with limits that cannot be exceeded (the
    /// temp dir's disk is not the test's to fill) unless `args` set their own.
    pub fn run(&self, args: &[&str]) -> Output {
        let root = self.root.path().to_str().unwrap().to_string();
        let state = self.state.path().to_str().unwrap().to_string();
        let mut all = vec!["--host-root", &root, "--state-dir", &state];
        if !args.contains(&"--max-used") {
            all.extend(["--max-used", "100"]);
        }
        if !args.contains(&"--max-inodes-used") {
            all.extend(["--max-inodes-used", "100"]);
        }
        all.extend(args);
        run(&all)
    }
}

/// A real tmpfs mount in a temp dir, unmounted on drop.
pub struct Tmpfs {
    pub dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (after a warning) where mounting is not possible outside CI.
    pub fn mount(test: &str, options: &str) -> Option<Tmpfs> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            cannot(test, "not root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            cannot(test, "mount -t tmpfs failed");
            return None;
        }
        Some(Tmpfs { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn name(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    /// Writes `bytes` into a file on the mount.
    pub fn fill(&self, bytes: usize) {
        std::fs::write(self.path().join("fill"), vec![b'x'; bytes]).unwrap();
    }

    /// Creates `n` empty files on the mount.
    pub fn touch(&self, n: usize) {
        for i in 0..n {
            std::fs::write(self.path().join(format!("f{i}")), b"").unwrap();
        }
    }

    pub fn remount(&self, options: &str) {
        mount_cmd(&["-o", options], self.path());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        umount(self.dir.path());
    }
}

/// A bind mount of `from` on a new temp dir, unmounted on drop.
pub struct Bind {
    pub dir: tempfile::TempDir,
}

impl Bind {
    pub fn new(from: &Path) -> Bind {
        let dir = tempfile::tempdir().unwrap();
        mount_cmd(&["--bind", from.to_str().unwrap()], dir.path());
        Bind { dir }
    }

    pub fn name(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        umount(self.dir.path());
    }
}

fn mount_cmd(args: &[&str], target: &Path) {
    let status = Command::new("mount")
        .args(args)
        .arg(target)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "mount {args:?} {} failed",
        target.display()
    );
}

fn umount(dir: &Path) {
    let _ = Command::new("umount")
        .arg("-l")
        .arg(dir)
        .stderr(Stdio::null())
        .status();
}

/// A FUSE mount that never answers (tests/fixtures/hangfs.py at the repository's
/// top), torn down on drop by killing its daemon, which frees every caller stuck on
/// it, and a lazy unmount.
pub struct HungMount {
    pub dir: tempfile::TempDir,
    daemon: std::process::Child,
}

impl HungMount {
    pub fn start(test: &str) -> Option<HungMount> {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/hangfs.py"
        );
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            cannot(test, "not root");
            return None;
        }
        if !Path::new("/dev/fuse").exists() {
            cannot(test, "no /dev/fuse");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let daemon = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hangfs.py");
        let mount = HungMount { dir, daemon };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !mount.mounted() {
            assert!(
                Instant::now() < deadline,
                "hangfs.py did not mount (are fuse3 and python3-fusepy installed?)"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(mount)
    }

    pub fn name(&self) -> &str {
        self.dir.path().to_str().unwrap()
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
        umount(self.dir.path());
    }
}

/// Processes whose name starts with `comm_prefix` and that sleep uninterruptibly.
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
