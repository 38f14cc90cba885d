//! The two remediation add-ons as small models, each the rule read from its project's
//! source and fed by the shipped manifests: NHC's reconcile (who counts as healthy,
//! when `minHealthy` lets it remediate) and draino's cordons and drain schedule. The
//! scenarios are in ../fleet.rs.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{GO_DURATION, NHC_FILE};
use crate::manifests::strings;

/// Go's time.ParseDuration for what manifests write (`10m`, `8m0s`, `1.5h`), in seconds.
pub fn seconds(text: &str) -> Option<f64> {
    let re = regex_lite::Regex::new(GO_DURATION).unwrap();
    if !re.is_match(text) {
        return None;
    }
    let units = regex_lite::Regex::new(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)").unwrap();
    let total = units.captures_iter(text).map(|c| {
        let n: f64 = c[1].parse().unwrap();
        let unit = match &c[2] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            _ => 3600.0,
        };
        n * unit
    });
    Some(total.sum())
}

/// draino's conditions (`Type=True,<duration>`) by type, with their durations in
/// seconds; a bare `Type` is `Type=True,0s` to draino.
pub fn draino_conditions(args: &[&str]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for arg in args.iter().filter(|a| !a.starts_with('-')) {
        let (kind, rest) = arg.split_once('=').unwrap_or((arg, "True,0s"));
        let (status, duration) = rest.split_once(',').unwrap_or((rest, "0s"));
        assert_eq!(status, "True", "draino: {arg}: only True conditions drain");
        let secs = seconds(duration).unwrap_or_else(|| panic!("draino: {arg}: bad duration"));
        out.insert(kind.to_string(), secs);
    }
    out
}

pub fn draino_args(deployment: &Value) -> Vec<&str> {
    strings(&deployment["spec"]["template"]["spec"]["containers"][0]["args"])
}

/// The value of draino's `--<name>=<duration>`, in seconds; the flag must be spelt out.
pub fn draino_flag(args: &[&str], name: &str) -> f64 {
    let value = args
        .iter()
        .find_map(|a| a.strip_prefix(&format!("--{name}=")))
        .unwrap_or_else(|| panic!("draino: spell out --{name} (its bound is argued on it)"));
    seconds(value).unwrap_or_else(|| panic!("draino: --{name}={value}: bad duration"))
}

/// NHC's unhealthy conditions by type, with their durations in seconds.
pub fn nhc_conditions(nhc: &Value) -> BTreeMap<String, f64> {
    let list = nhc["spec"]["unhealthyConditions"].as_array();
    let list = list.unwrap_or_else(|| panic!("{NHC_FILE}: no spec.unhealthyConditions"));
    let mut out = BTreeMap::new();
    for c in list {
        let kind = c["type"]
            .as_str()
            .unwrap_or_else(|| panic!("{NHC_FILE}: {c}: type"));
        assert_eq!(c["status"], "True", "{NHC_FILE}: {kind}: status \"True\"");
        let duration = c["duration"].as_str().and_then(seconds);
        let duration = duration.unwrap_or_else(|| panic!("{NHC_FILE}: {kind}: duration"));
        assert!(
            out.insert(kind.to_string(), duration).is_none(),
            "{NHC_FILE}: {kind} twice"
        );
    }
    out
}

/// NHC's rule for one reconcile, from its reconciler: a node matches when a listed
/// condition has held its status for the duration; it is healthy only when no listed
/// condition holds at all (a younger one too) and no remediation of it is under way;
/// when some node matches, every matching node not yet in remediation gets one if
/// healthy >= minHealthy (a percentage of the selected nodes, rounded up), none
/// otherwise.
pub struct Nhc {
    /// `minHealthy` as a percentage, or as a count.
    pub min_healthy: Result<u64, u64>,
    pub conditions: BTreeMap<String, f64>,
}

impl Nhc {
    pub fn from(nhc: &Value) -> Self {
        let m = &nhc["spec"]["minHealthy"];
        let min_healthy = match m.as_str().and_then(|s| s.strip_suffix('%')) {
            Some(pct) => Ok(pct.parse().unwrap()),
            None => Err(m.as_u64().or_else(|| m.as_str()?.parse().ok()).unwrap()),
        };
        let conditions = nhc_conditions(nhc);
        Nhc {
            min_healthy,
            conditions,
        }
    }

    pub fn min_healthy(&self, total: usize) -> usize {
        match self.min_healthy {
            Ok(pct) => (total * pct as usize).div_ceil(100),
            Err(count) => count as usize,
        }
    }

    /// The most nodes it lets be in remediation at once out of `total`.
    pub fn cap(&self, total: usize) -> usize {
        total - self.min_healthy(total).min(total)
    }

    /// One reconcile over `nodes` (each: seconds its condition has been True, if it
    /// is) with `remediating` marking the nodes in remediation; returns how many new.
    pub fn reconcile(
        &self,
        condition: &str,
        nodes: &[Option<f64>],
        remediating: &mut [bool],
    ) -> usize {
        let duration = self.conditions[condition];
        let matching: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].is_some_and(|held| held >= duration))
            .collect();
        let healthy = (0..nodes.len())
            .filter(|&i| nodes[i].is_none() && !remediating[i])
            .count();
        if matching.is_empty() || healthy < self.min_healthy(nodes.len()) {
            return 0;
        }
        let new: Vec<usize> = matching.into_iter().filter(|&i| !remediating[i]).collect();
        for &i in &new {
            remediating[i] = true;
        }
        new.len()
    }
}

/// draino's rule, from its event handler and drain scheduler: every node whose listed
/// condition has been True for its duration is cordoned when draino sees it, its drain
/// scheduled `--drain-buffer` after the previous one (the first 11s after draino
/// starts), and a drain gives up after `--max-grace-period` plus `--eviction-headroom`.
pub struct Draino {
    pub conditions: BTreeMap<String, f64>,
    pub buffer: f64,
    pub longest_drain: f64,
}

impl Draino {
    pub fn from(deployment: &Value) -> Self {
        let args = draino_args(deployment);
        Draino {
            conditions: draino_conditions(&args),
            buffer: draino_flag(&args, "drain-buffer"),
            longest_drain: draino_flag(&args, "max-grace-period")
                + draino_flag(&args, "eviction-headroom"),
        }
    }

    /// The nodes cordoned on the first look at `nodes` (seconds `condition` has been
    /// True on each, if it is): nothing counts how many are cordoned already.
    pub fn cordoned(&self, condition: &str, nodes: &[Option<f64>]) -> usize {
        let duration = self.conditions[condition];
        nodes
            .iter()
            .filter(|h| h.is_some_and(|h| h >= duration))
            .count()
    }

    /// The drains started within `secs` of scheduling `cordoned` of them.
    pub fn drains_started(&self, cordoned: usize, secs: f64) -> usize {
        (0..cordoned)
            .filter(|&k| 11.0 + k as f64 * self.buffer < secs)
            .count()
    }
}
