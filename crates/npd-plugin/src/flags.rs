//! The flags every plugin takes, parsed once here so that they mean the same thing in
//! every binary.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::Args;

use crate::units::parse_duration;
use crate::Error;

/// NPD's default global timeout is 5s; answering by 4s leaves it a second of margin.
pub const DEFAULT_TIMEOUT: &str = "4s";
/// NPD's default max_output_length.
pub const DEFAULT_MAX_OUTPUT: usize = 80;
pub const DEFAULT_STATE_DIR: &str = "/var/lib/npd-checks";

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Common options")]
pub struct CommonFlags {
    /// Answer by this deadline whatever the host does; keep it below the rule's
    /// timeout in the NPD config (e.g. 500ms, 4s).
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_TIMEOUT,
          value_parser = parse_timeout, global = true)]
    pub timeout: Duration,

    /// The host's filesystem as seen from this container: every host path (/proc,
    /// /sys, /etc, mount points) is read under it.
    #[arg(
        long,
        value_name = "PATH",
        env = "HOST_ROOT",
        default_value = "/",
        global = true
    )]
    pub host_root: PathBuf,

    /// Cut the output line to this many bytes (NPD's max_output_length).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_OUTPUT,
          value_parser = clap::value_parser!(u16).range(1..=4096).map(usize::from), global = true)]
    pub max_output: usize,

    /// Where debounce counters and measurement state are kept between runs (a
    /// hostPath in the DaemonSet, so state survives pod restarts).
    #[arg(long, value_name = "DIR", env = "NPD_CHECKS_STATE_DIR",
          default_value = DEFAULT_STATE_DIR, global = true)]
    pub state_dir: PathBuf,

    /// Name of this rule's state (default: derived from the plugin and its flags, so
    /// two rules with different flags never share counters).
    #[arg(long, value_name = "KEY", value_parser = parse_state_key, global = true)]
    pub state_key: Option<String>,

    /// Report a problem only after it was seen in this many runs in a row (a probe's
    /// failureThreshold).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000), global = true)]
    pub fail_after: u32,

    /// Clear a reported problem only after health was seen in this many runs in a row
    /// (a probe's successThreshold).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000), global = true)]
    pub recover_after: u32,

    /// Write metrics about this check (duration, status, timeouts, last success) to a
    /// node_exporter textfile in this directory after every run.
    #[arg(
        long,
        value_name = "DIR",
        env = "NPD_CHECKS_METRICS_DIR",
        global = true
    )]
    pub metrics_dir: Option<PathBuf>,

    /// Judge only on hosts where this host path exists (a container runtime's socket,
    /// say); elsewhere answer OK with "not judged: no PATH on this host".
    #[arg(long, value_name = "PATH", value_parser = crate::gate::parse_host_path,
          global = true)]
    pub only_if_exists: Option<PathBuf>,

    /// Print every measured value and the rule applied on stderr (for a person running
    /// the plugin by hand; the line on stdout is unchanged).
    #[arg(long, global = true)]
    pub explain: bool,

    /// Validate the flags, print the effective timeout as JSON and exit (used by
    /// `npd-checks lint`).
    #[arg(long, hide = true, global = true)]
    pub lint_args: bool,

    /// The wall clock, milliseconds since the epoch, in place of the real one: the
    /// test seam of a reading that no file under --host-root holds. Text, parsed by
    /// `run`: clap's integer parser would add ~4 KB to every plugin for a test's flag.
    #[arg(long, hide = true, global = true, value_name = "UNIX_MS")]
    pub test_wall_clock: Option<String>,
}

fn parse_timeout(text: &str) -> crate::Result<Duration> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err(Error::config(
            "a zero timeout leaves no time to check anything",
        ));
    }
    Ok(d)
}

fn parse_state_key(text: &str) -> crate::Result<String> {
    let ok = !text.is_empty()
        && text.len() <= 100
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(text.to_string())
    } else {
        Err(Error::config("use 1 to 100 letters, digits, '-' or '_'"))
    }
}
