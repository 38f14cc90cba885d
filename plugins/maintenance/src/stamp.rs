//! The timestamps the metadata services write, to seconds since the epoch, and the one
//! short UTC form messages use.
//!
//! AWS writes spot and rebalance notices in RFC 3339 (`2026-12-02T10:04:00Z`) and
//! scheduled events as `2 Dec 2026 10:04:00 GMT`; Azure writes `NotBefore` as an HTTP
//! date (`Wed, 02 Dec 2026 10:04:00 GMT`). All are UTC.

use npd_plugin::civil::{civil_from_secs, days_from_civil};

/// `2026-12-02T10:04Z`: to the minute, as the notices are given in minutes.
pub fn short(secs: i64) -> String {
    let (y, mo, d, h, mi, _) = civil_from_secs(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}Z")
}

fn at(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    let valid = (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 61;
    valid.then(|| days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

fn num(text: &str, min: usize, max: usize) -> Option<u32> {
    let ok = (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok()).flatten()
}

/// `HH:MM:SS`.
fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut c = text.split(':');
    let t = (
        num(c.next()?, 2, 2)?,
        num(c.next()?, 2, 2)?,
        num(c.next()?, 2, 2)?,
    );
    c.next().is_none().then_some(t)
}

/// `2026-12-02T10:04:00Z`, fractions of a second allowed; UTC only (`Z` or `+00:00`),
/// as the services write it.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(['T', 't'])?;
    let mut d = date.split('-');
    let (y, mo, da) = (
        num(d.next()?, 4, 4)?,
        num(d.next()?, 2, 2)?,
        num(d.next()?, 2, 2)?,
    );
    if d.next().is_some() {
        return None;
    }
    let time = time
        .strip_suffix(['Z', 'z'])
        .or_else(|| time.strip_suffix("+00:00"))?;
    let time = match time.split_once('.') {
        Some((c, frac)) if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) => c,
        Some(_) => return None,
        None => time,
    };
    let (h, mi, s) = clock(time)?;
    at(i64::from(y), mo, da, h, mi, s)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2 Dec 2026 10:04:00 GMT`, with or without a leading weekday (`Wed, `).
pub fn parse_http_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = match text.split_once(", ") {
        Some((day, rest)) if day.len() == 3 && day.bytes().all(|b| b.is_ascii_alphabetic()) => rest,
        _ => text,
    };
    let mut w = text.split(' ');
    let day = num(w.next()?, 1, 2)?;
    let month = w.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year = num(w.next()?, 4, 4)?;
    let (h, mi, s) = clock(w.next()?)?;
    if !matches!(w.next(), Some("GMT" | "UTC")) || w.next().is_some() {
        return None;
    }
    at(i64::from(year), month, day, h, mi, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_796_205_840; // 2026-12-02T10:04:00Z

    #[test]
    fn every_form_the_services_write() {
        assert_eq!(parse_rfc3339("2026-12-02T10:04:00Z"), Some(T));
        assert_eq!(parse_rfc3339("2026-12-02T10:04:00.123Z"), Some(T));
        assert_eq!(parse_rfc3339("2026-12-02T10:04:00+00:00"), Some(T));
        assert_eq!(parse_http_date("2 Dec 2026 10:04:00 GMT"), Some(T));
        assert_eq!(parse_http_date("02 Dec 2026 10:04:00 GMT"), Some(T));
        assert_eq!(parse_http_date("Wed, 02 Dec 2026 10:04:00 GMT"), Some(T));
        assert_eq!(short(T), "2026-12-02T10:04Z");
        assert_eq!(short(T + 59), "2026-12-02T10:04Z");
    }

    #[test]
    fn garbage_is_none() {
        for bad in [
            "",
            "soon",
            "2026-12-02",
            "2026-12-02T10:04:00",
            "2026-12-02T10:04:00+02:00",
            "2026-13-02T10:04:00Z",
            "2026-12-02T10:04Z",
            "2026-12-02T10:04:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        for bad in [
            "",
            "2 Dex 2026 10:04:00 GMT",
            "2 Dec 2026 10:04:00",
            "2 Dec 2026 10:04:00 CET",
            "2 Dec 2026 25:04:00 GMT",
            "Wed, 2 Dec 26 10:04:00 GMT",
            "2 Dec 2026 10:04:00 GMT x",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
