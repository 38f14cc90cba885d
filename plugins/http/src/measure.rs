//! The probe itself: the token read, one GET (redirects as the kubelet follows
//! them) and the first 10 KiB of the body, all by the deadline. A probe that failed
//! is an error whose kind `http_probe` decides for a probed endpoint
//! ([`Role::Probed`]); the words here name the URL.

use std::time::{Duration, Instant};

use http_probe::{
    Client, ClientOptions, Failure, FailureKind, Redirects, Request, Role, TlsOptions, Url,
    DEFAULT_BODY_LIMIT,
};
use npd_plugin::{explain, Context, Error, Result};

use crate::config::Config;

/// What the endpoint answered, the body cut to the kubelet's 10 KiB.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The URL that gave this answer (after redirects).
    pub url: Url,
    pub redirects: u32,
    pub body: Vec<u8>,
    /// True when the body went on past the 10 KiB read.
    pub body_cut: bool,
    /// From the first connect to the last byte read.
    pub elapsed: Duration,
}

/// Probes the URL of `config`.
pub fn measure(config: &Config, ctx: &Context) -> Result<Answer> {
    let mut headers = config.headers.clone();
    if let Some(path) = &config.bearer_token_file {
        headers.push((
            "Authorization".to_string(),
            format!("Bearer {}", http_probe::read_bearer_token(path)?),
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
        user_agent: None,
        redirects: Redirects::SameHost,
    };
    let mut client = Client::new(options);
    if ctx.explaining() {
        client = client.with_trace(|step| eprintln!("{step}"));
    }
    let url = &config.url;
    ctx.waiting_for(format!("waiting for {url}"));
    let started = Instant::now();
    let probe = client
        .send(&Request::get(url, &[]), ctx.deadline())
        .and_then(|mut resp| {
            let (body, body_cut) = resp.body.read_limited(DEFAULT_BODY_LIMIT)?;
            Ok(Answer {
                status: resp.status,
                url: resp.url,
                redirects: resp.redirects,
                body,
                body_cut,
                elapsed: started.elapsed(),
            })
        });
    probe.map_err(|failure| failed(url, &failure, ctx))
}

fn failed(url: &Url, failure: &Failure, ctx: &Context) -> Error {
    explain!(
        ctx,
        "probe failed ({:?}): {}",
        failure.kind,
        failure.message
    );
    if let Some(detail) = &failure.detail {
        explain!(ctx, "as the TLS library says: {detail}");
    }
    let words = match failure.kind {
        FailureKind::Timeout => format!("{url} no answer in {}", ctx.timeout_text()),
        // The message names the file or host at fault; the URL would push it out of
        // the 80 bytes NPD keeps.
        FailureKind::Setup | FailureKind::Resolve => failure.message.clone(),
        _ => format!("{url} {}", failure.message),
    };
    failure.error(Role::Probed, words)
}
