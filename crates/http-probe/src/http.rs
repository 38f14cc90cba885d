//! HTTP/1.1 on an open connection: the request as written, and the one parser of a
//! response head (status line and headers), bounded in size so that a peer sending
//! garbage cannot make the request wait or grow. The body is `body`'s.

use std::io::{self, Read, Write};

use crate::failure::io_failure;
use crate::{Failure, FailureKind};

/// Heads larger than this are neither a health endpoint's nor an API's answer.
const MAX_HEAD: usize = 64 << 10;

/// A response's status line and headers.
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

/// The value of header `name` (case-insensitive) among `headers`.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What a request sends after its head.
#[derive(Clone, Copy, Debug)]
pub struct Payload<'a> {
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// Writes a request; with a `payload`, its `Content-Type` and `Content-Length` too.
pub(crate) fn write_request(
    conn: &mut impl Write,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    payload: Option<Payload>,
) -> io::Result<()> {
    let mut req = format!("{method} {target} HTTP/1.1\r\n");
    let framing = payload.map(|b| {
        [
            ("Content-Type".to_string(), b.content_type.to_string()),
            ("Content-Length".to_string(), b.bytes.len().to_string()),
        ]
    });
    for (name, value) in headers.iter().chain(framing.iter().flatten()) {
        req.push_str(name);
        req.push_str(": ");
        req.push_str(value);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    let mut req = req.into_bytes();
    if let Some(b) = payload {
        req.extend_from_slice(b.bytes);
    }
    conn.write_all(&req)?;
    conn.flush()
}

/// Reads a response head, interim 1xx answers skipped. Returns it and the bytes read
/// past it (the start of the body).
pub fn read_head(conn: &mut dyn Read) -> Result<(Head, Vec<u8>), Failure> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(&buf) {
            let head = parse_head(&buf[..end])?;
            let rest = buf.split_off(end);
            if (100..200).contains(&head.status) && head.status != 101 {
                buf = rest;
                continue;
            }
            return Ok((head, rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(protocol("response headers too large"));
        }
        // A peer that sends garbage without a blank line: judge it as soon as the
        // first bytes cannot start a status line, not at the deadline.
        let start = &buf[..buf.len().min(5)];
        if !b"HTTP/".starts_with(start) {
            return Err(not_http(&buf));
        }
        let n = match conn.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_failure(&e, "waiting for the response")),
        };
        if n == 0 {
            return Err(if buf.is_empty() {
                Failure::new(FailureKind::Connect, "connection closed without a response")
            } else {
                protocol("connection closed in the response headers")
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The end of the head (after the blank line), accepting bare LF as Go does.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn parse_head(bytes: &[u8]) -> Result<Head, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_http(bytes))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    if !(version == "HTTP/1.1" || version == "HTTP/1.0")
        || code.len() != 3
        || !code.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(not_http(bytes));
    }
    let status: u16 = code.parse().map_err(|_| not_http(bytes))?;
    if status < 100 {
        return Err(not_http(bytes));
    }
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| protocol(format!("malformed header line {:?}", cut(line))))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(Head { status, headers })
}

pub(crate) fn protocol(message: impl Into<String>) -> Failure {
    Failure::new(FailureKind::Protocol, message)
}

fn not_http(bytes: &[u8]) -> Failure {
    let first: String = String::from_utf8_lossy(&bytes[..bytes.len().min(24)])
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '.'
            }
        })
        .collect();
    protocol(format!("not an HTTP response: {first:?}"))
}

pub(crate) fn cut(text: &str) -> String {
    text.chars().take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_framed_after_the_head() {
        let mut out = Vec::new();
        let headers = [("Host".to_string(), "k:5000".to_string())];
        let body = Payload {
            content_type: "application/json",
            bytes: b"{}",
        };
        write_request(&mut out, "POST", "/v3/auth/tokens", &headers, Some(body)).unwrap();
        assert_eq!(
            out,
            b"POST /v3/auth/tokens HTTP/1.1\r\nHost: k:5000\r\n\
              Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
    }

    /// The head of `raw` and what follows it, or the failure's words.
    type Parsed = Result<(u16, Vec<(String, String)>, Vec<u8>), String>;

    fn head(raw: &[u8]) -> Parsed {
        let mut r = raw;
        read_head(&mut r)
            .map(|(h, rest)| (h.status, h.headers, rest))
            .map_err(|f| f.message)
    }

    #[test]
    fn heads_parse_interim_answers_are_skipped() {
        let (s, h, rest) = head(b"HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\n\r\nbody").unwrap();
        assert_eq!(
            (s, h[0].1.as_str(), rest.as_slice()),
            (429, "7", &b"body"[..])
        );
        let (s, _, rest) = head(b"HTTP/1.0 503 x\n\nbody").unwrap();
        assert_eq!((s, rest.as_slice()), (503, &b"body"[..]));
        let (s, _, _) = head(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\n\r\n").unwrap();
        assert_eq!(s, 204);
    }

    #[test]
    fn garbage_is_named() {
        assert!(head(b"SSH-2.0-OpenSSH_9.2\r\n")
            .unwrap_err()
            .starts_with("not an HTTP response"));
        // Judged from the first byte that cannot start a status line.
        assert!(head(b"SSH")
            .unwrap_err()
            .starts_with("not an HTTP response"));
        assert!(head(b"HTTP/1.1 2000 OK\r\n\r\n").is_err());
        assert!(head(b"").unwrap_err().contains("without a response"));
        assert!(head(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n").is_err());
        assert!(head(b"HTTP/1.1 200 OK\r\n")
            .unwrap_err()
            .contains("in the response headers"));
    }
}
