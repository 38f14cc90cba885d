//! `hypervisor`: this host's compute node as nova lists it (`os-hypervisors`), which
//! nova builds from the node's resource reports, not from the service heartbeat
//! alone: a compute node never registered, or deleted with its service, is missing
//! from the list while `os-services` may still show a row.
//!
//! Which hypervisors are this host's: nova names a hypervisor by the virt driver's
//! node name (`hypervisor_hostname`, libvirt's is the FQDN the host resolves) and
//! keeps the nova-compute service host beside it (`service.host`, the `host` setting,
//! often the short name). One is this host's when its service host is the host name
//! (as `compute` matches), or its hypervisor_hostname is that name, or the two differ
//! only by a domain on one side: `node-a` matches `node-a.example.com` and the other
//! way round; two different domains never match. Case is ignored, as DNS does.
//!
//! `status: disabled` is an operator's decision (the compute service was disabled,
//! usually to empty the host for maintenance): the check answers OK and says so,
//! since `compute` already judges the disabled service and one cause should raise one
//! condition. `state: down` is nova not hearing the node: a problem, disabled or not.

use npd_plugin::{Error, Outcome, Result};
use serde::Deserialize;

use crate::json::json_reason;
use crate::services::Row;

/// One hypervisor as nova lists it (microversion 2.53, detail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hypervisor {
    pub hypervisor_hostname: String,
    /// The nova-compute service's host; empty when nova did not say.
    pub service_host: String,
    pub up: bool,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
}

impl Hypervisor {
    /// As a nova-compute row, for the shared-outage guard.
    pub fn as_row(&self) -> Row {
        Row {
            binary: "nova-compute".into(),
            kind: String::new(),
            host: self.service_host.clone(),
            up: self.up,
            enabled: self.enabled,
            forced_down: false,
            disabled_reason: self.disabled_reason.clone(),
            last_seen: None,
        }
    }
}

/// The part of `name` before its first dot.
pub fn short(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// Whether `a` and `b` name one host: equal, or one is short and the other is it
/// with a domain.
pub fn same_name(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let (a_dot, b_dot) = (a.contains('.'), b.contains('.'));
    (!a_dot && b_dot && short(b).eq_ignore_ascii_case(a))
        || (a_dot && !b_dot && short(a).eq_ignore_ascii_case(b))
}

/// Whether `h` is `host`'s hypervisor.
pub fn is_this_host(h: &Hypervisor, host: &str) -> bool {
    (!h.service_host.is_empty() && same_name(&h.service_host, host))
        || same_name(&h.hypervisor_hostname, host)
}

/// Nova's `{"hypervisors": [...]}` of `os-hypervisors/detail`.
pub fn parse(body: &[u8]) -> Result<Vec<Hypervisor>> {
    #[derive(Deserialize)]
    struct Body {
        hypervisors: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        hypervisor_hostname: String,
        state: String,
        status: String,
        #[serde(default)]
        service: Option<Service>,
    }
    #[derive(Deserialize)]
    struct Service {
        #[serde(default)]
        host: Option<String>,
        #[serde(default)]
        disabled_reason: Option<String>,
    }
    let b: Body = serde_json::from_slice(body).map_err(|e| Error::unobserved(json_reason(&e)))?;
    Ok(b.hypervisors
        .into_iter()
        .map(|h| {
            let service = h.service.unwrap_or(Service {
                host: None,
                disabled_reason: None,
            });
            Hypervisor {
                hypervisor_hostname: h.hypervisor_hostname,
                service_host: service.host.unwrap_or_default(),
                up: h.state == "up",
                enabled: h.status == "enabled",
                disabled_reason: service.disabled_reason,
            }
        })
        .collect())
}

/// Whether a 404 of the pattern search is nova's "no hypervisor matching": its
/// `itemNotFound` body. Any other 404 (a wrong endpoint, a proxy) says nothing.
pub fn is_no_match(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("itemNotFound").cloned())
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .is_some_and(|m| m.contains("hypervisor"))
}

/// This host's hypervisors judged (the guard has already spoken on a down one):
/// none is a problem unless `missing_ok`; a down one is; a disabled one is OK,
/// said in the line.
pub fn verdict(mine: &[Hypervisor], host: &str, missing_ok: bool) -> Outcome {
    if mine.is_empty() {
        return if missing_ok {
            Outcome::ok("no hypervisor registered for this host")
        } else {
            Outcome::problem(format!("no hypervisor of {host} in nova"))
        };
    }
    let problems: Vec<String> = mine
        .iter()
        .filter(|h| !h.up)
        .map(|h| {
            let parked = if h.enabled { "" } else { " (disabled)" };
            format!("hypervisor {} down{parked}", h.hypervisor_hostname)
        })
        .collect();
    let ok = if mine.iter().all(|h| h.enabled) {
        "hypervisor is up and enabled"
    } else {
        "hypervisor is up, disabled by an operator"
    };
    Outcome::from_problems(problems, ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use npd_plugin::Status;

    fn hv(name: &str, service: &str, up: bool, enabled: bool) -> Hypervisor {
        Hypervisor {
            hypervisor_hostname: name.into(),
            service_host: service.into(),
            up,
            enabled,
            disabled_reason: None,
        }
    }

    #[test]
    fn fqdn_and_short_name_match_one_way_or_the_other() {
        assert!(same_name("node-a", "node-a.example.com"));
        assert!(same_name("NODE-A.example.com", "node-a"));
        assert!(same_name("node-a.example.com", "node-a.example.com"));
        assert!(!same_name("node-a.dc1.example", "node-a.dc2.example"));
        assert!(!same_name("node-ab", "node-a.example.com"));
        assert!(!same_name("node-a", "node-ab"));
        let fqdn = hv("node-a.example.com", "other", true, true);
        assert!(is_this_host(&fqdn, "node-a"));
        let by_service = hv("baremetal-7", "node-a", true, true);
        assert!(is_this_host(&by_service, "node-a.example.com"));
        assert!(!is_this_host(
            &hv("node-ab.example.com", "node-ab", true, true),
            "node-a"
        ));
    }

    #[test]
    fn nova_detail_parses_and_no_match_is_recognised() {
        let body = br#"{"hypervisors": [{"id": "1f4e", "hypervisor_hostname": "node-a.example.com",
            "state": "down", "status": "disabled", "hypervisor_type": "QEMU",
            "service": {"id": "9a", "host": "node-a", "disabled_reason": "ops"}}]}"#;
        let h = &parse(body).unwrap()[0];
        assert_eq!((h.up, h.enabled), (false, false));
        assert_eq!(h.service_host, "node-a");
        assert!(parse(b"{\"services\": []}").is_err());
        let nf = br#"{"itemNotFound": {"code": 404, "message": "No hypervisor matching 'x' could be found."}}"#;
        assert!(is_no_match(nf));
        assert!(!is_no_match(b"<html>404 Not Found</html>"));
    }

    #[test]
    fn down_is_a_problem_and_disabled_is_said() {
        let up = verdict(&[hv("n.example", "n", true, true)], "n", false);
        assert_eq!(
            (up.status, up.message.as_str()),
            (Status::Ok, "hypervisor is up and enabled")
        );
        let parked = verdict(&[hv("n.example", "n", true, false)], "n", false);
        assert_eq!(parked.status, Status::Ok);
        assert_eq!(parked.message, "hypervisor is up, disabled by an operator");
        let down = verdict(&[hv("n.example", "n", false, false)], "n", false);
        assert_eq!(down.status, Status::Problem);
        assert_eq!(down.message, "hypervisor n.example down (disabled)");
        let none = verdict(&[], "n", false);
        assert_eq!(
            (none.status, none.message.as_str()),
            (Status::Problem, "no hypervisor of n in nova")
        );
        assert_eq!(verdict(&[], "n", true).status, Status::Ok);
    }
}
