//! Bad flags and missing credentials: always Unknown, never a problem.

use crate::util::run;

#[test]
fn no_credentials_is_unknown_and_says_so() {
    let st = tempfile::tempdir().unwrap();
    let out = run(st.path(), &["compute", "--host", "node-a"], &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(
        out.line(),
        "no OpenStack credentials: neither OS_AUTH_URL nor --os-cloud is set"
    );
}

#[test]
fn a_missing_clouds_yaml_or_cloud_is_unknown() {
    let st = tempfile::tempdir().unwrap();
    let out = run(
        st.path(),
        &[
            "volume",
            "--os-cloud",
            "prod",
            "--os-config",
            "/nonexistent/clouds.yaml",
        ],
        &[],
    );
    assert_eq!(
        (out.code, out.line()),
        (2, "cannot read /nonexistent/clouds.yaml: not found")
    );
    let yaml = st.path().join("clouds.yaml");
    std::fs::write(
        &yaml,
        "clouds:\n  dev:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n",
    )
    .unwrap();
    let out = run(
        st.path(),
        &[
            "volume",
            "--os-cloud",
            "prod",
            "--os-config",
            yaml.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.line().starts_with("no cloud \"prod\" in "),
        "{}",
        out.line()
    );
}

#[test]
fn bad_flags_are_unknown() {
    let st = tempfile::tempdir().unwrap();
    for args in [
        &["compute", "--interface", "private"][..],
        &["compute", "--max-down-fraction", "1.5"],
        &["network", "--allow-disabled"],
        &["storage"],
        &[],
    ] {
        let out = run(st.path(), args, &[]);
        assert_eq!(out.code, 2, "{args:?}: {}", out.line());
        assert!(
            out.line().starts_with("bad flags: "),
            "{args:?}: {}",
            out.line()
        );
    }
}

#[test]
fn bad_guard_values_say_what_is_wrong() {
    let st = tempfile::tempdir().unwrap();
    for (args, line) in [
        (
            &["compute", "--max-down-fraction", "1.5"][..],
            "bad flags: invalid value '1.5' for '--max-down-fraction <F>': not in 0..1",
        ),
        (
            &["volume", "--max-down-fraction=-0.1"],
            "bad flags: invalid value '-0.1' for '--max-down-fraction <F>': not in 0..1",
        ),
        (
            &["network", "--max-down-fraction", "0,2"],
            "bad flags: invalid value '0,2' for '--max-down-fraction <F>': not a number",
        ),
        (
            &["compute", "--min-down-hosts", "0"],
            "bad flags: invalid value '0' for '--min-down-hosts <N>': must be 1 or more",
        ),
        (
            &["compute", "--min-down-hosts", "2.5"],
            "bad flags: invalid value '2.5' for '--min-down-hosts <N>': not a count",
        ),
        (
            &["compute", "--min-down-hosts=-1"],
            "bad flags: invalid value '-1' for '--min-down-hosts <N>': not a count",
        ),
    ] {
        let out = run(st.path(), args, &[]);
        assert_eq!((out.code, out.line()), (2, line), "{args:?}");
    }
    // The boundaries themselves are valid: the check goes on to ask for credentials.
    let out = run(
        st.path(),
        &[
            "compute",
            "--max-down-fraction",
            "1",
            "--min-down-hosts",
            "1",
        ],
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.line().starts_with("no OpenStack credentials"),
        "{}",
        out.line()
    );
    let out = run(st.path(), &["compute", "--max-down-fraction", "0"], &[]);
    assert!(
        out.line().starts_with("no OpenStack credentials"),
        "{}",
        out.line()
    );
}

#[test]
fn help_explains_host_names_and_credentials() {
    let out = std::process::Command::new(crate::util::BIN)
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    for needle in [
        "Example NPD rule:",
        "--strip-domain",
        "NODE_NAME",
        "clouds.yaml",
        "admin role",
        "--min-down-hosts",
        "Shared outages",
        "1 of 2 too",
        "node-a is node-a.example.com",
    ] {
        assert!(text.contains(needle), "{needle} missing from --help");
    }
}

#[test]
fn the_example_rule_of_help_is_accepted() {
    npd_test_support::assert_example_rule_accepted(crate::util::BIN);
}
