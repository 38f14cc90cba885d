//! One HTTP/1.1 GET to the apiserver whose body is read as it arrives.
//!
//! `http_probe` answers a probe with a body cut to a limit; an API list has to be
//! parsed while it streams in (a PodList served from the watch cache ignores `limit`
//! and can be any size), so the exchange is done here on `http_probe`'s
//! deadline-bounded socket. TLS is `http_probe`'s too ([`TlsConfig`]), built from PEM
//! bytes (the cluster CA, a kubeconfig's inline client certificate): one verifier
//! (a self-signed apiserver certificate that is itself the cluster CA is trusted,
//! its names and dates checked) and one set of words for every TLS failure. Not a
//! general client: GET only, one connection per request, no compression, no
//! redirects (the API does not redirect; a 3xx is reported as it is).

use std::io::{self, Read, Write};
use std::time::Instant;

use http_probe::net::{self, is_timeout, short};
use http_probe::tls::{self, TlsConfig};
use http_probe::{Failure, FailureKind, Scheme, Url};

use crate::body::{framing, Body};

/// Response heads larger than this are not the apiserver's.
const MAX_HEAD: usize = 64 << 10;

/// What the TLS side trusts and presents, as PEM bytes.
#[derive(Clone, Debug, Default)]
pub struct TlsMaterial {
    /// The cluster CA; the only certificates trusted.
    pub ca_pem: Vec<u8>,
    /// A client certificate chain and its key (kubeconfig users without tokens).
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

/// Builds the TLS configuration: the given CA only, never the host's bundle.
pub fn tls_config(material: &TlsMaterial, ca_name: &str) -> Result<TlsConfig, Failure> {
    let client = material
        .client
        .as_ref()
        .map(|(cert, key)| (cert.as_slice(), key.as_slice()));
    TlsConfig::from_pem(&material.ca_pem, ca_name, client)
}

/// An answer whose body has not been read yet.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A plain or TLS connection to the apiserver.
pub trait Conn: Read + Write + Send {}
impl<T: Read + Write + Send> Conn for T {}

/// Sends `GET url` with `headers` and reads the response head, all by `deadline`
/// (the socket carries it for the body reads too).
pub fn get(
    url: &Url,
    headers: &[(String, String)],
    tls: Option<&TlsConfig>,
    deadline: Instant,
) -> Result<Response, Failure> {
    let addrs = net::resolve(&url.host, url.port, deadline)?;
    let sock = net::connect(&addrs, deadline)?;
    let mut conn: Box<dyn Conn> = match (url.scheme, tls) {
        (Scheme::Https, Some(config)) => Box::new(config.connect(&url.host, sock)?),
        (Scheme::Https, None) => {
            return Err(Failure::new(FailureKind::Setup, "https needs a CA"));
        }
        (Scheme::Http, _) => Box::new(sock),
    };
    let mut req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: npd-kube\r\nAccept: application/json\r\nConnection: close\r\n",
        url.target,
        url.host_header()
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    conn.write_all(req.as_bytes())
        .and_then(|()| conn.flush())
        .map_err(|e| io_failure(&e, "sending the request"))?;
    let (status, headers, rest) = read_head(&mut conn)?;
    let framing = framing(&headers, status)?;
    Ok(Response {
        status,
        headers,
        body: Body::new(conn, rest, framing),
    })
}

/// Names an I/O failure: the deadline, a TLS refusal (in `http_probe`'s words), or
/// the connection's end.
pub fn io_failure(e: &io::Error, phase: &str) -> Failure {
    if is_timeout(e) {
        return Failure::new(FailureKind::Timeout, phase.to_string());
    }
    if let Some(f) = tls::failure_of(e) {
        return f;
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe => {
            Failure::new(FailureKind::Connect, format!("connection closed {phase}"))
        }
        _ => Failure::new(FailureKind::Connect, format!("{phase}: {}", short(e))),
    }
}

type Head = (u16, Vec<(String, String)>, Vec<u8>);

fn read_head(conn: &mut dyn Conn) -> Result<Head, Failure> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(&buf) {
            let (status, headers) = parse_head(&buf[..end])?;
            if (100..200).contains(&status) {
                buf.drain(..end);
                continue;
            }
            return Ok((status, headers, buf.split_off(end)));
        }
        if buf.len() > MAX_HEAD {
            return Err(protocol("response headers too large"));
        }
        if buf.len() >= 5 && !buf.starts_with(b"HTTP/") {
            return Err(not_http(&buf));
        }
        let n = match conn.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_failure(&e, "waiting for the response")),
        };
        if n == 0 {
            return Err(if buf.is_empty() {
                Failure::new(FailureKind::Connect, "connection closed without a response")
            } else {
                protocol("connection closed in the response headers")
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

fn parse_head(bytes: &[u8]) -> Result<(u16, Vec<(String, String)>), Failure> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_http(bytes))?;
    let mut lines = text.split("\r\n");
    let mut status_line = lines.next().unwrap_or("").splitn(3, ' ');
    let version = status_line.next().unwrap_or("");
    let code = status_line.next().unwrap_or("");
    let status = match code.parse::<u16>() {
        Ok(s) if version.starts_with("HTTP/1.") && code.len() == 3 && s >= 100 => s,
        _ => return Err(not_http(bytes)),
    };
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| protocol("malformed header line"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok((status, headers))
}

pub(crate) fn protocol(message: &str) -> Failure {
    Failure::new(FailureKind::Protocol, message)
}

fn not_http(bytes: &[u8]) -> Failure {
    let first: String = bytes
        .iter()
        .take(16)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    protocol(&format!("not an HTTP answer: {first:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_and_garbage_is_named() {
        let (s, h) = parse_head(b"HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\n\r\n").unwrap();
        assert_eq!((s, h[0].1.as_str()), (429, "7"));
        let e = parse_head(b"SSH-2.0-x\r\n\r\n").unwrap_err();
        assert!(e.message.starts_with("not an HTTP answer"));
    }
}
