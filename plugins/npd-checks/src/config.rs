//! An NPD custom-plugin-monitor config as NPD decodes it, with what the decoding hides
//! turned into findings: unknown keys (NPD ignores them), keys matched only
//! case-insensitively, duplicates (the last wins), values of the wrong JSON type (NPD
//! refuses to start) and bad durations. Defaults are NPD's
//! (`pkg/custompluginmonitor/types/config.go`).
//!
//! Meaning beyond decoding (timeouts against each other, paths, names) is judged in
//! [`crate::lint`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::finding::Findings;
use crate::json::Node;
use crate::schema;

/// Where the shipped plugins are installed on a node; `--plugin-dir` stands in for it.
pub const INSTALL_DIR: &str = "/opt/npd-checks/bin";

pub const DEFAULT_TIMEOUT: &str = "5s";
pub const DEFAULT_INVOKE_INTERVAL: &str = "30s";
pub const DEFAULT_MAX_OUTPUT_LENGTH: i64 = 80;
pub const DEFAULT_CONCURRENCY: i64 = 3;

/// A duration as written in the config and as Go reads it (it may be negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dur {
    pub text: String,
    pub nanos: i128,
}

impl Dur {
    /// Parses Go's `time.ParseDuration` grammar, negative values included.
    pub fn parse(text: &str) -> Result<Dur, String> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if negative && (rest.starts_with('-') || rest.starts_with('+')) {
            return Err(format!("invalid duration {text:?}"));
        }
        let d = npd_plugin::units::parse_duration(rest)?;
        let nanos = d.as_nanos() as i128;
        Ok(Dur {
            text: text.to_string(),
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// The wait it stands for; a negative duration waits nothing.
    pub fn duration(&self) -> Duration {
        Duration::from_nanos(self.nanos.max(0) as u64)
    }

    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }
}

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
pub struct DefaultCondition {
    pub index: usize,
    pub type_: String,
    pub reason: String,
    pub message: String,
}

impl DefaultCondition {
    /// How messages name it: `conditions[0] (type X)`.
    pub fn label(&self) -> String {
        if self.type_.is_empty() {
            format!("conditions[{}]", self.index)
        } else {
            format!("conditions[{}] (type {})", self.index, self.type_)
        }
    }
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
}

impl Rule {
    /// How messages name the rule: `rules[2] (condition X)` or `rules[0] (reason Y)`.
    pub fn label(&self) -> String {
        let (what, name) = match self.kind {
            RuleKind::Temporary => ("reason", &self.reason),
            _ => ("condition", &self.condition),
        };
        if name.is_empty() {
            format!("rules[{}]", self.index)
        } else {
            format!("rules[{}] ({what} {name})", self.index)
        }
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
}

/// Reads and decodes one file. `Err` when it cannot be read at all (a usage error);
/// a file that is not a JSON object is `Ok(None)` with a fatal finding. Values NPD
/// could not decode are fatal findings too, and are left at their defaults.
pub fn load(path: &Path, findings: &mut Findings) -> Result<Option<Config>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let root = match Node::parse(&text) {
        Ok(root) => root,
        Err(e) => {
            findings.fatal("", format!("not valid JSON ({e}); NPD refuses to start"));
            return Ok(None);
        }
    };
    Ok(decode(path, &root, findings))
}

/// Decodes a parsed file as NPD's `CustomPluginConfig`.
pub fn decode(path: &Path, root: &Node, findings: &mut Findings) -> Option<Config> {
    let Node::Object(top) = root else {
        findings.fatal(
            "",
            format!(
                "the config must be a JSON object, found {}; NPD refuses to start",
                root.kind()
            ),
        );
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
        stem: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
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

    for (index, item) in top.array("conditions").iter().enumerate() {
        let entries: &[(String, Node)] = match item {
            Node::Object(entries) => entries,
            // Go decodes a null element as an empty condition.
            Node::Null => &[],
            other => {
                findings.fatal(
                    format!("conditions[{index}]"),
                    format!(
                        "a condition must be an object, found {}; {}",
                        other.kind(),
                        schema::CANNOT_DECODE
                    ),
                );
                continue;
            }
        };
        let loc = match peek(entries, "type") {
            Some(t) => format!("conditions[{index}] (type {t})"),
            None => format!("conditions[{index}]"),
        };
        let c = schema::fields(entries, schema::CONDITION, &loc, findings);
        if c.has("status") || c.has("transition") {
            findings.warning(
                &loc,
                "\"status\" and \"transition\" are ignored: NPD starts every condition False at its own start",
            );
        }
        config.conditions.push(DefaultCondition {
            index,
            type_: c.string("type"),
            reason: c.string("reason"),
            message: c.string("message"),
        });
    }

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
        let r = schema::fields(entries, schema::RULE, &loc, findings);
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
        };
        if let Some(text) = r.str_value("timeout") {
            rule.timeout = match Dur::parse(text) {
                Ok(d) => RuleTimeout::Set(d),
                Err(e) => {
                    findings.fatal(rule.label(), format!("timeout: {e}; NPD refuses to start"));
                    RuleTimeout::Invalid
                }
            };
        }
        config.rules.push(rule);
    }

    Some(config)
}

/// A string value under `key` (exact match, last one), for naming an object in messages
/// before it is decoded.
fn peek<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a str> {
    entries.iter().rev().find_map(|(k, v)| match v {
        Node::String(s) if k == key && !s.is_empty() => Some(s.as_str()),
        _ => None,
    })
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
    fn durations_as_go_reads_them() {
        assert_eq!(Dur::parse("5s").unwrap().nanos, 5_000_000_000);
        assert_eq!(Dur::parse("-1s").unwrap().nanos, -1_000_000_000);
        assert_eq!(Dur::parse("0").unwrap().nanos, 0);
        assert!(Dur::parse("--1s").is_err());
        assert!(Dur::parse("5").is_err());
        assert!(Dur::parse("").is_err());
    }

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
