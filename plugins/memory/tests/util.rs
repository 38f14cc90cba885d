//! Running `npd-memory` as NPD would (no stdin, stdout and stderr captured, a bound on
//! the wait) and writing fake hosts for it to judge.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-memory");

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

/// Runs the plugin with `args` and a state dir of its own.
pub fn run(args: &[&str]) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_in(state.path(), args)
}

/// Runs the plugin with `args` and `state` as its state dir, so that runs can share it.
pub fn run_in(state: &Path, args: &[&str]) -> Output {
    run_with(state, args, |_| {})
}

/// Runs the plugin after `setup` adjusted the command (user, environment).
pub fn run_with(state: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
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
    let child = cmd.spawn().expect("spawn npd-memory");
    let mut guard = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "npd-memory ran for 20s: {args:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
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
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
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

/// A fake host: `<root>/proc/{meminfo,vmstat,pressure/memory}` written by the test.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

impl FakeHost {
    /// A healthy host: 16 GiB, 12 GiB available, no pressure, 2 OOM kills since boot.
    pub fn new() -> FakeHost {
        let host = FakeHost::bare();
        fs::create_dir_all(host.path("proc/pressure")).unwrap();
        host.meminfo(16 << 20, 12 << 20)
            .pressure(0.0, 0.0)
            .oom_kills(2);
        host
    }

    /// A root with nothing in it.
    pub fn bare() -> FakeHost {
        FakeHost {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `bytes` to the host file `rel` (e.g. "proc/meminfo").
    pub fn write(&self, rel: &str, bytes: &[u8]) -> &FakeHost {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
        self
    }

    /// A meminfo as the kernel writes it, sizes in kB.
    pub fn meminfo(&self, total_kb: u64, available_kb: u64) -> &FakeHost {
        let text = format!(
            "MemTotal:       {total_kb} kB\nMemFree:        {} kB\n\
             MemAvailable:   {available_kb} kB\nBuffers:          123456 kB\n\
             Cached:         2345678 kB\nSwapCached:            0 kB\n\
             HugePages_Total:       0\nHugepagesize:       2048 kB\n",
            available_kb / 2
        );
        self.write("proc/meminfo", text.as_bytes())
    }

    /// A pressure/memory with these avg10 values.
    pub fn pressure(&self, some: f64, full: f64) -> &FakeHost {
        let text = format!(
            "some avg10={some:.2} avg60=1.00 avg300=0.50 total=123456789\n\
             full avg10={full:.2} avg60=0.50 avg300=0.10 total=23456789\n"
        );
        self.write("proc/pressure/memory", text.as_bytes())
    }

    /// A vmstat whose oom_kill counter is `n`.
    pub fn oom_kills(&self, n: u64) -> &FakeHost {
        let text = format!(
            "nr_free_pages 3000000\nnr_zone_inactive_anon 1000\npgfault 987654\n\
             oom_kill {n}\nnuma_hit 12345\nunevictable_pgs_culled 0\n"
        );
        self.write("proc/vmstat", text.as_bytes())
    }
}
