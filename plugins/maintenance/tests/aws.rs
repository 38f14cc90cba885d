//! AWS: IMDSv2's token, then the spot notice, the scheduled events and the rebalance
//! recommendation, as IMDS answers them.

use npd_test_support::{Reply, Server};

use crate::util::{answer, ask, aws, Imds, DEC_1, TOKEN};

const SPOT: &str = r#"{"action": "terminate", "time": "2026-12-02T10:04:00Z"}"#;
const REBOOT: &str = r#"[{"NotBefore": "3 Dec 2026 02:00:00 GMT", "Code": "system-reboot",
  "Description": "scheduled reboot", "EventId": "instance-event-0d59937288b749b32",
  "NotAfter": "3 Dec 2026 04:00:00 GMT", "State": "active"}]"#;

#[test]
fn nothing_announced_is_ok_with_a_stable_message() {
    let imds = aws(Imds::default());
    assert_eq!(
        answer(&imds, &["--cloud", "aws"]),
        (0, "no disruptive event scheduled".into())
    );
    assert_eq!(
        answer(&imds, &["--cloud", "aws", "--events", "preempt"]),
        (0, "no preemption notice".into())
    );
    // The token first, then every endpoint the counted kinds need, with it.
    let heads = imds.requests();
    assert!(heads[0].starts_with("PUT /latest/api/token "), "{heads:?}");
    assert!(heads[0].contains("X-aws-ec2-metadata-token-ttl-seconds: 60"));
    assert!(heads[1].contains(&format!("X-aws-ec2-metadata-token: {TOKEN}")));
}

#[test]
fn a_spot_interruption_names_the_action_and_its_time() {
    let imds = aws(Imds {
        spot: Some(SPOT),
        ..Default::default()
    });
    assert_eq!(
        answer(&imds, &["--cloud", "aws", "--events", "preempt"]),
        (
            1,
            "spot interruption: terminate at 2026-12-02T10:04Z".into()
        )
    );
    // Not counted: the endpoint is not even asked.
    let before = imds.requests().len();
    assert_eq!(
        answer(&imds, &["--cloud", "aws", "--events", "reboot"]).0,
        0
    );
    let asked = &imds.requests()[before..];
    assert!(!asked.iter().any(|h| h.contains("spot")), "{asked:?}");
}

#[test]
fn each_scheduled_event_code() {
    for (code, kind) in [
        ("system-reboot", "reboot"),
        ("instance-reboot", "reboot"),
        ("instance-stop", "stop"),
        ("instance-retirement", "retirement"),
        ("system-maintenance", "maintenance"),
    ] {
        let list = format!(
            r#"[{{"NotBefore": "3 Dec 2026 02:00:00 GMT", "Code": "{code}", "State": "active"}}]"#
        );
        let list: &'static str = Box::leak(list.into_boxed_str());
        let imds = aws(Imds {
            scheduled: Some(list),
            ..Default::default()
        });
        assert_eq!(
            answer(&imds, &["--cloud", "aws", "--events", kind]),
            (1, format!("{code} scheduled 2026-12-03T02:00Z")),
            "{code}"
        );
    }
}

#[test]
fn system_maintenance_counts_only_when_asked_for() {
    let imds = aws(Imds {
        scheduled: Some(
            r#"[{"NotBefore": "3 Dec 2026 02:00:00 GMT", "Code": "system-maintenance", "State": "active"}]"#,
        ),
        ..Default::default()
    });
    assert_eq!(answer(&imds, &["--cloud", "aws"]).0, 0);
}

#[test]
fn completed_and_canceled_events_are_history() {
    let imds = aws(Imds {
        scheduled: Some(
            r#"[{"NotBefore": "3 Dec 2026 02:00:00 GMT", "Code": "system-reboot", "State": "completed"},
          {"NotBefore": "4 Dec 2026 02:00:00 GMT", "Code": "instance-stop", "State": "canceled"}]"#,
        ),
        ..Default::default()
    });
    assert_eq!(answer(&imds, &["--cloud", "aws"]).0, 0);
}

#[test]
fn several_events_name_the_soonest_first() {
    let imds = aws(Imds {
        spot: Some(SPOT),
        scheduled: Some(REBOOT),
        ..Default::default()
    });
    assert_eq!(
        answer(&imds, &["--cloud", "aws"]),
        (
            1,
            "spot interruption: terminate at 2026-12-02T10:04Z (+1 more)".into()
        )
    );
}

#[test]
fn within_waits_for_a_reboot_days_away() {
    let imds = aws(Imds {
        scheduled: Some(REBOOT),
        ..Default::default()
    });
    let at = |clock: &str, within: &str| {
        answer(
            &imds,
            &[
                "--cloud",
                "aws",
                "--within",
                within,
                "--test-wall-clock",
                clock,
            ],
        )
    };
    // 1 December: the reboot is two days off.
    assert_eq!(
        at(DEC_1, "24h"),
        (0, "no disruptive event within 24h".into())
    );
    assert_eq!(
        at(DEC_1, "72h"),
        (1, "system-reboot scheduled 2026-12-03T02:00Z".into())
    );
}

#[test]
fn a_rebalance_recommendation_counts_only_when_asked_for() {
    let imds = aws(Imds {
        rebalance: Some(r#"{"noticeTime": "2026-12-02T10:00:00Z"}"#),
        ..Default::default()
    });
    assert_eq!(answer(&imds, &["--cloud", "aws"]).0, 0);
    assert_eq!(
        answer(&imds, &["--cloud", "aws", "--events", "rebalance"]),
        (1, "spot rebalance recommended 2026-12-02T10:00Z".into())
    );
}

#[test]
fn a_token_that_cannot_be_had_is_unknown() {
    for (reply, line) in [
        (Reply::status(403, "", ""), "IMDSv2 token: HTTP 403"),
        (
            Reply::status(200, "", ""),
            "IMDSv2 token: unexpected answer \"\"",
        ),
    ] {
        let reply = std::sync::Mutex::new(Some(reply));
        let imds = Server::http(move |_| reply.lock().unwrap().take().unwrap_or(Reply::Close));
        assert_eq!(answer(&imds, &["--cloud", "aws"]), (2, line.into()));
        // Nothing else is asked without a token: no IMDSv1 request.
        assert_eq!(imds.requests().len(), 1);
    }
}

#[test]
fn a_refused_token_on_the_reads_is_unknown() {
    let imds = Server::http(|r| {
        if r.path() == "/latest/api/token" {
            Reply::ok("a-token-imds-no-longer-knows")
        } else {
            Reply::status(401, "", "")
        }
    });
    assert_eq!(
        answer(&imds, &["--cloud", "aws", "--events", "preempt"]),
        (2, "spot instance-action: HTTP 401".into())
    );
}

#[test]
fn a_notice_read_stands_when_another_endpoint_fails() {
    let imds = Server::http(|r| match r.path() {
        "/latest/api/token" => Reply::ok(TOKEN),
        "/latest/meta-data/spot/instance-action" => Reply::ok(SPOT),
        _ => Reply::status(500, "", ""),
    });
    let r = ask(&imds, &["--cloud", "aws"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "spot interruption: terminate at 2026-12-02T10:04Z")
    );
    assert!(
        r.stderr.contains("scheduled events: HTTP 500"),
        "{}",
        r.stderr
    );
    let imds = Server::http(|r| match r.path() {
        "/latest/api/token" => Reply::ok(TOKEN),
        "/latest/meta-data/spot/instance-action" => Reply::status(404, "", ""),
        _ => Reply::status(500, "", ""),
    });
    assert_eq!(
        answer(&imds, &["--cloud", "aws"]),
        (2, "scheduled events: HTTP 500".into())
    );
}

#[test]
fn garbage_is_unknown() {
    for (spot, line) in [
        (
            "<html>hi</html>",
            "spot instance-action: unexpected answer \"<html>hi</html>\"",
        ),
        (
            r#"{"action": "terminate"}"#,
            "spot instance-action: unexpected answer \"{\\\"action\\\": \\\"terminate\\\"}\"",
        ),
    ] {
        let imds = aws(Imds {
            spot: Some(spot),
            ..Default::default()
        });
        assert_eq!(
            answer(&imds, &["--cloud", "aws", "--events", "preempt"]),
            (2, line.into())
        );
    }
    let imds = aws(Imds {
        scheduled: Some(r#"{"Code": "system-reboot"}"#),
        ..Default::default()
    });
    assert_eq!(answer(&imds, &["--cloud", "aws"]).0, 2);
}
