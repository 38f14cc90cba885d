//! `npd-log`: rates of matching log lines and response-time percentiles, from the
//! bytes appended to log files since the previous run.
//!
//! A run is a fresh process, so everything it must remember lives in the state store:
//! which files it follows and where it stopped ([`measure::follow`]), and what the
//! runs within the window counted ([`window`]). Each run:
//! - [`measure`] finds the files `--file` names now ([`measure::glob`]), recognises
//!   rotations and hands the new bytes to [`measure::read`], which cuts them into
//!   lines with one fixed buffer and lets [`tally`] judge them; the window slides
//!   and the state is saved (atomically);
//! - [`judge`] decides on what the window holds.
//!
//! It is not a log shipper: it keeps no line beyond one sample for the message.

pub mod config;
pub mod judge;
pub mod measure;
pub mod tally;
pub mod window;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Log;

impl Plugin for Log {
    type Config = Config;

    fn check(cfg: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(cfg, ctx)?;
        judge::judge(cfg, &measured, ctx)
    }

    const NAME: &'static str = "npd-log";
    const ABOUT: &'static str = "Counts the log lines matching a pattern and measures response \
                                 times, over the lines written within a window, following \
                                 rotations.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "temporary", "reason": "KeystoneAuthFailuresHigh",
 "path": "/opt/npd-checks/bin/npd-log",
 "args": ["--file", "/var/log/apache2/keystone_access.log", "--label", "keystone auth 401",
          "--pattern", "\"POST /v(3/auth/tokens|2\\.0/tokens)[^\"]*\" 401 ",
          "--max-count", "50", "--window", "5m", "--missing", "ok"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
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
  once the run is --window old. Time is the host's boot clock (uptime under
  <host-root>/proc, within one boot_id), so a wall clock step moves nothing;
  across a reboot, or where uptime cannot be read, the wall clock is used.
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
}
