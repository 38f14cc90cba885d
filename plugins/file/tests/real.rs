//! The real host: a file aged with `touch -d`, and the machine's own mount table
//! (`--host-root /`).

use std::process::Command;

use crate::util::BIN;
use npd_test_support::run;

#[test]
fn a_file_aged_with_touch_is_judged_by_its_real_age() {
    let dir = tempfile::tempdir().unwrap();
    let beat = dir.path().join("heartbeat");
    let path = beat.to_str().unwrap();
    let touch = |when: &str| {
        let ok = Command::new("touch")
            .args(["-d", when, path])
            .status()
            .unwrap();
        assert!(ok.success());
    };
    touch("2 hours ago");
    let args = [
        "--host-root",
        "/",
        "--path",
        path,
        "--problem-if-older-than",
        "1h",
        "--explain",
    ];
    let r = run(BIN, &args);
    assert_eq!(r.code, 1, "{} / {}", r.line(), r.stderr);
    assert!(r.line().ends_with(" ago > 1h"), "{}", r.line());
    assert!(r.line().contains(" modified 2h"), "{}", r.line());
    touch("10 minutes ago");
    let r = run(BIN, &args);
    assert_eq!(r.code, 0, "{}", r.line());
    assert_eq!(r.line(), format!("{path} modified within 1h"));
}

#[test]
fn paths_through_the_real_mounts_are_walked() {
    let r = run(
        BIN,
        &[
            "--host-root",
            "/",
            "--path",
            "/proc/self",
            "--problem-if-missing",
            "--explain",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "/proc/self present"),
        "{}",
        r.stderr
    );
    // /proc is a mount of its own: the walk entered it, and found it local.
    assert!(r.stderr.contains("; local, at /proc/"), "{}", r.stderr);
}

#[test]
fn reboot_required_on_this_machine_gives_a_verdict() {
    let r = run(
        BIN,
        &["--path", "/var/run/reboot-required", "--problem-if-exists"],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.line());
}
