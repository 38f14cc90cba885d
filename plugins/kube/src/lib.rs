//! `npd-kube`: Kubernetes API checks made from a node, one subcommand each.
//!
//! - `apiserver`: the apiserver answers /readyz from this node, in time;
//! - `pods`: the pods bound to this node are not crash-looping, failing to pull
//!   their images, unready or stuck terminating for too long, or restarting too often;
//! - `deployment NS/NAME`: enough available replicas;
//! - `service NS/NAME`: enough ready endpoints (discovery.k8s.io/v1 EndpointSlices).
//!
//! Every check is one request per run, scoped so that a 5,000-node cluster does not
//! notice it: `pods` asks only for this node's pods (`fieldSelector=spec.nodeName`)
//! from the apiserver's watch cache (`resourceVersion=0`), and reads that list as a
//! stream with bounded memory; Deployments and Services are single objects, meant for
//! the few nodes of a control-plane role.
//!
//! - [`config`] validates the flags (access and subcommand) before anything is read;
//! - [`measure`] finds the apiserver (in-cluster, flags, [`kubeconfig`]) and sends
//!   each check's one request through `http_probe`'s client (HTTP/1.1, TLS from the
//!   cluster CA, the body streamed), [`query`] says which; the PodList is parsed as it
//!   arrives ([`podlist`]) and each pod judged there ([`findings`]);
//! - [`judge`] gives the verdicts; [`denial`] and [`target`] read one input each
//!   (times are `npd_plugin::timestamp`'s).

pub mod config;
pub use kube_api::{denial, kubeconfig};
pub mod findings;
pub mod judge;
pub mod measure;
pub mod podlist;
pub mod query;
pub mod target;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Check, Config};

/// The plugin.
pub struct Kube;

impl Plugin for Kube {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let access = &config.access;
        Ok(match &config.check {
            Check::Apiserver(c) => judge::apiserver(c, &measure::apiserver(c, access, ctx)?),
            Check::Pods(c) => judge::pods(c, &measure::pods(c, access, ctx)?, ctx),
            Check::Deployment(c) => {
                judge::deployment(c, &measure::deployment(c, access, ctx)?, ctx)
            }
            Check::Service(c) => judge::service(c, &measure::service(c, access, ctx)?, ctx),
        })
    }

    const NAME: &'static str = "npd-kube";
    const ABOUT: &'static str = "Kubernetes API checks from a node: apiserver readiness, this \
                                 node's pods, a Deployment's available replicas, a Service's \
                                 ready endpoints.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "temporary", "reason": "APIServerUnreachable",
 "path": "/opt/npd-checks/bin/npd-kube",
 "args": ["apiserver", "--max-latency", "2s", "--timeout", "4s"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Access (flags work before or after the subcommand):
  In-cluster by default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
  with the pod's service-account token (re-read every run) and ca.crt. --server,
  --token-file and --ca-file replace them; --kubeconfig reads a kubeconfig's current
  context (token, token file or client certificate; no exec plugins). Only the
  cluster CA is trusted, never the host's CA store.
Verdicts:
  apiserver: no answer, a 5xx from /readyz or an answer slower than --max-latency is
  a problem. For every other check the apiserver is only the way to ask: its
  silence is Unknown, never a problem. An answer that cannot be judged (401, 403
  with the RBAC rule to add, 404, 429, garbage or truncated JSON) is Unknown.
Cost:
  One request per run. Run apiserver and pods on every node, deployment and service
  only on a control-plane role's nodes.";
}
