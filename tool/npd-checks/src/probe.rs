//! Checks of a rule against the machine: its path (absolute, present, executable) and,
//! for an npd-checks plugin, its args and its own `--timeout`, asked of the plugin
//! itself with the hidden `--lint-args` flag every npd-checks plugin takes.
//!
//! `<path> <args...> --lint-args` prints `{"timeout_ms":4000}` and exits 0 when the
//! flags are good, or prints `bad flags: ...` and exits 2.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use npd_plugin::units::format_duration;

use crate::config::{local_path, Config, Rule, INSTALL_DIR};
use crate::exec;
use crate::finding::Findings;

/// How long a plugin gets to validate its flags.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What a rule's plugin said about its flags.
pub enum Probe {
    /// The flags are good; the plugin answers by this deadline.
    Accepted(Duration),
    Rejected(String),
    /// Not checked (not an npd-checks plugin, or no usable path).
    Skipped,
}

/// Checks the path of `rule` and asks its plugin about the args. `plugin_dir` stands
/// for the install dir.
pub fn check_rule(
    config: &Config,
    rule: &Rule,
    plugin_dir: Option<&Path>,
    findings: &mut Findings,
) -> Probe {
    let label = rule.label();
    let path = rule.path.as_str();
    if path.is_empty() {
        findings.fatal(label, "path is empty; NPD refuses to start");
        return Probe::Skipped;
    }
    if !path.starts_with('/') {
        findings.error(
            label,
            format!(
                "npd-checks policy: path {path:?} is not absolute (NPD accepts it and resolves \
                 it against its own working directory, or $PATH for a bare name, which differ \
                 between images); install plugins under {INSTALL_DIR}"
            ),
        );
        return Probe::Skipped;
    }
    let local = local_path(path, plugin_dir);
    let shown = if local.as_os_str() == path {
        path.to_string()
    } else {
        format!("{path} (checked as {})", local.display())
    };
    let meta = match std::fs::metadata(&local) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hint = if plugin_dir.is_none() && path.starts_with(INSTALL_DIR) {
                " (off the node, point --plugin-dir at a build: \
                 --plugin-dir target/x86_64-unknown-linux-gnu/release)"
            } else {
                ""
            };
            findings.fatal(
                label,
                format!("path {shown} does not exist; NPD refuses to start{hint}"),
            );
            return Probe::Skipped;
        }
        Err(e) => {
            findings.error(label, format!("path {shown}: {e}"));
            return Probe::Skipped;
        }
    };
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        let what = if meta.is_file() {
            "is not executable"
        } else {
            "is not a file"
        };
        findings.error(
            label,
            format!(
                "path {shown} {what}: every run is Unknown (\"{}\")",
                exec::START_ERROR
            ),
        );
        return Probe::Skipped;
    }
    if !is_npd_plugin(path) {
        findings.note(
            label,
            format!(
                "{path} is not an npd-checks plugin: its args and its own timeout are not checked"
            ),
        );
        return Probe::Skipped;
    }
    let probe = ask(&local, &rule.args);
    match &probe {
        Probe::Rejected(why) if why.starts_with("bad flags") => {
            findings.error(label, format!("args rejected by the plugin: {why}"))
        }
        Probe::Rejected(why) => findings.error(label, format!("{shown} {why}")),
        Probe::Accepted(own) => {
            if let Some(effective) = config.effective_timeout(rule) {
                if effective.is_positive() && *own >= effective.duration() {
                    findings.error(
                        label,
                        format!(
                            "npd-checks policy: the plugin's own --timeout {} is not below {} \
                             (NPD accepts it, but kills a slow plugin before it can say what \
                             it waited for; lower --timeout in args)",
                            format_duration(*own),
                            timeout_phrase(config, rule)
                        ),
                    );
                }
            }
        }
        Probe::Skipped => {}
    }
    probe
}

/// "the rule's timeout 3s" or "the global timeout 5s", whichever NPD applies.
pub fn timeout_phrase(config: &Config, rule: &Rule) -> String {
    let effective = config.effective_timeout(rule);
    let global = config.timeout.as_ref();
    match (effective, global) {
        (Some(e), Some(g)) if e.nanos < g.nanos => format!("the rule's timeout {}", e.text),
        (_, Some(g)) => format!("the global timeout {}", g.text),
        _ => "the rule's timeout".to_string(),
    }
}

/// Whether a rule's path names one of ours: `npd-<aspect>`, not the tool itself.
pub fn is_npd_plugin(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("npd-") && name != "npd-checks"
}

/// Runs `<plugin> <args...> --lint-args`, the flag placed before a `--`: what follows
/// one is not the plugin's own (npd-nagios passes it to the plugin it runs).
pub fn ask(plugin: &Path, args: &[String]) -> Probe {
    let mut argv = args.to_vec();
    let at = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
    argv.insert(at, "--lint-args".into());
    let ex = exec::run(plugin, &argv, PROBE_TIMEOUT);
    let line = String::from_utf8_lossy(crate::golang::trim_space(&ex.stdout)).into_owned();
    let first = line.lines().next().unwrap_or("").to_string();
    if let Some(e) = &ex.start_error {
        return Probe::Rejected(format!("cannot be run with --lint-args: {e}"));
    }
    match ex.exit {
        Some(exec::Exit::Code(0)) => {
            let parsed: Option<u64> = serde_json::from_str::<serde_json::Value>(&first)
                .ok()
                .and_then(|v| v.get("timeout_ms")?.as_u64());
            match parsed {
                Some(ms) => Probe::Accepted(Duration::from_millis(ms)),
                None => Probe::Rejected(format!(
                    "does not answer --lint-args as npd-checks plugins do (printed {first:?})"
                )),
            }
        }
        Some(exec::Exit::Code(2)) if first.starts_with("bad flags: ") => Probe::Rejected(first),
        other => Probe::Rejected(format!(
            "does not answer --lint-args as npd-checks plugins do ({}, printed {first:?})",
            match other {
                Some(exit) => exit.go_state(),
                None => "no exit status".to_string(),
            }
        )),
    }
}
