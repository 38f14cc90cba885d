//! The questions about what the services hold for this host rather than its
//! services' heartbeats: its hypervisor in nova's list (and, only when it looks
//! down, nova-compute cloud-wide for the shared-outage guard); the volumes in error
//! on its cinder backends.

use npd_plugin::{explain, Result};

use super::api::Api;
use super::{cinder_base, fleet, CINDER_VERSION};
use crate::config::Subject;
use crate::guard::Tally;
use crate::hypervisor::{self, Hypervisor};
use crate::services::query_escape;
use crate::volumes::{self, Seen};

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

/// Cinder's volumes in error cloud-wide, page by page (cinder's osapi_max_limit,
/// 1000 by default, bounds a page; the marker is the last volume seen), sorted into
/// this host's. Cinder filters by status itself, so a healthy cloud's answer is
/// small.
pub(super) fn volumes(api: &mut Api, host: String) -> Result<Seen> {
    let base = cinder_base(api)?;
    let first = format!("{base}/volumes/detail?all_tenants=1&status=error");
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let url = match &marker {
            Some(m) => format!("{first}&marker={}", query_escape(m)),
            None => first.clone(),
        };
        let page = api.get("cinder-api", &url, Some(CINDER_VERSION), volumes::parse)?;
        let last = page.volumes.last().map(|(id, _)| id.clone());
        listed.extend(page.volumes);
        // A cinder that ignored the marker would hand the same page back forever.
        match last {
            Some(l) if page.more && marker.as_ref() != Some(&l) => marker = Some(l),
            _ => break,
        }
    }
    let seen = Seen::of(&host, listed);
    explain!(
        api.ctx,
        "volumes in error cloud-wide: {} ({} without a host, never counted); on {host}'s \
         backends: {}",
        seen.total,
        seen.hostless,
        seen.mine.len()
    );
    for (id, on) in &seen.mine {
        explain!(api.ctx, "volume {id} in error on {on}");
    }
    Ok(seen)
}
