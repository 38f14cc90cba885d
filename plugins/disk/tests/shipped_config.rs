//! npd-config/npd-disk.json against this plugin: every rule's args are accepted, its
//! own --timeout is below the rule's, each rule judges one thing, and each
//! condition's healthy message is the line the plugin prints when all is well (so
//! the condition's message does not change when the first OK arrives).

mod common;

use clap::FromArgMatches;
use npd_disk::{judge, Args, Disk};
use npd_plugin::Plugin;

fn config() -> serde_json::Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../npd-config/npd-disk.json"
    );
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    let config = config();
    let rules = config["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    for rule in rules {
        assert_eq!(rule["path"], "/opt/npd-checks/bin/npd-disk");
        let mut args = strings(&rule["args"]);
        let state = tempfile::tempdir().unwrap();
        args.extend(["--lint-args", "--state-dir", state.path().to_str().unwrap()]);
        let r = common::run(&args);
        assert_eq!(r.code, 0, "{}: {}", rule["condition"], r.stdout);
        let own: serde_json::Value = serde_json::from_str(r.line()).unwrap();
        let own_ms = own["timeout_ms"].as_u64().unwrap();
        let rule_timeout = rule["timeout"].as_str().unwrap();
        let rule_ms = npd_plugin::units::parse_duration(rule_timeout)
            .unwrap()
            .as_millis() as u64;
        assert!(own_ms < rule_ms, "{}: {own_ms}ms", rule["condition"]);
    }
}

#[test]
fn each_condition_has_one_rule_judging_one_thing_with_the_plugins_ok_message() {
    let config = config();
    for rule in config["rules"].as_array().unwrap() {
        let args = strings(&rule["args"]);
        assert_eq!(args.iter().filter(|a| **a == "--check").count(), 1);
        let matches = npd_plugin::command::<Disk>()
            .try_get_matches_from(std::iter::once("npd-disk").chain(args.iter().copied()))
            .unwrap();
        let c = Disk::configure(Args::from_arg_matches(&matches).unwrap()).unwrap();
        assert_eq!(
            [c.usage, c.inodes, c.read_only]
                .iter()
                .filter(|b| **b)
                .count(),
            1
        );
        let condition = config["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["type"] == rule["condition"])
            .unwrap();
        assert_eq!(condition["message"], judge::ok_message(&c).as_str());
    }
}
