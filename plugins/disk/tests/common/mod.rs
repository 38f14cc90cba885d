//! Fixture host roots for npd-disk, and real mounts torn down on drop.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use npd_test_support::{is_root, skip, FakeHost, Invocation, Run};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-disk");

/// A fixture host root holding `proc/1/mountinfo` and real directories for the mount
/// points, so that statvfs works on them (on whatever filesystem holds the temp dir,
/// whose numbers the test cannot choose), and a state dir kept across runs.
pub struct Host {
    pub fs: FakeHost,
    pub state: tempfile::TempDir,
}

impl Host {
    pub fn new(mountinfo: &str, dirs: &[&str]) -> Host {
        let fs = FakeHost::new();
        fs.mountinfo(mountinfo);
        for d in dirs {
            fs.dir(d);
        }
        Host {
            fs,
            state: tempfile::tempdir().unwrap(),
        }
    }

    /// A host path under the fixture root.
    pub fn path(&self, host_path: &str) -> PathBuf {
        self.fs.path(host_path)
    }

    /// Runs npd-disk against this host with limits that cannot be exceeded (the
    /// temp dir's disk is not the test's to fill) unless `args` set their own.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--host-root", self.fs.root()];
        if !args.contains(&"--max-used") {
            all.extend(["--max-used", "100"]);
        }
        if !args.contains(&"--max-inodes-used") {
            all.extend(["--max-inodes-used", "100"]);
        }
        all.extend(args);
        Invocation::new(BIN, &all).state_dir(self.state.path()).go()
    }
}

/// A real tmpfs mount in a temp dir, unmounted on drop.
pub struct Tmpfs {
    pub dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (after a warning) where mounting is not possible outside CI.
    pub fn mount(test: &str, options: &str) -> Option<Tmpfs> {
        if !is_root() {
            skip(test, "not root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            skip(test, "mount -t tmpfs failed");
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
