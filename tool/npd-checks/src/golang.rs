//! What NPD's messages go through on their way to the Node object, in Go: `strings.TrimSpace`,
//! `strconv.Quote` (the `%q` of NPD's messages), `fmt.Sprintf` with no arguments (event
//! messages are passed to the event recorder as a format string), the UTF-8 coercion of
//! `encoding/json` (a message cut inside a character), `os.ProcessState.String`, and the
//! times and ages `kubectl describe` prints.
//!
//! Messages are bytes here, as Go strings are: a cut message need not be valid UTF-8.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use npd_plugin::timestamp;

/// Decodes the character starting at `i`, if it is valid UTF-8.
fn decode_at(b: &[u8], i: usize) -> Option<(char, usize)> {
    let width = match b[i] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let bytes = b.get(i..i + width)?;
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars().next().map(|c| (c, width))
}

/// Decodes the last character, if it is valid UTF-8.
fn decode_last(b: &[u8]) -> Option<(char, usize)> {
    (1..=4.min(b.len())).find_map(|w| match decode_at(b, b.len() - w) {
        Some((c, width)) if width == w => Some((c, w)),
        _ => None,
    })
}

/// Go's `strings.TrimSpace`: Unicode white space off both ends; an invalid byte stops it.
pub fn trim_space(mut b: &[u8]) -> &[u8] {
    while !b.is_empty() {
        match decode_at(b, 0) {
            Some((c, w)) if c.is_whitespace() => b = &b[w..],
            _ => break,
        }
    }
    while !b.is_empty() {
        match decode_last(b) {
            Some((c, w)) if c.is_whitespace() => b = &b[..b.len() - w],
            _ => break,
        }
    }
    b
}

/// Whether Go's `unicode.IsPrint` holds, closely enough for messages: not a control,
/// format, private-use or separator character other than the ASCII space.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
        | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f | 0xfeff | 0xfff9..=0xfffb
        | 0xe000..=0xf8ff | 0xf0000..=0x10ffff)
}

/// Go's `strconv.Quote` (what `%q` prints).
pub fn quote(b: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut i = 0;
    while i < b.len() {
        let Some((c, w)) = decode_at(b, i) else {
            out.push_str(&format!("\\x{:02x}", b[i]));
            i += 1;
            continue;
        };
        i += w;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_print(c) => out.push(c),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// `fmt.Sprintf(format)` with no arguments, as the event recorder applies it to every
/// event message: `%%` becomes `%`, any other verb `%!v(MISSING)`.
pub fn sprintf_no_args(format: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(format.len());
    let mut i = 0;
    while i < format.len() {
        if format[i] != b'%' {
            out.push(format[i]);
            i += 1;
            continue;
        }
        i += 1;
        while i < format.len() && b"#0+- ".contains(&format[i]) {
            i += 1;
        }
        if i < format.len() && format[i] == b'*' {
            out.extend_from_slice(b"%!(BADWIDTH)");
            i += 1;
        }
        while i < format.len() && format[i].is_ascii_digit() {
            i += 1;
        }
        if i < format.len() && format[i] == b'.' {
            i += 1;
            if i < format.len() && format[i] == b'*' {
                out.extend_from_slice(b"%!(BADPREC)");
                i += 1;
            }
            while i < format.len() && format[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i >= format.len() {
            out.extend_from_slice(b"%!(NOVERB)");
            break;
        }
        let w = decode_at(format, i).map_or(1, |(_, w)| w);
        let verb = &format[i..i + w];
        i += w;
        if verb == b"%" {
            out.push(b'%');
        } else {
            out.extend_from_slice(b"%!");
            out.extend_from_slice(verb);
            out.extend_from_slice(b"(MISSING)");
        }
    }
    out
}

/// A Go string as it reaches the API server: `encoding/json` replaces every invalid
/// byte with U+FFFD.
pub fn json_text(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match decode_at(b, i) {
            Some((c, w)) => {
                out.push(c);
                i += w;
            }
            None => {
                out.push('\u{fffd}');
                i += 1;
            }
        }
    }
    out
}

/// Go's name for a signal (`syscall.Signal.String` on Linux).
pub fn signal_name(signal: i32) -> String {
    const NAMES: [&str; 31] = [
        "hangup",
        "interrupt",
        "quit",
        "illegal instruction",
        "trace/breakpoint trap",
        "aborted",
        "bus error",
        "floating point exception",
        "killed",
        "user defined signal 1",
        "segmentation fault",
        "user defined signal 2",
        "broken pipe",
        "alarm clock",
        "terminated",
        "stack fault",
        "child exited",
        "continued",
        "stopped (signal)",
        "stopped",
        "stopped (tty input)",
        "stopped (tty output)",
        "urgent I/O condition",
        "CPU time limit exceeded",
        "file size limit exceeded",
        "virtual timer expired",
        "profiling timer expired",
        "window changed",
        "I/O possible",
        "power failure",
        "bad system call",
    ];
    match usize::try_from(signal)
        .ok()
        .and_then(|s| NAMES.get(s.wrapping_sub(1)))
    {
        Some(name) => name.to_string(),
        None => format!("signal {signal}"),
    }
}

/// `kubectl describe`'s time format, Go's RFC1123Z, in UTC.
pub fn rfc1123z(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    timestamp::rfc1123(secs, "+0000")
}

/// The age column of `kubectl describe` (apimachinery's `HumanDuration`).
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = s / 3600;
    if h < 8 {
        return if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    format!("{}d", h / 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_space_like_go() {
        assert_eq!(trim_space(b" \t ok \n"), b"ok");
        assert_eq!(trim_space("\u{a0}x\u{2003}".as_bytes()), b"x");
        assert_eq!(trim_space(b"x \xe2\x82"), b"x \xe2\x82");
        assert_eq!(trim_space(b"\n\n"), b"");
    }

    #[test]
    fn quote_like_strconv() {
        assert_eq!(quote(b"a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(quote(b"l1\nl2\t\x01\x7f"), r#""l1\nl2\t\x01\x7f""#);
        assert_eq!(quote("é€".as_bytes()), "\"é€\"");
        assert_eq!(quote(b"cut \xe2\x82"), r#""cut \xe2\x82""#);
        assert_eq!(quote("\u{a0}\u{feff}".as_bytes()), r#""\u00a0\ufeff""#);
    }

    #[test]
    fn sprintf_mangles_percent_like_go() {
        assert_eq!(sprintf_no_args(b"95%full"), b"95%!f(MISSING)ull");
        assert_eq!(sprintf_no_args(b"100%% sure"), b"100% sure");
        assert_eq!(sprintf_no_args(b"at 5%"), b"at 5%!(NOVERB)");
        assert_eq!(sprintf_no_args(b"%-5.2d"), b"%!d(MISSING)");
        assert_eq!(sprintf_no_args(b"\"95%\""), b"\"95%!\"(MISSING)");
    }

    #[test]
    fn json_replaces_each_invalid_byte() {
        assert_eq!(json_text(b"ok \xe2\x82"), "ok \u{fffd}\u{fffd}");
        assert_eq!(json_text("é".as_bytes()), "é");
    }

    #[test]
    fn process_states_and_times() {
        assert_eq!(signal_name(9), "killed");
        assert_eq!(signal_name(15), "terminated");
        assert_eq!(signal_name(64), "signal 64");
        let t = UNIX_EPOCH + Duration::from_secs(1_136_214_245);
        assert_eq!(rfc1123z(t), "Mon, 02 Jan 2006 15:04:05 +0000");
        assert_eq!(rfc1123z(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(human_duration(Duration::from_secs(3)), "3s");
        assert_eq!(human_duration(Duration::from_secs(150)), "2m30s");
        assert_eq!(human_duration(Duration::from_secs(3 * 3600 + 60)), "3h1m");
    }
}
