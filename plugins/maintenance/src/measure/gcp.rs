//! GCP: the metadata server, asked with `Metadata-Flavor: Google`, which its answers
//! carry too (an answer without it is not the metadata server's):
//! - `/computeMetadata/v1/instance/preempted`: `FALSE`, or `TRUE` once a spot or
//!   preemptible VM is being stopped (about 30 seconds ahead);
//! - `/computeMetadata/v1/instance/maintenance-event`: `NONE`, or
//!   `MIGRATE_ON_HOST_MAINTENANCE` (a live migration) or
//!   `TERMINATE_ON_HOST_MAINTENANCE` (the VM is stopped) ahead of host maintenance.
//!
//! Neither gives a time: the notice is the event.

use npd_plugin::{explain, Context, Result};

use super::{garbage, unexpected, Measured, Metadata, Reply};
use crate::config::{Config, EventKind};
use crate::event::Event;

pub const PREEMPTED: &str = "/computeMetadata/v1/instance/preempted";
pub const MAINTENANCE: &str = "/computeMetadata/v1/instance/maintenance-event";

pub fn measure(service: &Metadata, config: &Config, ctx: &Context) -> Result<Measured> {
    let mut m = Measured::default();
    if config.counts(EventKind::Preempt) {
        match ask(service, PREEMPTED, "preempted").and_then(|r| preempted(&r)) {
            Ok(e) => m.events.extend(e),
            Err(e) => m.failures.push(e),
        }
    }
    if config.counts(EventKind::Terminate) || config.counts(EventKind::Migrate) {
        match ask(service, MAINTENANCE, "maintenance-event").and_then(|r| maintenance(&r)) {
            Ok(e) => m.events.extend(e),
            Err(e) => m.failures.push(e),
        }
    }
    for e in &m.events {
        explain!(ctx, "announced: {} ({})", e.message, e.kind.name());
    }
    Ok(m)
}

fn ask(service: &Metadata, path: &str, what: &str) -> Result<Reply> {
    let headers = [("Metadata-Flavor".to_string(), "Google".to_string())];
    let r = service.call("GET", path, &headers, what)?;
    if r.status != 200 {
        return Err(unexpected(what, r.status));
    }
    if r.header("Metadata-Flavor") != Some("Google") {
        return Err(npd_plugin::Error::unobserved(format!(
            "{what}: answer without Metadata-Flavor: Google"
        )));
    }
    Ok(r)
}

pub fn preempted(r: &Reply) -> Result<Option<Event>> {
    match String::from_utf8_lossy(&r.body).trim() {
        "FALSE" => Ok(None),
        "TRUE" => Ok(Some(Event {
            kind: EventKind::Preempt,
            starts: None,
            message: "preempted: the VM is being stopped".into(),
        })),
        _ => Err(garbage("preempted", &r.body)),
    }
}

pub fn maintenance(r: &Reply) -> Result<Option<Event>> {
    let (kind, words) = match String::from_utf8_lossy(&r.body).trim() {
        "NONE" => return Ok(None),
        "TERMINATE_ON_HOST_MAINTENANCE" => (EventKind::Terminate, "terminate"),
        "MIGRATE_ON_HOST_MAINTENANCE" => (EventKind::Migrate, "live migration"),
        _ => return Err(garbage("maintenance-event", &r.body)),
    };
    Ok(Some(Event {
        kind,
        starts: None,
        message: format!("host maintenance: {words} imminent"),
    }))
}
