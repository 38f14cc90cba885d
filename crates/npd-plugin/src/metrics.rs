//! Metrics about the check itself, which NPD does not export: how long it takes, what
//! it answered, how often it timed out, when it last judged. Written with
//! `--metrics-dir` as a node_exporter textfile (`*.prom`), atomically, so a broken
//! check (Unknown) stands out from a healthy one.
//!
//! The file is rewritten only when what it says changes (the answer, a timeout, the
//! run time by half or double and by 10 ms or more) or when it is older than [`REFRESH`]: a write and a
//! rename on the node's disk at every run of every rule was the largest single cost
//! of a node's checks after the checks themselves. So the run time and the last
//! judged time are those of a recent run, at most [`REFRESH`] old while the check
//! keeps judging; a scrape interval or an alert's `for` is longer than that.

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::outcome::Status;
use npd_host::write_atomically;

/// The longest a file is left as it is while the check keeps running.
pub const REFRESH: Duration = Duration::from_secs(300);

/// The least change of the run time, in seconds, that rewrites the file before
/// [`REFRESH`].
const DURATION_STEP: f64 = 0.010;

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

/// What the file said, and how long ago it was written.
#[derive(Debug, Default, PartialEq)]
struct Previous {
    status: Option<f64>,
    duration: Option<f64>,
    timeouts: f64,
    last_success: f64,
    age: Option<Duration>,
}

impl Previous {
    fn read(file: &std::path::Path) -> Previous {
        let Ok(mut f) = std::fs::File::open(file) else {
            return Previous::default();
        };
        let age = f
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok());
        let mut text = String::new();
        if f.read_to_string(&mut text).is_err() {
            return Previous::default();
        }
        Previous {
            status: read_value(&text, "npd_check_status"),
            duration: read_value(&text, "npd_check_duration_seconds"),
            timeouts: read_value(&text, "npd_check_timeouts_total").unwrap_or(0.0),
            last_success: read_value(&text, "npd_check_last_success_timestamp_seconds")
                .unwrap_or(0.0),
            age,
        }
    }

    /// Whether this run's figures differ enough from the file's to rewrite it.
    fn stale(&self, status: Status, timed_out: bool, duration: f64) -> bool {
        // Half or twice as long, and by more than a few milliseconds: a run of 1 ms
        // takes 2 ms whenever the node is busy, which says nothing about the check
        // and would rewrite the file at every run.
        let moved = match self.duration {
            Some(d) if d > 0.0 => {
                !(0.5..=2.0).contains(&(duration / d)) && (duration - d).abs() >= DURATION_STEP
            }
            _ => true,
        };
        // A modification time in the future (a clock set back) counts as old.
        let old = self.age.map_or(true, |a| a >= REFRESH);
        timed_out || moved || old || self.status != Some(f64::from(status.exit_code()))
    }
}

/// Writes this run's figures when they say something new; failures go to stderr only,
/// the answer still goes out.
pub(crate) fn record(status: Status, timed_out: bool) {
    let Some(sink) = SINK.get() else {
        return;
    };
    let duration = sink.started.elapsed().as_secs_f64();
    let previous = Previous::read(&sink.file);
    if !previous.stale(status, timed_out, duration) {
        return;
    }
    let timeouts = previous.timeouts + if timed_out { 1.0 } else { 0.0 };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    // A success is a run that could judge (OK or NonOK); Unknown is the broken check.
    let last_success = if status == Status::Unknown {
        previous.last_success
    } else {
        now.floor()
    };
    let l = &sink.labels;
    let text = format!(
        "# HELP npd_check_duration_seconds Wall time of a recent run of the check.\n\
         # TYPE npd_check_duration_seconds gauge\n\
         npd_check_duration_seconds{{{l}}} {duration:.6}\n\
         # HELP npd_check_status Last answer: 0 OK, 1 problem (NonOK), 2 could not check (Unknown).\n\
         # TYPE npd_check_status gauge\n\
         npd_check_status{{{l}}} {}\n\
         # HELP npd_check_timeouts_total Runs that hit --timeout before the check finished.\n\
         # TYPE npd_check_timeouts_total counter\n\
         npd_check_timeouts_total{{{l}}} {timeouts}\n\
         # HELP npd_check_last_success_timestamp_seconds When the check last judged (OK or problem), within 5m.\n\
         # TYPE npd_check_last_success_timestamp_seconds gauge\n\
         npd_check_last_success_timestamp_seconds{{{l}}} {last_success}\n",
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

    #[test]
    fn a_file_is_rewritten_only_when_it_would_say_something_new() {
        let fresh = Previous {
            status: Some(0.0),
            duration: Some(0.002),
            timeouts: 0.0,
            last_success: 1.7e9,
            age: Some(Duration::from_secs(30)),
        };
        assert!(!fresh.stale(Status::Ok, false, 0.002));
        assert!(!fresh.stale(Status::Ok, false, 0.0039));
        assert!(!fresh.stale(Status::Ok, false, 0.0011));
        // Twice as slow or fast by a few ms is the node's jitter, not the check's.
        assert!(!fresh.stale(Status::Ok, false, 0.0041));
        assert!(!fresh.stale(Status::Ok, false, 0.0009));
        assert!(fresh.stale(Status::Ok, false, 0.0121), "six times as slow");
        let slow = Previous {
            duration: Some(0.5),
            ..fresh
        };
        assert!(!slow.stale(Status::Ok, false, 0.9));
        assert!(slow.stale(Status::Ok, false, 1.1), "twice as slow");
        assert!(slow.stale(Status::Ok, false, 0.2), "twice as fast");
        assert!(fresh.stale(Status::Problem, false, 0.002));
        assert!(fresh.stale(Status::Unknown, true, 0.002), "a timeout");
        let old = Previous {
            age: Some(REFRESH),
            ..fresh
        };
        assert!(old.stale(Status::Ok, false, 0.002));
        let future = Previous { age: None, ..old };
        assert!(future.stale(Status::Ok, false, 0.002));
        assert!(Previous::default().stale(Status::Ok, false, 0.002));
    }
}
