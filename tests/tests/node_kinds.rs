//! The base configs on each kind of node a cluster has: containerd, CRI-O, neither (a
//! host that runs no containers), and containerd crashed. A runtime the node does not
//! use is not missing and a path it does not have is not Unknown: only the crashed
//! runtime raises a condition. Each node is a fixture host root; the configs run
//! through `npd-checks run` with NPD's semantics. The roles' nodes too
//! (`roles_nodes.rs`): an OpenStack compute node (its daemons as packages or pods), an
//! OpenStack control-plane node with and without its network and storage agents, and a
//! kubeadm control-plane node, healthy and with a daemon gone.

mod common;
#[path = "node_kinds/roles_nodes.rs"]
mod roles_nodes;

use std::collections::BTreeMap;
use std::process::Command;

use common::{bin_dir, repo};
use npd_test_support::{FakeHost, ProcessHost};

/// What a node runs besides the kubelet.
#[derive(Clone, Copy, Debug)]
enum Runtime {
    Containerd,
    CriO,
    Neither,
    /// containerd's socket left behind, no containerd process.
    ContainerdCrashed,
}

fn node(runtime: Runtime) -> FakeHost {
    let host = FakeHost::with_proc();
    host.mountinfo("1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n")
        .boot("4a1f6c2e-0d3b-4e8a-9c1f-2b7d5e6f8a90", 86_400)
        .process(100, "kubelet", &["/usr/bin/kubelet"])
        .dir("var/lib/kubelet")
        .dir("run")
        .symlink("/var/run", "/run");
    match runtime {
        Runtime::Containerd | Runtime::ContainerdCrashed => {
            host.write("run/containerd/containerd.sock", b"")
                .dir("var/lib/containerd");
        }
        Runtime::CriO => {
            host.write("run/crio/crio.sock", b"")
                .dir("var/lib/containers/storage");
        }
        Runtime::Neither => {}
    }
    match runtime {
        Runtime::Containerd => {
            host.process(200, "containerd", &["/usr/bin/containerd"]);
        }
        Runtime::CriO => {
            host.process(300, "crio", &["/usr/bin/crio"]);
        }
        _ => {}
    }
    host
}

/// Condition type -> (status, message) after `rounds` rounds of the process and disk
/// configs on `host`.
fn conditions(host: &FakeHost, rounds: u32) -> BTreeMap<String, (String, String)> {
    conditions_of(host, rounds, &["npd-process.json", "npd-disk.json"])
}

/// Condition type -> (status, message) after `rounds` rounds of `configs` on `host`.
fn conditions_of(
    host: &FakeHost,
    rounds: u32,
    configs: &[&str],
) -> BTreeMap<String, (String, String)> {
    let dir = bin_dir();
    let state = tempfile::tempdir().unwrap();
    let out = Command::new(dir.join("npd-checks"))
        .args(["run", "--plugin-dir", dir.to_str().unwrap()])
        .args(["--rounds", &rounds.to_string()])
        .args(configs.iter().map(|c| repo().join("npd-config").join(c)))
        .env("HOST_ROOT", host.root())
        .env("NPD_CHECKS_STATE_DIR", state.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = text
        .split("Conditions:\n")
        .nth(1)
        .and_then(|t| t.split("\n\n").next())
        .unwrap_or_else(|| panic!("no Conditions table:\n{text}"));
    table
        .lines()
        .skip(2)
        .map(|line| {
            let cols: Vec<&str> = line
                .split("   ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            (
                cols[0].to_string(),
                (cols[1].to_string(), cols.last().unwrap().to_string()),
            )
        })
        .collect()
}

fn status<'a>(c: &'a BTreeMap<String, (String, String)>, ty: &str) -> (&'a str, &'a str) {
    let (s, m) = c.get(ty).unwrap_or_else(|| panic!("no {ty} in {c:?}"));
    (s.as_str(), m.as_str())
}

const CONTAINERD_SOCK: &str = "not judged: no /run/containerd/containerd.sock on this host";
const CRIO_SOCK: &str = "not judged: no /var/run/crio/crio.sock on this host";

#[test]
fn every_kind_of_node_is_judged_by_what_it_runs() {
    for runtime in [Runtime::Containerd, Runtime::CriO, Runtime::Neither] {
        let c = conditions(&node(runtime), 2);
        for (ty, (s, m)) in &c {
            assert_eq!(s, "False", "{runtime:?}: {ty} {s}: {m}");
        }
        // NPD keeps a condition's message while its status stays (message changes
        // are not updates here): the message is the rule's first answer or the
        // config's default, and neither may claim a runtime the node does not run.
        let (containerd, crio) = match runtime {
            Runtime::Containerd => ("containerd running", CRIO_SOCK),
            Runtime::CriO => (CONTAINERD_SOCK, "crio running"),
            _ => (CONTAINERD_SOCK, CRIO_SOCK),
        };
        for (ty, want, default) in [
            (
                "ContainerdProcessMissing",
                containerd,
                "containerd running or not used here",
            ),
            ("CRIOProcessMissing", crio, "crio running or not used here"),
        ] {
            let m = status(&c, ty).1;
            assert!(m == want || m == default, "{runtime:?}: {ty}: {m}");
        }
    }
}

#[test]
fn a_crashed_runtime_is_missing() {
    let c = conditions(&node(Runtime::ContainerdCrashed), 2);
    assert_eq!(
        status(&c, "ContainerdProcessMissing"),
        ("True", "containerd not running (0 < min 1)")
    );
    assert_eq!(status(&c, "CRIOProcessMissing").0, "False");
    assert_eq!(status(&c, "DiskUsageHigh").0, "False");
}
