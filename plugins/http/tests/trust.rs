//! A server certificate that is itself the CA given (self-signed and CA:TRUE, as
//! `openssl req -x509` makes it) is trusted, still held to its names, dates and
//! purpose; a CA certificate that is not the one given is refused; and every TLS
//! refusal says why in words, within the 80 bytes NPD keeps.

use std::path::Path;
use std::sync::Arc;

use npd_test_support::{run, Reply, Run, Server};
use rcgen::ExtendedKeyUsagePurpose;

use crate::util::BIN;
use npd_test_support::pki::{
    assert_tls_answer, openssl_self_signed, params, self_signed, serving, serving_with, Pki,
};

/// Probes `url` trusting only the certificates in `ca`.
fn probe(ca: &Path, url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--url", url, "--ca-file", ca.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(BIN, &args)
}

#[test]
fn a_self_signed_ca_certificate_given_as_its_own_ca_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(
        dir.path(),
        "server",
        params(&["127.0.0.1", "localhost"], true),
    );
    let peer = Server::https(serving(&cert), |_| Reply::ok("ok"));
    let r = probe(&cert.cert_pem, &peer.url("/healthz"), &[]);
    assert_tls_answer(&r, 0, "/healthz is healthy");
    let url = format!("https://localhost:{}/healthz", peer.port());
    assert_tls_answer(&probe(&cert.cert_pem, &url, &[]), 0, "is healthy");
    // Among other CAs in one bundle, as a host's bundle with a local CA appended.
    let other = Pki::new("some public CA");
    let bundle = dir.path().join("bundle.pem");
    let pem = std::fs::read_to_string(&cert.cert_pem).unwrap();
    std::fs::write(&bundle, other.ca_text() + &pem).unwrap();
    assert_tls_answer(&probe(&bundle, &peer.url("/"), &[]), 0, "is healthy");
}

#[test]
fn the_certificate_openssl_req_x509_makes_is_trusted_as_its_own_ca() {
    let dir = tempfile::tempdir().unwrap();
    let made = openssl_self_signed(
        dir.path(),
        "keystone",
        &[
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
    );
    let Some(cert) = made else { return };
    let peer = Server::https(serving(&cert), |_| Reply::ok("ok"));
    assert_tls_answer(
        &probe(&cert.cert_pem, &peer.url("/v3"), &[]),
        0,
        "is healthy",
    );
    let url = format!("https://localhost:{}/v3", peer.port());
    let r = probe(&cert.cert_pem, &url, &[]);
    assert_tls_answer(&r, 1, "TLS: certificate is for 127.0.0.1");

    // Without -addext the name is only in the CN, which no verifier reads any more.
    let Some(cn_only) = openssl_self_signed(dir.path(), "cn-only", &["-subj", "/CN=127.0.0.1"])
    else {
        return;
    };
    let peer = Server::https(serving(&cn_only), |_| Reply::ok("ok"));
    let r = probe(&cn_only.cert_pem, &peer.url("/"), &[]);
    assert_tls_answer(&r, 1, "TLS: certificate has only CN=127.0.0.1, no SAN");
}

#[test]
fn a_trusted_self_signed_certificate_is_still_held_to_names_dates_and_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let case = |file: &str, p: rcgen::CertificateParams, ends: &str| {
        let cert = self_signed(dir.path(), file, p);
        let peer = Server::https(serving(&cert), |_| Reply::ok("ok"));
        let r = probe(&cert.cert_pem, &peer.url("/"), &[]);
        assert_tls_answer(&r, 1, ends);
        assert!(peer.requests().is_empty(), "{file}: a request was sent");
    };
    case(
        "other-names",
        params(&["etcd.example", "10.9.8.7"], true),
        "TLS: certificate is for etcd.example, 10.9.8.7",
    );
    let mut expired = params(&["127.0.0.1"], true);
    expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2001, 1, 2);
    case("expired", expired, "TLS: certificate expired 2001-01-02");
    let mut early = params(&["127.0.0.1"], true);
    early.not_before = rcgen::date_time_ymd(2090, 3, 4);
    early.not_after = rcgen::date_time_ymd(2091, 1, 1);
    case(
        "early",
        early,
        "TLS: certificate not valid until 2090-03-04",
    );
    let mut client_only = params(&["127.0.0.1"], true);
    client_only.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    case(
        "client-only",
        client_only,
        "TLS: certificate not for servers (extKeyUsage)",
    );
}

#[test]
fn a_ca_certificate_that_is_not_the_one_given_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let trusted = Pki::new("trusted CA");
    // Self-signed, CA:TRUE, and not in the CA file.
    let stranger = self_signed(dir.path(), "stranger", params(&["127.0.0.1"], true));
    let peer = Server::https(serving(&stranger), |_| Reply::ok("ok"));
    let r = probe(&trusted.ca_pem(), &peer.url("/"), &[]);
    assert_tls_answer(&r, 1, "TLS: CA certificate used as server certificate");
    // Signed by the trusted CA, but itself a CA: a CA's certificate is not a server's.
    let mut sub_ca = params(&["127.0.0.1"], true);
    sub_ca.not_after = rcgen::date_time_ymd(2090, 1, 1);
    let issued = trusted.issue_with("sub-ca", sub_ca);
    let peer = Server::https(serving(&issued), |_| Reply::ok("ok"));
    let r = probe(&trusted.ca_pem(), &peer.url("/"), &[]);
    assert_tls_answer(&r, 1, "TLS: CA certificate used as server certificate");
    // Not a CA, self-signed, not given: its issuer is unknown.
    let plain = self_signed(dir.path(), "plain", params(&["127.0.0.1"], false));
    let peer = Server::https(serving(&plain), |_| Reply::ok("ok"));
    let r = probe(&trusted.ca_pem(), &peer.url("/"), &[]);
    assert_tls_answer(&r, 1, "TLS: certificate signed by an unknown CA");
}

#[test]
fn no_version_or_cipher_in_common_is_the_endpoints_problem_in_words() {
    let pki = Pki::new("test CA");
    // A server of TLS 1.0 days: its ServerHello picks TLS 1.0.
    let (_old, url) = raw_tls(server_hello_tls10());
    let r = probe(&pki.ca_pem(), &url, &[]);
    assert_tls_answer(&r, 1, "TLS: server speaks neither TLS 1.2 nor 1.3");
    // A server that refuses every version offered, with the alert for it.
    let (_picky, url) = raw_tls(alert(70));
    let r = probe(&pki.ca_pem(), &url, &[]);
    assert_tls_answer(&r, 1, "TLS: no TLS version in common (1.2, 1.3 offered)");
    // A real rustls server whose only cipher suite needs an RSA key it does not have
    // (its certificate is ECDSA): it answers handshake_failure.
    let cert = pki.issue("ecdsa", &["127.0.0.1"], false);
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites =
        vec![rustls::crypto::ring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256];
    let config = serving_with(&cert, Arc::new(provider), &[&rustls::version::TLS12]);
    let peer = Server::https(config, |_| Reply::ok("ok"));
    let r = probe(&pki.ca_pem(), &peer.url("/"), &[]);
    assert_tls_answer(&r, 1, "TLS: handshake refused (ciphers? client cert?)");
}

#[test]
fn a_server_refusing_the_client_certificate_judged_the_check_not_itself() {
    let etcd = Pki::new("etcd CA");
    let server = etcd.issue("server", &["127.0.0.1"], false);
    let peer = Server::https(etcd.server_config(&server, Some(&etcd)), |_| {
        Reply::ok("ok")
    });
    let url = peer.url("/health");
    let stranger = Pki::new("another CA");
    let client = stranger.issue("client", &["npd"], false);
    let args = [
        "--client-cert",
        client.cert_pem.to_str().unwrap(),
        "--client-key",
        client.key_pem.to_str().unwrap(),
    ];
    let r = probe(&etcd.ca_pem(), &url, &args);
    assert_tls_answer(&r, 2, "TLS: server does not trust the client cert's CA");
    let r = probe(&etcd.ca_pem(), &url, &[]);
    assert_tls_answer(&r, 2, "TLS: server wants a client certificate");
}

/// A TLS record: a fatal alert with this description.
fn alert(description: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description]
}

/// A ServerHello choosing TLS 1.0 and TLS_RSA_WITH_AES_128_CBC_SHA.
fn server_hello_tls10() -> Vec<u8> {
    let mut body = vec![0x03, 0x01];
    body.extend([0x42; 32]);
    body.extend([0x00, 0x00, 0x2f, 0x00]);
    let mut handshake = vec![0x02, 0x00, 0x00, body.len() as u8];
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01, 0x00, handshake.len() as u8];
    record.extend(handshake);
    record
}

/// A peer that is not rustls: it reads the ClientHello record and answers with fixed
/// bytes; the URL to reach it speaks TLS.
fn raw_tls(bytes: Vec<u8>) -> (Server, String) {
    let peer = Server::http(move |_| Reply::Raw(bytes.clone()));
    let url = format!("https://127.0.0.1:{}/", peer.port());
    (peer, url)
}
