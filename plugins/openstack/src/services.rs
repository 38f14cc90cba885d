//! The three questions, each one GET: nova's os-services, neutron's agents,
//! cinder's os-services for this host, and how their answers are judged.
//!
//! Judging is separate from asking (plain functions on parsed rows) so that every
//! rule is unit-tested without a cloud; whether a down row is this host's problem or
//! a shared outage is `guard`'s.

use npd_plugin::timestamp::rfc3339_or_utc;
use npd_plugin::{Error, Result};
use serde::Deserialize;

use crate::json::json_reason;
use crate::stamp;

/// One service or agent of this host, as the control plane sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `nova-compute`, `neutron-l3-agent`, `cinder-volume`.
    pub binary: String,
    /// Neutron's `agent_type` ("L3 agent"); empty for nova and cinder.
    pub kind: String,
    /// The host as the service writes it (`node-a`, cinder's `node-a@lvm`).
    pub host: String,
    pub up: bool,
    pub enabled: bool,
    pub forced_down: bool,
    pub disabled_reason: Option<String>,
    /// The last heartbeat, seconds since the epoch, when the service says.
    pub last_seen: Option<i64>,
}

/// What went wrong with one row, most serious first.
pub fn judge_row(row: &Row, allow_disabled: bool) -> Option<String> {
    let who = if row.binary.starts_with("cinder") {
        format!("{} {}", row.binary, row.host)
    } else {
        format!("{} on {}", row.binary, row.host)
    };
    if row.forced_down {
        return Some(format!("{who} forced down"));
    }
    if !row.up {
        return Some(match row.last_seen {
            Some(t) => format!("{who} down since {}", stamp::format(t)),
            None => format!("{who} down"),
        });
    }
    if !row.enabled && !allow_disabled {
        if !row.kind.is_empty() {
            return Some(format!("{who} admin down"));
        }
        return Some(match row.disabled_reason.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => format!("{who} disabled: {r}"),
            _ => format!("{who} disabled"),
        });
    }
    None
}

/// The host part of a service's host as the service writes it: cinder appends
/// `@backend` and `#pool`.
pub fn base_host(service_host: &str) -> &str {
    service_host
        .split(['@', '#'])
        .next()
        .unwrap_or(service_host)
}

/// Whether `service_host` (as a service writes it) is `host`.
pub fn same_host(service_host: &str, host: &str) -> bool {
    base_host(service_host).eq_ignore_ascii_case(host)
}

/// Nova's and cinder's `{"services": [...]}`.
pub fn parse_services(body: &[u8]) -> Result<Vec<Row>> {
    #[derive(Deserialize)]
    struct Body {
        services: Vec<Service>,
    }
    #[derive(Deserialize)]
    struct Service {
        binary: String,
        host: String,
        state: String,
        status: String,
        #[serde(default)]
        forced_down: bool,
        #[serde(default)]
        disabled_reason: Option<String>,
        #[serde(default)]
        updated_at: Option<String>,
    }
    let b: Body = serde_json::from_slice(body).map_err(|e| Error::unobserved(json_reason(&e)))?;
    Ok(b.services
        .into_iter()
        .map(|s| Row {
            binary: s.binary,
            kind: String::new(),
            host: s.host,
            up: s.state == "up",
            enabled: s.status == "enabled",
            forced_down: s.forced_down,
            disabled_reason: s.disabled_reason,
            last_seen: s.updated_at.as_deref().and_then(rfc3339_or_utc),
        })
        .collect())
}

/// Neutron's `{"agents": [...]}`; an agent administratively down is "disabled".
pub fn parse_agents(body: &[u8]) -> Result<Vec<Row>> {
    #[derive(Deserialize)]
    struct Body {
        agents: Vec<Agent>,
    }
    #[derive(Deserialize)]
    struct Agent {
        #[serde(default)]
        binary: String,
        #[serde(default)]
        agent_type: String,
        #[serde(default)]
        host: String,
        alive: bool,
        #[serde(default = "yes")]
        admin_state_up: bool,
        #[serde(default)]
        heartbeat_timestamp: Option<String>,
    }
    fn yes() -> bool {
        true
    }
    let b: Body = serde_json::from_slice(body).map_err(|e| Error::unobserved(json_reason(&e)))?;
    Ok(b.agents
        .into_iter()
        .map(|a| Row {
            binary: a.binary,
            kind: a.agent_type,
            host: a.host,
            up: a.alive,
            enabled: a.admin_state_up,
            forced_down: false,
            disabled_reason: (!a.admin_state_up).then(|| "admin down".to_string()),
            last_seen: a.heartbeat_timestamp.as_deref().and_then(rfc3339_or_utc),
        })
        .collect())
}

/// `value` as a URL query value.
pub fn query_escape(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(binary: &str, host: &str) -> Row {
        Row {
            binary: binary.into(),
            kind: String::new(),
            host: host.into(),
            up: true,
            enabled: true,
            forced_down: false,
            disabled_reason: None,
            last_seen: None,
        }
    }

    #[test]
    fn rows_are_judged_most_serious_first() {
        let ok = row("nova-compute", "node-a");
        assert_eq!(judge_row(&ok, false), None);
        let down = Row {
            up: false,
            last_seen: Some(0),
            ..ok.clone()
        };
        assert_eq!(
            judge_row(&down, false).unwrap(),
            "nova-compute on node-a down since 1970-01-01 00:00:00Z"
        );
        let forced = Row {
            up: false,
            forced_down: true,
            enabled: false,
            ..ok.clone()
        };
        assert_eq!(
            judge_row(&forced, false).unwrap(),
            "nova-compute on node-a forced down"
        );
        let off = Row {
            enabled: false,
            disabled_reason: Some("maintenance".into()),
            ..ok.clone()
        };
        assert_eq!(
            judge_row(&off, false).unwrap(),
            "nova-compute on node-a disabled: maintenance"
        );
        assert_eq!(judge_row(&off, true), None);
        let vol = Row {
            enabled: false,
            ..row("cinder-volume", "node-a@lvm")
        };
        assert_eq!(
            judge_row(&vol, false).unwrap(),
            "cinder-volume node-a@lvm disabled"
        );
        let agent = Row {
            kind: "L3 agent".into(),
            enabled: false,
            ..row("neutron-l3-agent", "n")
        };
        assert_eq!(
            judge_row(&agent, false).unwrap(),
            "neutron-l3-agent on n admin down"
        );
    }

    #[test]
    fn cinder_hosts_carry_backend_and_pool() {
        assert!(same_host("node-a@lvm", "node-a"));
        assert!(same_host("node-a@lvm#pool1", "node-a"));
        assert!(same_host("Node-A", "node-a"));
        assert!(!same_host("node-ab@lvm", "node-a"));
    }

    #[test]
    fn both_timestamp_forms_parse() {
        let nova = br#"{"services": [{"binary": "nova-compute", "host": "n", "state": "down",
            "status": "enabled", "updated_at": "2026-11-22T06:46:44.250904", "disabled_reason": null}]}"#;
        assert_eq!(
            parse_services(nova).unwrap()[0].last_seen,
            rfc3339_or_utc("2026-11-22 06:46:44")
        );
        let neutron = br#"{"agents": [{"binary": "neutron-l3-agent", "agent_type": "L3 agent",
            "host": "n", "alive": false, "admin_state_up": false,
            "heartbeat_timestamp": "2026-11-22 07:03:18.012496"}]}"#;
        let a = &parse_agents(neutron).unwrap()[0];
        assert_eq!(a.last_seen, rfc3339_or_utc("2026-11-22T07:03:18"));
        assert!(!a.enabled && !a.up);
        assert!(parse_services(b"{\"servers\": []}").is_err());
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("node-a.example"), "node-a.example");
        assert_eq!(query_escape("a b&c"), "a%20b%26c");
    }
}
