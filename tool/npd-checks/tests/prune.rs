//! `npd-checks prune` end to end, against a fake HTTPS apiserver (tests/prune/
//! apiserver.rs) holding one Node with the kubelet's conditions, npd-checks' current
//! ones and stale ones, and a state directory holding the records.
//!
//! Where a new test belongs: which conditions prune removes, keeps or records, here;
//! how it fails, in tests/prune/failures.rs.

#[path = "prune/apiserver.rs"]
mod apiserver;
#[path = "prune/failures.rs"]
mod failures;
#[path = "prune/fixture.rs"]
mod fixture;

use apiserver::NODE;
use fixture::{prune, Node};
use serde_json::json;

#[test]
fn a_first_run_records_what_is_claimed_and_removes_nothing() {
    let n = Node::new();
    let out = n.prune(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .starts_with("First run of npd-checks on node n1: recorded 2"),
        "{}",
        out.stdout
    );
    assert_eq!(
        n.recorded("npd-checks"),
        ["DiskUsageHigh", "KernelDeadlock"]
    );
    assert!(n.api.requests().is_empty(), "{:?}", n.api.requests());
}

#[test]
fn a_type_the_configs_no_longer_claim_is_removed_and_nothing_else() {
    let n = Node::new();
    n.record(
        "npd-checks",
        &[
            "DiskUsageHigh",
            "KernelDeadlock",
            "NTPProblem",
            "ConntrackFull",
            "GoneLongAgo",
        ],
    );
    let out = n.prune(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .starts_with("Removed from node n1:\nConditions:\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  NTPProblem      True    Wed, 01 May 2024 10:00:00 +0000"),
        "{}",
        out.stdout
    );
    assert_eq!(
        n.api.types(),
        [
            "Ready",
            "MemoryPressure",
            "NetworkUnavailable",
            "GPUDriverProblem",
            "DiskUsageHigh",
            "KernelDeadlock",
            "EtcdUnhealthy"
        ]
    );
    let s = n.api.state.lock().unwrap();
    assert_eq!(
        s.requests,
        ["GET /api/v1/nodes/n1", "PATCH /api/v1/nodes/n1/status"]
    );
    assert_eq!(
        s.patches[0],
        json!({"metadata": {"resourceVersion": "4711"}, "status": {"conditions": [
            {"type": "NTPProblem", "$patch": "delete"}, {"type": "ConntrackFull", "$patch": "delete"}]}})
    );
    drop(s);
    assert_eq!(
        n.recorded("npd-checks"),
        ["DiskUsageHigh", "KernelDeadlock"]
    );
    // The next start finds nothing more to do, and asks nothing.
    let again = n.prune(&[]);
    assert!(
        again
            .stdout
            .starts_with("No condition of npd-checks to remove"),
        "{}",
        again.stdout
    );
    assert_eq!(n.api.requests().len(), 2);
}

#[test]
fn a_dry_run_shows_the_conditions_as_kubectl_describe_does_and_changes_nothing() {
    let n = Node::new();
    n.record("npd-checks", &["DiskUsageHigh", "NTPProblem"]);
    let out = n.prune(&["--dry-run"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // kubectl ends every cell of a row (not of the header) with a space, then pads.
    assert_eq!(
        out.stdout,
        "Would remove from node n1:\nConditions:\n\
         \x20 Type         Status  LastHeartbeatTime                 LastTransitionTime                Reason                 Message\n\
         \x20 ----         ------  -----------------                 ------------------                ------                 -------\n\
         \x20 NTPProblem   True    Wed, 01 May 2024 10:00:00 +0000   Tue, 30 Apr 2024 08:00:00 +0000   ClockNotSynchronised   clock not synchronised\n"
    );
    assert_eq!(n.api.types().len(), 9);
    assert_eq!(n.recorded("npd-checks"), ["DiskUsageHigh", "NTPProblem"]);
    // Without a record, a dry run creates none.
    let fresh = Node::new();
    let out = fresh.prune(&["--dry-run"]);
    assert!(
        out.stdout.starts_with("No record of npd-checks at "),
        "{}",
        out.stdout
    );
    assert!(!fresh.record_path("npd-checks").exists());
}

#[test]
fn another_daemonsets_conditions_are_never_removed() {
    let n = Node::new();
    // EtcdUnhealthy moved from the base to the control-plane role: the role's record
    // claims it, so the base, which no longer does, keeps its hands off.
    n.record(
        "npd-checks",
        &["DiskUsageHigh", "KernelDeadlock", "EtcdUnhealthy"],
    );
    n.record("npd-checks-control-plane", &["EtcdUnhealthy"]);
    let out = n.prune(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("Kept (another DaemonSet's record claims them): EtcdUnhealthy"),
        "{}",
        out.stdout
    );
    assert_eq!(n.api.types().len(), 9);
    assert!(n.api.requests().is_empty());
    // The role prunes under its own record, claiming its own configs only.
    let role = n.dir.path().join("npd-http-control-plane.json");
    let config =
        json!({"plugin": "custom", "conditions": [{"type": "APIServerProblem"}], "rules": []});
    std::fs::write(&role, config.to_string()).unwrap();
    let state = n.state().display().to_string();
    let kubeconfig = n.api.kubeconfig(None).display().to_string();
    let out = prune(
        &[
            "--kubeconfig",
            &kubeconfig,
            "--state-dir",
            &state,
            role.to_str().unwrap(),
        ],
        &[
            ("NODE_NAME", NODE),
            ("NPD_CHECKS_OWNER", "npd-checks-control-plane"),
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // EtcdUnhealthy is no longer the role's either: gone, and the base's untouched.
    assert!(!n.api.types().contains(&"EtcdUnhealthy".to_string()));
    assert!(n.api.types().contains(&"DiskUsageHigh".to_string()));
    assert_eq!(n.recorded("npd-checks-control-plane"), ["APIServerProblem"]);
}

#[test]
fn the_kubelets_conditions_are_never_removed_even_if_recorded() {
    let n = Node::new();
    n.record(
        "npd-checks",
        &["Ready", "MemoryPressure", "NetworkUnavailable"],
    );
    let out = n.prune(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(n.api.requests().is_empty());
    assert_eq!(n.api.types().len(), 9);
}
