//! HTTP(S) GET and POST with Kubernetes probe semantics, and TCP connects bounded by a
//! deadline, for the plugins that probe endpoints (npd-http, npd-tcp, and the API
//! checks).
//!
//! - [`Client::get`] sends one GET and follows redirects the way the kubelet's HTTP
//!   probe does: only to the same host name, 10 requests at most; a redirect elsewhere is not
//!   followed and its 3xx is the answer. Everything (resolution, connect, TLS, every
//!   read) ends by one deadline.
//! - TLS ([`TlsOptions`], [`tls`], feature `tls`) is set up only when a URL is
//!   https://, and trusts only the CA file given, or else the host's CA bundle. A
//!   server certificate that is itself one of those CA certificates (a self-signed
//!   one, even marked CA:TRUE) is trusted as it is, its names and dates still
//!   checked. npd-kube's API transport uses the same configuration and verifier.
//! - [`net`] has the deadline-bounded resolve, connect and stream on their own.
//!
//! It is not a general HTTP client: GET and POST, HTTP/1.1, one connection per
//! request, bodies read up to a limit.
//!
//! Failures are typed ([`FailureKind`]): whether the endpoint was asked and failed
//! (refused, timeout, TLS, garbage) or could not be asked (unusable CA file, a host
//! name that does not resolve) is the difference between a problem and Unknown.
//!
//! # Whose TLS failure it is
//!
//! The rule every plugin speaking TLS through this crate follows, with the exit codes
//! of the contract (0 OK, 1 problem, 2 Unknown):
//!
//! - The endpoint's side ([`FailureKind::Tls`]): its certificate expired or not yet
//!   valid, for other names, signed by no trusted CA, a CA certificate that is not a
//!   trust anchor presented as a server certificate; no TLS version or cipher in
//!   common; a handshake alert about the handshake itself; a peer that does not
//!   speak TLS. The endpoint was asked and failed: where the endpoint is the check's
//!   subject (npd-http), a problem (1).
//! - The check's configuration ([`FailureKind::Setup`]): an unreadable or garbage CA
//!   file, no CA bundle on the host, a client certificate without its key or with a
//!   key that is not its own, a host name TLS cannot use. Nothing is sent: Unknown (2).
//! - The check's credentials ([`FailureKind::ClientAuth`]): the server wants a client
//!   certificate, or refuses the one sent. It judged the check, not its own health:
//!   Unknown (2), never a problem that could drain a node.
//! - Where the endpoint is only the way to ask (npd-kube's apiserver for its object
//!   checks, Keystone and the OpenStack APIs), every TLS failure is Unknown (2),
//!   whatever its cause, in the same words.
//!
//! Every TLS failure is said in words in [`Failure::message`] ("TLS: certificate
//! expired 2026-01-02", "TLS: certificate is for etcd.example"), never as a library
//! error's debug form; that form is in [`Failure::detail`], for stderr.

mod failure;
pub use failure::{Failure, FailureKind};
mod http;
pub use http::Body;
pub mod net;
#[cfg(feature = "tls")]
pub mod tls;
#[cfg(feature = "tls")]
mod tls_verify;
#[cfg(feature = "tls")]
mod tls_words;
pub mod url;
#[cfg(feature = "tls")]
mod x509;

use std::io::{Read, Write};
#[cfg(feature = "tls")]
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[cfg(feature = "tls")]
pub use tls::{TlsConfig, TlsOptions, SYSTEM_BUNDLES};
pub use url::{Scheme, Url};

/// The kubelet's (Go's) limit: a probe makes at most this many requests.
pub const MAX_REDIRECTS: u32 = 10;
/// The kubelet reads at most 10 KiB of a probe's body; a body regex sees this much.
pub const DEFAULT_BODY_LIMIT: usize = 10 << 10;

/// The answer of the last request made (after redirects).
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// At most the body limit.
    pub body: Vec<u8>,
    /// True when the body was longer than the limit.
    pub body_cut: bool,
    /// The URL that gave this answer.
    pub url: Url,
    /// Redirects followed to get here.
    pub redirects: u32,
    /// From the first connect to the last byte read.
    pub elapsed: Duration,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How requests are made: extra headers (a bearer token, Host), TLS settings, limits.
#[derive(Debug, Default)]
pub struct ClientOptions {
    /// Sent with every request, after the defaults (Host, User-Agent, Accept), which
    /// a header of the same name replaces.
    pub headers: Vec<(String, String)>,
    #[cfg(feature = "tls")]
    pub tls: TlsOptions,
    /// Body bytes kept (`DEFAULT_BODY_LIMIT` when 0).
    pub body_limit: usize,
    /// The User-Agent sent (`npd-checks` when unset).
    pub user_agent: Option<String>,
}

type Trace = dyn Fn(&str) + Send + Sync;

pub struct Client {
    options: ClientOptions,
    #[cfg(feature = "tls")]
    tls: OnceLock<Result<TlsConfig, Failure>>,
    trace: Option<Box<Trace>>,
}

impl Client {
    pub fn new(options: ClientOptions) -> Client {
        Client {
            options,
            #[cfg(feature = "tls")]
            tls: OnceLock::new(),
            trace: None,
        }
    }

    /// Reports each step (connect, redirect) to `trace`, for `--explain`.
    pub fn with_trace(mut self, trace: impl Fn(&str) + Send + Sync + 'static) -> Client {
        self.trace = Some(Box::new(trace));
        self
    }

    fn trace(&self, what: impl FnOnce() -> String) {
        if let Some(t) = &self.trace {
            t(&what());
        }
    }

    /// GETs `url`, following redirects as the kubelet's probe does, all by `deadline`.
    pub fn get(&self, url: &Url, deadline: Instant) -> Result<Response, Failure> {
        self.get_with(url, &[], deadline)
    }

    /// As [`Client::get`], with `headers` added to (or replacing) the client's own
    /// for this request only (a token, an API version).
    pub fn get_with(
        &self,
        url: &Url,
        headers: &[(String, String)],
        deadline: Instant,
    ) -> Result<Response, Failure> {
        let started = Instant::now();
        let mut current = url.clone();
        let mut redirects = 0;
        loop {
            let (head, body, body_cut) = self.exchange("GET", &current, headers, None, deadline)?;
            let location = head.header("location").map(str::to_string);
            let is_redirect = matches!(head.status, 301 | 302 | 303 | 307 | 308);
            let respond = |current: Url| Response {
                status: head.status,
                headers: head.headers.clone(),
                body: body.clone(),
                body_cut,
                url: current,
                redirects,
                elapsed: started.elapsed(),
            };
            let Some(location) = location.filter(|_| is_redirect) else {
                return Ok(respond(current));
            };
            let next = current
                .join(&location)
                .map_err(|e| Failure::new(FailureKind::Redirect, format!("bad redirect: {e}")))?;
            if !next.host.eq_ignore_ascii_case(&url.host) {
                // The kubelet does not follow a probe to another host; the 3xx stands.
                self.trace(|| format!("redirect to {next} not followed (another host)"));
                return Ok(respond(current));
            }
            // As Go's client under the kubelet: ten requests at most, so the tenth
            // redirect is the one refused.
            if redirects + 1 >= MAX_REDIRECTS {
                return Err(Failure::new(
                    FailureKind::Redirect,
                    format!("stopped after {MAX_REDIRECTS} redirects"),
                ));
            }
            redirects += 1;
            self.trace(|| format!("{} redirect to {next}", head.status));
            current = next;
        }
    }

    /// POSTs `body` to `url` with `headers` for this request only; redirects are
    /// not followed (an API that takes a POST answers it where it was sent).
    pub fn post(
        &self,
        url: &Url,
        headers: &[(String, String)],
        body: &Body,
        deadline: Instant,
    ) -> Result<Response, Failure> {
        let started = Instant::now();
        let (head, bytes, body_cut) = self.exchange("POST", url, headers, Some(body), deadline)?;
        Ok(Response {
            status: head.status,
            headers: head.headers,
            body: bytes,
            body_cut,
            url: url.clone(),
            redirects: 0,
            elapsed: started.elapsed(),
        })
    }

    fn exchange(
        &self,
        method: &str,
        url: &Url,
        extra: &[(String, String)],
        body: Option<&Body>,
        deadline: Instant,
    ) -> Result<(http::Head, Vec<u8>, bool), Failure> {
        // TLS settings are checked before any connection: a probe that cannot be made
        // must not touch the endpoint.
        #[cfg(feature = "tls")]
        let tls_config = match url.scheme {
            Scheme::Https => Some(
                self.tls
                    .get_or_init(|| TlsConfig::from_files(&self.options.tls))
                    .clone()?,
            ),
            Scheme::Http => None,
        };
        #[cfg(not(feature = "tls"))]
        if url.scheme == Scheme::Https {
            return Err(Failure::new(
                FailureKind::Setup,
                "https is not supported by this build",
            ));
        }
        let addrs = net::resolve(&url.host, url.port, deadline)?;
        self.trace(|| format!("connecting to {}", url.authority()));
        let sock = net::connect(&addrs, deadline)?;
        let headers = self.request_headers(url, extra);
        let limit = match self.options.body_limit {
            0 => DEFAULT_BODY_LIMIT,
            n => n,
        };
        #[cfg(feature = "tls")]
        if let Some(config) = tls_config {
            let mut stream = config.connect(&url.host, sock)?;
            let request = (method, url.target.as_str(), headers.as_slice(), body);
            return talk(&mut stream, request, limit, &tls::io_failure);
        }
        let mut stream = sock;
        let request = (method, url.target.as_str(), headers.as_slice(), body);
        talk(&mut stream, request, limit, &plain_failure)
    }

    fn request_headers(&self, url: &Url, extra: &[(String, String)]) -> Vec<(String, String)> {
        let agent = self
            .options
            .user_agent
            .clone()
            .unwrap_or_else(|| "npd-checks".to_string());
        let mut headers = vec![
            ("Host".to_string(), url.host_header()),
            ("User-Agent".to_string(), agent),
            ("Accept".to_string(), "*/*".to_string()),
            ("Connection".to_string(), "close".to_string()),
        ];
        for (name, value) in self.options.headers.iter().chain(extra) {
            match headers
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some(slot) => slot.1 = value.clone(),
                None => headers.push((name.clone(), value.clone())),
            }
        }
        headers
    }
}

/// A request as written: method, target, headers, body.
type Request<'a> = (
    &'a str,
    &'a str,
    &'a [(String, String)],
    Option<&'a Body<'a>>,
);

fn talk(
    stream: &mut (impl Read + Write),
    (method, target, headers, body): Request,
    limit: usize,
    io_failure: &dyn Fn(&std::io::Error, &str) -> Failure,
) -> Result<(http::Head, Vec<u8>, bool), Failure> {
    http::write_request(stream, method, target, headers, body)
        .map_err(|e| io_failure(&e, "sending the request"))?;
    http::read_response(stream, limit, io_failure)
}

fn plain_failure(e: &std::io::Error, phase: &str) -> Failure {
    use std::io::ErrorKind::*;
    if net::is_timeout(e) {
        return Failure::new(FailureKind::Timeout, phase.to_string());
    }
    match e.kind() {
        UnexpectedEof | ConnectionReset | BrokenPipe => {
            Failure::new(FailureKind::Protocol, format!("connection closed {phase}"))
        }
        _ => Failure::new(FailureKind::Connect, format!("{phase}: {}", net::short(e))),
    }
}

/// Parses a `Name: value` header as flags give it.
pub fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header {text:?} is not \"Name: value\""))?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("invalid header name {name:?}"));
    }
    let value = value.trim();
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(format!("header {name} has a line break in its value"));
    }
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_flags() {
        assert_eq!(
            parse_header("X-Probe:  yes "),
            Ok(("X-Probe".into(), "yes".into()))
        );
        assert!(parse_header("novalue").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert!(parse_header(": x").is_err());
        assert!(parse_header("A: b\r\nInjected: 1").is_err());
    }

    #[test]
    fn given_headers_replace_defaults() {
        let client = Client::new(ClientOptions {
            headers: vec![
                ("host".into(), "api.local".into()),
                ("X-A".into(), "1".into()),
            ],
            ..Default::default()
        });
        let h = client.request_headers(&Url::parse("http://127.0.0.1:8080/").unwrap(), &[]);
        assert_eq!(h[0], ("Host".into(), "api.local".into()));
        assert_eq!(h.last().unwrap(), &("X-A".to_string(), "1".to_string()));
    }
}
