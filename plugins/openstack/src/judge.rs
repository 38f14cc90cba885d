//! The verdict on the agents' namespaces is [`crate::netns`]'s. The verdict on this
//! host's rows: none is "not registered" (unless --missing-ok);
//! rows judged one by one ([`crate::services`]), a row merely down checked against
//! its binary cloud-wide ([`crate::guard`]). No I/O: the rows and the fleets'
//! tallies are [`crate::measure`]'s.

use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::config::{Config, Subject};
use crate::guard;
use crate::hypervisor;
use crate::measure::{HypervisorSeen, Measured, Services};
use crate::netns;
use crate::stamp;
use crate::volumes;

pub fn judge(config: &Config, m: &Measured, ctx: &Context) -> Result<Outcome> {
    match (m, &config.subject) {
        (Measured::Namespaces(seen), Subject::Namespaces(want)) => Ok(netns::judge(want, seen)),
        (Measured::Services(s), _) => services(config, s, ctx),
        (Measured::Hypervisor(seen), _) => hypervisor(config, seen),
        (Measured::Volumes(seen), Subject::Volumes { max_error_volumes }) => {
            Ok(volumes::verdict(seen, *max_error_volumes))
        }
        (Measured::Volumes(_), _) => unreachable!("volumes are listed for `volumes`"),
        (Measured::Namespaces(_), _) => unreachable!("namespaces are read for `namespaces`"),
    }
}

fn services(config: &Config, m: &Services, ctx: &Context) -> Result<Outcome> {
    let (what, host) = (m.what, &m.host);
    if !m.absent.is_empty() && !config.missing_ok {
        return Ok(Outcome::problem(format!(
            "{} not registered for {host}",
            m.absent.join(", ")
        )));
    }
    for r in &m.rows {
        explain!(
            ctx,
            "{} {} ({}): up {} enabled {} forced_down {} last seen {}",
            r.binary,
            r.host,
            r.kind,
            r.up,
            r.enabled,
            r.forced_down,
            r.last_seen
                .map(stamp::format)
                .unwrap_or_else(|| "unknown".into())
        );
    }
    if m.rows.is_empty() {
        return Ok(if config.missing_ok {
            Outcome::ok(format!("no {what} registered for this host"))
        } else {
            Outcome::problem(format!("{what} not registered for {host}"))
        });
    }
    guard::verdict(&m.rows, m.allow_disabled, &config.guard, m.ok, &m.fleets)
}

/// This host's hypervisor: a down one is first checked against nova-compute
/// cloud-wide (a shared outage is Unknown), then [`hypervisor::verdict`].
fn hypervisor(config: &Config, seen: &HypervisorSeen) -> Result<Outcome> {
    if let Some(shared) = seen
        .fleet
        .and_then(|t| config.guard.outage("nova-compute", t))
    {
        return Err(Error::unobserved(shared));
    }
    Ok(hypervisor::verdict(
        &seen.mine,
        &seen.host,
        config.missing_ok,
    ))
}
