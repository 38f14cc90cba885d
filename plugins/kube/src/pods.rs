//! `npd-kube pods`: the pods bound to this node, judged one by one as they stream in.
//!
//! One LIST per run, the cheapest the API offers for it: `fieldSelector=
//! spec.nodeName=<node>` (the watch cache indexes pods by node) and
//! `resourceVersion=0` (served from that cache, never from etcd). The cache ignores
//! `limit`, so none is sent; the list is parsed as a stream ([`crate::podlist`]) and
//! only the worst pod and a count are kept.
//!
//! The apiserver is only the way to ask: when it does not answer, or answers
//! something that cannot be judged, the answer is Unknown, never a problem.

use std::time::{Duration, SystemTime};

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::access::{self, Access};
use crate::api;
use crate::podlist::{read_pods, Pod};
use crate::time::parse_rfc3339;

#[derive(clap::Args, Debug)]
pub struct PodsArgs {
    /// This node's name, as the API knows it (default: $NODE_NAME, which the
    /// DaemonSet sets from spec.nodeName).
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,

    /// Only the pods of this namespace (default: every namespace).
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Only the pods matching this label selector (app=keystone,tier!=batch).
    #[arg(long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// A running or pending pod not Ready for longer than this is a problem (off by
    /// default; completed pods are never judged).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub not_ready_for: Option<Duration>,

    /// A pod still terminating this long after its grace period ended is a problem
    /// (stuck: a runtime or volume that does not let go). Off by default.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub terminating_for: Option<Duration>,

    /// A container restarted more than this many times is a problem (off by default;
    /// restart counts only grow, so CrashLoopBackOff is usually the better signal).
    #[arg(long, value_name = "N")]
    pub max_restarts: Option<u64>,
}

pub struct PodsCheck {
    /// Known when the flags are read only if --node was given: NODE_NAME comes from
    /// the pod's environment, which a config linted off the node does not have.
    node: Option<String>,
    path: String,
    selector: Option<String>,
    not_ready_for: Option<Duration>,
    terminating_for: Option<Duration>,
    max_restarts: Option<u64>,
}

pub fn configure(args: PodsArgs) -> Result<PodsCheck> {
    let node = args.node.filter(|n| !n.is_empty());
    if let Some(n) = &node {
        check_node(n)?;
    }
    let path = match &args.namespace {
        Some(ns) if !is_dns_name(ns, 63) || ns.contains('.') => {
            return Err(Error::new(format!(
                "--namespace {ns:?} is not a namespace name"
            )))
        }
        Some(ns) => format!("/api/v1/namespaces/{ns}/pods"),
        None => "/api/v1/pods".to_string(),
    };
    for (flag, d) in [
        ("--not-ready-for", args.not_ready_for),
        ("--terminating-for", args.terminating_for),
    ] {
        if d.is_some_and(|d| d.is_zero()) {
            return Err(Error::new(format!("{flag} must be above 0")));
        }
    }
    Ok(PodsCheck {
        node,
        path,
        selector: args
            .selector
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        not_ready_for: args.not_ready_for,
        terminating_for: args.terminating_for,
        max_restarts: args.max_restarts,
    })
}

fn check_node(node: &str) -> Result<()> {
    if is_dns_name(node, 253) {
        Ok(())
    } else {
        Err(Error::new(format!("node name {node:?} is not a node name")))
    }
}

impl PodsCheck {
    /// This node's name: --node, else NODE_NAME as the DaemonSet sets it.
    fn node(&self) -> Result<String> {
        let node = match &self.node {
            Some(n) => n.clone(),
            None => std::env::var("NODE_NAME").unwrap_or_default(),
        };
        if node.is_empty() {
            return Err(Error::new(
                "no node name: give --node or set NODE_NAME (downward API spec.nodeName)",
            ));
        }
        check_node(&node)?;
        Ok(node)
    }

    /// The LIST this check sends: this node's pods, from the watch cache.
    pub fn query(&self, node: &str) -> String {
        let mut query = format!(
            "{}?fieldSelector={}&resourceVersion=0",
            self.path,
            encode(&format!("spec.nodeName={node}"))
        );
        if let Some(sel) = &self.selector {
            query.push_str(&format!("&labelSelector={}", encode(sel)));
        }
        query
    }
}

fn is_dns_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("{}{b:02X}", '%'));
        }
    }
    out
}

/// What is wrong with one pod; the order is the severity (worst last).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Finding {
    Restarts(u64),
    NotReady(Duration),
    StuckTerminating(Duration),
    ImagePull(String),
    CrashLoop,
}

impl PodsCheck {
    /// The worst finding for `pod`, judged at `now` (the apiserver's clock).
    pub fn judge(&self, pod: &Pod, now: SystemTime) -> Option<Finding> {
        let statuses = || {
            pod.status
                .init_container_statuses
                .iter()
                .chain(&pod.status.container_statuses)
        };
        let waiting = |want: &[&str]| {
            statuses().find_map(|c| {
                let reason = &c.state.waiting.as_ref()?.reason;
                want.contains(&reason.as_str()).then(|| reason.clone())
            })
        };
        if waiting(&["CrashLoopBackOff"]).is_some() {
            return Some(Finding::CrashLoop);
        }
        if let Some(reason) = waiting(&["ImagePullBackOff", "ErrImagePull"]) {
            return Some(Finding::ImagePull(reason));
        }
        let age = |stamp: Option<&String>| {
            let t = parse_rfc3339(stamp?)?;
            now.duration_since(t).ok()
        };
        if let Some(deleted) = &pod.metadata.deletion_timestamp {
            let limit = self.terminating_for?;
            // deletionTimestamp is when the grace period ends, not when deletion began.
            return age(Some(deleted))
                .filter(|a| *a > limit)
                .map(Finding::StuckTerminating);
        }
        let done = matches!(pod.status.phase.as_str(), "Succeeded" | "Failed");
        if let (Some(limit), false) = (self.not_ready_for, done) {
            let ready = pod.status.conditions.iter().find(|c| c.kind == "Ready");
            if ready.map_or(true, |c| c.status != "True") {
                let since = ready
                    .and_then(|c| c.last_transition_time.as_ref())
                    .or(pod.metadata.creation_timestamp.as_ref());
                if let Some(a) = age(since).filter(|a| *a > limit) {
                    return Some(Finding::NotReady(a));
                }
            }
        }
        let restarts = statuses().map(|c| c.restart_count).max().unwrap_or(0);
        match self.max_restarts {
            Some(max) if restarts > max => Some(Finding::Restarts(restarts)),
            _ => None,
        }
    }

    /// The finding as a message, with the limit it broke.
    pub fn describe(&self, f: &Finding) -> String {
        let mins = |d: &Duration| format_duration(Duration::from_secs(d.as_secs() / 60 * 60));
        let limit = |d: Option<Duration>| d.map(format_duration).unwrap_or_default();
        match f {
            Finding::CrashLoop => "CrashLoopBackOff".into(),
            Finding::ImagePull(reason) => reason.clone(),
            Finding::StuckTerminating(a) => format!(
                "terminating for {} > {}",
                short_age(a, &mins),
                limit(self.terminating_for)
            ),
            Finding::NotReady(a) => format!(
                "not ready for {} > {}",
                short_age(a, &mins),
                limit(self.not_ready_for)
            ),
            Finding::Restarts(n) => {
                format!("{n} restarts > {}", self.max_restarts.unwrap_or_default())
            }
        }
    }
}

fn short_age(a: &Duration, mins: &dyn Fn(&Duration) -> String) -> String {
    if a.as_secs() >= 120 {
        mins(a)
    } else {
        format_duration(Duration::from_secs(a.as_secs()))
    }
}

pub fn check(c: &PodsCheck, access: &Access, ctx: &Context) -> Result<Outcome> {
    let fail = |m: &str| Error::new(format!("cannot list pods: {m}"));
    let node = c.node()?;
    let api = access::resolve(access)?;
    let mut resp = api::get(&api, &c.query(&node), ctx).map_err(|e| fail(e.message()))?;
    if !(200..=299).contains(&resp.status) {
        let need = (
            "list pods",
            "at the cluster scope (a ClusterRole: this node's pods are selected by a field)",
        );
        let e = api::status_error(&mut resp, need, "pods", ctx);
        return Err(fail(e.message()));
    }
    let now = api::server_now(&resp);
    let mut worst: Option<(Finding, String)> = None;
    let mut bad = 0u64;
    let seen = read_pods(&mut resp.body, |pod| {
        let Some(finding) = c.judge(&pod, now) else {
            return;
        };
        bad += 1;
        let name = format!("{}/{}", pod.metadata.namespace, pod.metadata.name);
        explain!(ctx, "pod {name}: {}", c.describe(&finding));
        if worst.as_ref().map_or(true, |(w, _)| finding > *w) {
            worst = Some((finding, name));
        }
    })
    .map_err(|e| match e.io_error_kind() {
        Some(_) => {
            let io = std::io::Error::from(e);
            fail(api::body_error(&io, "PodList", ctx).message())
        }
        None => fail(api::json_error(&e, "PodList").message()),
    })?;
    explain!(ctx, "{seen} pods on node {node}, {bad} with a problem");
    Ok(match worst {
        None => Outcome::ok("pods on this node are healthy"),
        Some((f, name)) => {
            let count = if bad == 1 {
                "1 bad pod:".to_string()
            } else {
                format!("{bad} bad pods, worst")
            };
            Outcome::problem(format!("{count} {name} {}", c.describe(&f)))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("spec.nodeName=n-1"), "spec.nodeName%3Dn-1");
        assert_eq!(encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
    }
}
