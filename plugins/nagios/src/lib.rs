//! `npd-nagios`: runs a Nagios-compatible plugin and answers with its verdict in NPD's
//! terms, so that the whole monitoring-plugins collection can feed node conditions.
//!
//! Nagios says OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3; NPD says OK 0, NonOK 1,
//! Unknown 2. CRITICAL is the problem; WARNING is healthy unless
//! `--warning-is-problem`; UNKNOWN, any other code, a signal or a plugin that does not
//! finish in time is Unknown.
//!
//! - [`child`] runs the plugin in its own process group as our only children (we are
//!   a subreaper), reads its first line by the deadline, then kills and reaps every
//!   process it left, including one that called setsid and holds stdout open: such a
//!   process would keep NPD's monitor waiting;
//! - [`verdict`] maps the exit to the answer and shapes the line.

pub mod child;
pub mod verdict;

use std::path::PathBuf;

use npd_plugin::{explain, Context, Error, Outcome, Plugin, Result};

/// The flags of `npd-nagios`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Report WARNING (exit 1) as a problem instead of healthy.
    #[arg(long)]
    pub warning_is_problem: bool,

    /// Pass the plugin's OK line through; by default an OK answer is a stable
    /// "<plugin> OK", since OK lines usually carry changing numbers and NPD patches
    /// the Node whenever a message changes.
    #[arg(long)]
    pub keep_ok_output: bool,

    /// The plugin and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "PLUGIN [ARGS]")]
    pub command: Vec<String>,
}

#[derive(Debug)]
pub struct Config {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The plugin's file name, for messages.
    pub name: String,
    pub warning_is_problem: bool,
    pub keep_ok_output: bool,
}

pub struct Nagios;

impl Plugin for Nagios {
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
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let mut command = args.command.into_iter();
        let program = command
            .next()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Error::new("give the plugin to run after --"))?;
        let name = program.rsplit('/').next().unwrap_or(&program).to_string();
        Ok(Config {
            program: PathBuf::from(program),
            args: command.collect(),
            name,
            warning_is_problem: args.warning_is_problem,
            keep_ok_output: args.keep_ok_output,
        })
    }

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        ctx.waiting_for(format!("running {}", config.name));
        let ran = child::run(&config.program, &config.args, ctx.deadline())
            .map_err(|e| Error::new(format!("cannot run {}: {e}", config.program.display())))?;
        explain!(
            ctx,
            "{}: {:?}, {} output bytes, {} leftover processes killed",
            config.name,
            ran.exit,
            ran.output_len,
            ran.killed
        );
        if !ran.first_line.is_empty() {
            explain!(ctx, "first line: {}", ran.first_line);
        }
        verdict::judge(config, &ran, &ctx.timeout_text())
    }
}
