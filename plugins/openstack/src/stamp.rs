//! Timestamps as the OpenStack APIs write them, to seconds since the epoch.
//!
//! Keystone writes `2026-11-22T08:41:43.000000Z`, nova and cinder
//! `2026-11-22T07:46:44.222233` (UTC without a zone), neutron
//! `2026-11-22 07:03:18.012496` (a space, no zone). A zone offset (`+02:00`) is
//! honoured when present; without one the time is UTC, as all of them mean it.

use npd_plugin::civil::{civil_from_secs, days_from_civil};

/// Seconds since the Unix epoch, UTC.
pub fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 19 || !t.is_char_boundary(10) {
        return None;
    }
    let (date, rest) = t.split_at(10);
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let mut d = date.splitn(3, '-');
    let year: i64 = num(d.next()?, 4)?;
    let month: i64 = num(d.next()?, 2)?;
    let day: i64 = num(d.next()?, 2)?;
    if rest.len() < 8 || !rest.is_char_boundary(8) {
        return None;
    }
    let (clock, mut zone) = rest.split_at(8);
    let mut c = clock.splitn(3, ':');
    let (h, m, s): (i64, i64, i64) = (num(c.next()?, 2)?, num(c.next()?, 2)?, num(c.next()?, 2)?);
    if let Some(frac) = zone.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = &frac[digits..];
    }
    let offset = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = &zone[1..];
            let (zh, zm) = match z.split_once(':') {
                Some((a, b)) => (num(a, 2)?, num(b, 2)?),
                None if z.len() == 4 => (num(&z[..2], 2)?, num(&z[2..], 2)?),
                None => (num(z, 2)?, 0),
            };
            sign * (zh * 3600 + zm * 60)
        }
    };
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && h < 24 && m < 60 && s < 61;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month as u32, day as u32);
    Some(days * 86400 + h * 3600 + m * 60 + s - offset)
}

fn num(text: &str, width: usize) -> Option<i64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `2026-11-22 07:03:18Z`: one form for messages whichever service wrote it.
pub fn format(secs: i64) -> String {
    let (y, m, d, h, mi, sec) = civil_from_secs(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{sec:02}Z")
}

/// Now, in seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_the_services_write() {
        let t = 1_795_330_998; // 2026-11-22 07:03:18Z
        assert_eq!(parse("2026-11-22T07:03:18.012496"), Some(t));
        assert_eq!(parse("2026-11-22 07:03:18.012496"), Some(t));
        assert_eq!(parse("2026-11-22T07:03:18.000000Z"), Some(t));
        assert_eq!(parse("2026-11-22T07:03:18Z"), Some(t));
        assert_eq!(parse("2026-11-22 07:03:18"), Some(t));
        assert_eq!(parse("2026-11-22T09:03:18+02:00"), Some(t));
        assert_eq!(parse("2026-11-22T02:03:18-0500"), Some(t));
        assert_eq!(format(t), "2026-11-22 07:03:18Z");
        assert_eq!(format(0), "1970-01-01 00:00:00Z");
        assert_eq!(parse("2024-02-29T00:00:00"), Some(1_709_164_800));
    }

    #[test]
    fn garbage_is_none() {
        for bad in [
            "",
            "null",
            "2026-11-22",
            "2026-13-01T00:00:00",
            "2026-11-22X07:03:18",
            "2026-11-22T07:03:18.",
            "2026-11-22T07:03:18+x",
            "2026-1-22T07:03:18",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
