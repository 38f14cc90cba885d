//! draino acts on exactly the conditions npd-config/README.md marks drain-worthy among
//! those the base's NPDs raise on every node, with a syntax draino parses, and the live
//! add-on differs from the dry run by --dry-run alone.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{repo, rules};
use crate::manifests::{self, rendered, rendering, strings};

/// The condition types npd-config/README.md marks drain-worthy: its table's rows whose
/// "Drain-worthy" cell says yes, by the backticked names of their first cell.
pub fn readme_drain_worthy() -> BTreeSet<String> {
    let path = repo().join("npd-config/README.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "npd-config/README.md is missing: its table of conditions, with a Drain-worthy \
             column, is where draino's list comes from"
        )
    });
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut lines = text
        .lines()
        .skip_while(|l| !(l.starts_with('|') && l.contains("Drain-worthy")));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("npd-config/README.md has no table with a Drain-worthy column"));
    let column = cells(header)
        .iter()
        .position(|c| c == "Drain-worthy")
        .unwrap();
    let mut out = BTreeSet::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let row = cells(line);
        let verdict = row
            .get(column)
            .map(|c| c.trim_matches('*').to_ascii_lowercase());
        if verdict.as_deref().is_some_and(|v| v.starts_with("yes")) {
            out.extend(row[0].split('`').skip(1).step_by(2).map(str::to_string));
        }
    }
    out
}

/// The drain-worthy conditions that the base's configs raise. draino runs once for the
/// cluster; a role's condition, or one whose config has not landed yet, is not on every
/// node's NPD.
fn drain_worthy() -> BTreeSet<String> {
    let base: BTreeSet<String> = manifests::base_configs().into_iter().collect();
    let raised: BTreeSet<String> = rules()
        .into_iter()
        .filter(|r| r.kind == "permanent" && base.contains(&r.file))
        .filter_map(|r| r.condition)
        .collect();
    readme_drain_worthy()
        .into_iter()
        .filter(|c| raised.contains(c))
        .collect()
}

fn draino_args(deployment: &Value) -> Vec<&str> {
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(strings(&container["command"]), ["/draino"]);
    strings(&container["args"])
}

#[test]
fn draino_acts_on_exactly_the_drain_worthy_conditions() {
    let wanted = drain_worthy();
    let deployment = manifests::parse_file(&repo().join("manifests/addons/draino/deployment.yaml"));
    let args = draino_args(&deployment);
    let listed: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let lines: String = wanted
        .iter()
        .map(|c| format!("        - {c}=True,10m\n"))
        .collect();
    assert!(
        !wanted.is_empty(),
        "npd-config/README.md marks no condition drain-worthy; draino needs at least one"
    );
    let mut types = BTreeSet::new();
    for condition in &listed {
        // draino splits `Type=Status,Duration`; `Type=10m` has no status and crashes it.
        let (kind, rest) = condition
            .split_once('=')
            .unwrap_or_else(|| panic!("draino: {condition}: write Type=True,<duration>"));
        let (status, duration) = rest
            .split_once(',')
            .unwrap_or_else(|| panic!("draino: {condition}: write Type=True,<duration>"));
        assert_eq!(
            status, "True",
            "draino: {condition}: the status must be True"
        );
        assert!(
            is_go_duration(duration),
            "draino: {condition}: {duration} is not a Go duration"
        );
        assert!(types.insert(kind.to_string()), "draino lists {kind} twice");
    }
    assert_eq!(
        types, wanted,
        "draino must list exactly the drain-worthy conditions of npd-config/README.md:\n{lines}"
    );
    assert_eq!(
        args.first(),
        Some(&"--dry-run"),
        "draino is dry-run by default, --dry-run first"
    );
}

/// Go's time.ParseDuration for what we write: one or more <digits><unit>.
fn is_go_duration(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

#[test]
fn draino_live_differs_only_by_dry_run() {
    let Some(all) = rendered("draino_live_differs_only_by_dry_run") else {
        return;
    };
    let deployment = |dir| {
        rendering(all, dir)
            .find("Deployment", "draino")
            .unwrap_or_else(|| panic!("{dir}: no draino Deployment"))
            .clone()
    };
    let (dry, live) = (
        deployment("manifests/addons/draino"),
        deployment("manifests/addons/draino-live"),
    );
    let mut expected: Vec<&str> = draino_args(&dry);
    assert_eq!(expected.remove(0), "--dry-run");
    assert_eq!(draino_args(&live), expected);
    for r in all.iter().filter(|r| r.dir.contains("draino")) {
        for role in r.of_kind("ClusterRole").chain(r.of_kind("Role")) {
            assert_eq!(
                role["apiVersion"], "rbac.authorization.k8s.io/v1",
                "{}",
                r.dir
            );
        }
    }
}
