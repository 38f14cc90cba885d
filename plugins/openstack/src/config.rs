//! The flags of `npd-openstack`, validated into a [`Config`] before anything is read
//! or sent: a misconfigured rule answers "bad flags" (Unknown), never a problem.

use std::path::PathBuf;
use std::time::Duration;

use npd_plugin::{units, Configure, Error, Result};

use crate::guard::Guard;
use crate::netns::Want;

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
    /// This host's hypervisor as nova lists it (os-hypervisors): listed and up.
    ///
    /// Matched by its service host or hypervisor_hostname, a domain on one side
    /// ignored (node-a is node-a.example.com); disabled is OK, said in the line.
    Hypervisor,
    /// Volumes in error state on this host's cinder backends (host@backend#pool),
    /// listed cloud-wide by cinder; a volume without a host never counts.
    Volumes {
        /// A problem when more of this host's volumes than this are in error.
        #[arg(long, value_name = "N", default_value_t = 0)]
        max_error_volumes: u32,
    },
    /// Read from the host, no cloud asked: every network namespace named PREFIX<id>
    /// under /run/netns has a process named PROCESS whose command line names <id>
    /// (dnsmasq per qdhcp- network, keepalived per HA router).
    Namespaces(Want),
}

// The reasons are short: clap puts "invalid value 'X' for '--flag <F>': " before them
// and NPD shows the first 80 bytes of the line.
fn parse_fraction(text: &str) -> Result<f64> {
    let v: f64 = text.parse().map_err(|_| Error::config("not a number"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(Error::config("not in 0..1"));
    }
    Ok(v)
}

fn parse_min_hosts(text: &str) -> Result<u32> {
    match text.parse::<u32>() {
        Ok(0) => Err(Error::config("must be 1 or more")),
        Ok(n) => Ok(n),
        Err(_) => Err(Error::config("not a count")),
    }
}

/// The flags, validated. Secrets are not here either: the credentials are read on
/// each run (`measure`).
pub struct Config {
    pub subject: Subject,
    pub os_cloud: Option<String>,
    pub os_config: Option<PathBuf>,
    pub password_file: Option<PathBuf>,
    pub application_credential_secret_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub region: Option<String>,
    /// public, internal or admin.
    pub interface: Option<String>,
    pub host: HostName,
    pub missing_ok: bool,
    pub guard: Guard,
    pub token_renew_before: Duration,
}

/// How this host is named to the services: given, or NODE_NAME (else the host's
/// /etc/hostname) rewritten.
pub struct HostName {
    pub given: Option<String>,
    pub strip_domain: bool,
    pub suffix: Option<String>,
}

impl HostName {
    /// `name` as the services know it: up to its first dot, then the suffix.
    pub fn rewrite(&self, name: &str) -> String {
        let mut host = if self.strip_domain {
            name.split('.').next().unwrap_or(name).to_string()
        } else {
            name.to_string()
        };
        if let Some(s) = &self.suffix {
            host.push_str(s);
        }
        host
    }
}

/// The catalog's interface as the clients accept it: `publicURL` (the old form) is
/// `public`.
pub fn normalize_interface(text: &str) -> String {
    text.trim().trim_end_matches("URL").to_ascii_lowercase()
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        configure(args)
    }
}

pub fn configure(args: Args) -> Result<Config> {
    let interface = match &args.interface {
        Some(i) => {
            let norm = normalize_interface(i);
            if !matches!(norm.as_str(), "public" | "internal" | "admin") {
                return Err(Error::config(format!(
                    "--interface {i:?}: expected public, internal or admin"
                )));
            }
            Some(norm)
        }
        None => None,
    };
    if let Subject::Namespaces(want) = &args.subject {
        want.validate()?;
    }
    if args.host.as_deref().is_some_and(|h| h.trim().is_empty()) {
        return Err(Error::config("--host is empty"));
    }
    Ok(Config {
        subject: args.subject,
        os_cloud: args.os_cloud,
        os_config: args.os_config,
        password_file: args.password_file,
        application_credential_secret_file: args.application_credential_secret_file,
        ca_file: args.ca_file,
        region: args.region,
        interface,
        host: HostName {
            given: args.host.map(|h| h.trim().to_string()),
            strip_domain: args.strip_domain,
            suffix: args.host_suffix,
        },
        missing_ok: args.missing_ok,
        guard: Guard {
            max_fraction: args.max_down_fraction,
            min_hosts: args.min_down_hosts,
        },
        token_renew_before: args.token_renew_before,
    })
}
