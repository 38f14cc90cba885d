//! npd-config/npd-maintenance-<cloud>.json against this binary: every rule runs it, its
//! args are accepted and its own --timeout is below the rule's. The rules are not run:
//! they ask the cloud's own metadata address, which no test may reach.

use npd_test_support::ShippedConfig;

use crate::util::BIN;

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    for cloud in ["aws", "gcp", "azure"] {
        let config = ShippedConfig::load(&format!("npd-maintenance-{cloud}"));
        config.assert_every_rule_runs(BIN);
        for rule in config.rules() {
            let args = npd_test_support::rule_args(rule);
            let at = args.iter().position(|a| *a == "--cloud").expect("--cloud");
            assert_eq!(args[at + 1], cloud, "the {cloud} config names its cloud");
            assert!(!args.contains(&"--metadata-url"), "the cloud's own address");
        }
    }
}

/// Each shipped rule, pointed at a fake service of its cloud holding a spot notice and
/// a scheduled reboot or termination, answers for its own condition only.
#[test]
fn each_rule_raises_its_own_condition() {
    use crate::util::{ask, aws, azure, azure_event, document, gcp, Imds};
    let at = "Thu, 03 Dec 2026 02:00:00 GMT";
    let services = [
        (
            "aws",
            aws(Imds {
                spot: Some(r#"{"action": "terminate", "time": "2026-12-02T10:04:00Z"}"#),
                scheduled: Some(
                    r#"[{"NotBefore": "3 Dec 2026 02:00:00 GMT", "Code": "instance-retirement", "State": "active"}]"#,
                ),
                ..Default::default()
            }),
            [
                "spot interruption: terminate at 2026-12-02T10:04Z",
                "instance-retirement scheduled 2026-12-03T02:00Z",
            ],
        ),
        (
            "gcp",
            gcp("TRUE", "TERMINATE_ON_HOST_MAINTENANCE"),
            [
                "preempted: the VM is being stopped",
                "host maintenance: terminate imminent",
            ],
        ),
        (
            "azure",
            azure(
                document(&[
                    azure_event("Preempt", r#""vm_0""#, "Scheduled", at),
                    azure_event("Redeploy", r#""vm_0""#, "Scheduled", at),
                ]),
                "vm_0",
            ),
            [
                "Preempt scheduled 2026-12-03T02:00Z",
                "Redeploy scheduled 2026-12-03T02:00Z",
            ],
        ),
    ];
    for (cloud, server, lines) in services {
        let config = ShippedConfig::load(&format!("npd-maintenance-{cloud}"));
        for (rule, line) in config.rules().iter().zip(lines) {
            let r = ask(&server, &npd_test_support::rule_args(rule));
            assert_eq!((r.code, r.line()), (1, line), "{cloud}");
        }
    }
}
