//! What NPD v1.36.0's system log monitor does with log messages
//! (`pkg/systemlogmonitor/log_monitor.go`, `log_buffer.go`): each message is pushed
//! into a ring of the last `bufferSize` messages, every rule is matched against the
//! ring joined by `\n` with `\z` appended, and a match becomes an Event (temporary
//! rule) or sets its condition True (permanent rule; nothing ever sets it back but a
//! restart). The message of a match is every buffered line the match touches, joined
//! by `\n`, then `; ` and the rule's suffix.

use std::time::SystemTime;

use super::config::{LogConfig, LogRule};
use crate::npd_state::{change_event, start, CondStatus, Condition, Event, Metrics};

/// One monitor: its conditions and its buffer.
pub struct LogMonitor<'c> {
    pub config: &'c LogConfig,
    pub conditions: Vec<Condition>,
    /// The ring: `None` for slots never filled.
    ring: Vec<Option<String>>,
    current: usize,
}

/// A rule that matched after a message was pushed, and what it produced.
pub struct Matched<'c> {
    pub rule: &'c LogRule,
    /// The buffered lines the match spans, oldest first.
    pub lines: Vec<String>,
    pub events: Vec<Event>,
}

impl<'c> LogMonitor<'c> {
    /// A monitor as NPD creates it: metrics initialised (when reporting is on) and every
    /// default condition False, as NPD publishes them at its start.
    pub fn new(config: &'c LogConfig, metrics: &mut Metrics, now: SystemTime) -> LogMonitor<'c> {
        let conditions = start(
            config.metrics_reporting,
            &config.rules,
            &config.conditions,
            metrics,
            now,
        );
        let size = config.buffer_size.max(1) as usize;
        LogMonitor {
            config,
            conditions,
            ring: vec![None; size],
            current: 0,
        }
    }

    /// Pushes one message and applies every rule that matches, in config order.
    /// `Err` names a pattern npd-checks cannot match (NPD can).
    pub fn push(
        &mut self,
        message: &str,
        metrics: &mut Metrics,
        now: SystemTime,
    ) -> Result<Vec<Matched<'c>>, String> {
        let size = self.ring.len();
        self.ring[self.current % size] = Some(message.to_string());
        self.current += 1;
        let config = self.config;
        let mut out = Vec::new();
        for rule in &config.rules {
            let lines = self.matches(rule)?;
            if lines.is_empty() {
                continue;
            }
            let events = self.apply(rule, &lines, metrics, now);
            out.push(Matched {
                rule,
                lines,
                events,
            });
        }
        Ok(out)
    }

    /// The ring in order, oldest first, unfilled slots as empty lines.
    fn joined(&self) -> String {
        let size = self.ring.len();
        (0..size)
            .map(|i| {
                self.ring[(self.current + i) % size]
                    .as_deref()
                    .unwrap_or("")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The lines of a match of `rule`, newest last; empty when it does not match.
    fn matches(&self, rule: &LogRule) -> Result<Vec<String>, String> {
        let Some(re) = &rule.anchored else {
            return Ok(Vec::new());
        };
        let text = self.joined();
        let Some(caps) = re
            .captures(&text)
            .map_err(|e| format!("{} uses {e}, which npd-checks cannot match", rule.label()))?
        else {
            return Ok(Vec::new());
        };
        let start = caps[0].map_or(0, |(s, _)| s) as i64;
        // As NPD: walk back from the newest line until the lines cover the match.
        let reach = text.len() as i64 - start - 1;
        let size = self.ring.len();
        let mut total = 0i64;
        let mut lines = Vec::new();
        for back in 1..=size {
            let Some(line) = &self.ring[(self.current + size - back) % size] else {
                break;
            };
            lines.push(line.clone());
            total += line.len() as i64 + 1;
            if total > reach {
                break;
            }
        }
        lines.reverse();
        Ok(lines)
    }

    /// NPD's `generateStatus` for a match.
    fn apply(
        &mut self,
        rule: &LogRule,
        lines: &[String],
        metrics: &mut Metrics,
        now: SystemTime,
    ) -> Vec<Event> {
        let mut message = lines.join("\n");
        if !rule.suffix.is_empty() {
            message = format!("{message}; {}", rule.suffix);
        }
        let source = &self.config.source;
        let mut events = Vec::new();
        let mut changed = None;
        if rule.is_temporary() {
            events.push(Event {
                source: source.clone(),
                warning: true,
                timestamp: now,
                reason: rule.reason.clone(),
                message: message.into_bytes(),
            });
        } else if let Some(i) = self
            .conditions
            .iter()
            .position(|c| c.type_ == rule.condition)
        {
            let c = &mut self.conditions[i];
            if c.status == CondStatus::False || c.reason != rule.reason {
                c.transition = now;
                c.message = message.clone().into_bytes();
                events.push(change_event(
                    source,
                    &c.type_,
                    CondStatus::True,
                    &rule.reason,
                    message.as_bytes(),
                    now,
                ));
            }
            c.status = CondStatus::True;
            c.reason = rule.reason.clone();
            changed = Some(i);
        }
        if self.config.metrics_reporting {
            for e in &events {
                metrics.increment(&e.reason, 1);
            }
            if let Some(i) = changed {
                let c = &self.conditions[i];
                metrics.set_gauge(&c.type_, &c.reason, c.status == CondStatus::True);
            }
        }
        events
    }
}
