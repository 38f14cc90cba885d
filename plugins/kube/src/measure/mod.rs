//! Every request of a run and what it measured: one GET per check, through the
//! apiserver client of [`access`], its failures worded by [`api`]. What a failure
//! means depends on the check: the apiserver is the subject of `apiserver`
//! ([`Role::Answering`]: its silence is a problem) and only the way to ask for the
//! others ([`Role::WayToAsk`]: Unknown, whatever failed).

pub mod access;
pub mod api;
mod objects;

use std::time::{Duration, Instant};

use http_probe::Role;
use npd_plugin::{explain, Context, Error, Result};

pub use objects::{deployment, service, Endpoints, Replicas};

use crate::config::{check_node, Access, ApiserverCheck, PodsCheck};
use crate::findings::{describe, finding, Finding};
use crate::podlist::read_pods;
use crate::query;

/// What /readyz (or the path asked) answered: a status that can be judged (2xx or
/// 5xx; any other is an error), the first 64 KiB of its body, and how long it took.
pub struct Readiness {
    /// host:port, for messages.
    pub shown: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub took: Duration,
}

pub fn apiserver(c: &ApiserverCheck, access: &Access, ctx: &Context) -> Result<Readiness> {
    let api = access::resolve(access)?;
    let started = Instant::now();
    let mut resp = api::get(&api, &c.path, Role::Answering, ctx)?;
    let status = resp.status;
    let what = format!("apiserver {}", api.shown);
    let body = api::read_body(&mut resp, api::STATUS_BODY, &what, Role::Answering, ctx)?;
    let took = started.elapsed();
    explain!(ctx, "apiserver {}: {status} in {took:?}", api.shown);
    if !(200..=299).contains(&status) && !(500..=599).contains(&status) {
        let what = format!("apiserver {}", c.path);
        let need = format!("get {}", c.path);
        let scope = "(a nonResourceURLs rule; system:public-info-viewer has it)";
        let retry_after = resp.header("retry-after");
        return Err(api::answer_error(
            status,
            retry_after,
            &body,
            (&need, scope),
            &what,
            ctx,
        ));
    }
    Ok(Readiness {
        shown: api.shown,
        status,
        body,
        took,
    })
}

/// This node's pods as they streamed in: how many, how many with a finding, and the
/// worst finding with its pod's NAMESPACE/NAME.
pub struct PodTally {
    pub node: String,
    pub seen: u64,
    pub bad: u64,
    pub worst: Option<(Finding, String)>,
}

/// One LIST, cheapest the API offers: `fieldSelector=spec.nodeName=<node>` (the watch
/// cache indexes pods by node) and `resourceVersion=0` (served from that cache, never
/// from etcd). The cache ignores `limit`, so none is sent; the list is parsed as it
/// arrives ([`crate::podlist`]) and only the worst pod and a count are kept.
pub fn pods(c: &PodsCheck, access: &Access, ctx: &Context) -> Result<PodTally> {
    let fail = |e: Error| e.context("cannot list pods");
    let node = node(c)?;
    let api = access::resolve(access)?;
    let mut resp = api::get(&api, &query::pods(c, &node), Role::WayToAsk, ctx).map_err(fail)?;
    if !(200..=299).contains(&resp.status) {
        let need = (
            "list pods",
            "at the cluster scope (a ClusterRole: this node's pods are selected by a field)",
        );
        return Err(fail(api::status_error(&mut resp, need, "pods", ctx)));
    }
    let now = api::server_now(&resp);
    let mut worst: Option<(Finding, String)> = None;
    let mut bad = 0u64;
    let seen = read_pods(&mut resp.body, |pod| {
        let Some(found) = finding(c, &pod, now) else {
            return;
        };
        bad += 1;
        let name = format!("{}/{}", pod.metadata.namespace, pod.metadata.name);
        explain!(ctx, "pod {name}: {}", describe(c, &found));
        if worst.as_ref().map_or(true, |(w, _)| found > *w) {
            worst = Some((found, name));
        }
    })
    .map_err(|e| fail(api::json_error(e, "PodList", ctx)))?;
    Ok(PodTally {
        node,
        seen,
        bad,
        worst,
    })
}

/// This node's name: --node, else NODE_NAME as the DaemonSet sets it.
fn node(c: &PodsCheck) -> Result<String> {
    let node = match &c.node {
        Some(n) => n.clone(),
        None => std::env::var("NODE_NAME").unwrap_or_default(),
    };
    if node.is_empty() {
        return Err(Error::config(
            "no node name: give --node or set NODE_NAME (downward API spec.nodeName)",
        ));
    }
    check_node(&node)?;
    Ok(node)
}
