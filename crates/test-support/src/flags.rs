//! What every plugin's flag tests assert: a bad flag is Unknown (exit 2) with one
//! line that starts "bad flags: " and says why, never a problem and never a `%`; and
//! `--help` has no `%` either, and an example rule the plugin accepts.

use std::path::Path;

use serde_json::Value;

use crate::{assert_one_npd_line, run, INSTALL_DIR};

/// Runs `bin` with each of `cases` and asserts each is a bad-flags answer.
pub fn assert_bad_flags(bin: &str, cases: &[&[&str]]) {
    for args in cases {
        let r = run(bin, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert_one_npd_line(&r, 80);
        assert!(
            r.line().starts_with("bad flags: "),
            "{args:?}: {}",
            r.line()
        );
    }
}

/// Runs `bin` with `args` and asserts the answer "bad flags: `why`", exit 2: for a
/// message that says what to change.
pub fn assert_bad_flag_says(bin: &str, args: &[&str], why: &str) {
    let r = run(bin, args);
    let line = format!("bad flags: {why}");
    assert_eq!((r.code, r.line()), (2, line.as_str()), "{args:?}");
}

/// Asserts that the example rule `bin --help` prints after "Example NPD rule:" is
/// one NPD rule that runs `bin` where it is installed, and whose args the plugin
/// accepts: run with them and `--lint-args`, it validates them and exits 0; and that
/// the help has no `%`, which the notes write "pct". Returns the rule.
pub fn assert_example_rule_accepted(bin: &str) -> Value {
    let help = run(bin, &["--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(!help.stdout.contains('%'), "{}", help.stdout);
    let (_, after) = help
        .stdout
        .split_once("Example NPD rule:\n")
        .expect("--help shows an example rule");
    let mut rules = serde_json::Deserializer::from_str(after).into_iter::<Value>();
    let rule = match rules.next() {
        Some(Ok(rule)) => rule,
        other => panic!("the example rule is not JSON: {other:?}\n{after}"),
    };
    let name = Path::new(bin).file_name().unwrap().to_str().unwrap();
    assert_eq!(rule["path"], format!("{INSTALL_DIR}/{name}"), "{rule}");
    let mut args: Vec<&str> = rule["args"]
        .as_array()
        .unwrap_or_else(|| panic!("no args in {rule}"))
        .iter()
        .map(|a| a.as_str().expect("args are strings"))
        .collect();
    // First: a rule's args may end in `--` and a command (npd-nagios).
    args.insert(0, "--lint-args");
    let r = run(bin, &args);
    assert_eq!(r.code, 0, "{args:?}: {}\n{}", r.stdout, r.stderr);
    rule
}

/// Asserts what [`assert_example_rule_accepted`] does, and that `--help` says each
/// of `says` (a default, a line of the notes). Returns the help, for what a plugin
/// asserts of it beyond that.
pub fn assert_help(bin: &str, says: &[&str]) -> String {
    assert_example_rule_accepted(bin);
    let r = run(bin, &["--help"]);
    assert_eq!(r.code, 0, "--help: {}", r.stderr);
    let help = r.stdout;
    for text in says {
        assert!(help.contains(text), "--help does not say {text:?}:\n{help}");
    }
    help
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A plugin in sh whose example rule passes `--x 1`, and which accepts only
    /// `--lint-args` followed by `accepted`.
    fn plugin(dir: &Path, accepted: &str) -> String {
        let path = dir.join("npd-fake");
        let script = format!(
            r#"#!/bin/sh
if [ "$1" = --help ]; then
  printf 'Fakes.\n\nExample NPD rule:\n{{"path": "/opt/npd-checks/bin/npd-fake",\n  "args": ["--x", "1"]}}\n\nExit codes: 0 OK.\n'
  exit 0
fi
[ "$1 $2 $3" = "--lint-args {accepted}" ] && echo '{{"timeout_ms":5000}}' && exit 0
echo "bad flags: $2 $3"
exit 2
"#
        );
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn the_example_rule_is_parsed_and_its_args_linted() {
        let dir = tempfile::tempdir().unwrap();
        let rule = assert_example_rule_accepted(&plugin(dir.path(), "--x 1"));
        assert_eq!(rule["args"][1], "1");
    }

    #[test]
    fn the_help_says_what_it_is_asked_to() {
        let dir = tempfile::tempdir().unwrap();
        let help = assert_help(&plugin(dir.path(), "--x 1"), &["Fakes.", "Exit codes"]);
        assert!(help.starts_with("Fakes."));
    }

    #[test]
    #[should_panic(expected = "--help does not say \"--y\"")]
    fn a_help_that_does_not_say_it_fails_the_test() {
        let dir = tempfile::tempdir().unwrap();
        assert_help(&plugin(dir.path(), "--x 1"), &["--y"]);
    }

    #[test]
    #[should_panic(expected = "bad flags: --x 1")]
    fn an_example_the_plugin_refuses_fails_the_test() {
        let dir = tempfile::tempdir().unwrap();
        assert_example_rule_accepted(&plugin(dir.path(), "--y 1"));
    }
}
