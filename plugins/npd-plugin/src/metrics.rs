//! Metrics about the check itself, which NPD does not export: how long it took, what
//! it answered, how often it timed out, when it last judged. Written per run with
//! `--metrics-dir` as a node_exporter textfile (`*.prom`), atomically, so a broken
//! check (Unknown) stands out from a healthy one.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::outcome::Status;
use crate::state::write_atomically;

struct Sink {
    file: PathBuf,
    labels: String,
    started: Instant,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Turns metrics on for this run: `check` is the plugin, `rule` the state key that
/// tells two rules of one plugin apart.
pub(crate) fn enable(dir: PathBuf, check: &str, rule: &str, started: Instant) {
    let _ = SINK.set(Sink {
        file: dir.join(format!("npd-checks-{check}-{rule}.prom")),
        labels: format!("check=\"{}\",rule=\"{}\"", escape(check), escape(rule)),
        started,
    });
}

/// Writes this run's figures; failures go to stderr only, the answer still goes out.
pub(crate) fn record(status: Status, timed_out: bool) {
    let Some(sink) = SINK.get() else {
        return;
    };
    let previous = std::fs::read_to_string(&sink.file).unwrap_or_default();
    let timeouts = read_value(&previous, "npd_check_timeouts_total").unwrap_or(0.0)
        + if timed_out { 1.0 } else { 0.0 };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    // A success is a run that could judge (OK or NonOK); Unknown is the broken check.
    let last_success = if status == Status::Unknown {
        read_value(&previous, "npd_check_last_success_timestamp_seconds").unwrap_or(0.0)
    } else {
        now.floor()
    };
    let l = &sink.labels;
    let text = format!(
        "# HELP npd_check_duration_seconds Wall time of the last run of the check.\n\
         # TYPE npd_check_duration_seconds gauge\n\
         npd_check_duration_seconds{{{l}}} {:.6}\n\
         # HELP npd_check_status Last answer: 0 OK, 1 problem (NonOK), 2 could not check (Unknown).\n\
         # TYPE npd_check_status gauge\n\
         npd_check_status{{{l}}} {}\n\
         # HELP npd_check_timeouts_total Runs that hit --timeout before the check finished.\n\
         # TYPE npd_check_timeouts_total counter\n\
         npd_check_timeouts_total{{{l}}} {timeouts}\n\
         # HELP npd_check_last_success_timestamp_seconds When the check last judged (OK or problem).\n\
         # TYPE npd_check_last_success_timestamp_seconds gauge\n\
         npd_check_last_success_timestamp_seconds{{{l}}} {last_success}\n",
        sink.started.elapsed().as_secs_f64(),
        status.exit_code(),
    );
    if let Some(dir) = sink.file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = write_atomically(&sink.file, text.as_bytes()) {
        eprintln!(
            "warning: cannot write metrics {}: {}",
            sink.file.display(),
            crate::short_io_reason(&e)
        );
    }
}

fn read_value(text: &str, metric: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(metric) && l[metric.len()..].starts_with('{'))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_values_are_read_back() {
        let text = "# TYPE x counter\nnpd_check_timeouts_total{check=\"a\",rule=\"b\"} 3\n";
        assert_eq!(read_value(text, "npd_check_timeouts_total"), Some(3.0));
        assert_eq!(read_value(text, "npd_check_timeouts"), None);
    }
}
