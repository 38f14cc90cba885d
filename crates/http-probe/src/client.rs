//! The client every plugin uses: one request (a method, headers, an optional
//! payload), redirects under the caller's rule, and a response whose body is read as
//! it arrives; resolution, connect, TLS and every read end by one deadline.

use std::io::Read;
#[cfg(feature = "tls")]
use std::sync::OnceLock;
use std::time::Instant;

use crate::body::Body;
use crate::failure::io_failure;
use crate::http::{self, Payload};
use crate::net;
#[cfg(feature = "tls")]
use crate::tls::{TlsConfig, TlsOptions};
use crate::{Failure, FailureKind, Scheme, Url};

/// The kubelet's (Go's) limit: a probe makes at most this many requests.
pub const MAX_REDIRECTS: u32 = 10;

/// Which redirects a client follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Redirects {
    /// None: a 3xx is the answer (an API answers where it was asked).
    #[default]
    None,
    /// As the kubelet's HTTP probe: only to the same host name, 10 requests at most
    /// (the tenth redirect is a failure); a redirect elsewhere is not followed and its
    /// 3xx is the answer.
    SameHost,
}

/// How requests are made: headers for every request, TLS settings, redirects.
#[derive(Debug, Default)]
pub struct ClientOptions {
    /// Sent with every request, after the defaults (Host, User-Agent, Accept), which
    /// a header of the same name replaces.
    pub headers: Vec<(String, String)>,
    /// The files TLS trusts and presents, read at the first https:// request; see
    /// [`Client::with_tls`] for a configuration built otherwise.
    #[cfg(feature = "tls")]
    pub tls: TlsOptions,
    /// The User-Agent sent (`npd-checks` when unset).
    pub user_agent: Option<String>,
    pub redirects: Redirects,
}

/// One request: `GET` or `POST` to `url`, with headers for this request only (a
/// token, an API version) and an optional payload.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub headers: &'a [(String, String)],
    pub payload: Option<Payload<'a>>,
}

impl<'a> Request<'a> {
    pub fn get(url: &'a Url, headers: &'a [(String, String)]) -> Request<'a> {
        Request {
            method: "GET",
            url,
            headers,
            payload: None,
        }
    }

    pub fn post(
        url: &'a Url,
        headers: &'a [(String, String)],
        payload: Payload<'a>,
    ) -> Request<'a> {
        Request {
            method: "POST",
            url,
            headers,
            payload: Some(payload),
        }
    }
}

/// The answer of the last request made (after redirects); its body not read yet.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The URL that gave this answer.
    pub url: Url,
    /// Redirects followed to get here.
    pub redirects: u32,
    /// Read as it arrives, by the request's deadline.
    pub body: Body,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.headers, name)
    }
}

/// An answer read whole: what a caller that judges a JSON or text document needs.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// At most the limit given to [`Client::fetch`].
    pub body: Vec<u8>,
    /// Whether the body went on past the limit (and was cut there).
    pub cut: bool,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.headers, name)
    }
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

    /// Uses `tls` for https:// instead of reading the files of the options: a
    /// configuration from PEM bytes ([`TlsConfig::from_pem`]), or the reason there is
    /// none (then every https:// request fails with it, before connecting).
    #[cfg(feature = "tls")]
    pub fn with_tls(self, tls: Result<TlsConfig, Failure>) -> Client {
        let _ = self.tls.set(tls);
        self
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

    /// Sends `req` and reads the whole answer, its body up to `limit` bytes, by
    /// `deadline`.
    pub fn fetch(&self, req: &Request, deadline: Instant, limit: usize) -> Result<Reply, Failure> {
        let mut resp = self.send(req, deadline)?;
        let (body, cut) = resp.body.read_limited(limit)?;
        Ok(Reply {
            status: resp.status,
            headers: resp.headers,
            body,
            cut,
        })
    }

    /// Sends `req` and reads the response head, following redirects under the
    /// client's rule, all by `deadline` (which bounds the body's reads too).
    pub fn send(&self, req: &Request, deadline: Instant) -> Result<Response, Failure> {
        let mut current = req.url.clone();
        let mut redirects = 0;
        loop {
            let resp = self.exchange(req, &current, redirects, deadline)?;
            let location = resp.header("location").map(str::to_string);
            let is_redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
            let Some(location) = location.filter(|_| is_redirect) else {
                return Ok(resp);
            };
            if self.options.redirects == Redirects::None {
                return Ok(resp);
            }
            let next = current
                .join(&location)
                .map_err(|e| Failure::new(FailureKind::Redirect, format!("bad redirect: {e}")))?;
            if !next.host.eq_ignore_ascii_case(&req.url.host) {
                // The kubelet does not follow a probe to another host; the 3xx stands.
                self.trace(|| format!("redirect to {next} not followed (another host)"));
                return Ok(resp);
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
            self.trace(|| format!("{} redirect to {next}", resp.status));
            current = next;
        }
    }

    fn exchange(
        &self,
        req: &Request,
        url: &Url,
        redirects: u32,
        deadline: Instant,
    ) -> Result<Response, Failure> {
        // TLS settings are checked before any connection: a request that cannot be
        // made must not touch the endpoint.
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
        #[cfg(feature = "tls")]
        let mut conn: Box<dyn Conn> = match tls_config {
            Some(config) => Box::new(config.connect(&url.host, sock)?),
            None => Box::new(sock),
        };
        #[cfg(not(feature = "tls"))]
        let mut conn: Box<dyn Conn> = Box::new(sock);
        let headers = self.request_headers(url, req.headers);
        http::write_request(&mut conn, req.method, &url.target, &headers, req.payload)
            .map_err(|e| io_failure(&e, "sending the request"))?;
        let (head, rest) = http::read_head(&mut conn)?;
        let body = Body::new(Box::new(conn), rest, head.status, &head.headers)?;
        Ok(Response {
            status: head.status,
            headers: head.headers,
            url: url.clone(),
            redirects,
            body,
        })
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

/// A plain or TLS connection.
trait Conn: Read + std::io::Write + Send {}
impl<T: Read + std::io::Write + Send> Conn for T {}

#[cfg(test)]
mod tests {
    use super::*;

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
