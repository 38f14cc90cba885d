//! What a TLS failure is, in words an operator acts on, and whose it is.
//!
//! rustls' own texts print its enums' debug forms ("invalid peer certificate:
//! Other(OtherError(CaUsedAsEndEntity))", "received fatal alert: HandshakeFailure");
//! none of them reaches the one-line answer. Every refusal here is short (the
//! answer also carries a URL or a host within 80 bytes), starts with "TLS: ", and
//! keeps the library's rendering for `Failure::detail` (stderr under `--explain`).
//!
//! Whose failure it is ([`FailureKind`]): the server's certificate, version or
//! ciphers, and its protocol are the endpoint's (`Tls`); a server that wants a
//! client certificate or refuses ours judged the check's credentials, not its own
//! health (`ClientAuth`); a host name TLS cannot use is the check's setup.

use std::io;

use rustls::pki_types::pem;
use rustls::{AlertDescription, CertificateError, Error, PeerIncompatible};

use crate::x509;
use crate::{Failure, FailureKind};

/// The failure an I/O error of a TLS stream carries, if it carries a TLS one.
pub fn failure_of(e: &io::Error) -> Option<Failure> {
    Some(failure(e.get_ref()?.downcast_ref::<Error>()?))
}

/// A rustls error as a failure: its words, and its own rendering as the detail.
pub(crate) fn failure(e: &Error) -> Failure {
    let (kind, message) = describe(e);
    Failure::new(kind, message).with_detail(format!("{e:?}"))
}

/// The kind and the words of a rustls error.
pub(crate) fn describe(e: &Error) -> (FailureKind, String) {
    use FailureKind::{Setup, Tls};
    let (kind, text): (FailureKind, String) = match e {
        Error::InvalidCertificate(c) => (Tls, certificate(c)),
        Error::AlertReceived(a) => alert(*a),
        Error::PeerIncompatible(p) => (Tls, incompatible(p).into()),
        Error::PeerMisbehaved(_) => (Tls, "server broke the TLS protocol".into()),
        Error::InvalidMessage(_)
        | Error::InappropriateMessage { .. }
        | Error::InappropriateHandshakeMessage { .. }
        | Error::PeerSentOversizedRecord => (Tls, "server does not speak TLS".into()),
        Error::NoCertificatesPresented => (Tls, "server sent no certificate".into()),
        Error::DecryptError => (Tls, "cannot decrypt the server's messages".into()),
        Error::NoApplicationProtocol => (Tls, "server does not speak http/1.1 (ALPN)".into()),
        Error::UnsupportedNameType => (Setup, "host name not usable for TLS".into()),
        Error::FailedToGetCurrentTime => (Setup, "no current time to check certificates".into()),
        Error::FailedToGetRandomBytes => (Setup, "no random bytes for TLS".into()),
        Error::General(text) => (Tls, printable(text, 48)),
        _ => (Tls, "handshake failed".into()),
    };
    (kind, format!("TLS: {text}"))
}

fn certificate(c: &CertificateError) -> String {
    use CertificateError as C;
    #[allow(deprecated)]
    let text = match c {
        C::BadEncoding => "server certificate is malformed",
        C::Expired => "certificate expired",
        C::ExpiredContext { not_after, .. } => {
            return format!("certificate expired {}", date(not_after.as_secs()))
        }
        C::NotValidYet => "certificate not valid yet",
        C::NotValidYetContext { not_before, .. } => {
            return format!("certificate not valid until {}", date(not_before.as_secs()))
        }
        C::Revoked => "certificate revoked",
        C::UnhandledCriticalExtension => "certificate has an unknown critical extension",
        C::UnknownIssuer => "certificate signed by an unknown CA",
        // A trusted CA of the issuer's name exists but did not sign it: another
        // cluster's "kubernetes" CA, a CA generated again under the same name.
        C::BadSignature => "certificate not signed by the trusted CA",
        C::UnsupportedSignatureAlgorithm
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "certificate signature algorithm unsupported"
        }
        C::NotValidForName => "certificate not valid for this host",
        C::NotValidForNameContext { presented, .. } => return names(presented),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "certificate not for servers (extKeyUsage)"
        }
        C::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(w) => webpki_words(w),
            None => "certificate refused",
        },
        _ => "certificate refused",
    };
    text.to_string()
}

/// webpki's refusals that rustls passes on as `Other`.
fn webpki_words(e: &webpki::Error) -> &'static str {
    use webpki::Error as W;
    match e {
        W::CaUsedAsEndEntity => "CA certificate used as server certificate",
        W::EndEntityUsedAsCa => "chain has a non-CA certificate as issuer",
        W::PathLenConstraintViolated
        | W::MaximumPathDepthExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumNameConstraintComparisonsExceeded => "certificate chain too long",
        W::NameConstraintViolation => "certificate name outside its CA's constraints",
        W::UnsupportedCertVersion => "certificate is not X.509 v3",
        W::UnsupportedCriticalExtension => "certificate has an unknown critical extension",
        W::CertDistrusted => "certificate distrusted",
        W::EmptyEkuExtension => "certificate not for servers (extKeyUsage)",
        W::UnsupportedNameType => "certificate has a name of an unsupported type",
        W::SignatureAlgorithmMismatch => "certificate signature algorithms disagree",
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::MalformedDnsIdentifier
        | W::MalformedExtensions
        | W::MalformedNameConstraint
        | W::ExtensionValueInvalid
        | W::InvalidSerialNumber
        | W::InvalidNetworkMaskConstraint => "server certificate is malformed",
        _ => "certificate refused",
    }
}

/// Bytes of names shown: the answer also holds a URL or a host, and the count.
const NAMES_BUDGET: usize = 34;

/// "certificate is for a.example, 10.0.0.1 +3": as many names as fit, then a count.
fn names(presented: &[String]) -> String {
    let bare: Vec<&str> = presented.iter().map(|n| bare(n)).collect();
    match bare[..] {
        [] => return "certificate has no SAN names".into(),
        [cn] if cn.starts_with("CN=") => return format!("certificate has only {cn}, no SAN"),
        _ => {}
    }
    let mut shown = String::new();
    let mut count = 0;
    for name in &bare {
        if !shown.is_empty() {
            if shown.len() + 2 + name.len() > NAMES_BUDGET {
                break;
            }
            shown.push_str(", ");
        }
        shown.push_str(&printable(name, NAMES_BUDGET));
        count += 1;
    }
    let more = match bare.len() - count {
        0 => String::new(),
        n => format!(" +{n}"),
    };
    format!("certificate is for {shown}{more}")
}

/// A name without the wrapper webpki's debug form gives it (`DnsName("x")`,
/// `IpAddress(10.0.0.1)`), should one reach here.
fn bare(name: &str) -> &str {
    match (name.find('('), name.strip_suffix(')')) {
        (Some(open), Some(inner)) if open < inner.len() => inner[open + 1..].trim_matches('"'),
        _ => name,
    }
}

fn alert(a: AlertDescription) -> (FailureKind, String) {
    use FailureKind::{ClientAuth, Tls};
    let code = u8::from(a);
    let (kind, text) = match code {
        116 => (ClientAuth, "server wants a client certificate"),
        41 | 42 | 43 | 46 => (ClientAuth, "server wants a valid client certificate"),
        48 => (ClientAuth, "server does not trust the client cert's CA"),
        45 => (ClientAuth, "server says the client certificate expired"),
        44 => (ClientAuth, "server says the client certificate is revoked"),
        49 => (ClientAuth, "server denied access (client certificate)"),
        // handshake_failure: no cipher suite in common, or (TLS 1.2 servers) a
        // client certificate wanted and none sent; the server does not say which.
        40 => (Tls, "handshake refused (ciphers? client cert?)"),
        70 => (Tls, "no TLS version in common (1.2, 1.3 offered)"),
        71 => (Tls, "server wants stronger ciphers than offered"),
        112 => (Tls, "server does not serve this host name (SNI)"),
        120 => (Tls, "server does not speak http/1.1 (ALPN)"),
        80 => (Tls, "server failed internally (internal_error)"),
        _ => return (Tls, format!("server sent alert {}", alert_name(code))),
    };
    (kind, text.to_string())
}

/// The alert's name as RFC 8446 and its predecessors write it.
fn alert_name(code: u8) -> String {
    let name = match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        121 => "encrypted_client_hello_required",
        _ => return format!("number {code}"),
    };
    name.to_string()
}

fn incompatible(p: &PeerIncompatible) -> &'static str {
    use PeerIncompatible as P;
    match p {
        P::ServerDoesNotSupportTls12Or13
        | P::ServerTlsVersionIsDisabledByOurConfig
        | P::SupportedVersionsExtensionRequired
        | P::Tls12NotOffered
        | P::Tls12NotOfferedOrEnabled => "server speaks neither TLS 1.2 nor 1.3",
        P::NoCipherSuitesInCommon => "no cipher suite in common with the server",
        P::NoKxGroupsInCommon
        | P::KeyShareExtensionRequired
        | P::NamedGroupsExtensionRequired
        | P::NoEcPointFormatsInCommon
        | P::UncompressedEcPointsRequired
        | P::EcPointsExtensionRequired => "no key exchange group in common",
        P::NoSignatureSchemesInCommon
        | P::SignatureAlgorithmsExtensionRequired
        | P::NoCertificateRequestSignatureSchemesInCommon => "no signature scheme in common",
        P::ExtendedMasterSecretExtensionRequired => "server lacks extended master secret",
        _ => "server is incompatible",
    }
}

/// Words for a PEM error (the library's text prints bytes as number lists).
pub(crate) fn pem_words(e: &pem::Error) -> &'static str {
    match e {
        pem::Error::MissingSectionEnd { .. } => "a PEM section has no END line",
        pem::Error::IllegalSectionStart { .. } => "a malformed BEGIN line",
        pem::Error::Base64Decode(_) => "bad base64",
        pem::Error::NoItemsFound => "nothing of that kind found",
        pem::Error::SectionTooLarge => "a PEM section too large",
        _ => "unreadable PEM",
    }
}

/// Words for a client certificate rustls cannot use with its key.
pub(crate) fn client_cert_words(e: &Error) -> &'static str {
    match e {
        Error::InconsistentKeys(_) => "the client key does not match its certificate",
        _ => "the client certificate or key is not usable",
    }
}

fn date(secs: u64) -> String {
    x509::date(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// At most `max` characters of `text`, printable ASCII only and never a '%'.
fn printable(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| (c.is_ascii_graphic() || *c == ' ') && *c != '%')
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::{ServerName, UnixTime};
    use std::sync::Arc;
    use std::time::Duration;

    /// A debug form: a type or variant name (UpperCamelCase), a tuple or a struct.
    fn looks_like_debug(text: &str) -> bool {
        text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            let caps = w.chars().filter(char::is_ascii_uppercase).count();
            w.starts_with(|c: char| c.is_ascii_uppercase())
                && caps >= 2
                && w.chars().any(|c| c.is_ascii_lowercase())
        }) || text.contains("(\"")
            || text.contains(" { ")
    }

    fn assert_words(e: Error) -> String {
        let (_, text) = describe(&e);
        assert!(text.starts_with("TLS: "), "{text}");
        assert!(text.is_ascii() && !text.contains('%'), "{text}");
        assert!(text.len() <= 62, "{} bytes: {text}", text.len());
        assert!(!looks_like_debug(&text), "{e:?} -> {text}");
        text
    }

    #[test]
    fn every_alert_has_words() {
        for code in 0..=255u8 {
            assert_words(Error::AlertReceived(AlertDescription::from(code)));
        }
        let (kind, text) = describe(&Error::AlertReceived(AlertDescription::CertificateRequired));
        assert_eq!(kind, FailureKind::ClientAuth);
        assert_eq!(text, "TLS: server wants a client certificate");
    }

    #[test]
    fn certificate_refusals_say_why() {
        let at = |s| UnixTime::since_unix_epoch(Duration::from_secs(s));
        let expired = CertificateError::ExpiredContext {
            time: at(1_800_000_000),
            not_after: at(1_767_312_000),
        };
        assert_eq!(
            assert_words(expired.into()),
            "TLS: certificate expired 2026-01-02"
        );
        let early = CertificateError::NotValidYetContext {
            time: at(0),
            not_before: at(1_767_312_000),
        };
        assert_eq!(
            assert_words(early.into()),
            "TLS: certificate not valid until 2026-01-02"
        );
        let other = CertificateError::Other(rustls::OtherError(Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        )));
        assert_eq!(
            assert_words(other.into()),
            "TLS: CA certificate used as server certificate"
        );
        let name = |presented: &[&str]| CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("127.0.0.1").unwrap(),
            presented: presented.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            assert_words(name(&["DnsName(\"etcd.example\")", "10.0.0.1"]).into()),
            "TLS: certificate is for etcd.example, 10.0.0.1"
        );
        let many: Vec<String> = (0..9).map(|i| format!("k8s-{i}.local")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(assert_words(name(&many).into()).ends_with(" +7"));
        assert_eq!(
            assert_words(name(&["CN=127.0.0.1"]).into()),
            "TLS: certificate has only CN=127.0.0.1, no SAN"
        );
        assert_words(name(&[]).into());
        for c in [
            CertificateError::BadEncoding,
            CertificateError::UnknownIssuer,
            CertificateError::BadSignature,
            CertificateError::InvalidPurpose,
            CertificateError::ApplicationVerificationFailure,
        ] {
            assert_words(c.into());
        }
    }

    #[test]
    fn incompatible_peers_and_protocol_errors_have_words() {
        for p in [
            PeerIncompatible::ServerDoesNotSupportTls12Or13,
            PeerIncompatible::NoCipherSuitesInCommon,
            PeerIncompatible::NoKxGroupsInCommon,
            PeerIncompatible::Tls13RequiredForQuic,
        ] {
            assert_words(Error::PeerIncompatible(p));
        }
        for e in [
            Error::NoCertificatesPresented,
            Error::DecryptError,
            Error::HandshakeNotComplete,
            Error::General("no server certificate chain resolved".into()),
        ] {
            assert_words(e);
        }
    }
}
