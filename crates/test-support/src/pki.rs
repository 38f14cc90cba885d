//! Certificates for the tests of the plugins that speak TLS (npd-http, npd-kube,
//! npd-openstack): a throw-away CA and what it issues, self-signed certificates that
//! are their own CA (made here, or by the `openssl` CLI exactly as an operator makes
//! them), rustls server configurations presenting them, and the checks every TLS
//! refusal's answer must pass. Behind the `tls` feature: only those crates build it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::{assert_one_npd_line, Run};

/// A CA of the test's own, its certificate in `<dir>/ca.pem`.
pub struct Pki {
    pub dir: tempfile::TempDir,
    ca: rcgen::Certificate,
    ca_key: KeyPair,
}

/// A certificate and its key, as PEM files and as DER.
pub struct Issued {
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    pub der: CertificateDer<'static>,
    pub key_der: Vec<u8>,
}

impl Issued {
    /// The key as PEM text (for a kubeconfig's client-key-data).
    pub fn key_text(&self) -> String {
        std::fs::read_to_string(&self.key_pem).expect("key PEM")
    }
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let ca_key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&ca_key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        Pki { dir, ca, ca_key }
    }

    pub fn ca_pem(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub fn ca_text(&self) -> String {
        self.ca.pem()
    }

    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// A certificate for `names` (the first is also its CN), expired on 2001-01-01
    /// when `expired`.
    pub fn issue(&self, file: &str, names: &[&str], expired: bool) -> Issued {
        let mut params = params(names, false);
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        self.issue_with(file, params)
    }

    /// A certificate made from `params`, signed by this CA.
    pub fn issue_with(&self, file: &str, params: CertificateParams) -> Issued {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.ca, &self.ca_key).unwrap();
        write(self.dir.path(), file, cert.pem(), &key, cert.der().clone())
    }

    /// A server presenting `cert`; with `client_ca`, it demands a client certificate
    /// signed by that CA.
    pub fn server_config(
        &self,
        cert: &Issued,
        client_ca: Option<&Pki>,
    ) -> Arc<rustls::ServerConfig> {
        serving_to(cert, client_ca.map(Pki::ca_der))
    }
}

fn write(
    dir: &Path,
    file: &str,
    pem: String,
    key: &KeyPair,
    der: CertificateDer<'static>,
) -> Issued {
    let cert_pem = dir.join(format!("{file}.pem"));
    let key_pem = dir.join(format!("{file}-key.pem"));
    std::fs::write(&cert_pem, pem).unwrap();
    std::fs::write(&key_pem, key.serialize_pem()).unwrap();
    Issued {
        cert_pem,
        key_pem,
        der,
        key_der: key.serialize_der(),
    }
}

/// Parameters of a certificate for `names` (the first is also its CN); with `ca`,
/// basicConstraints CA:TRUE, as `openssl req -x509` marks its certificates.
pub fn params(names: &[&str], ca: bool) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("self"));
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    params
}

/// Valid from January 1st of `from` to January 2nd of `to`.
pub fn valid(params: &mut CertificateParams, from: i32, to: i32) {
    params.not_before = rcgen::date_time_ymd(from, 1, 1);
    params.not_after = rcgen::date_time_ymd(to, 1, 2);
}

/// A certificate signed by its own key, written to `dir` as `<file>.pem` and
/// `<file>-key.pem`.
pub fn self_signed(dir: &Path, file: &str, params: CertificateParams) -> Issued {
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    write(dir, file, cert.pem(), &key, cert.der().clone())
}

/// A certificate and key made by `openssl req -x509 -newkey rsa:2048 -nodes` with
/// `args` added, or `None` (after saying so; a failure in CI) where the openssl CLI is
/// missing.
pub fn openssl_self_signed(dir: &Path, file: &str, args: &[&str]) -> Option<Issued> {
    let cert_pem = dir.join(format!("{file}.pem"));
    let key_pem = dir.join(format!("{file}-key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(&key_pem)
        .arg("-out")
        .arg(&cert_pem)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("openssl req: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            crate::skip("openssl-made certificate", &format!("no openssl: {e}"));
            return None;
        }
    }
    let der = CertificateDer::from_pem_file(&cert_pem).unwrap();
    let key = PrivatePkcs8KeyDer::from_pem_file(&key_pem).unwrap();
    Some(Issued {
        cert_pem,
        key_pem,
        der,
        key_der: key.secret_pkcs8_der().to_vec(),
    })
}

/// What an operator makes for a service on 127.0.0.1: `openssl req -x509 ... -subj
/// /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1` (CA:TRUE, by openssl's default).
pub fn openssl_for_loopback(dir: &Path, file: &str) -> Option<Issued> {
    let args = [
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
    ];
    openssl_self_signed(dir, file, &args)
}

/// A server presenting `cert` alone, with rustls' default versions and ciphers.
pub fn serving(cert: &Issued) -> Arc<rustls::ServerConfig> {
    serving_to(cert, None)
}

/// A server presenting `cert`; with `client_ca`, demanding a client certificate that
/// CA signed (the CA itself for a self-signed client certificate).
pub fn serving_to(
    cert: &Issued,
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
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der.clone()));
    Arc::new(
        builder
            .with_single_cert(vec![cert.der.clone()], key)
            .unwrap(),
    )
}

/// A server presenting `cert` with only these cipher suites and versions.
pub fn serving_with(
    cert: &Issued,
    provider: Arc<rustls::crypto::CryptoProvider>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ServerConfig> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der.clone()));
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der.clone()], key)
            .unwrap(),
    )
}

/// A TLS answer: exit `code`, a line ending with `ends`, in the words an operator acts
/// on (one NPD line, never a library's debug rendering).
pub fn assert_tls_answer(r: &Run, code: i32, ends: &str) {
    assert_one_npd_line(r, 80);
    for debug in ["Other(", "Error", "Context", "{", "Alert"] {
        assert!(!r.line().contains(debug), "{}", r.line());
    }
    assert_eq!(r.code, code, "{}\n{}", r.line(), r.stderr);
    assert!(
        r.line().ends_with(ends),
        "{:?} does not end {ends:?}",
        r.line()
    );
}
