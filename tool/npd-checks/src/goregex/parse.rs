//! The parser: Go's `regexp/syntax` grammar with the `Perl` flags `regexp.Compile` uses,
//! and the same errors for the same mistakes (a repetition without an argument or
//! stacked on another, repeat counts over 1000, escapes Go does not know, unknown class
//! names, Perl syntax RE2 leaves out such as look-around and back-references).

use super::{Assert, Class, Error, Node};

pub struct Parsed {
    pub root: Node,
    pub groups: usize,
    pub quoted_to_end: bool,
}

const MAX_REPEAT: i64 = 1000;
const MAX_DEPTH: usize = 1000;

#[derive(Clone, Copy, Default)]
pub(super) struct Flags {
    pub(super) fold: bool,
    pub(super) multiline: bool,
    pub(super) dot_nl: bool,
    pub(super) ungreedy: bool,
}

pub(super) struct Parser<'a> {
    pub(super) s: &'a str,
    pub(super) pos: usize,
    pub(super) groups: usize,
    pub(super) depth: usize,
    pub(super) quoted_to_end: bool,
}

pub(super) fn err(code: &'static str, expr: &str) -> Error {
    Error {
        code,
        expr: expr.to_string(),
    }
}

pub fn parse(s: &str) -> Result<Parsed, Error> {
    let mut p = Parser {
        s,
        pos: 0,
        groups: 0,
        depth: 0,
        quoted_to_end: false,
    };
    let root = p.alternation(&mut Flags::default())?;
    if p.pos < s.len() {
        // Only a `)` stops the top-level alternation early.
        return Err(err("unexpected )", s));
    }
    Ok(Parsed {
        root,
        groups: p.groups,
        quoted_to_end: p.quoted_to_end,
    })
}

impl<'a> Parser<'a> {
    pub(super) fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn since(&self, start: usize) -> &'a str {
        &self.s[start..self.pos]
    }

    fn alternation(&mut self, flags: &mut Flags) -> Result<Node, Error> {
        let mut branches = vec![self.concat(flags)?];
        while self.peek() == Some('|') {
            self.bump();
            branches.push(self.concat(flags)?);
        }
        Ok(if branches.len() == 1 {
            branches.remove(0)
        } else {
            Node::Alternate(branches)
        })
    }

    fn concat(&mut self, flags: &mut Flags) -> Result<Node, Error> {
        let mut items: Vec<Node> = Vec::new();
        // The text of the repetition operator just applied, if the last thing parsed
        // was one: Go refuses a repetition of a repetition (`a**`, `a{2}*`).
        let mut last_repeat: Option<usize> = None;
        while let Some(c) = self.peek() {
            let start = self.pos;
            let mut repeat = None;
            match c {
                '|' | ')' => break,
                '(' => {
                    if let Some(node) = self.group(flags)? {
                        items.push(node);
                    }
                }
                '[' => items.push(Node::Class(self.class(flags)?)),
                '^' | '$' | '.' => {
                    self.bump();
                    items.push(match (c, flags.multiline) {
                        ('^', false) => Node::Assert(Assert::BeginText),
                        ('^', true) => Node::Assert(Assert::BeginLine),
                        ('$', false) => Node::Assert(Assert::EndText),
                        ('$', true) => Node::Assert(Assert::EndLine),
                        _ if flags.dot_nl => Node::AnyChar,
                        _ => Node::AnyNotNewline,
                    });
                }
                '*' | '+' | '?' | '{' => {
                    let (min, max) = match c {
                        '*' => (0, None),
                        '+' => (1, None),
                        '?' => (0, Some(1)),
                        _ => match self.repeat_counts() {
                            Some(counts) => counts,
                            None => {
                                // Not a valid repeat: `{` is a literal.
                                self.bump();
                                items.push(literal('{', flags));
                                last_repeat = None;
                                continue;
                            }
                        },
                    };
                    if c == '{' {
                        let in_range = |n: i64| (0..=MAX_REPEAT).contains(&n);
                        let bad = !in_range(min) || max.is_some_and(|m| !in_range(m) || min > m);
                        if bad {
                            return Err(err("invalid repeat count", self.since(start)));
                        }
                    } else {
                        self.bump();
                    }
                    let mut greedy = !flags.ungreedy;
                    if self.peek() == Some('?') {
                        self.bump();
                        greedy = !greedy;
                    }
                    if let Some(prev) = last_repeat {
                        return Err(err("invalid nested repetition operator", self.since(prev)));
                    }
                    let Some(sub) = items.pop() else {
                        return Err(err(
                            "missing argument to repetition operator",
                            self.since(start),
                        ));
                    };
                    let (min, max) = (min as u32, max.map(|m| m as u32));
                    let node = Node::Repeat {
                        sub: Box::new(sub),
                        min,
                        max,
                        greedy,
                    };
                    let counted = c == '{' && (min >= 2 || max.is_some_and(|m| m >= 2));
                    if counted && !size_ok(&node, 1000) {
                        return Err(err("invalid repeat count", self.since(start)));
                    }
                    items.push(node);
                    repeat = Some(start);
                }
                '\\' => self.escape(flags, &mut items)?,
                _ => {
                    self.bump();
                    items.push(literal(c, flags));
                }
            }
            last_repeat = repeat;
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.remove(0),
            _ => Node::Concat(items),
        })
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current position, consumed; `None` (nothing
    /// consumed) when it is not one. A count too large to read is -1.
    fn repeat_counts(&mut self) -> Option<(i64, Option<i64>)> {
        let t = self.rest().strip_prefix('{')?;
        let (min, t) = int(t)?;
        let (max, t) = match t.strip_prefix(',') {
            None => (Some(min), t),
            Some(t) if t.starts_with('}') => (None, t),
            Some(t) => {
                let (max, t) = int(t)?;
                (Some(max), t)
            }
        };
        let t = t.strip_prefix('}')?;
        self.pos = self.s.len() - t.len();
        Some((min, max))
    }

    /// A `(`: a group (`Some`) or a flag setting (`None`).
    fn group(&mut self, flags: &mut Flags) -> Result<Option<Node>, Error> {
        let start = self.pos;
        self.bump();
        let mut inner = *flags;
        let mut capture = None;
        if self.peek() == Some('?') {
            // As Go: `(?P<` needs a character after it, `(?<` too.
            let rest = &self.rest()[1..];
            let name_at = if rest.starts_with("P<") && rest.len() > 2 {
                Some(3)
            } else if rest.starts_with('<') && rest.len() > 1 {
                Some(2)
            } else {
                None
            };
            if let Some(skip) = name_at {
                let Some(end) = self.rest().find('>') else {
                    return Err(err("invalid named capture", &self.s[start..]));
                };
                let name = &self.rest()[skip..end];
                let whole = &self.s[start..self.pos + end + 1];
                let valid =
                    !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
                if !valid {
                    return Err(err("invalid named capture", whole));
                }
                self.pos += end + 1;
                self.groups += 1;
                capture = Some(self.groups);
            } else {
                self.bump();
                let mut negate = false;
                let mut saw = false;
                loop {
                    let Some(c) = self.bump() else {
                        return Err(err("invalid or unsupported Perl syntax", self.since(start)));
                    };
                    let set = !negate;
                    match c {
                        'i' => inner.fold = set,
                        'm' => inner.multiline = set,
                        's' => inner.dot_nl = set,
                        'U' => inner.ungreedy = set,
                        '-' if !negate => {
                            negate = true;
                            saw = false;
                            continue;
                        }
                        ':' | ')' if !negate || saw => {
                            if c == ')' {
                                *flags = inner;
                                return Ok(None);
                            }
                            break;
                        }
                        _ => {
                            return Err(err(
                                "invalid or unsupported Perl syntax",
                                self.since(start),
                            ))
                        }
                    }
                    saw = true;
                }
            }
        } else {
            self.groups += 1;
            capture = Some(self.groups);
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err("expression nests too deeply", self.s));
        }
        let sub = self.alternation(&mut inner)?;
        self.depth -= 1;
        if self.bump() != Some(')') {
            return Err(err("missing closing )", self.s));
        }
        Ok(Some(Node::Group(Box::new(sub), capture)))
    }

    /// A `\` outside brackets.
    fn escape(&mut self, flags: &Flags, items: &mut Vec<Node>) -> Result<(), Error> {
        let start = self.pos;
        let rest = self.rest();
        let next = rest[1..].chars().next();
        let assert = match next {
            Some('A') => Some(Assert::BeginText),
            Some('z') => Some(Assert::EndText),
            Some('b') => Some(Assert::WordBoundary),
            Some('B') => Some(Assert::NoWordBoundary),
            _ => None,
        };
        if let Some(a) = assert {
            self.pos += 2;
            items.push(Node::Assert(a));
            return Ok(());
        }
        match next {
            Some('C') => return Err(err("invalid escape sequence", "\\C")),
            Some('Q') => {
                self.pos += 2;
                let (text, after) = match self.rest().find("\\E") {
                    Some(i) => (&self.rest()[..i], self.pos + i + 2),
                    None => {
                        self.quoted_to_end = true;
                        (self.rest(), self.s.len())
                    }
                };
                items.extend(text.chars().map(|c| literal(c, flags)));
                self.pos = after;
                return Ok(());
            }
            _ => {}
        }
        if let Some(item) = self.class_escape()? {
            items.push(Node::Class(Class {
                items: vec![item],
                negated: false,
                fold: flags.fold,
            }));
            return Ok(());
        }
        let c = self.char_escape(start)?;
        items.push(Node::Literal {
            c,
            fold: flags.fold,
        });
        Ok(())
    }
}

pub(super) fn literal(c: char, flags: &Flags) -> Node {
    Node::Literal {
        c: c as u32,
        fold: flags.fold,
    }
}

/// Go's decimal repeat count: no leading zero, -1 when over eight digits' worth.
fn int(t: &str) -> Option<(i64, &str)> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits >= 2 && t.starts_with('0')) {
        return None;
    }
    let mut n: i64 = 0;
    for b in t[..digits].bytes() {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some((n, &t[digits..]))
}

/// Go's limit on nested counted repetitions: their counts multiplied stay within `n`.
fn size_ok(node: &Node, n: i64) -> bool {
    let mut n = n;
    if let Node::Repeat { min, max, .. } = node {
        let m = i64::from(max.unwrap_or(*min));
        if max == &Some(0) {
            return true;
        }
        if m > n {
            return false;
        }
        if m > 0 {
            n /= m;
        }
    }
    match node {
        Node::Repeat { sub, .. } | Node::Group(sub, _) => size_ok(sub, n),
        Node::Concat(items) | Node::Alternate(items) => items.iter().all(|i| size_ok(i, n)),
        _ => true,
    }
}
