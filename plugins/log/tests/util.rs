//! Running `npd-log` as NPD would, again and again against the same host root and
//! state dir, with a clock the test sets.

#![allow(dead_code)]

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-log");

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

    /// The bytes read, as --explain reports them.
    pub fn bytes_read(&self) -> u64 {
        let at = self.stderr.find("\nread ").expect("no 'read N bytes' line") + 6;
        self.stderr[at..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Peak memory of the run, as --explain reports it.
    pub fn peak_kib(&self) -> u64 {
        let at = self.stderr.find("peak memory ").expect("no peak memory") + 12;
        self.stderr[at..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// `count` in a message `label: count in window > max ...`.
    pub fn count(&self) -> u64 {
        let after = self.line().split(": ").nth(1).unwrap_or_default();
        match after.split(' ').next().unwrap_or_default().parse() {
            Ok(n) => n,
            Err(_) => panic!("no count in {:?}:\n{}", self.line(), self.stderr),
        }
    }
}

/// A host root with log files, and a state dir kept across runs.
pub struct Node {
    root: tempfile::TempDir,
    state: tempfile::TempDir,
    /// Test clock: wall ms, boot ms, boot id.
    pub clock: (i64, u64, String),
}

impl Node {
    pub fn new() -> Node {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("var/log")).unwrap();
        Node {
            root,
            state: tempfile::tempdir().unwrap(),
            clock: (1_700_000_000_000, 1_000_000, "boot-a".into()),
        }
    }

    pub fn root(&self) -> &str {
        self.root.path().to_str().unwrap()
    }

    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    /// A host path (`/var/log/x.log`) as it lies under the root.
    pub fn path(&self, host: &str) -> PathBuf {
        self.root.path().join(host.trim_start_matches('/'))
    }

    pub fn write(&self, host: &str, bytes: &[u8]) {
        let p = self.path(host);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }

    pub fn append(&self, host: &str, bytes: &[u8]) {
        let p = self.path(host);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .unwrap();
        f.write_all(bytes).unwrap();
    }

    /// Moves the test clock on by `secs` on both clocks.
    pub fn advance(&mut self, secs: u64) {
        self.clock.0 += secs as i64 * 1000;
        self.clock.1 += secs * 1000;
    }

    /// Runs the plugin with `args`, the root, the state dir and `--explain`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, |_| {})
    }

    pub fn run_with(&self, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .args(["--host-root", self.root(), "--explain", "--state-dir"])
            .arg(self.state.path())
            .env(
                "NPD_LOG_TEST_CLOCK",
                format!("{},{},{}", self.clock.0, self.clock.1, self.clock.2),
            );
        setup(&mut cmd);
        run_command(cmd)
    }
}

/// Runs `cmd` with no stdin and a bound on the wait.
pub fn run_command(mut cmd: Command) -> Output {
    cmd.env_remove("HOST_ROOT")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn npd-log");
    let mut guard = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "npd-log ran for 30s");
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    guard
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    guard
        .0
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
        "exit {}: {}",
        out.code,
        out.stderr
    );
    assert!(!out.stdout.contains('%'), "{}", out.stdout);
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

/// Runs `cmd` as user and group `nobody` (root reads everything whatever the modes).
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

/// A Keystone access-log line (seed format: request, status, size, seconds).
pub fn access(method: &str, path: &str, status: u16, secs: f64) -> String {
    format!(
        "10.0.0.5 - - [12/Mar/2024:10:00:00 +0000] \"{method} {path} HTTP/1.1\" {status} 330 {secs:.6}\n"
    )
}

/// `n` copies of an access line.
pub fn lines(n: usize, method: &str, path: &str, status: u16) -> Vec<u8> {
    access(method, path, status, 0.05).repeat(n).into_bytes()
}

/// The Keystone auth-failure pattern the shipped config uses.
pub const AUTH_401: &str = r#""POST /v(3/auth/tokens|2\.0/tokens)[^"]*" 401 "#;

/// Flags counting 401s on /var/log/keystone.log in a long window, limit 0: the
/// message then carries the count.
pub fn count_401() -> Vec<&'static str> {
    vec![
        "--file",
        "/var/log/keystone.log",
        "--pattern",
        AUTH_401,
        "--max-count",
        "0",
        "--window",
        "1h",
    ]
}
