//! Go's regular expressions as NPD's system log monitor uses them: the syntax Go's
//! `regexp.Compile` accepts (RE2 with Go's Perl flags), with Go's error messages, and
//! leftmost-first matching with Go's semantics (ASCII `\d \s \w \b`, `.` without `\n`,
//! `^ $` at the ends of the text unless `(?m)`), so that `lint` refuses exactly the
//! patterns NPD refuses and `run --log-lines` matches what NPD matches.
//!
//! The parser is in [`parse`], class tables in [`names`], matching in [`matcher`]. Not
//! here: what NPD does with a match ([`crate::syslog`]).

mod class;
mod matcher;
mod names;
mod parse;

use std::fmt;

pub use matcher::Captures;

/// What a zero-width assertion checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assert {
    /// `^` without `(?m)`, `\A`.
    BeginText,
    /// `$` without `(?m)`, `\z`.
    EndText,
    /// `(?m)^`.
    BeginLine,
    /// `(?m)$`.
    EndLine,
    /// `\b` (ASCII word characters).
    WordBoundary,
    /// `\B`.
    NoWordBoundary,
}

/// One element of a character class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Code points `lo..=hi` (Go allows surrogates in escapes, hence `u32`).
    Range(u32, u32),
    /// A set of ranges, or everything but them (`\D`, `[:^alpha:]`).
    Set {
        ranges: &'static [(u32, u32)],
        negated: bool,
    },
    /// A Unicode table by name (`\p{Greek}`), or everything but it.
    Table { name: String, negated: bool },
}

/// A bracketed or escaped character class, with the case folding in force where it
/// was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    pub items: Vec<Item>,
    pub negated: bool,
    pub fold: bool,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Empty,
    Literal {
        c: u32,
        fold: bool,
    },
    Class(Class),
    /// `.` with `(?s)`.
    AnyChar,
    /// `.`: anything but `\n`.
    AnyNotNewline,
    Assert(Assert),
    /// A group, with its capture index when it captures.
    Group(Box<Node>, Option<usize>),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
    Repeat {
        sub: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

/// Go's `syntax.Error`: a code and the part of the expression it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: &'static str,
    pub expr: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Regex {
    pub root: Node,
    /// Capture groups, the whole match not counted.
    pub groups: usize,
    /// A `\Q` ran to the end of the expression without `\E`.
    pub quoted_to_end: bool,
    program: matcher::Program,
}

impl Regex {
    /// Compiles `expr` as Go's `regexp.Compile` does, or fails with Go's error.
    pub fn new(expr: &str) -> Result<Regex, Error> {
        let parsed = parse::parse(expr)?;
        let program = matcher::Program::compile(&parsed.root, parsed.groups);
        Ok(Regex {
            root: parsed.root,
            groups: parsed.groups,
            quoted_to_end: parsed.quoted_to_end,
            program,
        })
    }

    /// Go's `FindStringSubmatchIndex`: the leftmost-first match, byte offsets of the
    /// whole match and of each group. `Err` names a construct npd-checks cannot match
    /// (a Unicode table other than Any and ASCII) although Go accepts it.
    pub fn captures(&self, text: &str) -> Result<Option<Captures>, String> {
        self.program.search(text)
    }

    /// Whether the expression is an alternation at its top level (`a|b`).
    pub fn top_level_alternation(&self) -> bool {
        matches!(self.root, Node::Alternate(_))
    }

    /// Whether every match must start at the start of the text (`^` without `(?m)`,
    /// or `\A`, first).
    pub fn anchored_at_start(&self) -> bool {
        fn first(n: &Node) -> bool {
            match n {
                Node::Assert(Assert::BeginText) => true,
                Node::Group(sub, _) => first(sub),
                Node::Concat(items) => items.first().is_some_and(first),
                Node::Alternate(branches) => branches.iter().all(first),
                _ => false,
            }
        }
        first(&self.root)
    }

    /// Whether some match can contain a line break.
    pub fn can_match_newline(&self) -> bool {
        fn any(n: &Node) -> bool {
            match n {
                Node::Literal { c, .. } => *c == u32::from(b'\n'),
                Node::Class(class) => matcher::class_has(class, u32::from(b'\n')),
                Node::AnyChar => true,
                Node::Group(sub, _) => any(sub),
                Node::Repeat { sub, max, .. } => *max != Some(0) && any(sub),
                Node::Concat(items) | Node::Alternate(items) => items.iter().any(any),
                _ => false,
            }
        }
        any(&self.root)
    }

    /// Whether the expression can match an empty string at the end of a text, so that
    /// NPD's `\z`-anchored match succeeds on every log line.
    pub fn matches_empty_at_end(&self) -> bool {
        fn nullable(n: &Node) -> bool {
            match n {
                Node::Empty => true,
                Node::Assert(a) => matches!(a, Assert::EndText | Assert::EndLine),
                Node::Group(sub, _) => nullable(sub),
                Node::Repeat { sub, min, .. } => *min == 0 || nullable(sub),
                Node::Concat(items) => items.iter().all(nullable),
                Node::Alternate(items) => items.iter().any(nullable),
                _ => false,
            }
        }
        nullable(&self.root)
    }
}

#[cfg(test)]
mod tests;
