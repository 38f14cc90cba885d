//! `npd-kube apiserver`: the apiserver answers its readiness endpoint from this node,
//! in time.
//!
//! Here the apiserver is the subject: no answer (refused, reset, nothing by the
//! deadline), a failing /readyz (5xx) or a slow answer is a problem. An answer that
//! cannot be judged (401/403 for a token the API refuses, 404 on a server without
//! /readyz, TLS not verifiable with the cluster CA, garbage) is Unknown.

use std::time::{Duration, Instant};

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::access::{self, Access};
use crate::api::{self, CallError};

#[derive(clap::Args, Debug)]
pub struct ApiserverArgs {
    /// The health endpoint to GET: /readyz (serving traffic) or /livez.
    #[arg(long, value_name = "PATH", default_value = "/readyz")]
    pub path: String,

    /// An answer slower than this (connect to the last byte) is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_latency: Option<Duration>,
}

pub struct ApiserverCheck {
    path: String,
    max_latency: Option<Duration>,
}

pub fn configure(args: ApiserverArgs) -> Result<ApiserverCheck> {
    if !args.path.starts_with('/') || args.path.bytes().any(|b| b <= b' ') {
        return Err(Error::new(
            "--path must be an absolute path such as /readyz",
        ));
    }
    if args.max_latency.is_some_and(|d| d.is_zero()) {
        return Err(Error::new("--max-latency must be above 0"));
    }
    Ok(ApiserverCheck {
        path: args.path,
        max_latency: args.max_latency,
    })
}

pub fn check(c: &ApiserverCheck, access: &Access, ctx: &Context) -> Result<Outcome> {
    let api = access::resolve(access)?;
    let started = Instant::now();
    let mut resp = match api::get(&api, &c.path, ctx) {
        Ok(r) => r,
        Err(CallError::NoAnswer(m)) => return Ok(Outcome::problem(m)),
        Err(e) => return Err(e.into()),
    };
    let status = resp.status;
    let body = match resp.body.read_to_limit(64 << 10) {
        Ok(b) => b,
        Err(e) => {
            return match api::body_error(&e, &format!("apiserver {}", api.shown), ctx) {
                CallError::NoAnswer(m) => Ok(Outcome::problem(m)),
                other => Err(other.into()),
            }
        }
    };
    let took = started.elapsed();
    explain!(ctx, "apiserver {}: {status} in {took:?}", api.shown);
    match status {
        200..=299 => {}
        500..=599 => {
            let failing = failing_check(&body)
                .map(|n| format!(": {n} failed"))
                .unwrap_or_default();
            return Ok(Outcome::problem(format!(
                "apiserver {} {} answered {status}{failing}",
                api.shown, c.path
            )));
        }
        _ => {
            let what = format!("apiserver {}", c.path);
            let need = format!("get {}", c.path);
            let scope = "(a nonResourceURLs rule; system:public-info-viewer has it)";
            let retry_after = resp.header("retry-after");
            return Err(
                api::answer_error(status, retry_after, &body, (&need, scope), &what, ctx).into(),
            );
        }
    }
    if let Some(max) = c.max_latency {
        if took > max {
            return Ok(Outcome::problem(format!(
                "apiserver {} answered in {} > {}",
                api.shown,
                format_duration(Duration::from_millis(took.as_millis() as u64)),
                format_duration(max)
            )));
        }
    }
    Ok(Outcome::ok("apiserver is ready"))
}

/// The first check /readyz lists as failing ("[-]etcd failed: reason withheld").
fn failing_check(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("[-]"))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failing_readyz_check_is_named() {
        let body = b"[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\nreadyz check failed\n";
        assert_eq!(failing_check(body).as_deref(), Some("etcd"));
        assert_eq!(failing_check(b"ok"), None);
    }
}
