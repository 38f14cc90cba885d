//! `npd-cri`: the container runtime, judged by asking it over the Kubernetes Container
//! Runtime Interface as the kubelet does (gRPC on its unix socket, no crictl).
//!
//! - it answers `Version`, `Status` and `ListPodSandbox` (ready sandboxes) before the
//!   deadline;
//! - the runtime conditions `--require` names (RuntimeReady, NetworkReady) are true;
//! - the list call takes no longer than `--max-latency`.
//!
//! [`config`] holds the flags, [`cri`] the protobuf messages, [`grpc`] the client,
//! [`measure`] makes the calls and says whose fault a failure is, [`judge`] decides.

pub mod config;
pub mod cri;
pub mod grpc;
pub mod judge;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config, Required};

/// The plugin.
pub struct Cri;

impl Plugin for Cri {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx)?;
        Ok(judge::judge(config, &measured, ctx))
    }

    const NAME: &'static str = "npd-cri";
    const ABOUT: &'static str =
        "Checks that the container runtime (containerd, CRI-O) answers the \
                                 Kubernetes CRI on its socket in time and reports itself ready.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "ContainerRuntimeProblem",
 "reason": "ContainerRuntimeUnhealthy", "path": "/opt/npd-checks/bin/npd-cri",
 "args": ["--require", "runtime", "--max-latency", "2s", "--fail-after", "3",
          "--timeout", "4s"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is asked:
  runtime.v1.RuntimeService on the socket, over one HTTP/2 connection: Version,
  Status (verbose=false: the conditions only) and ListPodSandbox filtered to ready
  sandboxes, the cheapest call whose answer the runtime must look up. Every call
  must answer before --timeout; ListPodSandbox must take no longer than
  --max-latency (default 2s).
Defaults:
  --socket: /run/containerd/containerd.sock, else /var/run/crio/crio.sock, under
  --host-root (the host's symlinks followed as the host would).
  --require runtime: RuntimeReady only. NetworkReady is false on every node whose
  CNI plugin has not written its config yet (a new node until its CNI DaemonSet
  runs; containerd says \"cni plugin not initialized\"), and the kubelet already
  reports that node NotReady itself. Requiring it by default would raise a second,
  drain-worthy condition on every node that is still joining. Add --require
  network where the CNI is part of the node image, or under a condition of its own.
  Add --fail-after 3: a runtime restarting once is not unhealthy.
What is a problem (exit 1), what is Unknown (exit 2):
  A required condition false or not reported (as for the kubelet) is a problem,
  with the runtime's reason and message. So is connection refused on a socket
  that is there: only the runtime creates it, containerd removes it when stopped
  cleanly, so nothing serving it means the runtime crashed or was killed, and the
  kubelet can start no pod (npd-process reports a missing containerd the same way).
  So is a runtime that accepts and does not answer by the deadline: hung, as a
  probe timeout is a failed probe.
  No socket file is Unknown: no runtime here (or one stopped cleanly), or a wrong
  --host-root. Bytes that are not HTTP/2, an answer that is not gRPC, or a gRPC
  error status (Unimplemented from a runtime without CRI v1, or a containerd with
  its CRI plugin disabled, as Docker's is) are Unknown: every CRI runtime speaks
  gRPC whatever its state, so
  what answers is not a CRI server this plugin can ask (a wrong --socket or an old
  runtime), not a runtime seen unhealthy. A connection closed in mid-call is
  Unknown too: a runtime that died then is refused at the next run.
--explain shows:
  The socket, the runtime's name, version and CRI version, every condition with
  its reason and message, the number of ready sandboxes and each call's time.";
}
