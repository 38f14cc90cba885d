//! npd-config/npd-cpu.json against this plugin: every rule's args are accepted, its
//! own --timeout is below the rule's, each rule judges one thing, and each
//! condition's healthy message is the line the plugin prints when all is well (so
//! the condition's message does not change when the first OK arrives).

use npd_cpu::{judge, Cpu};
use npd_test_support::ShippedConfig;

use crate::util::BIN;

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    let config = ShippedConfig::load("npd-cpu");
    assert_eq!(config.rules().len(), 2);
    config.assert_every_rule_runs(BIN);
}

#[test]
fn each_rule_judges_one_thing_and_conditions_start_with_the_ok_message() {
    let config = ShippedConfig::load("npd-cpu");
    let permanent = config.assert_ok_messages::<Cpu>(judge::ok_message);
    assert_eq!(
        permanent.len(),
        config.rules().len(),
        "every rule is permanent"
    );
}
