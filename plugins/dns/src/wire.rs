//! DNS messages as RFC 1035 writes them: one query out, one response parsed, with
//! every length and pointer checked (a garbled answer is reported, never trusted).

use std::net::IpAddr;

use npd_plugin::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
}

impl RecordType {
    pub fn code(self) -> u16 {
        match self {
            RecordType::A => 1,
            RecordType::Aaaa => 28,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
        }
    }
}

/// A query for `name` (without the final dot), recursion desired. A name that cannot
/// be asked is a flag's fault: Config.
pub fn query(id: u16, name: &str, rtype: RecordType) -> Result<Vec<u8>> {
    let mut msg = Vec::with_capacity(64);
    msg.extend_from_slice(&id.to_be_bytes());
    msg.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(Error::config(format!("{name:?} is not a valid DNS name")));
        }
        msg.push(label.len() as u8);
        msg.extend_from_slice(label.as_bytes());
    }
    msg.push(0);
    if msg.len() - 12 > 255 {
        return Err(Error::config(format!("{name:?} is longer than 255 bytes")));
    }
    msg.extend_from_slice(&rtype.code().to_be_bytes());
    msg.extend_from_slice(&[0, 1]);
    Ok(msg)
}

#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub id: u16,
    pub truncated: bool,
    pub rcode: u8,
    /// Addresses of the asked type anywhere in the answer section (after CNAMEs).
    pub addresses: Vec<IpAddr>,
}

pub fn rcode_name(rcode: u8) -> String {
    match rcode {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("RCODE {n}"),
    }
}

/// Parses a response. A garbled one is the server's fault, and DNS is the subject:
/// Problem.
pub fn parse(msg: &[u8], rtype: RecordType) -> Result<Response> {
    let bad = || Error::problem("garbled DNS response");
    if msg.len() < 12 {
        return Err(bad());
    }
    let id = u16::from_be_bytes([msg[0], msg[1]]);
    let flags = u16::from_be_bytes([msg[2], msg[3]]);
    if flags & 0x8000 == 0 {
        return Err(Error::problem("not a DNS response"));
    }
    let qd = u16::from_be_bytes([msg[4], msg[5]]);
    let an = u16::from_be_bytes([msg[6], msg[7]]);
    let mut pos = 12;
    for _ in 0..qd {
        pos = skip_name(msg, pos).ok_or_else(bad)? + 4;
    }
    let mut addresses = Vec::new();
    for _ in 0..an {
        pos = skip_name(msg, pos).ok_or_else(bad)?;
        let fixed = msg.get(pos..pos + 10).ok_or_else(bad)?;
        let kind = u16::from_be_bytes([fixed[0], fixed[1]]);
        let len = u16::from_be_bytes([fixed[8], fixed[9]]) as usize;
        let data = msg.get(pos + 10..pos + 10 + len).ok_or_else(bad)?;
        pos += 10 + len;
        match (rtype, kind, len) {
            (RecordType::A, 1, 4) => {
                addresses.push(IpAddr::from(<[u8; 4]>::try_from(data).map_err(|_| bad())?))
            }
            (RecordType::Aaaa, 28, 16) => {
                addresses.push(IpAddr::from(<[u8; 16]>::try_from(data).map_err(|_| bad())?))
            }
            (_, 1 | 28, _) if kind == rtype.code() => return Err(bad()),
            _ => {}
        }
    }
    if pos > msg.len() {
        return Err(bad());
    }
    Ok(Response {
        id,
        truncated: flags & 0x0200 != 0,
        rcode: (flags & 0x000f) as u8,
        addresses,
    })
}

/// The position after a (possibly compressed) name.
fn skip_name(msg: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let len = *msg.get(pos)? as usize;
        match len {
            0 => return Some(pos + 1),
            l if l & 0xc0 == 0xc0 => {
                msg.get(pos + 1)?;
                return Some(pos + 2);
            }
            l if l & 0xc0 != 0 => return None,
            l => pos += 1 + l,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(q: &[u8], rcode: u8, records: &[(u16, &[u8])]) -> Vec<u8> {
        let mut m = q.to_vec();
        m[2] = 0x81;
        m[3] = 0x80 | rcode;
        m[7] = records.len() as u8;
        for (kind, data) in records {
            m.extend_from_slice(&[0xc0, 12]);
            m.extend_from_slice(&kind.to_be_bytes());
            m.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
            m.extend_from_slice(&(data.len() as u16).to_be_bytes());
            m.extend_from_slice(data);
        }
        m
    }

    #[test]
    fn a_query_and_its_answer() {
        let q = query(
            0x1234,
            "kubernetes.default.svc.cluster.local",
            RecordType::A,
        )
        .unwrap();
        assert_eq!(&q[..2], &[0x12, 0x34]);
        let cname = [3, b'f', b'o', b'o', 0];
        let r = parse(
            &answer(&q, 0, &[(5, &cname), (1, &[10, 96, 0, 1])]),
            RecordType::A,
        )
        .unwrap();
        assert_eq!(r.id, 0x1234);
        assert_eq!(r.addresses, vec!["10.96.0.1".parse::<IpAddr>().unwrap()]);
        let r = parse(&answer(&q, 3, &[]), RecordType::A).unwrap();
        assert_eq!(rcode_name(r.rcode), "NXDOMAIN");
    }

    #[test]
    fn bad_names_and_garbage() {
        let e = query(1, "a..b", RecordType::A).unwrap_err();
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
        assert!(query(1, &"x".repeat(64), RecordType::A).is_err());
        let q = query(7, "ok.test", RecordType::A).unwrap();
        assert!(
            parse(&q, RecordType::A).is_err(),
            "a query is not a response"
        );
        let mut cut = answer(&q, 0, &[(1, &[1, 2, 3, 4])]);
        cut.truncate(cut.len() - 2);
        assert!(parse(&cut, RecordType::A).is_err());
        let e = parse(&[0xff; 5], RecordType::A).unwrap_err();
        assert_eq!(e.kind(), npd_plugin::Kind::Problem);
        assert!(parse(&answer(&q, 0, &[(1, &[1, 2, 3])]), RecordType::A).is_err());
    }
}
