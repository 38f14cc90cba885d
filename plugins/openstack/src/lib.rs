//! `npd-openstack`: is this host's OpenStack service alive as the control plane sees
//! it? nova-compute up and enabled (`compute`), this host's neutron agents alive and
//! administratively up (`network`), cinder-volume up and enabled (`volume`), this
//! host's hypervisor listed by nova and up (`hypervisor`), no volume in error on
//! its cinder backends (`volumes`); and, read
//! from the host alone, the daemons the agents run per network or router in their
//! namespaces (`namespaces`: dnsmasq in qdhcp-, keepalived in HA routers' qrouter-).
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
//! - [`config`] validates the flags;
//! - [`measure`] does every read and request of a run: the credentials' sources
//!   (`cloud`), Keystone and the token cache (`keystone`, `api`), HTTP through
//!   `http_probe` (`transport`), this host's rows and, when one looks down, its
//!   binary cloud-wide;
//! - [`judge`] gives the verdict: the rules per row ([`services`]), per
//!   hypervisor ([`hypervisor`]) and the shared-outage guard ([`guard`]);
//!   [`json`] reads the services' error bodies, [`stamp`] shows their times.

pub mod config;
pub mod guard;
pub mod hypervisor;
pub mod json;
pub mod judge;
pub mod measure;
pub mod netns;
pub mod services;
pub mod stamp;
pub mod volumes;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config, Subject};

pub struct OpenStack;

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
host@backend: every backend of this host is judged. `hypervisor` finds this host's
hypervisor in nova by its service host or its hypervisor_hostname (often the FQDN):
a name with a domain matches the same name without one, either way round
(node-a is node-a.example.com), two different domains never match.

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

    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx)?;
        judge::judge(config, &measured, ctx)
    }
}
