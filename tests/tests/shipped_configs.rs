//! Every shipped config against the plugins it names: it lints clean (custom plugin
//! monitors and NPD's system log monitors alike), every plugin rule runs once with NPD's
//! semantics, and every condition is documented.

mod common;

use std::path::PathBuf;

use common::{bin_dir, configs, npd_checks, plugin_configs, plugin_names, repo, rules};

fn args_of(files: Vec<PathBuf>) -> Vec<String> {
    files
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect()
}

/// The configs of one cloud's overlay (`npd-maintenance-<cloud>.json`): alternatives
/// that one NPD never loads together, each raising the same conditions.
fn cloud_only(path: &std::path::Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("npd-maintenance-"))
}

/// Every config but the cloud-only ones, then each cloud's with them: the sets of
/// configs one NPD may load.
fn lint_sets() -> Vec<Vec<String>> {
    let (cloud, shared): (Vec<_>, Vec<_>) = configs().into_iter().partition(|p| cloud_only(p));
    let mut sets = vec![args_of(shared.clone())];
    for one in cloud {
        let mut set = shared.clone();
        set.push(one);
        sets.push(args_of(set));
    }
    sets
}

#[test]
fn every_shipped_config_lints_clean() {
    let dir = bin_dir();
    for files in lint_sets() {
        let mut args = vec!["lint", "--plugin-dir", dir.to_str().unwrap()];
        args.extend(files.iter().map(String::as_str));
        let out = npd_checks(&args);
        assert!(
            out.status.success(),
            "npd-checks lint found problems:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_shipped_config_runs_and_shows_its_conditions() {
    let dir = bin_dir();
    let state = std::env::temp_dir().join(format!("repo-checks-state-{}", std::process::id()));
    // The system log monitors read the kernel log: nothing of theirs runs. The cloud
    // configs would ask the cloud's metadata service on a VM of that cloud: their
    // rules run against test servers in npd-maintenance's own tests.
    let files = args_of(
        plugin_configs()
            .into_iter()
            .filter(|p| !cloud_only(p))
            .collect(),
    );
    let mut args = vec!["run", "--plugin-dir", dir.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));
    let out = std::process::Command::new(dir.join("npd-checks"))
        .args(&args)
        .env("NPD_CHECKS_STATE_DIR", &state)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&state);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "npd-checks run failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ran =
        |r: &crate::common::Rule| r.runs_a_plugin() && !r.file.starts_with("npd-maintenance-");
    for rule in rules().into_iter().filter(ran) {
        if let Some(condition) = rule.condition.filter(|_| rule.kind == "permanent") {
            assert!(
                stdout.contains(&condition),
                "{}: condition {condition} missing from the run's output:\n{stdout}",
                rule.file
            );
        }
    }
}

#[test]
fn every_rule_runs_a_plugin_of_this_workspace_from_the_install_dir() {
    let plugins = plugin_names();
    for rule in rules().into_iter().filter(|r| r.runs_a_plugin()) {
        let name = rule
            .path
            .strip_prefix("/opt/npd-checks/bin/")
            .unwrap_or_else(|| {
                panic!(
                    "{}: {} is not under /opt/npd-checks/bin",
                    rule.file, rule.path
                )
            });
        assert!(
            plugins.contains(name),
            "{}: no crate builds {name}",
            rule.file
        );
        assert!(
            bin_dir().join(name).exists(),
            "{}: {name} was not built",
            rule.file
        );
    }
}

#[test]
fn every_condition_and_event_reason_is_documented() {
    let table = std::fs::read_to_string(repo().join("npd-config/README.md")).unwrap();
    for rule in rules() {
        let name = match (&rule.condition, rule.kind.as_str()) {
            (Some(c), "permanent") => c.clone(),
            _ => rule.reason.clone(),
        };
        assert!(
            table.contains(&format!("`{name}`")),
            "{}: {name} is not in npd-config/README.md",
            rule.file
        );
    }
}
