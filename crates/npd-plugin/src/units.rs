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
    let mut total: f64 = 0.0;
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
        match number.split_once('.') {
            None => {
                let whole: u128 = number.parse().map_err(|_| bad())?;
                nanos = nanos
                    .checked_add(whole.checked_mul(scale).ok_or_else(bad)?)
                    .ok_or_else(bad)?;
            }
            Some(_) => {
                let value: f64 = number.parse().map_err(|_| bad())?;
                total += value * scale as f64;
            }
        }
    }
    // Go's Duration is an int64 of nanoseconds. The fractional parts are checked before
    // they are added: a float past u128 would saturate and wrap the sum to a small value.
    let out_of_range = || Error::config(format!("duration {text:?} is out of range"));
    if !total.is_finite() || total > i64::MAX as f64 {
        return Err(out_of_range());
    }
    let nanos = nanos
        .checked_add(total.round() as u128)
        .filter(|n| *n <= i64::MAX as u128)
        .ok_or_else(out_of_range)?;
    Ok(Duration::from_nanos(nanos as u64))
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
        return format!("{:.3}s", d.as_secs_f64());
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

/// Parses a percentage given as a plain number or with a trailing `%`, within 0..=100.
pub fn parse_percent(text: &str) -> Result<f64> {
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    let value: f64 = number.trim().parse().map_err(|_| {
        Error::config(format!(
            "invalid percentage {text:?} (expected a number such as 90)"
        ))
    })?;
    if !(0.0..=100.0).contains(&value) || value.is_nan() {
        return Err(Error::config(format!(
            "percentage {text:?} is outside 0..100"
        )));
    }
    Ok(value)
}

/// Formats a measured share for a message: whole numbers when they say enough, one
/// decimal otherwise. Never a `%`.
pub fn format_percent(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
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
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("90"), Ok(90.0));
        assert_eq!(parse_percent("90%"), Ok(90.0));
        assert_eq!(parse_percent("12.5"), Ok(12.5));
        assert!(parse_percent("101").is_err());
        assert!(parse_percent("-1").is_err());
        assert!(parse_percent("ninety").is_err());
        assert!(parse_percent("NaN").is_err());
        assert_eq!(format_percent(97.04), "97");
        assert_eq!(format_percent(97.25), "97.3");
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
    }
}
