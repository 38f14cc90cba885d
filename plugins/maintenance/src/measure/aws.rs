//! AWS: the instance metadata service (IMDSv2). A session token first (PUT
//! `/latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds`), then GETs with
//! `X-aws-ec2-metadata-token`:
//! - `/latest/meta-data/spot/instance-action`: 404 while none;
//!   `{"action": "terminate|stop|hibernate", "time": "2026-12-02T10:04:00Z"}`, two
//!   minutes before the action;
//! - `/latest/meta-data/events/maintenance/scheduled`: a JSON array of events, each
//!   with `Code` (system-reboot, instance-reboot, system-maintenance,
//!   instance-retirement, instance-stop), `NotBefore` (`2 Dec 2026 10:04:00 GMT`) and
//!   `State` (active; completed and canceled ones stay listed a while);
//! - `/latest/meta-data/events/recommendations/rebalance`: 404 while none;
//!   `{"noticeTime": "2026-12-02T10:04:00Z"}`.
//!
//! No IMDSv1 fallback: a token that cannot be had is Unknown (see the help's notes).

use npd_plugin::{explain, timestamp, Context, Error, Result};
use serde_json::Value;

use super::{garbage, unexpected, Measured, Metadata};
use crate::config::{Config, EventKind};
use crate::event::Event;
use crate::stamp;

pub const TOKEN: &str = "/latest/api/token";
pub const SPOT: &str = "/latest/meta-data/spot/instance-action";
pub const SCHEDULED: &str = "/latest/meta-data/events/maintenance/scheduled";
pub const REBALANCE: &str = "/latest/meta-data/events/recommendations/rebalance";
/// A token serves one run, a few milliseconds: the shortest life IMDS grants is plenty.
const TOKEN_TTL_SECONDS: &str = "60";

pub fn measure(service: &Metadata, config: &Config, ctx: &Context) -> Result<Measured> {
    let token = token(service)?;
    let headers = [("X-aws-ec2-metadata-token".to_string(), token)];
    let mut m = Measured::default();
    let mut ask = |path: &str, what: &str, parse: fn(&[u8]) -> Parsed, optional: bool| {
        let answer = service
            .call("GET", path, &headers, what)
            .and_then(|r| match r.status {
                200 => Ok(parse(&r.body)),
                404 if optional => Ok((vec![], vec![])),
                s => Err(unexpected(what, s)),
            });
        match answer {
            Ok((events, failures)) => {
                m.events.extend(events);
                m.failures.extend(failures);
            }
            Err(e) => m.failures.push(e),
        }
    };
    if config.counts(EventKind::Preempt) {
        ask(SPOT, "spot instance-action", |b| one(spot(b)), true);
    }
    let scheduled = [
        EventKind::Stop,
        EventKind::Retirement,
        EventKind::Reboot,
        EventKind::Maintenance,
    ];
    if scheduled.iter().any(|k| config.counts(*k)) {
        ask(SCHEDULED, "scheduled events", scheduled_events, false);
    }
    if config.counts(EventKind::Rebalance) {
        ask(REBALANCE, "rebalance", |b| one(rebalance(b)), true);
    }
    for e in &m.events {
        explain!(ctx, "announced: {} ({})", e.message, e.kind.name());
    }
    Ok(m)
}

/// The events read and the entries that could not be understood.
type Parsed = (Vec<Event>, Vec<Error>);

fn one(parsed: Result<Event>) -> Parsed {
    match parsed {
        Ok(e) => (vec![e], vec![]),
        Err(e) => (vec![], vec![e]),
    }
}

fn token(service: &Metadata) -> Result<String> {
    let what = "IMDSv2 token";
    let headers = [(
        "X-aws-ec2-metadata-token-ttl-seconds".to_string(),
        TOKEN_TTL_SECONDS.to_string(),
    )];
    let r = service.call("PUT", TOKEN, &headers, what)?;
    if r.status != 200 {
        return Err(unexpected(what, r.status));
    }
    let token = String::from_utf8_lossy(&r.body).trim().to_string();
    let usable =
        !token.is_empty() && token.len() <= 1024 && token.bytes().all(|b| b.is_ascii_graphic());
    if !usable {
        return Err(garbage(what, &r.body));
    }
    Ok(token)
}

fn json(what: &str, body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|_| garbage(what, body))
}

/// `{"action": "terminate", "time": "2026-12-02T10:04:00Z"}`.
pub fn spot(body: &[u8]) -> Result<Event> {
    let what = "spot instance-action";
    let v = json(what, body)?;
    let action = v["action"].as_str().unwrap_or_default();
    let starts = v["time"].as_str().and_then(timestamp::rfc3339);
    match (action, starts) {
        ("terminate" | "stop" | "hibernate", Some(t)) => Ok(Event {
            kind: EventKind::Preempt,
            starts: Some(t),
            message: format!("spot interruption: {action} at {}", stamp::short(t)),
        }),
        _ => Err(garbage(what, body)),
    }
}

/// `{"noticeTime": "2026-12-02T10:04:00Z"}`: a notice, not a time the instance stops.
pub fn rebalance(body: &[u8]) -> Result<Event> {
    let what = "rebalance";
    let v = json(what, body)?;
    let notice = v["noticeTime"].as_str().and_then(timestamp::rfc3339);
    let t = notice.ok_or_else(|| garbage(what, body))?;
    Ok(Event {
        kind: EventKind::Rebalance,
        starts: None,
        message: format!("spot rebalance recommended {}", stamp::short(t)),
    })
}

/// The scheduled events list; completed and canceled events are history.
pub fn scheduled_events(body: &[u8]) -> Parsed {
    let what = "scheduled events";
    let list = match json(what, body) {
        Ok(Value::Array(list)) => list,
        Ok(_) | Err(_) => return (vec![], vec![garbage(what, body)]),
    };
    let mut events = Vec::new();
    let mut failures = Vec::new();
    for e in &list {
        let state = e["State"].as_str().unwrap_or("active");
        if matches!(state, "completed" | "canceled") {
            continue;
        }
        let code = e["Code"].as_str().unwrap_or_default();
        let kind = match code {
            "system-reboot" | "instance-reboot" => EventKind::Reboot,
            "instance-stop" => EventKind::Stop,
            "instance-retirement" => EventKind::Retirement,
            "system-maintenance" => EventKind::Maintenance,
            _ => {
                failures.push(Error::unobserved(format!(
                    "scheduled event: unknown Code {:?}",
                    cut(code)
                )));
                continue;
            }
        };
        let Some(t) = e["NotBefore"].as_str().and_then(timestamp::http_date) else {
            failures.push(Error::unobserved(format!("{code}: NotBefore is no date")));
            continue;
        };
        events.push(Event {
            kind,
            starts: Some(t),
            message: format!("{code} scheduled {}", stamp::short(t)),
        });
    }
    (events, failures)
}

fn cut(text: &str) -> String {
    text.chars().take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spot_notices() {
        let e = spot(br#"{"action": "stop", "time": "2026-12-02T10:04:00Z"}"#).unwrap();
        assert_eq!(e.message, "spot interruption: stop at 2026-12-02T10:04Z");
        assert!(spot(br#"{"action": "explode", "time": "2026-12-02T10:04:00Z"}"#).is_err());
        assert!(spot(br#"{"action": "stop"}"#).is_err());
        assert!(spot(b"<html>").is_err());
    }

    #[test]
    fn scheduled_lists_skip_history_and_name_what_they_cannot_read() {
        let (events, failures) = scheduled_events(
            br#"[{"Code": "system-reboot", "NotBefore": "3 Dec 2026 02:00:00 GMT", "State": "active"},
                 {"Code": "instance-stop", "NotBefore": "1 Dec 2026 02:00:00 GMT", "State": "completed"},
                 {"Code": "instance-teleport", "NotBefore": "3 Dec 2026 02:00:00 GMT", "State": "active"},
                 {"Code": "instance-retirement", "NotBefore": "soon", "State": "active"}]"#,
        );
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].message,
            "system-reboot scheduled 2026-12-03T02:00Z"
        );
        assert_eq!(failures.len(), 2);
        assert_eq!(
            failures[0].message(),
            "scheduled event: unknown Code \"instance-teleport\""
        );
        assert_eq!(scheduled_events(b"[]").0, vec![]);
        assert_eq!(scheduled_events(b"{}").1.len(), 1);
    }
}
