//! The cluster-scoped checks' measurements: one Deployment's replicas, one Service's
//! ready endpoints (from its discovery.k8s.io/v1 EndpointSlices; the Endpoints API
//! is deprecated). One GET of one object or one small list, meant for the few nodes
//! of a control-plane role.
//!
//! An endpoint whose `ready` condition is absent counts as ready, as the API asks
//! consumers to read it; an endpoint listed in two slices (dual-stack, or during a
//! slice update) counts once. No slice at all means no such Service (or one without
//! a selector): Unknown, so that a misspelt name never raises a condition, as a 404
//! for a Deployment is. A Service with a selector always has a slice, empty when
//! nothing backs it.

use std::collections::HashSet;

use http_probe::Role;
use npd_plugin::{Context, Error, Result};
use serde::Deserialize;

use super::{access, api};
use crate::config::{Access, DeploymentCheck, ServiceCheck};
use crate::query;

/// A Deployment's replicas, as its status counts them.
pub struct Replicas {
    /// `deployment NS/NAME`, for messages.
    pub what: String,
    /// `status.availableReplicas`: pods Ready for minReadySeconds.
    pub available: u32,
    pub desired: u32,
}

#[derive(Deserialize, Default)]
struct Deployment {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    spec: Spec,
    #[serde(default)]
    status: Status,
}

#[derive(Deserialize, Default)]
struct Spec {
    replicas: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(default)]
    available_replicas: u32,
}

pub fn deployment(c: &DeploymentCheck, access: &Access, ctx: &Context) -> Result<Replicas> {
    let t = &c.target;
    let what = format!("deployment {t}");
    let api = access::resolve(access)?;
    let fail = |e: Error| e.context(&what);
    let mut resp = api::get(&api, &query::deployment(t), Role::WayToAsk, ctx).map_err(fail)?;
    if !(200..=299).contains(&resp.status) {
        let scope = format!("(apps, in namespace {})", t.namespace);
        let e = api::status_error(&mut resp, ("get deployments", &scope), &what, ctx);
        // "deployment NS/NAME not found (404)" names it already.
        return Err(if resp.status == 404 { e } else { fail(e) });
    }
    let d: Deployment = api::read_json(&mut resp, "Deployment", ctx).map_err(fail)?;
    if d.kind != "Deployment" {
        return Err(fail(Error::unobserved(format!(
            "the answer is a {:?}, not a Deployment",
            d.kind
        ))));
    }
    Ok(Replicas {
        available: d.status.available_replicas,
        desired: d.spec.replicas.unwrap_or(1),
        what,
    })
}

/// A Service's endpoints, as its EndpointSlices list them.
pub struct Endpoints {
    /// `service NS/NAME`, for messages.
    pub what: String,
    pub slices: usize,
    pub listed: usize,
    /// Ready endpoints, each counted once.
    pub ready: usize,
}

#[derive(Deserialize, Default)]
struct SliceList {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    items: Option<Vec<Slice>>,
}

#[derive(Deserialize, Default)]
struct Slice {
    #[serde(default)]
    endpoints: Option<Vec<Endpoint>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    conditions: Conditions,
    target_ref: Option<TargetRef>,
}

#[derive(Deserialize, Default)]
struct Conditions {
    ready: Option<bool>,
}

#[derive(Deserialize, Default)]
struct TargetRef {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    name: String,
}

pub fn service(c: &ServiceCheck, access: &Access, ctx: &Context) -> Result<Endpoints> {
    let t = &c.target;
    let what = format!("service {t}");
    let api = access::resolve(access)?;
    let fail = |e: Error| e.context(&what);
    let path = query::endpoint_slices(t);
    let mut resp = api::get(&api, &path, Role::WayToAsk, ctx).map_err(fail)?;
    if !(200..=299).contains(&resp.status) {
        let scope = format!("(discovery.k8s.io, in namespace {})", t.namespace);
        let need = ("list endpointslices", scope.as_str());
        let e = api::status_error(&mut resp, need, "EndpointSlice API", ctx);
        return Err(fail(e));
    }
    let list: SliceList = api::read_json(&mut resp, "EndpointSliceList", ctx).map_err(fail)?;
    if list.kind != "EndpointSliceList" {
        return Err(fail(Error::unobserved(format!(
            "the answer is a {:?}, not an EndpointSliceList",
            list.kind
        ))));
    }
    let slices = list.items.unwrap_or_default();
    if slices.is_empty() {
        return Err(Error::unobserved(format!(
            "no EndpointSlice for {what}: no such Service, or one without a selector"
        )));
    }
    let mut ready = HashSet::new();
    let mut listed = 0usize;
    for e in slices.iter().flat_map(|s| s.endpoints.iter().flatten()) {
        listed += 1;
        if e.conditions.ready == Some(false) {
            continue;
        }
        let key = match &e.target_ref {
            Some(r) if !r.name.is_empty() => format!("{}/{}/{}", r.kind, r.namespace, r.name),
            _ => match e.addresses.first() {
                Some(a) => format!("address {a}"),
                None => continue,
            },
        };
        ready.insert(key);
    }
    Ok(Endpoints {
        slices: slices.len(),
        listed,
        ready: ready.len(),
        what,
    })
}
