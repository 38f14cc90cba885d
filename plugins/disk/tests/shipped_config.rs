//! npd-config/npd-disk.json against this plugin: every rule's args are accepted, its
//! own --timeout is below the rule's, each rule judges one thing, and each
//! condition's healthy message is the line the plugin prints when all is well (so
//! the condition's message does not change when the first OK arrives).

mod common;

use common::BIN;
use npd_disk::{judge, Disk};
use npd_test_support::{rule_args, ShippedConfig};

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    let config = ShippedConfig::load("npd-disk");
    assert_eq!(config.rules().len(), 3);
    config.assert_every_rule_runs(BIN);
}

#[test]
fn each_condition_has_one_rule_judging_one_thing_with_the_plugins_ok_message() {
    let config = ShippedConfig::load("npd-disk");
    for rule in config.rules() {
        let args = rule_args(rule);
        assert_eq!(args.iter().filter(|a| **a == "--check").count(), 1);
        let c = npd_plugin::configure_from::<Disk>(&args).unwrap();
        assert_eq!(
            [c.usage, c.inodes, c.read_only]
                .iter()
                .filter(|b| **b)
                .count(),
            1
        );
        let condition = config.condition(rule["condition"].as_str().unwrap());
        assert_eq!(condition["message"], judge::ok_message(&c).as_str());
    }
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    let help = npd_test_support::assert_help(BIN, &["--max-used 85"]);
    assert!(help.starts_with("Checks the filesystems"), "{help}");
}
