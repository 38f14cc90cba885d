//! `npd-checks lint`: everything NPD refuses in a config, everything it accepts and then
//! mishandles, and npd-checks' own policy, for one or more files judged together (two
//! files must not claim one condition type).
//!
//! A file's `"plugin"` says which of NPD's monitors reads it: `"custom"` a custom plugin
//! monitor (`--config.custom-plugin-monitor`, judged in [`custom`]), `"kmsg"`,
//! `"journald"` or `"filelog"` a system log monitor (`--config.system-log-monitor`,
//! judged in [`crate::syslog::lint`]). What both share (condition names, `%` in texts,
//! restarts) is in [`common`].

pub mod common;
pub mod custom;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, DefaultCondition};
use crate::finding::{Finding, Findings};
use crate::json::Node;
use crate::syslog::{self, LogConfig};
use crate::version::NpdVersion;

/// What a lint is judged against.
#[derive(Debug, Clone)]
pub struct Options {
    /// Stands in for the install dir (a build directory, off the node).
    pub plugin_dir: Option<PathBuf>,
    /// The NPD release the configs are for.
    pub version: NpdVersion,
    /// The condition types draino drains on, when known.
    pub drain: Option<Vec<String>>,
}

impl Options {
    pub fn new(plugin_dir: Option<PathBuf>) -> Options {
        Options {
            plugin_dir,
            version: NpdVersion::deployed(),
            drain: None,
        }
    }
}

/// The configs that could be decoded, and every finding, in file order.
pub struct Linted {
    pub configs: Vec<Config>,
    pub logs: Vec<LogConfig>,
    pub findings: Vec<Finding>,
}

impl Linted {
    /// How many files were decoded, of either kind.
    pub fn decoded(&self) -> usize {
        self.configs.len() + self.logs.len()
    }
}

/// Lints `files` together. `Err` when a file cannot be read.
pub fn lint(files: &[PathBuf], opts: &Options) -> Result<Linted, String> {
    let mut linted = Linted {
        configs: Vec::new(),
        logs: Vec::new(),
        findings: Vec::new(),
    };
    let mut all = Vec::new();
    for path in files {
        let mut f = Findings::new(&config::display_name(path));
        if let Some(root) = config::load(path, &mut f)? {
            load_one(path, &root, opts, &mut linted, &mut f);
        }
        all.push(f);
    }
    let owners = linted
        .configs
        .iter()
        .map(|c| (c.file.as_str(), c.conditions.as_slice()))
        .chain(
            linted
                .logs
                .iter()
                .map(|c| (c.file.as_str(), c.conditions.as_slice())),
        );
    check_across(owners.collect(), &mut all);
    linted.findings = all.into_iter().flat_map(|f| f.list).collect();
    Ok(linted)
}

fn load_one(path: &Path, root: &Node, opts: &Options, linted: &mut Linted, f: &mut Findings) {
    if is_log_monitor(root) {
        if let Some(c) = syslog::config::decode(path, root, f) {
            syslog::lint::check(&c, f);
            common::check_restart_log(&c, opts.drain.as_deref(), f);
            linted.logs.push(c);
        }
    } else if let Some(c) = config::decode(path, root, &opts.version, f) {
        custom::check(&c, opts, f);
        common::check_restart_custom(&c, opts.drain.as_deref(), f);
        linted.configs.push(c);
    }
}

/// Whether the file is a system log monitor config: its `"plugin"` names a log watcher,
/// or, naming neither that nor "custom", it has a system log monitor's keys (a
/// misspelt watcher is then reported as such). Anything else is judged as a custom
/// plugin monitor config.
pub fn is_log_monitor(root: &Node) -> bool {
    let Node::Object(entries) = root else {
        return false;
    };
    let get = |key: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    };
    let plugin = match get("plugin") {
        Some(Node::String(s)) => s.as_str(),
        _ => "",
    };
    if syslog::config::PLUGINS.contains(&plugin) {
        return true;
    }
    let log_keys = ["logPath", "lookback", "delay", "bufferSize", "skipList"]
        .iter()
        .any(|k| get(k).is_some());
    let patterns = match get("rules") {
        Some(Node::Array(rules)) => rules.iter().any(|r| match r {
            Node::Object(fields) => fields
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("pattern")),
            _ => false,
        }),
        _ => false,
    };
    plugin != "custom" && (log_keys || patterns)
}

/// Whether `name` is CamelCase: a capital, then letters and digits.
pub fn camel_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// A condition type must belong to one monitor: NPD's exporter keeps one condition per
/// type, so two monitors overwrite each other.
fn check_across(configs: Vec<(&str, &[DefaultCondition])>, all: &mut [Findings]) {
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for (file, conditions) in configs {
        let Some(f) = all.iter_mut().find(|f| f.file == file) else {
            continue;
        };
        let mut seen_here: Vec<&str> = Vec::new();
        for d in conditions {
            if seen_here.contains(&d.type_.as_str()) || d.type_.is_empty() {
                continue;
            }
            seen_here.push(&d.type_);
            match owner.get(d.type_.as_str()) {
                Some(other) if *other != file => f.error(
                    d.label(),
                    format!(
                        "{} is also a condition of {other}: the two monitors would overwrite \
                         each other's {} on the node",
                        d.type_, d.type_
                    ),
                ),
                Some(_) => {}
                None => {
                    owner.insert(&d.type_, file);
                }
            }
        }
    }
}
