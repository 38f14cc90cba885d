//! The one form messages give the services' times in.
//!
//! The services' own forms are read by `npd_plugin::timestamp::rfc3339_or_utc`:
//! Keystone writes `2026-11-22T08:41:43.000000Z`, nova and cinder
//! `2026-11-22T07:46:44.222233` (UTC without a zone), neutron
//! `2026-11-22 07:03:18.012496` (a space, no zone). A zone offset (`+02:00`) is
//! honoured when present; without one the time is UTC, as all of them mean it.

use npd_plugin::civil::civil_from_secs;

/// `2026-11-22 07:03:18Z`: one form for messages whichever service wrote it.
pub fn format(secs: i64) -> String {
    let (y, m, d, h, mi, sec) = civil_from_secs(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{sec:02}Z")
}

#[cfg(test)]
mod tests {
    use npd_plugin::timestamp::rfc3339_or_utc;

    use super::*;

    #[test]
    fn every_form_the_services_write_reads_as_it_is_shown() {
        let t = 1_795_330_998; // 2026-11-22 07:03:18Z
        for written in [
            "2026-11-22T07:03:18.012496",
            "2026-11-22 07:03:18.012496",
            "2026-11-22T07:03:18.000000Z",
            "2026-11-22 07:03:18",
            "2026-11-22T09:03:18+02:00",
        ] {
            assert_eq!(rfc3339_or_utc(written), Some(t), "{written}");
        }
        assert_eq!(format(t), "2026-11-22 07:03:18Z");
        assert_eq!(rfc3339_or_utc(&format(t)), Some(t));
        assert_eq!(format(0), "1970-01-01 00:00:00Z");
    }
}
