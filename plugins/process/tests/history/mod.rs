//! Checks that compare runs (restart loops, D state) on fake process tables: several
//! runs share one state dir, and the test moves the host's clock (`uptime`) and boot
//! (`boot_id`) between them.
//!
//! Here: the node and the runs every file uses. `d_state.rs`: processes stuck in D
//! state; `restarts.rs`: restart loops; `state.rs`: unusable or corrupt state and a
//! host without boot_id or uptime.

use std::path::Path;

use npd_test_support::{FakeHost, Run};

use crate::util::{check_in, ProcessHost};

const BOOT: &str = "4a1f6c2e-0d3b-4e8a-9c1f-2b7d5e6f8a90";
const REBOOT: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";

/// A node whose clock stands at `uptime` seconds after boot.
fn node_at(uptime: u64) -> FakeHost {
    let host = FakeHost::with_proc();
    host.process(1, "systemd", &["/sbin/init"])
        .kernel_thread(2, "kthreadd")
        .process(610, "containerd", &["/usr/bin/containerd"])
        .boot(BOOT, uptime);
    host
}

fn d_state(state: &Path, host: &FakeHost, extra: &[&str]) -> Run {
    let mut flags = vec!["--max-d-state-for", "5m"];
    flags.extend_from_slice(extra);
    check_in(state, host, &flags)
}

fn restarts(state: &Path, host: &FakeHost) -> Run {
    check_in(
        state,
        host,
        &[
            "--name",
            "kubelet",
            "--min",
            "0",
            "--max-restarts",
            "3",
            "--within",
            "30m",
        ],
    )
}

const D_OK: &str = "no process stuck in D state";
const RESTARTS_OK: &str = "kubelet not restarting in a loop";

mod d_state;
mod restarts;
mod state;
