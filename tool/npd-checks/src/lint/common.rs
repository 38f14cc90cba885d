//! Checks both kinds of config share: default conditions and their names, reasons, `%`
//! in texts NPD hands to the event recorder, and what an NPD restart does to the
//! conditions draino drains on.

use std::collections::HashMap;

use super::camel_case;
use crate::config::{Config, DefaultCondition};
use crate::finding::Findings;
use crate::golang;
use crate::syslog::LogConfig;

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

/// The default conditions: names, duplicates, and whether a rule sets each.
/// `set` lists the conditions of the non-temporary rules; `log_monitor` says the
/// config is a system log monitor, which may carry NPD's own condition types (it is
/// then a copy of NPD's own monitor, replacing it).
pub fn check_conditions(
    conditions: &[DefaultCondition],
    set: &[&str],
    log_monitor: bool,
    f: &mut Findings,
) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for d in conditions {
        let loc = d.label();
        check_type_name(&d.type_, &loc, !log_monitor, f);
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
        if !set.contains(&d.type_.as_str()) {
            f.warning(
                &loc,
                format!("no permanent rule sets {}: it stays False forever", d.type_),
            );
        }
    }
}

fn check_type_name(type_: &str, loc: &str, npd_types: bool, f: &mut Findings) {
    if type_.is_empty() {
        f.error(loc, "the condition type is empty");
    } else if KUBELET_TYPES.contains(&type_) {
        f.error(
            loc,
            format!(
                "{type_} is the kubelet's condition: NPD accepts it, and the kubelet and NPD \
                 would overwrite each other"
            ),
        );
    } else if npd_types && NPD_TYPES.contains(&type_) {
        f.warning(
            loc,
            format!(
                "npd-checks policy: {type_} is set by NPD's own monitors, so two monitors would \
                 fight over it (only a copy of NPD's monitor, a system log monitor config, may \
                 use it)"
            ),
        );
    } else if !camel_case(type_) {
        f.warning(
            loc,
            format!("npd-checks convention: condition type {type_:?} is not CamelCase"),
        );
    }
}

/// A monitor's `source`: events and conditions carry it; by convention it is the
/// config file's name.
pub fn check_source(source: &str, stem: &str, f: &mut Findings) {
    if source.is_empty() {
        f.error(
            "source",
            "source is empty: events and conditions carry no source",
        );
    } else if source != stem {
        f.warning(
            "source",
            format!(
                "npd-checks convention: source {source:?} is not the file's name {stem:?} \
                 (name a config after its source)"
            ),
        );
    }
}

pub fn check_reason(reason: &str, loc: &str, f: &mut Findings) {
    if reason.is_empty() {
        f.error(loc, "the reason is empty");
    } else if !camel_case(reason) {
        f.warning(
            loc,
            format!("npd-checks convention: reason {reason:?} is not CamelCase"),
        );
    }
}

/// `%` in `text`, which NPD puts in Event messages: the event recorder reads them as
/// a Go format string. `what` names the text and where it shows up.
pub fn percent_in_event(text: &str, what: &str, loc: &str, f: &mut Findings) {
    if text.contains('%') {
        let garbled = golang::json_text(&golang::sprintf_no_args(text.as_bytes()));
        f.error(
            loc,
            format!(
                "{what} {text:?} has a '%': NPD passes Event messages to the Kubernetes event \
                 recorder as a format string, so the Event reads {garbled:?}"
            ),
        );
    }
}

/// `%` in the default texts of a custom plugin monitor: a condition that returns to its
/// default is announced by an Event carrying its reason and message.
pub fn percent_custom(c: &Config, f: &mut Findings) {
    for d in &c.conditions {
        let loc = d.label();
        percent_in_event(&d.reason, "the default reason", &loc, f);
        percent_in_event(&d.message, "the default message", &loc, f);
    }
}

/// The same texts in a system log monitor never reach an Event: its conditions go back
/// to their defaults only at NPD's start, which emits none.
pub fn percent_log_defaults(c: &LogConfig, f: &mut Findings) {
    for d in &c.conditions {
        for (what, text) in [("reason", &d.reason), ("message", &d.message)] {
            if text.contains('%') {
                f.note(
                    d.label(),
                    format!(
                        "the default {what} {text:?} has a '%': harmless here (a system log \
                         monitor's conditions return to their defaults only at NPD's start, \
                         without an Event), but the same text in a custom plugin monitor \
                         would garble its Events"
                    ),
                );
            }
        }
    }
}

/// The drain-worthy condition types among `conditions`.
fn drain_worthy<'a>(conditions: &'a [DefaultCondition], drain: &[String]) -> Vec<&'a str> {
    let mut found: Vec<&str> = conditions
        .iter()
        .map(|d| d.type_.as_str())
        .filter(|t| drain.iter().any(|d| d == t))
        .collect();
    found.dedup();
    found
}

const RESTART: &str = "an NPD restart (each ConfigMap change restarts NPD on every node)";

/// A custom plugin monitor's drain-worthy conditions across an NPD restart.
pub fn check_restart_custom(c: &Config, drain: Option<&[String]>, f: &mut Findings) {
    let worthy = drain_worthy(&c.conditions, drain.unwrap_or_default());
    if worthy.is_empty() {
        return;
    }
    let names = worthy.join(", ");
    let clock = format!(
        "a True result after {RESTART} is a new transition (lastTransitionTime = now): NPD \
         reads no condition back from the node, so draino's Type=True,<duration> clock \
         restarts"
    );
    if c.skip_initial_status {
        f.note("pluginConfig", format!("drain-worthy {names}: {clock}"));
    } else {
        f.warning(
            "pluginConfig",
            format!(
                "npd-checks policy: drain-worthy {names} can read False after {RESTART}: \
                 without \"skip_initial_status\" NPD sends every default condition, False, at \
                 its start, and the node shows it until this config's first result when that \
                 comes after NPD's next once-a-second sync; set \"skip_initial_status\": true \
                 in pluginConfig to keep the node's value until the first result. Either way \
                 {clock}"
            ),
        );
    }
}

/// A lookback at least this long reaches back to any node's boot: a restarted NPD
/// re-reads the whole log since boot.
const SINCE_BOOT_NANOS: i128 = 8760 * 3600 * 1_000_000_000;

/// A system log monitor's drain-worthy conditions: set by a log line, so after a restart
/// only a line within the lookback sets them again (with the line's own time as
/// lastTransitionTime, which keeps draino's clock).
pub fn check_restart_log(c: &LogConfig, drain: Option<&[String]>, f: &mut Findings) {
    let worthy = drain_worthy(&c.conditions, drain.unwrap_or_default());
    if worthy.is_empty() {
        return;
    }
    let names = worthy.join(", ");
    let Some(lookback) = &c.lookback else {
        return;
    };
    let again = format!(
        "after {RESTART} a system log monitor publishes every default condition False and \
         sets {names} True again only from a matching line logged within lookback {} before \
         its start (or after it), taking the line's time as lastTransitionTime",
        lookback.text
    );
    if lookback.nanos >= SINCE_BOOT_NANOS {
        f.note(
            "lookback",
            format!(
                "drain-worthy {names}: {again}; this lookback re-reads the log since boot, so \
                 draino's Type=True,<duration> clock keeps running as long as the log still \
                 holds the line"
            ),
        );
    } else {
        f.warning(
            "lookback",
            format!(
                "npd-checks policy: drain-worthy {names} can be cleared for good: {again}; a \
                 line older than that is not read again, and draino never drains; set a \
                 lookback longer than any node's uptime (87600h) to re-read the log since boot"
            ),
        );
    }
}
