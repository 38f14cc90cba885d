//! npd-config/npd-memory.json against this plugin: every rule's args are accepted, its
//! own --timeout is below the rule's, each rule judges one thing, and each
//! condition's healthy message is the line the plugin prints when all is well (so
//! the condition's message does not change when the first OK arrives).

use npd_memory::{judge, Memory};
use npd_test_support::{rule_args, ShippedConfig};

use crate::util::BIN;

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    let config = ShippedConfig::load("npd-memory");
    assert_eq!(config.rules().len(), 3);
    config.assert_every_rule_runs(BIN);
}

#[test]
fn each_rule_judges_one_thing_and_conditions_start_with_the_ok_message() {
    let config = ShippedConfig::load("npd-memory");
    config.assert_ok_messages::<Memory>(judge::ok_message);
    for rule in config.rules().iter().filter(|r| r["type"] == "temporary") {
        let args = rule_args(rule);
        assert_eq!(args.iter().filter(|a| **a == "--check").count(), 1);
        let c = npd_plugin::configure_from::<Memory>(&args).unwrap();
        assert!(c.max_oom_kills.is_some(), "{}", rule["reason"]);
        assert!(
            !args.contains(&"--fail-after"),
            "debounce would hide single kills"
        );
        assert!(
            args.contains(&"--state-key"),
            "the count must survive flag edits"
        );
    }
}
