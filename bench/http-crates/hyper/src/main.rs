//! npd-http's GET on hyper 1 and hyper-util's client: a current-thread tokio runtime,
//! hyper-rustls's connector with rustls on ring. The glue a probe needs beyond the
//! other clients': the runtime, the connector, and reading the body frame by frame.

use std::time::Duration;

use clap::Parser;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use probe_common::{Answer, Args, Failure};
use rustls::pki_types::CertificateDer;

/// The kubelet reads at most this much of a probe's body.
const BODY_LIMIT: usize = 10 << 10;

type Https = Client<HttpsConnector<HttpConnector>, Empty<Bytes>>;

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| probe_common::give_up(&args, Failure::Setup(format!("runtime: {e}"))));
    let client = probe_common::roots(&args)
        .and_then(|roots| client(roots).map_err(Failure::Setup))
        .unwrap_or_else(|failure| probe_common::give_up(&args, failure));
    probe_common::probe(&args, |url, left| runtime.block_on(get(&client, url, left)))
}

fn client(roots: Vec<CertificateDer<'static>>) -> Result<Https, String> {
    let tls = probe_common::tls_config(roots)?;
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

async fn get(client: &Https, url: &str, left: Duration) -> Result<Answer, Failure> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| Failure::Setup(format!("URL: {e}")))?;
    let exchange = async {
        let response = client.get(uri).await.map_err(|e| format!("{e:?}"))?;
        let answer = Answer::of(response.status(), response.headers());
        let mut body = response.into_body();
        let mut read = 0;
        while read < BODY_LIMIT {
            let Some(frame) = body.frame().await else {
                break;
            };
            let frame = frame.map_err(|e| format!("body: {e}"))?;
            read += frame.data_ref().map_or(0, Bytes::len);
        }
        Ok::<_, String>(answer)
    };
    match tokio::time::timeout(left, exchange).await {
        Ok(result) => result.map_err(Failure::Endpoint),
        Err(_) => Err(Failure::Endpoint("timed out".into())),
    }
}
