//! Why a request gave no answer, typed by whose failure it is, and what that failure
//! means for a check: the endpoint's (a problem where the endpoint is the check's
//! subject) or the check's own (Unknown, always). [`Failure::error`] is the one place
//! where a failure becomes an [`npd_plugin::Error`]; the plugins only say the words.

use std::fmt;
use std::io;

use npd_plugin::{Error, Kind};

use crate::net::{is_timeout, short};

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
    /// Another connect or I/O error (unreachable, reset, closed before answering).
    Connect,
    /// The TLS handshake failed on the endpoint's side: its certificate (untrusted,
    /// expired, for other names), no version or cipher in common, an alert, not TLS.
    Tls,
    /// The server wants a client certificate, or refused the one sent: it judged the
    /// check's credentials, and said nothing of its own health.
    ClientAuth,
    /// The peer answered, but not with a well-formed HTTP response.
    Protocol,
    /// The answer ended before its framing said it would: the connection closed in
    /// the body.
    Truncated,
    /// Redirects could not be followed (too many, a bad Location).
    Redirect,
}

/// The part an endpoint plays for the check that asks it, which decides what its
/// failure means (the contract's table: the subject observed bad is a problem, a
/// subject not observed is Unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The check's subject, probed as the kubelet probes (npd-http): every failure of
    /// the endpoint (refused, no answer, TLS on its side, garbage, a body cut short,
    /// redirects that cannot be followed) is a problem.
    Probed,
    /// The check's subject, asked for an answer to judge (npd-kube's apiserver): its
    /// silence (refused, reset, closed, no answer by the deadline) is a problem; an
    /// answer that cannot be judged (TLS refused, not HTTP, cut short) is Unknown.
    Answering,
    /// Only the way to ask (npd-kube's object checks, Keystone and the OpenStack
    /// APIs): Unknown, whatever failed.
    WayToAsk,
}

impl FailureKind {
    /// Whose fault this failure is for an endpoint playing `role`.
    pub fn verdict(self, role: Role) -> Kind {
        use FailureKind::*;
        match (self, role) {
            (Setup, _) => Kind::Config,
            (Resolve | ClientAuth, _) | (_, Role::WayToAsk) => Kind::Unobserved,
            (Refused | Timeout | Connect, _) => Kind::Problem,
            (Tls | Protocol | Truncated | Redirect, Role::Probed) => Kind::Problem,
            (Tls | Protocol | Truncated | Redirect, Role::Answering) => Kind::Unobserved,
        }
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

    /// The error this failure is for an endpoint playing `role`, in the caller's
    /// `words` (which name the endpoint as its check does).
    pub fn error(&self, role: Role, words: impl Into<String>) -> Error {
        match self.kind.verdict(role) {
            Kind::Problem => Error::problem(words),
            Kind::Unobserved => Error::unobserved(words),
            Kind::Config => Error::config(words),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Names an I/O failure on a connection, plain or TLS, during `phase` ("waiting for
/// the response"): the deadline, a TLS refusal in words, or the connection's end.
pub fn io_failure(e: &io::Error, phase: &str) -> Failure {
    if is_timeout(e) {
        return Failure::new(FailureKind::Timeout, phase.to_string());
    }
    #[cfg(feature = "tls")]
    if let Some(f) = crate::tls_words::failure_of(e) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_decides_the_verdict() {
        use FailureKind::*;
        let kinds = [
            Setup, Resolve, Refused, Timeout, Connect, Tls, ClientAuth, Protocol, Truncated,
            Redirect,
        ];
        for k in kinds {
            assert_ne!(k.verdict(Role::WayToAsk), Kind::Problem, "{k:?}");
            let probed = k.verdict(Role::Probed) == Kind::Problem;
            // The endpoint's own failures are problems; not being able to ask is not.
            let not_asked = matches!(k, Setup | Resolve | ClientAuth);
            assert_eq!(probed, !not_asked, "{k:?}");
        }
        assert_eq!(Timeout.verdict(Role::Answering), Kind::Problem);
        assert_eq!(Tls.verdict(Role::Answering), Kind::Unobserved);
        assert_eq!(Setup.verdict(Role::Probed), Kind::Config);
        let e = Failure::new(Refused, "connection refused").error(Role::Probed, "u refused");
        assert_eq!((e.kind(), e.message()), (Kind::Problem, "u refused"));
    }
}
