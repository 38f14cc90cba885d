//! Judging lines: which count (pattern, exclude) and what response time they carry.
//!
//! The reader hands over whole buffers of complete lines; the pattern is searched
//! across the buffer at once, so that the lines that do not match (nearly all of them
//! in an access log) are never looked at one by one. Only a matching line is cut out
//! for --exclude and --field.

use regex::bytes::Regex;

use crate::config::{Config, Field};
use crate::window::Histogram;

/// A sample line is kept this long at most: the answer is cut to 80 bytes anyway.
const SAMPLE_BYTES: usize = 160;

/// What one run read.
#[derive(Default, Debug)]
pub struct Tally {
    pub lines: u64,
    pub count: u64,
    pub excluded: u64,
    pub times: Histogram,
    /// Matching lines whose --field held no number.
    pub no_time: u64,
    pub long_lines: u64,
    pub sample: Option<String>,
}

/// Counts matching lines in `buf`, a run of complete lines each ended by `\n`.
pub fn scan_lines(cfg: &Config, buf: &[u8], tally: &mut Tally) {
    let re = &cfg.pattern;
    let mut pos = 0;
    while pos < buf.len() {
        let Some(m) = re.find_at(buf, pos) else {
            break;
        };
        let start = buf[pos..m.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(pos, |i| pos + i + 1);
        let end = buf[m.start()..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(buf.len(), |i| m.start() + i);
        let line = &buf[start..end];
        // A match running over the end of its line (`\s`, `[^x]` match newlines) is
        // no match of that line alone.
        if m.end() <= end || re.is_match(line) {
            judge_matching(cfg, line, tally);
        }
        pos = end + 1;
    }
}

/// Judges one line on its own (CRI messages, the head of a long line).
pub fn scan_one(cfg: &Config, line: &[u8], tally: &mut Tally) {
    if cfg.pattern.is_match(line) {
        judge_matching(cfg, line, tally);
    }
}

fn judge_matching(cfg: &Config, line: &[u8], tally: &mut Tally) {
    if let Some(ex) = &cfg.exclude {
        if ex.is_match(line) {
            tally.excluded += 1;
            return;
        }
    }
    tally.count += 1;
    if let Some(field) = &cfg.field {
        match field_value(&cfg.pattern, field, line).and_then(|t| parse_time(t, cfg.field_scale)) {
            Some(us) => tally.times.add(us),
            None => tally.no_time += 1,
        }
    }
    let cut = &line[..line.len().min(SAMPLE_BYTES)];
    tally.sample = Some(String::from_utf8_lossy(cut).trim().to_string());
}

fn field_value<'a>(re: &Regex, field: &Field, line: &'a [u8]) -> Option<&'a [u8]> {
    let fields = || {
        line.split(|b| b.is_ascii_whitespace())
            .filter(|f| !f.is_empty())
    };
    match *field {
        Field::Index(i) => fields().nth(i),
        Field::FromEnd(n) => {
            let mut it = line
                .rsplit(|b| b.is_ascii_whitespace())
                .filter(|f| !f.is_empty());
            it.nth(n - 1)
        }
        Field::Group(g) => re.captures(line)?.get(g).map(|m| m.as_bytes()),
    }
}

/// A number of `scale`-microsecond units, such as `0.205647` seconds, in microseconds.
fn parse_time(text: &[u8], scale: f64) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let text = text.trim_matches(|c: char| c == '"' || c == ',' || c == ';');
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    Some((value * scale).round().min(u64::MAX as f64 / 2.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Args, Config, FieldUnit, Format, Missing};
    use npd_plugin::Configure;

    fn cfg(pattern: &str, exclude: Option<&str>, field: Option<&str>) -> Config {
        Config::configure(Args {
            file: "/x".into(),
            format: Format::Plain,
            pattern: pattern.into(),
            exclude: exclude.map(Into::into),
            max_count: Some(1),
            window: std::time::Duration::from_secs(300),
            field: field.map(Into::into),
            field_unit: FieldUnit::S,
            max_p95: field.map(|_| std::time::Duration::from_secs(1)),
            max_p99: None,
            max_mean: None,
            min_samples: 1,
            missing: Missing::Unknown,
            from_start: false,
            max_line: 65536,
            label: None,
        })
        .unwrap()
    }

    #[test]
    fn counts_lines_not_matches() {
        let c = cfg("401", None, None);
        let mut t = Tally::default();
        scan_lines(&c, b"a 401 401\nb 200\nc 401\n", &mut t);
        assert_eq!(t.count, 2);
        assert_eq!(t.sample.as_deref(), Some("c 401"));
    }

    #[test]
    fn a_match_across_lines_is_no_match() {
        let c = cfg(r"401\s+b", None, None);
        let mut t = Tally::default();
        scan_lines(&c, b"a 401\nb 200\nx 401  b\n", &mut t);
        assert_eq!(t.count, 1);
    }

    #[test]
    fn anchors_work_per_line() {
        let c = cfg("^b", None, None);
        let mut t = Tally::default();
        scan_lines(&c, b"b1\nab\nb2\n", &mut t);
        assert_eq!(t.count, 2);
    }

    #[test]
    fn exclude_and_fields() {
        let c = cfg("tokens", Some("HEAD"), Some("-1"));
        let mut t = Tally::default();
        scan_lines(
            &c,
            b"\"POST /v3/auth/tokens\" 201 10 0.25\n\"HEAD /v3/auth/tokens\" 200 0 0.01\n\"POST /v3/auth/tokens\" 201 10 -\n",
            &mut t,
        );
        assert_eq!((t.count, t.excluded, t.no_time), (2, 1, 1));
        assert_eq!(t.times.count(), 1);
        let c = cfg(r"time: (?P<t>[0-9.]+)", None, Some("t"));
        let mut t = Tally::default();
        scan_lines(&c, b"x status: 500 len: 1 time: 1.5000000\n", &mut t);
        assert_eq!(t.times.sum_us, 1_500_000);
    }
}
