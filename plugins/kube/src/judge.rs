//! The verdicts, as functions of a check's configuration and its measurement; no
//! I/O (the context only for `--explain`).

use std::time::Duration;

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Outcome};

use crate::config::{ApiserverCheck, DeploymentCheck, PodsCheck, ServiceCheck};
use crate::findings::describe;
use crate::measure::{Endpoints, PodTally, Readiness, Replicas};

/// `apiserver`: a failing /readyz (5xx) or a slow answer is a problem.
pub fn apiserver(c: &ApiserverCheck, r: &Readiness) -> Outcome {
    if (500..=599).contains(&r.status) {
        let failing = failing_check(&r.body)
            .map(|n| format!(": {n} failed"))
            .unwrap_or_default();
        return Outcome::problem(format!(
            "apiserver {} {} answered {}{failing}",
            r.shown, c.path, r.status
        ));
    }
    if let Some(max) = c.max_latency {
        if r.took > max {
            return Outcome::problem(format!(
                "apiserver {} answered in {} > {}",
                r.shown,
                format_duration(Duration::from_millis(r.took.as_millis() as u64)),
                format_duration(max)
            ));
        }
    }
    Outcome::ok("apiserver is ready")
}

/// The first check /readyz lists as failing ("[-]etcd failed: reason withheld").
fn failing_check(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("[-]"))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
}

/// `pods`: the worst pod found, and how many more.
pub fn pods(c: &PodsCheck, t: &PodTally, ctx: &Context) -> Outcome {
    explain!(
        ctx,
        "{} pods on node {}, {} with a problem",
        t.seen,
        t.node,
        t.bad
    );
    match &t.worst {
        None => Outcome::ok("pods on this node are healthy"),
        Some((f, name)) => {
            let count = if t.bad == 1 {
                "1 bad pod:".to_string()
            } else {
                format!("{} bad pods, worst", t.bad)
            };
            Outcome::problem(format!("{count} {name} {}", describe(c, f)))
        }
    }
}

/// `deployment`: enough available replicas.
pub fn deployment(c: &DeploymentCheck, r: &Replicas, ctx: &Context) -> Outcome {
    let (what, available, desired) = (&r.what, r.available, r.desired);
    explain!(
        ctx,
        "{what}: {available} available, {desired} desired, min {}",
        c.min_available
    );
    if available < c.min_available {
        Outcome::problem(format!(
            "{what} {available} available < {} ({desired} desired)",
            c.min_available
        ))
    } else {
        Outcome::ok(format!("{what} has enough available replicas"))
    }
}

/// `service`: enough ready endpoints.
pub fn service(c: &ServiceCheck, e: &Endpoints, ctx: &Context) -> Outcome {
    let (what, n) = (&e.what, e.ready);
    explain!(
        ctx,
        "{what}: {} slices, {} endpoints listed, {n} ready, min {}",
        e.slices,
        e.listed,
        c.min_endpoints
    );
    if n < c.min_endpoints as usize {
        Outcome::problem(format!("{what} {n} ready endpoints < {}", c.min_endpoints))
    } else {
        Outcome::ok(format!("{what} has enough ready endpoints"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failing_readyz_check_is_named() {
        let body = b"[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\nreadyz check failed\n";
        assert_eq!(failing_check(body).as_deref(), Some("etcd"));
        assert_eq!(failing_check(b"ok"), None);
    }
}
