//! Judges what the runtime answered: each required condition must be reported and
//! true, and the list call must have taken no longer than `--max-latency`.

use std::time::Duration;

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Outcome};

use crate::config::{Config, Required};
use crate::cri::RuntimeCondition;
use crate::measure::Measured;

pub fn judge(config: &Config, m: &Measured, ctx: &Context) -> Outcome {
    let mut problems = Vec::new();
    for required in &config.required {
        let name = required.condition();
        match m.conditions.iter().find(|c| c.r#type == name) {
            // The kubelet takes a condition the runtime does not report as not ready.
            None => {
                explain!(ctx, "{name}: required, not reported: problem");
                problems.push(format!("{name} not reported by {}", runtime(m)));
            }
            Some(c) if !c.status => {
                explain!(ctx, "{name}: required, false: problem");
                problems.push(not_ready(c));
            }
            Some(_) => explain!(ctx, "{name}: required, true: ok"),
        }
    }
    let slow = m.list_took > config.max_latency;
    explain!(
        ctx,
        "ListPodSandbox (ready): {} sandboxes in {} ms, --max-latency {}: {}",
        m.sandboxes,
        m.list_took.as_millis(),
        format_duration(config.max_latency),
        if slow { "problem" } else { "ok" }
    );
    if slow {
        problems.push(format!(
            "ListPodSandbox took {} > {} on {}",
            shown(m.list_took),
            format_duration(config.max_latency),
            m.socket.display()
        ));
    }
    Outcome::from_problems(problems, ok_message(&config.required))
}

fn runtime(m: &Measured) -> &str {
    if m.version.runtime_name.is_empty() {
        "the runtime"
    } else {
        &m.version.runtime_name
    }
}

/// "NetworkReady false: NetworkPluginNotReady: cni plugin not initialized": the
/// runtime's own words after the condition (NPD cuts the line at its length limit).
fn not_ready(c: &RuntimeCondition) -> String {
    let mut text = format!("{} false", c.r#type);
    for part in [&c.reason, &c.message] {
        let part = part.trim();
        if !part.is_empty() {
            text.push_str(": ");
            text.push_str(part);
        }
    }
    text
}

/// A duration rounded up to the millisecond, so that it never looks equal to a limit
/// it exceeds.
fn shown(took: Duration) -> String {
    let ms = took.as_nanos().div_ceil(1_000_000) as u64;
    format_duration(Duration::from_millis(ms))
}

fn ok_message(required: &[Required]) -> &'static str {
    match required {
        [Required::Runtime] => "container runtime is ready",
        [Required::Network] => "container runtime network is ready",
        _ => "container runtime and its network are ready",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(reason: &str, message: &str) -> RuntimeCondition {
        RuntimeCondition {
            r#type: "NetworkReady".into(),
            status: false,
            reason: reason.into(),
            message: message.into(),
        }
    }

    #[test]
    fn a_false_condition_carries_the_runtimes_words() {
        assert_eq!(
            not_ready(&condition(
                "NetworkPluginNotReady",
                "cni plugin not initialized"
            )),
            "NetworkReady false: NetworkPluginNotReady: cni plugin not initialized"
        );
        assert_eq!(not_ready(&condition("", " ")), "NetworkReady false");
        assert_eq!(
            not_ready(&condition("", "down")),
            "NetworkReady false: down"
        );
    }

    #[test]
    fn latencies_round_up() {
        assert_eq!(shown(Duration::from_micros(2_000_400)), "2001ms");
        assert_eq!(shown(Duration::from_millis(2500)), "2500ms");
        assert_eq!(shown(Duration::from_micros(300)), "1ms");
    }

    #[test]
    fn ok_messages_name_what_is_required() {
        assert_eq!(
            ok_message(&[Required::Runtime]),
            "container runtime is ready"
        );
        assert_eq!(
            ok_message(&[Required::Network, Required::Runtime]),
            "container runtime and its network are ready"
        );
    }
}
