//! Shell wildcards for one path component: `*`, `?`, `[abc]`, `[a-z]`, `[!a]` (or
//! `[^a]`), and `\` to take the next character literally. As in the shell, a name that
//! starts with `.` is matched only by a pattern that starts with a literal `.`, and a
//! wildcard never crosses a `/` (patterns are split into components first).
//!
//! Written here rather than taken from a crate: the walks that use it (npd-file's
//! patterns, npd-log's --file) must follow symlinks under the host root and stop
//! before mounts that can hang ([`crate::hostfs`]), which a glob crate walking the
//! filesystem itself cannot do; the matcher alone is this small, and globset would
//! bring a regex engine into binaries that have none.

use std::ffi::OsStr;
use std::fmt;
use std::os::unix::ffi::OsStrExt;

/// One compiled component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters, empty included.
    Star,
    /// `[...]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Pattern {
    /// Compiles one component (no `/`). An unclosed `[` or a trailing `\` is an error
    /// rather than a literal: in a flag, it is far more likely a typo.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let mut tokens = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Star,
                '?' => Token::One,
                '\\' => Token::Char(
                    chars
                        .next()
                        .ok_or_else(|| PatternError::LoneEscape(text.into()))?,
                ),
                '[' => {
                    let negated = matches!(chars.peek(), Some('!' | '^'));
                    if negated {
                        chars.next();
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let c = chars
                            .next()
                            .ok_or_else(|| PatternError::UnclosedClass(text.into()))?;
                        // `]` first in the class is a member, not the end.
                        if c == ']' && !first {
                            break;
                        }
                        first = false;
                        let lo = if c == '\\' {
                            chars
                                .next()
                                .ok_or_else(|| PatternError::UnclosedClass(text.into()))?
                        } else {
                            c
                        };
                        let mut ahead = chars.clone();
                        if ahead.next() == Some('-') && ahead.peek().is_some_and(|n| *n != ']') {
                            chars.next();
                            let hi = chars.next().expect("peeked");
                            if hi < lo {
                                return Err(PatternError::ReversedRange {
                                    pattern: text.into(),
                                    lo,
                                    hi,
                                });
                            }
                            ranges.push((lo, hi));
                        } else {
                            ranges.push((lo, lo));
                        }
                    }
                    Token::Class { negated, ranges }
                }
                c => Token::Char(c),
            });
        }
        Ok(Pattern { tokens })
    }

    /// The component's text when it has no wildcard (escapes removed), else `None`.
    pub fn literal(&self) -> Option<String> {
        self.tokens
            .iter()
            .map(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Whether `name` (a directory entry) matches. Names that are not UTF-8 are
    /// matched with each invalid byte sequence as one U+FFFD character.
    pub fn matches(&self, name: &OsStr) -> bool {
        let text = String::from_utf8_lossy(name.as_bytes());
        let name: Vec<char> = text.chars().collect();
        if name.first() == Some(&'.') && self.tokens.first() != Some(&Token::Char('.')) {
            return false;
        }
        self.match_from(&name)
    }

    /// Wildcard matching with one backtrack point (the last `*`): linear in practice,
    /// never exponential.
    fn match_from(&self, name: &[char]) -> bool {
        let (mut t, mut n) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match self.tokens.get(t) {
                Some(Token::Star) => {
                    star = Some((t, n));
                    t += 1;
                    continue;
                }
                Some(tok) if tok.accepts(name[n]) => {
                    t += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((st, sn)) => {
                    // Let the last `*` swallow one more character and retry.
                    t = st + 1;
                    n = sn + 1;
                    star = Some((st, sn + 1));
                }
                None => return false,
            }
        }
        self.tokens[t..].iter().all(|tok| *tok == Token::Star)
    }
}

/// A pattern that does not compile; each names the whole pattern, as the user wrote
/// it. A typo in a flag, which the caller reports as bad configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// A `\` with nothing after it to take literally.
    LoneEscape(String),
    /// A `[` with no `]` to close its class.
    UnclosedClass(String),
    /// A range in a class whose end comes before its start (`[z-a]`).
    ReversedRange { pattern: String, lo: char, hi: char },
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::LoneEscape(p) => write!(f, "pattern {p:?} ends with a lone \\"),
            PatternError::UnclosedClass(p) => write!(f, "pattern {p:?} has an unclosed ["),
            PatternError::ReversedRange { pattern, lo, hi } => {
                write!(f, "pattern {pattern:?} has a reversed range {lo}-{hi}")
            }
        }
    }
}

impl std::error::Error for PatternError {}

impl Token {
    fn accepts(&self, c: char) -> bool {
        match self {
            Token::Char(x) => *x == c,
            Token::One => true,
            Token::Star => false,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    fn m(pattern: &str, name: &str) -> bool {
        Pattern::parse(pattern).unwrap().matches(OsStr::new(name))
    }

    #[test]
    fn stars_and_questions() {
        assert!(m("reboot-required*", "reboot-required"));
        assert!(m("reboot-required*", "reboot-required.pkgs"));
        assert!(!m("reboot-required*", "reboot-require"));
        assert!(m("*.log", "a.log"));
        assert!(m("*", "x"));
        assert!(!m("*.log", "a.log.1"));
        assert!(m("a*b*c", "aXXbYYbZc"));
        assert!(!m("a*b*c", "aXXbYYbZ"));
        assert!(m("??", "ab"));
        assert!(!m("??", "abc"));
        assert!(m("h?art", "héart"), "? is one character, not one byte");
        assert!(m("**", ""));
    }

    #[test]
    fn classes() {
        assert!(m("log.[0-9]", "log.7"));
        assert!(!m("log.[0-9]", "log.x"));
        assert!(m("log.[!0-9]", "log.x"));
        assert!(m("log.[^0-9]", "log.x"));
        assert!(m("[]a]", "]"));
        assert!(m("[a-]", "-"));
        assert!(m("[\\]]x", "]x"));
        assert!(!m("[!a]", "a"));
    }

    #[test]
    fn escapes_and_literals() {
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "aXb"));
        assert_eq!(Pattern::parse("a\\*b").unwrap().literal().unwrap(), "a*b");
        assert_eq!(Pattern::parse("plain").unwrap().literal().unwrap(), "plain");
        assert_eq!(Pattern::parse("pl*").unwrap().literal(), None);
        assert_eq!(Pattern::parse("[p]").unwrap().literal(), None);
    }

    #[test]
    fn hidden_names_need_a_literal_dot() {
        assert!(!m("*", ".hidden"));
        assert!(!m("?hidden", ".hidden"));
        assert!(m(".*", ".hidden"));
        assert!(m(".h*", ".hidden"));
    }

    #[test]
    fn names_that_are_not_utf8() {
        let p = Pattern::parse("x*").unwrap();
        assert!(p.matches(OsStr::from_bytes(b"x\xff\xfe")));
        assert!(Pattern::parse("x?")
            .unwrap()
            .matches(OsStr::from_bytes(b"x\xff")));
    }

    #[test]
    fn typos_are_errors() {
        let words = |p: &str| Pattern::parse(p).unwrap_err().to_string();
        assert_eq!(words("a[bc"), r#"pattern "a[bc" has an unclosed ["#);
        assert_eq!(words("[a\\"), r#"pattern "[a\\" has an unclosed ["#);
        assert_eq!(words("a\\"), r#"pattern "a\\" ends with a lone \"#);
        assert_eq!(
            words("[z-a]"),
            r#"pattern "[z-a]" has a reversed range z-a"#
        );
    }

    #[test]
    fn no_exponential_blowup() {
        let started = std::time::Instant::now();
        let name = "a".repeat(200);
        assert!(!m("*a*a*a*a*a*a*a*a*a*b", &name));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
