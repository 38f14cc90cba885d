//! Why a request gave no answer, typed by whose failure it is: the endpoint's (a
//! problem for a check whose subject it is) or the check's own (Unknown, always).

use std::fmt;

/// What went wrong, in the terms the contract judges by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The probe could not be set up (CA file, client key, TLS name): nothing was asked.
    Setup,
    /// The host name did not resolve: the way to ask failed, not the endpoint.
    Resolve,
    /// The endpoint refused the connection.
    Refused,
    /// No answer by the deadline; the message says in which phase.
    Timeout,
    /// Another connect or I/O error (unreachable, reset).
    Connect,
    /// The TLS handshake failed on the endpoint's side: its certificate (untrusted,
    /// expired, for other names), no version or cipher in common, an alert, not TLS.
    Tls,
    /// The server wants a client certificate, or refused the one sent: it judged the
    /// check's credentials, and said nothing of its own health.
    ClientAuth,
    /// The peer answered, but not with a well-formed HTTP response.
    Protocol,
    /// Redirects could not be followed (too many, a bad Location).
    Redirect,
}

impl FailureKind {
    /// True when the endpoint itself was reached or tried and failed; false when the
    /// probe could not be made or its credentials were refused (its answer is then
    /// Unknown, never a problem).
    pub fn is_endpoint_failure(self) -> bool {
        !matches!(
            self,
            FailureKind::Setup | FailureKind::Resolve | FailureKind::ClientAuth
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// Short words for the one-line answer.
    pub message: String,
    /// The library's own account, for stderr (`--explain`), never for the answer.
    pub detail: Option<String>,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Failure {
        self.detail = Some(detail.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
