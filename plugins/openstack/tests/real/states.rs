//! What the seeded hosts' states answer: nova-compute up, down, disabled, forced
//! down or unknown; whole fleets and small ones; network agents and their types;
//! volume backends; and the host named from the node or the host's hostname.

use std::fs;

use super::{admin, ask, check, expect, expect_prefix};
use crate::peers::peers;

#[test]
fn compute_up_enabled_is_ok() {
    expect(
        &["compute", "--host", "node-up"],
        0,
        "nova-compute is up and enabled",
    );
}

#[test]
fn compute_down_names_the_last_heartbeat() {
    expect_prefix(
        &["compute", "--host", "node-down"],
        1,
        "nova-compute on node-down down since 20",
    );
}

#[test]
fn compute_disabled_names_the_reason_unless_allowed() {
    expect(
        &["compute", "--host", "node-disabled"],
        1,
        "nova-compute on node-disabled disabled: maintenance by ops",
    );
    expect(
        &["compute", "--host", "node-disabled", "--allow-disabled"],
        0,
        "nova-compute is up and enabled",
    );
}

#[test]
fn compute_forced_down() {
    expect(
        &["compute", "--host", "node-forced"],
        1,
        "nova-compute on node-forced forced down",
    );
}

#[test]
fn a_host_unknown_to_the_service_is_a_problem_unless_missing_ok() {
    expect(
        &["compute", "--host", "node-x"],
        1,
        "nova-compute not registered for node-x",
    );
    expect(
        &["compute", "--host", "node-x", "--missing-ok"],
        0,
        "no nova-compute registered for this host",
    );
    expect(
        &["volume", "--host", "node-x"],
        1,
        "cinder-volume not registered for node-x",
    );
    expect(
        &["network", "--host", "node-x"],
        1,
        "neutron agent not registered for node-x",
    );
}

#[test]
fn most_of_the_fleet_down_is_a_control_plane_problem() {
    // The guard counts 14 computes (node-disabled and node-forced are parked by an
    // operator), of which node-down is 1: more than 0.05 of them, but one host is
    // no evidence of a shared cause...
    expect_prefix(
        &[
            "compute",
            "--host",
            "node-down",
            "--max-down-fraction",
            "0.05",
        ],
        1,
        "nova-compute on node-down down since 20",
    );
    // ...unless one host is made enough.
    expect(
        &[
            "compute",
            "--host",
            "node-down",
            "--max-down-fraction",
            "0.05",
            "--min-down-hosts",
            "1",
        ],
        2,
        "1 of 14 nova-compute down: control-plane problem",
    );
    expect(
        &[
            "volume",
            "--host",
            "node-down",
            "--max-down-fraction",
            "0.05",
            "--min-down-hosts",
            "1",
        ],
        2,
        "1 of 14 cinder-volume down: control-plane problem",
    );
}

#[test]
fn one_of_two_computes_down_is_that_hosts_problem() {
    let Some(out) = check(&[
        "compute",
        "--host",
        "pair-down",
        "--region",
        "RegionPair",
        "--explain",
    ]) else {
        return;
    };
    assert_eq!(out.code, 1, "{}\n{}", out.line(), out.stderr);
    assert!(
        out.line()
            .starts_with("nova-compute on pair-down down since 20"),
        "{}",
        out.line()
    );
    assert!(
        out.stderr
            .contains("nova-compute cloud-wide: 1 of 2 hosts down (of 2 rows;"),
        "{}",
        out.stderr
    );
    expect(
        &["compute", "--host", "pair-up", "--region", "RegionPair"],
        0,
        "nova-compute is up and enabled",
    );
    // Judged by the share alone, half the cloud down would be the cloud's.
    expect(
        &[
            "compute",
            "--host",
            "pair-down",
            "--region",
            "RegionPair",
            "--min-down-hosts",
            "1",
        ],
        2,
        "1 of 2 nova-compute down: control-plane problem",
    );
}

#[test]
fn small_agent_fleets_one_down_or_all_down() {
    // Neutron's fleet is listed per binary: the SR-IOV agent runs on two hosts only.
    expect_prefix(
        &[
            "network",
            "--host",
            "pair-down",
            "--agent-type",
            "neutron-sriov-nic-agent",
        ],
        1,
        "neutron-sriov-nic-agent on pair-down down since 20",
    );
    expect(
        &["network", "--host", "pair-up"],
        0,
        "neutron agents are alive",
    );
    // Every macvtap agent of the cloud (two) is dead: the cloud's problem.
    expect(
        &["network", "--host", "twin-a"],
        2,
        "2 of 2 neutron-macvtap-agent down: control-plane problem",
    );
}

#[test]
fn network_agents() {
    expect(
        &["network", "--host", "node-up"],
        0,
        "neutron agents are alive",
    );
    expect_prefix(
        &["network", "--host", "node-down"],
        1,
        "neutron-openvswitch-agent on node-down down since 20",
    );
    expect(
        &["network", "--host", "node-disabled"],
        1,
        "neutron-openvswitch-agent on node-disabled admin down",
    );
    expect(
        &["network", "--host", "node-disabled", "--allow-admin-down"],
        0,
        "neutron agents are alive",
    );
}

#[test]
fn network_agent_types_filter_and_must_exist() {
    expect(
        &[
            "network",
            "--host",
            "node-mixed",
            "--agent-type",
            "L3 agent",
        ],
        0,
        "neutron agents are alive",
    );
    expect_prefix(
        &[
            "network",
            "--host",
            "node-mixed",
            "--agent-type",
            "neutron-dhcp-agent",
        ],
        1,
        "neutron-dhcp-agent on node-mixed down since",
    );
    expect(
        &[
            "network",
            "--host",
            "node-mixed",
            "--agent-type",
            "Metadata agent",
            "--agent-type",
            "L3 agent",
        ],
        1,
        "Metadata agent not registered for node-mixed",
    );
    expect(
        &[
            "network",
            "--host",
            "node-up",
            "--agent-type",
            "Open vSwitch agent",
            "--agent-type",
            "L3 agent",
            "--agent-type",
            "DHCP agent",
            "--agent-type",
            "Metadata agent",
        ],
        0,
        "neutron agents are alive",
    );
}

#[test]
fn volume_backends_of_this_host() {
    expect(
        &["volume", "--host", "node-up"],
        0,
        "cinder-volume is up and enabled",
    );
    expect_prefix(
        &["volume", "--host", "node-down"],
        1,
        "cinder-volume node-down@lvm down since 20",
    );
    expect(
        &["volume", "--host", "node-disabled"],
        1,
        "cinder-volume node-disabled@lvm disabled: maintenance by ops",
    );
}

#[test]
fn host_from_node_name_mapped_to_the_services_name() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let mut env = admin(p);
    env.push(("NODE_NAME", "node-up.cluster.example".into()));
    let out = ask(st.path(), &env, &["compute"]);
    assert_eq!(
        (out.code, out.line()),
        (1, "nova-compute not registered for node-up.cluster.example")
    );
    let out = ask(st.path(), &env, &["compute", "--strip-domain"]);
    assert_eq!(
        (out.code, out.line()),
        (0, "nova-compute is up and enabled")
    );
}

#[test]
fn host_from_the_hosts_hostname_file() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    fs::create_dir(root.path().join("etc")).unwrap();
    fs::write(root.path().join("etc/hostname"), "node-forced\n").unwrap();
    let out = ask(
        st.path(),
        &admin(p),
        &["compute", "--host-root", root.path().to_str().unwrap()],
    );
    assert_eq!(
        (out.code, out.line()),
        (1, "nova-compute on node-forced forced down")
    );
}
