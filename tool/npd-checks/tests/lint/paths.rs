//! Findings about the plugins a config runs: absolute, executable, present paths,
//! args the plugin rejects, other executables; and lint's own usage errors and help.

use crate::common::{fixtures, run_in};
use crate::{finds, LIMIT, ONE_ERROR, ONE_FATAL};

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
