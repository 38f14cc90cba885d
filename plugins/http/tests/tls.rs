//! HTTPS against peers whose certificates the test makes: verification is on by
//! default, only the CA asked for is trusted, and TLS failures are problems while an
//! unusable CA file is Unknown.

use std::path::Path;
use std::time::Duration;

use npd_test_support::{run, FakeHost, Reply, Run, Server};

use crate::util::BIN;
use npd_test_support::pki::Pki;

fn https_peer(pki: &Pki, names: &[&str], expired: bool) -> Server {
    let cert = pki.issue("server", names, expired);
    Server::https(pki.server_config(&cert, None), |_| Reply::ok("ok"))
}

/// Probes `url` trusting only the CA in the file `ca`.
fn trusting(ca: &Path, url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--url", url, "--ca-file", ca.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(BIN, &args)
}

#[test]
fn a_server_signed_by_the_given_ca_is_healthy() {
    let pki = Pki::new("test CA");
    let peer = https_peer(&pki, &["127.0.0.1", "localhost"], false);
    let ca = pki.ca_pem();
    let r = trusting(&ca, &peer.url("/healthz"), &[]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    let url = format!("https://localhost:{}/healthz", peer.port());
    let r = trusting(&ca, &url, &["--body-regex", "^ok$"]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
}

#[test]
fn another_ca_an_expired_certificate_or_one_for_another_name_is_a_problem() {
    let pki = Pki::new("test CA");
    let other = Pki::new("other CA");
    for (ca, names, expired, why) in [
        (
            &other,
            "127.0.0.1",
            false,
            "certificate signed by an unknown CA",
        ),
        (
            &pki,
            "etcd.example",
            false,
            "certificate is for etcd.example",
        ),
        (&pki, "127.0.0.1", true, "certificate expired 2001-01-01"),
    ] {
        let peer = https_peer(&pki, &[names], expired);
        let r = trusting(&ca.ca_pem(), &peer.url("/"), &[]);
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert!(r.line().ends_with(&format!("TLS: {why}")), "{}", r.line());
    }
}

#[test]
fn insecure_skips_verification_only_when_asked() {
    let pki = Pki::new("test CA");
    let peer = https_peer(&pki, &["elsewhere.example"], true);
    let r = run(BIN, &["--url", &peer.url("/"), "--insecure"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn mtls_needs_the_client_certificate() {
    let pki = Pki::new("etcd CA");
    let server = pki.issue("server", &["127.0.0.1"], false);
    let client = pki.issue("client", &["npd"], false);
    let peer = Server::https(pki.server_config(&server, Some(&pki)), |_| {
        Reply::ok("{\"health\":\"true\"}")
    });
    let ca = pki.ca_pem();
    let url = peer.url("/health");
    // Without the client certificate the server judged the check, not itself.
    let r = trusting(&ca, &url, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line().ends_with("TLS: server wants a client certificate"),
        "{}",
        r.line()
    );
    let r = trusting(
        &ca,
        &url,
        &[
            "--client-cert",
            client.cert_pem.to_str().unwrap(),
            "--client-key",
            client.key_pem.to_str().unwrap(),
            "--body-regex",
            "\"health\":\"true\"",
        ],
    );
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
}

#[test]
fn without_a_ca_file_the_hosts_bundle_is_used() {
    let pki = Pki::new("host CA");
    let peer = https_peer(&pki, &["127.0.0.1"], false);
    let host = FakeHost::new();
    let url = peer.url("/");
    let bundle = "/etc/ssl/certs/ca-certificates.crt";
    // A bundle that does not hold the CA: not trusted.
    let other = Pki::new("some public CA");
    host.write(bundle, other.ca_text());
    let r = run(BIN, &["--url", &url, "--host-root", host.root()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    host.write(bundle, other.ca_text() + &pki.ca_text());
    let r = run(BIN, &["--url", &url, "--host-root", host.root()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // No bundle at all: the probe cannot be made.
    host.remove(bundle);
    let r = run(BIN, &["--url", &url, "--host-root", host.root()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.line().contains("no CA bundle"), "{}", r.line());
}

#[test]
fn an_http_url_never_reads_the_ca_file() {
    let peer = Server::http(|_| Reply::ok(""));
    let r = run(
        BIN,
        &["--url", &peer.url("/"), "--ca-file", "/nonexistent/ca.pem"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn unusable_ca_or_client_files_are_unknown_and_nothing_is_sent() {
    let pki = Pki::new("test CA");
    let peer = https_peer(&pki, &["127.0.0.1"], false);
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let url = peer.url("/");
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
        let r = run(BIN, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
    }
    assert!(peer.requests().is_empty());
}

#[test]
fn plain_http_to_a_tls_port_and_tls_to_a_plain_port_are_problems() {
    let pki = Pki::new("test CA");
    let tls_peer = https_peer(&pki, &["127.0.0.1"], false);
    let plain_url = format!("http://127.0.0.1:{}/", tls_peer.port());
    let r = run(BIN, &["--url", &plain_url, "--timeout", "2s"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let plain = Server::http(|_| Reply::ok("plain"));
    let r = run(
        BIN,
        &[
            "--url",
            &format!("https://127.0.0.1:{}/", plain.port()),
            "--insecure",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().contains("TLS"), "{}", r.line());
}

#[test]
fn a_tls_peer_that_never_handshakes_fails_by_the_timeout() {
    let peer = Server::http(|_| Reply::Hang);
    let silent = Server::silent();
    drop(peer);
    let pki = Pki::new("test CA");
    let r = run(
        BIN,
        &[
            "--url",
            &format!("https://127.0.0.1:{}/", silent.port()),
            "--ca-file",
            pki.ca_pem().to_str().unwrap(),
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with("no answer in 1s"), "{}", r.line());
    assert!(r.took < Duration::from_millis(1400), "{:?}", r.took);
}
