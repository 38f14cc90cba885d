//! npd-http's GET on the hand-written client (crates/http-probe) in the same frame as
//! the crate-based probes: the control, so that the differences between the probes are
//! their clients' alone, whatever else npd-http does around its GET.

use std::time::Instant;

use clap::Parser;
use http_probe::{
    Client, ClientOptions, FailureKind, Redirects, Request, TlsOptions, Url, DEFAULT_BODY_LIMIT,
};
use probe_common::{Args, Failure};

fn main() {
    let args = Args::parse();
    let deadline = Instant::now() + args.timeout;
    let url =
        Url::parse(&args.url).unwrap_or_else(|e| probe_common::give_up(&args, Failure::Setup(e)));
    let tls = TlsOptions {
        ca_file: args.ca_file.clone(),
        ..TlsOptions::default()
    };
    let client = Client::new(ClientOptions {
        tls,
        redirects: Redirects::SameHost,
        ..ClientOptions::default()
    });
    // http-probe follows redirects by the kubelet's rule itself (Redirects::SameHost).
    let result = client
        .send(&Request::get(&url, &[]), deadline)
        .and_then(|mut r| {
            r.body.read_limited(DEFAULT_BODY_LIMIT)?;
            Ok(r.status)
        })
        .map_err(|f| match f.kind {
            FailureKind::Setup | FailureKind::Resolve | FailureKind::ClientAuth => {
                Failure::Setup(f.message)
            }
            _ => Failure::Endpoint(f.message),
        });
    probe_common::finish(&args, result)
}
