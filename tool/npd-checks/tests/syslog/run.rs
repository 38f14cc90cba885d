//! `run` on system log monitor configs: the conditions NPD publishes, and log lines
//! (`--log-lines`) matched as NPD matches them, whatever the watcher.

use serde_json::json;

use crate::common::npd::{events, metrics, status};
use crate::common::{fixtures, run_in, run_with_input};
use crate::{fixture, LIMIT};

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
