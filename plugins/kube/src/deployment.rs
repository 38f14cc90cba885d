//! `npd-kube deployment NAMESPACE/NAME`: a Deployment has at least `--min-available`
//! available replicas (`status.availableReplicas`, which counts pods Ready for
//! minReadySeconds).
//!
//! One GET of one object, meant for the few nodes of a control-plane role: every
//! node asking about the same Deployment would only repeat one answer. A Deployment
//! that does not exist (404) is Unknown: a misspelt name must not raise a condition.

use npd_plugin::{explain, Context, Error, Outcome, Result};
use serde::Deserialize;

use crate::access::{self, Access};
use crate::api;
use crate::target::Target;

#[derive(clap::Args, Debug)]
pub struct DeploymentArgs {
    /// The Deployment, NAMESPACE/NAME (openstack/keystone-api).
    #[arg(value_name = "NAMESPACE/NAME")]
    pub target: String,

    /// Fewer available replicas than this is a problem.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_available: u32,
}

pub struct DeploymentCheck {
    target: Target,
    min_available: u32,
}

pub fn configure(args: DeploymentArgs) -> Result<DeploymentCheck> {
    let target = Target::parse(&args.target, "deployment")?;
    if args.min_available == 0 {
        return Err(Error::new("--min-available 0 would never find a problem"));
    }
    Ok(DeploymentCheck {
        target,
        min_available: args.min_available,
    })
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

pub fn check(c: &DeploymentCheck, access: &Access, ctx: &Context) -> Result<Outcome> {
    let t = &c.target;
    let what = format!("deployment {t}");
    let api = access::resolve(access)?;
    let path = format!(
        "/apis/apps/v1/namespaces/{}/deployments/{}",
        t.namespace, t.name
    );
    let fail = |m: &str| Error::new(format!("{what}: {m}"));
    let mut resp = api::get(&api, &path, ctx).map_err(|e| fail(e.message()))?;
    if !(200..=299).contains(&resp.status) {
        let scope = format!("(apps, in namespace {})", t.namespace);
        let e = api::status_error(&mut resp, ("get deployments", &scope), &what, ctx);
        return Err(if resp.status == 404 {
            Error::new(e.message().to_string())
        } else {
            fail(e.message())
        });
    }
    let d: Deployment =
        api::read_json(&mut resp, "Deployment", ctx).map_err(|e| fail(e.message()))?;
    if d.kind != "Deployment" {
        return Err(fail(&format!(
            "the answer is a {:?}, not a Deployment",
            d.kind
        )));
    }
    let available = d.status.available_replicas;
    let desired = d.spec.replicas.unwrap_or(1);
    explain!(
        ctx,
        "{what}: {available} available, {desired} desired, min {}",
        c.min_available
    );
    Ok(if available < c.min_available {
        Outcome::problem(format!(
            "{what} {available} available < {} ({desired} desired)",
            c.min_available
        ))
    } else {
        Outcome::ok(format!("{what} has enough available replicas"))
    })
}
