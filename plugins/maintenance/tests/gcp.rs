//! GCP: preempted and maintenance-event, asked and answered with Metadata-Flavor:
//! Google.

use npd_test_support::{Reply, Server};

use crate::util::{answer, gcp};

#[test]
fn nothing_announced_is_ok() {
    let server = gcp("FALSE", "NONE");
    assert_eq!(
        answer(&server, &["--cloud", "gcp"]),
        (0, "no disruptive event scheduled".into())
    );
    assert_eq!(server.requests().len(), 2);
    assert!(server
        .requests()
        .iter()
        .all(|h| h.contains("Metadata-Flavor: Google")));
}

#[test]
fn a_preemption_is_a_problem() {
    let server = gcp("TRUE\n", "NONE");
    assert_eq!(
        answer(&server, &["--cloud", "gcp"]),
        (1, "preempted: the VM is being stopped".into())
    );
}

#[test]
fn host_maintenance_that_terminates_is_a_problem_a_live_migration_is_not() {
    let server = gcp("FALSE", "TERMINATE_ON_HOST_MAINTENANCE");
    assert_eq!(
        answer(&server, &["--cloud", "gcp"]),
        (1, "host maintenance: terminate imminent".into())
    );
    let server = gcp("FALSE", "MIGRATE_ON_HOST_MAINTENANCE");
    assert_eq!(answer(&server, &["--cloud", "gcp"]).0, 0);
    assert_eq!(
        answer(&server, &["--cloud", "gcp", "--events", "migrate"]),
        (1, "host maintenance: live migration imminent".into())
    );
}

#[test]
fn only_the_endpoints_of_counted_kinds_are_asked() {
    let server = gcp("FALSE", "TERMINATE_ON_HOST_MAINTENANCE");
    assert_eq!(
        answer(&server, &["--cloud", "gcp", "--events", "preempt"]).0,
        0
    );
    let heads = server.requests();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /computeMetadata/v1/instance/preempted "));
}

#[test]
fn an_answer_without_metadata_flavor_is_not_the_metadata_servers() {
    for extra in ["", "Metadata-Flavor: Amazon\r\n"] {
        let server = Server::http(move |_| Reply::status(200, extra, "TRUE"));
        assert_eq!(
            answer(&server, &["--cloud", "gcp", "--events", "preempt"]),
            (
                2,
                "preempted: answer without Metadata-Flavor: Google".into()
            )
        );
    }
}

#[test]
fn unknown_values_and_statuses_are_unknown() {
    let server = gcp("maybe", "NONE");
    assert_eq!(
        answer(&server, &["--cloud", "gcp", "--events", "preempt"]),
        (2, "preempted: unexpected answer \"maybe\"".into())
    );
    let server = gcp("FALSE", "SOMETHING_NEW");
    assert_eq!(
        answer(&server, &["--cloud", "gcp"]),
        (
            2,
            "maintenance-event: unexpected answer \"SOMETHING_NEW\"".into()
        )
    );
    let server = Server::http(|_| Reply::status(503, "Metadata-Flavor: Google\r\n", ""));
    assert_eq!(
        answer(&server, &["--cloud", "gcp", "--events", "terminate"]),
        (2, "maintenance-event: HTTP 503".into())
    );
}
