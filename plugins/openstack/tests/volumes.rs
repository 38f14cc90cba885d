//! `volumes` against the stand-in cloud of `fake.rs`: this host's backends'
//! volumes in error counted against --max-error-volumes, a hostless volume never
//! counted, pages followed; cinder failing or hanging is Unknown.

use npd_test_support::Reply;
use serde_json::{json, Value};

use crate::fake::{json as ok_json, FakeCloud, PROJECT};

fn vol(id: &str, host: Option<&str>) -> Value {
    json!({"id": id, "name": format!("v-{id}"), "status": "error", "size": 1,
           "os-vol-host-attr:host": host})
}

/// A cinder listing `volumes` as the volumes in error.
fn cinder(volumes: Vec<Value>) -> FakeCloud {
    let prefix = format!("/v3/{PROJECT}/volumes/detail?all_tenants=1&status=error");
    FakeCloud::start(move |req| {
        if req.path() == prefix {
            return ok_json(json!({"volumes": volumes}));
        }
        Reply::status(404, "", "no route")
    })
}

const ID1: &str = "0f6b1e2c-8d4f-4c61-9a3e-5b2d7c9e1a01";
const ID2: &str = "0f6b1e2c-8d4f-4c61-9a3e-5b2d7c9e1a02";

#[test]
fn none_in_error_here_is_ok_and_hostless_ones_never_count() {
    let cloud = cinder(vec![
        vol(ID1, None),
        vol(ID2, Some("node-b@lvm#pool")),
        vol("x", Some("node-ab@lvm#pool")),
    ]);
    cloud.expect(
        &["volumes", "--host", "node-a"],
        0,
        "no volumes in error on this host",
    );
    let head = &cloud.heads()[0];
    assert!(
        head.to_ascii_lowercase()
            .contains("openstack-api-version: volume 3.0\r\n"),
        "{head}"
    );
}

#[test]
fn this_hosts_volumes_in_error_are_a_problem_over_the_limit() {
    let cloud = cinder(vec![
        vol(ID1, Some("node-a@lvm#pool")),
        vol(ID2, Some("node-a@ceph#rbd")),
        vol("x", None),
    ]);
    cloud.expect(
        &["volumes", "--host", "node-a"],
        1,
        &format!("volumes in error on node-a@lvm 2 > 0: {ID1}"),
    );
    cloud.expect(
        &["volumes", "--host", "node-a", "--max-error-volumes", "2"],
        0,
        "volumes in error on this host: not over 2",
    );
    cloud.expect(
        &["volumes", "--host", "node-a", "--max-error-volumes", "1"],
        1,
        &format!("volumes in error on node-a@lvm 2 > 1: {ID1}"),
    );
}

#[test]
fn pages_are_followed_by_marker() {
    let prefix = format!("/v3/{PROJECT}/volumes/detail?all_tenants=1&status=error");
    let cloud = FakeCloud::start(move |req| {
        let path = req.path();
        if path == prefix {
            return ok_json(json!({"volumes": [vol(ID1, Some("node-b@lvm#p"))],
                "volumes_links": [{"rel": "next", "href": "http://elsewhere.invalid/"}]}));
        }
        if path == format!("{prefix}&marker={ID1}") {
            return ok_json(json!({"volumes": [vol(ID2, Some("node-a@lvm#p"))]}));
        }
        Reply::status(404, "", "no route")
    });
    cloud.expect(
        &["volumes", "--host", "node-a"],
        1,
        &format!("volumes in error on node-a@lvm 1 > 0: {ID2}"),
    );
}

#[test]
fn cinder_failing_is_unknown() {
    let cloud = FakeCloud::start(|_| Reply::status(503, "", "down"));
    cloud.expect(
        &["volumes", "--host", "node-a"],
        2,
        "cinder-api answered 503",
    );
    let cloud = FakeCloud::start(|_| {
        Reply::status(
            403,
            "",
            r#"{"forbidden": {"code": 403, "message": "Policy"}}"#,
        )
    });
    cloud.expect(
        &["volumes", "--host", "node-a"],
        2,
        "cinder-api refused the listing (403): needs the admin role",
    );
    let cloud = FakeCloud::start(|_| Reply::ok(r#"{"volumes": "none"}"#));
    let out = cloud.ask(&["volumes", "--host", "node-a"]);
    assert_eq!(out.code, 2, "{}", out.line());
    assert!(
        out.line()
            .starts_with("cinder-api answered garbage: unexpected JSON"),
        "{}",
        out.line()
    );
}

#[test]
fn a_hung_cinder_is_unknown_within_the_deadline() {
    FakeCloud::assert_a_hang_is_unknown("volumes", "cinder-api");
}

#[test]
fn a_bad_limit_is_bad_flags() {
    let st = tempfile::tempdir().unwrap();
    for bad in ["-1", "many", "1.5"] {
        let out = crate::util::run(st.path(), &["volumes", "--max-error-volumes", bad], &[]);
        assert_eq!(out.code, 2, "{bad}: {}", out.line());
        assert!(out.line().starts_with("bad flags: "), "{}", out.line());
    }
}
