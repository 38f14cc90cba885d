//! Scripts for `npd-nagios` to run, Debian's plugins, and the processes they leave.

#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use npd_test_support::{gone_within, skip};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-nagios");
pub const PLUGINS: &str = "/usr/lib/nagios/plugins";

/// Debian's check_dummy for `test`, or None after [`skip`] where
/// monitoring-plugins-basic is missing.
pub fn check_dummy(test: &str) -> Option<String> {
    let path = format!("{PLUGINS}/check_dummy");
    if Path::new(&path).is_file() {
        return Some(path);
    }
    skip(
        test,
        &format!("{path} missing (Debian's monitoring-plugins-basic)"),
    );
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

/// Whether the process is gone (or a zombie nobody will wait on any more) within
/// a moment of the run.
pub fn gone(pid: i32) -> bool {
    gone_within(pid, Duration::from_secs(2))
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
