//! HTTPS against peers whose certificates the test makes: verification is on by
//! default, only the CA asked for is trusted, and TLS failures are problems while an
//! unusable CA file is Unknown.

use std::time::Duration;

use crate::certs::Pki;
use crate::util::{ok, run, Peer, Reply};

fn https_peer(pki: &Pki, names: &[&str], expired: bool) -> Peer {
    let cert = pki.issue("server", names, expired);
    Peer::https(pki.server_config(&cert, None), |_| ok("ok"))
}

#[test]
fn a_server_signed_by_the_given_ca_is_healthy() {
    let pki = Pki::new("test CA");
    let peer = https_peer(&pki, &["127.0.0.1", "localhost"], false);
    let ca = pki.ca_pem();
    let r = run(&[
        "--url",
        &peer.https_url("/healthz"),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    let url = format!("https://localhost:{}/healthz", peer.port);
    let r = run(&[
        "--url",
        &url,
        "--ca-file",
        ca.to_str().unwrap(),
        "--body-regex",
        "^ok$",
    ]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
}

#[test]
fn another_ca_is_not_trusted() {
    let pki = Pki::new("test CA");
    let other = Pki::new("other CA");
    let peer = https_peer(&pki, &["127.0.0.1"], false);
    let r = run(&[
        "--url",
        &peer.https_url("/"),
        "--ca-file",
        other.ca_pem().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.line()
            .ends_with("TLS: certificate signed by an unknown CA"),
        "{}",
        r.line()
    );
}

#[test]
fn a_certificate_for_another_name_or_expired_is_a_problem() {
    let pki = Pki::new("test CA");
    let ca = pki.ca_pem();
    let peer = https_peer(&pki, &["etcd.example"], false);
    let r = run(&[
        "--url",
        &peer.https_url("/"),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.line()
            .ends_with("TLS: certificate not valid for this host"),
        "{}",
        r.line()
    );
    let peer = https_peer(&pki, &["127.0.0.1"], true);
    let r = run(&[
        "--url",
        &peer.https_url("/"),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().ends_with("TLS: certificate expired"),
        "{}",
        r.line()
    );
}

#[test]
fn insecure_skips_verification_only_when_asked() {
    let pki = Pki::new("test CA");
    let peer = https_peer(&pki, &["elsewhere.example"], true);
    let r = run(&["--url", &peer.https_url("/"), "--insecure"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn mtls_needs_the_client_certificate() {
    let pki = Pki::new("etcd CA");
    let server = pki.issue("server", &["127.0.0.1"], false);
    let client = pki.issue("client", &["npd"], false);
    let peer = Peer::https(pki.server_config(&server, Some(&pki)), |_| {
        ok("{\"health\":\"true\"}")
    });
    let ca = pki.ca_pem();
    let base = [
        "--url",
        &peer.https_url("/health"),
        "--ca-file",
        ca.to_str().unwrap(),
    ];
    let r = run(&base);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.line().contains("TLS") || r.line().contains("closed"),
        "{}",
        r.line()
    );
    let mut with_cert = base.to_vec();
    let (c, k) = (
        client.cert_pem.to_str().unwrap(),
        client.key_pem.to_str().unwrap(),
    );
    with_cert.extend([
        "--client-cert",
        c,
        "--client-key",
        k,
        "--body-regex",
        "\"health\":\"true\"",
    ]);
    let r = run(&with_cert);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
}

#[test]
fn without_a_ca_file_the_hosts_bundle_is_used() {
    let pki = Pki::new("host CA");
    let peer = https_peer(&pki, &["127.0.0.1"], false);
    let host = tempfile::tempdir().unwrap();
    let certs = host.path().join("etc/ssl/certs");
    std::fs::create_dir_all(&certs).unwrap();
    let root = host.path().to_str().unwrap();
    // A bundle that does not hold the CA: not trusted.
    let other = Pki::new("some public CA");
    std::fs::write(certs.join("ca-certificates.crt"), other.ca_text()).unwrap();
    let r = run(&["--url", &peer.https_url("/"), "--host-root", root]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    std::fs::write(
        certs.join("ca-certificates.crt"),
        other.ca_text() + &pki.ca_text(),
    )
    .unwrap();
    let r = run(&["--url", &peer.https_url("/"), "--host-root", root]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // No bundle at all: the probe cannot be made.
    let empty = tempfile::tempdir().unwrap();
    let r = run(&[
        "--url",
        &peer.https_url("/"),
        "--host-root",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.line().contains("no CA bundle"), "{}", r.line());
}

#[test]
fn an_http_url_never_reads_the_ca_file() {
    let peer = Peer::http(|_| ok(""));
    let r = run(&["--url", &peer.url("/"), "--ca-file", "/nonexistent/ca.pem"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn unusable_ca_or_client_files_are_unknown_and_nothing_is_sent() {
    let pki = Pki::new("test CA");
    let peer = https_peer(&pki, &["127.0.0.1"], false);
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let url = peer.https_url("/");
    for args in [
        vec!["--url", &url, "--ca-file", "/nonexistent/ca.pem"],
        vec!["--url", &url, "--ca-file", garbage.to_str().unwrap()],
        vec![
            "--url",
            &url,
            "--insecure",
            "--client-cert",
            garbage.to_str().unwrap(),
            "--client-key",
            garbage.to_str().unwrap(),
        ],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
    }
    assert!(peer.requests().is_empty());
}

#[test]
fn plain_http_to_a_tls_port_and_tls_to_a_plain_port_are_problems() {
    let pki = Pki::new("test CA");
    let tls_peer = https_peer(&pki, &["127.0.0.1"], false);
    let r = run(&["--url", &tls_peer.url("/"), "--timeout", "2s"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let plain = Peer::http(|_| ok("plain"));
    let r = run(&["--url", &plain.https_url("/"), "--insecure"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().contains("TLS"), "{}", r.line());
}

#[test]
fn a_tls_peer_that_never_handshakes_fails_by_the_timeout() {
    let peer = Peer::http(|_| Reply::Hang);
    let silent = crate::util::Peer::silent();
    drop(peer);
    let pki = Pki::new("test CA");
    let r = run(&[
        "--url",
        &silent.https_url("/"),
        "--ca-file",
        pki.ca_pem().to_str().unwrap(),
        "--timeout",
        "1s",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with("no answer in 1s"), "{}", r.line());
    assert!(r.elapsed < Duration::from_millis(1400), "{:?}", r.elapsed);
}
