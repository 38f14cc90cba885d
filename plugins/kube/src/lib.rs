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
//! - [`access`] finds the apiserver (in-cluster, flags, [`kubeconfig`]), [`transport`]
//!   talks HTTP/1.1 over TLS to it and [`body`] streams the answer, [`api`] says what
//!   a failed request means;
//! - [`apiserver`], [`pods`] (with [`podlist`], the streaming parse),
//!   [`deployment`] and [`service`] are the checks.

pub mod access;
pub mod api;
pub mod apiserver;
pub mod body;
pub mod deployment;
pub mod kubeconfig;
pub mod podlist;
pub mod pods;
pub mod service;
pub mod target;
pub mod time;
pub mod transport;

use npd_plugin::{Context, Outcome, Plugin, Result};

use access::{Access, AccessArgs};

/// The flags of `npd-kube`: the access flags and one subcommand.
#[derive(clap::Args, Debug)]
#[command(subcommand_required = true, arg_required_else_help = false)]
pub struct Args {
    #[command(subcommand)]
    pub check: CheckArgs,

    #[command(flatten)]
    pub access: AccessArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum CheckArgs {
    /// The apiserver answers /readyz from this node (within --max-latency).
    Apiserver(apiserver::ApiserverArgs),
    /// The pods bound to this node: CrashLoopBackOff, image pull failures, not Ready
    /// or terminating for too long, too many restarts.
    Pods(pods::PodsArgs),
    /// A Deployment has at least --min-available available replicas.
    Deployment(deployment::DeploymentArgs),
    /// A Service has at least --min-endpoints ready endpoints (EndpointSlices).
    Service(service::ServiceArgs),
}

enum Check {
    Apiserver(apiserver::ApiserverCheck),
    Pods(pods::PodsCheck),
    Deployment(deployment::DeploymentCheck),
    Service(service::ServiceCheck),
}

/// The flags, validated.
pub struct Config {
    check: Check,
    access: Access,
}

/// The plugin.
pub struct Kube;

impl Plugin for Kube {
    const NAME: &'static str = "npd-kube";
    const ABOUT: &'static str = "Kubernetes API checks from a node: apiserver readiness, this \
                                 node's pods, a Deployment's available replicas, a Service's \
                                 ready endpoints.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "temporary", "reason": "APIServerUnreachable",
 "path": "/opt/npd-checks/bin/npd-kube",
 "args": ["apiserver", "--max-latency", "2s", "--timeout", "4s"], "timeout": "5s"}"#;
    const NOTES: &'static str = NOTES;
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let access = Access::from_args(args.access)?;
        let check = match args.check {
            CheckArgs::Apiserver(a) => Check::Apiserver(apiserver::configure(a)?),
            CheckArgs::Pods(a) => Check::Pods(pods::configure(a)?),
            CheckArgs::Deployment(a) => Check::Deployment(deployment::configure(a)?),
            CheckArgs::Service(a) => Check::Service(service::configure(a)?),
        };
        Ok(Config { check, access })
    }

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        match &config.check {
            Check::Apiserver(c) => apiserver::check(c, &config.access, ctx),
            Check::Pods(c) => pods::check(c, &config.access, ctx),
            Check::Deployment(c) => deployment::check(c, &config.access, ctx),
            Check::Service(c) => service::check(c, &config.access, ctx),
        }
    }
}

const NOTES: &str = "\
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_has_the_example_rule_and_no_percent() {
        let help = npd_plugin::command::<Kube>().render_long_help().to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-kube"));
        assert!(help.contains("apiserver"));
        assert!(!help.contains('%'));
    }
}
