//! The `npd-checks` command line: parses the subcommand, calls the library, prints and
//! exits (the only place that does).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use npd_checks::version::{self, NpdVersion};
use npd_checks::{drain, finding, install, lint, prune, run};

const ABOUT: &str = "Lint, dry-run and install node-problem-detector plugins and configs";

const TOP_HELP: &str = "\
Examples:
  npd-checks lint --plugin-dir target/x86_64-unknown-linux-gnu/release npd-config/*.json
  npd-checks run /etc/npd/npd-disk.json
  npd-checks install --to /opt/npd-checks/bin
  npd-checks prune --dry-run --kubeconfig ~/.kube/config --node n1 /etc/npd/*.json

Exit codes: 0 success, 1 findings (lint) or a problem worth failing on (run),
2 usage error, unreadable file, unusable config or failed install.
`npd-checks <command> --help` details each command.";

const LINT_HELP: &str = "\
One line per finding, `FILE: WHERE: WHAT`, then a summary.

Which monitor reads a file is told by its \"plugin\": \"custom\" is a custom plugin
monitor (NPD's --config.custom-plugin-monitor); \"kmsg\", \"journald\" or \"filelog\" a
system log monitor (--config.system-log-monitor), judged with the system log monitor's
rules: its log watcher's settings, Go regular expressions in the rules' \"pattern\" (Go's
RE2 syntax; NPD appends \\z and matches the last bufferSize lines joined by line
breaks). A file naming neither is refused as NPD refuses it, judged as the kind its keys
show (logPath, lookback or rules with a \"pattern\": a system log monitor).

Every finding says whose rule it is:
- errors NPD refuses to start on say \"NPD refuses to start\" (or that it crashes or
  exits): JSON it cannot decode, a value of the wrong type, an unknown \"plugin\", a bad
  duration, a pattern Go does not compile, a missing plugin path...
- errors NPD accepts and then mishandles say what NPD does: unknown keys (ignored: a
  misspelt \"timout\" means the default), settings the NPD release linted for ignores (a
  rule's own invoke_interval, up to v1.37.0-alpha.1), duplicate keys, concurrency 0,
  non-positive timeouts, a log monitor that cannot start (NPD runs without it), '%' in
  text NPD puts in Events (the event recorder reads it as a format string), patterns
  that cannot match as meant, a condition claimed by two configs...
- \"npd-checks policy\" and \"npd-checks convention\" findings are stricter than NPD, and
  say why: a timeout not below its invoke_interval, a plugin --timeout not below the
  rule's, a relative path, names not in CamelCase, \"source\" other than the file name,
  and (with --drain-conditions) drain-worthy conditions an NPD restart resets.
Warnings (`warning:`) are conventions and policies NPD copes with; notes (`note:`) are
information and never fail the lint.

--npd-version names the NPD release the configs are for (default: the one the shipped
manifests deploy). --drain-conditions names draino's Deployment manifest (the node
conditions among its container args, e.g. manifests/addons/draino/deployment.yaml) or a
comma list of condition types; configs with those conditions are checked for what an
NPD restart (every ConfigMap change) does to them.

Paths are checked as they are on a node. Off the node, --plugin-dir names a build
directory that stands in for /opt/npd-checks/bin; a missing binary is an error either
way, since NPD refuses to start without it. npd-checks plugins (npd-*) are asked about
their args with `<path> <args...> --lint-args`; other executables are not (a note says
so). A log monitor's logPath is not checked: it is a path of the node.

Examples:
  npd-checks lint /etc/npd/*.json
  npd-checks lint --plugin-dir target/x86_64-unknown-linux-gnu/release \\
    --drain-conditions manifests/addons/draino/deployment.yaml npd-config/*.json

Exit codes: 0 no error or warning, 1 at least one, 2 usage error or unreadable file.";

const RUN_HELP: &str = "\
Custom plugin monitors: each rule runs as NPD runs it: the path exec'd directly with its
args (no shell), the environment and working directory inherited, stdin from /dev/null,
a process group of its own; at the effective timeout (the rule's if below the global
one) SIGKILL to the process group and NPD's \"Timeout when running plugin\" message; the
first 4096 bytes of stdout, trimmed and cut to max_output_length bytes; exit 0 OK
(condition False), 1 NonOK (True), anything else Unknown. A config's rules run
concurrently up to its concurrency, and their results are applied in config order: NPD
applies them as they finish, and what it may then show differently (a problem_gauge
series of a condition's default reason, a condition two rules set) is listed after the
metrics. --rounds N runs every rule N times, back to back; with an NPD release that
honours a rule's own invoke_interval (--npd-version v1.37.0 and later), each rule runs
N times at its own interval, in the order of those (simulated) times.

System log monitors: their default conditions are published False, as NPD does at
start. Their events and condition changes come from log lines: --log-lines FILE (or -
for standard input) gives lines, each passed through the config's log watcher (kmsg and
journald trim it; filelog applies skipList and the timestamp and message expressions,
but not the timestamp's time) and matched as NPD matches: each rule's pattern with \\z
appended, against the last bufferSize lines joined by line breaks.

Then what NPD would produce: the Conditions as `kubectl describe node` shows them, the
Events and the problem_counter / problem_gauge lines of NPD's Prometheus endpoint.

Configs are linted first; one that NPD refuses to start with is not run. A plugin that
leaves a process holding its stdout after the timeout kill would block NPD's monitor:
that is reported, and the process is killed after a grace of 1s instead of waited for.

Examples:
  npd-checks run --plugin-dir target/x86_64-unknown-linux-gnu/release npd-config/npd-disk.json
  npd-checks run --rounds 3 --fail-on-problem /etc/npd/npd-disk.json
  dmesg --notime | npd-checks run --log-lines - npd-config/kernel-monitor.json

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

const PRUNE_HELP: &str = "\
NPD never deletes a node condition: remove a rule or a config and its condition stays
on the Node with its last status, and a True there keeps draino or an alert acting on
a check that no longer exists. prune removes exactly those, before NPD starts (the
DaemonSet's initContainer), given every config the DaemonSet's NPDs load.

How it knows a condition is its own: each start records the condition types the
configs claim now (their \"conditions\" and their permanent rules' \"condition\") in
the node's state directory, under --owner (the DaemonSet: the base and each role keep
their own record). A type is removed when this owner's record names it, the configs
no longer claim it, no other owner's record claims it, and it is not the kubelet's
(Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable). So it never
removes another controller's condition, nor one it cannot prove it set. The first run
on a node has no record: it records and removes nothing. A rollback to configs with
fewer conditions removes the newer ones, which nothing would update any more.

The node is read (GET), then its status patched with a strategic merge patch deleting
those conditions by type, with the resourceVersion read as a precondition; a node
changed in between (409 Conflict) is read again, up to 5 times.

Errors that are not its business never keep NPD from starting: an apiserver that
cannot be reached or refuses (401, 403 with the RBAC rule to add, 404), an unreadable
config (NPD will say why), a broken state directory: it says why on stderr, removes
nothing and exits 0. NPD then starts as it always did; the stale conditions wait for
the next start, and the record keeps them (it only grows until a patch succeeds).
Failing the initContainer would instead leave the node without any node problem
detection, for a cleanup that can wait.

--dry-run removes and records nothing, and prints what it would remove as `kubectl
describe node` shows conditions; for a person, it exits 2 on any error.

Access: in-cluster (the pod's service-account token and CA, $KUBERNETES_SERVICE_HOST
and $KUBERNETES_SERVICE_PORT) unless --kubeconfig names a kubeconfig (its current
context: token, token file or client certificate). RBAC: get nodes, patch
nodes/status.

Examples:
  npd-checks prune --node \"$NODE_NAME\" /config/npd-checks/npd-disk.json ...
  npd-checks prune --dry-run --kubeconfig ~/.kube/config --node n1 \\
    --state-dir /var/lib/npd-checks npd-config/npd-disk.json

Exit codes: 0 done, or nothing removed for a reason said on stderr; 2 usage error, or
with --dry-run any error.";

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
        /// The NPD release the configs are for.
        #[arg(long, value_name = "VERSION", default_value = version::DEPLOYED,
              value_parser = NpdVersion::parse)]
        npd_version: NpdVersion,
        /// draino's Deployment manifest, or a comma list of drain-worthy condition types.
        #[arg(long, value_name = "FILE|TYPES", value_parser = drain::parse)]
        drain_conditions: Option<drain::DrainWorthy>,
        /// NPD configs (custom plugin monitors, system log monitors), judged together.
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
        /// The NPD release the configs are for.
        #[arg(long, value_name = "VERSION", default_value = version::DEPLOYED,
              value_parser = NpdVersion::parse)]
        npd_version: NpdVersion,
        /// Log lines for the system log monitors to match (`-`: standard input).
        #[arg(long, value_name = "FILE")]
        log_lines: Option<String>,
        /// NPD configs (custom plugin monitors, system log monitors).
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
    /// Remove from this node the conditions its configs no longer claim.
    #[command(after_help = PRUNE_HELP)]
    Prune {
        /// This node's name (the DaemonSet sets NODE_NAME from spec.nodeName).
        #[arg(long, value_name = "NAME", env = "NODE_NAME", value_parser = node_name)]
        node: String,
        /// The DaemonSet whose configs these are; its record is kept under this name.
        #[arg(long, value_name = "NAME", env = "NPD_CHECKS_OWNER", default_value = "npd-checks",
              value_parser = prune::claims::check_owner)]
        owner: String,
        /// The node's state directory (a hostPath), where the records are kept.
        #[arg(
            long,
            value_name = "DIR",
            env = "NPD_CHECKS_STATE_DIR",
            default_value = "/var/lib/npd-checks"
        )]
        state_dir: PathBuf,
        /// A kubeconfig (its current context) instead of the in-cluster service account.
        #[arg(long, value_name = "PATH")]
        kubeconfig: Option<PathBuf>,
        /// Print what would be removed; remove and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// The time allowed for everything (the record's lock, every request).
        #[arg(long, value_name = "DURATION", default_value = "10s",
              value_parser = npd_plugin::units::parse_duration)]
        timeout: std::time::Duration,
        /// Every config the DaemonSet's NPDs load (custom plugin and system log monitors).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint {
            plugin_dir,
            npd_version,
            drain_conditions,
            files,
        } => {
            let opts = lint::Options {
                plugin_dir,
                version: npd_version,
                drain: drain_conditions.map(|d| d.0),
            };
            lint_command(&files, &opts)
        }
        Command::Run {
            plugin_dir,
            rounds,
            fail_on_problem,
            npd_version,
            log_lines,
            files,
        } => {
            let opts = run::Options {
                plugin_dir,
                rounds,
                fail_on_problem,
                version: npd_version,
                log_lines,
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
        Command::Prune {
            node,
            owner,
            state_dir,
            kubeconfig,
            dry_run,
            timeout,
            files,
        } => prune_command(&prune::Options {
            files,
            node,
            owner,
            state_dir,
            access: kubeconfig
                .map_or_else(kube_api::Access::in_cluster, kube_api::Access::Kubeconfig),
            dry_run,
            timeout,
        }),
    };
    ExitCode::from(code as u8)
}

fn usage(message: &str) -> i32 {
    eprintln!("npd-checks: {message}");
    2
}

fn lint_command(files: &[PathBuf], opts: &lint::Options) -> i32 {
    let linted = match lint::lint(files, opts) {
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

/// A node name as the API writes it: it becomes part of a request's path.
fn node_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !text.starts_with('.');
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!("{text:?} is not a node name"))
    }
}

fn prune_command(opts: &prune::Options) -> i32 {
    match prune::prune(opts) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(why) if opts.dry_run => usage(&format!("prune: {why}")),
        Err(why) => {
            eprintln!("npd-checks prune: nothing removed: {why}");
            0
        }
    }
}
