//! `volumes`: volumes in `error` state on this host's cinder backends, the "volumes
//! in error state" of OpenStack's monitoring advice, listed cloud-wide by cinder
//! (`volumes/detail?all_tenants=1&status=error`, admin) and counted by their
//! backend: `os-vol-host-attr:host` is `host@backend#pool`, and its host part is
//! matched as `volume` matches cinder-volume rows. A volume with no host failed
//! before any backend took it (no valid host for the scheduler): the cloud's
//! problem, never this node's, so it is never counted.

use npd_plugin::{Error, Outcome, Result};
use serde::Deserialize;

use crate::json::json_reason;
use crate::services::same_host;

/// One page of cinder's volume list.
#[derive(Debug, Default)]
pub struct Page {
    /// (id, host) of each volume; the host is empty when cinder gave none.
    pub volumes: Vec<(String, String)>,
    /// Cinder said there is a next page.
    pub more: bool,
}

/// Cinder's `{"volumes": [...], "volumes_links": [...]}`.
pub fn parse(body: &[u8]) -> Result<Page> {
    #[derive(Deserialize)]
    struct Body {
        volumes: Vec<Volume>,
        #[serde(default)]
        volumes_links: Vec<Link>,
    }
    #[derive(Deserialize)]
    struct Volume {
        id: String,
        #[serde(default, rename = "os-vol-host-attr:host")]
        host: Option<String>,
    }
    #[derive(Deserialize)]
    struct Link {
        #[serde(default)]
        rel: String,
    }
    let b: Body = serde_json::from_slice(body).map_err(|e| Error::unobserved(json_reason(&e)))?;
    Ok(Page {
        more: b.volumes_links.iter().any(|l| l.rel == "next"),
        volumes: b
            .volumes
            .into_iter()
            .map(|v| (v.id, v.host.unwrap_or_default()))
            .collect(),
    })
}

/// What a run saw: the error volumes of this host's backends, of all listed.
pub struct Seen {
    pub host: String,
    /// (id, host@backend#pool) of this host's volumes in error.
    pub mine: Vec<(String, String)>,
    /// Volumes in error cloud-wide, and of those without a host.
    pub total: usize,
    pub hostless: usize,
}

impl Seen {
    /// Sorts the listed volumes: this host's, and the hostless ones counted.
    pub fn of(host: &str, listed: Vec<(String, String)>) -> Seen {
        let total = listed.len();
        let hostless = listed.iter().filter(|(_, h)| h.trim().is_empty()).count();
        let mine = listed
            .into_iter()
            .filter(|(_, h)| !h.trim().is_empty() && same_host(h, host))
            .collect();
        Seen {
            host: host.to_string(),
            mine,
            total,
            hostless,
        }
    }
}

/// More than `max` of this host's volumes in error is a problem, named by the
/// first one's backend and id.
pub fn verdict(seen: &Seen, max: u32) -> Outcome {
    let n = seen.mine.len();
    if n as u64 > u64::from(max) {
        let (id, backend) = &seen.mine[0];
        let backend = backend.split('#').next().unwrap_or(backend);
        return Outcome::problem(format!("volumes in error on {backend} {n} > {max}: {id}"));
    }
    if max == 0 {
        Outcome::ok("no volumes in error on this host")
    } else {
        Outcome::ok(format!("volumes in error on this host: not over {max}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use npd_plugin::Status;

    fn v(id: &str, host: &str) -> (String, String) {
        (id.into(), host.into())
    }

    #[test]
    fn only_this_hosts_backends_count_never_hostless_volumes() {
        let seen = Seen::of(
            "node-a",
            vec![
                v("1", "node-a@lvm#pool"),
                v("2", ""),
                v("3", "node-ab@lvm#pool"),
                v("4", "NODE-A@ceph"),
            ],
        );
        assert_eq!((seen.mine.len(), seen.total, seen.hostless), (2, 4, 1));
        let out = verdict(&seen, 0);
        assert_eq!(out.status, Status::Problem);
        assert_eq!(out.message, "volumes in error on node-a@lvm 2 > 0: 1");
        assert_eq!(verdict(&seen, 2).status, Status::Ok);
        let none = Seen::of("node-a", vec![v("2", "")]);
        let out = verdict(&none, 0);
        assert_eq!(
            (out.status, out.message.as_str()),
            (Status::Ok, "no volumes in error on this host")
        );
    }

    #[test]
    fn cinder_pages_parse() {
        let body = br#"{"volumes": [{"id": "a", "status": "error", "os-vol-host-attr:host": null},
            {"id": "b", "os-vol-host-attr:host": "n@lvm#p"}],
            "volumes_links": [{"href": "http://c/v3/p/volumes/detail?marker=b", "rel": "next"}]}"#;
        let p = parse(body).unwrap();
        assert!(p.more);
        assert_eq!(p.volumes, vec![v("a", ""), v("b", "n@lvm#p")]);
        assert!(!parse(br#"{"volumes": []}"#).unwrap().more);
        assert!(parse(b"{}").is_err());
    }
}
