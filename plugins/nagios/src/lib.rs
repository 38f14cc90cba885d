//! `npd-nagios`: runs a Nagios-compatible plugin and answers with its verdict in NPD's
//! terms, so that the whole monitoring-plugins collection can feed node conditions.
//!
//! Nagios says OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3; NPD says OK 0, NonOK 1,
//! Unknown 2. CRITICAL is the problem; WARNING is healthy unless
//! `--warning-is-problem`; UNKNOWN, any other code, a signal or a plugin that does not
//! finish in time is Unknown.
//!
//! - [`config`] holds the flags;
//! - [`measure`] runs the plugin in its own process group as our only children (we
//!   are a subreaper), reads its first line by the deadline, then kills and reaps
//!   every process it left, including one that called setsid and holds stdout open:
//!   such a process would keep NPD's monitor waiting;
//! - [`judge`] maps the exit to the answer and shapes the line.

pub mod config;
pub mod judge;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Nagios;

impl Plugin for Nagios {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let ran = measure::measure(config, ctx)?;
        judge::judge(config, &ran, &ctx.timeout_text())
    }

    const NAME: &'static str = "npd-nagios";
    const ABOUT: &'static str = "Runs a Nagios-compatible plugin and maps its verdict to NPD's \
                                 (CRITICAL is a problem, UNKNOWN is Unknown).";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "NTPOffsetHigh",
 "reason": "NTPOffsetHigh", "path": "/opt/npd-checks/bin/npd-nagios",
 "args": ["--timeout", "4s", "--", "/usr/lib/nagios/plugins/check_ntp_time",
          "-H", "ntp.example", "-w", "0.5", "-c", "1"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Mapping:
  Nagios 0 OK -> 0; 1 WARNING -> 0 (1 with --warning-is-problem); 2 CRITICAL -> 1;
  3 UNKNOWN -> 2; any other exit code, a signal, or no exit by --timeout -> 2.
Output:
  The plugin's first line, without its performance data (after '|'). OK answers
  say \"<plugin> OK\" unless --keep-ok-output (a changing message makes NPD patch the
  Node on every run).
Processes:
  The plugin runs in its own process group with stdin and stderr on /dev/null. When
  it exits, or at the deadline, every process it left is killed and reaped, even one
  that moved to its own session and still holds stdout: nothing outlives the run.
  The plugin runs inside NPD's container: its path and files are the container's.";
}
