//! How `npd-checks run` shows what NPD would produce: one line per rule run, the node's
//! Conditions and Events laid out as `kubectl describe node` lays them out (Go's
//! tabwriter, padding 2), and the problem metrics in Prometheus' text format as NPD's
//! exporter serves them (no namespace, labels sorted by name).

use std::fmt::Write as _;
use std::time::SystemTime;

use npd_plugin::units::format_duration;

use crate::config::{Config, Rule};
use crate::exec::{Execution, Verdict, OUTPUT_LIMIT};
use crate::golang;
use crate::npd_state::{Event, Metrics, NodeConditions};

/// Lays out rows as Go's tabwriter does with padding 2: every cell but a row's last is
/// padded to its column's widest cell plus two spaces.
pub fn tabulate(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] + 2 - cell.chars().count();
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    }
    out
}

/// A message as `kubectl describe` would print it, on one line (a line break shows as
/// `\n` so the table stays readable).
fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', " ")
}

/// The `Conditions:` block.
pub fn conditions(node: &NodeConditions, heartbeat: SystemTime) -> String {
    if node.list.is_empty() {
        return "Conditions:  <none>\n".to_string();
    }
    condition_rows(node.list.iter().map(|c| {
        [
            c.type_.clone(),
            c.status.as_str().to_string(),
            golang::rfc1123z(heartbeat),
            golang::rfc1123z(c.transition),
            c.reason.clone(),
            golang::json_text(&c.message),
        ]
    }))
}

/// A `Conditions:` block of rows (type, status, heartbeat and transition times as
/// shown, reason, message), under kubectl's headings.
pub fn condition_rows(list: impl IntoIterator<Item = [String; 6]>) -> String {
    let heading = |texts: [&str; 6]| texts.iter().map(|s| s.to_string()).collect();
    let mut rows: Vec<Vec<String>> = vec![
        heading([
            "  Type",
            "Status",
            "LastHeartbeatTime",
            "LastTransitionTime",
            "Reason",
            "Message",
        ]),
        heading([
            "  ----",
            "------",
            "-----------------",
            "------------------",
            "------",
            "-------",
        ]),
    ];
    for [type_, status, heartbeat, transition, reason, message] in list {
        rows.push(vec![
            format!("  {type_} "),
            format!("{status} "),
            format!("{heartbeat} "),
            format!("{transition} "),
            format!("{reason} "),
            one_line(&message),
        ]);
    }
    format!("Conditions:\n{}", tabulate(&rows))
}

fn cells(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|s| s.to_string()).collect()
}

/// The `Events:` block; identical events are counted as the event recorder does.
pub fn events(events: &[Event], now: SystemTime) -> String {
    struct Seen {
        kind: &'static str,
        reason: String,
        source: String,
        message: String,
        count: u32,
        first: SystemTime,
        last: SystemTime,
    }
    let mut seen: Vec<Seen> = Vec::new();
    for e in events {
        let kind = if e.warning { "Warning" } else { "Normal" };
        let message = e.recorded_message();
        match seen.iter_mut().find(|s| {
            s.kind == kind && s.reason == e.reason && s.source == e.source && s.message == message
        }) {
            Some(s) => {
                s.count += 1;
                s.last = e.timestamp;
            }
            None => seen.push(Seen {
                kind,
                reason: e.reason.clone(),
                source: e.source.clone(),
                message,
                count: 1,
                first: e.timestamp,
                last: e.timestamp,
            }),
        }
    }
    if seen.is_empty() {
        return "Events:  <none>\n".to_string();
    }
    seen.sort_by_key(|s| s.last);
    let age = |t: SystemTime| golang::human_duration(now.duration_since(t).unwrap_or_default());
    let mut rows = vec![
        cells(&["  Type", "Reason", "Age", "From", "Message"]),
        cells(&["  ----", "------", "----", "----", "-------"]),
    ];
    for s in &seen {
        let interval = if s.count > 1 {
            format!("{} (x{} over {})", age(s.last), s.count, age(s.first))
        } else {
            age(s.first)
        };
        rows.push(vec![
            format!("  {}", s.kind),
            s.reason.clone(),
            interval,
            s.source.clone(),
            one_line(s.message.trim()),
        ]);
    }
    format!("Events:\n{}", tabulate(&rows))
}

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `problem_counter` and `problem_gauge` in Prometheus' text format.
pub fn metrics(m: &Metrics) -> String {
    let mut out = String::new();
    if !m.counter.is_empty() {
        out.push_str(
            "# HELP problem_counter Number of times a specific type of problem have occurred.\n",
        );
        out.push_str("# TYPE problem_counter counter\n");
        for (reason, n) in &m.counter {
            let _ = writeln!(out, "problem_counter{{reason=\"{}\"}} {n}", label(reason));
        }
    }
    if !m.gauge.is_empty() {
        out.push_str("# HELP problem_gauge Whether a specific type of problem is affecting the node or not.\n");
        out.push_str("# TYPE problem_gauge gauge\n");
        let mut series: Vec<(&String, &String, &i64)> =
            m.gauge.iter().map(|((t, r), v)| (r, t, v)).collect();
        series.sort();
        for (reason, type_, v) in series {
            let _ = writeln!(
                out,
                "problem_gauge{{reason=\"{}\",type=\"{}\"}} {v}",
                label(reason),
                label(type_)
            );
        }
    }
    out
}

/// One rule's run: what the process did, then what NPD makes of it.
pub fn rule_run(
    config: &Config,
    rule: &Rule,
    ex: &Execution,
    verdict: Option<&Verdict>,
    timeout: &str,
) -> String {
    let mut out = format!("  {} {}: ", config.file, rule.label());
    let ms = format_duration(std::time::Duration::from_millis(
        ex.elapsed.as_millis() as u64
    ));
    if let Some(e) = &ex.start_error {
        let _ = write!(out, "could not start ({e})");
    } else if ex.timed_out {
        let _ = write!(
            out,
            "killed at the {timeout} timeout (SIGKILL to process group {})",
            ex.pid
        );
    } else {
        match ex.exit {
            Some(exit) => {
                let _ = write!(out, "{} after {ms}", exit.go_state());
            }
            None => out.push_str("never reaped"),
        }
    }
    match verdict {
        Some(v) => {
            let _ = writeln!(
                out,
                " -> {} {}",
                v.status.as_str(),
                golang::quote(&v.message)
            );
        }
        None => out.push_str(" -> no result\n"),
    }
    if ex.stdout_total > OUTPUT_LIMIT as u64 {
        let _ = writeln!(
            out,
            "      its stdout was {} bytes: NPD reads the first {OUTPUT_LIMIT}",
            ex.stdout_total
        );
    }
    if ex.would_block() {
        let _ = writeln!(
            out,
            "      WOULD BLOCK NPD's monitor: after the timeout kill, {} kept the plugin's \
             stdout/stderr open; NPD waits for it to exit before it runs any rule of {} again",
            holders(ex),
            config.file
        );
        if ex.still_blocked {
            out.push_str(
                "      (still open when npd-checks gave up; NPD would still be waiting)\n",
            );
        } else {
            out.push_str(
                "      (killed here; the result shown is what NPD records once it exits)\n",
            );
        }
    }
    out
}

fn holders(ex: &Execution) -> String {
    if ex.holders.is_empty() {
        return "a process npd-checks could not identify".to_string();
    }
    ex.holders
        .iter()
        .map(|h| {
            let how = if h.in_group {
                "still in the plugin's process group, stuck in the kernel"
            } else {
                "which left the plugin's process group"
            };
            format!("{} (pid {}, {how})", h.name, h.pid)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabulate_pads_every_cell_but_the_last_like_go_tabwriter() {
        let rows = vec![
            vec![
                "  Type".to_string(),
                "Status".to_string(),
                "Message".to_string(),
            ],
            vec![
                "  MemoryPressure ".to_string(),
                "False ".to_string(),
                "ok".to_string(),
            ],
        ];
        assert_eq!(
            tabulate(&rows),
            "  Type             Status  Message\n  MemoryPressure   False   ok\n"
        );
    }
}
