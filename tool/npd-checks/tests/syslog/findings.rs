//! What `lint` finds in system log monitor configs: patterns Go cannot compile or
//! that cannot work under NPD's anchor, unknown or misconfigured watchers, settings
//! a watcher ignores, a misspelt key, '%' in event text, and log conditions an NPD
//! restart loses.

use serde_json::json;

use crate::common::{fixtures, run_in};
use crate::{finds, fixture, lint_as, LIMIT, ONE_ERROR, ONE_FATAL};

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
