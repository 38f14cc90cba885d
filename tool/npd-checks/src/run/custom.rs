//! The rules of custom plugin monitors, run as NPD schedules them: every rule at NPD's
//! start, then each rule every invoke_interval (its own, for an NPD release that
//! honours a rule's interval, else the config's). Runs follow one another without
//! waiting; the schedule only orders them.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use npd_plugin::units::format_duration;

use super::Options;
use crate::config::{local_path, Config};
use crate::exec::{self, Execution, Status, Verdict};
use crate::npd_state::{Event, Metrics, Monitor, NodeConditions};
use crate::report;

/// Rules of one monitor due at one (simulated) time.
struct Batch {
    at: i128,
    monitor: usize,
    rules: Vec<usize>,
}

/// What the rules did.
pub struct Ran {
    pub text: String,
    pub would_block: bool,
    /// For each monitor, the status of each rule's first run (`None`: no result).
    pub boot: Vec<Vec<Option<Status>>>,
}

/// Each rule's first `rounds` runs, in time order; whether any rule had an interval of
/// its own.
fn schedule(configs: &[&Config], rounds: u32) -> (Vec<Batch>, bool) {
    let mut batches = Vec::new();
    let mut own = false;
    for (monitor, c) in configs.iter().enumerate() {
        let interval = |i: usize| {
            c.effective_interval(&c.rules[i])
                .map_or(0, |d| d.nanos.max(1))
        };
        batches.push(Batch {
            at: 0,
            monitor,
            rules: (0..c.rules.len()).collect(),
        });
        own |= (0..c.rules.len()).any(|i| interval(i) != interval(0));
        for k in 1..i128::from(rounds) {
            let mut due: Vec<(i128, usize)> =
                (0..c.rules.len()).map(|i| (k * interval(i), i)).collect();
            due.sort();
            for (at, i) in due {
                match batches
                    .iter_mut()
                    .find(|b| b.at == at && b.monitor == monitor)
                {
                    Some(b) => b.rules.push(i),
                    None => batches.push(Batch {
                        at,
                        monitor,
                        rules: vec![i],
                    }),
                }
            }
        }
    }
    for b in &mut batches {
        b.rules.sort_unstable();
    }
    batches.sort_by_key(|b| (b.at, b.monitor));
    (batches, own)
}

/// Runs every monitor's schedule, applying results to the monitors, the node and the
/// metrics.
pub fn execute(
    monitors: &mut [Monitor],
    opts: &Options,
    metrics: &mut Metrics,
    node: &mut NodeConditions,
    events: &mut Vec<Event>,
) -> Ran {
    let configs: Vec<&Config> = monitors.iter().map(|m| m.config).collect();
    let (batches, own) = schedule(&configs, opts.rounds);
    let mut ran = Ran {
        text: String::new(),
        would_block: false,
        boot: configs.iter().map(|c| vec![None; c.rules.len()]).collect(),
    };
    let times: Vec<i128> = {
        let mut t: Vec<i128> = batches.iter().map(|b| b.at).collect();
        t.dedup();
        t
    };
    let mut last_at = None;
    for batch in &batches {
        if last_at != Some(batch.at) && (own || times.len() > 1) {
            let round = times.iter().position(|t| *t == batch.at).unwrap_or(0) + 1;
            let when = format_duration(Duration::from_nanos(batch.at.max(0) as u64));
            if own {
                let _ = writeln!(ran.text, " at {when}:");
            } else {
                let _ = writeln!(ran.text, " round {round}:");
            }
        }
        last_at = Some(batch.at);
        let m = &mut monitors[batch.monitor];
        let config = m.config;
        if config.concurrency <= 0 {
            let _ = writeln!(
                ran.text,
                "  {}: concurrency is 0: NPD never starts a rule of this config",
                config.file
            );
            continue;
        }
        let runs = run_rules(config, &batch.rules, opts.plugin_dir.as_deref());
        for (&i, (ex, verdict)) in batch.rules.iter().zip(runs) {
            let rule = &config.rules[i];
            let timeout = config
                .effective_timeout(rule)
                .map(|d| d.text)
                .unwrap_or_default();
            ran.text.push_str(&report::rule_run(
                config,
                rule,
                &ex,
                verdict.as_ref(),
                &timeout,
            ));
            ran.would_block |= ex.would_block();
            if let Some(v) = verdict {
                if batch.at == 0 {
                    ran.boot[batch.monitor][i] = Some(v.status);
                }
                events.extend(m.handle(rule, &v, metrics, SystemTime::now()));
                node.update(&config.source, &m.conditions);
            }
        }
    }
    ran
}

/// A rule's run and NPD's verdict on it (none while NPD would still be waiting).
type RuleRun = (Execution, Option<Verdict>);

/// Runs the rules `which` of `config`, at most `concurrency` at a time; results in the
/// order of `which`.
fn run_rules(config: &Config, which: &[usize], plugin_dir: Option<&Path>) -> Vec<RuleRun> {
    let n = which.len();
    let workers = (config.concurrency as usize).min(n).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<RuleRun>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                if k >= n {
                    break;
                }
                let rule = &config.rules[which[k]];
                let timeout = config
                    .effective_timeout(rule)
                    .map(|d| d.duration())
                    .unwrap_or_default();
                let program = local_path(&rule.path, plugin_dir);
                let ex = exec::run(&program, &rule.args, timeout);
                let max = config.max_output_length.max(0) as usize;
                let verdict = exec::verdict(&ex, &rule.path, max);
                results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some((ex, verdict));
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Findings;
    use crate::json::Node;
    use crate::version::NpdVersion;

    fn config(version: &str) -> Config {
        let text = r#"{"plugin": "custom", "source": "s",
            "pluginConfig": {"invoke_interval": "30s"},
            "conditions": [{"type": "C", "reason": "CIsFine", "message": "fine"}],
            "rules": [
              {"type": "permanent", "condition": "C", "reason": "R1", "path": "/x"},
              {"type": "temporary", "reason": "R2", "path": "/x", "invoke_interval": "10s"}]}"#;
        let root = Node::parse(text).unwrap();
        let mut f = Findings::new("s.json");
        let v = NpdVersion::parse(version).unwrap();
        crate::config::decode(Path::new("s.json"), &root, &v, &mut f).unwrap()
    }

    fn plan(version: &str, rounds: u32) -> (Vec<(i128, Vec<usize>)>, bool) {
        let c = config(version);
        let (batches, own) = schedule(&[&c], rounds);
        let s = 1_000_000_000;
        (
            batches.into_iter().map(|b| (b.at / s, b.rules)).collect(),
            own,
        )
    }

    #[test]
    fn a_rules_own_interval_schedules_it_only_where_honoured() {
        assert_eq!(
            plan("v1.36.0", 3),
            (
                vec![(0, vec![0, 1]), (30, vec![0, 1]), (60, vec![0, 1])],
                false
            )
        );
        assert_eq!(
            plan("v1.37.0", 3),
            (
                vec![
                    (0, vec![0, 1]),
                    (10, vec![1]),
                    (20, vec![1]),
                    (30, vec![0]),
                    (60, vec![0])
                ],
                true
            )
        );
    }
}
