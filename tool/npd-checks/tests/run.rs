//! `npd-checks run` end to end, how plugins are run: small `#!/bin/sh` plugins in a
//! fresh temporary directory per test for the exit-code mapping, the byte cut, the
//! 4096-byte read, timeouts and process groups, a plugin that would block NPD, and
//! concurrency.
//!
//! Where a new test belongs: how a plugin is run and what NPD reads of it goes here;
//! what NPD then does with the result (conditions, events, metrics) in
//! `conditions.rs`; config findings in `lint/`.

mod common;

use std::path::Path;
use std::time::Duration;

use npd_test_support::gone_within;
use serde_json::{json, Value};

use common::npd::{config, permanent, run, status};
use common::{read_pid, script};

#[test]
fn exit_codes_map_to_ok_nonok_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = vec![
        permanent(
            "A",
            "ABroken",
            &script(d, "ok.sh", "echo 'all good'; exit 0"),
        ),
        permanent(
            "B",
            "BBroken",
            &script(d, "nonok.sh", "echo broken; exit 1"),
        ),
        permanent("C", "CBroken", &script(d, "three.sh", "echo odd; exit 3")),
        permanent(
            "D",
            "DBroken",
            &script(d, "sig.sh", "echo 'about to die'; kill -9 $$"),
        ),
    ];
    let conds = [
        ("A", "AIsFine", "a is fine"),
        ("B", "BIsFine", "b is fine"),
        ("C", "CIsFine", "c is fine"),
        ("D", "DIsFine", "d is fine"),
    ];
    config(d, "codes", json!({}), &conds, rules);
    let out = run(d, &["codes.json"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let s = &out.stdout;
    assert!(
        s.contains("rules[0] (condition A): exit status 0 after"),
        "{s}"
    );
    assert!(s.contains("-> OK \"all good\""), "{s}");
    assert!(s.contains("-> NonOK \"broken\""), "{s}");
    assert!(
        s.contains("rules[2] (condition C): exit status 3 after"),
        "{s}"
    );
    assert!(s.contains("-> Unknown \"odd\""), "{s}");
    assert!(
        s.contains("rules[3] (condition D): signal: killed after"),
        "{s}"
    );
    assert!(s.contains("-> Unknown \"about to die\""), "{s}");
    let st = |t| status(&out, t);
    assert_eq!(
        st("A"),
        ("False".into(), "AIsFine".into(), "a is fine".into())
    );
    assert_eq!(st("B"), ("True".into(), "BBroken".into(), "broken".into()));
    assert_eq!(st("C"), ("Unknown".into(), "CIsFine".into(), "odd".into()));
    assert_eq!(
        st("D"),
        ("Unknown".into(), "DIsFine".into(), "about to die".into())
    );

    let strict = run(d, &["--fail-on-problem", "codes.json"]);
    assert_eq!(strict.code, 1);
}

#[test]
fn output_is_cut_at_max_output_length_bytes_even_inside_a_character() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let body = format!("echo 'a{}'; exit 1", "é".repeat(100));
    let rules = vec![permanent("Cut", "CutBroken", &script(d, "cut.sh", &body))];
    config(d, "cut", json!({}), &[("Cut", "CutIsFine", "fine")], rules);
    let out = run(d, &["cut.json"]);
    // 1 + 39 * 2 = 79 bytes, then the first byte of the 40th é.
    let kept = format!("a{}", "é".repeat(39));
    assert!(
        out.stdout.contains(&format!("-> NonOK \"{kept}\\xc3\"")),
        "{}",
        out.stdout
    );
    // The API server stores it with the broken byte replaced.
    assert_eq!(status(&out, "Cut").2, format!("{kept}\u{fffd}"));
    assert!(out.stdout.contains(&format!(
        "Node condition Cut is now: True, reason: CutBroken, message: \"{kept}\\xc3\""
    )));
}

#[test]
fn only_the_first_4096_bytes_of_stdout_count() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = vec![
        permanent(
            "Edge",
            "EdgeBroken",
            &script(d, "edge.sh", "printf '%4095s' ''; echo hidden; exit 1"),
        ),
        permanent(
            "Beyond",
            "BeyondBroken",
            &script(d, "beyond.sh", "printf '%4096s' ''; echo hidden; exit 1"),
        ),
    ];
    let conds = [
        ("Edge", "EdgeIsFine", "fine"),
        ("Beyond", "BeyondIsFine", "fine"),
    ];
    config(d, "big", json!({}), &conds, rules);
    let out = run(d, &["big.json"]);
    assert!(out.stdout.contains("(condition Edge): exit status 1 after"));
    assert!(out.stdout.contains("-> NonOK \"h\"\n"), "{}", out.stdout);
    assert!(out.stdout.contains("-> NonOK \"\"\n"), "{}", out.stdout);
    assert!(out
        .stdout
        .contains("its stdout was 4103 bytes: NPD reads the first 4096"));
}

#[test]
fn a_plugin_past_its_timeout_is_killed_with_its_process_group() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let pidfile = d.join("child.pid");
    let body = format!(
        "sleep 300 &\necho $! > {}\necho 'partial output'\nsleep 300",
        pidfile.display()
    );
    let path = script(d, "sleepy.sh", &body);
    let mut rule = permanent("Slow", "SlowBroken", &path);
    rule["timeout"] = json!("1s");
    config(
        d,
        "slow",
        json!({"max_output_length": 4096}),
        &[("Slow", "SlowIsFine", "fine")],
        vec![rule],
    );
    let out = run(d, &["slow.json"]);
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
    assert!(
        out.stdout
            .contains("killed at the 1s timeout (SIGKILL to process group"),
        "{}",
        out.stdout
    );
    let message = format!(
        "Timeout when running plugin \"{}\": state - signal: killed. output - \"partial output\"",
        path.display()
    );
    assert_eq!(
        status(&out, "Slow"),
        ("Unknown".into(), "SlowIsFine".into(), message)
    );
    assert!(!out.stdout.contains("WOULD BLOCK"));
    assert_eq!(out.code, 0);
    let child = read_pid(&pidfile);
    assert!(
        gone_within(child, Duration::from_secs(1)),
        "the plugin's child {child} survived"
    );
}

#[test]
fn a_child_that_leaves_the_group_holding_stdout_is_reported_and_bounded() {
    assert!(
        Path::new("/usr/bin/setsid").exists() || Path::new("/bin/setsid").exists(),
        "this test needs setsid(1) from util-linux"
    );
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let pidfile = d.join("escaped.pid");
    let body = format!(
        "setsid sleep 300 &\necho $! > {}\necho hello\nexit 0",
        pidfile.display()
    );
    let path = script(d, "escape.sh", &body);
    let mut rule = permanent("Escape", "Escaped", &path);
    rule["timeout"] = json!("1s");
    config(
        d,
        "escape",
        json!({}),
        &[("Escape", "NotEscaped", "fine")],
        vec![rule],
    );
    let out = run(d, &["escape.json"]);
    // The timeout, one grace for the group to die, one for the holder.
    assert!(out.elapsed < Duration::from_secs(6), "{:?}", out.elapsed);
    let escaped = read_pid(&pidfile);
    assert!(
        out.stdout.contains(&format!(
            "WOULD BLOCK NPD's monitor: after the timeout kill, sleep (pid {escaped}, which \
             left the plugin's process group) kept the plugin's stdout/stderr open"
        )),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&format!(
        "-> OK \"Timeout when running plugin \\\"{}\\\": state - exit status 0.",
        path.display()
    )));
    assert_eq!(out.code, 1, "a plugin that would block NPD fails the run");
    assert!(
        gone_within(escaped, Duration::from_secs(1)),
        "the escaped child {escaped} survived"
    );
}

#[test]
fn a_zero_timeout_never_starts_the_plugin() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let marker = d.join("started");
    let path = script(d, "never.sh", &format!("touch {}", marker.display()));
    let mut rule = permanent("Never", "NeverRan", &path);
    rule["timeout"] = json!("0s");
    config(
        d,
        "never",
        json!({}),
        &[("Never", "NeverIsFine", "fine")],
        vec![rule],
    );
    let out = run(d, &["never.json"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        status(&out, "Never"),
        (
            "Unknown".into(),
            "NeverIsFine".into(),
            "Error in starting plugin. Please check the error log".into()
        )
    );
    assert!(
        !marker.exists(),
        "NPD never starts a plugin whose deadline has passed"
    );
}

#[test]
fn concurrency_zero_runs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = vec![permanent(
        "Idle",
        "IdleBroken",
        &script(d, "bad.sh", "exit 1"),
    )];
    config(
        d,
        "idle",
        json!({"concurrency": 0}),
        &[("Idle", "IdleIsFine", "idle")],
        rules,
    );
    let out = run(d, &["idle.json"]);
    assert!(out
        .stdout
        .contains("idle.json: concurrency is 0: NPD never starts a rule of this config"));
    assert_eq!(
        status(&out, "Idle"),
        ("False".into(), "IdleIsFine".into(), "idle".into())
    );
    assert!(out.stdout.contains("Events:  <none>"));
}

#[test]
fn rules_run_concurrently_up_to_the_configs_concurrency() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules: Vec<Value> = ["A", "B", "C"]
        .iter()
        .map(|t| {
            permanent(
                t,
                &format!("{t}Broken"),
                &script(d, &format!("{t}.sh"), "sleep 1"),
            )
        })
        .collect();
    let conds = [
        ("A", "AIsFine", ""),
        ("B", "BIsFine", ""),
        ("C", "CIsFine", ""),
    ];
    config(d, "par", json!({}), &conds, rules);
    let out = run(d, &["par.json"]);
    assert!(
        out.elapsed < Duration::from_millis(2500),
        "{:?}",
        out.elapsed
    );
}

#[test]
fn each_rule_runs_at_its_own_interval_where_npd_honours_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut fast = permanent("Fast", "FastBroken", &script(d, "fast.sh", "exit 0"));
    fast["invoke_interval"] = json!("10s");
    let slow = permanent("Slow", "SlowBroken", &script(d, "slow.sh", "exit 0"));
    let conds = [("Fast", "FastIsFine", ""), ("Slow", "SlowIsFine", "")];
    config(d, "paced", json!({}), &conds, vec![fast, slow]);

    let out = run(
        d,
        &["--npd-version", "v1.37.0", "--rounds", "3", "paced.json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let headers: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with(" at "))
        .collect();
    assert_eq!(
        headers,
        [" at 0s:", " at 10s:", " at 20s:", " at 30s:", " at 1m:"]
    );
    assert_eq!(
        out.stdout
            .matches("(condition Fast): exit status 0")
            .count(),
        3
    );
    assert_eq!(
        out.stdout
            .matches("(condition Slow): exit status 0")
            .count(),
        3
    );

    // NPD v1.36.0 ignores it: rounds at the config's interval, and lint says why.
    let out = run(d, &["--rounds", "2", "paced.json"]);
    assert!(out.stdout.contains(" round 2:"), "{}", out.stdout);
    assert!(out
        .stdout
        .contains("NPD v1.36.0 ignores it and runs this rule every 30s"));
}
