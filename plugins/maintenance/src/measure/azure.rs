//! Azure: Scheduled Events of the instance metadata service, asked with
//! `Metadata: true`. `/metadata/scheduledevents?api-version=2020-07-01` answers
//! `{"DocumentIncarnation": n, "Events": [...]}`, each event with `EventId`,
//! `EventType` (Reboot, Redeploy, Freeze, Preempt, Terminate), `ResourceType`,
//! `Resources` (the VM names it affects), `EventStatus` (Scheduled, Started) and
//! `NotBefore` (`Wed, 02 Dec 2026 10:04:00 GMT`, empty once started).
//!
//! Every VM of an availability set or scale set placement group sees the events of
//! all of them: only those whose `Resources` name this VM count. Its name is
//! `--vm-name` or the instance metadata's `compute/name`, asked only when there are
//! events. Events are never approved here (no POST): that would start them sooner.

use npd_plugin::{explain, timestamp, Context, Error, Result};
use serde_json::Value;

use super::{garbage, unexpected, Measured, Metadata};
use crate::config::{Config, EventKind, AZURE_EVENTS_API, AZURE_INSTANCE_API};
use crate::event::Event;
use crate::stamp;

pub fn events_path() -> String {
    format!("/metadata/scheduledevents?api-version={AZURE_EVENTS_API}")
}

pub fn name_path() -> String {
    format!("/metadata/instance/compute/name?api-version={AZURE_INSTANCE_API}&format=text")
}

fn headers() -> [(String, String); 1] {
    [("Metadata".to_string(), "true".to_string())]
}

pub fn measure(service: &Metadata, config: &Config, ctx: &Context) -> Result<Measured> {
    let what = "scheduled events";
    let r = service.call("GET", &events_path(), &headers(), what)?;
    if r.status != 200 {
        return Err(unexpected(what, r.status));
    }
    let listed = parse(&r.body)?;
    if listed.is_empty() {
        return Ok(Measured::default());
    }
    let name = match &config.vm_name {
        Some(n) => n.clone(),
        None => vm_name(service)?,
    };
    explain!(ctx, "this VM: {name}");
    let mut m = Measured::default();
    for e in listed {
        if !e.resources.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
            explain!(
                ctx,
                "{} {} is for {:?}, not this VM",
                e.kind_text,
                e.id,
                e.resources
            );
            continue;
        }
        match e.event() {
            Ok(Some(ev)) => {
                explain!(ctx, "announced: {} ({})", ev.message, ev.kind.name());
                m.events.push(ev);
            }
            Ok(None) => explain!(ctx, "{} {}: {}, past", e.kind_text, e.id, e.status),
            Err(err) => m.failures.push(err),
        }
    }
    Ok(m)
}

fn vm_name(service: &Metadata) -> Result<String> {
    let what = "instance compute/name";
    let r = service.call("GET", &name_path(), &headers(), what)?;
    if r.status != 200 {
        return Err(unexpected(what, r.status));
    }
    let name = String::from_utf8_lossy(&r.body).trim().to_string();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(garbage(what, &r.body));
    }
    Ok(name)
}

/// One entry of the list, as written.
#[derive(Debug, PartialEq)]
pub struct Listed {
    pub id: String,
    pub kind_text: String,
    pub status: String,
    pub resources: Vec<String>,
    pub not_before: String,
}

/// The entries of the answer; an answer of another shape is garbage.
pub fn parse(body: &[u8]) -> Result<Vec<Listed>> {
    let what = "scheduled events";
    let v: Value = serde_json::from_slice(body).map_err(|_| garbage(what, body))?;
    let (Some(_), Some(list)) = (v["DocumentIncarnation"].as_u64(), v["Events"].as_array()) else {
        return Err(garbage(what, body));
    };
    let text = |e: &Value, k: &str| e[k].as_str().unwrap_or_default().to_string();
    list.iter()
        .map(|e| {
            let resources = e["Resources"]
                .as_array()
                .ok_or_else(|| garbage(what, body))?;
            Ok(Listed {
                id: text(e, "EventId"),
                kind_text: text(e, "EventType"),
                status: text(e, "EventStatus"),
                resources: resources
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect(),
                not_before: text(e, "NotBefore"),
            })
        })
        .collect()
}

impl Listed {
    /// The event this entry announces for this VM; `None` once it is over.
    pub fn event(&self) -> Result<Option<Event>> {
        let kind = match self.kind_text.as_str() {
            "Reboot" => EventKind::Reboot,
            "Redeploy" => EventKind::Redeploy,
            "Freeze" => EventKind::Freeze,
            "Preempt" => EventKind::Preempt,
            "Terminate" => EventKind::Terminate,
            other => {
                return Err(Error::unobserved(format!(
                    "scheduled event: unknown EventType {:?}",
                    other.chars().take(24).collect::<String>()
                )))
            }
        };
        let what = &self.kind_text;
        let (starts, message) = match self.status.as_str() {
            "Started" => (None, format!("{what} started")),
            "Scheduled" => match timestamp::http_date(&self.not_before) {
                Some(t) => (Some(t), format!("{what} scheduled {}", stamp::short(t))),
                None if self.not_before.is_empty() => (None, format!("{what} scheduled")),
                None => return Err(Error::unobserved(format!("{what}: NotBefore is no date"))),
            },
            "Completed" | "Canceled" => return Ok(None),
            other => {
                return Err(Error::unobserved(format!(
                    "{what}: unknown EventStatus {:?}",
                    other.chars().take(24).collect::<String>()
                )))
            }
        };
        Ok(Some(Event {
            kind,
            starts,
            message,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_their_events() {
        let listed = parse(
            br#"{"DocumentIncarnation": 3, "Events": [
                {"EventId": "A", "EventType": "Reboot", "ResourceType": "VirtualMachine",
                 "Resources": ["vm1"], "EventStatus": "Scheduled",
                 "NotBefore": "Thu, 03 Dec 2026 02:00:00 GMT"},
                {"EventId": "B", "EventType": "Preempt", "ResourceType": "VirtualMachine",
                 "Resources": ["vm2"], "EventStatus": "Started", "NotBefore": ""}]}"#,
        )
        .unwrap();
        assert_eq!(listed.len(), 2);
        let e = listed[0].event().unwrap().unwrap();
        assert_eq!(e.message, "Reboot scheduled 2026-12-03T02:00Z");
        assert_eq!(e.kind, EventKind::Reboot);
        let e = listed[1].event().unwrap().unwrap();
        assert_eq!((e.message.as_str(), e.starts), ("Preempt started", None));
        assert!(parse(br#"{"Events": []}"#).is_err());
        assert!(
            parse(br#"{"DocumentIncarnation": 1, "Events": [{"EventType": "Reboot"}]}"#).is_err()
        );
        assert_eq!(
            parse(br#"{"DocumentIncarnation": 1, "Events": []}"#).unwrap(),
            vec![]
        );
    }
}
