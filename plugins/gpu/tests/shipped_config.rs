//! npd-config/npd-gpu.json against this binary: every rule runs it, its args are accepted and its own
//! --timeout is below the rule's.

use npd_test_support::ShippedConfig;

use crate::util::BIN;

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    ShippedConfig::load("npd-gpu").assert_every_rule_runs(BIN);
}
