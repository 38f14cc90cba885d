//! The one short UTC form messages give a notice's time in.
//!
//! The services' own forms are read by `npd_plugin::timestamp`: AWS writes spot and
//! rebalance notices in RFC 3339 (`2026-12-02T10:04:00Z`) and scheduled events as
//! `2 Dec 2026 10:04:00 GMT`; Azure writes `NotBefore` as an HTTP date
//! (`Wed, 02 Dec 2026 10:04:00 GMT`). All are UTC.

use npd_plugin::civil::civil_from_secs;

/// `2026-12-02T10:04Z`: to the minute, as the notices are given in minutes.
pub fn short(secs: i64) -> String {
    let (y, mo, d, h, mi, _) = civil_from_secs(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_the_minute() {
        let t = 1_796_205_840; // 2026-12-02T10:04:00Z
        assert_eq!(short(t), "2026-12-02T10:04Z");
        assert_eq!(short(t + 59), "2026-12-02T10:04Z");
        assert_eq!(short(0), "1970-01-01T00:00Z");
    }
}
