//! npd-config/npd-file.json against this binary: its rule's args are accepted, its
//! own --timeout is below the rule's, one permanent rule per condition, and the
//! condition's healthy message is the line the plugin prints when all is well.

use crate::util::run;

fn config() -> serde_json::Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../npd-config/npd-file.json"
    );
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn args(rule: &serde_json::Value) -> Vec<&str> {
    rule["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn the_source_is_the_file_stem_and_rules_run_this_binary() {
    let c = config();
    assert_eq!(c["source"], "npd-file");
    for rule in c["rules"].as_array().unwrap() {
        assert_eq!(rule["path"], "/opt/npd-checks/bin/npd-file");
    }
}

#[test]
fn every_rule_is_accepted_and_answers_before_its_timeout() {
    for rule in config()["rules"].as_array().unwrap() {
        let mut a = args(rule);
        a.push("--lint-args");
        let r = run(&a);
        assert_eq!(r.code, 0, "{}: {}", rule["condition"], r.stdout);
        let own: serde_json::Value = serde_json::from_str(r.line()).unwrap();
        let own_ms = own["timeout_ms"].as_u64().unwrap();
        let rule_ms = npd_plugin::units::parse_duration(rule["timeout"].as_str().unwrap())
            .unwrap()
            .as_millis() as u64;
        assert!(own_ms < rule_ms, "{}: {own_ms}ms", rule["condition"]);
    }
}

#[test]
fn one_permanent_rule_per_condition_whose_ok_line_is_the_condition_message() {
    let c = config();
    for condition in c["conditions"].as_array().unwrap() {
        let rules: Vec<_> = c["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["type"] == "permanent" && r["condition"] == condition["type"])
            .collect();
        assert_eq!(rules.len(), 1, "{}", condition["type"]);
        // An empty host: nothing to reboot for, no file present.
        let empty = tempfile::tempdir().unwrap();
        let mut a = args(rules[0]);
        a.extend(["--host-root", empty.path().to_str().unwrap()]);
        let healthy = run(&a);
        assert_eq!(healthy.code, 0, "{}", healthy.line());
        assert_eq!(condition["message"], healthy.line());
    }
}
