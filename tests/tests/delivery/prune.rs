//! The initContainer `prune-conditions` (npd-checks prune): it names exactly the
//! configs the pod's NPDs load, in their order, and reaches them and the state
//! hostPath where NPD does; it knows its node and its DaemonSet from the downward API;
//! and every DaemonSet of a rendering keeps its record under its own name, so that one
//! never prunes another's conditions.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::repo;
use crate::manifests::{self, rendered, strings, Npd, CONFIG_DIR};

const NAME: &str = "prune-conditions";
const STATE_DIR: &str = "/var/lib/npd-checks";
const OWNER_LABEL: &str = "app.kubernetes.io/instance";

fn prune_container(pod: &Value) -> Option<&Value> {
    pod["initContainers"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == NAME)
}

fn env<'a>(container: &'a Value, name: &str) -> &'a Value {
    container["env"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["name"] == name))
        .unwrap_or_else(|| panic!("{NAME}: no env {name}"))
}

fn mount<'a>(container: &'a Value, path: &str) -> &'a Value {
    container["volumeMounts"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["mountPath"] == path))
        .unwrap_or_else(|| panic!("{NAME}: nothing mounted at {path}"))
}

#[test]
fn the_prune_init_container_names_the_configs_npd_loads() {
    let daemonset = manifests::parse_file(&repo().join("manifests/daemonset/daemonset.yaml"));
    let pod = &daemonset["spec"]["template"]["spec"];
    let init = prune_container(pod)
        .expect("manifests/daemonset/daemonset.yaml: no initContainer prune-conditions");
    let npds = Npd::all(&daemonset);
    assert_eq!(npds.len(), 2, "both NPD containers");
    let loaded: Vec<String> = npds
        .iter()
        .flat_map(|n| n.configs())
        .map(|c| format!("{CONFIG_DIR}/{c}"))
        .collect();
    let args = strings(&init["args"]);
    assert_eq!(args.first(), Some(&"prune"), "{NAME}: args");
    assert_eq!(
        args[1..].to_vec(),
        loaded.iter().map(String::as_str).collect::<Vec<_>>(),
        "{NAME}: its args must be every config of the NPD containers, in their order"
    );
    assert_eq!(
        init["image"],
        npds[0].init_container()["image"],
        "{NAME}: the npd-checks image"
    );
    // The configs and the state as NPD's container has them.
    let (config_volume, _) = npds[0].mount(CONFIG_DIR);
    let (state_volume, _) = npds[0].mount(STATE_DIR);
    let config = mount(init, CONFIG_DIR);
    assert_eq!(config["name"], config_volume["name"]);
    assert_eq!(config["readOnly"], true);
    assert_eq!(mount(init, STATE_DIR)["name"], state_volume["name"]);
    assert_eq!(env(init, "NPD_CHECKS_STATE_DIR")["value"], STATE_DIR);
    assert_eq!(
        env(init, "NODE_NAME")["valueFrom"]["fieldRef"]["fieldPath"],
        "spec.nodeName"
    );
    assert_eq!(
        env(init, "NPD_CHECKS_OWNER")["valueFrom"]["fieldRef"]["fieldPath"],
        format!("metadata.labels['{OWNER_LABEL}']")
    );
    let sc = &init["securityContext"];
    assert_eq!(
        sc["capabilities"]["drop"],
        serde_json::json!(["ALL"]),
        "{NAME}"
    );
    assert_eq!(sc["allowPrivilegeEscalation"], false, "{NAME}");
    assert_eq!(sc["readOnlyRootFilesystem"], true, "{NAME}");
}

/// Two DaemonSets on one node (the base and a role) prune under their own owner names:
/// the instance label their pods carry, different for each; and each names exactly the
/// configs its own NPDs load, as rendered (a role's or a cloud overlay's patches
/// change both lists).
#[test]
fn every_daemonset_prunes_under_its_own_name() {
    let Some(all) = rendered("every_daemonset_prunes_under_its_own_name") else {
        return;
    };
    for r in all {
        let mut owners = BTreeSet::new();
        for daemonset in r.of_kind("DaemonSet") {
            let name = daemonset["metadata"]["name"].as_str().unwrap_or_default();
            let pod = &daemonset["spec"]["template"]["spec"];
            let Some(init) = prune_container(pod) else {
                continue;
            };
            let loaded: BTreeSet<String> = Npd::all(daemonset)
                .iter()
                .flat_map(|n| n.configs())
                .map(|c| format!("{CONFIG_DIR}/{c}"))
                .collect();
            let args = strings(&init["args"]);
            let named: BTreeSet<String> = args.iter().skip(1).map(|a| a.to_string()).collect();
            assert_eq!(
                named, loaded,
                "{}: {name}: {NAME} must name every config its NPDs load",
                r.dir
            );
            let owner = daemonset["spec"]["template"]["metadata"]["labels"][OWNER_LABEL]
                .as_str()
                .unwrap_or_else(|| panic!("{}: {name}: no pod label {OWNER_LABEL}", r.dir))
                .to_string();
            assert!(
                owners.insert(owner.clone()),
                "{}: {name} prunes under {owner:?}, as another DaemonSet does",
                r.dir
            );
        }
    }
}
