//! The external tools the delivery tests run, where they are found, and what a missing
//! one means: in CI (`CI` set, as `.ci/run` runs) a failure that names the install step;
//! elsewhere a loud SKIPPED on stderr, so a developer without them still gets the rest.
//! Not for judging their output: that is each test's business.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A tool the tests need, with the line of `.ci/run` that provides it.
pub struct Tool {
    pub name: &'static str,
    pub install: &'static str,
}

/// The renderer: the kustomize inside kubectl, v5 or later (kubectl 1.27 and later).
pub const KUBECTL: Tool = Tool {
    name: "a kubectl with kustomize v5 or later",
    install: "the machine image's /usr/bin/kubectl (1.32, kustomize v5.5); \
              or set KUBECTL to such a kubectl",
};
/// The oldest kustomize major version the manifests are rendered with in tests.
pub const KUSTOMIZE_MAJOR: u32 = 5;
/// Where `.ci/run` installs kubernetes-validate: a venv, as Debian's python3 refuses
/// `pip install` into the system (PEP 668).
pub const KUBERNETES_VALIDATE_VENV: &str = "/opt/kubernetes-validate/bin/kubernetes-validate";

pub const KUBERNETES_VALIDATE: Tool = Tool {
    name: "kubernetes-validate",
    install: "python3 -m venv /opt/kubernetes-validate && \
              /opt/kubernetes-validate/bin/pip install kubernetes-validate==1.37.0",
};
pub const MAKE: Tool = Tool {
    name: "make",
    install: "apt-get install make",
};
pub const PROMTOOL: Tool = Tool {
    name: "promtool",
    install: "apt-get install prometheus",
};
pub const BUILDAH: Tool = Tool {
    name: "buildah (as root)",
    install: "apt-get install buildah",
};

/// The tool's path, or `None` after saying SKIPPED (panics instead in CI).
pub fn require(tool: &Tool, found: Option<PathBuf>, test: &str) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let message = format!(
        "{test}: {} not found; .ci/run installs it: {}",
        tool.name, tool.install
    );
    if npd_test_support::in_ci() {
        panic!("{message}");
    }
    // Straight to the process's stderr: the test harness captures eprintln!, and a
    // skip nobody sees is a pass nobody earned.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED {message}\n");
    None
}

/// An executable named `name` on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

/// kubernetes-validate: `KUBERNETES_VALIDATE`, the venv of `.ci/run`, its script on
/// PATH, or else a python3 that has its module (a `pip install --user` does not always
/// put the script on PATH).
pub fn kubernetes_validate() -> Option<PathBuf> {
    let named = std::env::var_os("KUBERNETES_VALIDATE")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from(KUBERNETES_VALIDATE_VENV)))
        .filter(|p| is_executable(p));
    named
        .or_else(|| on_path("kubernetes-validate"))
        .or_else(|| {
            let python = on_path("python3")?;
            run(
                Command::new(&python).args(["-c", "import kubernetes_validate"]),
                60,
            )
            .ok()
            .map(|_| python)
        })
}

/// The command that runs what `kubernetes_validate()` found.
pub fn kubernetes_validate_command(found: &Path) -> Command {
    let mut cmd = Command::new(found);
    if found
        .file_name()
        .is_some_and(|n| n != "kubernetes-validate")
    {
        cmd.args(["-m", "kubernetes_validate"]);
    }
    cmd
}

/// `KUBECTL`, or the kubectl on PATH, when its kustomize is v5 or later (an older one is
/// reported and counts as missing: it renders the manifests with deprecation warnings
/// or not at all).
pub fn kubectl() -> Option<PathBuf> {
    let kubectl = std::env::var_os("KUBECTL")
        .map(PathBuf::from)
        .filter(|p| is_executable(p))
        .or_else(|| on_path("kubectl"))?;
    let out = run(Command::new(&kubectl).args(["version", "--client"]), 30).ok()?;
    let major = out
        .lines()
        .find_map(|l| l.strip_prefix("Kustomize Version: v"))
        .and_then(|v| v.split('.').next()?.parse::<u32>().ok());
    match major {
        Some(m) if m >= KUSTOMIZE_MAJOR => Some(kubectl),
        _ => {
            eprintln!(
                "{}: kustomize {major:?} is older than v{KUSTOMIZE_MAJOR}",
                kubectl.display()
            );
            None
        }
    }
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Runs `cmd` to completion within `secs` seconds; stdout on success, otherwise a
/// message with the command, its status and both outputs.
pub fn run(cmd: &mut Command, secs: u64) -> Result<String, String> {
    run_both(cmd, secs).map(|(out, _)| out)
}

/// As [`run`], with stdout and stderr apart on success.
pub fn run_both(cmd: &mut Command, secs: u64) -> Result<(String, String), String> {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shown}: cannot start: {e}"))?;
    // Drain both pipes while waiting, or a chatty tool would block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("{shown}: {e}"))? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{shown}: no answer within {secs}s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    if status.success() {
        Ok((out, err))
    } else {
        Err(format!("{shown}: {status}\n{out}{err}"))
    }
}
