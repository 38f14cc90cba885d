//! The few facts of an X.509 certificate that the TLS checks need and rustls does not
//! hand out: its validity period, its subjectAltName names, its subject's common
//! name and its extended key usages.
//!
//! Read with a minimal DER walker over the certificate's bytes. It is not a
//! validator: it trusts nothing and decides nothing on its own; the verifier uses
//! these facts for a certificate that is one of the configured trust anchors
//! (`tls_verify`), and for naming what a refused certificate is for.

use std::net::{Ipv4Addr, Ipv6Addr};

use npd_plugin::civil::{civil_from_days, days_from_civil};

/// What a certificate says about itself.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    /// Seconds since 1970 (negative before).
    pub not_before: i64,
    pub not_after: i64,
    /// subjectAltName dNSName and iPAddress entries, as written.
    pub names: Vec<String>,
    /// The subject's first commonName, if any.
    pub common_name: Option<String>,
    /// The extendedKeyUsage OIDs (DER contents), when the extension is present.
    pub key_purposes: Option<Vec<Vec<u8>>>,
}

/// id-kp-serverAuth, 1.3.6.1.5.5.7.3.1.
pub(crate) const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION: u8 = 0xa0;
const EXTENSIONS: u8 = 0xa3;
const DNS_NAME: u8 = 0x82;
const IP_ADDRESS: u8 = 0x87;

/// Reads `der`; `None` when it is not a certificate this walker understands.
pub(crate) fn facts(der: &[u8]) -> Option<Facts> {
    let cert = Der(der).expect(SEQUENCE)?;
    let mut tbs = Der(Der(cert).expect(SEQUENCE)?);
    if tbs.peek() == Some(VERSION) {
        tbs.next()?;
    }
    tbs.next()?; // serial
    tbs.expect(SEQUENCE)?; // signature algorithm
    tbs.expect(SEQUENCE)?; // issuer
    let mut validity = Der(tbs.expect(SEQUENCE)?);
    let not_before = time(validity.next()?)?;
    let not_after = time(validity.next()?)?;
    let subject = tbs.expect(SEQUENCE)?;
    tbs.expect(SEQUENCE)?; // subject public key
    let mut facts = Facts {
        not_before,
        not_after,
        names: Vec::new(),
        common_name: common_name(subject),
        key_purposes: None,
    };
    while let Some((tag, body)) = tbs.next() {
        if tag == EXTENSIONS {
            extensions(Der(body).expect(SEQUENCE)?, &mut facts)?;
        }
    }
    Some(facts)
}

fn extensions(list: &[u8], facts: &mut Facts) -> Option<()> {
    let mut list = Der(list);
    while let Some((_, ext)) = list.next() {
        let mut ext = Der(ext);
        let id = ext.expect(OID)?;
        if ext.peek() == Some(BOOLEAN) {
            ext.next()?;
        }
        let value = ext.expect(OCTET_STRING)?;
        if id == SUBJECT_ALT_NAME {
            let mut names = Der(Der(value).expect(SEQUENCE)?);
            while let Some((tag, name)) = names.next() {
                match tag {
                    DNS_NAME => facts.names.push(String::from_utf8_lossy(name).into_owned()),
                    IP_ADDRESS => facts.names.extend(ip(name)),
                    _ => {}
                }
            }
        } else if id == EXT_KEY_USAGE {
            let mut oids = Der(Der(value).expect(SEQUENCE)?);
            let mut purposes = Vec::new();
            while let Some((tag, oid)) = oids.next() {
                if tag == OID {
                    purposes.push(oid.to_vec());
                }
            }
            facts.key_purposes = Some(purposes);
        }
    }
    Some(())
}

/// The value of the first CN attribute of a Name.
fn common_name(name: &[u8]) -> Option<String> {
    let mut rdns = Der(name);
    while let Some((SET, rdn)) = rdns.next() {
        let mut attrs = Der(rdn);
        while let Some((SEQUENCE, attr)) = attrs.next() {
            let mut attr = Der(attr);
            if attr.expect(OID)? == COMMON_NAME {
                return attr
                    .next()
                    .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
            }
        }
    }
    None
}

fn ip(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?).to_string()),
        16 => Some(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?).to_string()),
        _ => None,
    }
}

/// UTCTime (YYMMDDHHMMSSZ, years 1950..2049) or GeneralizedTime (YYYYMMDDHHMMSSZ).
fn time((tag, text): (u8, &[u8])) -> Option<i64> {
    let digits = |s: &[u8]| -> Option<i64> {
        s.iter().try_fold(0i64, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
        })
    };
    let (year, rest) = match (tag, text.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(&text[..2])?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        (GENERALIZED_TIME, 15) => (digits(&text[..4])?, &text[4..]),
        _ => return None,
    };
    if rest[10] != b'Z' {
        return None;
    }
    let field = |i: usize| digits(&rest[i..i + 2]);
    let (month, day) = (field(0)?, field(2)?);
    let (hour, minute, second) = (field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month as u32, day as u32);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// `YYYY-MM-DD` of a time in seconds since 1970.
pub(crate) fn date(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// A cursor over DER elements: tag, then contents.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The next element's tag and contents. Lengths above 4 bytes are not a
    /// certificate's.
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.0.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |l, &b| l << 8 | usize::from(b));
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return None;
        }
        let (body, after) = rest.split_at(len);
        self.0 = after;
        Some((tag, body))
    }

    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.next()? {
            (t, body) if t == tag => Some(body),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    };

    #[test]
    fn names_dates_and_purposes_are_read() {
        let mut p = CertificateParams::new(vec!["api.example".into(), "10.0.0.1".into()]).unwrap();
        p.distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.not_before = rcgen::date_time_ymd(2001, 2, 3);
        p.not_after = rcgen::date_time_ymd(2049, 12, 31);
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = p.self_signed(&KeyPair::generate().unwrap()).unwrap();
        let f = facts(cert.der()).unwrap();
        assert_eq!(f.names, ["api.example", "10.0.0.1"]);
        assert_eq!(f.common_name.as_deref(), Some("kube-apiserver"));
        assert_eq!(date(f.not_before), "2001-02-03");
        assert_eq!(date(f.not_after), "2049-12-31");
        assert_eq!(f.key_purposes, Some(vec![SERVER_AUTH.to_vec()]));
    }

    #[test]
    fn generalized_times_and_no_extensions() {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.not_after = rcgen::date_time_ymd(2051, 1, 2);
        let cert = p.self_signed(&KeyPair::generate().unwrap()).unwrap();
        let f = facts(cert.der()).unwrap();
        assert_eq!(date(f.not_after), "2051-01-02");
        assert!(f.names.is_empty() && f.key_purposes.is_none());
        assert!(facts(b"\x30\x03\x02\x01\x00").is_none());
        assert!(facts(b"").is_none());
    }

    #[test]
    fn dates_are_written_as_iso_dates() {
        for (secs, text) in [
            (0, "1970-01-01"),
            (951_782_400, "2000-02-29"),
            (-86_400, "1969-12-31"),
        ] {
            assert_eq!(date(secs), text);
        }
    }
}
