//! What NPD does with results: the conditions of one custom plugin monitor, the events
//! it emits, the node's conditions as its Kubernetes exporter merges them, and the
//! `problem_counter` / `problem_gauge` metrics.
//!
//! Mirrors `pkg/custompluginmonitor/custom_plugin_monitor.go` (initial conditions,
//! `generateStatus`), `pkg/util/helpers.go` (`GenerateConditionChangeEvent`) and
//! `pkg/problemmetrics/problem_metrics.go`. Running plugins is [`crate::exec`]'s job,
//! printing [`crate::report`]'s.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use crate::conditions::DefaultCondition;
use crate::config::{Config, Rule, RuleKind};
use crate::exec::{Status, Verdict};
use crate::golang;

/// A node condition's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondStatus {
    True,
    False,
    Unknown,
}

impl CondStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CondStatus::True => "True",
            CondStatus::False => "False",
            CondStatus::Unknown => "Unknown",
        }
    }

    fn of(status: Status) -> CondStatus {
        match status {
            Status::Ok => CondStatus::False,
            Status::NonOk => CondStatus::True,
            Status::Unknown => CondStatus::Unknown,
        }
    }
}

/// One condition as NPD holds it (the message is a Go string: bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub type_: String,
    pub status: CondStatus,
    pub transition: SystemTime,
    pub reason: String,
    pub message: Vec<u8>,
}

/// An event as NPD hands it to the event recorder: the message is still the format
/// string the recorder will pass through `fmt.Sprintf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub source: String,
    /// `Warning` (NPD's "warn") or `Normal` ("info").
    pub warning: bool,
    pub timestamp: SystemTime,
    pub reason: String,
    pub message: Vec<u8>,
}

impl Event {
    /// The message as stored in the Event object.
    pub fn recorded_message(&self) -> String {
        golang::json_text(&golang::sprintf_no_args(&self.message))
    }
}

/// NPD's problem metrics, shared by every monitor of the process.
#[derive(Debug, Default, Clone)]
pub struct Metrics {
    /// problem_counter{reason}
    pub counter: BTreeMap<String, i64>,
    /// problem_gauge{type, reason}
    pub gauge: BTreeMap<(String, String), i64>,
    last_reason: HashMap<String, String>,
}

impl Metrics {
    pub fn increment(&mut self, reason: &str, by: i64) {
        *self.counter.entry(reason.to_string()).or_default() += by;
    }

    /// Sets the gauge of `type_` to `value` under `reason`, after zeroing the series of
    /// the reason last set for that type: at most one reason per type is 1.
    pub fn set_gauge(&mut self, type_: &str, reason: &str, value: bool) {
        if let Some(last) = self.last_reason.get(type_) {
            self.gauge.insert((type_.to_string(), last.clone()), 0);
        }
        self.last_reason
            .insert(type_.to_string(), reason.to_string());
        self.gauge
            .insert((type_.to_string(), reason.to_string()), i64::from(value));
    }
}

/// What a monitor's start reads of its rules, custom plugin and system log alike.
pub trait StatusRule {
    /// NPD sets gauges at start only for "permanent" rules.
    fn permanent(&self) -> bool;
    fn condition(&self) -> &str;
    fn reason(&self) -> &str;
}

impl StatusRule for Rule {
    fn permanent(&self) -> bool {
        self.kind == RuleKind::Permanent
    }
    fn condition(&self) -> &str {
        &self.condition
    }
    fn reason(&self) -> &str {
        &self.reason
    }
}

/// What NPD sets up when a monitor (of either kind) starts: the problem metrics of
/// every rule at 0 when it reports them, and every default condition False with its
/// default reason and message.
pub fn start<R: StatusRule>(
    metrics_reporting: bool,
    rules: &[R],
    defaults: &[DefaultCondition],
    metrics: &mut Metrics,
    now: SystemTime,
) -> Vec<Condition> {
    if metrics_reporting {
        for rule in rules {
            if rule.permanent() {
                metrics.set_gauge(rule.condition(), rule.reason(), false);
            }
            metrics.increment(rule.reason(), 0);
        }
    }
    defaults
        .iter()
        .map(|d| Condition {
            type_: d.type_.clone(),
            status: CondStatus::False,
            transition: now,
            reason: d.reason.clone(),
            message: d.message.clone().into_bytes(),
        })
        .collect()
}

/// One custom plugin monitor (one config file).
pub struct Monitor<'c> {
    pub config: &'c Config,
    pub conditions: Vec<Condition>,
}

impl<'c> Monitor<'c> {
    /// A monitor as it starts: metrics initialised for every rule (when reporting is
    /// on), every default condition False with its default reason and message.
    pub fn new(config: &'c Config, metrics: &mut Metrics, now: SystemTime) -> Monitor<'c> {
        let conditions = start(
            config.metrics_reporting,
            &config.rules,
            &config.conditions,
            metrics,
            now,
        );
        Monitor { config, conditions }
    }

    /// NPD's `generateStatus`: applies one result, returns the events it emits (those
    /// of problems that became active first, then those that went away).
    pub fn handle(
        &mut self,
        rule: &Rule,
        verdict: &Verdict,
        metrics: &mut Metrics,
        now: SystemTime,
    ) -> Vec<Event> {
        let source = &self.config.source;
        let mut active = Vec::new();
        let mut inactive = Vec::new();
        if rule.kind == RuleKind::Temporary {
            if verdict.status != Status::Ok {
                active.push(Event {
                    source: source.clone(),
                    warning: true,
                    timestamp: now,
                    reason: rule.reason.clone(),
                    message: verdict.message.clone(),
                });
            }
        } else if let Some(condition) = self
            .conditions
            .iter_mut()
            .find(|c| c.type_ == rule.condition)
        {
            let default = self
                .config
                .conditions
                .iter()
                .find(|d| d.type_ == rule.condition);
            let default_reason = default.map(|d| d.reason.clone()).unwrap_or_default();
            let default_message = default
                .map(|d| d.message.clone().into_bytes())
                .unwrap_or_default();
            let status = CondStatus::of(verdict.status);
            let kept_for = |status: CondStatus| {
                if status == CondStatus::False {
                    default_message.clone()
                } else {
                    // When the status is Unknown, the result's message helps debugging.
                    verdict.message.clone()
                }
            };
            let update = if condition.status == CondStatus::True && status != CondStatus::True {
                Some((default_reason.clone(), kept_for(status)))
            } else if condition.status != CondStatus::True && status == CondStatus::True {
                Some((rule.reason.clone(), verdict.message.clone()))
            } else if condition.status != status {
                Some((default_reason.clone(), kept_for(status)))
            } else if condition.status == CondStatus::True
                && (condition.reason != rule.reason
                    || (self.config.message_change_update && condition.message != verdict.message))
            {
                Some((rule.reason.clone(), verdict.message.clone()))
            } else {
                None
            };
            if let Some((reason, message)) = update {
                condition.transition = now;
                condition.status = status;
                condition.reason = reason.clone();
                condition.message = message.clone();
                let event = change_event(source, &condition.type_, status, &reason, &message, now);
                if status == CondStatus::True {
                    active.push(event);
                } else {
                    inactive.push(event);
                }
            }
        }
        if self.config.metrics_reporting {
            for event in &active {
                metrics.increment(&event.reason, 1);
            }
            for c in &self.conditions {
                metrics.set_gauge(&c.type_, &c.reason, c.status == CondStatus::True);
            }
        }
        active.extend(inactive);
        active
    }
}

/// NPD's `GenerateConditionChangeEvent`.
pub fn change_event(
    source: &str,
    type_: &str,
    status: CondStatus,
    reason: &str,
    message: &[u8],
    now: SystemTime,
) -> Event {
    let text = format!(
        "Node condition {type_} is now: {}, reason: {reason}, message: {}",
        status.as_str(),
        golang::quote(message)
    );
    Event {
        source: source.to_string(),
        warning: status == CondStatus::True,
        timestamp: now,
        reason: reason.to_string(),
        message: text.into_bytes(),
    }
}

/// The node's conditions as NPD's Kubernetes exporter keeps them: one per type, the
/// last update wins, whichever monitor sent it.
#[derive(Debug, Default)]
pub struct NodeConditions {
    pub list: Vec<Condition>,
    /// For each type, the source of the monitor that set it last.
    pub owner: HashMap<String, String>,
}

impl NodeConditions {
    pub fn update(&mut self, source: &str, conditions: &[Condition]) {
        for c in conditions {
            self.owner.insert(c.type_.clone(), source.to_string());
            match self.list.iter_mut().find(|x| x.type_ == c.type_) {
                Some(existing) => *existing = c.clone(),
                None => self.list.push(c.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Findings;
    use crate::json::Node;

    fn config(message_change: bool) -> Config {
        let text = format!(
            r#"{{"plugin": "custom", "source": "s",
                "pluginConfig": {{"enable_message_change_based_condition_update": {message_change}}},
                "conditions": [{{"type": "C", "reason": "CIsFine", "message": "fine"}}],
                "rules": [
                  {{"type": "permanent", "condition": "C", "reason": "R1", "path": "/x"}},
                  {{"type": "permanent", "condition": "C", "reason": "R2", "path": "/x"}}]}}"#
        );
        let root = Node::parse(&text).unwrap();
        let mut f = Findings::new("s.json");
        let v = crate::version::NpdVersion::deployed();
        crate::config::decode(std::path::Path::new("s.json"), &root, &v, &mut f).unwrap()
    }

    fn verdict(status: Status, message: &str) -> Verdict {
        Verdict {
            status,
            message: message.as_bytes().to_vec(),
        }
    }

    #[test]
    fn true_stays_true_updating_on_a_new_reason_or_an_enabled_new_message() {
        for message_change in [false, true] {
            let c = config(message_change);
            let mut m = Metrics::default();
            let now = SystemTime::now();
            let mut mon = Monitor::new(&c, &mut m, now);
            let (r1, r2) = (&c.rules[0], &c.rules[1]);
            assert_eq!(
                mon.handle(r1, &verdict(Status::NonOk, "a"), &mut m, now)
                    .len(),
                1
            );
            // Same reason, same message: nothing.
            assert!(mon
                .handle(r1, &verdict(Status::NonOk, "a"), &mut m, now)
                .is_empty());
            // Same reason, new message: only when enabled.
            let events = mon.handle(r1, &verdict(Status::NonOk, "b"), &mut m, now);
            assert_eq!(events.len(), usize::from(message_change));
            // A new reason always updates, as a Warning, and counts.
            let events = mon.handle(r2, &verdict(Status::NonOk, "c"), &mut m, now);
            assert_eq!(events.len(), 1);
            assert!(events[0].warning);
            assert_eq!(mon.conditions[0].reason, "R2");
            assert_eq!(m.counter["R2"], 1);
            assert_eq!(m.gauge[&("C".to_string(), "R2".to_string())], 1);
            assert_eq!(m.gauge[&("C".to_string(), "R1".to_string())], 0);
        }
    }

    #[test]
    fn unknown_to_unknown_keeps_the_first_message() {
        let c = config(true);
        let mut m = Metrics::default();
        let now = SystemTime::now();
        let mut mon = Monitor::new(&c, &mut m, now);
        let r1 = &c.rules[0];
        mon.handle(r1, &verdict(Status::Unknown, "first"), &mut m, now);
        assert!(mon
            .handle(r1, &verdict(Status::Unknown, "second"), &mut m, now)
            .is_empty());
        assert_eq!(mon.conditions[0].message, b"first");
        assert_eq!(mon.conditions[0].reason, "CIsFine");
    }
}
