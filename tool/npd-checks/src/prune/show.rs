//! How a prune shows the conditions it removes (or would): the `Conditions:` block of
//! `kubectl describe node`, times in its format.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use npd_plugin::civil::days_from_civil;

use crate::golang;
use crate::prune::node::Condition;
use crate::report::condition_rows;

/// The `Conditions:` block for `list`.
pub fn conditions(list: &[&Condition]) -> String {
    condition_rows(list.iter().map(|c| {
        [
            c.type_.clone(),
            c.status.clone(),
            time(&c.last_heartbeat_time),
            time(&c.last_transition_time),
            c.reason.clone(),
            c.message.clone(),
        ]
    }))
}

/// An API time (RFC 3339 in UTC, `2024-05-01T10:00:00Z`) as kubectl shows it; another
/// form as it is.
fn time(text: &str) -> String {
    parse(text).map_or_else(|| text.to_string(), golang::rfc1123z)
}

fn parse(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    let days = days_from_civil(i64::from(num(0..4)?), num(5..7)?, num(8..10)?);
    let secs = days * 86_400
        + i64::from(num(11..13)?) * 3600
        + i64::from(num(14..16)?) * 60
        + i64::from(num(17..19)?);
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_times_read_as_kubectl_shows_them() {
        assert_eq!(
            time("2024-05-01T10:00:00Z"),
            "Wed, 01 May 2024 10:00:00 +0000"
        );
        assert_eq!(time("yesterday"), "yesterday");
    }
}
