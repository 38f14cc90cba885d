//! What every probe shares, so that the probes differ only in their HTTP client: the
//! flags (npd-http's `--url`, `--timeout`, `--ca-file`), the trusted certificates, the
//! kubelet's redirect rule under one deadline, and the answer (one line, exit 0 when
//! the status is 200..399, 1 when the endpoint failed, 2 when the probe is
//! misconfigured).
//!
//! Redirects are followed here, not by the crates: none of them has the kubelet's
//! rule (same host only, 10 requests at most, a redirect elsewhere answered by its
//! 3xx), so every client is asked for one request at a time.

use std::path::PathBuf;
use std::process::exit;
use std::time::{Duration, Instant};

use clap::Parser;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

/// The kubelet's (Go's) limit: at most this many requests per probe.
const MAX_REQUESTS: u32 = 10;
/// Trusted for https:// when no --ca-file is given (Debian's bundle, as http-probe's first).
const HOST_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// One GET with the kubelet's probe semantics.
#[derive(Parser, Debug)]
pub struct Args {
    /// http:// or https:// URL to GET.
    #[arg(long)]
    pub url: String,
    /// Deadline for the whole probe, redirects included: `3s`, `500ms`.
    #[arg(long, default_value = "3s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// PEM file of the CA certificates to trust (else the host's bundle, read only
    /// for an https:// URL).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.strip_suffix("ms") {
        Some(n) => (n, 1),
        None => (text.strip_suffix('s').unwrap_or(text), 1000),
    };
    number
        .parse::<u64>()
        .map(|n| Duration::from_millis(n * unit))
        .map_err(|_| format!("not a duration: {text}"))
}

/// Why a probe did not get a status.
#[derive(Debug)]
pub enum Failure {
    /// The endpoint was asked and failed (refused, timed out, TLS): a problem.
    Endpoint(String),
    /// The probe could not ask (an unreadable CA file, a bad URL): Unknown.
    Setup(String),
}

/// What one request answered: its status and, for a redirect, where to.
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
}

#[cfg(feature = "http")]
impl Answer {
    /// The answer of a response head in the `http` crate's types, which ureq, reqwest
    /// and hyper all hand back.
    pub fn of(status: http::StatusCode, headers: &http::HeaderMap) -> Answer {
        let location = headers.get("location").and_then(|v| v.to_str().ok());
        Answer {
            status: status.as_u16(),
            location: location.map(Into::into),
        }
    }
}

/// The certificates to trust: the CA file's, else the host bundle's for an https://
/// URL, else none, so that an http:// probe reads no certificate at all.
pub fn roots(args: &Args) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let path = match &args.ca_file {
        Some(path) => path.clone(),
        None if args.url.starts_with("https://") => PathBuf::from(HOST_BUNDLE),
        None => return Ok(Vec::new()),
    };
    let certs = CertificateDer::pem_file_iter(&path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Failure::Setup(format!("CA file {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Failure::Setup(format!(
            "CA file {}: no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// Runs the probe with `get` (one GET of a URL within a time) and exits with its answer.
pub fn probe(args: &Args, get: impl FnMut(&str, Duration) -> Result<Answer, Failure>) -> ! {
    finish(args, follow(args, get))
}

/// Exits with the answer to a probe that could not start.
pub fn give_up(args: &Args, failure: Failure) -> ! {
    finish(args, Err(failure))
}

/// Exits with the answer to a probe: its last status, or why it has none.
pub fn finish(args: &Args, result: Result<u16, Failure>) -> ! {
    let (code, line) = match result {
        Ok(status) if (200..400).contains(&status) => (0, format!("{} is healthy", args.url)),
        Ok(status) => (1, format!("{} answered {status}", args.url)),
        Err(Failure::Endpoint(why)) => (1, format!("{} failed: {why}", args.url)),
        Err(Failure::Setup(why)) => (2, format!("cannot probe: {why}")),
    };
    println!("{line}");
    exit(code)
}

fn follow(
    args: &Args,
    mut get: impl FnMut(&str, Duration) -> Result<Answer, Failure>,
) -> Result<u16, Failure> {
    let deadline = Instant::now() + args.timeout;
    let first = host(&args.url).ok_or_else(|| Failure::Setup("URL has no host".into()))?;
    let mut url = args.url.clone();
    for _ in 0..MAX_REQUESTS {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Endpoint(format!(
                "no answer within {:?}",
                args.timeout
            )));
        }
        let answer = get(&url, left)?;
        let redirect = matches!(answer.status, 301 | 302 | 303 | 307 | 308);
        let Some(next) = answer
            .location
            .filter(|_| redirect)
            .and_then(|l| join(&url, &l))
        else {
            return Ok(answer.status);
        };
        if !host(&next).is_some_and(|h| h.eq_ignore_ascii_case(first)) {
            return Ok(answer.status); // another host: the kubelet answers with the 3xx
        }
        url = next;
    }
    Err(Failure::Endpoint(format!(
        "stopped after {MAX_REQUESTS} redirects"
    )))
}

/// Scheme and authority of a URL ("http", "host:port").
fn origin(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    Some((scheme, rest.split(['/', '?', '#']).next()?))
}

/// The host of a URL, without user, port or IPv6 brackets.
fn host(url: &str) -> Option<&str> {
    let authority = origin(url)?.1.rsplit('@').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    (!host.is_empty()).then_some(host)
}

/// A Location header resolved against the URL that sent it.
fn join(base: &str, location: &str) -> Option<String> {
    let (scheme, authority) = origin(base)?;
    if location.contains("://") {
        return Some(location.to_string());
    }
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    let path = &base[scheme.len() + 3 + authority.len()..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    Some(format!("{scheme}://{authority}{dir}{location}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_resolve_as_a_browser_would() {
        let base = "http://h:8080/a/b?q";
        assert_eq!(join(base, "/c").unwrap(), "http://h:8080/c");
        assert_eq!(join(base, "c").unwrap(), "http://h:8080/a/c");
        assert_eq!(join(base, "//o/x").unwrap(), "http://o/x");
        assert_eq!(join(base, "https://o/x").unwrap(), "https://o/x");
        assert_eq!(host("https://u@[::1]:443/x"), Some("::1"));
        assert_eq!(host("http://127.0.0.1:80"), Some("127.0.0.1"));
    }

    #[test]
    fn durations_read_as_npd_http_reads_them() {
        assert_eq!(parse_duration("3s").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").is_err());
    }
}

/// A rustls client configuration on ring trusting `roots` only, for the clients that
/// take a finished one (reqwest, hyper-rustls).
#[cfg(feature = "rustls")]
pub fn tls_config(roots: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, String> {
    let mut store = rustls::RootCertStore::empty();
    store.add_parsable_certificates(roots);
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(store)
        .with_no_client_auth())
}
