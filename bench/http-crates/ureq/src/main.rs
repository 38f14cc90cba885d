//! npd-http's GET on ureq 3: blocking, no runtime, rustls with ring set up only when a
//! request is https://.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use probe_common::{Answer, Args, Failure};
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

/// The kubelet reads at most this much of a probe's body.
const BODY_LIMIT: u64 = 10 << 10;

fn main() {
    let args = Args::parse();
    let roots = match probe_common::roots(&args) {
        Ok(roots) => roots,
        Err(failure) => probe_common::give_up(&args, failure),
    };
    let roots = roots
        .iter()
        .map(|der| Certificate::from_der(der).to_owned())
        .collect();
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .build();
    let agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .proxy(None) // no proxy from the environment, as npd-http
        .http_status_as_error(false)
        .max_redirects(0) // the kubelet's rule is probe_common's
        .build()
        .new_agent();
    probe_common::probe(&args, |url, left| get(&agent, url, left))
}

fn get(agent: &ureq::Agent, url: &str, left: Duration) -> Result<Answer, Failure> {
    let mut response = agent
        .get(url)
        .config()
        .timeout_global(Some(left))
        .build()
        .call()
        .map_err(|e| match e {
            ureq::Error::BadUri(_) | ureq::Error::Http(_) => Failure::Setup(e.to_string()),
            e => Failure::Endpoint(e.to_string()),
        })?;
    let answer = Answer::of(response.status(), response.headers());
    let mut body = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(BODY_LIMIT)
        .read_to_end(&mut body)
        .map_err(|e| Failure::Endpoint(format!("body: {e}")))?;
    Ok(answer)
}
