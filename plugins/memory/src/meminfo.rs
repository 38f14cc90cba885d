//! `/proc/meminfo`: the two fields the available-memory rule needs.
//!
//! MemAvailable is the kernel's own estimate of what can be allocated without
//! swapping (free memory plus the page cache and reclaimable slab it can drop), so
//! no sum of other fields is attempted here: a kernel too old to publish it (before
//! 3.14) is a reading this plugin cannot make, not one it should guess.

use npd_plugin::{Error, Result};

/// What the rule needs, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemInfo {
    pub total: u64,
    pub available: u64,
}

impl MemInfo {
    /// MemAvailable as a share of MemTotal, 0..=100.
    pub fn available_pct(&self) -> f64 {
        self.available as f64 * 100.0 / self.total as f64
    }
}

/// Parses the file's text; the error says what is wrong, for an Unknown line.
pub fn parse(text: &str) -> Result<MemInfo> {
    let mut total = None;
    let mut available = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let slot = match key {
            "MemTotal" => &mut total,
            "MemAvailable" => &mut available,
            _ => continue,
        };
        *slot = Some(
            kilobytes(value)
                .ok_or_else(|| Error::unobserved(format!("garbage {key} line {line:?}")))?,
        );
    }
    let total = total.ok_or_else(|| Error::unobserved("no MemTotal"))?;
    let available =
        available.ok_or_else(|| Error::unobserved("no MemAvailable (kernel before 3.14?)"))?;
    if total == 0 {
        return Err(Error::unobserved("garbage: MemTotal is 0"));
    }
    if available > total {
        return Err(Error::unobserved(format!(
            "garbage: MemAvailable {available} bytes > MemTotal {total} bytes"
        )));
    }
    Ok(MemInfo { total, available })
}

/// "   24683656 kB" in bytes. The kernel writes every size in kB.
fn kilobytes(value: &str) -> Option<u64> {
    let mut words = value.split_whitespace();
    let number: u64 = words.next()?.parse().ok()?;
    match (words.next(), words.next()) {
        (Some("kB"), None) => number.checked_mul(1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "MemTotal:       24683656 kB\nMemFree:        22832508 kB\n\
                        MemAvailable:   24120420 kB\nBuffers:            6068 kB\n\
                        HugePages_Total:       0\n";

    #[test]
    fn a_real_file() {
        let m = parse(REAL).unwrap();
        assert_eq!(m.total, 24683656 * 1024);
        assert_eq!(m.available, 24120420 * 1024);
        assert!((m.available_pct() - 97.717).abs() < 0.01);
    }

    #[test]
    fn what_it_cannot_judge_is_an_error() {
        assert_eq!(parse("").unwrap_err().message(), "no MemTotal");
        assert!(parse("MemTotal: 100 kB\n")
            .unwrap_err()
            .message()
            .starts_with("no MemAvailable"));
        assert!(parse("MemTotal: lots kB\nMemAvailable: 1 kB\n")
            .unwrap_err()
            .message()
            .starts_with("garbage MemTotal"));
        assert!(parse("MemTotal: 10 MB\nMemAvailable: 1 kB\n").is_err());
        assert!(parse("MemTotal: 0 kB\nMemAvailable: 0 kB\n").is_err());
        assert!(parse("MemTotal: 10 kB\nMemAvailable: 11 kB\n").is_err());
        assert!(parse("MemTotal: 99999999999999999999 kB\nMemAvailable: 1 kB\n").is_err());
    }
}
