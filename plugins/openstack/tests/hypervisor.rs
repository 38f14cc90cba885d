//! `hypervisor` against the stand-in cloud of `fake.rs`: this host's hypervisor
//! found by its service host or its FQDN, up, down (this host's or a shared
//! outage), disabled, missing; nova failing or hanging is Unknown.

use npd_test_support::Reply;
use serde_json::{json, Value};

use crate::fake::{json as ok_json, FakeCloud};

fn hv(name: &str, host: &str, state: &str, status: &str) -> Value {
    json!({"id": format!("uuid-{name}"), "hypervisor_hostname": name, "state": state,
           "status": status, "hypervisor_type": "QEMU", "host_ip": "10.0.0.5",
           "service": {"id": "s1", "host": host, "disabled_reason": null}})
}

/// A nova whose pattern search lists `listed` (404 when empty, as nova does) and
/// whose os-services lists `services` (host, state) as nova-compute rows.
fn nova(listed: Vec<Value>, services: &'static [(&'static str, &'static str)]) -> FakeCloud {
    FakeCloud::start(move |req| {
        let path = req.path();
        if path.starts_with("/v2.1/os-hypervisors/detail?hypervisor_hostname_pattern=") {
            if listed.is_empty() {
                let nf = json!({"itemNotFound": {"code": 404,
                    "message": "No hypervisor matching 'x' could be found."}});
                return Reply::status(404, "Content-Type: application/json\r\n", nf.to_string());
            }
            return ok_json(json!({"hypervisors": listed}));
        }
        if path.starts_with("/v2.1/os-services?binary=nova-compute") {
            let rows: Vec<Value> = services
                .iter()
                .map(|(h, state)| {
                    json!({"binary": "nova-compute", "host": h, "state": state,
                    "status": "enabled", "forced_down": false, "updated_at": null})
                })
                .collect();
            return ok_json(json!({"services": rows}));
        }
        Reply::status(404, "", "no route")
    })
}

const TEN_UP: &[(&str, &str)] = &[
    ("node-a", "down"),
    ("n1", "up"),
    ("n2", "up"),
    ("n3", "up"),
    ("n4", "up"),
    ("n5", "up"),
    ("n6", "up"),
    ("n7", "up"),
    ("n8", "up"),
    ("n9", "up"),
];

#[test]
fn up_and_enabled_is_ok_found_by_its_fqdn_with_the_pinned_microversion() {
    let cloud = nova(
        vec![hv("node-a.example.com", "other", "up", "enabled")],
        TEN_UP,
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        0,
        "hypervisor is up and enabled",
    );
    assert_eq!(
        cloud.asked(),
        ["/v2.1/os-hypervisors/detail?hypervisor_hostname_pattern=node-a"]
    );
    let head = &cloud.heads()[0];
    assert!(
        head.to_ascii_lowercase()
            .contains("openstack-api-version: compute 2.53\r\n"),
        "{head}"
    );
}

#[test]
fn a_fqdn_host_finds_a_short_hypervisor_name() {
    let cloud = nova(vec![hv("node-a", "node-a", "up", "enabled")], TEN_UP);
    cloud.expect(
        &["hypervisor", "--host", "node-a.example.com"],
        0,
        "hypervisor is up and enabled",
    );
    // The short name is what nova is asked for: its substring match finds both forms.
    assert_eq!(
        cloud.asked(),
        ["/v2.1/os-hypervisors/detail?hypervisor_hostname_pattern=node-a"]
    );
}

#[test]
fn down_is_this_hosts_problem_unless_the_fleet_is_down() {
    let cloud = nova(
        vec![hv("node-a.example.com", "node-a", "down", "enabled")],
        TEN_UP,
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        1,
        "hypervisor node-a.example.com down",
    );
    let all_down: &[(&str, &str)] = &[("node-a", "down"), ("n1", "down"), ("n2", "down")];
    let cloud = nova(
        vec![hv("node-a.example.com", "node-a", "down", "enabled")],
        all_down,
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        2,
        "3 of 3 nova-compute down: control-plane problem",
    );
}

#[test]
fn disabled_is_an_operators_choice_said_in_the_line() {
    let cloud = nova(
        vec![hv("node-a.example.com", "node-a", "up", "disabled")],
        TEN_UP,
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        0,
        "hypervisor is up, disabled by an operator",
    );
    let cloud = nova(
        vec![hv("node-a.example.com", "node-a", "down", "disabled")],
        TEN_UP,
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        1,
        "hypervisor node-a.example.com down (disabled)",
    );
}

#[test]
fn missing_from_novas_list_is_a_problem_unless_missing_ok() {
    let cloud = nova(vec![], TEN_UP);
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        1,
        "no hypervisor of node-a in nova",
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a", "--missing-ok"],
        0,
        "no hypervisor registered for this host",
    );
    // Only a neighbour whose name contains ours: not this host's.
    let cloud = nova(
        vec![hv("node-ab.example.com", "node-ab", "up", "enabled")],
        TEN_UP,
    );
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        1,
        "no hypervisor of node-a in nova",
    );
}

#[test]
fn nova_failing_is_unknown() {
    let cloud = FakeCloud::start(|_| Reply::status(500, "", "oops"));
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        2,
        "nova-api answered 500",
    );
    // A 404 that is not nova's "no hypervisor matching" (a wrong endpoint) says nothing.
    let cloud = FakeCloud::start(|_| Reply::status(404, "", "<html>Not Found</html>"));
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        2,
        "nova-api answered 404",
    );
    let cloud = FakeCloud::start(|_| Reply::ok("<html>maintenance</html>"));
    cloud.expect(
        &["hypervisor", "--host", "node-a"],
        2,
        "nova-api answered garbage: not JSON (line 1 column 1)",
    );
}

#[test]
fn a_hung_nova_is_unknown_within_the_deadline() {
    FakeCloud::assert_a_hang_is_unknown("hypervisor", "nova-api");
}
