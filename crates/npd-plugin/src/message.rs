//! Shapes a message into the one line NPD can carry: ASCII, no `%`, one line, at most
//! `max` bytes.
//!
//! NPD cuts stdout at max_output_length *bytes*, which can split a UTF-8 character, and
//! feeds Event messages to a Go format string, where `%` turns into "%!f(MISSING)".
//! Making the line ASCII first means every byte cut is a character boundary.

/// Returns `text` as NPD should see it: control characters and newlines become spaces,
/// runs of spaces collapse, `%` becomes " pct", other non-ASCII characters become `?`,
/// and the result is cut to at most `max` bytes without trailing space.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 8);
    let mut pending_space = false;
    let push = |out: &mut String, word: &str, pending: &mut bool| {
        if *pending && !out.is_empty() {
            out.push(' ');
        }
        *pending = false;
        out.push_str(word);
    };
    for c in text.chars() {
        if out.len() > max {
            break;
        }
        match c {
            '%' => {
                pending_space = true;
                push(&mut out, "pct", &mut pending_space);
                pending_space = true;
            }
            c if c.is_whitespace() || c.is_control() => pending_space = true,
            c if c.is_ascii() => push(&mut out, c.encode_utf8(&mut [0; 1]), &mut pending_space),
            _ => push(&mut out, "?", &mut pending_space),
        }
    }
    out.truncate(max.min(out.len()));
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_never_survives() {
        assert_eq!(sanitize("95% full", 80), "95 pct full");
        assert_eq!(sanitize("%d%s", 80), "pct d pct s");
    }

    #[test]
    fn multibyte_text_is_cut_on_a_character_boundary() {
        let s = sanitize(&"é".repeat(100), 80);
        assert_eq!(s.len(), 80);
        assert!(s.is_ascii());
    }

    #[test]
    fn one_line_no_control_characters() {
        assert_eq!(sanitize("  a\nb\r\n\tc\x07d  ", 80), "a b c d");
    }

    #[test]
    fn cut_at_max_bytes_and_trailing_space_dropped() {
        assert_eq!(sanitize("abcd efgh", 5), "abcd");
        assert_eq!(sanitize("abcdefgh", 3), "abc");
        assert_eq!(sanitize("", 80), "");
    }
}
