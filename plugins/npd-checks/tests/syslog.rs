//! System log monitor configs (`"plugin"` kmsg, journald, filelog) end to end: clean
//! fixtures under `tests/fixtures/syslog/`, one broken variant per finding (made from a
//! fixture in a temporary directory, the file keeping its name), and `run` with and
//! without `--log-lines`.
//!
//! Where a new test belongs: a new system log monitor finding or `--log-lines`
//! behaviour goes here; custom plugin monitor findings in `lint.rs`.

mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use common::npd::{events, metrics, status};
use common::{fixtures, run_in, run_with_input, Out};

const LIMIT: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures("syslog").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Writes `config` as `name` into `dir` and lints it.
fn lint_as(dir: &Path, name: &str, config: &Value, extra: &[&str]) -> Out {
    std::fs::write(
        dir.join(name),
        serde_json::to_string_pretty(config).unwrap(),
    )
    .unwrap();
    let mut args = vec!["lint"];
    args.extend_from_slice(extra);
    args.push(name);
    run_in(dir, &args, LIMIT)
}

/// Asserts that the kernel-monitor fixture changed by `change` lints to exactly
/// `finding` (then `summary`).
fn finds(change: impl FnOnce(&mut Value), finding: &str, summary: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = fixture("kernel-monitor.json");
    change(&mut config);
    let out = lint_as(tmp.path(), "kernel-monitor.json", &config, &[]);
    assert_eq!(
        out.stdout,
        format!("kernel-monitor.json: {finding}\n{summary}\n"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 1);
}

const ONE_ERROR: &str = "1 file: 1 error, 0 warnings";
const ONE_FATAL: &str = "1 file: 1 error (1 that NPD refuses to start on), 0 warnings";

#[test]
fn clean_kmsg_journald_and_filelog_configs() {
    for name in [
        "kernel-monitor.json",
        "journald-monitor.json",
        "filelog-monitor.json",
    ] {
        let out = run_in(&fixtures("syslog"), &["lint", name], LIMIT);
        assert_eq!(out.stdout, "1 file: 0 errors, 0 warnings\n", "{name}");
        assert_eq!(out.code, 0, "{name}");
    }
}

#[test]
fn a_pattern_go_does_not_compile_stops_npd() {
    finds(
        |c| c["rules"][1]["pattern"] = json!("task [\\S+:\\d+ blocked"),
        "rules[1] (reason TaskHung): pattern \"task [\\\\S+:\\\\d+ blocked\" does not compile in \
         Go (error parsing regexp: missing closing ]: `[\\S+:\\d+ blocked`); NPD refuses to start",
        ONE_FATAL,
    );
    finds(
        |c| c["rules"][1]["pattern"] = json!("task (?=containerd)"),
        "rules[1] (reason TaskHung): pattern \"task (?=containerd)\" does not compile in Go \
         (error parsing regexp: invalid or unsupported Perl syntax: `(?=`); NPD refuses to start",
        ONE_FATAL,
    );
}

#[test]
fn an_unknown_log_watcher_stops_npd() {
    finds(
        |c| c["plugin"] = json!("kmesg"),
        "plugin: plugin \"kmesg\" is no log watcher of NPD (kmsg, journald, filelog; a custom \
         plugin monitor says \"custom\"): NPD exits at start",
        ONE_FATAL,
    );
}

#[test]
fn bad_watcher_settings_stop_npd() {
    finds(
        |c| c["lookback"] = json!("5 m"),
        "lookback: lookback: unknown unit \" m\" in duration \"5 m\"; NPD exits when it \
         creates the log watcher",
        ONE_FATAL,
    );
    finds(
        |c| c["bufferSize"] = json!(-1),
        "bufferSize: bufferSize -1 is negative: NPD crashes at start",
        ONE_FATAL,
    );
}

#[test]
fn a_permanent_rule_without_a_default_condition_changes_nothing() {
    // Unlike a custom plugin monitor, NPD starts with it.
    finds(
        |c| c["rules"][3]["condition"] = json!("ReadOnlyFS"),
        "conditions[1] (type ReadonlyFilesystem): warning: no permanent rule sets \
         ReadonlyFilesystem: it stays False forever\n\
         kernel-monitor.json: rules[3] (condition ReadOnlyFS): no default condition for \
         \"ReadOnlyFS\" in \"conditions\": NPD starts, but a match of this rule changes nothing \
         (no condition, no Event)",
        "1 file: 1 error, 1 warning",
    );
}

#[test]
fn patterns_that_cannot_work_under_npds_anchor() {
    finds(
        |c| c["rules"][1]["pattern"] = json!("task hung|blocked for more than \\d+ seconds"),
        "rules[1] (reason TaskHung): pattern \"task hung|blocked for more than \\\\d+ seconds\" \
         has a top-level |: NPD appends \\z to the whole pattern, so only its last alternative \
         must end the newest line; the others match anywhere in the last 10 lines, again for \
         each new line; write (?:task hung|blocked for more than \\d+ seconds)",
        ONE_ERROR,
    );
    finds(
        |c| c["rules"][3]["pattern"] = json!("^Remounting filesystem read-only"),
        "rules[3] (condition ReadonlyFilesystem): pattern \"^Remounting filesystem read-only\" \
         never matches: ^ (without (?m)) or \\A is the start of the 10 lines NPD matches \
         against, joined by line breaks the pattern cannot match; use (?m)^ for the start of a \
         line",
        ONE_ERROR,
    );
    finds(
        |c| c["rules"][0]["pattern"] = json!("(Out of memory.*)?"),
        "rules[0] (reason OOMKilling): pattern \"(Out of memory.*)?\" matches the empty string, \
         so it matches at the end of every log line",
        ONE_ERROR,
    );
    finds(
        |c| c["rules"][3]["pattern"] = json!("\\QRemounting filesystem read-only"),
        "rules[3] (condition ReadonlyFilesystem): pattern \"\\\\QRemounting filesystem \
         read-only\" ends inside \\Q...: the \\z NPD appends is quoted too, so the rule matches \
         only lines ending in a literal \\z; close it with \\E",
        ONE_ERROR,
    );
}

#[test]
fn settings_the_watcher_ignores() {
    finds(
        |c| c["skipList"] = json!(["audit:"]),
        "skipList: skipList is applied only by the filelog watcher: NPD ignores it for kmsg",
        ONE_ERROR,
    );
    finds(
        |c| c["pluginConfig"] = json!({"source": "kernel"}),
        "pluginConfig: key \"source\" is ignored: the kmsg watcher reads no pluginConfig",
        ONE_ERROR,
    );
    finds(
        |c| c["logPath"] = json!("/var/log/kern.log"),
        "logPath: warning: the kmsg watcher always reads /dev/kmsg: logPath \
         \"/var/log/kern.log\" is ignored",
        "1 file: 0 errors, 1 warning",
    );
}

#[test]
fn watchers_that_cannot_start_leave_npd_without_the_monitor() {
    let tmp = tempfile::tempdir().unwrap();
    let mut journald = fixture("journald-monitor.json");
    journald["pluginConfig"] = json!({"Source": "containerd"});
    let out = lint_as(tmp.path(), "journald-monitor.json", &journald, &[]);
    assert_eq!(
        out.stdout,
        "journald-monitor.json: pluginConfig: key \"Source\" is ignored: the journald watcher \
         reads only source (did you mean \"source\"? keys of pluginConfig are exact)\n\
         journald-monitor.json: pluginConfig: the journald watcher needs pluginConfig.source, \
         the SYSLOG_IDENTIFIER to follow: NPD logs \"Failed to start problem daemon\" and runs \
         without this monitor: none of its conditions is ever published\n\
         1 file: 2 errors, 0 warnings\n"
    );
    let mut filelog = fixture("filelog-monitor.json");
    filelog.as_object_mut().unwrap().remove("logPath");
    filelog["pluginConfig"]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let out = lint_as(tmp.path(), "filelog-monitor.json", &filelog, &[]);
    assert_eq!(
        out.stdout,
        "filelog-monitor.json: logPath: the filelog watcher needs logPath: NPD logs \"Failed to \
         start problem daemon\" and runs without this monitor: none of its conditions is ever \
         published\n\
         filelog-monitor.json: pluginConfig: pluginConfig.message is missing: NPD logs \"Failed \
         to validate plugin configuration\" and starts, but every log message is empty\n\
         1 file: 2 errors, 0 warnings\n"
    );
    filelog = fixture("filelog-monitor.json");
    filelog["pluginConfig"]["timestamp"] = json!("^(.{15}");
    let out = lint_as(tmp.path(), "filelog-monitor.json", &filelog, &[]);
    assert!(
        out.stdout.contains(
            "pluginConfig.timestamp \"^(.{15}\" does not compile in Go (error parsing regexp: \
             missing closing ): `^(.{15}`): NPD crashes at start"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn percent_in_text_npd_puts_in_events() {
    finds(
        |c| c["rules"][0]["patternGeneratedMessageSuffix"] = json!("free 10% of memory"),
        "rules[0] (reason OOMKilling): patternGeneratedMessageSuffix \"free 10% of memory\" has \
         a '%': NPD passes Event messages to the Kubernetes event recorder as a format string, \
         so the Event reads \"free 10%!o(MISSING)f memory\"",
        ONE_ERROR,
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut config = fixture("kernel-monitor.json");
    config["rules"][3]["reason"] = json!("Disk%Full");
    config["conditions"][1]["message"] = json!("0% read-only");
    let out = lint_as(tmp.path(), "kernel-monitor.json", &config, &[]);
    assert!(out.stdout.contains(
        "rules[3] (condition ReadonlyFilesystem): the reason \"Disk%Full\" has a '%': NPD passes \
         Event messages to the Kubernetes event recorder as a format string, so the Event reads \
         \"Disk%!F(MISSING)ull\""
    ));
    assert!(
        out.stdout.contains(
            "conditions[1] (type ReadonlyFilesystem): note: the default message \"0% read-only\" \
             has a '%': harmless here (a system log monitor's conditions return to their \
             defaults only at NPD's start, without an Event)"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn a_drain_worthy_log_condition_is_lost_at_a_restart_unless_the_lookback_reaches_boot() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = fixture("kernel-monitor.json");
    let drain = ["--drain-conditions", "KernelDeadlock,DiskReadOnly"];
    let out = lint_as(tmp.path(), "kernel-monitor.json", &config, &drain);
    assert_eq!(
        out.stdout,
        "kernel-monitor.json: lookback: warning: npd-checks policy: drain-worthy KernelDeadlock \
         can be cleared for good: after an NPD restart (each ConfigMap change restarts NPD on \
         every node) a system log monitor publishes every default condition False and sets \
         KernelDeadlock True again only from a matching line logged within lookback 5m before \
         its start (or after it), taking the line's time as lastTransitionTime; a line older \
         than that is not read again, and draino never drains; set a lookback longer than any \
         node's uptime (87600h) to re-read the log since boot\n1 file: 0 errors, 1 warning\n"
    );
    config["lookback"] = json!("87600h");
    let out = lint_as(tmp.path(), "kernel-monitor.json", &config, &drain);
    assert!(
        out.stdout.starts_with(
            "kernel-monitor.json: lookback: note: drain-worthy KernelDeadlock: after an NPD \
             restart"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 0);
}

#[test]
fn run_shows_the_conditions_npd_publishes_and_where_events_come_from() {
    let out = run_in(&fixtures("syslog"), &["run", "kernel-monitor.json"], LIMIT);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains(
        "kernel-monitor.json: a kmsg monitor: its conditions are published at NPD's start \
         (below); its events and condition changes come from the kernel log (/dev/kmsg) (try \
         lines with --log-lines FILE)"
    ));
    assert_eq!(
        status(&out, "KernelDeadlock"),
        (
            "False".into(),
            "KernelHasNoDeadlock".into(),
            "kernel has no deadlock".into()
        )
    );
    assert!(out.stdout.contains("Events:  <none>"));
}

const KERNEL_LINES: &str = "\
hello
Out of memory: Killed process 42 (java) total-vm:1kB 95%full

INFO: task containerd:77 blocked for more than 120 seconds.
first half of a storm
second half of it
INFO: task containerd:78 blocked for more than 120 seconds.
";

#[test]
fn run_matches_log_lines_as_npd_does() {
    let out = run_with_input(
        &fixtures("syslog"),
        &["run", "--log-lines", "-", "kernel-monitor.json"],
        Some(KERNEL_LINES),
        LIMIT,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let s = &out.stdout;
    assert!(s.contains(
        "kernel-monitor.json line 2: rules[0] (reason OOMKilling) matched \"Out of memory: \
         Killed process 42 (java) total-vm:1kB 95%full\""
    ));
    // A pattern spanning two lines reports both.
    assert!(s.contains(
        "kernel-monitor.json line 6: rules[4] (reason SplitLockStorm) matched \"first half of a \
         storm\\nsecond half of it\""
    ));
    // The condition keeps the message of the match that set it.
    assert_eq!(
        status(&out, "KernelDeadlock"),
        (
            "True".into(),
            "ContainerdHung".into(),
            "INFO: task containerd:77 blocked for more than 120 seconds.".into()
        )
    );
    let events = events(&out);
    assert!(events.contains("kernel-monitor  Out of memory: Killed process 42 (java) total-vm:1kB 95%!f(MISSING)ull"), "{events}");
    assert_eq!(
        events
            .matches("Node condition KernelDeadlock is now: True")
            .count(),
        1
    );
    let m = metrics(&out);
    assert!(
        m.contains("problem_counter{reason=\"TaskHung\"} 2\n"),
        "{m}"
    );
    assert!(m.contains("problem_counter{reason=\"ContainerdHung\"} 1\n"));
    assert!(m.contains("problem_gauge{reason=\"ContainerdHung\",type=\"KernelDeadlock\"} 1\n"));
    // A system log monitor never sets its default reason's series.
    assert!(!m.contains("KernelHasNoDeadlock"), "{m}");
}

#[test]
fn an_unanchored_alternative_matches_one_line_again_and_again() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = fixture("kernel-monitor.json");
    config["bufferSize"] = json!(3);
    config["rules"] = json!([{"type": "temporary", "reason": "Oops", "pattern": "Oops|BUG: .*"}]);
    config["conditions"] = json!([]);
    std::fs::write(tmp.path().join("kernel-monitor.json"), config.to_string()).unwrap();
    std::fs::write(
        tmp.path().join("lines"),
        "Oops: 0002\nnext\nand next\nlast\n",
    )
    .unwrap();
    let out = run_in(
        tmp.path(),
        &["run", "--log-lines", "lines", "kernel-monitor.json"],
        LIMIT,
    );
    // Lint says so, and run shows it: the line matches until it leaves the 3-line buffer.
    assert!(out.stdout.contains("has a top-level |"), "{}", out.stdout);
    assert!(metrics(&out).contains("problem_counter{reason=\"Oops\"} 3\n"));
}

#[test]
fn a_filelog_watcher_drops_what_it_cannot_translate() {
    let lines = "\
Jan  2 15:04:05 node kernel: [ 12.5] EXT4-fs error (device sda1): bad block
Jan  2 15:04:06 node kernel: audit: type=1400 EXT4-fs error (device sdb)
garbage
";
    let out = run_with_input(
        &fixtures("syslog"),
        &["run", "--log-lines", "-", "filelog-monitor.json"],
        Some(lines),
        LIMIT,
    );
    let s = &out.stdout;
    // The message is the last group the message expression captures.
    assert!(
        s.contains(
            "filelog-monitor.json line 1: rules[0] (reason Ext4Error) matched \"EXT4-fs error \
             (device sda1): bad block\""
        ),
        "{s}"
    );
    assert!(s.contains(
        "filelog-monitor.json line 2: dropped by the filelog watcher (skipList entry \"audit:\")"
    ));
    assert!(
        s.contains("filelog-monitor.json line 3: dropped by the filelog watcher (no timestamp)")
    );
    assert!(events(&out)
        .contains("EXT4-fs error (device sda1): bad block; see the node's fsck runbook"));
}

#[test]
fn a_misspelt_key_is_ignored_as_go_ignores_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = fixture("kernel-monitor.json");
    let rule = config["rules"][1].as_object_mut().unwrap();
    let pattern = rule.remove("pattern").unwrap();
    rule.insert("patern".into(), pattern);
    let out = lint_as(tmp.path(), "kernel-monitor.json", &config, &[]);
    assert_eq!(
        out.stdout,
        "kernel-monitor.json: rules[1] (reason TaskHung): unknown key \"patern\" (did you mean \
         \"pattern\"?): NPD ignores it, so \"pattern\" is empty, which matches every line\n\
         kernel-monitor.json: rules[1] (reason TaskHung): pattern \"\" matches the empty string, \
         so it matches at the end of every log line\n1 file: 2 errors, 0 warnings\n"
    );
}
