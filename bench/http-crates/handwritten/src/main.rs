//! npd-http's GET on the hand-written client (crates/http-probe) in the same frame as
//! the crate-based probes: the control, so that the differences between the probes are
//! their clients' alone, whatever else npd-http does around its GET.

use std::time::Instant;

use clap::Parser;
use http_probe::{Client, ClientOptions, TlsOptions, Url};
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
        ..ClientOptions::default()
    });
    // http-probe follows redirects by the kubelet's rule itself.
    let result = client.get(&url, deadline).map(|r| r.status).map_err(|f| {
        if f.kind.is_endpoint_failure() {
            Failure::Endpoint(f.message)
        } else {
            Failure::Setup(f.message)
        }
    });
    probe_common::finish(&args, result)
}
