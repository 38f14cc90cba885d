//! The `npd-checks` command line: parses the subcommand, calls the library, prints and
//! exits (the only place that does).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use npd_checks::{finding, install, lint, run};

const ABOUT: &str = "Lint, dry-run and install node-problem-detector custom plugins";

const TOP_HELP: &str = "\
Examples:
  npd-checks lint --plugin-dir target/x86_64-unknown-linux-gnu/release npd-config/*.json
  npd-checks run /etc/npd/npd-disk.json
  npd-checks install --to /opt/npd-checks/bin

Exit codes: 0 success, 1 findings (lint) or a problem worth failing on (run),
2 usage error, unreadable file, unusable config or failed install.
`npd-checks <command> --help` details each command.";

const LINT_HELP: &str = "\
One line per finding, `FILE: WHERE: WHAT`, then a summary.

Errors: what NPD refuses to start on (JSON it cannot decode or a value of the wrong
type, a plugin other than \"custom\", a bad duration, a non-positive invoke_interval, a
rule timeout above the global one, a path that does not exist, a permanent rule without
a default condition) and what NPD accepts but then mishandles (unknown keys, which it
ignores: a misspelt \"timout\" means the default; duplicate keys; concurrency 0, so
nothing ever runs; a zero or negative timeout, Unknown forever; a timeout not below
invoke_interval; a plugin whose own --timeout is not below the rule's, so NPD kills it
first; args the plugin rejects; a relative or non-executable path; a condition type
claimed by two configs or set by two permanent rules; the kubelet's condition types).
Warnings (`warning:`): the conventions of npd-checks configs (CamelCase condition types
and reasons, \"source\" equal to the file name, NPD's own condition types, a default
condition no rule sets, keys matched only because Go ignores case).
Notes (`note:`) are information and never fail the lint.

Paths are checked as they are on a node. Off the node, --plugin-dir names a build
directory that stands in for /opt/npd-checks/bin; a missing binary is an error either
way, since NPD refuses to start without it. npd-checks plugins (npd-*) are asked about
their args with `<path> <args...> --lint-args`; other executables are not (a note says
so).

Examples:
  npd-checks lint /etc/npd/*.json
  npd-checks lint --plugin-dir target/x86_64-unknown-linux-gnu/release npd-config/*.json

Exit codes: 0 no error or warning, 1 at least one, 2 usage error or unreadable file.";

const RUN_HELP: &str = "\
Each rule runs as NPD runs it: the path exec'd directly with its args (no shell), the
environment and working directory inherited, stdin from /dev/null, a process group of
its own; at the effective timeout (the rule's if below the global one) SIGKILL to the
process group and NPD's \"Timeout when running plugin\" message; the first 4096 bytes of
stdout, trimmed and cut to max_output_length bytes; exit 0 OK (condition False), 1 NonOK
(True), anything else Unknown.

Then what NPD would produce: the Conditions as `kubectl describe node` shows them, the
Events (temporary rules answering NonOK or Unknown, condition changes) and the
problem_counter / problem_gauge lines of NPD's Prometheus endpoint.

Configs are linted first; one that NPD refuses to start with is not run. A config's rules
run concurrently up to its concurrency and their results are applied in config order
(NPD applies them as they finish), so the output is deterministic. A plugin that leaves a
process holding its stdout after the timeout kill would block NPD's monitor: that is
reported, and the process is killed after a grace of 1s instead of waited for.

Examples:
  npd-checks run --plugin-dir target/x86_64-unknown-linux-gnu/release npd-config/npd-disk.json
  npd-checks run --rounds 3 --fail-on-problem /etc/npd/npd-disk.json

Exit codes: 0 every rule answered, whatever its verdict; 1 a rule would block NPD's
monitor, or --fail-on-problem and a condition is not False or a Warning event was
emitted; 2 usage error, unreadable file, or a config NPD refuses to start with.";

const INSTALL_HELP: &str = "\
Copies every npd-* executable of --from (default: the directory of this npd-checks,
which it includes) into --to, creating it. Each file is written under a temporary name
in --to, synced, made 0755 and renamed into place, so NPD never runs half a binary.
One line per file. This is what the initContainer of an image built FROM scratch runs
(there is no cp there).

Example:
  npd-checks install --to /opt/npd-checks/bin

Exit codes: 0 installed, 2 usage error, --from holds no npd-* executable, or a file
could not be installed.";

#[derive(Parser)]
#[command(name = "npd-checks", version, about = ABOUT, after_help = TOP_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report what NPD would reject or silently mishandle in configs.
    #[command(after_help = LINT_HELP)]
    Lint {
        /// A directory holding the plugins, standing in for /opt/npd-checks/bin.
        #[arg(long, value_name = "DIR")]
        plugin_dir: Option<PathBuf>,
        /// NPD custom-plugin-monitor configs, judged together.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Run every rule once with NPD's semantics; print Conditions, Events, metrics.
    #[command(after_help = RUN_HELP)]
    Run {
        /// A directory holding the plugins, standing in for /opt/npd-checks/bin.
        #[arg(long, value_name = "DIR")]
        plugin_dir: Option<PathBuf>,
        /// Run the rules this many times back to back (NPD waits invoke_interval between
        /// rounds), to see transitions and counters move.
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u32).range(1..=100))]
        rounds: u32,
        /// Exit 1 when a condition ends True or Unknown or a Warning event was emitted.
        #[arg(long)]
        fail_on_problem: bool,
        /// NPD custom-plugin-monitor configs.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Copy the npd-* executables into a directory, atomically per file.
    #[command(after_help = INSTALL_HELP)]
    Install {
        /// The directory to install into (created if missing).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// The directory holding the executables [default: this executable's directory]
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint { plugin_dir, files } => lint_command(&files, plugin_dir),
        Command::Run {
            plugin_dir,
            rounds,
            fail_on_problem,
            files,
        } => {
            let opts = run::Options {
                plugin_dir,
                rounds,
                fail_on_problem,
            };
            match run::run(&files, &opts) {
                Ok(outcome) => {
                    print!("{}", outcome.text);
                    outcome.code
                }
                Err(e) => usage(&e),
            }
        }
        Command::Install { to, from } => install_command(&to, from),
    };
    ExitCode::from(code as u8)
}

fn usage(message: &str) -> i32 {
    eprintln!("npd-checks: {message}");
    2
}

fn lint_command(files: &[PathBuf], plugin_dir: Option<PathBuf>) -> i32 {
    let linted = match lint::lint(files, plugin_dir.as_deref()) {
        Ok(l) => l,
        Err(e) => return usage(&e),
    };
    for f in &linted.findings {
        println!("{f}");
    }
    println!("{}", finding::summary(&linted.findings, files.len()));
    i32::from(linted.findings.iter().any(|f| f.counts()))
}

fn install_command(to: &std::path::Path, from: Option<PathBuf>) -> i32 {
    let from = match from.map_or_else(install::own_dir, Ok) {
        Ok(dir) => dir,
        Err(e) => return usage(&e),
    };
    let result = install::install(&from, to, |i| {
        println!(
            "installed {} ({} bytes) -> {}",
            i.name,
            i.bytes,
            i.to.display()
        );
    });
    match result {
        Ok(n) => {
            println!("{n} files installed into {}", to.display());
            0
        }
        Err(e) => usage(&e),
    }
}
