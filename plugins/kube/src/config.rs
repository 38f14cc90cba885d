//! The flags of `npd-kube` (the access flags and one subcommand), validated into a
//! [`Config`] before anything is read or sent: a misconfigured rule answers "bad
//! flags" (Unknown), never a problem.

use std::path::PathBuf;
use std::time::Duration;

use http_probe::Url;
use npd_plugin::units::parse_duration;
use npd_plugin::{Configure, Error, Result};

use crate::target::{is_dns_name, Target};

pub use kube_api::{Access, SA_DIR};

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
    Apiserver(ApiserverArgs),
    /// The pods bound to this node: CrashLoopBackOff, image pull failures, not Ready
    /// or terminating for too long, too many restarts.
    Pods(PodsArgs),
    /// A Deployment has at least --min-available available replicas.
    Deployment(DeploymentArgs),
    /// A Service has at least --min-endpoints ready endpoints (EndpointSlices).
    Service(ServiceArgs),
}

/// How to reach the apiserver.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Apiserver access (default: in-cluster)")]
pub struct AccessArgs {
    /// Read server, CA and credentials from this kubeconfig's current context (for a
    /// person on a host; rules on nodes use the in-cluster default).
    #[arg(long, value_name = "PATH", global = true,
          conflicts_with_all = ["server", "token_file", "ca_file"])]
    pub kubeconfig: Option<PathBuf>,

    /// The apiserver's URL (default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT).
    #[arg(long, value_name = "URL", global = true)]
    pub server: Option<String>,

    /// A bearer token file, read on every run (default: the pod's service-account
    /// token when in-cluster, none with --server).
    #[arg(long, value_name = "PATH", global = true)]
    pub token_file: Option<PathBuf>,

    /// The cluster CA (PEM), the only certificates trusted (default: the pod's
    /// service-account ca.crt when in-cluster).
    #[arg(long, value_name = "PATH", global = true)]
    pub ca_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ApiserverArgs {
    /// The health endpoint to GET: /readyz (serving traffic) or /livez.
    #[arg(long, value_name = "PATH", default_value = "/readyz")]
    pub path: String,

    /// An answer slower than this (connect to the last byte) is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_latency: Option<Duration>,
}

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

#[derive(clap::Args, Debug)]
pub struct DeploymentArgs {
    /// The Deployment, NAMESPACE/NAME (openstack/keystone-api).
    #[arg(value_name = "NAMESPACE/NAME")]
    pub target: String,

    /// Fewer available replicas than this is a problem.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_available: u32,
}

#[derive(clap::Args, Debug)]
pub struct ServiceArgs {
    /// The Service, NAMESPACE/NAME (openstack/keystone-api).
    #[arg(value_name = "NAMESPACE/NAME")]
    pub target: String,

    /// Fewer ready endpoints than this is a problem.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_endpoints: u32,
}

/// The flags, validated.
pub struct Config {
    pub check: Check,
    pub access: Access,
}

/// The check asked for, validated.
pub enum Check {
    Apiserver(ApiserverCheck),
    Pods(PodsCheck),
    Deployment(DeploymentCheck),
    Service(ServiceCheck),
}

pub struct ApiserverCheck {
    pub path: String,
    pub max_latency: Option<Duration>,
}

pub struct PodsCheck {
    /// Known when the flags are read only if --node was given: NODE_NAME comes from
    /// the pod's environment, which a config linted off the node does not have.
    pub node: Option<String>,
    /// The collection to list: every namespace's pods, or one namespace's.
    pub path: String,
    pub selector: Option<String>,
    pub not_ready_for: Option<Duration>,
    pub terminating_for: Option<Duration>,
    pub max_restarts: Option<u64>,
}

pub struct DeploymentCheck {
    pub target: Target,
    pub min_available: u32,
}

pub struct ServiceCheck {
    pub target: Target,
    pub min_endpoints: u32,
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        let access = access(args.access)?;
        let check = match args.check {
            CheckArgs::Apiserver(a) => Check::Apiserver(apiserver(a)?),
            CheckArgs::Pods(a) => Check::Pods(pods(a)?),
            CheckArgs::Deployment(a) => Check::Deployment(DeploymentCheck {
                target: Target::parse(&a.target, "deployment")?,
                min_available: at_least_one(a.min_available, "--min-available")?,
            }),
            CheckArgs::Service(a) => Check::Service(ServiceCheck {
                target: Target::parse(&a.target, "service")?,
                min_endpoints: at_least_one(a.min_endpoints, "--min-endpoints")?,
            }),
        };
        Ok(Config { check, access })
    }
}

fn access(args: AccessArgs) -> Result<Access> {
    if let Some(path) = args.kubeconfig {
        return Ok(Access::Kubeconfig(path));
    }
    let Some(server) = args.server else {
        return Ok(Access::InCluster {
            token_file: args
                .token_file
                .unwrap_or_else(|| PathBuf::from(SA_DIR).join("token")),
            ca_file: args
                .ca_file
                .unwrap_or_else(|| PathBuf::from(SA_DIR).join("ca.crt")),
        });
    };
    let url = Url::parse(&server).map_err(|e| Error::config(format!("--server: {e}")))?;
    if url.target != "/" && url.target.contains('?') {
        return Err(Error::config(
            "--server: a query has no place in the server URL",
        ));
    }
    if server.starts_with("https://") && args.ca_file.is_none() {
        return Err(Error::config(
            "--server https:// needs --ca-file (the system CA store is never used)",
        ));
    }
    Ok(Access::Server {
        server: server.trim_end_matches('/').to_string(),
        token_file: args.token_file,
        ca_file: args.ca_file,
    })
}

fn apiserver(args: ApiserverArgs) -> Result<ApiserverCheck> {
    if !args.path.starts_with('/') || args.path.bytes().any(|b| b <= b' ') {
        return Err(Error::config(
            "--path must be an absolute path such as /readyz",
        ));
    }
    if args.max_latency.is_some_and(|d| d.is_zero()) {
        return Err(Error::config("--max-latency must be above 0"));
    }
    Ok(ApiserverCheck {
        path: args.path,
        max_latency: args.max_latency,
    })
}

fn pods(args: PodsArgs) -> Result<PodsCheck> {
    let node = args.node.filter(|n| !n.is_empty());
    if let Some(n) = &node {
        check_node(n)?;
    }
    let path = match &args.namespace {
        Some(ns) if !is_dns_name(ns, 63) || ns.contains('.') => {
            return Err(Error::config(format!(
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
            return Err(Error::config(format!("{flag} must be above 0")));
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

/// A node name as the API writes it; config when given by a flag.
pub fn check_node(node: &str) -> Result<()> {
    if is_dns_name(node, 253) {
        Ok(())
    } else {
        Err(Error::config(format!(
            "node name {node:?} is not a node name"
        )))
    }
}

fn at_least_one(n: u32, flag: &str) -> Result<u32> {
    if n == 0 {
        return Err(Error::config(format!(
            "{flag} 0 would never find a problem"
        )));
    }
    Ok(n)
}
