//! What a cause shared by the whole fleet lets each remediation add-on do, judged from
//! the shipped manifests: the Node Health Check add-on names exactly draino's
//! conditions with draino's durations, its fields are those NHC's CRD accepts, and a
//! simulated fleet shows NHC's `minHealthy` blocking remediation past the cap while
//! draino cordons every node at once and drains one per `--drain-buffer`.
//!
//! The models of the two add-ons are in fleet/models.rs.

#[path = "fleet/models.rs"]
mod models;

use serde_json::Value;

use crate::common::repo;
use crate::manifests::{self, rendered, rendering};
use models::{draino_args, draino_conditions, nhc_conditions, Draino, Nhc};

const NHC_FILE: &str = "manifests/addons/node-healthcheck/nodehealthcheck.yaml";
const DRAINO_FILE: &str = "manifests/addons/draino/deployment.yaml";
/// Go's duration syntax, as NHC's CRD checks `duration` (decimal numbers with units).
const GO_DURATION: &str = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
/// NHC's CRD pattern for `minHealthy` and `maxUnhealthy` given as a string.
const INT_OR_PERCENT: &str = r"^((100|[0-9]{1,2})%|[0-9]+)$";
/// The fleet sizes simulated: a small cluster, a medium one, the 5,000 nodes the
/// project is sized for.
const FLEETS: [usize; 3] = [10, 100, 5000];

#[test]
fn node_healthcheck_names_draino_conditions_with_their_durations() {
    let draino = manifests::parse_file(&repo().join(DRAINO_FILE));
    let wanted = draino_conditions(&draino_args(&draino));
    let nhc = manifests::parse_file(&repo().join(NHC_FILE));
    let block: String = draino_args(&draino)
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(|a| {
            let (kind, rest) = a.split_once('=').unwrap_or((a, "True,0s"));
            let duration = rest.split_once(',').map_or("0s", |(_, d)| d);
            format!("  - type: {kind}\n    status: \"True\"\n    duration: {duration}\n")
        })
        .collect();
    assert_eq!(
        nhc_conditions(&nhc),
        wanted,
        "{NHC_FILE} must name draino's conditions ({DRAINO_FILE}, the one list) with the \
         same durations:\n  unhealthyConditions:\n{block}"
    );
}

/// Checks `nhc` against what NHC's CRD (remediation.medik8s.io/v1alpha1) and its
/// webhook accept: kubernetes-validate has no schema for it, and the CRD is not ours to
/// ship, so its rules are here.
fn validate_nhc(nhc: &Value) -> Result<(), String> {
    let re = |p: &str| regex_lite::Regex::new(p).unwrap();
    if nhc["apiVersion"] != "remediation.medik8s.io/v1alpha1" || nhc["kind"] != "NodeHealthCheck" {
        return Err("apiVersion/kind: remediation.medik8s.io/v1alpha1 NodeHealthCheck".into());
    }
    if !nhc["metadata"]["namespace"].is_null() {
        return Err("metadata.namespace: a NodeHealthCheck is cluster-scoped".into());
    }
    let spec = nhc["spec"].as_object().ok_or("no spec")?;
    const FIELDS: [&str; 9] = [
        "selector",
        "unhealthyConditions",
        "minHealthy",
        "maxUnhealthy",
        "stormCooldownDuration",
        "remediationTemplate",
        "escalatingRemediations",
        "pauseRequests",
        "healthyDelay",
    ];
    if let Some(unknown) = spec.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("spec.{unknown}: no such field"));
    }
    // The webhook: exactly one of each pair.
    for (a, b) in [
        ("minHealthy", "maxUnhealthy"),
        ("remediationTemplate", "escalatingRemediations"),
    ] {
        if spec.contains_key(a) == spec.contains_key(b) {
            return Err(format!("spec: exactly one of {a} and {b}"));
        }
    }
    if let Some(m) = spec.get("minHealthy") {
        let ok = m.as_u64().is_some() || m.as_str().is_some_and(|s| re(INT_OR_PERCENT).is_match(s));
        if !ok {
            return Err(format!("spec.minHealthy: {m}: an integer or a percentage"));
        }
    }
    if let Some(t) = spec.get("remediationTemplate") {
        for key in ["apiVersion", "kind", "name", "namespace"] {
            if t[key].as_str().is_none_or(str::is_empty) {
                return Err(format!("spec.remediationTemplate.{key}: required"));
            }
        }
        if !t["kind"].as_str().unwrap().ends_with("Template") {
            return Err("spec.remediationTemplate.kind: NHC wants a *Template kind".into());
        }
    }
    if let Some(p) = spec.get("pauseRequests") {
        if !p.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
            return Err("spec.pauseRequests: a list of strings".into());
        }
    }
    let selector = spec
        .get("selector")
        .and_then(Value::as_object)
        .ok_or("spec.selector")?;
    for e in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let op = e["operator"].as_str().unwrap_or_default();
        let values = e["values"].as_array().map_or(0, Vec::len);
        let fits = match op {
            "In" | "NotIn" => values > 0,
            "Exists" | "DoesNotExist" => values == 0,
            _ => false,
        };
        if e["key"].as_str().is_none_or(str::is_empty) || !fits {
            return Err(format!("spec.selector.matchExpressions: {e}"));
        }
    }
    let conditions = spec.get("unhealthyConditions").and_then(Value::as_array);
    for c in conditions.ok_or("spec.unhealthyConditions")? {
        let ok = c.as_object().is_some_and(|o| o.len() == 3)
            && c["type"].as_str().is_some_and(|t| !t.is_empty())
            // A bare True in YAML is a boolean, which the CRD refuses.
            && c["status"].as_str().is_some_and(|s| !s.is_empty())
            && c["duration"].as_str().is_some_and(|d| re(GO_DURATION).is_match(d));
        if !ok {
            return Err(format!(
                "spec.unhealthyConditions: {c}: type, status, duration"
            ));
        }
    }
    Ok(())
}

#[test]
fn the_node_healthcheck_has_only_fields_its_crd_accepts() {
    let nhc = manifests::parse_file(&repo().join(NHC_FILE));
    validate_nhc(&nhc).unwrap_or_else(|e| panic!("{NHC_FILE}: {e}"));
    // The validator itself refuses what the CRD refuses.
    let broken = |path: &str, value: Value| {
        let mut copy = nhc.clone();
        *copy.pointer_mut(path).unwrap() = value;
        assert!(
            validate_nhc(&copy).is_err(),
            "{path}: accepted a broken value"
        );
    };
    broken("/spec/minHealthy", Value::from("101%"));
    broken("/spec/unhealthyConditions/0/status", Value::Bool(true));
    broken(
        "/spec/unhealthyConditions/0/duration",
        Value::from("10 minutes"),
    );
    broken(
        "/spec/remediationTemplate/kind",
        Value::from("SelfNodeRemediation"),
    );
    assert!(
        nhc["spec"]["pauseRequests"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{NHC_FILE} ships paused, as draino ships in dry run"
    );
}

#[test]
fn node_healthcheck_remediates_no_node_of_a_fleet_wide_cause() {
    let Some(all) = rendered("node_healthcheck_remediates_no_node_of_a_fleet_wide_cause") else {
        return;
    };
    let r = rendering(all, "manifests/addons/node-healthcheck");
    let shipped = r
        .find("NodeHealthCheck", "npd-checks")
        .expect("the NodeHealthCheck");
    validate_nhc(shipped).unwrap_or_else(|e| panic!("rendered NodeHealthCheck: {e}"));
    // Simulated as it acts once the pause is lifted; paused, it starts nothing at all.
    let nhc = Nhc::from(shipped);
    let (condition, duration) = nhc
        .conditions
        .iter()
        .next()
        .map(|(c, d)| (c.clone(), *d))
        .unwrap();
    for n in FLEETS {
        let cap = nhc.cap(n);
        assert!(
            cap * 10 <= n,
            "{n} nodes: minHealthy lets {cap} be remediated at once"
        );
        // One more node than the cap, the condition held past its duration: blocked.
        let mut nodes = vec![None; n];
        nodes[..=cap].fill(Some(duration));
        assert_eq!(
            nhc.reconcile(&condition, &nodes, &mut vec![false; n]),
            0,
            "{n} nodes"
        );
        // The whole fleet at once: blocked, and at any age of the condition.
        for held in [0.0, duration, 10.0 * duration] {
            let nodes = vec![Some(held); n];
            assert_eq!(nhc.reconcile(&condition, &nodes, &mut vec![false; n]), 0);
        }
        // Exactly the cap: remediated, all at once (NHC does not space remediations).
        let mut nodes = vec![None; n];
        nodes[..cap].fill(Some(duration));
        assert_eq!(nhc.reconcile(&condition, &nodes, &mut vec![false; n]), cap);
        // A cause spreading one node a minute, never healed: a node in remediation and
        // one whose condition is younger than its duration are not healthy, so the
        // nodes that caught it within the last duration count against the cap too.
        let mut since: Vec<Option<f64>> = vec![None; n];
        let mut remediating = vec![false; n];
        let mut total = 0;
        for minute in 0..24 * 60 {
            let now = f64::from(minute) * 60.0;
            if let Some(next) = since.iter().position(Option::is_none) {
                since[next] = Some(now);
            }
            let held: Vec<Option<f64>> = since.iter().map(|s| s.map(|t| now - t)).collect();
            total += nhc.reconcile(&condition, &held, &mut remediating);
        }
        let caught_within_duration = (duration / 60.0) as usize;
        assert_eq!(
            total,
            cap.saturating_sub(caught_within_duration),
            "{n} nodes: spreading"
        );
    }
    // The documented figures (manifests/README.md): 10 pct, none below 10 nodes.
    assert_eq!(
        (nhc.cap(5000), nhc.cap(100), nhc.cap(10), nhc.cap(9)),
        (500, 10, 1, 0)
    );
}

#[test]
fn draino_cordons_the_whole_fleet_and_drains_one_per_buffer() {
    let Some(all) = rendered("draino_cordons_the_whole_fleet_and_drains_one_per_buffer") else {
        return;
    };
    let live = rendering(all, "manifests/addons/draino-live");
    let draino = Draino::from(
        live.find("Deployment", "draino")
            .expect("draino's Deployment"),
    );
    assert!(
        draino.longest_drain <= draino.buffer,
        "draino: a drain may last {}s, longer than --drain-buffer ({}s): drains would overlap",
        draino.longest_drain,
        draino.buffer
    );
    for (condition, &duration) in &draino.conditions {
        for n in FLEETS {
            let nodes = vec![Some(duration); n];
            let cordoned = draino.cordoned(condition, &nodes);
            assert_eq!(cordoned, n, "{condition}: draino limits no cordon");
            let per_hour = draino.drains_started(cordoned, 3600.0);
            assert_eq!(per_hour, n.min((3600.0 / draino.buffer) as usize));
            // The documented figure (manifests/README.md).
            assert_eq!(per_hour, n.min(6), "{n} nodes: 6 drains an hour");
        }
    }
}
