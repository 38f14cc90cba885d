//! One request as the test server reads it: the head as text, and the body its
//! Content-Length announces.

use super::Conn;

/// One request as the server read it.
pub struct Request {
    /// The head, request line to the empty line, as text; for a plain server that got
    /// a TLS handshake instead, the lossy text of its first record.
    pub head: String,
    /// The body, as long as the head's Content-Length says.
    pub body: Vec<u8>,
}

impl Request {
    /// The target of the request line ("GET /x?y HTTP/1.1" -> "/x?y").
    pub fn path(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("")
    }

    /// The head and body as they came, to pass on.
    pub fn bytes(&self) -> Vec<u8> {
        let mut all = self.head.as_bytes().to_vec();
        all.extend_from_slice(&self.body);
        all
    }

    /// The value of header `name` (any case), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Reads the head (and the body its Content-Length announces); `None` when the
/// connection ends or stalls first. A TLS handshake sent to a plain server is read
/// as one record and handed over as it is, so that the handler answers it as an HTTP
/// server answers a line it cannot parse.
pub(super) fn read_request(conn: &mut dyn Conn) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        if head.len() == 5 && head[0] == 0x16 {
            let length = usize::from(u16::from_be_bytes([head[3], head[4]]));
            let mut record = vec![0u8; length];
            conn.read_exact(&mut record).ok()?;
            head.extend(record);
            break;
        }
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let mut request = Request {
        head: String::from_utf8_lossy(&head).into_owned(),
        body: Vec::new(),
    };
    let length = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    request.body = vec![0u8; length];
    conn.read_exact(&mut request.body).ok()?;
    Some(request)
}
