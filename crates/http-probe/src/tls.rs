//! The TLS client configuration, built only when a URL is https:// and from exactly
//! the certificates asked for: a CA file, PEM bytes (a kubeconfig's CA data), or else
//! the host's CA bundle; and the handshake on a deadline-bounded socket.
//!
//! Reading and parsing the ~290 certificates of a system bundle costs milliseconds per
//! run; a probe of http:// never pays it, and one given `--ca-file` never reads the
//! bundle at all.
//!
//! The server's certificate is verified by webpki with one rule added
//! (`tls_verify`): a certificate that is itself one of the trusted ones is accepted
//! as that anchor, its names and dates still checked. Failures are said in words
//! (`tls_words`); whose failure each one is, is the crate's rule (see its docs).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::failure::io_failure;
use crate::net::{short, DeadlineStream};
use crate::tls_verify::AnchorAware;
use crate::tls_words::{client_cert_words, failure, pem_words};
use crate::{Failure, FailureKind};

/// Where distributions keep the CA bundle, relative to the host root: Debian and
/// Ubuntu, Fedora and RHEL, openSUSE, Alpine.
pub const SYSTEM_BUNDLES: &[&str] = &[
    "etc/ssl/certs/ca-certificates.crt",
    "etc/pki/tls/certs/ca-bundle.crt",
    "etc/ssl/ca-bundle.pem",
    "etc/ssl/cert.pem",
];

/// What the TLS side of a probe trusts and presents, as files.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Trust only the CA certificates in this PEM file.
    pub ca_file: Option<PathBuf>,
    /// Without `ca_file`: look for the system bundle under this root (`/` by default).
    pub system_root: Option<PathBuf>,
    /// Accept any server certificate (still encrypted, not authenticated).
    pub insecure: bool,
    /// A client certificate chain and its key, both PEM, for mTLS (etcd).
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

/// A TLS session over a deadline-bounded socket.
pub type TlsStream = rustls::StreamOwned<ClientConnection, DeadlineStream>;

/// A client configuration, ready for any number of connections.
#[derive(Clone, Debug)]
pub struct TlsConfig(Arc<ClientConfig>);

impl TlsConfig {
    /// From files: `opts.ca_file`, else the host's bundle; a client certificate and
    /// key when both are given.
    pub fn from_files(opts: &TlsOptions) -> Result<TlsConfig, Failure> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = if opts.insecure {
            Arc::new(AnyCertificate(provider.clone()))
        } else {
            let file = ca_file(opts)?;
            let name = file.display().to_string();
            trusting(read_certs(&file)?, &name, &provider)?
        };
        let client = match (&opts.client_cert, &opts.client_key) {
            (Some(cert), Some(key)) => Some((read_certs(cert)?, read_key(key)?)),
            (None, None) => None,
            _ => {
                return Err(setup(
                    "a client certificate needs its key, and a key its certificate",
                ))
            }
        };
        build(provider, verifier, client)
    }

    /// From PEM bytes: the CA certificates (`ca_name` says where they came from, for
    /// messages) and, for mTLS, a client certificate chain and its key.
    pub fn from_pem(
        ca_pem: &[u8],
        ca_name: &str,
        client: Option<(&[u8], &[u8])>,
    ) -> Result<TlsConfig, Failure> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = trusting(certs(ca_pem, ca_name)?, ca_name, &provider)?;
        let client = match client {
            Some((cert, key)) => Some((
                certs(cert, "the client certificate")?,
                key_der(key, "the client key")?,
            )),
            None => None,
        };
        build(provider, verifier, client)
    }

    /// Connects over `sock` to `host`, the handshake done here so that its failures
    /// are reported as TLS failures, not as read errors.
    pub fn connect(&self, host: &str, mut sock: DeadlineStream) -> Result<TlsStream, Failure> {
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| setup(format!("{host:?} is not a valid TLS server name")))?;
        let mut conn = ClientConnection::new(self.0.clone(), name).map_err(|e| failure(&e))?;
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut sock) {
                return Err(io_failure(&e, "in the TLS handshake"));
            }
        }
        Ok(rustls::StreamOwned::new(conn, sock))
    }
}

type ClientCredentials = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn build(
    provider: Arc<CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
    client: Option<ClientCredentials>,
) -> Result<TlsConfig, Failure> {
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| setup("TLS setup: no protocol version available"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match client {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| setup(client_cert_words(&e)).with_detail(format!("{e:?}")))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConfig(Arc::new(config)))
}

/// The verifier trusting `certs` (those rustls can take as anchors).
fn trusting(
    certs: Vec<CertificateDer<'static>>,
    name: &str,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, Failure> {
    let mut store = RootCertStore::empty();
    let mut anchors = Vec::new();
    for cert in certs {
        if store.add(cert.clone()).is_ok() {
            anchors.push(cert);
        }
    }
    if anchors.is_empty() {
        return Err(setup(format!("no usable CA certificate in {name}")));
    }
    let verifier = AnchorAware::new(store, anchors, provider.clone())
        .map_err(|e| setup(format!("TLS setup: {e}")))?;
    Ok(Arc::new(verifier))
}

fn ca_file(opts: &TlsOptions) -> Result<PathBuf, Failure> {
    if let Some(f) = &opts.ca_file {
        return Ok(f.clone());
    }
    let root = opts
        .system_root
        .clone()
        .unwrap_or_else(|| PathBuf::from("/"));
    SYSTEM_BUNDLES
        .iter()
        .map(|b| root.join(b))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            setup(format!(
                "no CA bundle under {}; give a CA file",
                root.display()
            ))
        })
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| setup(format!("cannot read {}: {}", path.display(), short(&e))))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Failure> {
    certs(&read_file(path)?, &path.display().to_string())
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, Failure> {
    key_der(&read_file(path)?, &path.display().to_string())
}

fn certs(pem: &[u8], name: &str) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| setup(format!("bad PEM in {name}: {}", pem_words(&e))))?;
    if certs.is_empty() {
        return Err(setup(format!("no certificate in {name}")));
    }
    Ok(certs)
}

fn key_der(pem: &[u8], name: &str) -> Result<PrivateKeyDer<'static>, Failure> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => setup(format!("no private key in {name}")),
        e => setup(format!("bad PEM in {name}: {}", pem_words(&e))),
    })
}

fn setup(message: impl Into<String>) -> Failure {
    Failure::new(FailureKind::Setup, message)
}

/// Encrypts without authenticating the server: `--insecure`. Signatures are still
/// checked, so the session is at least with the holder of the certificate's key.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
