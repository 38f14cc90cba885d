//! `npd-checks run` end to end, what NPD does with results: condition transitions with
//! NPD's reasons and default messages, events of temporary rules and of condition
//! changes, message-change-based updates, and the problem metrics.
//!
//! Where a new test belongs: what a result does to the node (conditions, events,
//! metrics) goes here; how plugins are run in `run.rs`.

mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use common::npd::{config, events, may_differ, metrics, permanent, run, status, temporary};
use common::{fixtures, plugin_dir, run_in, script};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn transitions_keep_npds_reasons_and_default_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = vec![
        permanent(
            "Flip",
            "FlipBroken",
            &script(d, "bad.sh", "echo 'flip broken'; exit 1"),
        ),
        permanent(
            "Flip",
            "FlipBrokenToo",
            &script(d, "good.sh", "echo 'all fine now'; exit 0"),
        ),
        permanent(
            "Blind",
            "BlindBroken",
            &script(d, "blind.sh", "echo 'cannot see'; exit 2"),
        ),
    ];
    let conds = [
        ("Flip", "FlipIsFine", "flip is fine"),
        ("Blind", "BlindIsFine", "blind is fine"),
    ];
    config(d, "flip", json!({}), &conds, rules);
    let out = run(d, &["flip.json"]);
    // Two permanent rules on one condition is a lint error, not a reason to refuse.
    assert!(
        out.stdout.contains("rules[0] sets Flip too"),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 0);
    // True, then back to False: the default reason and the default message.
    assert_eq!(
        status(&out, "Flip"),
        ("False".into(), "FlipIsFine".into(), "flip is fine".into())
    );
    // Unknown: the default reason with the plugin's message.
    assert_eq!(
        status(&out, "Blind"),
        ("Unknown".into(), "BlindIsFine".into(), "cannot see".into())
    );
    let events = events(&out);
    let lines: Vec<&str> = events.lines().skip(2).take(3).collect();
    assert!(lines[0].starts_with("  Warning  FlipBroken "), "{events}");
    assert!(lines[0].ends_with(
        "Node condition Flip is now: True, reason: FlipBroken, message: \"flip broken\""
    ));
    assert!(lines[1].starts_with("  Normal   FlipIsFine "), "{events}");
    assert!(lines[1].ends_with(
        "Node condition Flip is now: False, reason: FlipIsFine, message: \"flip is fine\""
    ));
    assert!(lines[2].ends_with(
        "Node condition Blind is now: Unknown, reason: BlindIsFine, message: \"cannot see\""
    ));
    assert_eq!(
        metrics(&out),
        "# HELP problem_counter Number of times a specific type of problem have occurred.\n\
         # TYPE problem_counter counter\n\
         problem_counter{reason=\"BlindBroken\"} 0\n\
         problem_counter{reason=\"FlipBroken\"} 1\n\
         problem_counter{reason=\"FlipBrokenToo\"} 0\n\
         # HELP problem_gauge Whether a specific type of problem is affecting the node or not.\n\
         # TYPE problem_gauge gauge\n\
         problem_gauge{reason=\"BlindBroken\",type=\"Blind\"} 0\n\
         problem_gauge{reason=\"BlindIsFine\",type=\"Blind\"} 0\n\
         problem_gauge{reason=\"FlipBroken\",type=\"Flip\"} 0\n\
         problem_gauge{reason=\"FlipBrokenToo\",type=\"Flip\"} 0\n\
         problem_gauge{reason=\"FlipIsFine\",type=\"Flip\"} 0\n"
    );
}

#[test]
fn temporary_rules_emit_warning_events_for_nonok_and_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = vec![
        temporary(
            "Hiccup",
            &script(d, "hiccup.sh", "echo 'disk 95%full'; exit 1"),
        ),
        temporary(
            "CannotTell",
            &script(d, "blind.sh", "echo 'cannot tell'; exit 2"),
        ),
        temporary("AllFine", &script(d, "fine.sh", "echo fine; exit 0")),
    ];
    config(d, "temp", json!({}), &[], rules);
    let out = run(d, &["--rounds", "2", "temp.json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("Conditions:  <none>"));
    let events = events(&out);
    let hiccup = events.lines().find(|l| l.contains("Hiccup")).unwrap();
    assert!(hiccup.starts_with("  Warning  Hiccup "), "{events}");
    // The event recorder treats the message as a format string.
    assert!(hiccup.ends_with("temp  disk 95%!f(MISSING)ull"), "{hiccup}");
    assert!(hiccup.contains("(x2 over "), "{hiccup}");
    let blind = events.lines().find(|l| l.contains("CannotTell")).unwrap();
    assert!(blind.starts_with("  Warning  CannotTell "), "{events}");
    assert!(!events.contains("AllFine"));
    assert_eq!(
        metrics(&out),
        "# HELP problem_counter Number of times a specific type of problem have occurred.\n\
         # TYPE problem_counter counter\n\
         problem_counter{reason=\"AllFine\"} 0\n\
         problem_counter{reason=\"CannotTell\"} 2\n\
         problem_counter{reason=\"Hiccup\"} 2\n"
    );
}

fn counting_config(d: &Path, name: &str, message_change: bool) {
    let state = d.join(format!("{name}.count"));
    let body = format!(
        "n=$(cat {s} 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > {s}\necho \"seen $n times\"\nexit 1",
        s = state.display()
    );
    let rules = vec![permanent(
        "Count",
        "Counted",
        &script(d, &format!("{name}.sh"), &body),
    )];
    config(
        d,
        name,
        json!({"enable_message_change_based_condition_update": message_change}),
        &[("Count", "NotCounted", "fine")],
        rules,
    );
}

#[test]
fn a_changing_message_updates_a_true_condition_only_when_enabled() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    counting_config(d, "stable", false);
    counting_config(d, "changing", true);

    let out = run(d, &["--rounds", "3", "stable.json"]);
    assert_eq!(
        status(&out, "Count"),
        ("True".into(), "Counted".into(), "seen 1 times".into())
    );
    assert!(metrics(&out).contains("problem_counter{reason=\"Counted\"} 1\n"));

    let out = run(d, &["--rounds", "3", "changing.json"]);
    assert_eq!(
        status(&out, "Count"),
        ("True".into(), "Counted".into(), "seen 3 times".into())
    );
    assert!(metrics(&out).contains("problem_counter{reason=\"Counted\"} 3\n"));
    assert_eq!(
        out.stdout
            .matches("Node condition Count is now: True")
            .count(),
        3
    );
}

#[test]
fn a_config_npd_refuses_is_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let marker = d.join("started");
    let mut rule = permanent(
        "X",
        "XBroken",
        &script(d, "x.sh", &format!("touch {}", marker.display())),
    );
    rule["timeout"] = json!("10s");
    config(d, "refused", json!({}), &[("X", "XIsFine", "")], vec![rule]);
    let out = run(d, &["refused.json"]);
    assert_eq!(out.code, 2);
    assert!(out
        .stdout
        .contains("rule timeout 10s is above the global timeout 5s; NPD refuses to start"));
    assert!(out
        .stdout
        .contains("Not run: NPD refuses to start with this config"));
    assert!(!marker.exists());
}

#[test]
fn a_real_plugin_through_the_plugin_dir() {
    let dir = plugin_dir();
    let out = run_in(
        &fixtures("lint"),
        &[
            "run",
            "--plugin-dir",
            dir.path().to_str().unwrap(),
            "clean.json",
        ],
        LIMIT,
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(!out.stdout.contains("Findings"), "{}", out.stdout);
    assert_eq!(
        status(&out, "FixtureProblem"),
        (
            "False".into(),
            "FixtureIsFine".into(),
            "the fixture is fine".into()
        )
    );
    assert!(metrics(&out)
        .contains("problem_gauge{reason=\"FixtureIsFine\",type=\"FixtureProblem\"} 0\n"));
}

/// A config whose condition A goes True in the first round (rule `a_at` of two), and B
/// stays False.
fn race(d: &Path, name: &str, a_at: usize, concurrency: i64) -> String {
    let a = permanent(
        "A",
        "ABroken",
        &script(d, "a.sh", "echo 'a broken'; exit 1"),
    );
    let b = permanent("B", "BBroken", &script(d, "b.sh", "echo 'b fine'; exit 0"));
    let rules = if a_at == 0 { vec![a, b] } else { vec![b, a] };
    let conds = [("A", "AIsFine", "a is fine"), ("B", "BIsFine", "b is fine")];
    config(d, name, json!({"concurrency": concurrency}), &conds, rules);
    format!("{name}.json")
}

const A_DEFAULT: &str = "problem_gauge{reason=\"AIsFine\",type=\"A\"} 0\n";

#[test]
fn the_default_reasons_gauge_depends_on_which_rule_npd_hears_from_first() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A answers first in config order: the series of A's default reason is never set
    // here, but NPD sets it when B happens to finish first.
    let file = race(d, "first", 0, 3);
    let out = run(d, &[&file]);
    assert_eq!(status(&out, "A").0, "True");
    assert!(!metrics(&out).contains(A_DEFAULT), "{}", out.stdout);
    assert_eq!(
        may_differ(&out),
        [
            "first.json: problem_gauge{reason=\"AIsFine\",type=\"A\"} 0 is there only if another \
          rule of the config answers before rules[0] in NPD's first round (above: not shown)"
        ]
    );
    // A second in config order: shown here, absent in NPD when A finishes first.
    let file = race(d, "second", 1, 3);
    let out = run(d, &[&file]);
    assert!(metrics(&out).contains(A_DEFAULT), "{}", out.stdout);
    assert_eq!(
        may_differ(&out),
        [
            "second.json: problem_gauge{reason=\"AIsFine\",type=\"A\"} 0 is there only if another \
          rule of the config answers before rules[1] in NPD's first round (above: shown)"
        ]
    );
}

#[test]
fn one_rule_at_a_time_leaves_nothing_to_chance() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let file = race(d, "serial-first", 0, 1);
    let out = run(d, &[&file]);
    assert!(!metrics(&out).contains(A_DEFAULT));
    assert!(may_differ(&out).is_empty(), "{}", out.stdout);
    let file = race(d, "serial-second", 1, 1);
    let out = run(d, &[&file]);
    assert!(metrics(&out).contains(A_DEFAULT));
    assert!(may_differ(&out).is_empty(), "{}", out.stdout);
}

#[test]
fn two_rules_on_one_condition_race_in_npd() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rules = vec![
        permanent("Flip", "FlipBroken", &script(d, "bad.sh", "exit 1")),
        permanent("Flip", "FlipBrokenToo", &script(d, "good.sh", "exit 0")),
    ];
    config(d, "flip", json!({}), &[("Flip", "FlipIsFine", "")], rules);
    let out = run(d, &["flip.json"]);
    assert_eq!(
        may_differ(&out),
        ["flip.json: condition Flip and its problem_gauge lines: rules[0], rules[1] all set it, \
          and NPD keeps the result it applies last"]
    );
}
