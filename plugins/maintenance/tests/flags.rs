//! Flags: anything wrong with them is Unknown (exit 2) with the reason, and nothing is
//! asked before they are valid; --help, --explain, --max-output.

use npd_test_support::assert_bad_flags;

use crate::util::{ask, aws, dmi, Imds, BIN, GCE};

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--cloud", "openstack"][..],
            &["--events", "explode"],
            &["--cloud", "gcp", "--events", "freeze"],
            &["--cloud", "aws", "--events", "redeploy"],
            &["--metadata-url", "https://169.254.169.254"],
            &["--metadata-url", "not a url"],
            &["--metadata-url", "http://127.0.0.1:1/?x=1"],
            &["--within", "soon"],
            &["--within", "0"],
            &["--cloud", "aws", "--vm-name", "vm_0"],
            &["--cloud", "azure", "--vm-name", " "],
            &["--timeout", "later"],
            &["--no-such-flag"],
        ],
    );
}

#[test]
fn flags_are_checked_before_anything_is_asked() {
    let imds = aws(Imds::default());
    let r = ask(&imds, &["--cloud", "gcp", "--events", "stop"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "bad flags: --events stop: gcp reports no such event")
    );
    assert!(imds.requests().is_empty());
}

#[test]
fn explain_prints_the_dmi_tables_requests_and_verdicts() {
    let imds = aws(Imds {
        scheduled: Some(
            r#"[{"NotBefore": "3 Dec 2026 02:00:00 GMT", "Code": "system-maintenance", "State": "active"}]"#,
        ),
        ..Default::default()
    });
    let host = dmi(&GCE);
    let r = ask(
        &imds,
        &["--host-root", host.root(), "--cloud", "aws", "--explain"],
    );
    let ok = "no disruptive event scheduled";
    assert_eq!((r.code, r.line()), (0, ok), "{}", r.stderr);
    npd_test_support::assert_says(
        &r.stderr,
        &[
            "cloud aws, metadata service http://127.0.0.1:",
            "PUT http://127.0.0.1:",
            "/latest/api/token: HTTP 200",
            "GET http://127.0.0.1:",
            "system-maintenance scheduled 2026-12-03T02:00Z (maintenance): not counted (--events)",
            "answer: OK (no disruptive event scheduled)",
        ],
    );
}

#[test]
fn the_line_is_cut_at_max_output() {
    let imds = aws(Imds {
        spot: Some(r#"{"action": "hibernate", "time": "2026-12-02T10:04:00Z"}"#),
        ..Default::default()
    });
    let r = ask(&imds, &["--cloud", "aws", "--max-output", "17"]);
    assert_eq!((r.code, r.line()), (1, "spot interruption"));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "no IMDSv1 fallback",
            "/latest/api/token",
            "maintenance-event",
            "scheduledevents?api-version=2020-07-01",
            "7783-7084-3265-9085-8269-3286-77",
        ],
    );
}
