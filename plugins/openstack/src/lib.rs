//! `npd-openstack`: is this host's OpenStack service alive as the control plane sees
//! it? nova-compute up and enabled (`compute`), this host's neutron agents alive and
//! administratively up (`network`), cinder-volume up and enabled (`volume`).
//!
//! A node whose nova-compute is down is a node the cloud cannot schedule on: that is
//! the node's problem (NonOK). Keystone or an API that cannot be reached, refuses the
//! user, or answers garbage is only the way to ask (Unknown), and so is a shared
//! outage: when a message bus or conductor outage stops every heartbeat, every host
//! looks down, and a binary down on more than `--max-down-fraction` of the hosts and
//! on at least `--min-down-hosts` of them (or on all, from two) is answered Unknown.
//! That fleet-wide listing is only fetched when this host looks down, so a healthy
//! run costs one GET with a cached token.
//!
//! Not here: the credentials' sources (`cloud`), Keystone and the token cache
//! (`keystone`, `api`), HTTP (`transport`), the rules (`services`), the shared-outage
//! guard (`guard`), timestamps (`stamp`).

mod api;
pub mod cloud;
pub mod guard;
pub mod keystone;
mod run;
pub mod services;
pub mod stamp;
pub mod transport;

use std::path::PathBuf;
use std::time::Duration;

use npd_plugin::{units, Context, Outcome, Plugin, Result};

pub struct OpenStack;

/// Flags. Secrets never appear here (they would reach the state key's hash and
/// `--explain`): they come from the environment, clouds.yaml or files.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub subject: Subject,

    /// The cloud to use from clouds.yaml (else the OS_* environment variables).
    #[arg(long, value_name = "NAME", env = "OS_CLOUD", global = true)]
    pub os_cloud: Option<String>,

    /// The clouds.yaml to read (default: the usual search path).
    #[arg(long, value_name = "FILE", global = true)]
    pub os_config: Option<PathBuf>,

    /// Read the password from this file (a mounted Secret).
    #[arg(long, value_name = "FILE", global = true)]
    pub password_file: Option<PathBuf>,

    /// Read the application credential's secret from this file.
    #[arg(long, value_name = "FILE", global = true)]
    pub application_credential_secret_file: Option<PathBuf>,

    /// Trust only this CA for Keystone and the APIs (default: the cloud's cacert,
    /// else the host's CA bundle).
    #[arg(long, value_name = "FILE", global = true)]
    pub ca_file: Option<PathBuf>,

    /// The catalog's region (default: the cloud's, else the first listed).
    #[arg(long, value_name = "NAME", global = true)]
    pub region: Option<String>,

    /// The catalog's interface: public, internal or admin (default: the cloud's, else
    /// public).
    #[arg(long, value_name = "NAME", global = true)]
    pub interface: Option<String>,

    /// This host's name as the OpenStack services know it (default: NODE_NAME, else
    /// the host's /etc/hostname).
    #[arg(long, value_name = "NAME", global = true)]
    pub host: Option<String>,

    /// Use the host name up to its first dot (node-a.example.com -> node-a).
    #[arg(long, global = true)]
    pub strip_domain: bool,

    /// Append this to the host name (node-a -> node-a.example.com), after
    /// --strip-domain.
    #[arg(long, value_name = "SUFFIX", global = true)]
    pub host_suffix: Option<String>,

    /// A host the service has no record of is OK (the service is not meant to run
    /// here) instead of a problem.
    #[arg(long, global = true)]
    pub missing_ok: bool,

    /// A down service is a shared outage (Unknown, not this node's problem) when its
    /// binary is down on more than this share (0..1) of the hosts cloud-wide, and on
    /// at least --min-down-hosts of them. 1 turns the guard off.
    #[arg(long, value_name = "F", default_value_t = 0.2, value_parser = parse_fraction, global = true)]
    pub max_down_fraction: f64,

    /// The fewest hosts a binary must be down on for a shared outage (besides
    /// --max-down-fraction), unless it is down on all of them and they are two or
    /// more: one host down is always judged per host, two unless they are all.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = parse_min_hosts, global = true)]
    pub min_down_hosts: u32,

    /// Authenticate again when the cached token expires within this time.
    #[arg(long, value_name = "DURATION", default_value = "5m",
          value_parser = units::parse_duration, global = true)]
    pub token_renew_before: Duration,
}

#[derive(clap::Subcommand, Debug)]
pub enum Subject {
    /// nova-compute of this host: up, not forced down, enabled.
    Compute {
        /// A disabled nova-compute (an operator's decision) is OK.
        #[arg(long)]
        allow_disabled: bool,
    },
    /// This host's neutron agents: alive and administratively up.
    Network {
        /// Judge only agents of this type or binary (repeatable): "Open vSwitch
        /// agent", "L3 agent", neutron-dhcp-agent... Each one named must exist.
        #[arg(long, value_name = "TYPE")]
        agent_type: Vec<String>,
        /// An agent administratively down (admin_state_up false) is OK.
        #[arg(long)]
        allow_admin_down: bool,
    },
    /// cinder-volume of this host (every backend, host@backend): up and enabled.
    Volume {
        /// A disabled cinder-volume is OK.
        #[arg(long)]
        allow_disabled: bool,
    },
}

// The reasons are short: clap puts "invalid value 'X' for '--flag <F>': " before them
// and NPD shows the first 80 bytes of the line.
fn parse_fraction(text: &str) -> std::result::Result<f64, String> {
    let v: f64 = text.parse().map_err(|_| "not a number".to_string())?;
    if !(0.0..=1.0).contains(&v) {
        return Err("not in 0..1".into());
    }
    Ok(v)
}

fn parse_min_hosts(text: &str) -> std::result::Result<u32, String> {
    match text.parse::<u32>() {
        Ok(0) => Err("must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("not a count".into()),
    }
}

impl Args {
    /// The shared-outage guard these flags set.
    pub fn guard(&self) -> guard::Guard {
        guard::Guard {
            max_fraction: self.max_down_fraction,
            min_hosts: self.min_down_hosts,
        }
    }
}

impl Plugin for OpenStack {
    const NAME: &'static str = "npd-openstack";
    const ABOUT: &'static str = "Judges this host's OpenStack services as the control plane \
        sees them: nova-compute, neutron agents, cinder-volume up and enabled.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "NovaComputeDown",
 "reason": "NovaComputeDown", "path": "/opt/npd-checks/bin/npd-openstack",
 "args": ["compute", "--os-cloud", "monitoring", "--timeout", "8s"], "timeout": "10s"}"#;
    const NOTES: &'static str = "\
Credentials: OS_* environment variables (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD,
OS_PROJECT_NAME, OS_USER_DOMAIN_NAME...; or OS_AUTH_TYPE=v3applicationcredential with
OS_APPLICATION_CREDENTIAL_ID and _SECRET), or --os-cloud NAME from clouds.yaml
(--os-config FILE, else OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml). Secrets may come from
files: --password-file, --application-credential-secret-file.
Listing services and agents needs the admin role under the default policies
(os_compute_api:os-services:list, get_agent, volume_extension:services:index); a
reader-only user gets 403, answered Unknown. An application credential of a
dedicated monitoring user keeps the secret narrow.

Host names: nova, neutron and cinder know a host by its own `host` setting (by default
the host's hostname, often short), Kubernetes by its node name (often the FQDN or a
cloud provider's name). Give --host, or map NODE_NAME with --strip-domain and
--host-suffix; compare with `openstack compute service list`. cinder-volume rows are
host@backend: every backend of this host is judged.

Shared outages: a message bus, conductor or database outage stops every heartbeat, so
every host looks down; that is no node's problem. When this host's service is down
(not forced down), the check lists its binary cloud-wide and answers Unknown when it
is down on more than --max-down-fraction (0.2) of the hosts AND on at least
--min-down-hosts (3) of them, or on all of them when there are two or more. Hosts
disabled or forced down by an operator are left out of both counts; cinder's
host@backend rows count once per host. So in any cloud one host down is that host's
problem (1 of 2 too), and so are two unless they are all there is; every host down
is Unknown from two hosts on; 3 of 10 down is Unknown; from 15 hosts on the share
alone decides (20 of 100: judged per host, 21: Unknown). Three, because two hosts
down at once is common from independent causes (a rack, a maintenance batch) while
a shared cause silences many; the 0.2 keeps a big cloud's usual handful of dead
hosts per host. --min-down-hosts 1 judges by the share alone (then one host down in
a cloud of up to four is Unknown); --max-down-fraction 1 turns the guard off.

Tokens are cached in the state dir (0600) per identity, shared by the three checks,
renewed --token-renew-before expiry or when a service answers 401. Per node and run:
one GET (plus one fleet-wide GET only when this host looks down); one authentication
per token lifetime (1h by default).";

    type Args = Args;
    type Config = Args;

    fn configure(args: Args) -> Result<Args> {
        if let Some(i) = &args.interface {
            if !matches!(
                cloud::normalize_interface(i).as_str(),
                "public" | "internal" | "admin"
            ) {
                return Err(
                    format!("--interface {i:?}: expected public, internal or admin").into(),
                );
            }
        }
        if args.host.as_deref().is_some_and(|h| h.trim().is_empty()) {
            return Err("--host is empty".into());
        }
        Ok(args)
    }

    fn check(args: &Args, ctx: &Context) -> Result<Outcome> {
        run::check(args, ctx)
    }
}

/// A JSON error as a short reason: where it failed, not the whole text.
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => {
            format!("not JSON (line {} column {})", e.line(), e.column())
        }
        Category::Data => format!("unexpected JSON: {e}"),
        Category::Io => format!("unreadable JSON: {e}"),
    }
}
