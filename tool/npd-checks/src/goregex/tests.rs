//! Go's `regexp` behaviour, pinned: each expectation below is what Go's `regexp.Compile`
//! and `FindStringSubmatchIndex` answer for the same input.

use super::*;

fn error(expr: &str) -> String {
    Regex::new(expr).unwrap_err().to_string()
}

fn find(expr: &str, text: &str) -> Option<Vec<Option<(usize, usize)>>> {
    Regex::new(expr).unwrap().captures(text).unwrap()
}

#[test]
fn go_refuses_what_re2_leaves_out_with_gos_messages() {
    let cases = [
        ("a**", "invalid nested repetition operator: `**`"),
        ("a*?*", "invalid nested repetition operator: `*?*`"),
        ("a{2}*", "invalid nested repetition operator: `{2}*`"),
        ("*", "missing argument to repetition operator: `*`"),
        ("a|*", "missing argument to repetition operator: `*`"),
        ("(?i)*", "missing argument to repetition operator: `*`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("a{2,1}", "invalid repeat count: `{2,1}`"),
        ("(a{100}){20}", "invalid repeat count: `{20}`"),
        ("[a", "missing closing ]: `[a`"),
        ("[]", "missing closing ]: `[]`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
        ("[\\b]", "invalid escape sequence: `\\b`"),
        ("\\1", "invalid escape sequence: `\\1`"),
        ("\\8", "invalid escape sequence: `\\8`"),
        ("\\Z", "invalid escape sequence: `\\Z`"),
        ("\\C", "invalid escape sequence: `\\C`"),
        ("\\x{110000}", "invalid escape sequence: `\\x{110000`"),
        ("\\xZ1", "invalid escape sequence: `\\xZ1`"),
        ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
        ("\\p", "invalid character class range: `\\p`"),
        ("(?x)", "invalid or unsupported Perl syntax: `(?x`"),
        ("(?i-)", "invalid or unsupported Perl syntax: `(?i-)`"),
        ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
        ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
        ("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`"),
        ("(?<=a)", "invalid named capture: `(?<=a)`"),
        ("a)", "unexpected ): `a)`"),
        ("(a", "missing closing ): `(a`"),
        ("a\\", "trailing backslash at end of expression: ``"),
    ];
    for (expr, want) in cases {
        assert_eq!(
            error(expr),
            format!("error parsing regexp: {want}"),
            "{expr}"
        );
    }
}

#[test]
fn go_accepts_these() {
    for expr in [
        "a{,3}",
        "a{01}",
        "x{",
        "[]a]",
        "[^]a]",
        "[a-]",
        "[\\d-z]",
        "[[:^space:]x]",
        "[[:alpha]",
        "\\_",
        "\\ ",
        "\\12",
        "\\0",
        "\\08",
        "\\Qab",
        "\\Qa\\E*",
        "\\pL",
        "\\p{Greek}",
        "\\p{^Greek}",
        "\\P{^L}",
        "(?)",
        "(?i-s:a)",
        "(?P<n>a)(?P<n>b)",
        "(?<n>a)",
        "^*",
        "\\b*",
        "a(?i)*",
        "(?U)a*",
        "a+?",
        "\\p{Letter}",
        "\\p{greek}",
        "x|",
        "|",
        "",
    ] {
        assert!(
            Regex::new(expr).is_ok(),
            "{expr}: {:?}",
            Regex::new(expr).err()
        );
    }
}

#[test]
fn leftmost_first_matches_with_go_semantics() {
    let m = |expr, text| find(expr, text).map(|c| c[0].unwrap());
    // Perl classes and \b are ASCII; `.` stops at a line break unless (?s).
    assert_eq!(m("\\w+", "é_a1"), Some((2, 5)));
    assert_eq!(m("\\s", "\u{a0} \t"), Some((2, 3)));
    assert_eq!(m("a.b", "a\nb"), None);
    assert_eq!(m("(?s)a.b", "a\nb"), Some((0, 3)));
    // ^ and $ are the ends of the text unless (?m).
    assert_eq!(m("^foo\\z", "\n\nfoo"), None);
    assert_eq!(m("(?m)^foo\\z", "\n\nfoo"), Some((2, 5)));
    // Alternatives in order, not the longest.
    assert_eq!(
        find("(a|ab)(c|bcd)(d*)", "abcd").unwrap(),
        vec![Some((0, 4)), Some((0, 1)), Some((1, 4)), Some((4, 4))]
    );
    // An empty iteration of a star still counts once, as Go compiles it.
    assert_eq!(
        find("(a*)*", "b").unwrap(),
        vec![Some((0, 0)), Some((0, 0))]
    );
    assert_eq!(m("(?U)a+", "aaa"), Some((0, 1)));
    assert_eq!(m("(?i)s", "\u{17f}"), Some((0, 2)));
    assert_eq!(m("\\x41\\101", "AA"), Some((0, 2)));
}

#[test]
fn what_npds_appended_anchor_does_to_a_pattern() {
    let alt = Regex::new("a|b\\z").unwrap();
    assert!(Regex::new("a|b").unwrap().top_level_alternation());
    assert!(!Regex::new("(?:a|b)").unwrap().top_level_alternation());
    assert_eq!(alt.captures("xxa\nzz").unwrap().unwrap()[0], Some((2, 3)));
    assert!(Regex::new("\\Qa.b").unwrap().quoted_to_end);
    assert!(!Regex::new("\\Qa.b\\E").unwrap().quoted_to_end);
    assert!(Regex::new("^foo").unwrap().anchored_at_start());
    assert!(!Regex::new("(?m)^foo").unwrap().anchored_at_start());
    assert!(!Regex::new("^foo").unwrap().can_match_newline());
    assert!(Regex::new("^foo\\s").unwrap().can_match_newline());
    for every in ["", ".*", "(x)?", "$", "a*|b"] {
        assert!(Regex::new(every).unwrap().matches_empty_at_end(), "{every}");
    }
    assert!(!Regex::new("a*b").unwrap().matches_empty_at_end());
}

#[test]
fn unicode_tables_other_than_any_and_ascii_are_refused_for_matching_only() {
    let re = Regex::new("\\p{Greek}+").unwrap();
    assert_eq!(re.captures("abc").unwrap_err(), "\\p{Greek}");
    assert_eq!(find("\\p{Any}\\p{ASCII}", "éa").unwrap()[0], Some((0, 3)));
}
