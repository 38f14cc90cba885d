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

/// The least change of the run time, in microseconds, that rewrites the file before
/// [`REFRESH`].
const DURATION_STEP: u64 = 10_000;

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

/// What the file said, and how long ago it was written. Every figure is a whole
/// number (the run time in microseconds): no floating point, whose parser and printer
/// would be the largest part of the shared layer in each binary.
#[derive(Debug, Default, PartialEq)]
struct Previous {
    status: Option<i32>,
    duration_us: Option<u64>,
    timeouts: u64,
    last_success: u64,
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
            status: read_value(&text, "npd_check_status").and_then(|v| v.parse().ok()),
            duration_us: read_value(&text, "npd_check_duration_seconds").and_then(micros),
            timeouts: read_value(&text, "npd_check_timeouts_total")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            last_success: read_value(&text, "npd_check_last_success_timestamp_seconds")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            age,
        }
    }

    /// Whether this run's figures differ enough from the file's to rewrite it.
    fn stale(&self, status: Status, timed_out: bool, duration_us: u64) -> bool {
        // Half or twice as long, and by more than a few milliseconds: a run of 1 ms
        // takes 2 ms whenever the node is busy, which says nothing about the check
        // and would rewrite the file at every run.
        let moved = match self.duration_us {
            Some(d) if d > 0 => {
                let (now, d) = (u128::from(duration_us), u128::from(d));
                (2 * now < d || now > 2 * d) && now.abs_diff(d) >= u128::from(DURATION_STEP)
            }
            _ => true,
        };
        // A modification time in the future (a clock set back) counts as old.
        let old = self.age.map_or(true, |a| a >= REFRESH);
        timed_out || moved || old || self.status != Some(status.exit_code())
    }
}

/// Writes this run's figures when they say something new; failures go to stderr only,
/// the answer still goes out.
pub(crate) fn record(status: Status, timed_out: bool) {
    let Some(sink) = SINK.get() else {
        return;
    };
    let duration_us = u64::try_from(sink.started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let previous = Previous::read(&sink.file);
    if !previous.stale(status, timed_out, duration_us) {
        return;
    }
    let timeouts = previous.timeouts + u64::from(timed_out);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // A success is a run that could judge (OK or NonOK); Unknown is the broken check.
    let last_success = if status == Status::Unknown {
        previous.last_success
    } else {
        now
    };
    let l = &sink.labels;
    let text = format!(
        "# HELP npd_check_duration_seconds Wall time of a recent run of the check.\n\
         # TYPE npd_check_duration_seconds gauge\n\
         npd_check_duration_seconds{{{l}}} {}.{:06}\n\
         # HELP npd_check_status Last answer: 0 OK, 1 problem (NonOK), 2 could not check (Unknown).\n\
         # TYPE npd_check_status gauge\n\
         npd_check_status{{{l}}} {}\n\
         # HELP npd_check_timeouts_total Runs that hit --timeout before the check finished.\n\
         # TYPE npd_check_timeouts_total counter\n\
         npd_check_timeouts_total{{{l}}} {timeouts}\n\
         # HELP npd_check_last_success_timestamp_seconds When the check last judged (OK or problem), within 5m.\n\
         # TYPE npd_check_last_success_timestamp_seconds gauge\n\
         npd_check_last_success_timestamp_seconds{{{l}}} {last_success}\n",
        duration_us / 1_000_000,
        duration_us % 1_000_000,
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

/// The value text of a metric's sample.
fn read_value<'t>(text: &'t str, metric: &str) -> Option<&'t str> {
    text.lines()
        .find(|l| l.starts_with(metric) && l[metric.len()..].starts_with('{'))
        .and_then(|l| l.rsplit(' ').next())
}

/// Seconds as the file writes them (`0.001234`) in microseconds; digits past the
/// sixth decimal are dropped.
fn micros(seconds: &str) -> Option<u64> {
    crate::units::millionths(seconds).map(|(us, _)| us)
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
        assert_eq!(read_value(text, "npd_check_timeouts_total"), Some("3"));
        assert_eq!(read_value(text, "npd_check_timeouts"), None);
    }

    #[test]
    fn a_file_written_with_floating_point_figures_is_read_back() {
        // As the figures were written when they were f64: `{:.6}` and `{}`.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("npd-checks-disk-r.prom");
        let l = r#"{check="disk",rule="r"}"#;
        std::fs::write(
            &file,
            format!(
                "npd_check_duration_seconds{l} 0.001234\nnpd_check_status{l} 1\n\
                 npd_check_timeouts_total{l} 7\n\
                 npd_check_last_success_timestamp_seconds{l} 1764700000\n"
            ),
        )
        .unwrap();
        let previous = Previous::read(&file);
        assert_eq!(
            (previous.duration_us, previous.status),
            (Some(1_234), Some(1))
        );
        assert_eq!(
            (previous.timeouts, previous.last_success),
            (7, 1_764_700_000)
        );
        assert!(previous.age.is_some());
    }

    #[test]
    fn run_times_are_read_in_microseconds() {
        assert_eq!(micros("0.001234"), Some(1_234));
        assert_eq!(micros("12.5"), Some(12_500_000));
        assert_eq!(micros("3"), Some(3_000_000));
        assert_eq!(micros("0.0000019"), Some(1));
        assert_eq!(micros(".5"), Some(500_000));
        assert_eq!(micros("18446744073709551615"), Some(u64::MAX), "saturated");
        for bad in ["", ".", "1e-3", "-1", "NaN", "1.2.3", " 1"] {
            assert_eq!(micros(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_file_is_rewritten_only_when_it_would_say_something_new() {
        let fresh = Previous {
            status: Some(0),
            duration_us: Some(2_000),
            timeouts: 0,
            last_success: 1_700_000_000,
            age: Some(Duration::from_secs(30)),
        };
        assert!(!fresh.stale(Status::Ok, false, 2_000));
        assert!(!fresh.stale(Status::Ok, false, 3_900));
        assert!(!fresh.stale(Status::Ok, false, 1_100));
        // Twice as slow or fast by a few ms is the node's jitter, not the check's.
        assert!(!fresh.stale(Status::Ok, false, 4_100));
        assert!(!fresh.stale(Status::Ok, false, 900));
        assert!(fresh.stale(Status::Ok, false, 12_100), "six times as slow");
        let slow = Previous {
            duration_us: Some(500_000),
            ..fresh
        };
        assert!(!slow.stale(Status::Ok, false, 900_000));
        assert!(slow.stale(Status::Ok, false, 1_100_000), "twice as slow");
        assert!(slow.stale(Status::Ok, false, 200_000), "twice as fast");
        assert!(fresh.stale(Status::Problem, false, 2_000));
        assert!(fresh.stale(Status::Unknown, true, 2_000), "a timeout");
        let old = Previous {
            age: Some(REFRESH),
            ..fresh
        };
        assert!(old.stale(Status::Ok, false, 2_000));
        let future = Previous { age: None, ..old };
        assert!(future.stale(Status::Ok, false, 2_000));
        assert!(Previous::default().stale(Status::Ok, false, 2_000));
    }
}
