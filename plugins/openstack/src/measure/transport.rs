//! The HTTP calls of a run through `http_probe`'s client: GETs, and the one POST
//! Keystone needs (`/v3/auth/tokens`), each bounded by the run's deadline, no
//! redirect followed (an API answers where it is asked).
//!
//! TLS trusts only the CA asked for (`--ca-file`, the cloud's `cacert`), else the
//! host's bundle, loaded once per run and only for an https:// URL. Keystone and the
//! APIs are only the way to ask ([`Role::WayToAsk`]): whatever failed, TLS included,
//! is Unknown, and a TLS failure keeps `http_probe`'s words ("keystone: TLS:
//! certificate expired 2026-01-02").

use std::path::PathBuf;
use std::time::Instant;

use http_probe::{
    Client, ClientOptions, Failure, FailureKind, Payload, Reply, Request, Role, TlsOptions, Url,
};
use npd_plugin::{Error, Result};

/// Service lists of a large cloud (every compute host) fit; anything larger is not
/// an answer to these queries.
pub const BODY_LIMIT: usize = 16 << 20;

pub struct Transport {
    /// The run's `--timeout`, for "did not answer in 4s".
    patience: String,
    client: Client,
}

impl Transport {
    pub fn new(ca_file: Option<PathBuf>, system_root: PathBuf, patience: String) -> Transport {
        let client = Client::new(ClientOptions {
            headers: vec![("Accept".into(), "application/json".into())],
            tls: TlsOptions {
                ca_file,
                system_root: Some(system_root),
                ..Default::default()
            },
            user_agent: Some("npd-openstack".into()),
            ..Default::default()
        });
        Transport { patience, client }
    }

    /// GETs `url` with `headers`; `what` names the service in messages ("nova-api").
    pub fn get(
        &self,
        what: &str,
        url: &str,
        headers: &[(&str, &str)],
        deadline: Instant,
    ) -> Result<Reply> {
        let url = parse(what, url)?;
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        self.call(what, &Request::get(&url, &headers), deadline)
    }

    /// POSTs a JSON `body` to `url`.
    pub fn post_json(
        &self,
        what: &str,
        url: &str,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Reply> {
        let url = parse(what, url)?;
        let payload = Payload {
            content_type: "application/json",
            bytes: body,
        };
        self.call(what, &Request::post(&url, &[], payload), deadline)
    }

    fn call(&self, what: &str, req: &Request, deadline: Instant) -> Result<Reply> {
        let reply = self
            .client
            .fetch(req, deadline, BODY_LIMIT)
            .map_err(|f| self.failed(what, &f))?;
        if reply.cut {
            return Err(Error::unobserved(format!(
                "{what} answer larger than {} MiB",
                BODY_LIMIT >> 20
            )));
        }
        Ok(reply)
    }

    fn failed(&self, what: &str, f: &Failure) -> Error {
        let words = match f.kind {
            FailureKind::Timeout => {
                format!("{what} did not answer in {} ({})", self.patience, f.message)
            }
            // It was reached: its certificate, its TLS or our credentials were refused.
            FailureKind::Tls | FailureKind::ClientAuth => format!("{what}: {}", f.message),
            _ => format!("{what} unreachable: {}", f.message),
        };
        f.error(Role::WayToAsk, words)
    }
}

fn parse(what: &str, url: &str) -> Result<Url> {
    Url::parse(url).map_err(|e| Error::config(format!("{what} URL {url}: {e}")))
}
