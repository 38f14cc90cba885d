//! One HTTP/1.1 exchange on an open connection: the request, then the status line,
//! headers and body of the response, each bounded in size so that a peer sending
//! garbage or an endless stream cannot make the probe wait or grow.

use std::io::{self, Read, Write};

use crate::{Failure, FailureKind};

/// Headers larger than this are not a health endpoint's answer.
const MAX_HEAD: usize = 32 << 10;

pub(crate) struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Writes a request; with a `body`, its `Content-Type` and `Content-Length` too.
pub(crate) fn write_request(
    conn: &mut impl Write,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Option<&Body>,
) -> io::Result<()> {
    let mut req = format!("{method} {target} HTTP/1.1\r\n");
    let framing = body.map(|b| {
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
    if let Some(b) = body {
        req.extend_from_slice(b.bytes);
    }
    conn.write_all(&req)?;
    conn.flush()
}

/// What a request sends after its head.
pub struct Body<'a> {
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// Reads a response: interim 1xx answers are skipped; the body is read up to `limit`
/// bytes (the rest is not waited for). Returns the head, the body and whether it was
/// cut.
pub(crate) fn read_response(
    conn: &mut impl Read,
    limit: usize,
    io_failure: &dyn Fn(&io::Error, &str) -> Failure,
) -> Result<(Head, Vec<u8>, bool), Failure> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let (head, used) = read_head(conn, &mut buf, io_failure)?;
        buf.drain(..used);
        if (100..200).contains(&head.status) && head.status != 101 {
            continue;
        }
        if head.status == 204 || head.status == 304 {
            return Ok((head, Vec::new(), false));
        }
        let (body, cut) = read_body(conn, &head, buf, limit, io_failure)?;
        return Ok((head, body, cut));
    }
}

fn read_head(
    conn: &mut impl Read,
    buf: &mut Vec<u8>,
    io_failure: &dyn Fn(&io::Error, &str) -> Failure,
) -> Result<(Head, usize), Failure> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(buf) {
            let head = parse_head(&buf[..end])?;
            return Ok((head, end));
        }
        if buf.len() > MAX_HEAD {
            return Err(protocol("response headers too large"));
        }
        // A peer that sends garbage without a blank line: judge it as soon as the
        // first bytes cannot start a status line, not at the deadline.
        if buf.len() >= 8 && !buf.starts_with(b"HTTP/") {
            return Err(not_http(buf));
        }
        let n = match conn.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_failure(&e, "waiting for the response")),
        };
        if n == 0 {
            return Err(if buf.is_empty() {
                protocol("connection closed without a response")
            } else if !buf.starts_with(b"HTTP/") {
                not_http(buf)
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

fn read_body(
    conn: &mut impl Read,
    head: &Head,
    already: Vec<u8>,
    limit: usize,
    io_failure: &dyn Fn(&io::Error, &str) -> Failure,
) -> Result<(Vec<u8>, bool), Failure> {
    let mut src = Buffered {
        conn,
        buf: already,
        pos: 0,
    };
    let reading = |e: &io::Error| io_failure(e, "reading the body");
    let chunked = head
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return read_chunked(&mut src, limit, &reading);
    }
    match head.header("content-length") {
        Some(v) => {
            let len: usize = v
                .parse()
                .map_err(|_| protocol(format!("bad Content-Length {:?}", cut(v))))?;
            let want = len.min(limit);
            let mut body = vec![0; want];
            src.read_exact(&mut body).map_err(|e| {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    protocol("connection closed in the body")
                } else {
                    reading(&e)
                }
            })?;
            Ok((body, len > limit))
        }
        None => {
            // Until the server closes (HTTP/1.0 style). A TLS peer that closes without
            // close_notify has still sent everything it meant to.
            let mut body = Vec::new();
            let mut chunk = [0u8; 4096];
            while body.len() < limit {
                match src.read(&mut chunk) {
                    Ok(0) => return Ok((body, false)),
                    Ok(n) => body.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok((body, false)),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(reading(&e)),
                }
            }
            body.truncate(limit);
            Ok((body, true))
        }
    }
}

fn read_chunked(
    src: &mut Buffered<'_, impl Read>,
    limit: usize,
    reading: &dyn Fn(&io::Error) -> Failure,
) -> Result<(Vec<u8>, bool), Failure> {
    let mut body = Vec::new();
    loop {
        let line = src.line().map_err(|e| chunk_error(&e, reading))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| protocol(format!("bad chunk size {:?}", cut(size_text))))?;
        if size == 0 {
            return Ok((body, false));
        }
        let take = size.min(limit - body.len());
        let start = body.len();
        body.resize(start + take, 0);
        src.read_exact(&mut body[start..])
            .map_err(|e| chunk_error(&e, reading))?;
        if body.len() >= limit {
            return Ok((body, true));
        }
        let end = src.line().map_err(|e| chunk_error(&e, reading))?;
        if !end.is_empty() {
            return Err(protocol("malformed chunked body"));
        }
    }
}

fn chunk_error(e: &io::Error, reading: &dyn Fn(&io::Error) -> Failure) -> Failure {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        protocol("connection closed in the body")
    } else {
        reading(e)
    }
}

/// The bytes read past the head first, then the connection.
struct Buffered<'a, R> {
    conn: &'a mut R,
    buf: Vec<u8>,
    pos: usize,
}

impl<R: Read> Buffered<'_, R> {
    /// One line without its CR LF, at most 4 KiB.
    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            if self.read(&mut byte)? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if byte[0] == b'\n' {
                break;
            }
            line.push(byte[0]);
            if line.len() > 4096 {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }
}

impl<R: Read> Read for Buffered<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.buf.len() {
            let n = out.len().min(self.buf.len() - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        if out.len() == 1 {
            // Refill in blocks: chunk-size lines are read a byte at a time.
            let mut block = [0u8; 4096];
            let n = self.conn.read(&mut block)?;
            self.buf.clear();
            self.buf.extend_from_slice(&block[..n]);
            self.pos = 0;
            if n == 0 {
                return Ok(0);
            }
            out[0] = self.buf[0];
            self.pos = 1;
            return Ok(1);
        }
        self.conn.read(out)
    }
}

fn protocol(message: impl Into<String>) -> Failure {
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

fn cut(text: &str) -> String {
    text.chars().take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_framed_after_the_head() {
        let mut out = Vec::new();
        let headers = [("Host".to_string(), "k:5000".to_string())];
        let body = Body {
            content_type: "application/json",
            bytes: b"{}",
        };
        write_request(&mut out, "POST", "/v3/auth/tokens", &headers, Some(&body)).unwrap();
        assert_eq!(
            out,
            b"POST /v3/auth/tokens HTTP/1.1\r\nHost: k:5000\r\n\
              Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
    }

    fn parse(raw: &[u8], limit: usize) -> Result<(u16, Vec<u8>, bool), String> {
        let mut r = raw;
        read_response(&mut r, limit, &|e, p| {
            Failure::new(FailureKind::Connect, format!("{p}: {e}"))
        })
        .map(|(h, b, c)| (h.status, b, c))
        .map_err(|f| f.message)
    }

    #[test]
    fn content_length_chunked_and_until_close() {
        let ok = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", 100);
        assert_eq!(ok, Ok((200, b"ok".to_vec(), false)));
        let ch = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse(ch, 100), Ok((200, b"abcde".to_vec(), false)));
        assert_eq!(parse(ch, 4), Ok((200, b"abcd".to_vec(), true)));
        assert_eq!(
            parse(b"HTTP/1.0 503 x\n\nbody", 100),
            Ok((503, b"body".to_vec(), false))
        );
        assert_eq!(
            parse(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\n\r\n", 100),
            Ok((204, vec![], false))
        );
    }

    #[test]
    fn garbage_is_named() {
        assert!(parse(b"SSH-2.0-OpenSSH_9.2\r\n", 10)
            .unwrap_err()
            .starts_with("not an HTTP response"));
        assert!(parse(b"HTTP/1.1 2000 OK\r\n\r\n", 10).is_err());
        assert!(parse(b"", 10).unwrap_err().contains("without a response"));
        assert!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 10)
            .unwrap_err()
            .contains("closed in the body"));
        assert!(parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            10
        )
        .unwrap_err()
        .contains("chunk size"));
        assert!(parse(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", 10).is_err());
    }
}
