//! The one HTTP(S) client of npd-checks, and TCP connects bounded by a deadline, for
//! the plugins that speak to endpoints (npd-http, npd-tcp, npd-kube, npd-openstack).
//!
//! - [`Client::send`] sends one [`Request`] (GET or POST, headers, an optional
//!   [`Payload`]) and follows redirects under the caller's rule ([`Redirects`]: the
//!   kubelet probe's, same host and 10 requests at most, or none). Its
//!   [`Response`]'s [`Body`] is read as it arrives (a `Read`, for a list of any size
//!   parsed as a stream) or whole up to a limit ([`Body::read_limited`]). Everything
//!   (resolution, connect, TLS, every read) ends by one deadline.
//! - TLS ([`TlsOptions`], [`tls`], feature `tls`) is set up only when a URL is
//!   https://, and trusts only the CA file given, or else the host's CA bundle; or
//!   what [`TlsConfig::from_pem`] was given (a cluster CA, a kubeconfig's client
//!   certificate). A server certificate that is itself one of those CA certificates
//!   (a self-signed one, even marked CA:TRUE) is trusted as it is, its names and
//!   dates still checked.
//! - [`net`] has the deadline-bounded resolve, connect and stream on their own.
//!
//! It is not a general HTTP client: HTTP/1.1, one connection per request, no
//! compression.
//!
//! Failures are typed ([`FailureKind`]): whether the endpoint was asked and failed
//! (refused, timeout, TLS, garbage) or could not be asked (unusable CA file, a host
//! name that does not resolve). What that means for a check depends on the part the
//! endpoint plays in it ([`Role`]); [`Failure::error`] is the one place that says it.
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
//!   whatever its cause, in the same words; so it is where an answer is judged
//!   rather than probed (npd-kube's apiserver check).
//!
//! Every TLS failure is said in words in [`Failure::message`] ("TLS: certificate
//! expired 2026-01-02", "TLS: certificate is for etcd.example"), never as a library
//! error's debug form; that form is in [`Failure::detail`], for stderr.

mod body;
mod client;
mod failure;
#[doc(hidden)]
pub mod http;
pub mod net;
#[cfg(feature = "tls")]
pub mod tls;
#[cfg(feature = "tls")]
mod tls_verify;
#[cfg(feature = "tls")]
mod tls_words;
mod token;
pub mod url;
#[cfg(feature = "tls")]
mod x509;

pub use body::{body_failure, Body};
pub use client::{Client, ClientOptions, Redirects, Reply, Request, Response, MAX_REDIRECTS};
pub use failure::{io_failure, Failure, FailureKind, Role};
pub use http::Payload;
#[cfg(feature = "tls")]
pub use tls::{TlsConfig, TlsOptions, SYSTEM_BUNDLES};
pub use token::read_bearer_token;
pub use url::{Scheme, Url};

/// The kubelet reads at most 10 KiB of a probe's body; a body regex sees this much.
pub const DEFAULT_BODY_LIMIT: usize = 10 << 10;

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
}
