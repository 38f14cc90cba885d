//! Running `npd-limits` as NPD would (no stdin, stdout and stderr captured, a bound on
//! the wait) and writing fake hosts for it to judge.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-limits");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The answer line without its newline.
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

/// Runs the plugin with `args` and a fresh state dir of its own.
pub fn run(args: &[&str]) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_in(args, state.path())
}

/// Runs the plugin with `args` and the given state dir (for debounce across runs).
pub fn run_in(args: &[&str], state: &Path) -> Output {
    run_full(args, state, |_| {})
}

/// Runs the plugin after `setup` adjusted the command (user, environment).
pub fn run_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_full(args, state.path(), setup)
}

fn run_full(args: &[&str], state: &Path, setup: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--state-dir")
        .arg(state)
        .env_remove("HOST_ROOT")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .env_remove("NPD_CHECKS_METRICS_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut cmd);
    let child = cmd.spawn().expect("spawn npd-limits");
    let mut guard = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "npd-limits ran for 20s: {args:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    let child = &mut guard.0;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let out = Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    };
    assert!(
        matches!(out.code, 0..=2),
        "exit code {} for {args:?}",
        out.code
    );
    if !args.contains(&"--help") {
        assert_eq!(out.stdout.lines().count(), 1, "one line for {args:?}");
    }
    out
}

/// A child process that is killed and reaped when the test lets go of it.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd` as user and group `nobody`, for tests of permissions (root reads
/// everything whatever the mode bits say).
pub fn as_nobody(cmd: &mut Command) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A fake host: the kernel files `npd-limits` reads, written by the test.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

pub const LOADAVG: &str = "proc/loadavg";
pub const PID_MAX: &str = "proc/sys/kernel/pid_max";
pub const THREADS_MAX: &str = "proc/sys/kernel/threads-max";
pub const FILE_NR: &str = "proc/sys/fs/file-nr";
pub const CT_COUNT: &str = "proc/sys/net/netfilter/nf_conntrack_count";
pub const CT_MAX: &str = "proc/sys/net/netfilter/nf_conntrack_max";

impl FakeHost {
    /// An empty root: no /proc at all.
    pub fn empty() -> FakeHost {
        FakeHost {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A healthy host: 3104 tasks of pid_max 32768 and threads-max 192729, 12409 of
    /// 2466174 file handles, 1000 of 262144 conntrack entries.
    pub fn healthy() -> FakeHost {
        let host = FakeHost::empty();
        host.tasks(3104)
            .write(PID_MAX, "32768\n")
            .write(THREADS_MAX, "192729\n")
            .write(FILE_NR, "12409\t0\t2466174\n")
            .conntrack(1000, 262144);
        host
    }

    /// Like [`FakeHost::healthy`] without the conntrack module (and its files).
    pub fn without_conntrack() -> FakeHost {
        let host = FakeHost::healthy();
        host.remove(CT_COUNT).remove(CT_MAX);
        host
    }

    pub fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `rel` under the root, creating its directories.
    pub fn write(&self, rel: &str, text: &str) -> &FakeHost {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &FakeHost {
        let path = self.path(rel);
        if path.is_dir() {
            fs::remove_dir_all(path).unwrap();
        } else {
            fs::remove_file(path).unwrap();
        }
        self
    }

    /// Puts a directory where a file should be: reading it fails, even for root.
    pub fn unreadable(&self, rel: &str) -> &FakeHost {
        let path = self.path(rel);
        let _ = fs::remove_file(&path);
        fs::create_dir_all(path).unwrap();
        self
    }

    /// The task total as /proc/loadavg shows it.
    pub fn tasks(&self, total: u64) -> &FakeHost {
        self.write(LOADAVG, &format!("0.52 0.58 0.59 2/{total} 14275\n"))
    }

    pub fn file_nr(&self, allocated: u64, max: u64) -> &FakeHost {
        self.write(FILE_NR, &format!("{allocated}\t0\t{max}\n"))
    }

    pub fn conntrack(&self, count: u64, max: u64) -> &FakeHost {
        self.write(CT_COUNT, &format!("{count}\n"))
            .write(CT_MAX, &format!("{max}\n"))
    }

    /// Makes `<root>/proc/1/ns/net` a link naming `target`, as the kernel shows it.
    pub fn pid1_netns(&self, target: &str) -> &FakeHost {
        let path = self.path("proc/1/ns/net");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }
}
