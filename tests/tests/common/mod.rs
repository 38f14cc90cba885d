//! Where the repository and the built binaries are, and the shipped configs parsed.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The profile directory holding this test executable (`.../debug/deps/..`), where
/// cargo also put every workspace binary when the workspace was built.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(
        dir.join("npd-checks").exists(),
        "{} has no npd-checks: build the workspace first (`cargo build --workspace`, as `make test` does)",
        dir.display()
    );
    dir
}

pub fn configs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("npd-config"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no configs in npd-config/");
    files
}

pub fn parse(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// NPD's custom plugin monitor, whose rules run our plugins; the other monitors of
/// npd-config/ (kmsg) are NPD's system log monitors, whose rules match log lines.
pub const CUSTOM: &str = "custom";

/// The config's `"plugin"`: `custom`, or the log watcher of a system log monitor.
pub fn plugin_of(path: &Path) -> String {
    parse(path)["plugin"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The configs of custom plugin monitors: those whose rules run plugins.
pub fn plugin_configs() -> Vec<PathBuf> {
    configs()
        .into_iter()
        .filter(|p| plugin_of(p) == CUSTOM)
        .collect()
}

/// The plugins of this workspace: the package (and binary) name of every
/// `plugins/*/Cargo.toml`.
pub fn plugin_names() -> std::collections::BTreeSet<String> {
    std::fs::read_dir(repo().join("plugins"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("Cargo.toml")).ok())
        .filter_map(|toml| {
            toml.lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .map(|n| n.trim_end_matches('"').to_string())
        })
        .collect()
}

pub struct Rule {
    pub file: String,
    /// The config's monitor: `custom`, `kmsg`...
    pub plugin: String,
    pub kind: String,
    pub condition: Option<String>,
    pub reason: String,
    /// A custom rule's plugin and its arguments (empty for a log rule).
    pub path: String,
    pub args: Vec<String>,
    /// A log rule's regular expression (empty for a custom rule).
    pub pattern: String,
}

impl Rule {
    pub fn runs_a_plugin(&self) -> bool {
        self.plugin == CUSTOM
    }
}

pub fn rules() -> Vec<Rule> {
    let mut out = Vec::new();
    for path in configs() {
        let config = parse(&path);
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let plugin = config["plugin"].as_str().unwrap_or_default().to_string();
        for rule in config["rules"].as_array().into_iter().flatten() {
            out.push(Rule {
                file: file.clone(),
                plugin: plugin.clone(),
                kind: rule["type"].as_str().unwrap_or_default().to_string(),
                condition: rule["condition"].as_str().map(str::to_string),
                reason: rule["reason"].as_str().unwrap_or_default().to_string(),
                path: rule["path"].as_str().unwrap_or_default().to_string(),
                args: rule["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect(),
                pattern: rule["pattern"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

pub fn npd_checks(args: &[&str]) -> Output {
    let dir = bin_dir();
    Command::new(dir.join("npd-checks"))
        .args(args)
        .env_remove("HOST_ROOT")
        .output()
        .expect("run npd-checks")
}
