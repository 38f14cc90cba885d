//! `npd-checks run`: every config with NPD's semantics, and the Conditions, Events and
//! metrics NPD would produce.
//!
//! A config is linted first; one NPD refuses to start with is not run. Custom plugin
//! monitors run their rules ([`custom`]): each rule `--rounds` times, back to back,
//! concurrently up to the config's `concurrency`, results applied in config order so
//! that the output does not depend on which finished first; what NPD, which applies
//! them as they finish, may show differently is listed ([`variance`]). System log
//! monitors publish their default conditions, then apply the lines of `--log-lines`
//! ([`logs`]).

mod custom;
mod logs;
mod variance;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::finding::{self, Severity};
use crate::lint;
use crate::npd_state::{CondStatus, Metrics, Monitor, NodeConditions};
use crate::report;
use crate::syslog::monitor::LogMonitor;
use crate::version::NpdVersion;

pub struct Options {
    pub plugin_dir: Option<PathBuf>,
    pub rounds: u32,
    pub fail_on_problem: bool,
    pub version: NpdVersion,
    /// Log lines for the system log monitors: a file, or `-` for standard input.
    pub log_lines: Option<String>,
}

/// What `run` prints and its exit code.
pub struct Outcome {
    pub text: String,
    pub code: i32,
}

/// Runs `files`. `Err` is a usage error (an unreadable file).
pub fn run(files: &[PathBuf], opts: &Options) -> Result<Outcome, String> {
    let lint_opts = lint::Options {
        plugin_dir: opts.plugin_dir.clone(),
        version: opts.version.clone(),
        drain: None,
    };
    let linted = lint::lint(files, &lint_opts)?;
    let lines = match &opts.log_lines {
        Some(path) => Some(crate::syslog::lines::read(path)?),
        None => None,
    };
    let mut text = String::new();
    let shown: Vec<_> = linted.findings.iter().filter(|f| f.counts()).collect();
    if !shown.is_empty() {
        text.push_str("Findings (see npd-checks lint):\n");
        for f in shown {
            let _ = writeln!(text, "  {f}");
        }
        text.push('\n');
    }
    let refused = linted
        .findings
        .iter()
        .any(|f| f.severity == Severity::Fatal);
    if refused || linted.decoded() < files.len() {
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
    let now = SystemTime::now();
    let mut monitors: Vec<Monitor> = linted
        .configs
        .iter()
        .map(|c| Monitor::new(c, &mut metrics, now))
        .collect();
    let mut log_monitors: Vec<LogMonitor> = linted
        .logs
        .iter()
        .map(|c| LogMonitor::new(c, &mut metrics, now))
        .collect();
    for m in &monitors {
        if !m.config.skip_initial_status {
            node.update(&m.config.source, &m.conditions);
        }
    }
    for m in &log_monitors {
        node.update(&m.config.source, &m.conditions);
    }

    let mut may_vary = Vec::new();
    let mut would_block = false;
    if !monitors.is_empty() || log_monitors.is_empty() {
        text.push_str("Rules:\n");
        let ran = custom::execute(&mut monitors, opts, &mut metrics, &mut node, &mut events);
        text.push_str(&ran.text);
        would_block = ran.would_block;
        for (m, boot) in monitors.iter().zip(&ran.boot) {
            may_vary.extend(variance::notes(m.config, boot));
        }
        if monitors.is_empty() {
            text.push_str("  (no config)\n");
        }
    }
    if !log_monitors.is_empty() {
        if !monitors.is_empty() {
            text.push('\n');
        }
        let fed = logs::feed(
            &mut log_monitors,
            lines.as_deref(),
            opts.log_lines.as_deref(),
            &mut metrics,
            &mut node,
            &mut events,
        )?;
        text.push_str(&fed);
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
    if !may_vary.is_empty() {
        text.push_str(
            "\nMay differ in NPD, which applies results as they finish (shown above: in \
             config order):\n",
        );
        for line in &may_vary {
            let _ = writeln!(text, "  {line}");
        }
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
