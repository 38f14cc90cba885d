//! A system log monitor config as NPD v1.36.0 decodes it
//! (`pkg/systemlogmonitor/config.go`, `logwatchers/types`): the watcher settings, the
//! default conditions and the rules, with what NPD refuses to start on reported as
//! fatal findings: a value of the wrong JSON type, a pattern Go cannot compile, a bad
//! lookback or delay, a negative buffer size.
//!
//! What the values mean beyond decoding is judged in [`super::lint`].

use std::path::Path;

use crate::config::{self, DefaultCondition, Dur, RuleKind};
use crate::finding::Findings;
use crate::goregex::Regex;
use crate::json::Node;
use crate::schema;

/// The log watchers NPD v1.36.0's Linux image registers.
pub const PLUGINS: &[&str] = &["kmsg", "journald", "filelog"];

/// NPD's buffer of recent lines patterns are matched against, when `bufferSize` is 0.
pub const DEFAULT_BUFFER_SIZE: i64 = 10;

/// One rule.
#[derive(Debug, Clone)]
pub struct LogRule {
    pub index: usize,
    pub kind: RuleKind,
    pub condition: String,
    pub reason: String,
    pub pattern: String,
    pub suffix: String,
    /// The pattern as NPD matches it, `pattern` + `\z`; `None` when either does not
    /// compile (already reported).
    pub anchored: Option<Regex>,
    /// The pattern alone, for judging its shape.
    pub alone: Option<Regex>,
}

impl LogRule {
    pub fn label(&self) -> String {
        config::rule_label(self.index, &self.kind, &self.condition, &self.reason)
    }

    pub fn is_temporary(&self) -> bool {
        self.kind == RuleKind::Temporary
    }
}

/// One system log monitor config, with NPD's defaults applied.
#[derive(Debug, Clone)]
pub struct LogConfig {
    pub file: String,
    pub stem: String,
    /// `kmsg`, `journald` or `filelog`.
    pub plugin: String,
    /// `pluginConfig`, a string map (its keys are exact: it is not a struct).
    pub plugin_config: Vec<(String, String)>,
    pub skip_list: Vec<String>,
    pub log_path: String,
    /// `None` when invalid (already reported).
    pub lookback: Option<Dur>,
    pub delay: Option<Dur>,
    pub buffer_size: i64,
    pub source: String,
    pub metrics_reporting: bool,
    pub conditions: Vec<DefaultCondition>,
    pub rules: Vec<LogRule>,
}

impl LogConfig {
    /// A `pluginConfig` value, empty when absent (as Go's map lookup).
    pub fn setting(&self, key: &str) -> &str {
        self.plugin_config
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Decodes a parsed file as NPD's `MonitorConfig`.
pub fn decode(path: &Path, root: &Node, findings: &mut Findings) -> Option<LogConfig> {
    let Node::Object(top) = root else {
        return None;
    };
    let top = schema::fields(top, schema::LOG_TOP, "", findings);
    let mut plugin_config = Vec::new();
    for (key, value) in top.object("pluginConfig").unwrap_or(&[]) {
        match value {
            Node::String(s) => plugin_config.push((key.clone(), s.clone())),
            Node::Null => plugin_config.push((key.clone(), String::new())),
            other => findings.fatal(
                "pluginConfig",
                format!(
                    "{key:?} must be a string (pluginConfig is a map of strings), found {}; {}",
                    other.kind(),
                    schema::CANNOT_DECODE
                ),
            ),
        }
    }
    let mut buffer_size = top.int("bufferSize").unwrap_or(0);
    if buffer_size == 0 {
        buffer_size = DEFAULT_BUFFER_SIZE;
    }
    let mut config = LogConfig {
        file: findings.file.clone(),
        stem: config::stem(path),
        plugin: top.string("plugin"),
        plugin_config,
        skip_list: top.strings("skipList"),
        log_path: top.string("logPath"),
        lookback: None,
        delay: None,
        buffer_size,
        source: top.string("source"),
        metrics_reporting: top.boolean("metricsReporting").unwrap_or(true),
        conditions: config::decode_conditions(top.array("conditions"), findings),
        rules: Vec::new(),
    };
    // The watchers parse these when NPD creates them, and NPD exits when one fails.
    let lookback = top.str_value("lookback").filter(|s| !s.is_empty());
    config.lookback = start_duration(lookback.unwrap_or("0"), "lookback", findings);
    if let Some(delay) = top.str_value("delay").filter(|s| !s.is_empty()) {
        config.delay = start_duration(delay, "delay", findings);
    }

    for (index, item) in top.array("rules").iter().enumerate() {
        let entries: &[(String, Node)] = match item {
            Node::Object(entries) => entries,
            Node::Null => &[],
            other => {
                findings.fatal(
                    format!("rules[{index}]"),
                    format!(
                        "a rule must be an object, found {}; {}",
                        other.kind(),
                        schema::CANNOT_DECODE
                    ),
                );
                continue;
            }
        };
        let named = if config::peek(entries, "type") == Some("temporary") {
            config::peek(entries, "reason").map(|r| format!(" (reason {r})"))
        } else {
            config::peek(entries, "condition").map(|c| format!(" (condition {c})"))
        };
        let loc = format!("rules[{index}]{}", named.unwrap_or_default());
        let r = schema::fields(entries, schema::LOG_RULE, &loc, findings);
        let kind = match r.string("type").as_str() {
            "temporary" => RuleKind::Temporary,
            "permanent" => RuleKind::Permanent,
            other => RuleKind::Other(other.to_string()),
        };
        let pattern = r.string("pattern");
        let (alone, anchored) = compile(&pattern, &loc, findings);
        config.rules.push(LogRule {
            index,
            kind,
            condition: r.string("condition"),
            reason: r.string("reason"),
            pattern,
            suffix: r.string("patternGeneratedMessageSuffix"),
            anchored,
            alone,
        });
    }
    Some(config)
}

/// NPD validates a pattern by compiling it alone, then matches `pattern\z`.
fn compile(pattern: &str, loc: &str, findings: &mut Findings) -> (Option<Regex>, Option<Regex>) {
    let alone = match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => {
            findings.fatal(
                loc,
                format!("pattern {pattern:?} does not compile in Go ({e}); NPD refuses to start"),
            );
            return (None, None);
        }
    };
    match Regex::new(&format!("{pattern}\\z")) {
        Ok(anchored) => (Some(alone), Some(anchored)),
        Err(e) => {
            findings.fatal(
                loc,
                format!(
                    "pattern {pattern:?} compiles, but not with the \\z NPD appends ({e}): NPD \
                     crashes on the first log line"
                ),
            );
            (Some(alone), None)
        }
    }
}

fn start_duration(text: &str, key: &str, findings: &mut Findings) -> Option<Dur> {
    match Dur::parse(text) {
        Ok(d) => Some(d),
        Err(e) => {
            findings.fatal(
                key,
                format!("{key}: {e}; NPD exits when it creates the log watcher"),
            );
            None
        }
    }
}

impl crate::npd_state::StatusRule for LogRule {
    fn permanent(&self) -> bool {
        self.kind == RuleKind::Permanent
    }
    fn condition(&self) -> &str {
        &self.condition
    }
    fn reason(&self) -> &str {
        &self.reason
    }
}
