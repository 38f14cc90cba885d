//! JSON from control planes: the apiserver's streamed lists, its Status objects and
//! times (npd-kube), and OpenStack's service, agent and token answers (npd-openstack).

use std::time::Duration;

use npd_kube::{denial, podlist};
use npd_openstack::services;
use npd_plugin::state::StateDir;
use npd_plugin::{timestamp, Context};

use crate::{capped, printable, text};

thread_local! {
    /// What `answer_error` reads of a context: nothing of the host.
    static CTX: Context = Context::new(
        "/nonexistent",
        Duration::from_secs(5),
        false,
        StateDir::new("/nonexistent", "npd-kube", "fuzz"),
    );
}

/// `podlist::read_pods` (streamed, one pod at a time) on the body; `answer_error` on it
/// as a Status object with every status code a check tells apart; `Denial::parse` and
/// the time parsers on it as text. A list read whole was JSON, and its count is what it
/// handed over; every message is printable.
pub fn kube_list(data: &[u8]) {
    let data = capped(data);
    let mut seen = 0u64;
    if let Ok(count) = podlist::read_pods(data, |_| seen += 1) {
        assert_eq!(count, seen);
        // Lossy: serde_json skips the strings of fields nobody reads without checking
        // their UTF-8, which is harmless; the structure around them must be JSON.
        assert!(
            serde_json::from_str::<serde_json::Value>(&text(data)).is_ok(),
            "a list read whole is one JSON document"
        );
    }
    let retry = std::str::from_utf8(data.get(..8).unwrap_or(data)).ok();
    CTX.with(|ctx| {
        for code in [401, 403, 404, 429, 500] {
            let e = npd_kube::measure::api::answer_error(
                code,
                retry,
                data,
                ("list pods", "cluster-wide"),
                "pod x",
                ctx,
            );
            printable(e.message());
        }
    });
    let t = text(data);
    if let Some(d) = denial::Denial::parse(&t) {
        if let Some(r) = &d.reason {
            printable(&denial::words(r));
        }
        printable(&format!("403: {} cannot {}", d.user, d.action));
    }
    timestamp::rfc3339(&t);
    timestamp::http_date(&t);
}

/// `services::parse_services`, `parse_agents`, `keystone::parse_token_body` and
/// `timestamp::rfc3339_or_utc`, as npd-openstack reads the services' times: each row
/// judged gives a printable message, and a time that parses is written by
/// `stamp::format` as one that parses to it.
pub fn openstack_json(data: &[u8]) {
    let data = capped(data);
    for rows in [services::parse_services(data), services::parse_agents(data)] {
        match rows {
            Ok(rows) => {
                for row in &rows {
                    for allow in [false, true] {
                        if let Some(m) = services::judge_row(row, allow) {
                            printable(&m);
                        }
                    }
                }
            }
            Err(e) => printable(e.message()),
        }
    }
    if let Err(e) = npd_openstack::measure::keystone::parse_token_body("t".into(), data) {
        printable(e.message());
    }
    let t = text(data);
    if let Some(secs) = timestamp::rfc3339_or_utc(&t) {
        // Years 0 to 9999 only: four digits is what the services write.
        if (0..253_402_300_800).contains(&secs) {
            let written = npd_openstack::stamp::format(secs);
            assert_eq!(timestamp::rfc3339_or_utc(&written), Some(secs), "{written}");
        }
    }
}
