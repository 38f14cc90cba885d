//! The two timestamp forms the API speaks: RFC 3339 in objects
//! (`2024-05-01T10:00:00Z`) and the HTTP Date header (`Wed, 01 May 2024 10:00:00 GMT`).
//! Both are UTC to the second, which is all an age in minutes needs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use npd_plugin::civil::days_from_civil;

fn at(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<SystemTime> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `2024-05-01T10:00:00Z`, with optional fractions and a numeric offset.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let (date, time) = text.split_once(['T', 't'])?;
    let mut d = date.split('-');
    let (y, mo, da) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else {
        let i = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(i);
        let (oh, om) = off[1..].split_once(':')?;
        // An offset is hh:mm; bounded first, the seconds cannot overflow.
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        let secs = i64::from(oh * 3600 + om * 60);
        (c, if off.starts_with('-') { -secs } else { secs })
    };
    let clock = clock.split('.').next()?;
    let mut c = clock.split(':');
    let (h, mi, s) = (num(c.next()?)?, num(c.next()?)?, num(c.next()?)?);
    let t = at(i64::from(y), mo, da, h, mi, s)?;
    if offset >= 0 {
        t.checked_sub(Duration::from_secs(offset as u64))
    } else {
        t.checked_add(Duration::from_secs(offset.unsigned_abs()))
    }
}

/// `Wed, 01 May 2024 10:00:00 GMT` (the form Go's net/http writes).
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day = num(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = num(parts.next()?)?;
    let mut c = parts.next()?.split(':');
    let (h, mi, s) = (num(c.next()?)?, num(c.next()?)?, num(c.next()?)?);
    if parts.next()? != "GMT" {
        return None;
    }
    at(i64::from(year), month, day, h, mi, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(t: SystemTime) -> u64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn rfc3339_as_the_api_writes_it() {
        assert_eq!(secs(parse_rfc3339("1970-01-01T00:00:00Z").unwrap()), 0);
        assert_eq!(
            secs(parse_rfc3339("2024-05-01T10:00:00Z").unwrap()),
            1_714_557_600
        );
        assert_eq!(
            secs(parse_rfc3339("2024-05-01T12:00:00.123456+02:00").unwrap()),
            1_714_557_600
        );
        assert_eq!(
            secs(parse_rfc3339("2024-02-29T00:00:00Z").unwrap()),
            1_709_164_800
        );
        for bad in ["", "2024-05-01", "2024-13-01T00:00:00Z", "x-y-zTa:b:cZ"] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            secs(parse_http_date("Wed, 01 May 2024 10:00:00 GMT").unwrap()),
            1_714_557_600
        );
        assert!(parse_http_date("Wed, 01 Foo 2024 10:00:00 GMT").is_none());
    }

    #[test]
    fn an_offset_past_23_59_is_refused_not_an_overflow() {
        assert_eq!(parse_rfc3339("2026-05-05T08:41:05-2222222:43"), None);
        assert_eq!(parse_rfc3339("2026-05-05T08:41:05+24:00"), None);
        assert_eq!(parse_rfc3339("2026-05-05T08:41:05+00:60"), None);
        assert_eq!(
            parse_rfc3339("2026-05-05T10:41:05+02:00"),
            parse_rfc3339("2026-05-05T08:41:05Z")
        );
    }
}
