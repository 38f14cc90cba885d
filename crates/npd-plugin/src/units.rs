//! Parsers for the values flags and NPD configs carry: durations as Go writes them
//! (`500ms`, `30s`, `1h30m`) and percentages (`90`, `90%`).
//!
//! NPD reads its config durations with Go's `time.ParseDuration`; the same grammar here
//! lets `npd-checks lint` judge a config exactly as NPD would and lets plugin flags look
//! like the config they sit in.

use crate::{Error, Result};
use std::time::Duration;

/// Parses a duration in Go's `time.ParseDuration` grammar: an optional sign, then one or
/// more decimal numbers each followed by a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`),
/// or a bare `0`. Negative durations are rejected: nothing here waits a negative time.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let bad = || {
        Error::config(format!(
            "invalid duration {text:?} (examples: 500ms, 30s, 5m, 1h30m)"
        ))
    };
    let mut s = text;
    if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    } else if let Some(rest) = s.strip_prefix('-') {
        if rest == "0" {
            return Ok(Duration::ZERO);
        }
        return Err(Error::config(format!(
            "negative duration {text:?} is not allowed"
        )));
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(bad());
    }
    // Go's Duration is an int64 of nanoseconds; a sum past it is out of range, not
    // wrapped. Whole numbers and fractions are kept in integers, so the sum is exact.
    let out_of_range = || Error::config(format!("duration {text:?} is out of range"));
    let mut nanos: u128 = 0;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let number = &s[..num_end];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(bad());
        }
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(Error::config(format!("missing unit in duration {text:?}"))),
            _ => {
                return Err(Error::config(format!(
                    "unknown unit {unit:?} in duration {text:?}"
                )))
            }
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        // Only digits are left, so a whole number fails to parse only by its size.
        let whole: u128 = match whole {
            "" => 0,
            digits => digits.parse().map_err(|_| out_of_range())?,
        };
        nanos = whole
            .checked_mul(scale)
            .and_then(|n| n.checked_add(nanos))
            .and_then(|n| n.checked_add(fraction_of(fraction, scale)))
            .filter(|n| *n <= i64::MAX as u128)
            .ok_or_else(out_of_range)?;
    }
    Ok(Duration::from_nanos(nanos as u64))
}

/// `0.digits` of `unit` nanoseconds, truncated to the nanosecond as Go truncates.
/// Digits past the 18th are below a nanosecond of any unit and are left out.
fn fraction_of(digits: &str, unit: u128) -> u128 {
    let kept = &digits.as_bytes()[..digits.len().min(18)];
    let (value, denominator) = kept.iter().fold((0u128, 1u128), |(v, d), b| {
        (v * 10 + u128::from(b - b'0'), d * 10)
    });
    value * unit / denominator
}

/// Writes a duration the way Go's `Duration.String` would for round values, short:
/// `4s`, `500ms`, `1m30s`, `2h`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos % 1_000_000_000 != 0 || nanos < 1_000_000_000 {
        if nanos % 1_000_000 == 0 {
            return format!("{}ms", nanos / 1_000_000);
        }
        if nanos < 1_000_000_000 {
            return format!("{}us", nanos / 1_000);
        }
        // Seconds to the millisecond, rounded half up.
        let millis = (nanos + 500_000) / 1_000_000;
        return format!("{}.{:03}s", millis / 1000, millis % 1000);
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// A percentage as a flag gives it (`90`, `92.5`), kept exactly in millionths of a
/// percent: a threshold compares with a whole measured percentage without rounding, and
/// a plugin that judges in whole numbers carries no floating-point parser or printer
/// (about 30 KB of every binary).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(u64);

impl Percent {
    /// Millionths in one percent.
    const ONE: u64 = 1_000_000;

    /// `n` percent.
    pub const fn whole(n: u64) -> Percent {
        Percent(n * Percent::ONE)
    }

    /// Whether a measured whole percentage is strictly greater than this one.
    pub fn exceeded_by(self, measured: u64) -> bool {
        u128::from(measured) * u128::from(Percent::ONE) > u128::from(self.0)
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Percent::ONE as f64
    }
}

/// As a message shows it: whole when that says enough, else to one decimal (half up).
impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 + Percent::ONE / 20) / (Percent::ONE / 10);
        match tenths % 10 {
            0 => write!(f, "{}", tenths / 10),
            d => write!(f, "{}.{d}", tenths / 10),
        }
    }
}

/// As `f64`'s Debug writes the same number (`85.0`, `92.5`): a plugin's flags are its
/// state key, which stays the one it was when thresholds were floats.
impl std::fmt::Debug for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if (1..100).contains(&self.0) {
            // Below 0.0001 f64 writes an exponent: 1.5e-5.
            let all = self.0.to_string();
            let exponent = all.len() as i32 - 7;
            let (first, rest) = all.trim_end_matches('0').split_at(1);
            let dot = if rest.is_empty() { "" } else { "." };
            return write!(f, "{first}{dot}{rest}e{exponent}");
        }
        let fraction = format!("{:06}", self.0 % Percent::ONE);
        let fraction = fraction.trim_end_matches('0');
        let fraction = if fraction.is_empty() { "0" } else { fraction };
        write!(f, "{}.{fraction}", self.0 / Percent::ONE)
    }
}

/// Parses a percentage given as a plain number or with a trailing `%`, within 0..=100.
/// Decimals past the sixth are dropped.
pub fn parse_percent(text: &str) -> Result<Percent> {
    let invalid = || {
        Error::config(format!(
            "invalid percentage {text:?} (expected a number such as 90)"
        ))
    };
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim()).trim();
    let (negative, digits) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (value, more) = millionths(digits).ok_or_else(invalid)?;
    let outside = || Error::config(format!("percentage {text:?} is outside 0..100"));
    // What the dropped decimals add still counts against the range.
    let hundred = Percent::whole(100).0;
    if value > hundred || (value == hundred && more) || (negative && (value > 0 || more)) {
        return Err(outside());
    }
    Ok(Percent(value))
}

/// A plain decimal (`12`, `0.5`, `7.`, `.5`) in millionths, the digits past the sixth
/// decimal dropped, and whether any of those was other than 0. A number past `u64`
/// saturates. None for anything but digits with at most one point.
pub(crate) fn millionths(text: &str) -> Option<(u64, bool)> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    // Only digits are left, so a whole number fails to parse only by its size.
    let whole = match whole {
        "" => Some(0),
        digits => digits.parse::<u64>().ok(),
    };
    // Six decimals: the fraction of a million, truncated as a duration's is.
    let kept = fraction_of(fraction, 1_000_000) as u64;
    let value = whole
        .and_then(|w| w.checked_mul(1_000_000))
        .and_then(|w| w.checked_add(kept))
        .unwrap_or(u64::MAX);
    Some((value, fraction.bytes().skip(6).any(|b| b != b'0')))
}

/// Formats a measured share for a message as [`Percent`] shows it: whole numbers when
/// they say enough, one decimal otherwise. Never a `%`.
pub fn format_percent(value: f64) -> String {
    Percent((value * Percent::ONE as f64).round() as u64).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_grammar() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("+2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1us"), Ok(Duration::from_micros(1)));
        assert_eq!(parse_duration("1µs"), Ok(Duration::from_micros(1)));
        assert_eq!(parse_duration(".5s"), Ok(Duration::from_millis(500)));
        for bad in ["", "5", "s", "5x", "1.2.3s", "-5s", "ms5", "1d", " 5s", "."] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn durations_print_short() {
        assert_eq!(format_duration(Duration::from_secs(4)), "4s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(
            format_duration(Duration::from_nanos(1_234_567_000)),
            "1.235s"
        );
        assert_eq!(
            format_duration(Duration::from_nanos(1_999_999_999)),
            "2.000s"
        );
        assert_eq!(
            format_duration(Duration::from_nanos(61_000_400_000)),
            "61.000s"
        );
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("90"), Ok(Percent::whole(90)));
        assert_eq!(parse_percent(" 90% "), Ok(Percent::whole(90)));
        assert_eq!(parse_percent("+0090"), Ok(Percent::whole(90)));
        assert_eq!(parse_percent("100.000"), Ok(Percent::whole(100)));
        assert_eq!(parse_percent("-0"), Ok(Percent::whole(0)));
        assert_eq!(parse_percent("12.5").map(Percent::as_f64), Ok(12.5));
        assert_eq!(parse_percent(".5").map(Percent::as_f64), Ok(0.5));
        assert_eq!(parse_percent("7.").map(Percent::as_f64), Ok(7.0));
        for outside in [
            "101",
            "100.0000001",
            "-1",
            "-0.5",
            "-0.0000001",
            "99999999999999999999999",
        ] {
            let e = parse_percent(outside).unwrap_err().to_string();
            assert!(e.contains("outside 0..100"), "{outside:?}: {e}");
        }
        for bad in [
            "ninety", "NaN", "inf", "", "%", ".", "1e2", "9 0", "1.2.3", "--5", "0x10",
        ] {
            let e = parse_percent(bad).unwrap_err().to_string();
            assert!(e.contains("invalid percentage"), "{bad:?}: {e}");
        }
        assert_eq!(format_percent(97.04), "97");
        assert_eq!(format_percent(97.25), "97.3");
        assert_eq!(format_percent(99.96), "100");
        assert_eq!(format_percent(0.0), "0");
    }

    #[test]
    fn a_threshold_compares_exactly_with_whole_percentages() {
        let max = parse_percent("92.5").unwrap();
        assert!(max.exceeded_by(93) && !max.exceeded_by(92));
        let max = parse_percent("90").unwrap();
        assert!(max.exceeded_by(91) && !max.exceeded_by(90));
        // Dropping the seventh decimal never changes a comparison with a whole number.
        let max = parse_percent("89.9999999").unwrap();
        assert!(max.exceeded_by(90) && !max.exceeded_by(89));
        assert!(!Percent::whole(100).exceeded_by(100) && Percent::whole(0).exceeded_by(1));
    }

    #[test]
    fn a_percentage_prints_as_messages_and_state_keys_need() {
        let p = |t| parse_percent(t).unwrap();
        assert_eq!(p("85").to_string(), "85");
        assert_eq!(p("92.5").to_string(), "92.5");
        assert_eq!(p("92.25").to_string(), "92.3");
        assert_eq!(p("92.04").to_string(), "92");
        // Debug as f64's Debug of the same number: the state key does not move.
        for text in [
            "85",
            "92.5",
            "0",
            "100",
            "33.333",
            "12.345678",
            "0.0001",
            "0.000015",
            "0.00009",
            "0.00001",
        ] {
            let float: f64 = text.parse().unwrap();
            assert_eq!(format!("{:?}", p(text)), format!("{float:?}"), "{text}");
        }
    }

    #[test]
    fn a_huge_fraction_is_out_of_range_not_zero() {
        let huge = format!("1ns{}.5h", "9".repeat(400));
        assert!(parse_duration(&huge)
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        assert!(parse_duration(&format!("{}.0s", "9".repeat(30))).is_err());
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        // A sum past Go's int64 of nanoseconds, by whole numbers or by segments.
        assert!(parse_duration("9223372036854775808ns").is_err());
        assert!(parse_duration("2562048h").is_err());
        assert!(parse_duration("2562047h47m16.854775807s").is_ok());
        assert!(parse_duration("2562047h47m16.854775808s").is_err());
    }

    #[test]
    fn fractions_are_exact_to_the_nanosecond() {
        let cases = [
            ("0.1s", 100_000_000),
            ("1.1h", 3_960_000_000_000),
            ("5.s", 5_000_000_000),
            ("1.0000000009s", 1_000_000_000),
            ("0.333333333333333333333s", 333_333_333),
            ("1.5m0.25s", 90_250_000_000),
        ];
        for (text, nanos) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_nanos(nanos)),
                "{text}"
            );
        }
    }
}
