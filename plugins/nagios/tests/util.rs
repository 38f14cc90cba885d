//! Running `npd-nagios` as NPD would, scripts for it to run, and Debian's plugins.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-nagios");
pub const PLUGINS: &str = "/usr/lib/nagios/plugins";

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub elapsed: Duration,
}

impl Output {
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

pub fn run(args: &[&str]) -> Output {
    let state = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .arg("--state-dir")
        .arg(state.path())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Reading to EOF also proves that nothing the plugin started still holds stdout.
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("npd-nagios ran for 20s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    if !args.contains(&"--help") {
        assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
        assert!(!stdout.contains('%'));
    }
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        elapsed,
    }
}

/// Debian's check_dummy, or None (with a notice) when monitoring-plugins-basic is
/// missing outside CI; in CI a missing package fails the test.
pub fn check_dummy() -> Option<String> {
    let path = format!("{PLUGINS}/check_dummy");
    if Path::new(&path).is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{path} is missing: install Debian's monitoring-plugins-basic");
    }
    eprintln!("skipped: {path} missing (Debian's monitoring-plugins-basic)");
    None
}

/// A shell script in a temp dir, executable.
pub struct Script {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Script {
    pub fn new(body: &str) -> Script {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("check_script");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Script { dir, path }
    }

    pub fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }

    /// A file in the script's dir, for pids the script records.
    pub fn file(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

/// Whether the process is gone (or a zombie nobody will wait on any more).
pub fn gone(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat) => {
                let state = stat
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .next();
                if state == Some("Z") || state == Some("X") {
                    return true;
                }
            }
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The pids a script wrote, one per line.
pub fn pids(file: &str) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Kills leftovers if a test fails, so that a failed test does not leak processes.
pub struct KillOnDrop(pub String);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for pid in pids(&self.0) {
            // SAFETY: signals a process this test's script started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}
