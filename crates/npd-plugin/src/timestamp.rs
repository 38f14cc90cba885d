//! The timestamps peers write, read as seconds since 1970 (UTC): RFC 3339 as the
//! Kubernetes API, the cloud metadata services and the OpenStack APIs write it, and
//! the HTTP date. One reading for every plugin, so that two plugins never disagree
//! about what a peer's time says.
//!
//! What is accepted around RFC 3339 is what the peers do write: a space instead of the
//! `T` (neutron), any number of fractional digits (nova's six, none), a zone as `Z`,
//! `+hh:mm`, `+hhmm` or `+hh`, and for [`rfc3339_or_utc`] no zone at all (nova and
//! cinder mean UTC). Fields have their fixed widths; anything else is not a time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::civil::{civil_from_secs, days_from_civil};

/// `2026-12-02T10:04:00Z`, `2026-12-02T12:04:00.5+02:00`: a time with its zone.
pub fn rfc3339(text: &str) -> Option<i64> {
    parse(text, false)
}

/// As [`rfc3339`], and a time written without a zone is UTC:
/// `2026-11-22 07:03:18.012496`.
pub fn rfc3339_or_utc(text: &str) -> Option<i64> {
    parse(text, true)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Wed, 02 Dec 2026 10:04:00 GMT` (the Date header, Azure's `NotBefore`), the weekday
/// optional and the day of one or two digits (`2 Dec 2026 10:04:00 GMT`, as AWS writes
/// scheduled events); `GMT` or `UTC`.
pub fn http_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = match text.split_once(", ") {
        Some((day, rest)) if day.len() == 3 && day.bytes().all(|b| b.is_ascii_alphabetic()) => rest,
        _ => text,
    };
    let mut w = text.split(' ');
    let day = number(w.next()?, 1..=2)?;
    let month = w.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year = number(w.next()?, 4..=4)?;
    let (h, mi, s) = clock(w.next()?)?;
    if !matches!(w.next(), Some("GMT" | "UTC")) || w.next().is_some() {
        return None;
    }
    seconds(i64::from(year), month, day, h, mi, s)
}

/// `Wed, 02 Dec 2026 10:04:00 GMT`: the HTTP date of `secs` since 1970, with `zone`
/// after the time (`GMT` for HTTP; `+0000` makes Go's RFC1123Z, which `kubectl
/// describe` shows).
pub fn rfc1123(secs: i64, zone: &str) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let (y, mo, d, h, mi, s) = civil_from_secs(secs);
    let weekday = WEEKDAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    let month = MONTHS[(mo - 1) as usize];
    format!("{weekday}, {d:02} {month} {y} {h:02}:{mi:02}:{s:02} {zone}")
}

/// `secs` since 1970 as a `SystemTime`; none before 1970.
pub fn system_time(secs: i64) -> Option<SystemTime> {
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

fn parse(text: &str, unzoned_is_utc: bool) -> Option<i64> {
    let (date, rest) = text.trim().split_at_checked(10)?;
    let mut d = date.split('-');
    let (y, mo, da) = (
        number(d.next()?, 4..=4)?,
        number(d.next()?, 2..=2)?,
        number(d.next()?, 2..=2)?,
    );
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, rest) = rest.split_at_checked(8)?;
    let (h, mi, s) = clock(time)?;
    let zone = match rest.strip_prefix('.') {
        Some(fraction) => {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            &fraction[digits..]
        }
        None => rest,
    };
    let east = match zone {
        "" if unzoned_is_utc => 0,
        "" => return None,
        "Z" | "z" => 0,
        _ => offset(zone)?,
    };
    Some(seconds(i64::from(y), mo, da, h, mi, s)? - east)
}

/// `+hh:mm`, `+hhmm` or `+hh` (or `-`): seconds east of UTC.
fn offset(zone: &str) -> Option<i64> {
    let (sign, z) = match zone.split_at_checked(1)? {
        ("+", z) => (1, z),
        ("-", z) => (-1, z),
        _ => return None,
    };
    let (h, m) = match (z.len(), z.get(2..3)) {
        (5, Some(":")) => (number(z.get(..2)?, 2..=2)?, number(z.get(3..)?, 2..=2)?),
        (4, _) => (number(z.get(..2)?, 2..=2)?, number(z.get(2..)?, 2..=2)?),
        (2, _) => (number(z, 2..=2)?, 0),
        _ => return None,
    };
    (h < 24 && m < 60).then(|| sign * i64::from(h * 3600 + m * 60))
}

/// `HH:MM:SS`.
fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut c = text.split(':');
    let t = (
        number(c.next()?, 2..=2)?,
        number(c.next()?, 2..=2)?,
        number(c.next()?, 2..=2)?,
    );
    c.next().is_none().then_some(t)
}

/// Decimal digits only, as many as `width` allows.
fn number(text: &str, width: std::ops::RangeInclusive<usize>) -> Option<u32> {
    let ok = width.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok()).flatten()
}

/// Seconds since 1970 of a date and time of day, each field in its range (a leap
/// second's :60 allowed).
fn seconds(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    let valid = (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 61;
    valid.then(|| days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_796_205_840; // 2026-12-02T10:04:00Z

    #[test]
    fn rfc3339_in_every_form_a_peer_writes() {
        for text in [
            "2026-12-02T10:04:00Z",
            "2026-12-02t10:04:00z",
            "2026-12-02T10:04:00.123Z",
            "2026-12-02T10:04:00.000000Z",
            "2026-12-02T10:04:00+00:00",
            "2026-12-02T12:04:00+02:00",
            "2026-12-02T12:04:00.123456+02:00",
            "2026-12-02T05:04:00-0500",
            "2026-12-02T13:04:00+03",
            "2026-12-02 10:04:00Z",
            " 2026-12-02T10:04:00Z\n",
        ] {
            assert_eq!(rfc3339(text), Some(T), "{text}");
            assert_eq!(rfc3339_or_utc(text), Some(T), "{text}");
        }
        assert_eq!(rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn a_time_without_a_zone_is_utc_only_where_asked() {
        for text in ["2026-12-02T10:04:00", "2026-12-02 10:04:00.012496"] {
            assert_eq!(rfc3339(text), None, "{text}");
            assert_eq!(rfc3339_or_utc(text), Some(T), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_time_is_none() {
        for bad in [
            "",
            "soon",
            "null",
            "2026-12-02",
            "2026-12-02T",
            "2026-13-02T10:04:00Z",
            "2026-12-32T10:04:00Z",
            "2026-12-02T24:04:00Z",
            "2026-12-02T10:04Z",
            "2026-12-02T10:04:00.Z",
            "2026-12-02T10:04:00.",
            "2026-12-02X10:04:00Z",
            "2026-1-22T07:03:18Z",
            "x-y-zTa:b:cZ",
            "2026-12-02T10:04:00+x",
            "2026-12-02T10:04:00+24:00",
            "2026-12-02T10:04:00+00:60",
            "2026-12-02T10:04:00-2222222:43",
            "2026-12-02T10:04:00Zjunk",
            "2026-12-02T10:04:00+0é:00",
            "2026-12-02T10:04:00é",
            "2026-12-é2T10:04:00Z",
        ] {
            assert_eq!(rfc3339_or_utc(bad), None, "{bad}");
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_with_and_without_the_weekday() {
        for text in [
            "Wed, 02 Dec 2026 10:04:00 GMT",
            "02 Dec 2026 10:04:00 GMT",
            "2 Dec 2026 10:04:00 GMT",
            "2 dec 2026 10:04:00 UTC",
        ] {
            assert_eq!(http_date(text), Some(T), "{text}");
        }
        for bad in [
            "",
            "2 Dex 2026 10:04:00 GMT",
            "2 Dec 2026 10:04:00",
            "2 Dec 2026 10:04:00 CET",
            "2 Dec 2026 25:04:00 GMT",
            "Wed, 2 Dec 26 10:04:00 GMT",
            "2 Dec 2026 10:04:00 GMT x",
            "Wed, 01 Foo 2024 10:00:00 GMT",
        ] {
            assert_eq!(http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_are_written_as_they_are_read() {
        assert_eq!(rfc1123(T, "GMT"), "Wed, 02 Dec 2026 10:04:00 GMT");
        assert_eq!(rfc1123(0, "+0000"), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc1123(-1, "GMT"), "Wed, 31 Dec 1969 23:59:59 GMT");
        for secs in (0..4_102_444_800).step_by(86_400 * 37 + 3_607) {
            assert_eq!(http_date(&rfc1123(secs, "GMT")), Some(secs));
        }
    }

    #[test]
    fn system_times_start_in_1970() {
        assert_eq!(system_time(0), Some(UNIX_EPOCH));
        assert_eq!(
            system_time(T),
            Some(UNIX_EPOCH + Duration::from_secs(T as u64))
        );
        assert_eq!(system_time(-1), None);
    }
}
