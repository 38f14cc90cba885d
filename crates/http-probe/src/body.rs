//! A response body read from the connection as the caller asks for it: de-chunked
//! (the one chunked decoder), held to its Content-Length, and an error (never a
//! silent end) when the connection closes before the framing says the body is
//! complete. Read as a stream ([`Body`] is `Read`, each read bounded by the
//! request's deadline) or whole up to a limit ([`Body::read_limited`]).

use std::io::{self, Read};

use crate::failure::io_failure;
use crate::http::{cut, header, protocol};
use crate::{Failure, FailureKind};

#[derive(Debug, PartialEq)]
enum Framing {
    Length(u64),
    Chunked { left: u64, done: bool },
    UntilClose,
}

/// The response body. Its reads fail with `UnexpectedEof` when the connection closes
/// before the framing's end, `InvalidData` for a malformed chunked body, and the
/// connection's own errors (the deadline, TLS); [`body_failure`] names them.
pub struct Body {
    conn: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    framing: Framing,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Body")
            .field("framing", &self.framing)
            .finish()
    }
}

impl Body {
    /// The body after a head of `status` and `headers`; `already` holds the bytes
    /// read past the head.
    #[doc(hidden)]
    pub fn new(
        conn: Box<dyn Read + Send>,
        already: Vec<u8>,
        status: u16,
        headers: &[(String, String)],
    ) -> Result<Body, Failure> {
        let chunked = header(headers, "transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let framing = if status == 204 || status == 304 {
            Framing::Length(0)
        } else if chunked {
            Framing::Chunked {
                left: 0,
                done: false,
            }
        } else {
            match header(headers, "content-length") {
                Some(v) => Framing::Length(
                    v.parse()
                        .map_err(|_| protocol(format!("bad Content-Length {:?}", cut(v))))?,
                ),
                None => Framing::UntilClose,
            }
        };
        Ok(Body {
            conn,
            buf: already,
            pos: 0,
            framing,
        })
    }

    /// Reads the body whole, up to `limit` bytes: the bytes, and whether it was cut
    /// (it goes on past the limit, or its framing does not say it ends there). What
    /// lies past the limit is not waited for.
    pub fn read_limited(&mut self, limit: usize) -> Result<(Vec<u8>, bool), Failure> {
        let mut body = Vec::new();
        let mut chunk = [0u8; 8192];
        while body.len() < limit {
            let want = chunk.len().min(limit - body.len());
            match self.read(&mut chunk[..want]) {
                Ok(0) => return Ok((body, false)),
                Ok(n) => body.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(body_failure(&e)),
            }
        }
        let ended = matches!(
            self.framing,
            Framing::Length(0) | Framing::Chunked { done: true, .. }
        );
        Ok((body, !ended))
    }

    fn raw(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.buf.len() {
            let n = out.len().min(self.buf.len() - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        loop {
            match self.conn.read(out) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn raw_byte(&mut self) -> io::Result<u8> {
        if self.pos >= self.buf.len() {
            // Refill in blocks: chunk-size lines are read a byte at a time.
            self.buf.resize(8192, 0);
            let n = loop {
                match self.conn.read(&mut self.buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.buf.truncate(n);
            self.pos = 0;
            if n == 0 {
                return Err(truncated());
            }
        }
        self.pos += 1;
        Ok(self.buf[self.pos - 1])
    }

    /// One line of the chunked framing without its CR LF, at most 4 KiB.
    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        loop {
            match self.raw_byte()? {
                b'\n' => break,
                b => line.push(b),
            }
            if line.len() > 4096 {
                return Err(malformed("chunk line too long".into()));
            }
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }
}

impl Read for Body {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        match self.framing {
            Framing::Length(0) | Framing::Chunked { done: true, .. } => Ok(0),
            Framing::Length(left) => {
                let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let n = self.raw(&mut out[..want])?;
                if n == 0 {
                    return Err(truncated());
                }
                self.framing = Framing::Length(left - n as u64);
                Ok(n)
            }
            Framing::UntilClose => match self.raw(out) {
                // A TLS peer that closes without close_notify has still sent its body.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
            Framing::Chunked { left: 0, .. } => {
                let size_line = self.line()?;
                let size_text = size_line.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(size_text, 16)
                    .map_err(|_| malformed(format!("bad chunk size {:?}", cut(size_text))))?;
                self.framing = Framing::Chunked {
                    left: size,
                    done: size == 0,
                };
                if size == 0 {
                    return Ok(0);
                }
                self.read(out)
            }
            Framing::Chunked { left, .. } => {
                let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let n = self.raw(&mut out[..want])?;
                if n == 0 {
                    return Err(truncated());
                }
                let left = left - n as u64;
                if left == 0 && !self.line()?.is_empty() {
                    return Err(malformed("malformed chunked body".into()));
                }
                self.framing = Framing::Chunked { left, done: false };
                Ok(n)
            }
        }
    }
}

/// Names a failure of a body read: the body cut short, a malformed chunked body, or
/// the connection's own failure (the deadline, TLS).
pub fn body_failure(e: &io::Error) -> Failure {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            Failure::new(FailureKind::Truncated, "connection closed in the body")
        }
        io::ErrorKind::InvalidData if e.get_ref().is_some_and(|i| i.is::<Malformed>()) => {
            protocol(e.to_string())
        }
        _ => io_failure(e, "reading the body"),
    }
}

/// A chunked body this decoder cannot read, told apart from other invalid data (a
/// TLS record) by its type.
#[derive(Debug)]
struct Malformed(String);

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Malformed {}

fn malformed(text: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Malformed(text))
}

fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "connection closed in the body",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(raw: &[u8], headers: &[(&str, &str)]) -> Body {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let conn = Box::new(io::Cursor::new(Vec::new()));
        Body::new(conn, raw.to_vec(), 200, &headers).unwrap()
    }

    const CHUNKED: (&str, &str) = ("Transfer-Encoding", "chunked");

    #[test]
    fn chunked_bodies_are_joined_and_their_end_is_checked() {
        let mut b = body(b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n", &[CHUNKED]);
        let mut s = String::new();
        b.read_to_string(&mut s).unwrap();
        assert_eq!(s, "abcde");
        let mut b = body(b"5\r\nab", &[CHUNKED]);
        let e = b.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(body_failure(&e).kind, FailureKind::Truncated);
        let mut b = body(b"zz\r\n", &[CHUNKED]);
        let e = b.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(body_failure(&e).message, "bad chunk size \"zz\"");
    }

    #[test]
    fn whole_bodies_are_read_up_to_a_limit() {
        let read = |raw: &[u8], headers: &[(&str, &str)], limit| {
            body(raw, headers)
                .read_limited(limit)
                .map_err(|f| f.message)
        };
        let chunked = b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(
            read(chunked, &[CHUNKED], 100),
            Ok((b"abcde".to_vec(), false))
        );
        assert_eq!(read(chunked, &[CHUNKED], 4), Ok((b"abcd".to_vec(), true)));
        let length = [("Content-Length", "5")];
        assert_eq!(read(b"abcdef", &length, 5), Ok((b"abcde".to_vec(), false)));
        assert_eq!(read(b"abcdef", &length, 3), Ok((b"abc".to_vec(), true)));
        assert_eq!(read(b"body", &[], 100), Ok((b"body".to_vec(), false)));
        assert_eq!(read(b"body", &[], 2), Ok((b"bo".to_vec(), true)));
        assert!(read(b"ab", &length, 10)
            .unwrap_err()
            .contains("closed in the body"));
        let conn = Box::new(io::Cursor::new(Vec::new()));
        let bad = [("Content-Length".to_string(), "x".to_string())];
        assert!(Body::new(conn, vec![], 200, &bad).is_err());
    }
}
