//! An NPD custom-plugin-monitor config as NPD decodes it, with what the decoding hides
//! turned into findings: unknown keys (NPD ignores them), keys matched only
//! case-insensitively, duplicates (the last wins), values of the wrong JSON type (NPD
//! refuses to start) and bad durations. Defaults are NPD's
//! (`pkg/custompluginmonitor/types/config.go`). Decoding depends on the NPD release: a
//! rule's own `invoke_interval` is a key only for releases that honour it.
//!
//! Meaning beyond decoding (timeouts against each other, paths, names) is judged in
//! [`crate::lint`].

use std::path::{Path, PathBuf};

pub use crate::conditions::{decode_conditions, peek, DefaultCondition};
pub use crate::dur::Dur;
use crate::finding::Findings;
use crate::json::Node;
use crate::schema;
use crate::version::NpdVersion;

/// Where the shipped plugins are installed on a node; `--plugin-dir` stands in for it.
pub const INSTALL_DIR: &str = "/opt/npd-checks/bin";

pub const DEFAULT_TIMEOUT: &str = "5s";
pub const DEFAULT_INVOKE_INTERVAL: &str = "30s";
pub const DEFAULT_MAX_OUTPUT_LENGTH: i64 = 80;
pub const DEFAULT_CONCURRENCY: i64 = 3;

/// The kind of a rule. NPD treats any `type` other than "temporary" as permanent when
/// it handles a result, but checks default conditions and sets gauges only for
/// "permanent".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    Temporary,
    Permanent,
    Other(String),
}

/// A rule's `timeout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleTimeout {
    /// Not set: the global timeout applies.
    Absent,
    /// Set but not a duration (already reported; NPD refuses to start).
    Invalid,
    Set(Dur),
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub index: usize,
    pub kind: RuleKind,
    pub condition: String,
    pub reason: String,
    pub path: String,
    pub args: Vec<String>,
    pub timeout: RuleTimeout,
    /// The rule's own `invoke_interval`, decoded only for an NPD release that honours
    /// it (`RuleTimeout` has the same three states).
    pub invoke_interval: RuleTimeout,
}

/// How messages name a rule: `rules[2] (condition X)` or `rules[0] (reason Y)`.
pub fn rule_label(index: usize, kind: &RuleKind, condition: &str, reason: &str) -> String {
    let (what, name) = match kind {
        RuleKind::Temporary => ("reason", reason),
        _ => ("condition", condition),
    };
    if name.is_empty() {
        format!("rules[{index}]")
    } else {
        format!("rules[{index}] ({what} {name})")
    }
}

impl Rule {
    pub fn label(&self) -> String {
        rule_label(self.index, &self.kind, &self.condition, &self.reason)
    }

    pub fn is_temporary(&self) -> bool {
        self.kind == RuleKind::Temporary
    }
}

/// One config file, decoded with NPD's defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file as the user named it.
    pub file: String,
    /// Its name without directory and extension (`npd-disk` for `npd-config/npd-disk.json`).
    pub stem: String,
    pub plugin: String,
    pub source: String,
    /// `None` when the value could not be parsed (already reported).
    pub invoke_interval: Option<Dur>,
    pub timeout: Option<Dur>,
    pub max_output_length: i64,
    pub concurrency: i64,
    pub message_change_update: bool,
    pub skip_initial_status: bool,
    pub metrics_reporting: bool,
    pub conditions: Vec<DefaultCondition>,
    pub rules: Vec<Rule>,
}

impl Config {
    /// The timeout NPD gives a rule: the rule's when it is below the global one, else
    /// the global one. `None` when a duration is invalid.
    pub fn effective_timeout(&self, rule: &Rule) -> Option<Dur> {
        let global = self.timeout.clone()?;
        match &rule.timeout {
            RuleTimeout::Absent => Some(global),
            RuleTimeout::Invalid => None,
            RuleTimeout::Set(t) if t.nanos < global.nanos => Some(t.clone()),
            RuleTimeout::Set(_) => Some(global),
        }
    }

    /// The interval NPD runs a rule at: its own when `honoured` and valid, else the
    /// config's. `None` when the config's is invalid.
    pub fn effective_interval(&self, rule: &Rule) -> Option<Dur> {
        match &rule.invoke_interval {
            RuleTimeout::Set(d) => Some(d.clone()),
            _ => self.invoke_interval.clone(),
        }
    }
}

/// Reads and decodes one file. `Err` when it cannot be read at all (a usage error);
/// a file that is not a JSON object is `Ok(None)` with a fatal finding. Values NPD
/// could not decode are fatal findings too, and are left at their defaults.
pub fn load(path: &Path, findings: &mut Findings) -> Result<Option<Node>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    match Node::parse(&text) {
        Ok(root @ Node::Object(_)) => Ok(Some(root)),
        Ok(other) => {
            findings.fatal(
                "",
                format!(
                    "the config must be a JSON object, found {}; NPD refuses to start",
                    other.kind()
                ),
            );
            Ok(None)
        }
        Err(e) => {
            findings.fatal("", format!("not valid JSON ({e}); NPD refuses to start"));
            Ok(None)
        }
    }
}

/// The file name without directory and extension.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Decodes a parsed file as NPD's `CustomPluginConfig` of NPD release `version`.
pub fn decode(
    path: &Path,
    root: &Node,
    version: &NpdVersion,
    findings: &mut Findings,
) -> Option<Config> {
    let Node::Object(top) = root else {
        return None;
    };
    let top = schema::fields(top, schema::TOP, "", findings);
    let pc = top.object("pluginConfig");
    let pc = schema::fields(
        pc.unwrap_or(&[]),
        schema::PLUGIN_CONFIG,
        "pluginConfig",
        findings,
    );

    let mut config = Config {
        file: findings.file.clone(),
        stem: stem(path),
        plugin: top.string("plugin"),
        source: top.string("source"),
        invoke_interval: duration(&pc, "invoke_interval", DEFAULT_INVOKE_INTERVAL, findings),
        timeout: duration(&pc, "timeout", DEFAULT_TIMEOUT, findings),
        max_output_length: pc
            .int("max_output_length")
            .unwrap_or(DEFAULT_MAX_OUTPUT_LENGTH),
        concurrency: pc.int("concurrency").unwrap_or(DEFAULT_CONCURRENCY),
        message_change_update: pc
            .boolean("enable_message_change_based_condition_update")
            .unwrap_or(false),
        skip_initial_status: pc.boolean("skip_initial_status").unwrap_or(false),
        metrics_reporting: top.boolean("metricsReporting").unwrap_or(true),
        conditions: Vec::new(),
        rules: Vec::new(),
    };

    config.conditions = decode_conditions(top.array("conditions"), findings);

    for (index, item) in top.array("rules").iter().enumerate() {
        let Node::Object(entries) = item else {
            let why = match item {
                Node::Null => "NPD crashes on a null rule while reading the config".to_string(),
                other => format!("found {}; {}", other.kind(), schema::CANNOT_DECODE),
            };
            findings.fatal(
                format!("rules[{index}]"),
                format!("a rule must be an object: {why}"),
            );
            continue;
        };
        let named = if peek(entries, "type") == Some("temporary") {
            peek(entries, "reason").map(|r| format!(" (reason {r})"))
        } else {
            peek(entries, "condition").map(|c| format!(" (condition {c})"))
        };
        let loc = format!("rules[{index}]{}", named.unwrap_or_default());
        let honoured = version.honours_rule_interval();
        let keys = if honoured {
            schema::RULE_WITH_INTERVAL
        } else {
            schema::RULE
        };
        let entries = if honoured {
            entries.to_vec()
        } else {
            let every = config.invoke_interval.as_ref().map(|d| d.text.clone());
            ignored_interval(entries, &loc, version, every.as_deref(), findings)
        };
        let r = schema::fields(&entries, keys, &loc, findings);
        let kind = match r.string("type").as_str() {
            "temporary" => RuleKind::Temporary,
            "permanent" => RuleKind::Permanent,
            other => RuleKind::Other(other.to_string()),
        };
        let mut rule = Rule {
            index,
            kind,
            condition: r.string("condition"),
            reason: r.string("reason"),
            path: r.string("path"),
            args: r.strings("args"),
            timeout: RuleTimeout::Absent,
            invoke_interval: RuleTimeout::Absent,
        };
        let label = rule.label();
        rule.timeout = rule_duration(&r, "timeout", &label, findings);
        rule.invoke_interval = rule_duration(&r, "invoke_interval", &label, findings);
        config.rules.push(rule);
    }

    Some(config)
}

fn rule_duration(
    r: &schema::Fields,
    key: &str,
    label: &str,
    findings: &mut Findings,
) -> RuleTimeout {
    let Some(text) = r.str_value(key) else {
        return RuleTimeout::Absent;
    };
    match Dur::parse(text) {
        Ok(d) => RuleTimeout::Set(d),
        Err(e) => {
            findings.fatal(label, format!("{key}: {e}; NPD refuses to start"));
            RuleTimeout::Invalid
        }
    }
}

/// A rule's entries without `invoke_interval`, which `version` does not know: Go's
/// decoder skips it, whatever its value. Reported as such rather than as an unknown key.
fn ignored_interval(
    entries: &[(String, Node)],
    loc: &str,
    version: &NpdVersion,
    every: Option<&str>,
    findings: &mut Findings,
) -> Vec<(String, Node)> {
    let (ignored, kept): (Vec<_>, Vec<_>) = entries
        .iter()
        .cloned()
        .partition(|(k, _)| k.eq_ignore_ascii_case("invoke_interval"));
    for _ in ignored {
        findings.error(
            loc,
            format!(
                "a rule's own \"invoke_interval\" is honoured only by NPD releases after {}; \
                 NPD {version} ignores it and runs this rule every {} (pluginConfig's \
                 invoke_interval; --npd-version names the release you deploy)",
                crate::version::LAST_WITHOUT_RULE_INTERVAL,
                every.unwrap_or("invoke_interval")
            ),
        );
    }
    kept
}

fn duration(
    fields: &schema::Fields,
    key: &str,
    default: &str,
    findings: &mut Findings,
) -> Option<Dur> {
    let text = fields.str_value(key).unwrap_or(default);
    match Dur::parse(text) {
        Ok(d) => Some(d),
        Err(e) => {
            findings.fatal("pluginConfig", format!("{key}: {e}; NPD refuses to start"));
            None
        }
    }
}

/// The display name of a file and its path, as given on the command line.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Maps a rule's path to where it is on this machine: the install dir to `plugin_dir`.
pub fn local_path(rule_path: &str, plugin_dir: Option<&Path>) -> PathBuf {
    if let Some(dir) = plugin_dir {
        if let Some(name) = rule_path
            .strip_prefix(INSTALL_DIR)
            .and_then(|rest| rest.strip_prefix('/'))
        {
            if !name.is_empty() && !name.contains('/') {
                return dir.join(name);
            }
        }
    }
    PathBuf::from(rule_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_dir_maps_to_the_plugin_dir() {
        let dir = Path::new("/build");
        assert_eq!(
            local_path("/opt/npd-checks/bin/npd-disk", Some(dir)),
            PathBuf::from("/build/npd-disk")
        );
        assert_eq!(
            local_path("/usr/bin/true", Some(dir)),
            PathBuf::from("/usr/bin/true")
        );
        assert_eq!(
            local_path("/opt/npd-checks/bin/npd-disk", None),
            PathBuf::from("/opt/npd-checks/bin/npd-disk")
        );
    }
}
