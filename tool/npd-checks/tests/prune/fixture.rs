//! The fixture of the prune tests: a node's configs and state directory beside a fake
//! apiserver, and `npd-checks prune` run with no pod environment but what a test gives.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::apiserver::{condition, Apiserver, NODE};

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// Runs `npd-checks prune` with no pod environment but what `env` gives.
pub fn prune(args: &[&str], env: &[(&str, &str)]) -> Out {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_npd-checks"))
        .arg("prune")
        .args(args)
        .env_remove("NODE_NAME")
        .env_remove("NPD_CHECKS_OWNER")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// A node as npd-checks leaves it: the kubelet's conditions, another controller's,
/// the base's current ones, the control-plane role's, and two stale ones of the base
/// (one True, as a removed rule left it).
fn node_conditions() -> Vec<Value> {
    vec![
        condition(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        ),
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "ok",
        ),
        condition(
            "NetworkUnavailable",
            "False",
            "RouteCreated",
            "routes created",
        ),
        condition(
            "GPUDriverProblem",
            "False",
            "DriverIsFine",
            "another controller",
        ),
        condition(
            "DiskUsageHigh",
            "False",
            "DiskUsageIsNormal",
            "all filesystems below limits",
        ),
        condition(
            "KernelDeadlock",
            "False",
            "KernelHasNoDeadlock",
            "kernel has no deadlock",
        ),
        condition("EtcdUnhealthy", "False", "EtcdIsHealthy", "etcd answers"),
        condition(
            "NTPProblem",
            "True",
            "ClockNotSynchronised",
            "clock not synchronised",
        ),
        condition(
            "ConntrackFull",
            "False",
            "ConntrackIsNormal",
            "conntrack below limit",
        ),
    ]
}

/// Configs as the base DaemonSet loads them: a custom plugin monitor and a system log
/// monitor, and the records in a state directory.
pub struct Node {
    pub dir: tempfile::TempDir,
    pub api: Apiserver,
}

impl Node {
    pub fn new() -> Node {
        let dir = tempfile::tempdir().unwrap();
        let disk = json!({"plugin": "custom", "source": "npd-disk",
            "conditions": [{"type": "DiskUsageHigh", "reason": "DiskUsageIsNormal", "message": "ok"}],
            "rules": [{"type": "permanent", "condition": "DiskUsageHigh", "reason": "DiskFull",
                       "path": "/opt/npd-checks/bin/npd-disk"}]});
        let kernel = json!({"plugin": "kmsg", "source": "kernel-monitor",
            "conditions": [{"type": "KernelDeadlock", "reason": "KernelHasNoDeadlock", "message": "ok"}],
            "rules": [{"type": "temporary", "reason": "OOMKilling", "pattern": "Killed process .*"}]});
        std::fs::write(dir.path().join("npd-disk.json"), disk.to_string()).unwrap();
        std::fs::write(dir.path().join("kernel-monitor.json"), kernel.to_string()).unwrap();
        std::fs::create_dir(dir.path().join("state")).unwrap();
        Node {
            dir,
            api: Apiserver::start(node_conditions()),
        }
    }

    pub fn configs(&self) -> Vec<String> {
        ["npd-disk.json", "kernel-monitor.json"]
            .iter()
            .map(|f| self.dir.path().join(f).display().to_string())
            .collect()
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn record_path(&self, owner: &str) -> PathBuf {
        self.state()
            .join(format!("npd-checks-prune.{owner}.conditions.json"))
    }

    pub fn record(&self, owner: &str, types: &[&str]) {
        let body = json!({"conditions": types});
        std::fs::write(self.record_path(owner), body.to_string()).unwrap();
    }

    pub fn recorded(&self, owner: &str) -> Vec<String> {
        let text = std::fs::read_to_string(self.record_path(owner)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        serde_json::from_value(v["conditions"].clone()).unwrap()
    }

    pub fn prune(&self, extra: &[&str]) -> Out {
        self.prune_at(&self.api.kubeconfig(None), extra)
    }

    pub fn prune_at(&self, kubeconfig: &Path, extra: &[&str]) -> Out {
        let state = self.state().display().to_string();
        let kubeconfig = kubeconfig.display().to_string();
        let mut args = vec![
            "--kubeconfig",
            &kubeconfig,
            "--state-dir",
            &state,
            "--timeout",
            "5s",
        ];
        args.extend_from_slice(extra);
        let configs = self.configs();
        args.extend(configs.iter().map(String::as_str));
        prune(&args, &[("NODE_NAME", NODE)])
    }
}
