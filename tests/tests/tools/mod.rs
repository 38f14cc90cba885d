//! The external tools the delivery tests run, where they are found, and what a missing
//! one means: in CI (`CI` set, as `.ci/run` runs) a failure that names the install step;
//! elsewhere a loud SKIPPED on stderr, so a developer without them still gets the rest.
//! Not for judging their output: that is each test's business.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where `.ci/run` unpacks Debian's kubernetes-client (kubectl 1.20, kustomize v2.0.3):
/// beside the system's kubectl, whose /usr/bin/kubectl may belong to another package.
pub const DEBIAN_KUBECTL: &str = "/opt/debian-kubectl/usr/bin/kubectl";

/// A tool the tests need, with the line of `.ci/run` that provides it.
pub struct Tool {
    pub name: &'static str,
    pub install: &'static str,
}

pub const KUBECTL: Tool = Tool {
    name: "Debian's kubectl (kubernetes-client, kustomize v2.0.3)",
    install: "apt-get download kubernetes-client && dpkg-deb -x kubernetes-client_*.deb /opt/debian-kubectl \
              (or set DEBIAN_KUBECTL to such a kubectl)",
};
/// Where `.ci/run` installs kubernetes-validate: a venv, as Debian's python3 refuses
/// `pip install` into the system (PEP 668).
pub const KUBERNETES_VALIDATE_VENV: &str = "/opt/kubernetes-validate/bin/kubernetes-validate";

pub const KUBERNETES_VALIDATE: Tool = Tool {
    name: "kubernetes-validate",
    install: "python3 -m venv /opt/kubernetes-validate && \
              /opt/kubernetes-validate/bin/pip install kubernetes-validate==1.37.0",
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
    if std::env::var_os("CI").is_some() {
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

pub fn debian_kubectl() -> Option<PathBuf> {
    let path = std::env::var_os("DEBIAN_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEBIAN_KUBECTL));
    is_executable(&path).then_some(path)
}

/// A kubectl on PATH whose kustomize is v4 or later, to show that newer kustomize
/// renders the same objects. Optional: its absence skips only that comparison.
pub fn newer_kubectl() -> Option<PathBuf> {
    let kubectl = on_path("kubectl")?;
    let out = run(Command::new(&kubectl).args(["version", "--client"]), 30).ok()?;
    let version = out
        .lines()
        .find_map(|l| l.strip_prefix("Kustomize Version: v"))?;
    let major: u32 = version.split('.').next()?.parse().ok()?;
    (major >= 4).then_some(kubectl)
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
        Ok(out)
    } else {
        Err(format!("{shown}: {status}\n{out}{err}"))
    }
}
