//! Findings about what a config declares: keys, default conditions, conditions two
//! rules or configs claim, kubelet's condition types, reasons, sources, value types,
//! and '%' in messages and reasons.

use crate::common::plugin_dir;
use crate::{finds, lint_with, ONE_ERROR, ONE_FATAL, ONE_WARNING};

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
fn the_source_is_the_file_stem() {
    finds(
        "source-mismatch.json",
        "source-mismatch.json: source: warning: npd-checks convention: source \"npd-fixture\" \
         is not the file's name \"source-mismatch\" (name a config after its source)",
        ONE_WARNING,
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
