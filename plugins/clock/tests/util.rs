//! Running `npd-clock` as NPD would: no stdin, stdout and stderr captured, a bound on
//! the wait, and a state dir of its own.

#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-clock");

/// No run may take longer than this, whatever goes wrong.
const BOUND: Duration = Duration::from_secs(20);

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

/// Runs the plugin with `args` and a fresh state dir.
pub fn run(args: &[&str]) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_in(state.path(), args)
}

/// Runs the plugin with `args` and the state dir `state` (for debounce across runs).
pub fn run_in(state: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--state-dir")
        .arg(state)
        .env_remove("HOST_ROOT")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .env_remove("NPD_CHECKS_METRICS_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn npd-clock");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("npd-clock {args:?} ran for {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
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
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

/// Runs the plugin on a stand-in kernel reading.
pub fn reading(fields: &str, more: &[&str]) -> Output {
    let mut args = vec!["--adjtimex-reading", fields];
    args.extend_from_slice(more);
    run(&args)
}

/// Asserts the NPD contract's shape: one line, ASCII, no '%', within `max` bytes.
pub fn assert_one_npd_line(out: &Output, max: usize) {
    assert!(out.stdout.ends_with('\n'), "{:?}", out.stdout);
    let line = out.line();
    assert!(!line.is_empty() && !line.contains('\n'), "{:?}", out.stdout);
    assert!(line.is_ascii() && !line.contains('%'), "{line:?}");
    assert!(line.len() <= max, "{line:?}");
}
