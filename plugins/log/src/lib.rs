//! `npd-log`: rates of matching log lines and response-time percentiles, from the
//! bytes appended to log files since the previous run.
//!
//! A run is a fresh process, so everything it must remember lives in the state store:
//! which files it follows and where it stopped ([`follow`]), and what the runs within
//! the window counted ([`window`]). Each run:
//! - [`glob`] finds the files `--file` names now;
//! - [`follow`] recognises rotations and hands the new bytes to [`read`], which cuts
//!   them into lines with one fixed buffer and lets [`tally`] judge them;
//! - the window slides, the state is saved (atomically), and [`judge`] decides.
//!
//! It is not a log shipper: it keeps no line beyond one sample for the message.

pub mod config;
pub mod follow;
pub mod glob;
pub mod judge;
pub mod read;
pub mod tally;
pub mod window;

use std::time::Duration;

use npd_plugin::{explain, Context, Error, Outcome, Plugin, Result};
use serde::{Deserialize, Serialize};

use config::Missing;
pub use config::{Args, Config};
use follow::{Progress, Tracked};
use tally::Tally;
use window::{Clock, Interval, Window};

/// Bumped when the state's meaning changes: an older state is then a first run.
const STATE_VERSION: u32 = 1;
/// Time kept back from the read for saving the state.
const SAVE_MARGIN: Duration = Duration::from_millis(150);

/// What is kept between runs.
#[derive(Serialize, Deserialize, Default, Debug)]
pub struct LogState {
    pub version: u32,
    /// The --file the offsets belong to: a rule whose state key was kept while its
    /// file changed starts over instead of counting the new file's history.
    #[serde(default)]
    pub file: String,
    pub clock: Clock,
    pub files: Vec<Tracked>,
    pub window: Window,
}

/// The plugin.
pub struct Log;

impl Plugin for Log {
    const NAME: &'static str = "npd-log";
    const ABOUT: &'static str = "Counts the log lines matching a pattern and measures response \
                                 times, over the lines written within a window, following \
                                 rotations.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "temporary", "reason": "KeystoneAuthFailuresHigh",
 "path": "/opt/npd-checks/bin/npd-log",
 "args": ["--file", "/var/log/apache2/keystone_access.log", "--label", "keystone auth 401",
          "--pattern", "\"POST /v(3/auth/tokens|2\\.0/tokens)[^\"]*\" 401 ",
          "--max-count", "50", "--window", "5m", "--missing", "ok"], "timeout": "5s"}"#;
    const NOTES: &'static str = NOTES;
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        config::configure(args)
    }

    fn check(cfg: &Config, ctx: &Context) -> Result<Outcome> {
        check(cfg, ctx)
    }
}

fn check(cfg: &Config, ctx: &Context) -> Result<Outcome> {
    let named = glob::expand(ctx.hostfs(), &cfg.file)?;
    // Without state there is no "since the last run", hence no rate: Unknown.
    let store = ctx.state()?;
    let clock = Clock::now();
    // A corrupt state is a first run (counting from a guessed offset could count
    // lines twice), answered Unknown once.
    let (previous, corrupt) = match store.load::<LogState>("log") {
        Ok(Some(st)) if st.version == STATE_VERSION && st.file == cfg.file => (Some(st), None),
        Ok(_) => (None, None),
        Err(e) => (None, Some(e)),
    };
    let elapsed = previous.as_ref().map_or(0, |p| clock.since(&p.clock));
    explain!(
        ctx,
        "{} since the last run{}",
        npd_plugin::units::format_duration(Duration::from_millis(elapsed)),
        if previous.is_none() {
            " (first run: baseline)"
        } else {
            ""
        }
    );

    let deadline = ctx
        .deadline()
        .checked_sub(SAVE_MARGIN)
        .unwrap_or(ctx.deadline());
    let mut tally = Tally::default();
    let mut progress = Progress::default();
    let files = follow::follow(
        cfg,
        ctx,
        &named,
        previous.as_ref().map(|p| p.files.as_slice()),
        deadline,
        &mut tally,
        &mut progress,
    )?;
    let missing = files.is_empty();
    explain!(ctx, "read {} bytes from {} files; {} matching lines, {} excluded, {} long lines, {} without a response time",
        progress.bytes, progress.files, tally.count, tally.excluded, tally.long_lines, tally.no_time);
    if progress.interrupted {
        explain!(
            ctx,
            "stopped at the deadline: the rest is read by the next run"
        );
    }

    let mut st = previous.unwrap_or_default();
    st.version = STATE_VERSION;
    st.file = cfg.file.clone();
    st.clock = clock;
    st.files = files;
    st.window.record(
        elapsed,
        Interval {
            end_ms: 0,
            count: tally.count,
            times: std::mem::take(&mut tally.times),
        },
        cfg.window.as_millis() as u64,
    );
    if let Some(sample) = tally.sample.take() {
        st.window.sample = Some(sample);
    }
    store.save("log", &st)?;
    explain!(ctx, "peak memory {} KiB", peak_rss_kib());

    if let Some(e) = corrupt {
        return Err(Error::new(format!("{e}; started over")));
    }
    let totals = st.window.totals();
    let outcome = judge::judge(cfg, ctx, &totals, st.window.sample.as_deref());
    if missing && outcome.status == npd_plugin::Status::Ok {
        return match cfg.missing {
            Missing::Ok => Ok(Outcome::ok(format!("{}: no log file", cfg.label))),
            Missing::Unknown => Err(Error::new(format!("{}: no such file", cfg.file))),
        };
    }
    Ok(outcome)
}

/// VmHWM of this process, for --explain: the memory a run costs whatever it read.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

const NOTES: &str = "\
Reading:
  Each run reads only the bytes written since the previous run, with one fixed
  buffer whatever the file size, and judges complete lines only: a last line still
  being written is judged by the next run. A line longer than --max-line is judged
  on its first --max-line bytes, as soon as they are written, and counted once.
  Bytes that are not UTF-8 are matched as bytes. The first run starts at the end
  of the file (or at its start with --from-start): history is not news.
Rotation:
  Files are followed by device and inode, with a checksum of their first bytes.
  Renamed (logrotate's default): the old file is finished under its new name in
  the same directory, then the new file is read from its start. Truncated in place
  (copytruncate), deleted and recreated, or created after the first run: read from
  its start. Lines written to a file between the last run and its deletion or
  compression (compress without delaycompress) are not seen.
Window:
  Counts and response times are kept per run; a run's lines fall out of the window
  once the run is --window old. Time is the kernel's boot-time clock, so a wall
  clock step moves nothing; across a reboot the wall clock is used.
Response times:
  --field names a field holding a number of --field-unit (Apache's and Keystone's
  access logs end with seconds: --field -1; OpenStack API logs say \"time: 0.12\":
  --pattern '... time: (?P<t>[0-9.]+)' --field t). Percentiles come from
  histograms exact to about 3 parts in 100, and are judged once the window holds
  --min-samples response times.
Formats:
  --format cri reads Kubernetes pod logs (/var/log/pods/<ns>_<pod>_<uid>/<c>/*.log):
  the message after timestamp, stream and tag is matched, and partial lines (tag P)
  are joined up to --max-line bytes before they are judged.
Unknown:
  A file that cannot be read, a state dir that cannot be used (without the previous
  run's offset there is no rate), a corrupt state (started over). A missing file,
  or a pattern matching none, is Unknown unless --missing ok: then the service is
  taken as not running on this node.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_has_the_example_rule_and_the_notes() {
        let help = npd_plugin::command::<Log>().render_long_help().to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-log"));
        assert!(help.contains("--missing ok"));
        assert!(!help.contains('%'));
    }

    #[test]
    fn the_example_rule_is_json() {
        let v: serde_json::Value = serde_json::from_str(Log::EXAMPLE_RULE).unwrap();
        assert_eq!(v["path"], "/opt/npd-checks/bin/npd-log");
    }
}
