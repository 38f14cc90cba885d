//! The TLS client configuration, built only when a URL is https:// and from exactly
//! the certificates asked for: a CA file, or else the host's CA bundle.
//!
//! Reading and parsing the ~290 certificates of a system bundle costs milliseconds per
//! run; a probe of http:// never pays it, and one given `--ca-file` never reads the
//! bundle at all.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::net::{is_timeout, short, DeadlineStream};
use crate::{Failure, FailureKind};

/// Where distributions keep the CA bundle, relative to the host root: Debian and
/// Ubuntu, Fedora and RHEL, openSUSE, Alpine.
pub const SYSTEM_BUNDLES: &[&str] = &[
    "etc/ssl/certs/ca-certificates.crt",
    "etc/pki/tls/certs/ca-bundle.crt",
    "etc/ssl/ca-bundle.pem",
    "etc/ssl/cert.pem",
];

/// What the TLS side of a probe trusts and presents.
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

pub(crate) fn client_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, Failure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| setup(format!("TLS setup: {e}")))?;
    let builder = if opts.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
    } else {
        builder.with_root_certificates(roots(opts)?)
    };
    let mut config = match (&opts.client_cert, &opts.client_key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert)?;
            let key_pem = read_file(key)?;
            let key = PrivateKeyDer::from_pem_slice(&key_pem)
                .map_err(|e| setup(format!("no private key in {}: {e}", key.display())))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| setup(format!("unusable client certificate: {e}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(setup(
                "a client certificate needs its key, and a key its certificate",
            ))
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn roots(opts: &TlsOptions) -> Result<RootCertStore, Failure> {
    let mut store = RootCertStore::empty();
    let file = match &opts.ca_file {
        Some(f) => f.clone(),
        None => {
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
                })?
        }
    };
    let (added, _ignored) = store.add_parsable_certificates(read_certs(&file)?);
    if added == 0 {
        return Err(setup(format!(
            "no usable CA certificate in {}",
            file.display()
        )));
    }
    Ok(store)
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| setup(format!("cannot read {}: {}", path.display(), short(&e))))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let pem = read_file(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| setup(format!("bad PEM in {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(setup(format!("no certificate in {}", path.display())));
    }
    Ok(certs)
}

fn setup(message: impl Into<String>) -> Failure {
    Failure::new(FailureKind::Setup, message)
}

/// A TLS session over a deadline-bounded socket; the handshake is done here so that
/// its failures are reported as TLS failures, not as read errors.
pub(crate) fn connect(
    config: Arc<ClientConfig>,
    host: &str,
    mut sock: DeadlineStream,
) -> Result<rustls::StreamOwned<ClientConnection, DeadlineStream>, Failure> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| setup(format!("{host:?} is not a valid TLS server name")))?;
    let mut conn =
        ClientConnection::new(config, name).map_err(|e| setup(format!("TLS setup: {e}")))?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut sock) {
            return Err(io_failure(&e, "in the TLS handshake"));
        }
    }
    Ok(rustls::StreamOwned::new(conn, sock))
}

/// Names a failure on a TLS or plain stream: a TLS alert or certificate problem, the
/// deadline, or the connection's fate.
pub(crate) fn io_failure(e: &io::Error, phase: &str) -> Failure {
    if is_timeout(e) {
        return Failure::new(FailureKind::Timeout, phase.to_string());
    }
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return Failure::new(FailureKind::Tls, describe(tls));
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => {
            Failure::new(FailureKind::Protocol, format!("connection closed {phase}"))
        }
        _ => Failure::new(FailureKind::Connect, format!("{phase}: {}", short(e))),
    }
}

fn describe(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "TLS: certificate signed by an unknown CA".into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "TLS: certificate not valid for this host".into()
            }
            C::Expired | C::ExpiredContext { .. } => "TLS: certificate expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "TLS: certificate not valid yet".into()
            }
            C::Revoked => "TLS: certificate revoked".into(),
            C::BadSignature => "TLS: certificate has a bad signature".into(),
            other => format!("TLS: bad certificate ({other:?})"),
        },
        rustls::Error::AlertReceived(alert) => format!("TLS: server sent alert {alert:?}"),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "TLS: server does not speak TLS".into()
        }
        other => format!("TLS: {other}"),
    }
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
