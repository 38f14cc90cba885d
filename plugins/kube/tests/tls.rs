//! The apiserver's certificate as npd-kube judges it, through `http_probe`'s verifier:
//! a self-signed certificate that is itself the cluster CA (as `openssl req -x509`
//! makes it, CA:TRUE) is trusted by --ca-file and by a kubeconfig's CA data, still
//! held to its names and dates; every TLS refusal is Unknown (the apiserver is only
//! the way to ask, and a refusal says nothing of its readiness) and says why.

use std::path::Path;

use base64::Engine;
use npd_test_support::pki::{
    self, assert_tls_answer as assert_answer, openssl_for_loopback, serving_to as presenting,
    Issued,
};

use crate::util::{ok, pod_list, run, Apiserver, Creds, Reply, Request, Run};

fn ready() -> Reply {
    Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec())
}

/// A self-signed certificate for `names`, CA:TRUE, valid from January 1st of the
/// first year to January 2nd of the second.
fn self_signed(dir: &Path, file: &str, names: &[&str], valid: (i32, i32)) -> Issued {
    made(dir, file, names, valid, true)
}

/// As [`self_signed`]; CA:TRUE only with `ca`.
fn made(dir: &Path, file: &str, names: &[&str], valid: (i32, i32), ca: bool) -> Issued {
    let mut params = pki::params(names, ca);
    pki::valid(&mut params, valid.0, valid.1);
    pki::self_signed(dir, file, params)
}

/// `npd-kube <args> --server <api> --ca-file <ca> --token-file <token>`.
fn ask(api: &Apiserver, ca: &Path, args: &[&str]) -> Run {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.extend([
        "--server".into(),
        api.url(),
        "--ca-file".into(),
        ca.display().to_string(),
        "--token-file".into(),
        api.creds.token().display().to_string(),
    ]);
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    run(&all)
}

#[test]
fn a_self_signed_apiserver_certificate_given_as_the_ca_is_trusted() {
    let creds = Creds::new();
    let cert = self_signed(creds.dir(), "api", &["127.0.0.1"], (2020, 2090));
    let api = Apiserver::serving(creds, presenting(&cert, None), |req: &Request| {
        if req.head.starts_with("GET /readyz") {
            ready()
        } else {
            ok(pod_list(vec![]))
        }
    });
    assert_answer(
        &ask(&api, &cert.cert_pem, &["apiserver"]),
        0,
        "apiserver is ready",
    );
    let r = ask(&api, &cert.cert_pem, &["pods", "--node", "node-a"]);
    assert_eq!(r.code, 0, "{}\n{}", r.line(), r.stderr);
}

#[test]
fn the_openssl_certificate_in_a_kubeconfig_is_trusted_as_the_cluster_ca() {
    let creds = Creds::new();
    let Some(cert) = openssl_for_loopback(creds.dir(), "openssl") else {
        return;
    };
    let api = Apiserver::serving(creds, presenting(&cert, None), |_| ready());
    let ca =
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(&cert.cert_pem).unwrap());
    let config = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\ncontexts:\n- name: t\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    tokenFile: token\n",
        api.url()
    );
    let path = api.creds.dir().join("kubeconfig");
    std::fs::write(&path, config).unwrap();
    let r = run(&["apiserver", "--kubeconfig", path.to_str().unwrap()]);
    assert_answer(&r, 0, "apiserver is ready");
}

#[test]
fn a_trusted_self_signed_certificate_for_other_names_or_expired_is_unknown_in_words() {
    let creds = Creds::new();
    let dir = creds.dir().to_path_buf();
    let named = self_signed(&dir, "named", &["kube-apiserver.example"], (2020, 2090));
    let api = Apiserver::serving(creds, presenting(&named, None), |_| ready());
    let r = ask(&api, &named.cert_pem, &["apiserver"]);
    assert_answer(&r, 2, "TLS: certificate is for kube-apiserver.example");
    assert!(api.requests().is_empty());

    let creds = Creds::new();
    let expired = self_signed(creds.dir(), "old", &["127.0.0.1"], (2000, 2001));
    let api = Apiserver::serving(creds, presenting(&expired, None), |_| ready());
    let r = ask(&api, &expired.cert_pem, &["apiserver"]);
    assert_answer(&r, 2, "TLS: certificate expired 2001-01-02");
}

#[test]
fn a_ca_certificate_that_is_not_the_cluster_ca_is_refused() {
    let creds = Creds::new();
    let cert = self_signed(creds.dir(), "stranger", &["127.0.0.1"], (2020, 2090));
    let api = Apiserver::serving(creds, presenting(&cert, None), |_| ready());
    let r = ask(&api, &api.creds.ca(), &["apiserver"]);
    assert_answer(&r, 2, "TLS: CA certificate used as server certificate");
}

#[test]
fn an_apiserver_wanting_a_client_certificate_gets_the_kubeconfigs() {
    let creds = Creds::new();
    let dir = creds.dir().to_path_buf();
    let server = self_signed(&dir, "api", &["127.0.0.1"], (2020, 2090));
    // A client certificate is no CA: the apiserver's verifier (webpki) would refuse one.
    let client = made(&dir, "client", &["node-a"], (2020, 2090), false);
    let tls = presenting(&server, Some(client.der.clone()));
    let api = Apiserver::serving(creds, tls, |_| ready());
    let r = ask(&api, &server.cert_pem, &["apiserver"]);
    assert_answer(&r, 2, "TLS: server wants a client certificate");

    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let config = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: t\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
        api.url(),
        b64(&std::fs::read(&server.cert_pem).unwrap()),
        b64(&std::fs::read(&client.cert_pem).unwrap()),
        b64(client.key_text().as_bytes()),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, config).unwrap();
    let r = run(&["apiserver", "--kubeconfig", path.to_str().unwrap()]);
    assert_answer(&r, 0, "apiserver is ready");
}
