//! npd-config/npd-memory.json against this plugin: every rule's args are accepted, its
//! own --timeout is below the rule's, each rule judges one thing, and each
//! condition's healthy message is the line the plugin prints when all is well (so
//! the condition's message does not change when the first OK arrives).

use clap::FromArgMatches;
use npd_memory::{judge, Args, Memory};
use npd_plugin::Plugin;

use crate::util::run;

fn config() -> serde_json::Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../npd-config/npd-memory.json"
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
        assert_eq!(rule["path"], "/opt/npd-checks/bin/npd-memory");
        let mut args = strings(&rule["args"]);
        args.push("--lint-args");
        let r = run(&args);
        assert_eq!(r.code, 0, "{}: {}", rule["reason"], r.stdout);
        let own: serde_json::Value = serde_json::from_str(r.line()).unwrap();
        let own_ms = own["timeout_ms"].as_u64().unwrap();
        let rule_ms = npd_plugin::units::parse_duration(rule["timeout"].as_str().unwrap())
            .unwrap()
            .as_millis() as u64;
        assert!(own_ms < rule_ms, "{}: {own_ms}ms", rule["reason"]);
    }
}

#[test]
fn each_rule_judges_one_thing_and_conditions_start_with_the_ok_message() {
    let config = config();
    for rule in config["rules"].as_array().unwrap() {
        let args = strings(&rule["args"]);
        assert_eq!(args.iter().filter(|a| **a == "--check").count(), 1);
        let matches = npd_plugin::command::<Memory>()
            .try_get_matches_from(std::iter::once("npd-memory").chain(args.iter().copied()))
            .unwrap();
        let c = Memory::configure(Args::from_arg_matches(&matches).unwrap()).unwrap();
        if rule["type"] == "temporary" {
            assert!(c.max_oom_kills.is_some(), "{}", rule["reason"]);
            assert!(
                !args.contains(&"--fail-after"),
                "debounce would hide single kills"
            );
            assert!(
                args.contains(&"--state-key"),
                "the count must survive flag edits"
            );
            continue;
        }
        let condition = config["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["type"] == rule["condition"])
            .unwrap();
        assert_eq!(
            condition["message"],
            judge::ok_message(&c),
            "{}",
            rule["condition"]
        );
    }
}
