//! The apiserver's certificate as npd-kube judges it, through `http_probe`'s verifier:
//! a self-signed certificate that is itself the cluster CA (as `openssl req -x509`
//! makes it, CA:TRUE) is trusted by --ca-file and by a kubeconfig's CA data, still
//! held to its names and dates; every TLS refusal is Unknown (the apiserver is only
//! the way to ask, and a refusal says nothing of its readiness) and says why.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::util::{ok, pod_list, run, Apiserver, Creds, Reply, Run};

fn ready() -> Reply {
    Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec())
}

/// A certificate (as a file and as DER) and its key (PKCS#8, as PEM and as DER).
struct Cert {
    pem: PathBuf,
    der: CertificateDer<'static>,
    key_pem: String,
    key: Vec<u8>,
}

/// A self-signed certificate for `names`, CA:TRUE, valid from January 1st of the
/// first year to January 2nd of the second.
fn self_signed(dir: &Path, file: &str, names: &[&str], valid: (i32, i32)) -> Cert {
    made(dir, file, names, valid, true)
}

/// As [`self_signed`]; CA:TRUE only with `ca`.
fn made(dir: &Path, file: &str, names: &[&str], valid: (i32, i32), ca: bool) -> Cert {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    params.not_before = rcgen::date_time_ymd(valid.0, 1, 1);
    params.not_after = rcgen::date_time_ymd(valid.1, 1, 2);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let pem = dir.join(format!("{file}.pem"));
    std::fs::write(&pem, cert.pem()).unwrap();
    Cert {
        pem,
        der: cert.der().clone(),
        key_pem: key.serialize_pem(),
        key: key.serialize_der(),
    }
}

/// What `openssl req -x509` makes for an internal apiserver on 127.0.0.1, or `None`
/// (after saying so; a failure in CI) without the openssl CLI.
fn openssl_self_signed(dir: &Path) -> Option<Cert> {
    let (pem, key_file) = (dir.join("openssl.pem"), dir.join("openssl-key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(&key_file)
        .arg("-out")
        .arg(&pem)
        .args(["-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .stdin(std::process::Stdio::null())
        .output();
    match made {
        Ok(out) => assert!(out.status.success(), "openssl req: {out:?}"),
        Err(e) => {
            npd_test_support::skip("openssl-made apiserver certificate", &e.to_string());
            return None;
        }
    }
    let der = CertificateDer::from_pem_file(&pem).unwrap();
    let key = PrivatePkcs8KeyDer::from_pem_file(&key_file).unwrap();
    Some(Cert {
        pem,
        der,
        key_pem: std::fs::read_to_string(&key_file).unwrap(),
        key: key.secret_pkcs8_der().to_vec(),
    })
}

/// A server presenting `cert`; with `client_ca`, demanding a client certificate.
fn presenting(
    cert: &Cert,
    client_ca: Option<CertificateDer<'static>>,
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key.clone()));
    Arc::new(
        builder
            .with_single_cert(vec![cert.der.clone()], key)
            .unwrap(),
    )
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
    let r = run(&all);
    for debug in ["Other(", "Error", "Context", "{"] {
        assert!(!r.line().contains(debug), "{}", r.line());
    }
    r
}

fn assert_answer(r: &Run, code: i32, ends: &str) {
    assert_eq!(r.code, code, "{}\n{}", r.line(), r.stderr);
    assert!(
        r.line().ends_with(ends),
        "{:?} does not end {ends:?}",
        r.line()
    );
}

#[test]
fn a_self_signed_apiserver_certificate_given_as_the_ca_is_trusted() {
    let creds = Creds::new();
    let cert = self_signed(creds.dir.path(), "api", &["127.0.0.1"], (2020, 2090));
    let api = Apiserver::serving(creds, presenting(&cert, None), |head: &str| {
        if head.starts_with("GET /readyz") {
            ready()
        } else {
            ok(pod_list(vec![]))
        }
    });
    assert_answer(
        &ask(&api, &cert.pem, &["apiserver"]),
        0,
        "apiserver is ready",
    );
    let r = ask(&api, &cert.pem, &["pods", "--node", "node-a"]);
    assert_eq!(r.code, 0, "{}\n{}", r.line(), r.stderr);
}

#[test]
fn the_openssl_certificate_in_a_kubeconfig_is_trusted_as_the_cluster_ca() {
    let creds = Creds::new();
    let Some(cert) = openssl_self_signed(creds.dir.path()) else {
        return;
    };
    let api = Apiserver::serving(creds, presenting(&cert, None), |_| ready());
    let ca = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&cert.pem).unwrap());
    let config = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\ncontexts:\n- name: t\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    tokenFile: token\n",
        api.url()
    );
    let path = api.creds.dir.path().join("kubeconfig");
    std::fs::write(&path, config).unwrap();
    let r = run(&["apiserver", "--kubeconfig", path.to_str().unwrap()]);
    assert_answer(&r, 0, "apiserver is ready");
}

#[test]
fn a_trusted_self_signed_certificate_for_other_names_or_expired_is_unknown_in_words() {
    let creds = Creds::new();
    let dir = creds.dir.path().to_path_buf();
    let named = self_signed(&dir, "named", &["kube-apiserver.example"], (2020, 2090));
    let api = Apiserver::serving(creds, presenting(&named, None), |_| ready());
    let r = ask(&api, &named.pem, &["apiserver"]);
    assert_answer(&r, 2, "TLS: certificate is for kube-apiserver.example");
    assert!(api.requests().is_empty());

    let creds = Creds::new();
    let expired = self_signed(creds.dir.path(), "old", &["127.0.0.1"], (2000, 2001));
    let api = Apiserver::serving(creds, presenting(&expired, None), |_| ready());
    let r = ask(&api, &expired.pem, &["apiserver"]);
    assert_answer(&r, 2, "TLS: certificate expired 2001-01-02");
}

#[test]
fn a_ca_certificate_that_is_not_the_cluster_ca_is_refused() {
    let creds = Creds::new();
    let cert = self_signed(creds.dir.path(), "stranger", &["127.0.0.1"], (2020, 2090));
    let api = Apiserver::serving(creds, presenting(&cert, None), |_| ready());
    let r = ask(&api, &api.creds.ca(), &["apiserver"]);
    assert_answer(&r, 2, "TLS: CA certificate used as server certificate");
}

#[test]
fn an_apiserver_wanting_a_client_certificate_gets_the_kubeconfigs() {
    let creds = Creds::new();
    let dir = creds.dir.path().to_path_buf();
    let server = self_signed(&dir, "api", &["127.0.0.1"], (2020, 2090));
    // A client certificate is no CA: the apiserver's verifier (webpki) would refuse one.
    let client = made(&dir, "client", &["node-a"], (2020, 2090), false);
    let tls = presenting(&server, Some(client.der.clone()));
    let api = Apiserver::serving(creds, tls, |_| ready());
    let r = ask(&api, &server.pem, &["apiserver"]);
    assert_answer(&r, 2, "TLS: server wants a client certificate");

    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let config = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: t\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
        api.url(),
        b64(&std::fs::read(&server.pem).unwrap()),
        b64(&std::fs::read(&client.pem).unwrap()),
        b64(client.key_pem.as_bytes()),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, config).unwrap();
    let r = run(&["apiserver", "--kubeconfig", path.to_str().unwrap()]);
    assert_answer(&r, 0, "apiserver is ready");
}
