//! Judges what systemd said of each unit: failed, activating for too long, inactive
//! when it should run, or restarted more than the limit within the window. A problem
//! observed on one unit wins over another that could not be read; with none, a unit
//! that could not be read makes the answer Unknown.

use std::time::Duration;

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::config::Config;
use crate::measure::{Measured, Seen, UnitState};

/// What one unit is, for the answer.
#[derive(Debug, PartialEq)]
enum Verdict {
    Healthy,
    NotInstalled,
    Problem(String),
}

pub fn judge(config: &Config, measured: Measured, ctx: &Context) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut failures: Vec<Error> = Vec::new();
    let mut healthy = Vec::new();
    let mut absent = Vec::new();
    let restarts = match measured.restarts {
        Some(Err(e)) => {
            failures.push(e);
            None
        }
        Some(Ok(counts)) => Some(counts),
        None => None,
    };
    for (i, (name, seen)) in config.units.iter().zip(measured.units).enumerate() {
        let seen = match seen {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let restarted = restarts.as_ref().and_then(|c| c[i]);
        match verdict(config, name, &seen, measured.now_us, restarted) {
            Ok(Verdict::Healthy) => healthy.push(name.as_str()),
            Ok(Verdict::NotInstalled) => absent.push(name.as_str()),
            Ok(Verdict::Problem(text)) => problems.push(text),
            Err(e) => failures.push(e),
        }
    }
    for p in &problems {
        explain!(ctx, "problem: {p}");
    }
    let outcome = Outcome::from_problems(problems, ok_message(&healthy, &absent));
    ctx.despite(outcome, failures)
}

fn verdict(
    config: &Config,
    name: &str,
    seen: &Seen,
    now_us: u64,
    restarted: Option<u32>,
) -> Result<Verdict> {
    let unit = match seen {
        Seen::Missing if config.allow_missing => return Ok(Verdict::NotInstalled),
        Seen::Missing => {
            return Err(Error::unobserved(format!(
                "{name}: no such unit here (--allow-missing if expected)"
            )))
        }
        Seen::Loaded(u) => u,
    };
    let state_problem = match unit.active_state.as_str() {
        _ if config.only_restarts => None,
        "failed" => Some(format!("{name} failed ({})", why_failed(unit))),
        "activating" => {
            let since = activating_for(unit, now_us);
            since.filter(|d| *d > config.max_activating).map(|d| {
                format!(
                    "{name} activating ({}) for {} > {}",
                    unit.sub_state,
                    format_duration(d),
                    format_duration(config.max_activating)
                )
            })
        }
        "inactive" if !config.allow_inactive => Some(match unit.load_state.as_str() {
            "loaded" => format!("{name} inactive ({}) but should run", unit.sub_state),
            other => format!("{name} inactive, {other}, but should run"),
        }),
        _ => None,
    };
    if let Some(text) = state_problem {
        return Ok(Verdict::Problem(text));
    }
    if config.restarts.is_some() && unit.n_restarts.is_none() {
        return Err(Error::unobserved(format!(
            "{name}: no NRestarts (systemd before 235)"
        )));
    }
    if let (Some(rule), Some(n)) = (config.restarts, restarted) {
        if n > rule.max {
            return Ok(Verdict::Problem(format!(
                "{name} restarted {n} times in {} > max {}",
                format_duration(rule.within),
                rule.max
            )));
        }
    }
    Ok(Verdict::Healthy)
}

/// A service's Result says why it failed; other units only have their SubState.
fn why_failed(unit: &UnitState) -> &str {
    match unit.result.as_deref() {
        Some(r) if r != "success" => r,
        _ => &unit.sub_state,
    }
}

/// How long the unit has been activating, to the second; None when systemd has no
/// timestamp for it (or its clock is ahead of ours).
fn activating_for(unit: &UnitState, now_us: u64) -> Option<Duration> {
    if unit.left_us == 0 || unit.left_us > now_us {
        return None;
    }
    Some(Duration::from_secs((now_us - unit.left_us) / 1_000_000))
}

/// Stable whatever the states and counts: which units are fine, which not installed.
fn ok_message(healthy: &[&str], absent: &[&str]) -> String {
    let list = |names: &[&str]| match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let mut parts = Vec::new();
    match healthy.len() {
        0 => {}
        1 => parts.push(format!("{} is healthy", list(healthy))),
        _ => parts.push(format!("{} are healthy", list(healthy))),
    }
    if !absent.is_empty() {
        parts.push(format!("{} not installed", list(absent)));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RestartRule;

    fn config() -> Config {
        Config {
            units: vec!["k.service".into()],
            max_activating: Duration::from_secs(300),
            allow_inactive: false,
            allow_missing: false,
            restarts: Some(RestartRule {
                max: 3,
                within: Duration::from_secs(1800),
            }),
            only_restarts: false,
        }
    }

    fn unit(active: &str, sub: &str) -> Seen {
        Seen::Loaded(UnitState {
            load_state: "loaded".into(),
            active_state: active.into(),
            sub_state: sub.into(),
            result: Some("success".into()),
            n_restarts: Some(0),
            left_us: 1_000_000,
        })
    }

    fn says(seen: &Seen, now_s: u64, restarted: Option<u32>) -> Verdict {
        verdict(&config(), "k.service", seen, now_s * 1_000_000, restarted).unwrap()
    }

    #[test]
    fn states() {
        assert_eq!(says(&unit("active", "running"), 9, None), Verdict::Healthy);
        assert_eq!(
            says(&unit("failed", "failed"), 9, None),
            Verdict::Problem("k.service failed (failed)".into())
        );
        assert_eq!(
            says(&unit("activating", "start"), 301, None),
            Verdict::Healthy
        );
        assert_eq!(
            says(&unit("activating", "auto-restart"), 302, None),
            Verdict::Problem("k.service activating (auto-restart) for 5m1s > 5m".into())
        );
        assert_eq!(
            says(&unit("inactive", "dead"), 9, None),
            Verdict::Problem("k.service inactive (dead) but should run".into())
        );
        assert_eq!(
            says(&unit("deactivating", "stop"), 9, None),
            Verdict::Healthy
        );
    }

    #[test]
    fn restarts_over_the_limit() {
        let u = unit("active", "running");
        assert_eq!(says(&u, 9, Some(3)), Verdict::Healthy);
        assert_eq!(
            says(&u, 9, Some(4)),
            Verdict::Problem("k.service restarted 4 times in 30m > max 3".into())
        );
    }

    #[test]
    fn ok_messages_are_stable() {
        assert_eq!(ok_message(&["a.service"], &[]), "a.service is healthy");
        assert_eq!(
            ok_message(&["a.service", "b.service", "c.mount"], &["d.service"]),
            "a.service, b.service and c.mount are healthy; d.service not installed"
        );
    }
}
