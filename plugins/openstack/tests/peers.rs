//! The real OpenStack services, started once for this test binary and stopped when it
//! exits, however it exits.
//!
//! `peers/peers.py install` builds (or reuses) a venv of the pinned releases under
//! the target dir; `peers/peers.py supervise` starts and seeds the services and
//! holds this process's pipe as its stdin: when the test binary ends (pass, fail,
//! panic or kill), the pipe closes and the supervisor stops every service by PID.
//!
//! Outside CI a machine that cannot install them (no python3 >= 3.11, no network)
//! skips these tests with a loud notice; in CI (`CI` set) that is a failure.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;

pub struct Peers {
    pub info: Value,
    /// Held, never written: its closing at exit is the supervisor's signal to stop.
    _stdin: Mutex<ChildStdin>,
}

impl Peers {
    pub fn s(&self, key: &str) -> String {
        match &self.info[key] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => panic!("peers.json {key}: {other}"),
        }
    }
}

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// The target dir the binary was built in (`<target>/<triple>/debug/npd-openstack`).
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("NPD_CHECKS_PEERS_CACHE") {
        return PathBuf::from(dir);
    }
    Path::new(crate::util::BIN)
        .ancestors()
        .find(|p| p.join(".rustc_info.json").exists())
        .map(|t| t.join("openstack-peers"))
        .unwrap_or_else(|| PathBuf::from("/var/tmp/npd-checks-openstack-peers"))
}

/// The running services, or `None` (outside CI only) when they cannot be had.
pub fn peers() -> Option<&'static Peers> {
    static PEERS: OnceLock<Result<Peers, String>> = OnceLock::new();
    match PEERS.get_or_init(start) {
        Ok(p) => Some(p),
        Err(e) if npd_test_support::in_ci() => panic!("OpenStack test services: {e}"),
        Err(e) => {
            eprintln!(
                "\n!!! SKIPPED: the real OpenStack services are not available: {e}\n\
                 !!! (needs python3 >= 3.11 with venv and PyPI; in CI this fails)\n"
            );
            None
        }
    }
}

fn start() -> Result<Peers, String> {
    let python = std::env::var("NPD_CHECKS_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = here().join("peers.py");
    let cache = cache_dir();
    let out = Command::new(&python)
        .arg(&script)
        .arg("install")
        .arg(&cache)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "installing into {} failed ({})",
            cache.display(),
            out.status
        ));
    }
    let venv = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let work = cache.join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let err = std::fs::File::create(work.join("supervisor.log")).map_err(|e| e.to_string())?;
    let mut child = Command::new(&python)
        .arg(&script)
        .arg("supervise")
        .arg(&venv)
        .arg(&work)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("READY ") || line.starts_with("FAILED ") {
                let _ = tx.send(line);
                return;
            }
        }
        let _ = tx.send("FAILED the supervisor exited".into());
    });
    // The supervisor is not waited for here: it outlives nothing but this process.
    std::mem::forget(child);
    let line = rx.recv_timeout(Duration::from_secs(480)).map_err(|_| {
        format!(
            "the services did not start in 8 minutes; see {}",
            work.display()
        )
    })?;
    let path = match line.strip_prefix("READY ") {
        Some(p) => p.to_string(),
        None => return Err(format!("{line}; see {}/supervisor.log", work.display())),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let info: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(Peers {
        info,
        _stdin: Mutex::new(stdin),
    })
}
