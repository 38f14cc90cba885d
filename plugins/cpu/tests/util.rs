//! Running `npd-cpu` as NPD would (no stdin, stdout and stderr captured, a bound on
//! the wait) and writing fake hosts for it to judge.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-cpu");

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
    let child = cmd.spawn().expect("spawn npd-cpu");
    let mut guard = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "npd-cpu ran for 20s: {args:?}");
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

/// A fake host: `<root>/proc/{loadavg,stat,pressure/cpu}` and
/// `<root>/sys/devices/system/cpu/online` written by the test.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

impl FakeHost {
    /// A healthy 4-CPU host: 5-minute load 2.0, little pressure.
    pub fn new() -> FakeHost {
        let host = FakeHost::bare();
        host.loadavg(3.0, 2.0, 1.0)
            .online("0-3\n")
            .stat(4)
            .pressure(5.0);
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

    /// Writes `bytes` to the host file `rel` (e.g. "proc/loadavg").
    pub fn write(&self, rel: &str, bytes: &[u8]) -> &FakeHost {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
        self
    }

    pub fn loadavg(&self, one: f64, five: f64, fifteen: f64) -> &FakeHost {
        let text = format!("{one:.2} {five:.2} {fifteen:.2} 3/812 40211\n");
        self.write("proc/loadavg", text.as_bytes())
    }

    /// The online CPU list, as written (e.g. "0-3\n").
    pub fn online(&self, list: &str) -> &FakeHost {
        self.write("sys/devices/system/cpu/online", list.as_bytes())
    }

    /// A /proc/stat with `cpus` cpuN lines.
    pub fn stat(&self, cpus: u32) -> &FakeHost {
        let mut text = String::from("cpu  4705 356 584 3699176 23060 0 277 0 0 0\n");
        for n in 0..cpus {
            text.push_str(&format!("cpu{n} 1393 280 290 924784 2480 0 144 0 0 0\n"));
        }
        text.push_str("intr 1462898 0 9 0 0\nctxt 4156702\nbtime 1700000000\n");
        self.write("proc/stat", text.as_bytes())
    }

    /// A pressure/cpu with this "some" avg10, and the zero "full" line of 5.13+.
    pub fn pressure(&self, some: f64) -> &FakeHost {
        let text = format!(
            "some avg10={some:.2} avg60=2.00 avg300=1.00 total=98765432\n\
             full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        );
        self.write("proc/pressure/cpu", text.as_bytes())
    }
}
