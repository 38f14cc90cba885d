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
