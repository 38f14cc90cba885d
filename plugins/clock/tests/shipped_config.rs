//! npd-config/npd-clock.json against this binary: its rule's args are accepted, its
//! own --timeout is below the rule's, one permanent rule per condition, and the
//! condition's healthy message is the line the plugin prints when all is well.

use npd_test_support::{rule_args, run, ShippedConfig};

use crate::util::BIN;

#[test]
fn the_source_is_the_file_stem_and_rules_run_this_binary() {
    let c = ShippedConfig::load("npd-clock");
    assert_eq!(c.json["source"], "npd-clock");
    assert_eq!(c.rules_of(BIN).len(), c.rules().len());
}

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    ShippedConfig::load("npd-clock").assert_every_rule_runs(BIN);
}

#[test]
fn one_permanent_rule_per_condition_whose_ok_line_is_the_condition_message() {
    let c = ShippedConfig::load("npd-clock");
    for condition in c.conditions() {
        let rules = c.permanent_rules_for(condition["type"].as_str().unwrap());
        assert_eq!(rules.len(), 1, "{}", condition["type"]);
        let mut a = rule_args(rules[0]);
        a.extend([
            "--adjtimex-reading",
            "status=0x2001 maxerror=20000 esterror=100",
        ]);
        let healthy = run(BIN, &a);
        assert_eq!(healthy.code, 0, "{}", healthy.line());
        assert_eq!(condition["message"], healthy.line());
    }
}

#[test]
fn the_rule_debounces() {
    for rule in ShippedConfig::load("npd-clock").rules() {
        assert!(
            rule_args(rule).contains(&"--fail-after"),
            "{}",
            rule["condition"]
        );
    }
}
