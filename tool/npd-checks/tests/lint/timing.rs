//! Findings about time: concurrency, timeouts against each other and the interval,
//! the intervals NPD releases honour or ignore, the NPD version deployed, and
//! drain-worthy conditions an NPD restart resets.

use crate::common::{fixtures, plugin_dir, run_in};
use crate::{finds, lint_with, LIMIT, ONE_ERROR, ONE_FATAL};

#[test]
fn concurrency_zero_never_runs_anything() {
    finds(
        "concurrency-zero.json",
        "concurrency-zero.json: pluginConfig: concurrency is 0: NPD never starts a rule, \
         every condition keeps its default",
        ONE_ERROR,
    );
}

#[test]
fn a_zero_timeout_is_unknown_forever() {
    finds(
        "zero-timeout.json",
        "zero-timeout.json: rules[0] (condition FixtureProblem): timeout 0s is not positive: \
         the rule is Unknown forever (\"Error in starting plugin. Please check the error log\")",
        ONE_ERROR,
    );
}

#[test]
fn a_rule_timeout_above_the_global_one_stops_npd() {
    finds(
        "rule-timeout-above-global.json",
        "rule-timeout-above-global.json: rules[0] (condition FixtureProblem): rule timeout 10s \
         is above the global timeout 5s; NPD refuses to start",
        ONE_FATAL,
    );
}

#[test]
fn the_plugins_own_timeout_must_be_below_the_rules() {
    finds(
        "plugin-timeout.json",
        "plugin-timeout.json: rules[0] (condition FixtureProblem): npd-checks policy: the \
         plugin's own --timeout 4s is not below the rule's timeout 4s (NPD accepts it, but \
         kills a slow plugin before it can say what it waited for; lower --timeout in args)",
        ONE_ERROR,
    );
}

#[test]
fn a_timeout_is_below_the_invoke_interval() {
    finds(
        "timeout-not-below-interval.json",
        "timeout-not-below-interval.json: rules[0] (condition FixtureProblem): npd-checks \
         policy: the rule's timeout 4s is not below invoke_interval 4s (NPD accepts it, but a \
         slow run then delays the next run of every rule of its interval)",
        ONE_ERROR,
    );
}

#[test]
fn a_rules_own_interval_is_ignored_by_the_deployed_npd() {
    finds(
        "rule-interval.json",
        "rule-interval.json: rules[1] (reason FixtureHiccup): a rule's own \"invoke_interval\" is \
         honoured only by NPD releases after v1.37.0-alpha.1; NPD v1.36.0 ignores it and runs \
         this rule every 30s (pluginConfig's invoke_interval; --npd-version names the release \
         you deploy)",
        ONE_ERROR,
    );
    // Whatever its value: v1.36.0 does not even decode it.
    let dir = plugin_dir();
    let out = lint_with(dir.path(), &["rule-interval-zero.json"]);
    assert!(!out.stdout.contains("not positive"), "{}", out.stdout);
}

#[test]
fn a_rules_own_interval_is_honoured_by_later_npd_releases() {
    let dir = plugin_dir();
    let later = |file: &str| lint_with(dir.path(), &["--npd-version", "v1.37.0-alpha.2", file]);
    let out = later("rule-interval.json");
    assert_eq!(out.stdout, "1 file: 0 errors, 0 warnings\n");
    assert_eq!(out.code, 0);
    let out = later("rule-interval-zero.json");
    assert_eq!(
        out.stdout,
        "rule-interval-zero.json: rules[1] (reason FixtureHiccup): invoke_interval 0s is not \
         positive; NPD refuses to start\n1 file: 1 error (1 that NPD refuses to start on), 0 \
         warnings\n"
    );
    let out = lint_with(dir.path(), &["--npd-version", "latest", "clean.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not an NPD release"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_default_npd_version_is_the_one_the_daemonset_deploys() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../manifests/daemonset/daemonset.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let tags: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("image: registry.k8s.io/node-problem-detector/node-problem-detector:")
        })
        .collect();
    // Every NPD container of the DaemonSet runs the release lint judges for.
    assert!(!tags.is_empty(), "no NPD image in {}", manifest.display());
    for tag in tags {
        assert_eq!(tag, npd_checks::version::DEPLOYED, "{}", manifest.display());
    }
    let out = run_in(&fixtures("lint"), &["lint", "--help"], LIMIT);
    assert!(out
        .stdout
        .contains(&format!("[default: {}]", npd_checks::version::DEPLOYED)));
}

#[test]
fn drain_worthy_conditions_an_npd_restart_resets() {
    let dir = plugin_dir();
    let draino = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../manifests/addons/draino/deployment.yaml");
    let manifest = draino.to_str().unwrap();
    for drain in [manifest, "PIDUsageHigh,DiskReadOnly"] {
        let out = lint_with(
            dir.path(),
            &["--drain-conditions", drain, "drain-worthy.json"],
        );
        assert_eq!(
            out.stdout,
            "drain-worthy.json: pluginConfig: warning: npd-checks policy: drain-worthy \
             DiskReadOnly can read False after an NPD restart (each ConfigMap change restarts \
             NPD on every node): without \"skip_initial_status\" NPD sends every default \
             condition, False, at its start, and the node shows it until this config's first \
             result when that comes after NPD's next once-a-second sync; set \
             \"skip_initial_status\": true in pluginConfig to keep the node's value until the \
             first result. Either way a True result after an NPD restart (each ConfigMap change \
             restarts NPD on every node) is a new transition (lastTransitionTime = now): NPD \
             reads no condition back from the node, so draino's Type=True,<duration> clock \
             restarts\n1 file: 0 errors, 1 warning\n",
            "{drain}"
        );
    }
    let out = lint_with(
        dir.path(),
        &[
            "--drain-conditions",
            "DiskReadOnly",
            "drain-worthy-skip.json",
        ],
    );
    assert!(out.stdout.starts_with(
        "drain-worthy-skip.json: pluginConfig: note: drain-worthy DiskReadOnly: a True result \
         after an NPD restart"
    ));
    assert_eq!(out.code, 0, "a note does not fail the lint");
    // Without the list, nothing is drain-worthy.
    assert_eq!(lint_with(dir.path(), &["drain-worthy.json"]).code, 0);
}
