//! `npd-checks lint`: everything NPD refuses in a config, everything it accepts and then
//! mishandles, and the conventions of npd-checks configs, for one or more files judged
//! together (two files must not claim one condition type).
//!
//! Decoding problems come from [`crate::config`], path and plugin checks from
//! [`crate::probe`]; this file judges the meaning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, RuleKind, RuleTimeout};
use crate::finding::{Finding, Findings};
use crate::probe;

/// Condition types the kubelet owns: a monitor setting them fights the kubelet.
pub const KUBELET_TYPES: &[&str] = &[
    "Ready",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// Condition types NPD's own shipped monitors set.
pub const NPD_TYPES: &[&str] = &[
    "ContainerRuntimeUnhealthy",
    "CorruptDockerOverlay2",
    "CperHardwareErrorFatal",
    "FrequentContainerdRestart",
    "FrequentDockerRestart",
    "FrequentKubeletRestart",
    "FrequentUnregisterNetDevice",
    "KernelDeadlock",
    "KubeProxyUnhealthy",
    "KubeletUnhealthy",
    "NTPProblem",
    "ReadonlyFilesystem",
    "XfsShutdown",
];

/// The configs that could be decoded, and every finding, in file order.
pub struct Linted {
    pub configs: Vec<Config>,
    pub findings: Vec<Finding>,
}

/// Lints `files` together. `Err` when a file cannot be read.
pub fn lint(files: &[PathBuf], plugin_dir: Option<&Path>) -> Result<Linted, String> {
    let mut configs = Vec::new();
    let mut all = Vec::new();
    for path in files {
        let mut findings = Findings::new(&config::display_name(path));
        if let Some(config) = config::load(path, &mut findings)? {
            check(&config, plugin_dir, &mut findings);
            configs.push(config);
        }
        all.push(findings);
    }
    check_across(&configs, &mut all);
    Ok(Linted {
        configs,
        findings: all.into_iter().flat_map(|f| f.list).collect(),
    })
}

/// Whether `name` is CamelCase: a capital, then letters and digits.
pub fn camel_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn check(c: &Config, plugin_dir: Option<&Path>, f: &mut Findings) {
    check_top(c, f);
    check_conditions(c, f);
    check_rules(c, plugin_dir, f);
}

fn check_top(c: &Config, f: &mut Findings) {
    if c.plugin != "custom" {
        f.fatal(
            "plugin",
            format!(
                "plugin is {:?}: NPD supports only \"custom\"; NPD refuses to start",
                c.plugin
            ),
        );
    }
    if c.source.is_empty() {
        f.error(
            "source",
            "source is empty: events and conditions carry no source",
        );
    } else if c.source != c.stem {
        f.warning(
            "source",
            format!(
                "source {:?} is not the file's name {:?} (name a config after its source)",
                c.source, c.stem
            ),
        );
    }
    if let Some(i) = &c.invoke_interval {
        if !i.is_positive() {
            f.fatal(
                "pluginConfig",
                format!(
                    "invoke_interval {} is not positive: NPD crashes at start",
                    i.text
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

fn check_conditions(c: &Config, f: &mut Findings) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for d in &c.conditions {
        let loc = d.label();
        check_type_name(&d.type_, &loc, f);
        check_reason(&d.reason, &loc, f);
        if d.type_.is_empty() {
            continue;
        }
        if let Some(prev) = first.get(d.type_.as_str()) {
            f.error(
                &loc,
                format!(
                    "{} is also conditions[{prev}]: NPD updates only the first, and the \
                     second, always False, overwrites it on the node",
                    d.type_
                ),
            );
        } else {
            first.insert(&d.type_, d.index);
        }
        let used = c
            .rules
            .iter()
            .any(|r| !r.is_temporary() && r.condition == d.type_);
        if !used {
            f.warning(
                &loc,
                format!("no permanent rule sets {}: it stays False forever", d.type_),
            );
        }
    }
}

fn check_type_name(type_: &str, loc: &str, f: &mut Findings) {
    if type_.is_empty() {
        f.error(loc, "the condition type is empty");
    } else if KUBELET_TYPES.contains(&type_) {
        f.error(
            loc,
            format!("{type_} is the kubelet's condition: the kubelet and NPD would overwrite each other"),
        );
    } else if NPD_TYPES.contains(&type_) {
        f.warning(
            loc,
            format!("{type_} is set by NPD's own monitors: two monitors would fight over it"),
        );
    } else if !camel_case(type_) {
        f.warning(loc, format!("condition type {type_:?} is not CamelCase"));
    }
}

fn check_reason(reason: &str, loc: &str, f: &mut Findings) {
    if reason.is_empty() {
        f.error(loc, "the reason is empty");
    } else if !camel_case(reason) {
        f.warning(loc, format!("reason {reason:?} is not CamelCase"));
    }
}

fn check_rules(c: &Config, plugin_dir: Option<&Path>, f: &mut Findings) {
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
        check_reason(&rule.reason, &loc, f);
        check_rule_timeout(c, rule, f);
        probe::check_rule(c, rule, plugin_dir, f);
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
    if let (Some(e), Some(i)) = (c.effective_timeout(rule), &c.invoke_interval) {
        if e.is_positive() && i.is_positive() && e.nanos >= i.nanos {
            f.error(
                &loc,
                format!(
                    "{} is not below invoke_interval {}: a slow run delays every rule's next run",
                    probe::timeout_phrase(c, rule),
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
                "{} rules with concurrency {} can take {waves} timeouts in a row, not below \
                 invoke_interval {}: rounds would start late",
                c.rules.len(),
                c.concurrency,
                interval.text
            ),
        );
    }
}

/// A condition type must belong to one monitor: NPD's exporter keeps one condition per
/// type, so two monitors overwrite each other.
fn check_across(configs: &[Config], all: &mut [Findings]) {
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for c in configs {
        let Some(f) = all.iter_mut().find(|f| f.file == c.file) else {
            continue;
        };
        let mut seen_here: Vec<&str> = Vec::new();
        for d in &c.conditions {
            if seen_here.contains(&d.type_.as_str()) || d.type_.is_empty() {
                continue;
            }
            seen_here.push(&d.type_);
            match owner.get(d.type_.as_str()) {
                Some(other) if *other != c.file => f.error(
                    d.label(),
                    format!(
                        "{} is also a condition of {other}: the two monitors would overwrite \
                         each other's {} on the node",
                        d.type_, d.type_
                    ),
                ),
                Some(_) => {}
                None => {
                    owner.insert(&d.type_, &c.file);
                }
            }
        }
    }
}
