//! `npd-checks lint` end to end: one broken config per finding, under
//! `tests/fixtures/lint/`, each asserted to the exact line, plus a clean config.
//!
//! Where a new test belongs: a new finding gets a fixture named after it and a test
//! here; how a result turns into conditions belongs in `run.rs`.

mod common;

use std::time::Duration;

use common::{fixtures, plugin_dir, run_in, Out};

const LIMIT: Duration = Duration::from_secs(30);

/// Lints `files` (names under tests/fixtures/lint) with the plugin dir `dir`.
fn lint_with(dir: &std::path::Path, files: &[&str]) -> Out {
    let mut args = vec!["lint", "--plugin-dir", dir.to_str().unwrap()];
    args.extend_from_slice(files);
    run_in(&fixtures("lint"), &args, LIMIT)
}

/// Asserts that linting `file` finds exactly `finding`, and what the summary says.
fn finds(file: &str, finding: &str, summary: &str) {
    let dir = plugin_dir();
    let out = lint_with(dir.path(), &[file]);
    let finding = finding.replace("{DIR}", dir.path().to_str().unwrap());
    assert_eq!(
        out.stdout,
        format!("{finding}\n{summary}\n"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 1);
}

const ONE_ERROR: &str = "1 file: 1 error, 0 warnings";
const ONE_FATAL: &str = "1 file: 1 error (1 that NPD refuses to start on), 0 warnings";
const ONE_WARNING: &str = "1 file: 0 errors, 1 warning";

#[test]
fn a_clean_config_has_no_finding() {
    let dir = plugin_dir();
    let out = lint_with(dir.path(), &["clean.json"]);
    assert_eq!(
        out.stdout, "1 file: 0 errors, 0 warnings\n",
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 0);
}

#[test]
fn a_misspelt_key_is_found_with_a_suggestion() {
    finds(
        "unknown-key.json",
        "unknown-key.json: rules[0] (condition FixtureProblem): unknown key \"timout\" \
         (did you mean \"timeout\"?): NPD ignores it, so \"timeout\" is the global timeout",
        ONE_ERROR,
    );
}

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
fn a_permanent_rule_needs_a_default_condition() {
    finds(
        "no-default-condition.json",
        "no-default-condition.json: rules[0] (condition FixtureProblem): permanent rule without \
         a default condition for \"FixtureProblem\" in \"conditions\"; NPD refuses to start",
        ONE_FATAL,
    );
}

#[test]
fn two_configs_must_not_claim_one_condition() {
    let dir = plugin_dir();
    let out = lint_with(dir.path(), &["duplicate-a.json", "duplicate-b.json"]);
    assert_eq!(
        out.stdout,
        "duplicate-b.json: conditions[0] (type FixtureProblem): FixtureProblem is also a \
         condition of duplicate-a.json: the two monitors would overwrite each other's \
         FixtureProblem on the node\n2 files: 1 error, 0 warnings\n"
    );
    assert_eq!(out.code, 1);
    // Each alone is fine.
    assert_eq!(lint_with(dir.path(), &["duplicate-a.json"]).code, 0);
}

#[test]
fn two_permanent_rules_must_not_share_a_condition() {
    finds(
        "two-permanent-rules.json",
        "two-permanent-rules.json: rules[1] (condition FixtureProblem): rules[0] sets \
         FixtureProblem too: each result overwrites the other's (an OK from one clears the \
         other's problem)",
        ONE_ERROR,
    );
}

#[test]
fn the_kubelets_condition_types_are_off_limits() {
    finds(
        "kubelet-type.json",
        "kubelet-type.json: conditions[0] (type DiskPressure): DiskPressure is the kubelet's \
         condition: NPD accepts it, and the kubelet and NPD would overwrite each other",
        ONE_ERROR,
    );
}

#[test]
fn reasons_are_camel_case() {
    finds(
        "non-camel-reason.json",
        "non-camel-reason.json: rules[0] (condition FixtureProblem): warning: npd-checks \
         convention: reason \"fixture_broken\" is not CamelCase",
        ONE_WARNING,
    );
}

#[test]
fn paths_are_absolute() {
    finds(
        "relative-path.json",
        "relative-path.json: rules[0] (condition FixtureProblem): npd-checks policy: path \
         \"bin/npd-fixture\" is not absolute (NPD accepts it and resolves it against its own \
         working directory, or $PATH for a bare name, which differ between images); install \
         plugins under /opt/npd-checks/bin",
        ONE_ERROR,
    );
}

#[test]
fn paths_are_executable() {
    finds(
        "not-executable.json",
        "not-executable.json: rules[0] (condition FixtureProblem): path \
         /opt/npd-checks/bin/npd-noexec (checked as {DIR}/npd-noexec) is not executable: every \
         run is Unknown (\"Error in starting plugin. Please check the error log\")",
        ONE_ERROR,
    );
}

#[test]
fn a_missing_path_stops_npd() {
    finds(
        "missing-path.json",
        "missing-path.json: rules[0] (condition FixtureProblem): path \
         /opt/npd-checks/bin/npd-missing (checked as {DIR}/npd-missing) does not exist; NPD \
         refuses to start",
        ONE_FATAL,
    );
}

#[test]
fn a_missing_binary_without_plugin_dir_says_how_to_check_a_build() {
    let out = run_in(&fixtures("lint"), &["lint", "missing-path.json"], LIMIT);
    assert!(
        out.stdout.contains(
            "does not exist; NPD refuses to start (off the node, point --plugin-dir at a build"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 1);
}

#[test]
fn args_the_plugin_rejects() {
    finds(
        "bad-args.json",
        "bad-args.json: rules[0] (condition FixtureProblem): args rejected by the plugin: bad \
         flags: invalid value 'sideways' for '--behave <BEHAVE>'",
        ONE_ERROR,
    );
}

#[test]
fn the_source_is_the_file_stem() {
    finds(
        "source-mismatch.json",
        "source-mismatch.json: source: warning: npd-checks convention: source \"npd-fixture\" \
         is not the file's name \"source-mismatch\" (name a config after its source)",
        ONE_WARNING,
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
fn a_bad_duration_stops_npd() {
    finds(
        "bad-duration.json",
        "bad-duration.json: pluginConfig: timeout: unknown unit \" s\" in duration \"5 s\"; NPD \
         refuses to start",
        ONE_FATAL,
    );
}

#[test]
fn a_value_of_the_wrong_type_stops_npd() {
    finds(
        "wrong-type.json",
        "wrong-type.json: pluginConfig: \"concurrency\" must be an integer, found a string; NPD \
         cannot decode the config and refuses to start",
        ONE_FATAL,
    );
}

#[test]
fn other_executables_are_noted_not_probed() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("other.json");
    let text = std::fs::read_to_string(fixtures("lint").join("clean.json"))
        .unwrap()
        .replace("/opt/npd-checks/bin/npd-fixture", "/bin/true")
        .replace("\"clean\"", "\"other\"");
    std::fs::write(&config, text).unwrap();
    let out = run_in(tmp.path(), &["lint", "other.json"], LIMIT);
    assert!(
        out.stdout.contains(
            "other.json: rules[0] (condition FixtureProblem): note: /bin/true is not an \
             npd-checks plugin: its args and its own timeout are not checked"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 0, "notes do not fail the lint");
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let out = run_in(&fixtures("lint"), &["lint", "no-such-file.json"], LIMIT);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no-such-file.json: cannot read"),
        "{}",
        out.stderr
    );
    assert_eq!(run_in(&fixtures("lint"), &["lint"], LIMIT).code, 2);
}

#[test]
fn help_explains_findings_and_exit_codes() {
    let out = run_in(&fixtures("lint"), &["lint", "--help"], LIMIT);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--plugin-dir"));
    assert!(out.stdout.contains("Exit codes: 0 no error or warning"));
    assert!(out.stdout.contains("Examples:"));
    // How the two kinds of config are told apart.
    assert!(out.stdout.contains(
        "\"custom\" is a custom plugin\nmonitor (NPD's --config.custom-plugin-monitor); \"kmsg\""
    ));
    assert!(out.stdout.contains("--drain-conditions <FILE|TYPES>"));
}

#[test]
fn percent_in_a_default_message_garbles_the_event_of_a_return_to_it() {
    finds(
        "percent-message.json",
        "percent-message.json: conditions[0] (type FixtureProblem): the default message \"the \
         fixture is 100% fine\" has a '%': NPD passes Event messages to the Kubernetes event \
         recorder as a format string, so the Event reads \"the fixture is 100%!f(MISSING)ine\"",
        ONE_ERROR,
    );
}

#[test]
fn percent_in_a_reason_garbles_condition_change_events() {
    let dir = plugin_dir();
    let out = lint_with(dir.path(), &["percent-reason.json"]);
    for finding in [
        "percent-reason.json: conditions[0] (type FixtureProblem): the default reason \
         \"Fixture%Fine\" has a '%': NPD passes Event messages to the Kubernetes event recorder \
         as a format string, so the Event reads \"Fixture%!F(MISSING)ine\"\n",
        "percent-reason.json: rules[0] (condition FixtureProblem): the reason \"Fixture%Broken\" \
         has a '%': NPD passes Event messages to the Kubernetes event recorder as a format \
         string, so the Event reads \"Fixture%!B(MISSING)roken\"\n",
    ] {
        assert!(out.stdout.contains(finding), "{}", out.stdout);
    }
    assert!(out.stdout.ends_with("1 file: 2 errors, 2 warnings\n"));
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
