//! What is wrong with one pod, judged as the PodList streams in: the measurement
//! keeps only the worst finding and a count, so the list is never held whole. Pure:
//! a pod and the apiserver's clock in, a finding out.

use std::time::{Duration, SystemTime};

use npd_plugin::timestamp;
use npd_plugin::units::format_duration;

use crate::config::PodsCheck;
use crate::podlist::Pod;

/// What is wrong with one pod; the order is the severity (worst last).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Finding {
    Restarts(u64),
    NotReady(Duration),
    StuckTerminating(Duration),
    ImagePull(String),
    CrashLoop,
}

/// The worst finding for `pod` under `c`, judged at `now` (the apiserver's clock).
pub fn finding(c: &PodsCheck, pod: &Pod, now: SystemTime) -> Option<Finding> {
    let statuses = || {
        pod.status
            .init_container_statuses
            .iter()
            .chain(&pod.status.container_statuses)
    };
    let waiting = |want: &[&str]| {
        statuses().find_map(|c| {
            let reason = &c.state.waiting.as_ref()?.reason;
            want.contains(&reason.as_str()).then(|| reason.clone())
        })
    };
    if waiting(&["CrashLoopBackOff"]).is_some() {
        return Some(Finding::CrashLoop);
    }
    if let Some(reason) = waiting(&["ImagePullBackOff", "ErrImagePull"]) {
        return Some(Finding::ImagePull(reason));
    }
    let age = |stamp: Option<&String>| {
        let t = timestamp::system_time(timestamp::rfc3339(stamp?)?)?;
        now.duration_since(t).ok()
    };
    if let Some(deleted) = &pod.metadata.deletion_timestamp {
        let limit = c.terminating_for?;
        // deletionTimestamp is when the grace period ends, not when deletion began.
        return age(Some(deleted))
            .filter(|a| *a > limit)
            .map(Finding::StuckTerminating);
    }
    let done = matches!(pod.status.phase.as_str(), "Succeeded" | "Failed");
    if let (Some(limit), false) = (c.not_ready_for, done) {
        let ready = pod.status.conditions.iter().find(|c| c.kind == "Ready");
        if ready.map_or(true, |c| c.status != "True") {
            let since = ready
                .and_then(|c| c.last_transition_time.as_ref())
                .or(pod.metadata.creation_timestamp.as_ref());
            if let Some(a) = age(since).filter(|a| *a > limit) {
                return Some(Finding::NotReady(a));
            }
        }
    }
    let restarts = statuses().map(|c| c.restart_count).max().unwrap_or(0);
    match c.max_restarts {
        Some(max) if restarts > max => Some(Finding::Restarts(restarts)),
        _ => None,
    }
}

/// The finding as a message, with the limit of `c` it broke.
pub fn describe(c: &PodsCheck, f: &Finding) -> String {
    let mins = |d: &Duration| format_duration(Duration::from_secs(d.as_secs() / 60 * 60));
    let limit = |d: Option<Duration>| d.map(format_duration).unwrap_or_default();
    match f {
        Finding::CrashLoop => "CrashLoopBackOff".into(),
        Finding::ImagePull(reason) => reason.clone(),
        Finding::StuckTerminating(a) => format!(
            "terminating for {} > {}",
            short_age(a, &mins),
            limit(c.terminating_for)
        ),
        Finding::NotReady(a) => format!(
            "not ready for {} > {}",
            short_age(a, &mins),
            limit(c.not_ready_for)
        ),
        Finding::Restarts(n) => {
            format!("{n} restarts > {}", c.max_restarts.unwrap_or_default())
        }
    }
}

fn short_age(a: &Duration, mins: &dyn Fn(&Duration) -> String) -> String {
    if a.as_secs() >= 120 {
        mins(a)
    } else {
        format_duration(Duration::from_secs(a.as_secs()))
    }
}
