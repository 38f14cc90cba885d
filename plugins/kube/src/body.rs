//! A response body read from the connection as the caller asks for it: de-chunked,
//! held to its Content-Length, and an error (never a silent end) when the
//! connection closes before the framing says the body is complete.

use std::io::{self, Read};

use http_probe::Failure;

use crate::transport::{protocol, Conn};

impl Body {
    pub(crate) fn new(conn: Box<dyn Conn>, already: Vec<u8>, framing: Framing) -> Body {
        Body {
            conn,
            buf: already,
            pos: 0,
            framing,
        }
    }
}

#[derive(Debug, PartialEq)]
pub(crate) enum Framing {
    Length(u64),
    Chunked { left: u64, done: bool },
    UntilClose,
}

pub(crate) fn framing(headers: &[(String, String)], status: u16) -> Result<Framing, Failure> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if status == 204 || status == 304 {
        return Ok(Framing::Length(0));
    }
    if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return Ok(Framing::Chunked {
            left: 0,
            done: false,
        });
    }
    match get("content-length") {
        Some(v) => v
            .parse()
            .map(Framing::Length)
            .map_err(|_| protocol("bad Content-Length")),
        None => Ok(Framing::UntilClose),
    }
}

/// The response body, de-chunked, read from the socket as the caller asks for it.
/// A body that ends before its framing says is an `UnexpectedEof` error.
pub struct Body {
    conn: Box<dyn Conn>,
    buf: Vec<u8>,
    pos: usize,
    framing: Framing,
}

impl Body {
    /// Reads what is left, up to `limit` bytes; more than that is an error.
    pub fn read_to_limit(&mut self, limit: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.take(limit as u64 + 1).read_to_end(&mut out)?;
        if out.len() > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("answer larger than {} KiB", limit >> 10),
            ));
        }
        Ok(out)
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

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        loop {
            match self.raw_byte()? {
                b'\n' => break,
                b => line.push(b),
            }
            if line.len() > 1024 {
                return Err(bad_chunk());
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
            Framing::Length(0) => Ok(0),
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
            Framing::Chunked { done: true, .. } => Ok(0),
            Framing::Chunked { left: 0, .. } => {
                let size_line = self.line()?;
                let size_text = size_line.split(';').next().unwrap_or("").trim();
                let size = u64::from_str_radix(size_text, 16).map_err(|_| bad_chunk())?;
                if size == 0 {
                    self.framing = Framing::Chunked {
                        left: 0,
                        done: true,
                    };
                    return Ok(0);
                }
                self.framing = Framing::Chunked {
                    left: size,
                    done: false,
                };
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
                    return Err(bad_chunk());
                }
                self.framing = Framing::Chunked { left, done: false };
                Ok(n)
            }
        }
    }
}

fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "connection closed in the body",
    )
}

fn bad_chunk() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "malformed chunked body")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(raw: &[u8], headers: &[(&str, &str)]) -> Body {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Body {
            conn: Box::new(io::Cursor::new(Vec::new())),
            buf: raw.to_vec(),
            pos: 0,
            framing: framing(&headers, 200).unwrap(),
        }
    }

    #[test]
    fn chunked_bodies_are_joined_and_their_end_is_checked() {
        let mut b = body(
            b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
            &[("Transfer-Encoding", "chunked")],
        );
        let mut s = String::new();
        b.read_to_string(&mut s).unwrap();
        assert_eq!(s, "abcde");
        let mut b = body(b"5\r\nab", &[("Transfer-Encoding", "chunked")]);
        let e = b.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let mut b = body(b"zz\r\n", &[("Transfer-Encoding", "chunked")]);
        assert!(b.read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn a_short_content_length_body_is_truncated() {
        let mut b = body(b"abc", &[("Content-Length", "5")]);
        let e = b.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let mut b = body(b"abcdef", &[("Content-Length", "5")]);
        assert_eq!(b.read_to_limit(10).unwrap(), b"abcde");
        let mut b = body(b"abcdef", &[]);
        assert!(b.read_to_limit(3).is_err());
    }
}
