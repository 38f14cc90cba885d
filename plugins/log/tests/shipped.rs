//! npd-config/npd-log-openstack.json against this plugin: every rule's args are
//! accepted and its own --timeout is below the rule's, every rule runs on a node
//! without the services (OK, not Unknown), and on one with them it counts.

use npd_test_support::{rule_args, ShippedConfig};

use crate::util::{access, Node, BIN};

const CONFIG: &str = "npd-log-openstack";

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    ShippedConfig::load(CONFIG).assert_every_rule_runs(BIN);
}

#[test]
fn without_the_services_every_rule_is_ok() {
    let n = Node::new();
    for rule in ShippedConfig::load(CONFIG).rules() {
        let r = n.run(&rule_args(rule));
        assert_eq!(r.code, 0, "{}: {}", rule["reason"], r.line());
        assert!(r.line().ends_with(": no log file"), "{}", r.line());
    }
}

#[test]
fn with_keystone_the_rules_count_and_the_condition_starts_with_the_ok_line() {
    let config = ShippedConfig::load(CONFIG);
    let rules = config.rules();
    let mut n = Node::new();
    let log = "/var/log/apache2/keystone_access.log";
    n.write(log, b"");
    for rule in rules {
        n.run(&rule_args(rule));
    }
    let mut text = String::new();
    for _ in 0..60 {
        text.push_str(&access("POST", "/v3/auth/tokens", 401, 0.05));
        text.push_str(&access("POST", "/v3/auth/tokens", 201, 0.2));
        text.push_str(&access("GET", "/v3/auth/tokens", 404, 0.01));
    }
    n.append(log, text.as_bytes());
    n.advance(30);
    let answers: Vec<(String, i32, String)> = rules
        .iter()
        .map(|rule| {
            let r = n.run(&rule_args(rule));
            (
                rule["reason"].as_str().unwrap().to_string(),
                r.code,
                r.line().to_string(),
            )
        })
        .collect();
    let find = |reason: &str| answers.iter().find(|a| a.0 == reason).unwrap();
    assert_eq!(find("KeystoneAuthFailuresHigh").1, 1, "{answers:?}");
    assert!(find("KeystoneAuthFailuresHigh")
        .2
        .starts_with("keystone auth 401: 60 in 5m > 50: "));
    assert_eq!(
        find("KeystoneTokenValidationFailuresHigh").1,
        0,
        "{answers:?}"
    );
    assert_eq!(find("KeystoneServerErrors").1, 0, "{answers:?}");
    let p95 = find("KeystoneAuthResponseTimeHigh");
    assert_eq!(p95.1, 0, "{answers:?}");
    assert_eq!(config.conditions()[0]["message"].as_str().unwrap(), p95.2);
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(BIN, &["--missing ok"]);
}
