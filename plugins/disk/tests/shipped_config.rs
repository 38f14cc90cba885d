//! npd-config/npd-disk.json against this plugin: every rule's args are accepted, its
//! own --timeout is below the rule's, each rule judges one thing, and each
//! condition's healthy message is the line the plugin prints when all is well (so
//! the condition's message does not change when the first OK arrives).

mod common;

use common::BIN;
use npd_disk::{judge, Disk};
use npd_test_support::ShippedConfig;

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    let config = ShippedConfig::load("npd-disk");
    assert_eq!(config.rules().len(), 3);
    config.assert_every_rule_runs(BIN);
}

#[test]
fn each_condition_has_one_rule_judging_one_thing_with_the_plugins_ok_message() {
    let config = ShippedConfig::load("npd-disk");
    let permanent = config.assert_ok_messages::<Disk>(judge::ok_message);
    assert_eq!(permanent.len(), config.rules().len());
    for (_, c) in permanent {
        let judged = [c.usage, c.inodes, c.read_only];
        assert_eq!(judged.iter().filter(|b| **b).count(), 1);
    }
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    let help = npd_test_support::assert_help(BIN, &["--max-used 85"]);
    assert!(help.starts_with("Checks the filesystems"), "{help}");
}
