//! The HTTP calls the check makes, each bounded by the run's deadline: GETs through
//! `http-probe`, and the one POST Keystone needs (`/v3/auth/tokens`), sent here
//! because `http-probe` only sends GET.
//!
//! TLS trusts only the CA asked for (`--ca-file`, the cloud's `cacert`), else the
//! host's bundle; nothing TLS-related is loaded for http:// URLs. Every failure is a
//! `String` for the one-line answer: whatever failed, the check cannot judge (the APIs
//! are only the way to ask), so the caller turns it into Unknown.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use http_probe::net::{self, DeadlineStream};
use http_probe::{Client, ClientOptions, FailureKind, Scheme, TlsOptions, Url};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

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
    ca_file: Option<PathBuf>,
    system_root: PathBuf,
    tls: OnceLock<Result<Arc<ClientConfig>, String>>,
}

impl Transport {
    pub fn new(ca_file: Option<PathBuf>, system_root: PathBuf, patience: String) -> Transport {
        Transport {
            patience,
            ca_file,
            system_root,
            tls: OnceLock::new(),
        }
    }

    /// GETs `url` with `headers`; `what` names the service in messages ("nova-api").
    pub fn get(
        &self,
        what: &str,
        url: &str,
        headers: &[(&str, &str)],
        deadline: Instant,
    ) -> Result<Reply, String> {
        let parsed = Url::parse(url).map_err(|e| format!("{what} URL {url}: {e}"))?;
        let client = Client::new(ClientOptions {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            tls: TlsOptions {
                ca_file: self.ca_file.clone(),
                system_root: Some(self.system_root.clone()),
                ..Default::default()
            },
            body_limit: BODY_LIMIT,
            user_agent: Some("npd-openstack".into()),
        });
        let resp = client
            .get(&parsed, deadline)
            .map_err(|f| self.failed(what, f))?;
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
        let tls = match url.scheme {
            Scheme::Https => Some(
                self.tls
                    .get_or_init(|| self.tls_config())
                    .clone()
                    .map_err(|e| format!("{what}: {e}"))?,
            ),
            Scheme::Http => None,
        };
        let failed = |f: http_probe::Failure| self.failed(what, f);
        let addrs = net::resolve(&url.host, url.port, deadline).map_err(failed)?;
        let sock = net::connect(&addrs, deadline).map_err(failed)?;
        let mut request = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: npd-openstack\r\n\
             Accept: application/json\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            url.target,
            url.host_header(),
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        let raw = match tls {
            Some(config) => {
                let mut stream =
                    tls_connect(config, &url.host, sock).map_err(|e| format!("{what}: {e}"))?;
                exchange(&mut stream, &request)
            }
            None => {
                let mut stream = sock;
                exchange(&mut stream, &request)
            }
        }
        .map_err(|e| {
            if net::is_timeout(&e) {
                format!("{what} did not answer in {}", self.patience)
            } else {
                format!("{what} unreachable: {}", net::short(&e))
            }
        })?;
        parse_reply(&raw).map_err(|e| format!("{what} answered garbage: {e}"))
    }

    fn failed(&self, what: &str, f: http_probe::Failure) -> String {
        match f.kind {
            FailureKind::Timeout => {
                format!("{what} did not answer in {} ({})", self.patience, f.message)
            }
            _ => format!("{what} unreachable: {}", f.message),
        }
    }

    fn tls_config(&self) -> Result<Arc<ClientConfig>, String> {
        let file = match &self.ca_file {
            Some(f) => f.clone(),
            None => http_probe::SYSTEM_BUNDLES
                .iter()
                .map(|b| self.system_root.join(b))
                .find(|p| p.is_file())
                .ok_or("no CA bundle on the host; give --ca-file")?,
        };
        let pem = std::fs::read(&file)
            .map_err(|e| format!("cannot read {}: {}", file.display(), net::short(&e)))?;
        let mut roots = RootCertStore::empty();
        let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("bad PEM in {}: {e}", file.display()))?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(format!("no usable CA certificate in {}", file.display()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn tls_connect(
    config: Arc<ClientConfig>,
    host: &str,
    mut sock: DeadlineStream,
) -> Result<rustls::StreamOwned<ClientConnection, DeadlineStream>, String> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| format!("{host:?} is not a valid TLS server name"))?;
    let mut conn = ClientConnection::new(config, name).map_err(|e| format!("TLS setup: {e}"))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| format!("TLS handshake: {}", net::short(&e)))?;
    }
    Ok(rustls::StreamOwned::new(conn, sock))
}

/// Sends the request and reads until the server closes (the request said
/// `Connection: close`), at most `BODY_LIMIT` bytes.
fn exchange(stream: &mut (impl Read + Write), request: &[u8]) -> std::io::Result<Vec<u8>> {
    stream.write_all(request)?;
    stream.flush()?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    while raw.len() <= BODY_LIMIT {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A TLS peer closing without close_notify has sent everything it meant to.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => break,
            Err(e) => return Err(e),
        }
    }
    Ok(raw)
}

/// Parses a whole HTTP/1.x response: status line, headers, and a body framed by
/// Content-Length, chunked encoding, or the end of the connection.
pub fn parse_reply(raw: &[u8]) -> Result<Reply, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no complete HTTP response")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| "response head is not text")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status: u16 = match parts.next() {
        Some(code) if version.starts_with("HTTP/1.") && code.len() == 3 => {
            code.parse().map_err(|_| "bad status line")?
        }
        _ => return Err("not an HTTP response".into()),
    };
    let mut headers = Vec::new();
    for line in lines {
        let (n, v) = line.split_once(':').ok_or("malformed header line")?;
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    let rest = &raw[end + 4..];
    let chunked = reply
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    reply.body = if chunked {
        dechunk(rest)?
    } else if let Some(len) = reply.header("content-length") {
        let len: usize = len.parse().map_err(|_| "bad Content-Length")?;
        if rest.len() < len {
            return Err("connection closed in the body".into());
        }
        rest[..len].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(reply)
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("malformed chunked body")?;
        let size_text = std::str::from_utf8(&rest[..eol]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "bad chunk size")?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size + 2 {
            return Err("connection closed in the body".into());
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_framed_every_way() {
        let r = parse_reply(
            b"HTTP/1.0 201 CREATED\r\nX-Subject-Token: t\r\nContent-Length: 2\r\n\r\n{}xx",
        )
        .unwrap();
        assert_eq!(
            (r.status, r.header("x-subject-token"), &r.body[..]),
            (201, Some("t"), &b"{}"[..])
        );
        let r = parse_reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n1;x\r\n}\r\n0\r\n\r\n")
            .unwrap();
        assert_eq!(r.body, b"{\"}");
        let r = parse_reply(b"HTTP/1.1 200 OK\r\n\r\nuntil close").unwrap();
        assert_eq!(r.body, b"until close");
        assert!(parse_reply(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_reply(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort").is_err());
    }
}
