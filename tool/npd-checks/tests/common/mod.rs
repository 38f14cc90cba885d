//! Helpers shared by the end-to-end tests: the binaries, fixture paths, temporary
//! directories with plugins in them, and running `npd-checks` with a time bound.

#![allow(dead_code)]

pub mod npd;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `npd-checks` binary under test.
pub fn npd_checks() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_npd-checks"))
}

/// `tests/fixtures/<sub>`.
pub fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

/// The `contract-fixture` plugin, built by the npd-plugin package next to npd-checks.
pub fn contract_fixture() -> PathBuf {
    let path = npd_checks()
        .parent()
        .expect("npd-checks has a directory")
        .join("contract-fixture");
    assert!(
        path.exists(),
        "{} is missing: these tests use npd-plugin's contract-fixture; run \
         `cargo build --workspace` first",
        path.display()
    );
    path
}

/// A directory standing in for /opt/npd-checks/bin: `npd-fixture` (contract-fixture)
/// and `npd-noexec` (a file without an execute bit).
pub fn plugin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(contract_fixture(), dir.path().join("npd-fixture")).unwrap();
    fs::write(dir.path().join("npd-noexec"), "#!/bin/sh\n").unwrap();
    fs::set_permissions(
        dir.path().join("npd-noexec"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    dir
}

/// Writes an executable `#!/bin/sh` script.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// What a run of `npd-checks` did.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Runs `npd-checks args...` in `cwd`; fails the test if it takes longer than `limit`.
pub fn run_in(cwd: &Path, args: &[&str], limit: Duration) -> Out {
    run_with_input(cwd, args, None, limit)
}

/// Runs `npd-checks args...` in `cwd` with `input` on its standard input (none: /dev/null).
pub fn run_with_input(cwd: &Path, args: &[&str], input: Option<&str>, limit: Duration) -> Out {
    let start = Instant::now();
    let mut child = Command::new(npd_checks())
        .args(args)
        .current_dir(cwd)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write;
        stdin.write_all(text.as_bytes()).unwrap();
    }
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("npd-checks {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// Reads a pid a script wrote.
pub fn read_pid(path: &Path) -> i32 {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .parse()
        .unwrap()
}
