//! `npd-kube service NAMESPACE/NAME`: a Service has at least `--min-endpoints` ready
//! endpoints, counted from its discovery.k8s.io/v1 EndpointSlices (the Endpoints API
//! is deprecated).
//!
//! An endpoint whose `ready` condition is absent counts as ready, as the API asks
//! consumers to read it; an endpoint listed in two slices (dual-stack, or during a
//! slice update) counts once. No slice at all means no such Service (or one without
//! a selector): Unknown, so that a misspelt name never raises a condition. A Service
//! with a selector always has a slice, empty when nothing backs it.

use std::collections::HashSet;

use npd_plugin::{explain, Context, Error, Outcome, Result};
use serde::Deserialize;

use crate::access::{self, Access};
use crate::api;
use crate::pods::encode;
use crate::target::Target;

#[derive(clap::Args, Debug)]
pub struct ServiceArgs {
    /// The Service, NAMESPACE/NAME (openstack/keystone-api).
    #[arg(value_name = "NAMESPACE/NAME")]
    pub target: String,

    /// Fewer ready endpoints than this is a problem.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_endpoints: u32,
}

pub struct ServiceCheck {
    target: Target,
    min_endpoints: u32,
}

pub fn configure(args: ServiceArgs) -> Result<ServiceCheck> {
    let target = Target::parse(&args.target, "service")?;
    if args.min_endpoints == 0 {
        return Err(Error::new("--min-endpoints 0 would never find a problem"));
    }
    Ok(ServiceCheck {
        target,
        min_endpoints: args.min_endpoints,
    })
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

pub fn check(c: &ServiceCheck, access: &Access, ctx: &Context) -> Result<Outcome> {
    let t = &c.target;
    let what = format!("service {t}");
    let api = access::resolve(access)?;
    let path = format!(
        "/apis/discovery.k8s.io/v1/namespaces/{}/endpointslices?labelSelector={}&resourceVersion=0",
        t.namespace,
        encode(&format!("kubernetes.io/service-name={}", t.name))
    );
    let fail = |m: &str| Error::new(format!("{what}: {m}"));
    let mut resp = api::get(&api, &path, ctx).map_err(|e| fail(e.message()))?;
    if !(200..=299).contains(&resp.status) {
        let scope = format!("(discovery.k8s.io, in namespace {})", t.namespace);
        let need = ("list endpointslices", scope.as_str());
        let e = api::status_error(&mut resp, need, "EndpointSlice API", ctx);
        return Err(fail(e.message()));
    }
    let list: SliceList =
        api::read_json(&mut resp, "EndpointSliceList", ctx).map_err(|e| fail(e.message()))?;
    if list.kind != "EndpointSliceList" {
        return Err(fail(&format!(
            "the answer is a {:?}, not an EndpointSliceList",
            list.kind
        )));
    }
    let slices = list.items.unwrap_or_default();
    if slices.is_empty() {
        return Err(Error::new(format!(
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
    let n = ready.len();
    explain!(
        ctx,
        "{what}: {} slices, {listed} endpoints listed, {n} ready, min {}",
        slices.len(),
        c.min_endpoints
    );
    Ok(if n < c.min_endpoints as usize {
        Outcome::problem(format!("{what} {n} ready endpoints < {}", c.min_endpoints))
    } else {
        Outcome::ok(format!("{what} has enough ready endpoints"))
    })
}
