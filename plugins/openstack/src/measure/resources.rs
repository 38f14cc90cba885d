//! The questions about what the services hold for this host rather than its
//! services' heartbeats: its hypervisor in nova's list (and, only when it looks
//! down, nova-compute cloud-wide for the shared-outage guard).

use npd_plugin::{explain, Result};

use super::api::Api;
use super::fleet;
use crate::config::Subject;
use crate::guard::Tally;
use crate::hypervisor::{self, Hypervisor};
use crate::services::query_escape;

/// Pattern search on `os-hypervisors/detail` came with 2.53; from 2.88 the detail
/// view asks each compute host for its uptime over RPC, which a dead host answers
/// only when nova's RPC timeout expires.
const HYPERVISOR_VERSION: (&str, &str) = ("OpenStack-API-Version", "compute 2.53");

/// What a run saw of this host's hypervisor.
pub struct HypervisorSeen {
    pub host: String,
    /// This host's hypervisors (one, or several for a driver with many nodes).
    pub mine: Vec<Hypervisor>,
    /// nova-compute cloud-wide, asked only when one of `mine` is down.
    pub fleet: Option<Tally>,
}

/// Asks nova for hypervisors whose name contains this host's short name (nova
/// matches the pattern as a substring, so the FQDN is found too) and keeps this
/// host's; nova answers 404 when none matches.
pub(super) fn hypervisor(api: &mut Api, host: String) -> Result<HypervisorSeen> {
    let base = api.endpoint(&["compute"])?;
    let url = format!(
        "{base}/os-hypervisors/detail?hypervisor_hostname_pattern={}",
        query_escape(hypervisor::short(&host))
    );
    let listed = api
        .get_or_absent(
            "nova-api",
            &url,
            Some(HYPERVISOR_VERSION),
            hypervisor::parse,
            hypervisor::is_no_match,
        )?
        .unwrap_or_default();
    for h in &listed {
        explain!(
            api.ctx,
            "hypervisor {} (service host {}): state {} status {}{}",
            h.hypervisor_hostname,
            if h.service_host.is_empty() {
                "unknown"
            } else {
                &h.service_host
            },
            if h.up { "up" } else { "down" },
            if h.enabled { "enabled" } else { "disabled" },
            if hypervisor::is_this_host(h, &host) {
                "; this host's"
            } else {
                ""
            }
        );
    }
    let mine: Vec<Hypervisor> = listed
        .into_iter()
        .filter(|h| hypervisor::is_this_host(h, &host))
        .collect();
    let fleet = if mine.iter().any(|h| !h.up) {
        Some(fleet(api, &Subject::Hypervisor, "nova-compute")?)
    } else {
        None
    };
    Ok(HypervisorSeen { host, mine, fleet })
}
