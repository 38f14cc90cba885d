//! npd-config/npd-file.json against this binary: its rule's args are accepted, its
//! own --timeout is below the rule's, one permanent rule per condition, and the
//! condition's healthy message is the line the plugin prints when all is well.

use npd_test_support::{rule_args, run, ShippedConfig};

use crate::util::BIN;

#[test]
fn the_source_is_the_file_stem_and_rules_run_this_binary() {
    let c = ShippedConfig::load("npd-file");
    assert_eq!(c.json["source"], "npd-file");
    assert_eq!(c.rules_of(BIN).len(), c.rules().len());
}

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    ShippedConfig::load("npd-file").assert_every_rule_runs(BIN);
}

#[test]
fn one_permanent_rule_per_condition_whose_ok_line_is_the_condition_message() {
    let c = ShippedConfig::load("npd-file");
    for condition in c.conditions() {
        let rules = c.permanent_rules_for(condition["type"].as_str().unwrap());
        assert_eq!(rules.len(), 1, "{}", condition["type"]);
        // An empty host: nothing to reboot for, no file present.
        let empty = tempfile::tempdir().unwrap();
        let mut a = rule_args(rules[0]);
        a.extend(["--host-root", empty.path().to_str().unwrap()]);
        let healthy = run(BIN, &a);
        assert_eq!(healthy.code, 0, "{}", healthy.line());
        assert_eq!(condition["message"], healthy.line());
    }
}
