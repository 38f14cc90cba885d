//! `hypervisor` and `volumes` against the real nova-api and cinder-api: no
//! nova-compute runs, so nova lists no hypervisor and its real 404 must read as
//! "missing"; cinder must take the admin listing of volumes in error as asked.
//! The states themselves (up, down, disabled, volumes in error) are `hypervisor.rs`'s
//! and `volumes.rs`'s, against the stand-in cloud.

use super::expect;

#[test]
fn real_nova_without_a_compute_node_lists_no_hypervisor() {
    expect(
        &["hypervisor", "--host", "node-up"],
        1,
        "no hypervisor of node-up in nova",
    );
    expect(
        &["hypervisor", "--host", "node-up", "--missing-ok"],
        0,
        "no hypervisor registered for this host",
    );
}

#[test]
fn real_cinder_lists_volumes_in_error() {
    expect(
        &["volumes", "--host", "node-up"],
        0,
        "no volumes in error on this host",
    );
    expect(
        &["volumes", "--host", "node-down", "--region", "RegionThree"],
        2,
        "cinder-api answered garbage: not JSON (line 1 column 1)",
    );
}
