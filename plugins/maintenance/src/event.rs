//! What a metadata service announced, in the terms the judge counts: the kind, when it
//! starts, and the words of the answer line.

use crate::config::EventKind;

/// One announced event that concerns this node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    /// When it starts, in seconds since the epoch; `None` when started already or
    /// the service gives no time (a GCP notice, an Azure event in progress).
    pub starts: Option<i64>,
    /// The answer line's words: the event as the cloud names it, and its time
    /// ("system-reboot scheduled 2026-12-03T02:00Z").
    pub message: String,
}
