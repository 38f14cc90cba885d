//! The real adjtimex of this machine. Its state is whatever it is (synchronized on a
//! node with a time daemon, unsynchronized in a bare container or a VM without one),
//! so only the shape of the answer is asserted.

use crate::util::BIN;
use npd_test_support::{assert_one_npd_line, run};

#[test]
fn the_real_clock_gives_a_well_formed_verdict() {
    let r = run(BIN, &["--explain"]);
    assert!(
        r.code == 0 || r.code == 1,
        "adjtimex(modes 0) needs no privilege, so the clock can always be judged: {} {}",
        r.code,
        r.stdout
    );
    assert_one_npd_line(&r, 80);
    let line = r.line();
    let well_formed = line == "clock is synchronized"
        || line.starts_with("clock not synchronized: maxerror ")
        || line.starts_with("clock max error ")
        || line.starts_with("clock estimated error ");
    assert!(well_formed, "{line:?}");
    assert!(r.stderr.contains("adjtimex: state "), "{}", r.stderr);
    eprintln!(
        "this machine: {line} / {}",
        r.stderr.lines().next().unwrap_or("")
    );
}

#[test]
fn the_real_clock_answers_the_same_with_the_host_root_elsewhere() {
    // The clock is not under the host root: pointing it at an empty tree changes
    // nothing.
    let empty = tempfile::tempdir().unwrap();
    let a = run(BIN, &["--max-esterror", "off", "--max-maxerror", "off"]);
    let b = run(
        BIN,
        &[
            "--max-esterror",
            "off",
            "--max-maxerror",
            "off",
            "--host-root",
            empty.path().to_str().unwrap(),
        ],
    );
    assert_eq!(a.code, b.code);
    assert!(a.code == 0 || a.code == 1, "{}", a.line());
}
