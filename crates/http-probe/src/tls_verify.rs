//! The server certificate verifier: webpki's, plus one rule for a certificate that is
//! itself a configured trust anchor.
//!
//! The rule: a server certificate byte-identical (DER) to a certificate of the CA
//! file (or kubeconfig CA data, or a cloud's `cacert`) is trusted as that anchor: its
//! validity period, its names (subjectAltName, matched by rustls' own name check)
//! and, when it lists extended key usages, serverAuth among them are still checked.
//! This is the self-signed certificate `openssl req -x509` makes (basicConstraints
//! CA:TRUE) in front of an internal Keystone or apiserver, given as its own CA, which
//! curl and Go accept and webpki refuses as "a CA used as an end entity". Nothing
//! else is relaxed: a CA:TRUE certificate that is not an anchor is still refused,
//! every other certificate goes through webpki unchanged, and the handshake
//! signatures are webpki's.
//!
//! Refusals are rustls' own error values, with the names the certificate carries
//! (bare, not webpki's debug forms) put where rustls puts presented names, so that
//! the one-line answer can say which names the certificate has.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_name, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use crate::x509::{self, Facts, SERVER_AUTH};

/// webpki's verifier with the anchor rule of this module.
#[derive(Debug)]
pub(crate) struct AnchorAware {
    webpki: Arc<WebPkiServerVerifier>,
    /// The DER of every certificate the trust store took.
    anchors: Vec<CertificateDer<'static>>,
}

impl AnchorAware {
    pub(crate) fn new(
        roots: RootCertStore,
        anchors: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<AnchorAware, String> {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(AnchorAware { webpki, anchors })
    }

    fn is_anchor(&self, cert: &CertificateDer<'_>) -> bool {
        self.anchors.iter().any(|a| a.as_ref() == cert.as_ref())
    }
}

impl ServerCertVerifier for AnchorAware {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let refusal = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(ok) => return Ok(ok),
            Err(e) => e,
        };
        let facts = x509::facts(end_entity.as_ref());
        let refusal = match &facts {
            Some(f) if self.is_anchor(end_entity) => {
                match as_anchor(end_entity, f, server_name, now) {
                    Ok(()) => return Ok(ServerCertVerified::assertion()),
                    Err(e) => e,
                }
            }
            _ => refusal,
        };
        Err(match facts {
            Some(f) => with_names(refusal, &f),
            None => refusal,
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// What webpki checks of an end-entity certificate, but for its basicConstraints
/// (the anchor is trusted as it is; its signature over itself proves nothing more).
fn as_anchor(
    cert: &CertificateDer<'_>,
    facts: &Facts,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> Result<(), Error> {
    let at = |secs: i64| UnixTime::since_unix_epoch(Duration::from_secs(secs.max(0) as u64));
    let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    if facts.not_before > facts.not_after {
        return Err(CertificateError::Expired.into());
    }
    if now_secs < facts.not_before {
        return Err(CertificateError::NotValidYetContext {
            time: now,
            not_before: at(facts.not_before),
        }
        .into());
    }
    if now_secs > facts.not_after {
        return Err(CertificateError::ExpiredContext {
            time: now,
            not_after: at(facts.not_after),
        }
        .into());
    }
    // As webpki for a server: a listed extendedKeyUsage must include serverAuth.
    if let Some(purposes) = &facts.key_purposes {
        if !purposes.iter().any(|p| p == SERVER_AUTH) {
            return Err(CertificateError::InvalidPurpose.into());
        }
    }
    verify_server_name(&ParsedCertificate::try_from(cert)?, server_name)
}

/// A name refusal carries the certificate's names as written ("10.0.0.1",
/// "api.example"); a certificate without subjectAltName names its CN ("CN=host"),
/// which no verifier matches but an operator recognises.
fn with_names(e: Error, facts: &Facts) -> Error {
    let expected = match e {
        Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected, ..
        }) => expected,
        other => return other,
    };
    let presented = match (&facts.names[..], &facts.common_name) {
        ([], Some(cn)) => vec![format!("CN={cn}")],
        (names, _) => names.to_vec(),
    };
    CertificateError::NotValidForNameContext {
        expected,
        presented,
    }
    .into()
}
