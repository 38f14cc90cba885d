//! Plugins that hang or leave processes behind: the answer comes by the deadline and
//! nothing the plugin started survives the run.

use std::time::Duration;

use npd_test_support::run;

use crate::util::{gone, pids, KillOnDrop, Script, BIN};

const MARGIN: Duration = Duration::from_millis(400);

#[test]
fn a_plugin_that_hangs_is_unknown_by_the_timeout_and_killed() {
    let s = Script::new("");
    let pidfile = s.file("pids");
    let _guard = KillOnDrop(pidfile.clone());
    let s = Script::new(&format!("echo $$ > {pidfile}\nexec sleep 30"));
    let r = run(BIN, &["--timeout", "1s", "--", s.path()]);
    assert_eq!((r.code, r.line()), (2, "check_script did not finish in 1s"));
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
    for pid in pids(&pidfile) {
        assert!(gone(pid), "{pid} survived");
    }
}

#[test]
fn a_setsid_daemon_holding_stdout_is_killed_and_does_not_delay_the_answer() {
    let s = Script::new("");
    let pidfile = s.file("pids");
    let _guard = KillOnDrop(pidfile.clone());
    let s = Script::new(&format!(
        "setsid sh -c 'echo $$ >> {pidfile}; exec sleep 30' &\nsleep 0.2\necho 'OK - started'\nexit 0"
    ));
    let r = run(BIN, &["--timeout", "3s", "--", s.path()]);
    assert_eq!((r.code, r.line()), (0, "check_script OK"));
    assert!(r.took < Duration::from_secs(2), "{:?}", r.took);
    let left = pids(&pidfile);
    assert_eq!(left.len(), 1);
    assert!(gone(left[0]), "{} survived", left[0]);
}

#[test]
fn background_children_and_grandchildren_are_all_killed() {
    let s = Script::new("");
    let pidfile = s.file("pids");
    let _guard = KillOnDrop(pidfile.clone());
    let s = Script::new(&format!(
        "for i in 1 2 3 4 5; do\n  (sh -c 'echo $$ >> {pidfile}; exec sleep 30' &) \n  sleep 30 & echo $! >> {pidfile}\ndone\nsleep 0.2\necho 'CRITICAL - forked'\nexit 2"
    ));
    let r = run(BIN, &["--timeout", "3s", "--", s.path()]);
    assert_eq!((r.code, r.line()), (1, "CRITICAL - forked"));
    let left = pids(&pidfile);
    assert_eq!(left.len(), 10, "{left:?}");
    for pid in left {
        assert!(gone(pid), "{pid} survived");
    }
}

#[test]
fn a_plugin_flooding_stdout_forever_is_cut_at_the_deadline() {
    let s = Script::new("yes CRITICAL");
    let r = run(BIN, &["--timeout", "1s", "--", s.path()]);
    assert_eq!((r.code, r.line()), (2, "check_script did not finish in 1s"));
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
}
