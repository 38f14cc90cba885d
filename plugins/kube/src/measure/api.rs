//! One API request and what its failure means, in one set of words for every check.
//!
//! The apiserver is the subject of `apiserver` and only the way to ask for the other
//! checks: each request says which ([`Role`]) and `http_probe` decides the kind of a
//! failure from it. An answer that is refused (401, 403, 429), missing (404) or
//! garbage is Unknown for every check, because the subject was not observed.

use std::io;
use std::time::SystemTime;

use http_probe::{body_failure, Failure, FailureKind, Request, Response, Role};
use npd_plugin::{timestamp, Context, Error, Result};
use serde::de::DeserializeOwned;

use crate::measure::access::Apiserver;
use kube_api::denial::{words, Denial};
use kube_api::Status;

/// Error bodies and single objects larger than this are not what was asked for.
pub const SMALL_BODY: usize = 4 << 20;
/// What is read of an error's body, and of /readyz's.
pub const STATUS_BODY: usize = 64 << 10;

/// Sends `GET path_and_query` to the apiserver by the check's deadline; `role` is
/// the part the apiserver plays in the check.
pub fn get(api: &Apiserver, path_and_query: &str, role: Role, ctx: &Context) -> Result<Response> {
    let url = api.url(path_and_query)?;
    ctx.waiting_for(format!("the apiserver at {}", api.shown));
    npd_plugin::explain!(ctx, "GET {url}");
    api.client
        .send(&Request::get(&url, &[]), ctx.deadline())
        .map_err(|f| {
            let at = &api.shown;
            if let Some(detail) = &f.detail {
                npd_plugin::explain!(ctx, "as the TLS library says: {detail}");
            }
            let words = match f.kind {
                FailureKind::Timeout => {
                    format!("no answer from apiserver {at} in {}", ctx.timeout_text())
                }
                _ => format!("apiserver {at}: {}", f.message),
            };
            f.error(role, words)
        })
}

/// Turns a non-2xx answer into the error a check reports. `need` names the
/// permission the request needs ("list pods"), for the RBAC hint of a 403, and
/// `scope` where it is needed (said on stderr); `what` names the object, for a 404.
pub fn status_error(
    resp: &mut Response,
    (need, scope): (&str, &str),
    what: &str,
    ctx: &Context,
) -> Error {
    let body = match resp.body.read_limited(STATUS_BODY) {
        Ok((body, false)) => body,
        _ => Vec::new(),
    };
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
) -> Error {
    let status = Status::decode(body);
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
        _ => format!("apiserver answered {code} {}", status.reason)
            .trim_end()
            .to_string(),
    };
    Error::unobserved(text)
}

/// A 403 in the apiserver's words ([`Denial`]). The RBAC hint is only given where
/// RBAC decided: no reason, and not a node's identity.
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

/// Reads a whole body of at most `limit` bytes; `what` names it in messages.
pub fn read_body(
    resp: &mut Response,
    limit: usize,
    what: &str,
    role: Role,
    ctx: &Context,
) -> Result<Vec<u8>> {
    match resp.body.read_limited(limit) {
        Ok((body, false)) => Ok(body),
        Ok((_, true)) => Err(Error::unobserved(format!(
            "{what}: answer larger than {} KiB",
            limit >> 10
        ))),
        Err(f) => Err(body_error(&f, what, role, ctx)),
    }
}

/// Reads a whole (small) JSON answer.
pub fn read_json<T: DeserializeOwned>(resp: &mut Response, what: &str, ctx: &Context) -> Result<T> {
    let body = read_body(resp, SMALL_BODY, what, Role::WayToAsk, ctx)?;
    serde_json::from_slice(&body).map_err(|e| json_error(e, what, ctx))
}

/// Names a failure while the body was read.
pub fn body_error(f: &Failure, what: &str, role: Role, ctx: &Context) -> Error {
    let words = match f.kind {
        FailureKind::Timeout => format!("{what}: answer not complete in {}", ctx.timeout_text()),
        FailureKind::Truncated => format!("{what}: truncated answer (connection closed)"),
        _ => format!("{what}: {}", f.message),
    };
    f.error(role, words)
}

/// Names a JSON parse failure: the stream failing under it, a body cut short, or
/// one that is not the object asked.
pub fn json_error(e: serde_json::Error, what: &str, ctx: &Context) -> Error {
    if e.io_error_kind().is_some() {
        // The body's own error, as it failed under the parser (a deadline, TLS).
        let io = io::Error::from(e);
        return body_error(&body_failure(&io), what, Role::WayToAsk, ctx);
    }
    let text = if e.is_eof() {
        format!("{what}: truncated JSON")
    } else if e.is_data() {
        format!("{what}: {}", first_words(&e.to_string()))
    } else {
        format!(
            "{what}: malformed JSON at byte column {}: {}",
            e.column(),
            first_words(&e.to_string())
        )
    };
    Error::unobserved(text)
}

fn first_words(text: &str) -> String {
    let core = text.split(" at line ").next().unwrap_or(text);
    core.chars().take(40).collect()
}

/// The apiserver's clock when it answered (its Date header), else this host's: ages
/// of API objects are judged on the clock that stamped them.
pub fn server_now(resp: &Response) -> SystemTime {
    resp.header("date")
        .and_then(timestamp::http_date)
        .and_then(timestamp::system_time)
        .unwrap_or_else(SystemTime::now)
}
