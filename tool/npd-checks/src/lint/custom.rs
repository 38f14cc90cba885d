//! The checks of a custom plugin monitor config (`"plugin": "custom"`): the global
//! settings, the rules' timeouts and intervals against each other (by the NPD release
//! judged for), and each rule's plugin ([`crate::probe`]).
//!
//! Decoding problems come from [`crate::config`]; checks both kinds of config share are
//! in [`super::common`].

use std::collections::HashMap;

use super::common;
use super::Options;
use crate::config::{self, Config, RuleKind, RuleTimeout};
use crate::finding::Findings;
use crate::probe;

pub fn check(c: &Config, opts: &Options, f: &mut Findings) {
    check_top(c, opts, f);
    let set: Vec<&str> = c
        .rules
        .iter()
        .filter(|r| !r.is_temporary())
        .map(|r| r.condition.as_str())
        .collect();
    common::check_conditions(&c.conditions, &set, false, f);
    common::percent_custom(c, f);
    check_rules(c, opts, f);
}

fn check_top(c: &Config, opts: &Options, f: &mut Findings) {
    if c.plugin != "custom" {
        f.fatal(
            "plugin",
            format!(
                "plugin is {:?}: a custom plugin monitor must say \"custom\" (a system log \
                 monitor names its log watcher: \"kmsg\", \"journald\" or \"filelog\"); NPD \
                 refuses to start",
                c.plugin
            ),
        );
    }
    common::check_source(&c.source, &c.stem, f);
    if let Some(i) = &c.invoke_interval {
        if !i.is_positive() {
            f.fatal(
                "pluginConfig",
                format!(
                    "invoke_interval {} is not positive: NPD {}",
                    i.text,
                    if opts.version.honours_rule_interval() {
                        "refuses to start"
                    } else {
                        "crashes at start"
                    }
                ),
            );
        }
    }
    if let Some(t) = &c.timeout {
        let uses_global = c.rules.iter().any(|r| r.timeout == RuleTimeout::Absent);
        if !t.is_positive() && (uses_global || c.rules.is_empty()) {
            f.error(
                "pluginConfig",
                format!(
                    "timeout {} is not positive: every rule without a timeout of its own is \
                     Unknown forever (\"{}\")",
                    t.text,
                    crate::exec::START_ERROR
                ),
            );
        }
    }
    match c.concurrency {
        0 => f.error(
            "pluginConfig",
            "concurrency is 0: NPD never starts a rule, every condition keeps its default",
        ),
        n if n < 0 => f.fatal(
            "pluginConfig",
            format!("concurrency {n} is negative: NPD crashes at start"),
        ),
        _ => {}
    }
    match c.max_output_length {
        0 => f.error(
            "pluginConfig",
            "max_output_length is 0: every message is empty",
        ),
        n if n < 0 => f.fatal(
            "pluginConfig",
            format!("max_output_length {n} is negative: NPD crashes on the first result"),
        ),
        n if n > crate::exec::OUTPUT_LIMIT as i64 => f.note(
            "pluginConfig",
            format!("max_output_length {n} is above the 4096 bytes NPD reads of a plugin's output"),
        ),
        _ => {}
    }
    if c.rules.is_empty() {
        f.warning("rules", "no rules: this monitor never changes anything");
    }
}

fn check_rules(c: &Config, opts: &Options, f: &mut Findings) {
    let mut setter: HashMap<&str, usize> = HashMap::new();
    for rule in &c.rules {
        let loc = rule.label();
        match &rule.kind {
            RuleKind::Temporary => {
                if !rule.condition.is_empty() {
                    f.warning(
                        &loc,
                        format!(
                            "condition {:?} is ignored for temporary rules",
                            rule.condition
                        ),
                    );
                }
            }
            RuleKind::Permanent => {
                if !c.conditions.iter().any(|d| d.type_ == rule.condition) {
                    f.fatal(
                        &loc,
                        format!(
                            "permanent rule without a default condition for {:?} in \
                             \"conditions\"; NPD refuses to start",
                            rule.condition
                        ),
                    );
                }
                if let Some(prev) = setter.get(rule.condition.as_str()) {
                    f.error(
                        &loc,
                        format!(
                            "rules[{prev}] sets {} too: each result overwrites the other's \
                             (an OK from one clears the other's problem)",
                            rule.condition
                        ),
                    );
                } else {
                    setter.insert(&rule.condition, rule.index);
                }
            }
            RuleKind::Other(t) => f.error(
                &loc,
                format!(
                    "type {t:?} is neither \"permanent\" nor \"temporary\": NPD updates the \
                     condition as for a permanent rule but skips its checks and metrics"
                ),
            ),
        }
        common::check_reason(&rule.reason, &loc, f);
        if !rule.is_temporary() {
            common::percent_in_event(&rule.reason, "the reason", &loc, f);
        }
        check_rule_timeout(c, rule, f);
        check_rule_interval(c, rule, f);
        probe::check_rule(c, rule, opts.plugin_dir.as_deref(), f);
    }
    check_round(c, f);
}

fn check_rule_timeout(c: &Config, rule: &config::Rule, f: &mut Findings) {
    let loc = rule.label();
    if let (RuleTimeout::Set(t), Some(g)) = (&rule.timeout, &c.timeout) {
        if t.nanos > g.nanos {
            f.fatal(
                &loc,
                format!(
                    "rule timeout {} is above the global timeout {}; NPD refuses to start",
                    t.text, g.text
                ),
            );
            return;
        }
        if !t.is_positive() {
            f.error(
                &loc,
                format!(
                    "timeout {} is not positive: the rule is Unknown forever (\"{}\")",
                    t.text,
                    crate::exec::START_ERROR
                ),
            );
            return;
        }
    }
    if let (Some(e), Some(i)) = (c.effective_timeout(rule), c.effective_interval(rule)) {
        if e.is_positive() && i.is_positive() && e.nanos >= i.nanos {
            let whose = match rule.invoke_interval {
                RuleTimeout::Set(_) => "the rule's invoke_interval",
                _ => "invoke_interval",
            };
            f.error(
                &loc,
                format!(
                    "npd-checks policy: {} is not below {whose} {} (NPD accepts it, but a slow \
                     run then delays the next run of every rule of its interval)",
                    probe::timeout_phrase(c, rule),
                    i.text
                ),
            );
        }
    }
}

/// A rule's own `invoke_interval` (decoded only for releases that honour it).
fn check_rule_interval(c: &Config, rule: &config::Rule, f: &mut Findings) {
    if let RuleTimeout::Set(i) = &rule.invoke_interval {
        if !i.is_positive() {
            f.fatal(
                rule.label(),
                format!(
                    "invoke_interval {} is not positive; NPD refuses to start",
                    i.text
                ),
            );
        } else if c.invoke_interval.as_ref() == Some(i) {
            f.note(
                rule.label(),
                format!(
                    "invoke_interval {} is the config's own: it changes nothing",
                    i.text
                ),
            );
        }
    }
}

/// NPD starts a round only when every rule of the previous one has answered; with
/// fewer workers than rules a round takes several timeouts.
fn check_round(c: &Config, f: &mut Findings) {
    let (Some(interval), true) = (&c.invoke_interval, c.concurrency > 0) else {
        return;
    };
    let longest = c
        .rules
        .iter()
        .filter_map(|r| c.effective_timeout(r))
        .map(|d| d.nanos)
        .max()
        .unwrap_or(0);
    let waves = c.rules.len().div_ceil(c.concurrency as usize) as i128;
    if waves > 1 && longest < interval.nanos && waves * longest >= interval.nanos {
        f.warning(
            "pluginConfig",
            format!(
                "npd-checks policy: {} rules with concurrency {} can take {waves} timeouts in a \
                 row, not below invoke_interval {} (NPD accepts it; rounds would start late)",
                c.rules.len(),
                c.concurrency,
                interval.text
            ),
        );
    }
}
