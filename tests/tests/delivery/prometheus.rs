//! The Prometheus add-on: every NPD of every DaemonSet is scraped (the Service and the
//! ServiceMonitor name each NPD container's metrics port), the PrometheusRule carries
//! rules.yaml, and the rules pass promtool's checks and unit tests.

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::repo;
use crate::manifests::{self, rendered, rendering};
use crate::tools;

#[test]
fn every_npd_is_scraped() {
    let Some(all) = rendered("every_npd_is_scraped") else {
        return;
    };
    let service = rendering(all, "manifests/base")
        .find("Service", "npd-checks")
        .expect("manifests/base: no Service npd-checks")
        .clone();
    let service_ports: BTreeSet<(String, u64)> = service["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["targetPort"], p["name"], "Service port {}", p["name"]);
            (
                p["name"].as_str().unwrap().to_string(),
                p["port"].as_u64().unwrap(),
            )
        })
        .collect();
    let names: BTreeSet<&str> = service_ports.iter().map(|(n, _)| n.as_str()).collect();
    for r in all.iter().filter(|r| r.is_deployable()) {
        for npd in r.npds() {
            let port = &npd.npd["ports"][0];
            let name = port["name"].as_str().unwrap();
            assert!(
                names.contains(name),
                "{}: {}'s port {name} is not a port of the Service npd-checks",
                r.dir,
                npd.at()
            );
            // The roles reuse `metrics` on other host ports: only the base's match.
            if npd.name == "npd-checks" {
                let number = port["containerPort"].as_u64().unwrap();
                assert!(
                    service_ports.contains(&(name.to_string(), number)),
                    "{}",
                    npd.at()
                );
            }
        }
    }
    let monitor =
        manifests::parse_file(&repo().join("manifests/addons/prometheus/servicemonitor.yaml"));
    let scraped: BTreeSet<&str> = monitor["spec"]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let relabel = serde_json::to_string(&e["relabelings"]).unwrap();
            assert!(
                relabel.contains("__meta_kubernetes_pod_node_name") && relabel.contains("\"node\""),
                "servicemonitor.yaml: endpoint {} must add `node`: the alerts group by it",
                e["port"]
            );
            e["port"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        scraped, names,
        "servicemonitor.yaml must scrape every port of the Service"
    );
}

#[test]
fn the_prometheus_rule_carries_the_rules_file() {
    let dir = repo().join("manifests/addons/prometheus");
    let rules = manifests::parse_file(&dir.join("rules.yaml"));
    let rule = manifests::parse_file(&dir.join("prometheusrule.yaml"));
    assert_eq!(rule["kind"], "PrometheusRule");
    assert_eq!(
        rule["spec"]["groups"], rules["groups"],
        "prometheusrule.yaml differs from rules.yaml: run `make prometheus-rule`"
    );
}

#[test]
fn promtool_checks_and_unit_tests_the_rules() {
    let test = "promtool_checks_and_unit_tests_the_rules";
    let Some(promtool) = tools::require(&tools::PROMTOOL, tools::on_path("promtool"), test) else {
        return;
    };
    let dir = repo().join("manifests/addons/prometheus");
    for args in [
        ["check", "rules", "rules.yaml"],
        ["test", "rules", "rules_test.yaml"],
    ] {
        tools::run(Command::new(&promtool).args(args).current_dir(&dir), 120)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
