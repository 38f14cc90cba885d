//! The parser's escapes and bracketed classes: `\\d`-style and `\\p{...}` classes,
//! octal, hex and C escapes, `[...]` with ranges and POSIX names, with Go's errors.

use super::names;
use super::parse::{err, Flags, Parser};
use super::{Class, Error, Item};

impl Parser<'_> {
    /// `\pN`, `\p{Name}`, `\P...`, `\d \s \w` and capitals, at a `\`.
    pub(super) fn class_escape(&mut self) -> Result<Option<Item>, Error> {
        let start = self.pos;
        let mut chars = self.rest()[1..].chars();
        match chars.next() {
            Some(p @ ('p' | 'P')) => {
                self.pos += 2;
                let (seq_end, mut name) = match self.peek() {
                    Some('{') => match self.rest().find('}') {
                        Some(end) => (self.pos + end + 1, &self.rest()[1..end]),
                        None => return Err(err("invalid character class range", &self.s[start..])),
                    },
                    Some(c) => (self.pos + c.len_utf8(), &self.rest()[..c.len_utf8()]),
                    None => (self.pos, ""),
                };
                let seq = &self.s[start..seq_end];
                let mut negated = p == 'P';
                if let Some(n) = name.strip_prefix('^') {
                    negated = !negated;
                    name = n;
                }
                let Some(table) = names::unicode_table(name) else {
                    return Err(err("invalid character class range", seq));
                };
                self.pos = seq_end;
                Ok(Some(Item::Table {
                    name: table.to_string(),
                    negated,
                }))
            }
            Some(c) => match names::perl(c).filter(|_| c.is_ascii_alphabetic()) {
                Some(ranges) => {
                    self.pos += 2;
                    Ok(Some(Item::Set {
                        ranges,
                        negated: c.is_ascii_uppercase(),
                    }))
                }
                None => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// A single-character escape at a `\`: octal, hex, the C escapes, or punctuation.
    pub(super) fn char_escape(&mut self, start: usize) -> Result<u32, Error> {
        self.bump();
        let Some(c) = self.bump() else {
            return Err(err("trailing backslash at end of expression", ""));
        };
        let invalid = |p: &Parser| Err(err("invalid escape sequence", p.since(start)));
        let octal = |c: Option<char>| c.filter(|c| ('0'..='7').contains(c));
        match c {
            '1'..='7' | '0' => {
                if c != '0' && octal(self.peek()).is_none() {
                    // A lone `\1`..`\7` is a back-reference: unsupported.
                    return invalid(self);
                }
                let mut v = c as u32 - '0' as u32;
                for _ in 0..2 {
                    match octal(self.peek()) {
                        Some(d) => {
                            self.bump();
                            v = v * 8 + (d as u32 - '0' as u32);
                        }
                        None => break,
                    }
                }
                Ok(v)
            }
            'x' => {
                let hex = |c: Option<char>| c.and_then(|c| c.to_digit(16));
                if self.peek() == Some('{') {
                    self.bump();
                    let mut v: u32 = 0;
                    let mut digits = 0;
                    loop {
                        match self.bump() {
                            Some('}') if digits > 0 => return Ok(v),
                            c => match hex(c) {
                                Some(d) if v * 16 + d <= 0x10ffff => {
                                    v = v * 16 + d;
                                    digits += 1;
                                }
                                _ => return invalid(self),
                            },
                        }
                    }
                }
                let x = hex(self.bump());
                let y = hex(self.bump());
                match (x, y) {
                    (Some(x), Some(y)) => Ok(x * 16 + y),
                    _ => invalid(self),
                }
            }
            'a' => Ok(7),
            'f' => Ok(12),
            'n' => Ok(10),
            'r' => Ok(13),
            't' => Ok(9),
            'v' => Ok(11),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c as u32),
            _ => invalid(self),
        }
    }

    /// A bracketed class, at its `[`.
    pub(super) fn class(&mut self, flags: &Flags) -> Result<Class, Error> {
        let start = self.pos;
        self.bump();
        let mut class = Class {
            items: Vec::new(),
            negated: false,
            fold: flags.fold,
        };
        if self.peek() == Some('^') {
            self.bump();
            class.negated = true;
        }
        let missing = |p: &Parser| err("missing closing ]", &p.s[start..]);
        let mut first = true;
        loop {
            match self.peek() {
                None => return Err(missing(self)),
                Some(']') if !first => {
                    self.bump();
                    return Ok(class);
                }
                _ => {}
            }
            first = false;
            if self.rest().starts_with("[:") {
                if let Some(end) = self.rest()[2..].find(":]") {
                    let whole = &self.rest()[..end + 4];
                    let name = &whole[2..whole.len() - 2];
                    let (negated, name) = match name.strip_prefix('^') {
                        Some(n) => (true, n),
                        None => (false, name),
                    };
                    let Some(ranges) = names::posix(name) else {
                        return Err(err("invalid character class range", whole));
                    };
                    self.pos += whole.len();
                    class.items.push(Item::Set { ranges, negated });
                    continue;
                }
            }
            if self.peek() == Some('\\') {
                if let Some(item) = self.class_escape()? {
                    class.items.push(item);
                    continue;
                }
            }
            let range_start = self.pos;
            let lo = self.class_char(start)?;
            let mut hi = lo;
            let rest = self.rest();
            if rest.len() >= 2 && rest.starts_with('-') && !rest[1..].starts_with(']') {
                self.bump();
                hi = self.class_char(start)?;
                if hi < lo {
                    return Err(err(
                        "invalid character class range",
                        self.since(range_start),
                    ));
                }
            }
            class.items.push(Item::Range(lo, hi));
        }
    }

    fn class_char(&mut self, class_start: usize) -> Result<u32, Error> {
        match self.peek() {
            None => Err(err("missing closing ]", &self.s[class_start..])),
            Some('\\') => {
                let start = self.pos;
                self.char_escape(start)
            }
            Some(c) => {
                self.bump();
                Ok(c as u32)
            }
        }
    }
}
