//! npd-http's GET on reqwest's blocking client: a tokio runtime on a thread of its own
//! behind a blocking API, hyper underneath, rustls with ring given as a finished
//! configuration (reqwest builds its TLS set-up with the client, http:// or not).

use std::io::Read;
use std::time::Duration;

use clap::Parser;
use probe_common::{Answer, Args, Failure};
use rustls::pki_types::CertificateDer;

/// The kubelet reads at most this much of a probe's body.
const BODY_LIMIT: u64 = 10 << 10;

fn main() {
    let args = Args::parse();
    let client = probe_common::roots(&args)
        .and_then(|roots| client(roots).map_err(Failure::Setup))
        .unwrap_or_else(|failure| probe_common::give_up(&args, failure));
    probe_common::probe(&args, |url, left| get(&client, url, left))
}

fn client(roots: Vec<CertificateDer<'static>>) -> Result<reqwest::blocking::Client, String> {
    let tls = probe_common::tls_config(roots)?;
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy() // no proxy from the environment, as npd-http
        .redirect(reqwest::redirect::Policy::none()) // the kubelet's rule is probe_common's
        .build()
        .map_err(|e| format!("client: {e}"))
}

fn get(client: &reqwest::blocking::Client, url: &str, left: Duration) -> Result<Answer, Failure> {
    let response = client.get(url).timeout(left).send().map_err(|e| {
        if e.is_builder() {
            Failure::Setup(e.to_string())
        } else {
            Failure::Endpoint(e.to_string())
        }
    })?;
    let answer = Answer::of(response.status(), response.headers());
    let mut body = Vec::new();
    response
        .take(BODY_LIMIT)
        .read_to_end(&mut body)
        .map_err(|e| Failure::Endpoint(format!("body: {e}")))?;
    Ok(answer)
}
