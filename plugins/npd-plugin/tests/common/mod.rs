//! Running the fixture plugin as NPD would: no stdin, stdout and stderr captured, and
//! a bound on how long a test can wait for it.

#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const FIXTURE: &str = env!("CARGO_BIN_EXE_contract-fixture");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Until stdout reached end of file: the moment NPD stops waiting.
    pub took: Duration,
}

pub struct Run {
    cmd: Command,
}

impl Run {
    pub fn new(args: &[&str]) -> Run {
        let mut cmd = Command::new(FIXTURE);
        cmd.args(args)
            .env_remove("HOST_ROOT")
            .env_remove("NPD_CHECKS_STATE_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Run { cmd }
    }

    pub fn env(mut self, key: &str, value: &str) -> Run {
        self.cmd.env(key, value);
        self
    }

    pub fn go(mut self) -> Output {
        let started = Instant::now();
        let mut child = self.cmd.spawn().expect("spawn contract-fixture");
        let mut stdout = String::new();
        // Reads to EOF: returns only when no process holds the pipe any more.
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let took = started.elapsed();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        Output {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
            took,
        }
    }
}

pub fn fixture(args: &[&str]) -> Output {
    // Every run gets a state dir of its own unless the test names one.
    if args.contains(&"--state-dir") {
        Run::new(args).go()
    } else {
        let tmp = tempfile::tempdir().unwrap();
        let mut all = args.to_vec();
        let dir = tmp.path().to_str().unwrap().to_string();
        all.extend(["--state-dir", &dir]);
        Run::new(&all).go()
    }
}

/// Root ignores directory permissions, so a read-only state dir can only be tested as
/// an unprivileged user.
pub fn can_drop_write_permission() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() != 0 }
}

/// True when running in CI, where a test that needs a capability must not skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// A FUSE mount that never answers (tests/fixtures/hangfs.py at the repository's top),
/// torn down on drop by killing its daemon, which frees every caller stuck on it.
pub struct HungMount {
    pub dir: tempfile::TempDir,
    daemon: std::process::Child,
}

impl HungMount {
    /// `None` (after saying why on stderr) where FUSE cannot be used outside CI; in CI
    /// a missing capability is a failure, not a skip.
    pub fn start() -> Option<HungMount> {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/hangfs.py"
        );
        let why_not = if unsafe { libc::geteuid() } != 0 {
            Some("not root")
        } else if !std::path::Path::new("/dev/fuse").exists() {
            Some("no /dev/fuse")
        } else {
            None
        };
        if let Some(why) = why_not {
            assert!(!in_ci(), "hung-mount test cannot run in CI: {why}");
            eprintln!("SKIPPED hung-mount test: {why}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let daemon = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hangfs.py");
        let mount = HungMount { dir, daemon };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !mount.mounted() {
            if Instant::now() > deadline {
                panic!("hangfs.py did not mount (are fuse3 and python3-fusepy installed?)");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(mount)
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
