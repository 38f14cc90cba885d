//! The rules of npd-config/npd-kube.json (every node) and
//! npd-config/npd-kube-control-plane.json (the control-plane role): every rule's args
//! are accepted and answer before NPD's timeout, and conditions start healthy.

use npd_test_support::ShippedConfig;

use crate::util::BIN;

#[test]
fn every_rule_of_both_configs_runs() {
    for name in ["npd-kube", "npd-kube-control-plane"] {
        let config = ShippedConfig::load(name);
        config.assert_every_rule_runs(BIN);
    }
}

#[test]
fn the_apiserver_is_an_event_and_pods_a_condition_on_every_node() {
    let config = ShippedConfig::load("npd-kube");
    let rules = config.rules();
    let api = rules.iter().find(|r| r["args"][0] == "apiserver").unwrap();
    assert_eq!(api["type"], "temporary");
    let pods = rules.iter().find(|r| r["args"][0] == "pods").unwrap();
    assert_eq!(pods["type"], "permanent");
    assert!(config
        .conditions()
        .iter()
        .any(|c| c["type"] == pods["condition"]));
}
