//! Answers read off a socket: HTTP/1.1 responses and their bodies (http-probe), DNS
//! messages (npd-dns), gRPC frames and CRI protobuf replies (npd-cri), D-Bus messages
//! (npd-systemd).

use std::io::{self, Read};
use std::net::IpAddr;

use http_probe::Body;
use npd_cri::cri::{ListPodSandboxResponse, StatusResponse, VersionResponse};
use npd_dns::wire::{self as dns_wire, RecordType, Response};

use crate::{capped, printable};

/// A connection that hands over its bytes `step` at a time, as a socket may.
struct Conn {
    data: Vec<u8>,
    at: usize,
    step: usize,
}

impl Read for Conn {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = out.len().min(self.step).min(self.data.len() - self.at);
        out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A response read as `Client` reads it (`http::read_head`, `Body::new`,
/// `Body::read_limited`), the first byte saying how many bytes each read returns.
/// What it says: the body, whether it was cut, or a failure's printable message.
fn read_response(step: u8, bytes: Vec<u8>, limit: usize) -> Result<(u16, Vec<u8>, bool), String> {
    let mut conn = Conn {
        data: bytes,
        at: 0,
        step: usize::from(step % 64) + 1,
    };
    let (head, rest) = http_probe::http::read_head(&mut conn).map_err(|f| f.to_string())?;
    assert!((100..1000).contains(&head.status), "status {}", head.status);
    assert!(
        head.status >= 200 || head.status == 101,
        "an interim answer was skipped"
    );
    let mut body =
        Body::new(Box::new(conn), rest, head.status, &head.headers).map_err(|f| f.to_string())?;
    let (bytes, cut) = body.read_limited(limit).map_err(|f| f.to_string())?;
    assert!(bytes.len() <= limit);
    Ok((head.status, bytes, cut))
}

/// http-probe's response parser on garbage; then the input's tail as a body, chunked
/// in pieces the input chooses and with a Content-Length, reads back as itself.
pub fn http_response(data: &[u8]) {
    let data = capped(data);
    let Some((&step, rest)) = data.split_first() else {
        return;
    };
    if let Err(message) = read_response(step, rest.to_vec(), 4096) {
        printable(&message);
    }
    // The payload and the chunk sizes both come from the input.
    let payload = rest;
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let mut left = payload;
    let mut i = 0;
    while !left.is_empty() {
        let size = (usize::from(rest[i % rest.len()]) + 1).min(left.len());
        chunked.extend_from_slice(format!("{size:x};ext=1\r\n").as_bytes());
        chunked.extend_from_slice(&left[..size]);
        chunked.extend_from_slice(b"\r\n");
        left = &left[size..];
        i += 1;
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let got = read_response(step, chunked, payload.len() + 1);
    assert_eq!(got, Ok((200, payload.to_vec(), false)), "chunked");
    let mut sized = format!("HTTP/1.0 203 X\nContent-Length: {}\n\n", payload.len()).into_bytes();
    sized.extend_from_slice(payload);
    let got = read_response(step, sized, payload.len() + 1);
    assert_eq!(got, Ok((203, payload.to_vec(), false)), "Content-Length");
}

/// `wire::parse` (npd-dns) for both record types: the addresses are of the type asked,
/// and a response written back from what was parsed parses the same.
pub fn dns(data: &[u8]) {
    let data = capped(data);
    for rtype in [RecordType::A, RecordType::Aaaa] {
        let r = dns_wire::parse(data, rtype);
        let resp = match r {
            Ok(resp) => resp,
            Err(e) => {
                printable(e.message());
                continue;
            }
        };
        printable(&dns_wire::rcode_name(resp.rcode));
        let (kind, want_v4) = match rtype {
            RecordType::A => (1u16, true),
            RecordType::Aaaa => (28, false),
        };
        assert!(resp.addresses.iter().all(|a| a.is_ipv4() == want_v4));
        let flags = 0x8000 | if resp.truncated { 0x0200 } else { 0 } | u16::from(resp.rcode);
        let mut msg = resp.id.to_be_bytes().to_vec();
        msg.extend_from_slice(&flags.to_be_bytes());
        msg.extend_from_slice(&[0, 0]);
        msg.extend_from_slice(&(resp.addresses.len() as u16).to_be_bytes());
        msg.extend_from_slice(&[0, 0, 0, 0]);
        for a in &resp.addresses {
            let octets = match a {
                IpAddr::V4(a) => a.octets().to_vec(),
                IpAddr::V6(a) => a.octets().to_vec(),
            };
            msg.push(0);
            msg.extend_from_slice(&kind.to_be_bytes());
            msg.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
            msg.extend_from_slice(&(octets.len() as u16).to_be_bytes());
            msg.extend_from_slice(&octets);
        }
        let again: Response = dns_wire::parse(&msg, rtype).expect("a written response parses");
        assert_eq!(again, resp);
    }
}

/// `grpc::unframe` (npd-cri) into each CRI reply it reads: a reply that decodes,
/// framed again, decodes to the same message; `percent_decode` of grpc-message undoes
/// percent-encoding.
pub fn cri(data: &[u8]) {
    let data = capped(data);
    fn again<M: prost::Message + Default + PartialEq + std::fmt::Debug>(data: &[u8]) {
        match npd_cri::grpc::unframe::<M>(data) {
            Ok(m) => {
                let body = m.encode_to_vec();
                let mut framed = vec![0];
                framed.extend_from_slice(&(body.len() as u32).to_be_bytes());
                framed.extend_from_slice(&body);
                let back = npd_cri::grpc::unframe::<M>(&framed).expect("a framed reply decodes");
                assert_eq!(back, m);
            }
            Err(e) => printable(&e.to_string()),
        }
    }
    again::<VersionResponse>(data);
    again::<StatusResponse>(data);
    again::<ListPodSandboxResponse>(data);
    let text = npd_cri::grpc::percent_decode(data);
    printable(&text);
    if let Ok(s) = std::str::from_utf8(data) {
        let encoded: String = s.bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(npd_cri::grpc::percent_decode(encoded.as_bytes()), s);
    }
}

/// `unmarshal::parse` (npd-systemd) on a whole message: what parses had the length
/// its head says; and a method call written by `wire::method_call` with strings from
/// the input parses back to those strings.
pub fn dbus(data: &[u8]) {
    use npd_systemd::wire::{message_len, method_call, Value};
    let data = capped(data);
    match npd_systemd::unmarshal::parse(data) {
        Ok(msg) => {
            let head: &[u8; 16] = data[..16].try_into().unwrap();
            assert_eq!(message_len(head), Ok(data.len()));
            if let Some(name) = &msg.error_name {
                printable(name);
            }
        }
        Err(e) => printable(&e),
    }
    let text = String::from_utf8_lossy(data);
    let args: Vec<&str> = text.split('\u{0}').take(8).collect();
    let call = method_call(7, "org.freedesktop.systemd1", "/x", "a.B", "C", &args);
    let msg = npd_systemd::unmarshal::parse(&call).expect("a method call parses");
    assert_eq!(msg.signature, "s".repeat(args.len()));
    let strings: Vec<&str> = msg.body.iter().filter_map(Value::as_str).collect();
    assert_eq!(strings, args);
}
