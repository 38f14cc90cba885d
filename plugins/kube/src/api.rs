//! One API request and what its failure means.
//!
//! The apiserver is the subject of `apiserver` and only the way to ask for the other
//! checks, so failures are returned typed ([`CallError`]) and each check decides:
//! an apiserver that does not answer is a problem for `apiserver` and Unknown for
//! `pods`; an answer that is refused (401, 403, 429), missing (404) or garbage is
//! Unknown for every check, because the subject was not observed.

use std::time::SystemTime;

use http_probe::FailureKind;
use npd_plugin::units::format_duration;
use npd_plugin::{Context, Error};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::access::Apiserver;
use crate::time::parse_http_date;
use crate::transport::{self, Response};

/// Error bodies and single objects larger than this are not what was asked for.
pub const SMALL_BODY: usize = 4 << 20;

/// Why a request gave no usable answer.
#[derive(Debug)]
pub enum CallError {
    /// Nothing came back: refused, reset, or no answer by the deadline.
    NoAnswer(String),
    /// An answer came, but not one the check can judge by (TLS refused, not HTTP,
    /// an error status, malformed JSON).
    Unusable(String),
    /// The request could not be made (names, credentials, TLS material).
    Setup(String),
}

impl CallError {
    pub fn message(&self) -> &str {
        match self {
            CallError::NoAnswer(m) | CallError::Unusable(m) | CallError::Setup(m) => m,
        }
    }
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Error {
        Error::new(e.message().to_string())
    }
}

/// Sends `GET path_and_query` to the apiserver by the check's deadline.
pub fn get(api: &Apiserver, path_and_query: &str, ctx: &Context) -> Result<Response, CallError> {
    let url = api
        .url(path_and_query)
        .map_err(|e| CallError::Setup(e.message().to_string()))?;
    let mut headers = Vec::new();
    if let Some(token) = &api.token {
        headers.push(("Authorization".to_string(), format!("Bearer {token}")));
    }
    ctx.waiting_for(format!("the apiserver at {}", api.shown));
    npd_plugin::explain!(ctx, "GET {url}");
    transport::get(&url, &headers, api.tls.as_ref(), ctx.deadline()).map_err(|f| {
        let at = &api.shown;
        if let Some(detail) = &f.detail {
            npd_plugin::explain!(ctx, "as the TLS library says: {detail}");
        }
        match f.kind {
            FailureKind::Timeout => CallError::NoAnswer(format!(
                "no answer from apiserver {at} in {}",
                ctx.timeout_text()
            )),
            FailureKind::Refused | FailureKind::Connect => {
                CallError::NoAnswer(format!("apiserver {at}: {}", f.message))
            }
            FailureKind::Setup | FailureKind::Resolve => {
                CallError::Setup(format!("apiserver {at}: {}", f.message))
            }
            // The apiserver is only the way to ask (and for `apiserver`, a TLS refusal
            // says nothing of its readiness): whatever the TLS failure, Unknown.
            FailureKind::Tls
            | FailureKind::ClientAuth
            | FailureKind::Protocol
            | FailureKind::Redirect => {
                CallError::Unusable(format!("apiserver {at}: {}", f.message))
            }
        }
    })
}

/// The `Status` object the apiserver sends with an error.
#[derive(Deserialize, Default)]
struct Status {
    #[serde(default)]
    message: String,
    #[serde(default)]
    reason: String,
}

/// Turns a non-2xx answer into the error a check reports. `need` names the
/// permission the request needs ("list pods"), for the RBAC hint of a 403, and
/// `scope` where it is needed (said on stderr); `what` names the object, for a 404.
pub fn status_error(
    resp: &mut Response,
    (need, scope): (&str, &str),
    what: &str,
    ctx: &Context,
) -> CallError {
    let body = resp.body.read_to_limit(64 << 10).unwrap_or_default();
    let retry_after = resp.header("retry-after").map(str::to_string);
    answer_error(
        resp.status,
        retry_after.as_deref(),
        &body,
        (need, scope),
        what,
        ctx,
    )
}

/// As [`status_error`], for an answer whose body was already read.
pub fn answer_error(
    code: u16,
    retry_after: Option<&str>,
    body: &[u8],
    (need, scope): (&str, &str),
    what: &str,
    ctx: &Context,
) -> CallError {
    let status: Status = serde_json::from_slice(body).unwrap_or_default();
    if !status.message.is_empty() {
        ctx.warn(format_args!("apiserver said ({code}): {}", status.message));
    }
    let text = match code {
        401 => "401 Unauthorized: the token was rejected (expired or revoked?)".to_string(),
        403 => forbidden(&status.message, (need, scope), ctx),
        404 => format!("{what} not found (404)"),
        429 => {
            let after = retry_after
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| format!(", retry after {s}s"))
                .unwrap_or_default();
            format!("apiserver overloaded (429){after}")
        }
        _ => {
            let detail = if !status.reason.is_empty() {
                status.reason
            } else {
                String::new()
            };
            format!("apiserver answered {code} {detail}")
                .trim_end()
                .to_string()
        }
    };
    CallError::Unusable(text)
}

/// A 403 in the apiserver's words. Its Status message reads `<what> is forbidden:
/// User "<name>" cannot <verb> resource "<r>" in API group "<g>" <scope>`, or `cannot
/// <verb> path "<p>"`, then `: <reason>` when an authorizer gave one (the Node
/// authorizer for a node's credentials, RBAC for a role it cannot find). The RBAC
/// hint is only given where RBAC decided: no reason, and not a node's identity.
fn forbidden(message: &str, (need, scope): (&str, &str), ctx: &Context) -> String {
    let denial = Denial::parse(message);
    if let Some(reason) = denial.as_ref().and_then(|d| d.reason.as_deref()) {
        return format!("403: {}", words(reason));
    }
    match denial {
        Some(d) if d.user.starts_with("system:node:") => {
            ctx.warn(format_args!(
                "a node's credentials reach only what the Node authorizer allows; \
                 give the check a ServiceAccount token with a role allowing {need}"
            ));
            format!("403: {} cannot {}", d.user, d.action)
        }
        Some(d) => {
            ctx.warn(format_args!(
                "{} needs a role allowing {need} {scope}",
                d.user
            ));
            format!("403: RBAC must allow {need}")
        }
        // Not the apiserver's own form (a webhook authorizer's, a proxy's): as said.
        None if !message.is_empty() && !message.eq_ignore_ascii_case("forbidden") => {
            format!("403: {}", words(message))
        }
        None => {
            ctx.warn(format_args!(
                "the ServiceAccount needs a role allowing {need} {scope}"
            ));
            format!("403: RBAC must allow {need}")
        }
    }
}

/// Who was refused what, and why, as a 403 Status message says it.
#[derive(Debug, PartialEq)]
struct Denial {
    user: String,
    /// "list pods", "get deployments.apps in default", "get /readyz".
    action: String,
    reason: Option<String>,
}

impl Denial {
    fn parse(message: &str) -> Option<Denial> {
        let said = message
            .split_once(" is forbidden: ")
            .map_or(message, |(_, s)| s)
            .trim_start_matches("forbidden: ");
        let rest = said.strip_prefix("User \"")?;
        let (user, rest) = rest.split_once('"')?;
        let rest = rest.strip_prefix(" cannot ")?;
        let (action, reason) = match rest.split_once(": ") {
            Some((a, r)) if !r.trim().is_empty() => (a, Some(r.trim().to_string())),
            Some((a, _)) => (a, None),
            None => (rest, None),
        };
        Some(Denial {
            user: user.to_string(),
            action: condense(action),
            reason,
        })
    }
}

/// `list resource "pods" in API group "" at the cluster scope` -> `list pods`;
/// `get resource "deployments" in API group "apps" in the namespace "db"` ->
/// `get deployments.apps in db`; `get path "/readyz"` -> `get /readyz`.
fn condense(action: &str) -> String {
    let (verb, rest) = action.split_once(' ').unwrap_or((action, ""));
    let quoted = |text: &str, after: &str| -> Option<String> {
        let (_, tail) = text.split_once(after)?;
        tail.split('"').next().map(str::to_string)
    };
    let object = match (quoted(rest, "resource \""), quoted(rest, "path \"")) {
        (Some(resource), _) => match quoted(rest, "API group \"").filter(|g| !g.is_empty()) {
            Some(group) => format!("{resource}.{group}"),
            None => resource,
        },
        (None, Some(path)) => path,
        (None, None) => return words(action),
    };
    match quoted(rest, "in the namespace \"") {
        Some(ns) => format!("{verb} {object} in {ns}"),
        None => format!("{verb} {object}"),
    }
}

/// The apiserver's text on one line: printable ASCII, no '%', lines joined.
fn words(text: &str) -> String {
    let joined = text.lines().map(str::trim).collect::<Vec<_>>().join("; ");
    joined
        .chars()
        .filter(|c| (c.is_ascii_graphic() || *c == ' ') && *c != '%')
        .collect()
}

/// Reads a whole (small) JSON answer.
pub fn read_json<T: DeserializeOwned>(
    resp: &mut Response,
    what: &str,
    ctx: &Context,
) -> Result<T, CallError> {
    let body = resp
        .body
        .read_to_limit(SMALL_BODY)
        .map_err(|e| body_error(&e, what, ctx))?;
    serde_json::from_slice(&body).map_err(|e| json_error(&e, what))
}

/// Names a failure while the body was read.
pub fn body_error(e: &std::io::Error, what: &str, ctx: &Context) -> CallError {
    if http_probe::net::is_timeout(e) {
        return CallError::NoAnswer(format!(
            "{what}: answer not complete in {}",
            ctx.timeout_text()
        ));
    }
    if let Some(f) = http_probe::tls::failure_of(e) {
        return CallError::Unusable(format!("{what}: {}", f.message));
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            CallError::Unusable(format!("{what}: truncated answer (connection closed)"))
        }
        _ => CallError::Unusable(format!("{what}: {e}")),
    }
}

/// Names a JSON parse failure: a body cut short, or one that is not the object asked.
pub fn json_error(e: &serde_json::Error, what: &str) -> CallError {
    if let Some(io) = e.io_error_kind() {
        if io == std::io::ErrorKind::UnexpectedEof {
            return CallError::Unusable(format!("{what}: truncated answer (connection closed)"));
        }
    }
    if e.is_eof() {
        return CallError::Unusable(format!("{what}: truncated JSON"));
    }
    if e.is_data() {
        return CallError::Unusable(format!("{what}: {}", first_words(&e.to_string())));
    }
    CallError::Unusable(format!(
        "{what}: malformed JSON at byte column {}: {}",
        e.column(),
        first_words(&e.to_string())
    ))
}

fn first_words(text: &str) -> String {
    let core = text.split(" at line ").next().unwrap_or(text);
    core.chars().take(40).collect()
}

/// The apiserver's clock when it answered (its Date header), else this host's: ages
/// of API objects are judged on the clock that stamped them.
pub fn server_now(resp: &Response) -> SystemTime {
    resp.header("date")
        .and_then(parse_http_date)
        .unwrap_or_else(SystemTime::now)
}

/// `5s`, `2m`: for messages about waits.
pub fn short_duration(d: std::time::Duration) -> String {
    format_duration(std::time::Duration::from_secs(d.as_secs().max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forbidden_status_is_read_as_the_apiserver_wrote_it() {
        let node = "pods is forbidden: User \"system:node:a\" cannot list resource \"pods\" \
                    in API group \"\" at the cluster scope: node 'a' cannot read pods of node 'b'";
        assert_eq!(
            Denial::parse(node),
            Some(Denial {
                user: "system:node:a".into(),
                action: "list pods".into(),
                reason: Some("node 'a' cannot read pods of node 'b'".into()),
            })
        );
        let sa = "deployments.apps \"nova\" is forbidden: User \"system:serviceaccount:npd:npd\" \
                  cannot get resource \"deployments\" in API group \"apps\" in the namespace \"db\"";
        let d = Denial::parse(sa).unwrap();
        assert_eq!(
            (d.user.as_str(), d.action.as_str(), d.reason),
            (
                "system:serviceaccount:npd:npd",
                "get deployments.apps in db",
                None
            )
        );
        let path = "forbidden: User \"system:anonymous\" cannot get path \"/readyz\"";
        assert_eq!(Denial::parse(path).unwrap().action, "get /readyz");
        assert_eq!(Denial::parse("forbidden"), None);
        assert_eq!(words("a\n b 100%\u{e9}"), "a; b 100");
    }
}
