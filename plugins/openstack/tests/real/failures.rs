//! APIs that cannot answer: Keystone or nova down, a catalog without the service,
//! an API that hangs, garbage JSON: Unknown, in time and in words.

use super::{admin, ask, check, expect};
use crate::peers::peers;

#[test]
fn keystone_down_is_unknown() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let mut env = admin(p);
    env[0].1 = format!("http://127.0.0.1:{}/v3", p.s("closed_port"));
    let out = ask(st.path(), &env, &["compute", "--host", "node-down"]);
    assert_eq!(
        (out.code, out.line()),
        (2, "keystone unreachable: connection refused")
    );
}

#[test]
fn nova_down_is_unknown() {
    expect(
        &["compute", "--host", "node-down", "--region", "RegionTwo"],
        2,
        "nova-api unreachable: connection refused",
    );
}

#[test]
fn a_catalog_without_the_network_service_is_unknown() {
    expect(
        &["network", "--host", "node-down", "--region", "RegionTwo"],
        2,
        "no public network endpoint in region RegionTwo",
    );
    expect(
        &["network", "--host", "node-down", "--interface", "admin"],
        2,
        "no admin network endpoint in the catalog",
    );
}

#[test]
fn a_hung_api_is_unknown_within_the_deadline() {
    let Some(out) = check(&[
        "volume",
        "--host",
        "node-down",
        "--region",
        "RegionTwo",
        "--timeout",
        "3s",
    ]) else {
        return;
    };
    assert_eq!(out.code, 2, "{}", out.line());
    assert!(
        out.line().starts_with("cinder-api did not answer in 3s"),
        "{}",
        out.line()
    );
    assert!(
        out.elapsed < std::time::Duration::from_millis(3200),
        "{:?}",
        out.elapsed
    );
}

#[test]
fn garbage_json_is_unknown_with_a_clear_message() {
    expect(
        &["compute", "--host", "node-down", "--region", "RegionThree"],
        2,
        "nova-api answered garbage: not JSON (line 1 column 1)",
    );
    expect(
        &["network", "--host", "node-down", "--region", "RegionThree"],
        2,
        "neutron-server answered garbage: not JSON (line 1 column 1)",
    );
    expect(
        &["volume", "--host", "node-down", "--region", "RegionThree"],
        2,
        "cinder-api answered garbage: not JSON (line 1 column 1)",
    );
}
