//! The D-Bus wire format, as much of it as this plugin speaks: method calls whose
//! arguments are strings, and the [`Value`]s any message the bus sends back is
//! unmarshalled into whatever its signature (a GetAll reply carries every property of
//! a unit, of every type; [`crate::unmarshal`] reads them).
//!
//! Facts from the D-Bus specification: a message is a 12-byte fixed header (byte order
//! `l` or `B`, type, flags, version 1, body length, serial), an array of header fields
//! `a(yv)`, padding to 8, then the body. Every value is aligned to its own size
//! (strings and arrays to 4 for their length, structs and dict entries to 8) counted
//! from the start of the message. No file descriptors are ever asked for.

/// Message types.
pub const METHOD_CALL: u8 = 1;
pub const METHOD_RETURN: u8 = 2;
pub const ERROR: u8 = 3;

/// Header field codes.
const PATH: u8 = 1;
const INTERFACE: u8 = 2;
const MEMBER: u8 = 3;
pub(crate) const ERROR_NAME: u8 = 4;
pub(crate) const REPLY_SERIAL: u8 = 5;
const DESTINATION: u8 = 6;
pub(crate) const SIGNATURE: u8 = 8;

/// The largest message accepted: systemd's biggest GetAll reply is tens of KB; a peer
/// announcing more is not systemd, and the plugin must not allocate for it.
pub const MAX_MESSAGE: usize = 1 << 20;

/// One unmarshalled value; integers keep their D-Bus type, so that a property of the
/// wrong type is told from a right one.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Byte(u8),
    Bool(bool),
    I16(i16),
    U16(u16),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    Double(f64),
    /// `s`, `o` and `g` alike, with their type code.
    Text(char, String),
    /// A file descriptor index (`h`).
    Fd(u32),
    Array(Vec<Value>),
    Struct(Vec<Value>),
    Entry(Box<Value>, Box<Value>),
    Variant(Box<Value>),
}

impl Value {
    /// The string of an `s` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text('s', s) => Some(s),
            _ => None,
        }
    }
}

/// A message received: what a caller needs to match and read a reply.
#[derive(Debug)]
pub struct Message {
    pub kind: u8,
    pub reply_serial: Option<u32>,
    pub error_name: Option<String>,
    pub signature: String,
    pub body: Vec<Value>,
}

/// Encodes a method call (little-endian) with string arguments.
pub fn method_call(
    serial: u32,
    destination: &str,
    path: &str,
    interface: &str,
    member: &str,
    args: &[&str],
) -> Vec<u8> {
    let mut body = Writer::default();
    for a in args {
        body.string(a);
    }
    let signature = "s".repeat(args.len());
    let mut fields = Writer::default();
    fields.buf.extend_from_slice(&[b'l', METHOD_CALL, 0, 1]);
    fields.u32(body.buf.len() as u32);
    fields.u32(serial);
    let len_at = fields.buf.len();
    fields.u32(0);
    let start = fields.buf.len();
    fields.field(PATH, 'o', path);
    fields.field(INTERFACE, 's', interface);
    fields.field(MEMBER, 's', member);
    fields.field(DESTINATION, 's', destination);
    if !signature.is_empty() {
        fields.field(SIGNATURE, 'g', &signature);
    }
    let len = (fields.buf.len() - start) as u32;
    fields.buf[len_at..len_at + 4].copy_from_slice(&len.to_le_bytes());
    fields.pad(8);
    fields.buf.extend_from_slice(&body.buf);
    fields.buf
}

#[derive(Default)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn pad(&mut self, align: usize) {
        while self.buf.len() % align != 0 {
            self.buf.push(0);
        }
    }

    fn u32(&mut self, v: u32) {
        self.pad(4);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    fn signature(&mut self, s: &str) {
        self.buf.push(s.len() as u8);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    /// One header field: a struct (code, variant) holding a string-like value.
    fn field(&mut self, code: u8, kind: char, value: &str) {
        self.pad(8);
        self.buf.push(code);
        self.signature(&kind.to_string());
        if kind == 'g' {
            self.signature(value);
        } else {
            self.string(value);
        }
    }
}

/// The total length of the message whose first 16 bytes are `head`, or why it cannot
/// be read.
pub fn message_len(head: &[u8; 16]) -> Result<usize, String> {
    let big = match head[0] {
        b'l' => false,
        b'B' => true,
        other => return Err(format!("bad byte order mark {other:#04x}")),
    };
    if head[3] != 1 {
        return Err(format!("protocol version {}", head[3]));
    }
    let word = |at: usize| {
        let b = [head[at], head[at + 1], head[at + 2], head[at + 3]];
        (if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }) as usize
    };
    let (body, fields) = (word(4), word(12));
    if body > MAX_MESSAGE || fields > MAX_MESSAGE {
        return Err("message too large".into());
    }
    Ok(align(16 + fields, 8) + body)
}

pub(crate) fn align(n: usize, to: usize) -> usize {
    n.div_ceil(to) * to
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unmarshal::parse;

    #[test]
    fn a_method_call_parses_back() {
        let bytes = method_call(7, "org.x", "/o", "org.x.I", "M", &["a", "bc"]);
        assert_eq!(
            message_len(bytes[..16].try_into().unwrap()),
            Ok(bytes.len())
        );
        let m = parse(&bytes).unwrap();
        assert_eq!(m.kind, METHOD_CALL);
        assert_eq!(m.signature, "ss");
        assert_eq!(
            m.body,
            vec![Value::Text('s', "a".into()), Value::Text('s', "bc".into())]
        );
    }
}
