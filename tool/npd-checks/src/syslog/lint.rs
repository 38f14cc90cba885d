//! The checks of a system log monitor config: what its log watcher needs (NPD exits
//! when it cannot create the watcher, and runs without the monitor when the watcher
//! cannot start), settings the watcher ignores, and patterns that compile but cannot
//! match as meant once NPD appends `\z` and matches them against its buffer of the last
//! `bufferSize` lines joined by `\n`.

use super::config::{LogConfig, LogRule, PLUGINS};
use crate::config::RuleKind;
use crate::finding::Findings;
use crate::goregex::Regex;
use crate::lint::common;
use crate::schema;

/// What NPD logs when a monitor cannot start; it then runs without it.
const NOT_STARTED: &str = "NPD logs \"Failed to start problem daemon\" and runs without this \
                           monitor: none of its conditions is ever published";

pub fn check(c: &LogConfig, f: &mut Findings) {
    if !PLUGINS.contains(&c.plugin.as_str()) {
        f.fatal(
            "plugin",
            format!(
                "plugin {:?} is no log watcher of NPD (kmsg, journald, filelog; a custom plugin \
                 monitor says \"custom\"): NPD exits at start",
                c.plugin
            ),
        );
    }
    common::check_source(&c.source, &c.stem, f);
    check_watcher(c, f);
    let set: Vec<&str> = c
        .rules
        .iter()
        .filter(|r| !r.is_temporary())
        .map(|r| r.condition.as_str())
        .collect();
    common::check_conditions(&c.conditions, &set, true, f);
    common::percent_log_defaults(c, f);
    for rule in &c.rules {
        check_rule(c, rule, f);
    }
    if c.rules.is_empty() {
        f.warning("rules", "no rules: this monitor never changes anything");
    }
}

/// The `pluginConfig` keys each watcher reads.
fn watcher_keys(plugin: &str) -> &'static [&'static str] {
    match plugin {
        "journald" => &["source"],
        "filelog" => &["timestamp", "message", "timestampFormat"],
        _ => &[],
    }
}

fn check_watcher(c: &LogConfig, f: &mut Findings) {
    let plugin = c.plugin.as_str();
    let known = watcher_keys(plugin);
    for (key, _) in &c.plugin_config {
        if known.contains(&key.as_str()) {
            continue;
        }
        let hint = schema::suggest_name(key, known)
            .map(|k| format!(" (did you mean {k:?}? keys of pluginConfig are exact)"))
            .unwrap_or_default();
        let reads = if known.is_empty() {
            "reads no pluginConfig".to_string()
        } else {
            format!("reads only {}", known.join(", "))
        };
        f.error(
            "pluginConfig",
            format!("key {key:?} is ignored: the {plugin} watcher {reads}{hint}"),
        );
    }
    if !c.skip_list.is_empty() && plugin != "filelog" {
        f.error(
            "skipList",
            format!("skipList is applied only by the filelog watcher: NPD ignores it for {plugin}"),
        );
    }
    if c.buffer_size < 0 {
        f.fatal(
            "bufferSize",
            format!(
                "bufferSize {} is negative: NPD crashes at start",
                c.buffer_size
            ),
        );
    }
    match plugin {
        "kmsg" if !c.log_path.is_empty() && c.log_path != "/dev/kmsg" => f.warning(
            "logPath",
            format!(
                "the kmsg watcher always reads /dev/kmsg: logPath {:?} is ignored",
                c.log_path
            ),
        ),
        "journald" if c.setting("source").is_empty() => f.error(
            "pluginConfig",
            format!(
                "the journald watcher needs pluginConfig.source, the SYSLOG_IDENTIFIER to \
                 follow: {NOT_STARTED}"
            ),
        ),
        "filelog" => check_filelog(c, f),
        _ => {}
    }
}

fn check_filelog(c: &LogConfig, f: &mut Findings) {
    if c.log_path.is_empty() {
        f.error(
            "logPath",
            format!("the filelog watcher needs logPath: {NOT_STARTED}"),
        );
    }
    for (key, without) in [
        (
            "timestamp",
            "no line has a usable timestamp, so NPD drops every line",
        ),
        ("message", "every log message is empty"),
        (
            "timestampFormat",
            "no timestamp parses, so NPD drops every line",
        ),
    ] {
        let value = c.setting(key);
        if value.is_empty() {
            f.error(
                "pluginConfig",
                format!(
                    "pluginConfig.{key} is missing: NPD logs \"Failed to validate plugin \
                     configuration\" and starts, but {without}"
                ),
            );
        } else if key != "timestampFormat" {
            if let Err(e) = Regex::new(value) {
                f.fatal(
                    "pluginConfig",
                    format!("pluginConfig.{key} {value:?} does not compile in Go ({e}): NPD crashes at start"),
                );
            }
        }
    }
}

fn check_rule(c: &LogConfig, rule: &LogRule, f: &mut Findings) {
    let loc = rule.label();
    match &rule.kind {
        RuleKind::Temporary if !rule.condition.is_empty() => f.warning(
            &loc,
            format!(
                "condition {:?} is ignored for temporary rules",
                rule.condition
            ),
        ),
        RuleKind::Temporary => {}
        kind => {
            if let RuleKind::Other(t) = kind {
                f.error(
                    &loc,
                    format!(
                        "type {t:?} is neither \"permanent\" nor \"temporary\": NPD sets the \
                         condition as for a permanent rule but skips its metrics"
                    ),
                );
            }
            if !c.conditions.iter().any(|d| d.type_ == rule.condition) {
                f.error(
                    &loc,
                    format!(
                        "no default condition for {:?} in \"conditions\": NPD starts, but a \
                         match of this rule changes nothing (no condition, no Event)",
                        rule.condition
                    ),
                );
            }
            common::percent_in_event(&rule.reason, "the reason", &loc, f);
        }
    }
    common::check_reason(&rule.reason, &loc, f);
    common::percent_in_event(&rule.suffix, "patternGeneratedMessageSuffix", &loc, f);
    if let Some(re) = &rule.alone {
        check_pattern(c, rule, re, f);
    }
}

/// Patterns Go compiles that cannot work as meant under NPD's matching.
fn check_pattern(c: &LogConfig, rule: &LogRule, re: &Regex, f: &mut Findings) {
    let loc = rule.label();
    let pattern = &rule.pattern;
    let lines = c.buffer_size.max(1);
    if re.quoted_to_end {
        f.error(
            &loc,
            format!(
                "pattern {pattern:?} ends inside \\Q...: the \\z NPD appends is quoted too, so \
                 the rule matches only lines ending in a literal \\z; close it with \\E"
            ),
        );
    } else if re.matches_empty_at_end() {
        f.error(
            &loc,
            format!(
                "pattern {pattern:?} matches the empty string, so it matches at the end of \
                 every log line"
            ),
        );
    } else if re.top_level_alternation() {
        f.error(
            &loc,
            format!(
                "pattern {pattern:?} has a top-level |: NPD appends \\z to the whole pattern, \
                 so only its last alternative must end the newest line; the others match \
                 anywhere in the last {lines} lines, again for each new line; write \
                 (?:{pattern})"
            ),
        );
    } else if re.anchored_at_start() && lines > 1 && !re.can_match_newline() {
        f.error(
            &loc,
            format!(
                "pattern {pattern:?} never matches: ^ (without (?m)) or \\A is the start of \
                 the {lines} lines NPD matches against, joined by line breaks the pattern \
                 cannot match; use (?m)^ for the start of a line"
            ),
        );
    }
}
