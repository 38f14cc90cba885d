//! How a prune shows the conditions it removes (or would): the `Conditions:` block of
//! `kubectl describe node`, times in its format.

use npd_plugin::timestamp;

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

/// An API time (RFC 3339, `2024-05-01T10:00:00Z`) as kubectl shows it; another form
/// as it is.
fn time(text: &str) -> String {
    timestamp::rfc3339(text)
        .and_then(timestamp::system_time)
        .map_or_else(|| text.to_string(), golang::rfc1123z)
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
