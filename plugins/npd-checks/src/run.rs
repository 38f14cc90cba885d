//! `npd-checks run`: every rule of every config once (or `--rounds` times), with NPD's
//! semantics, and the Conditions, Events and metrics NPD would produce from the results.
//!
//! A config is linted first; one NPD refuses to start with is not run. The rules of a
//! config run concurrently up to its `concurrency`, and their results are applied in
//! config order so that the output does not depend on which finished first (NPD applies
//! them as they arrive).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::config::{local_path, Config};
use crate::exec::{self, Execution, Verdict};
use crate::finding::{self, Severity};
use crate::lint;
use crate::npd_state::{CondStatus, Metrics, Monitor, NodeConditions};
use crate::report;

pub struct Options {
    pub plugin_dir: Option<PathBuf>,
    pub rounds: u32,
    pub fail_on_problem: bool,
}

/// What `run` prints and its exit code.
pub struct Outcome {
    pub text: String,
    pub code: i32,
}

/// Runs `files`. `Err` is a usage error (an unreadable file).
pub fn run(files: &[PathBuf], opts: &Options) -> Result<Outcome, String> {
    let linted = lint::lint(files, opts.plugin_dir.as_deref())?;
    let mut text = String::new();
    let shown: Vec<_> = linted.findings.iter().filter(|f| f.counts()).collect();
    if !shown.is_empty() {
        text.push_str("Findings (see npd-checks lint):\n");
        for f in shown {
            let _ = writeln!(text, "  {f}");
        }
        text.push('\n');
    }
    if linted
        .findings
        .iter()
        .any(|f| f.severity == Severity::Fatal)
        || linted.configs.len() < files.len()
    {
        let _ = writeln!(
            text,
            "Not run: NPD refuses to start with this config ({}).",
            finding::summary(&linted.findings, files.len())
        );
        return Ok(Outcome { text, code: 2 });
    }

    let mut metrics = Metrics::default();
    let mut node = NodeConditions::default();
    let mut events = Vec::new();
    let mut would_block = false;
    let mut monitors: Vec<Monitor> = linted
        .configs
        .iter()
        .map(|c| Monitor::new(c, &mut metrics, SystemTime::now()))
        .collect();
    for m in &monitors {
        if !m.config.skip_initial_status {
            node.update(&m.config.source, &m.conditions);
        }
    }

    text.push_str("Rules:\n");
    for round in 1..=opts.rounds {
        if opts.rounds > 1 {
            let _ = writeln!(text, " round {round}:");
        }
        for m in &mut monitors {
            let config = m.config;
            if config.concurrency <= 0 {
                let _ = writeln!(
                    text,
                    "  {}: concurrency is 0: NPD never starts a rule of this config",
                    config.file
                );
                continue;
            }
            let runs = run_rules(config, opts.plugin_dir.as_deref());
            for (rule, (ex, verdict)) in config.rules.iter().zip(runs) {
                let timeout = config
                    .effective_timeout(rule)
                    .map(|d| d.text)
                    .unwrap_or_default();
                text.push_str(&report::rule_run(
                    config,
                    rule,
                    &ex,
                    verdict.as_ref(),
                    &timeout,
                ));
                would_block |= ex.would_block();
                if let Some(v) = verdict {
                    events.extend(m.handle(rule, &v, &mut metrics, SystemTime::now()));
                    node.update(&config.source, &m.conditions);
                }
            }
        }
    }
    if monitors.is_empty() {
        text.push_str("  (no config)\n");
    }

    let now = SystemTime::now();
    text.push('\n');
    text.push_str(&report::conditions(&node, now));
    text.push('\n');
    text.push_str(&report::events(&events, now));
    text.push('\n');
    let metrics_text = report::metrics(&metrics);
    if metrics_text.is_empty() {
        text.push_str("Metrics: none (metricsReporting is off)\n");
    } else {
        text.push_str("Metrics (NPD's Prometheus endpoint, problem metrics only):\n");
        text.push_str(&metrics_text);
    }

    let problem =
        node.list.iter().any(|c| c.status != CondStatus::False) || events.iter().any(|e| e.warning);
    let code = if would_block || (opts.fail_on_problem && problem) {
        1
    } else {
        0
    };
    Ok(Outcome { text, code })
}

/// A rule's run and NPD's verdict on it (none while NPD would still be waiting).
type RuleRun = (Execution, Option<Verdict>);

/// Runs the rules of `config`, at most `concurrency` at a time; results in rule order.
fn run_rules(config: &Config, plugin_dir: Option<&Path>) -> Vec<RuleRun> {
    let n = config.rules.len();
    let workers = (config.concurrency as usize).min(n).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<RuleRun>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let rule = &config.rules[i];
                let timeout = config
                    .effective_timeout(rule)
                    .map(|d| d.duration())
                    .unwrap_or_default();
                let program = local_path(&rule.path, plugin_dir);
                let ex = exec::run(&program, &rule.args, timeout);
                let max = config.max_output_length.max(0) as usize;
                let verdict = exec::verdict(&ex, &rule.path, max);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some((ex, verdict));
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
