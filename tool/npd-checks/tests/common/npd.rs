//! Builders of NPD configs around script plugins, and readers of `npd-checks run`'s
//! output (the Conditions, Events and metrics blocks).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::{run_in, Out};

const LIMIT: Duration = Duration::from_secs(30);

/// Writes `<name>.json` into `dir`: one default condition per entry of `conditions`
/// (type, reason, message) and the given rules; `plugin_config` overrides defaults.
pub fn config(
    dir: &Path,
    name: &str,
    plugin_config: Value,
    conditions: &[(&str, &str, &str)],
    rules: Vec<Value>,
) -> PathBuf {
    let mut pc = json!({"invoke_interval": "30s", "timeout": "5s", "concurrency": 3});
    for (k, v) in plugin_config.as_object().unwrap() {
        pc[k] = v.clone();
    }
    let conditions: Vec<Value> = conditions
        .iter()
        .map(|(t, r, m)| json!({"type": t, "reason": r, "message": m}))
        .collect();
    let text = json!({
        "plugin": "custom",
        "pluginConfig": pc,
        "source": name,
        "metricsReporting": true,
        "conditions": conditions,
        "rules": rules,
    });
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&text).unwrap()).unwrap();
    path
}

pub fn permanent(condition: &str, reason: &str, path: &Path) -> Value {
    json!({"type": "permanent", "condition": condition, "reason": reason,
           "path": path.to_str().unwrap()})
}

pub fn temporary(reason: &str, path: &Path) -> Value {
    json!({"type": "temporary", "reason": reason, "path": path.to_str().unwrap()})
}

pub fn run(dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    run_in(dir, &all, LIMIT)
}

/// The cells of the Conditions row of `type_` (columns are 2+ spaces apart).
pub fn condition(out: &Out, type_: &str) -> Vec<String> {
    let section = out
        .stdout
        .split("Conditions:\n")
        .nth(1)
        .expect("a Conditions block");
    let row = section
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{type_} ")))
        .unwrap_or_else(|| panic!("no row for {type_} in\n{}", out.stdout));
    row.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

/// (status, reason, message) of a condition.
pub fn status(out: &Out, type_: &str) -> (String, String, String) {
    let c = condition(out, type_);
    (
        c[1].clone(),
        c[4].clone(),
        c.get(5).cloned().unwrap_or_default(),
    )
}

/// The Events block.
pub fn events(out: &Out) -> &str {
    let rest = out
        .stdout
        .split("Events:\n")
        .nth(1)
        .expect("an Events block");
    rest.split("\nMetrics").next().unwrap()
}

/// The metrics block (Prometheus' text format), without what follows it.
pub fn metrics(out: &Out) -> &str {
    let rest = out
        .stdout
        .split("problem metrics only):\n")
        .nth(1)
        .expect("a metrics block");
    match rest.find("\nMay differ in NPD") {
        Some(end) => &rest[..end],
        None => rest,
    }
}

/// The lines saying what NPD may show differently (empty when none).
pub fn may_differ(out: &Out) -> Vec<&str> {
    out.stdout
        .split("(shown above: in config order):\n")
        .nth(1)
        .map(|rest| rest.lines().map(str::trim).collect())
        .unwrap_or_default()
}
