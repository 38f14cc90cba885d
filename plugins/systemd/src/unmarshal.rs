//! Unmarshalling: any message the bus sends, into [`Value`]s whatever its signature,
//! checked as it is read (lengths, padding, nesting, UTF-8), so that a malformed or
//! hostile reply is an error and never a panic or a large allocation. The encoding
//! side and the format's facts are in [`crate::wire`].

use crate::wire::{
    align, message_len, Message, Value, ERROR_NAME, MAX_MESSAGE, REPLY_SERIAL, SIGNATURE,
};

/// Containers nested deeper than the specification's limit (32 arrays and 32 structs).
const MAX_DEPTH: usize = 64;

/// Unmarshals a whole message (as [`message_len`] measured it).
pub fn parse(bytes: &[u8]) -> Result<Message, String> {
    let head: &[u8; 16] = bytes
        .get(..16)
        .and_then(|h| h.try_into().ok())
        .ok_or("short message")?;
    if message_len(head)? != bytes.len() {
        return Err("message length mismatch".into());
    }
    let mut r = Reader {
        buf: bytes,
        at: 4,
        big: bytes[0] == b'B',
    };
    let body_len = r.u32()? as usize;
    let _serial = r.u32()?;
    let fields = r.value(&mut Sig::new("a(yv)")?, 0)?;
    let mut msg = Message {
        kind: bytes[1],
        reply_serial: None,
        error_name: None,
        signature: String::new(),
        body: Vec::new(),
    };
    let Value::Array(fields) = fields else {
        return Err("bad header".into());
    };
    for f in fields {
        let Value::Struct(parts) = f else { continue };
        let [Value::Byte(code), Value::Variant(v)] = &parts[..] else {
            continue;
        };
        match (*code, &**v) {
            (REPLY_SERIAL, Value::U32(n)) => msg.reply_serial = Some(*n),
            (ERROR_NAME, Value::Text('s', s)) => msg.error_name = Some(s.clone()),
            (SIGNATURE, Value::Text('g', s)) => msg.signature = s.clone(),
            (REPLY_SERIAL | ERROR_NAME | SIGNATURE, _) => {
                return Err(format!("header field {code} of the wrong type"))
            }
            _ => {}
        }
    }
    r.skip_to(8)?;
    let body_start = r.at;
    if bytes.len() - body_start != body_len {
        return Err("body length mismatch".into());
    }
    let mut sig = Sig::new(&msg.signature)?;
    while !sig.done() {
        msg.body.push(r.value(&mut sig, 0)?);
    }
    if r.at != bytes.len() {
        return Err("trailing bytes after the body".into());
    }
    Ok(msg)
}

/// A cursor over a signature, one complete type at a time.
struct Sig<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Sig<'a> {
    fn new(text: &'a str) -> Result<Sig<'a>, String> {
        if text.len() > 255 {
            return Err("signature too long".into());
        }
        Ok(Sig {
            text: text.as_bytes(),
            at: 0,
        })
    }

    fn done(&self) -> bool {
        self.at >= self.text.len()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = *self.text.get(self.at).ok_or("truncated signature")?;
        self.at += 1;
        Ok(c)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
    big: bool,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).ok_or("overflow")?;
        let s = self.buf.get(self.at..end).ok_or("truncated message")?;
        self.at = end;
        Ok(s)
    }

    fn skip_to(&mut self, align_to: usize) -> Result<(), String> {
        let n = align(self.at, align_to) - self.at;
        if self.take(n)?.iter().any(|b| *b != 0) {
            return Err("non-zero padding".into());
        }
        Ok(())
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], String> {
        self.skip_to(N)?;
        let mut b: [u8; N] = self.take(N)?.try_into().map_err(|_| "truncated")?;
        if self.big {
            b.reverse();
        }
        Ok(b)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.fixed()?))
    }

    fn text(&mut self, len: usize) -> Result<String, String> {
        let bytes = self.take(len + 1)?;
        if bytes[len] != 0 {
            return Err("string without its nul".into());
        }
        String::from_utf8(bytes[..len].to_vec()).map_err(|_| "string not UTF-8".into())
    }

    fn value(&mut self, sig: &mut Sig, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("values nested too deep".into());
        }
        let code = sig.next()?;
        Ok(match code {
            b'y' => Value::Byte(self.take(1)?[0]),
            b'b' => match self.u32()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                n => return Err(format!("boolean {n}")),
            },
            b'n' => Value::I16(i16::from_le_bytes(self.fixed()?)),
            b'q' => Value::U16(u16::from_le_bytes(self.fixed()?)),
            b'i' => Value::I32(i32::from_le_bytes(self.fixed()?)),
            b'u' => Value::U32(self.u32()?),
            b'h' => Value::Fd(self.u32()?),
            b'x' => Value::I64(i64::from_le_bytes(self.fixed()?)),
            b't' => Value::U64(u64::from_le_bytes(self.fixed()?)),
            b'd' => Value::Double(f64::from_le_bytes(self.fixed()?)),
            b's' | b'o' => {
                let len = self.u32()? as usize;
                Value::Text(code as char, self.text(len)?)
            }
            b'g' => {
                let len = self.take(1)?[0] as usize;
                Value::Text('g', self.text(len)?)
            }
            b'v' => {
                let len = self.take(1)?[0] as usize;
                let inner = self.text(len)?;
                let mut inner_sig = Sig::new(&inner)?;
                let v = self.value(&mut inner_sig, depth + 1)?;
                if !inner_sig.done() {
                    return Err("variant of more than one type".into());
                }
                Value::Variant(Box::new(v))
            }
            b'a' => self.array(sig, depth)?,
            b'(' => {
                self.skip_to(8)?;
                let mut items = Vec::new();
                while sig.peek() != Some(b')') {
                    items.push(self.value(sig, depth + 1)?);
                }
                sig.next()?;
                if items.is_empty() {
                    return Err("empty struct".into());
                }
                Value::Struct(items)
            }
            b'{' => {
                self.skip_to(8)?;
                let k = self.value(sig, depth + 1)?;
                let v = self.value(sig, depth + 1)?;
                if sig.next()? != b'}' {
                    return Err("dict entry of more than two types".into());
                }
                Value::Entry(Box::new(k), Box::new(v))
            }
            other => return Err(format!("unknown type code {:?}", other as char)),
        })
    }

    fn array(&mut self, sig: &mut Sig, depth: usize) -> Result<Value, String> {
        let len = self.u32()? as usize;
        if len > MAX_MESSAGE {
            return Err("array too long".into());
        }
        let elem_start = sig.at;
        let elem_align = match sig.peek().ok_or("truncated signature")? {
            b'y' | b'g' | b'v' => 1,
            b'n' | b'q' => 2,
            b'x' | b't' | b'd' | b'(' | b'{' => 8,
            _ => 4,
        };
        self.skip_to(elem_align)?;
        let end = self.at.checked_add(len).ok_or("overflow")?;
        let mut items = Vec::new();
        // An empty array still names its element type: walk it once without data.
        let mut elem_end = None;
        while self.at < end {
            sig.at = elem_start;
            items.push(self.value(sig, depth + 1)?);
            elem_end = Some(sig.at);
        }
        if self.at != end {
            return Err("array length mismatch".into());
        }
        sig.at = match elem_end {
            Some(at) => at,
            None => skip_type(sig.text, elem_start)?,
        };
        Ok(Value::Array(items))
    }
}

/// Where the complete type starting at `at` in `sig` ends.
fn skip_type(sig: &[u8], at: usize) -> Result<usize, String> {
    match sig.get(at).ok_or("truncated signature")? {
        b'a' => skip_type(sig, at + 1),
        b'(' | b'{' => {
            let mut i = at + 1;
            while *sig.get(i).ok_or("unclosed container in signature")? != b')' && sig[i] != b'}' {
                i = skip_type(sig, i)?;
            }
            Ok(i + 1)
        }
        _ => Ok(at + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::method_call;

    #[test]
    fn skip_type_walks_nested_containers() {
        assert_eq!(skip_type(b"a{sv}u", 0), Ok(5));
        assert_eq!(skip_type(b"a(sa(yv))t", 0), Ok(9));
        assert_eq!(skip_type(b"u", 0), Ok(1));
        assert!(skip_type(b"a(ss", 0).is_err());
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let good = method_call(1, "d", "/p", "i", "m", &["x"]);
        for cut in 0..good.len() {
            let _ = parse(&good[..cut]);
        }
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(parse(&bad).is_err());
        for i in 16..good.len() {
            let mut flipped = good.clone();
            flipped[i] ^= 0xff;
            let _ = parse(&flipped);
        }
    }
}
