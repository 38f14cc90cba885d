//! Running `npd-file` as NPD would (no stdin, output captured, a bound on the wait,
//! a state dir of its own) and writing host trees for it to judge.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-file");

/// No run may take longer than this, whatever goes wrong.
const BOUND: Duration = Duration::from_secs(20);

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Until stdout reached end of file: no process left holds it.
    pub took: Duration,
}

impl Output {
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

pub fn run(args: &[&str]) -> Output {
    run_with(args, |_| {})
}

pub fn run_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_in(state.path(), args, setup)
}

/// Runs the plugin with the state dir `state`, kept across runs.
pub fn run_in(state: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
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
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn npd-file");
    let mut stdout = String::new();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("npd-file {args:?} ran for {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    stdout.push_str(&reader.join().unwrap());
    let took = started.elapsed();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        took,
    }
}

/// Asserts the NPD contract's shape: one line, ASCII, no '%', within `max` bytes.
pub fn assert_one_npd_line(out: &Output, max: usize) {
    assert!(out.stdout.ends_with('\n'), "{:?}", out.stdout);
    let line = out.line();
    assert!(!line.is_empty() && !line.contains('\n'), "{:?}", out.stdout);
    assert!(line.is_ascii() && !line.contains('%'), "{line:?}");
    assert!(line.len() <= max, "{line:?}");
}

/// Runs `cmd` as user and group `nobody` (root reads whatever the mode bits say).
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

/// True when running in CI, where a test that needs a capability must not skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Fails in CI, warns and tells the caller to skip elsewhere.
pub fn cannot(test: &str, why: &str) {
    assert!(!in_ci(), "{test} cannot run in CI: {why}");
    eprintln!("SKIPPED {test}: {why}");
}

/// A host tree under a temp dir.
pub struct Host {
    dir: tempfile::TempDir,
}

impl Host {
    pub fn new() -> Host {
        let dir = tempfile::tempdir().unwrap();
        // World-traversable, for the tests that run as nobody.
        fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        Host { dir }
    }

    pub fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn path(&self, host_path: &str) -> PathBuf {
        Path::new(self.root()).join(host_path.trim_start_matches('/'))
    }

    /// Writes `bytes` at `host_path`, creating its directories.
    pub fn file(&self, host_path: &str, bytes: &[u8]) -> &Host {
        let p = self.path(host_path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
        self
    }

    pub fn dir(&self, host_path: &str) -> &Host {
        fs::create_dir_all(self.path(host_path)).unwrap();
        self
    }

    pub fn symlink(&self, host_path: &str, target: &str) -> &Host {
        let p = self.path(host_path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
        self
    }

    /// Sets the file's modification time `ago` in the past.
    pub fn age(&self, host_path: &str, ago: Duration) -> &Host {
        let f = fs::File::options()
            .write(true)
            .open(self.path(host_path))
            .unwrap();
        f.set_modified(SystemTime::now() - ago).unwrap();
        self
    }

    pub fn mountinfo(&self, text: &str) -> &Host {
        self.file("/proc/1/mountinfo", text.as_bytes())
    }

    /// Runs the plugin on this tree.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["--host-root", self.root()];
        all.extend_from_slice(args);
        run(&all)
    }
}
