//! The HTTP calls the check makes, each bounded by the run's deadline, through one
//! `http-probe` client: GETs, and the one POST Keystone needs (`/v3/auth/tokens`).
//!
//! TLS trusts only the CA asked for (`--ca-file`, the cloud's `cacert`), else the
//! host's bundle, loaded once per run and only for an https:// URL; a self-signed
//! Keystone certificate given as its own CA is trusted, its names and dates checked
//! (`http_probe`'s verifier). Every failure is a `String` for the one-line answer:
//! whatever failed, TLS included, the check cannot judge (the APIs are only the way
//! to ask), so the caller turns it into Unknown; a TLS failure keeps
//! `http_probe`'s words ("keystone: TLS: certificate expired 2026-01-02").

use std::path::PathBuf;
use std::time::Instant;

use http_probe::{Body, Client, ClientOptions, FailureKind, Response, TlsOptions, Url};

/// Service lists of a large cloud (every compute host) fit; anything larger is not
/// an answer to these queries.
pub const BODY_LIMIT: usize = 16 << 20;

/// An answer: its status, headers and the whole body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

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
            body_limit: BODY_LIMIT,
            user_agent: Some("npd-openstack".into()),
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
    ) -> Result<Reply, String> {
        let url = Url::parse(url).map_err(|e| format!("{what} URL {url}: {e}"))?;
        let resp = self.client.get_with(&url, &owned(headers), deadline);
        self.reply(what, resp)
    }

    /// POSTs a JSON `body` to `url`; redirects are not followed (Keystone answers
    /// 201 directly).
    pub fn post_json(
        &self,
        what: &str,
        url: &str,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Reply, String> {
        let url = Url::parse(url).map_err(|e| format!("{what} URL {url}: {e}"))?;
        let body = Body {
            content_type: "application/json",
            bytes: body,
        };
        let resp = self.client.post(&url, &[], &body, deadline);
        self.reply(what, resp)
    }

    fn reply(
        &self,
        what: &str,
        resp: Result<Response, http_probe::Failure>,
    ) -> Result<Reply, String> {
        let resp = resp.map_err(|f| self.failed(what, f))?;
        if resp.body_cut {
            return Err(format!(
                "{what} answer larger than {} MiB",
                BODY_LIMIT >> 20
            ));
        }
        Ok(Reply {
            status: resp.status,
            headers: resp.headers,
            body: resp.body,
        })
    }

    fn failed(&self, what: &str, f: http_probe::Failure) -> String {
        match f.kind {
            FailureKind::Timeout => {
                format!("{what} did not answer in {} ({})", self.patience, f.message)
            }
            // It was reached: its certificate, its TLS or our credentials were refused.
            FailureKind::Tls | FailureKind::ClientAuth => format!("{what}: {}", f.message),
            _ => format!("{what} unreachable: {}", f.message),
        }
    }
}

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}
