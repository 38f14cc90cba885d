//! One probe and its verdict: a failed or unhealthy answer is a problem, a probe that
//! could not be made is Unknown.

use std::fs;

use http_probe::{Client, ClientOptions, FailureKind, Response, TlsOptions};
use npd_plugin::units::format_duration;
use npd_plugin::{explain, short_io_reason, Context, Error, Outcome, Result};

use crate::config::Config;

pub fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
    let mut headers = config.headers.clone();
    if let Some(path) = &config.bearer_token_file {
        headers.push((
            "Authorization".to_string(),
            format!("Bearer {}", read_token(path)?),
        ));
    }
    let options = ClientOptions {
        headers,
        tls: TlsOptions {
            ca_file: config.ca_file.clone(),
            system_root: Some(ctx.host_path("/")),
            insecure: config.insecure,
            client_cert: config.client_cert.clone(),
            client_key: config.client_key.clone(),
        },
        body_limit: 0,
        user_agent: None,
    };
    let mut client = Client::new(options);
    if ctx.explaining() {
        client = client.with_trace(|step| eprintln!("{step}"));
    }
    let url = &config.url;
    ctx.waiting_for(format!("waiting for {url}"));
    let failure = match client.get(url, ctx.deadline()) {
        Ok(resp) => return Ok(judge(config, ctx, &resp)),
        Err(f) => f,
    };
    explain!(
        ctx,
        "probe failed ({:?}): {}",
        failure.kind,
        failure.message
    );
    if let Some(detail) = &failure.detail {
        explain!(ctx, "as the TLS library says: {detail}");
    }
    match failure.kind {
        FailureKind::Timeout => Ok(Outcome::problem(format!(
            "{url} no answer in {}",
            ctx.timeout_text()
        ))),
        kind if kind.is_endpoint_failure() => {
            Ok(Outcome::problem(format!("{url} {}", failure.message)))
        }
        // The endpoint judged the check's client certificate (or its absence): the
        // check's configuration, not the endpoint's health.
        FailureKind::ClientAuth => Err(Error::new(format!("{url} {}", failure.message))),
        // The message names the file or host at fault; the URL would push it out of
        // the 80 bytes NPD keeps.
        _ => Err(Error::new(failure.message)),
    }
}

fn read_token(path: &std::path::Path) -> Result<String> {
    let text = fs::read_to_string(path).map_err(|e| {
        Error::new(format!(
            "cannot read token {}: {}",
            path.display(),
            short_io_reason(&e)
        ))
    })?;
    let token = text.trim();
    if token.is_empty() || token.bytes().any(|b| b.is_ascii_control()) {
        return Err(Error::new(format!(
            "token file {} is empty or not one line",
            path.display()
        )));
    }
    Ok(token.to_string())
}

/// The verdict on an answer: status, then body, then latency.
pub fn judge(config: &Config, ctx: &Context, resp: &Response) -> Outcome {
    let url = &config.url;
    explain!(
        ctx,
        "{} answered {} in {} after {} redirects, {} body bytes{}",
        resp.url,
        resp.status,
        format_duration(round_ms(resp.elapsed)),
        resp.redirects,
        resp.body.len(),
        if resp.body_cut { " (cut)" } else { "" }
    );
    if !config.status_ok(resp.status) {
        return Outcome::problem(format!(
            "{url} status {} not in {}",
            resp.status,
            config.expect_text()
        ));
    }
    if let Some(re) = &config.body_regex {
        let body = String::from_utf8_lossy(&resp.body);
        if !re.is_match(&body) {
            explain!(
                ctx,
                "body: {:?}",
                body.chars().take(200).collect::<String>()
            );
            return Outcome::problem(format!("{url} body does not match {:?}", re.as_str()));
        }
    }
    if let Some(max) = config.max_latency {
        if resp.elapsed > max {
            return Outcome::problem(format!(
                "{url} answered in {} > {}",
                format_duration(round_ms(resp.elapsed)),
                format_duration(max)
            ));
        }
    }
    Outcome::ok(format!("{url} is healthy"))
}

fn round_ms(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_millis(d.as_millis() as u64)
}
