//! A call that hangs in the kernel (stat on a FUSE mount whose daemon never answers)
//! must not keep the plugin, or NPD waiting on its stdout, past the deadline; and
//! repeated runs must not pile up stuck helpers.

use std::time::Duration;

use npd_test_support::{run, stuck_processes, HungMount};

const FIXTURE: &str = env!("CARGO_BIN_EXE_contract-fixture");

#[test]
fn a_hung_mount_is_reported_in_time_with_at_most_one_stuck_helper() {
    let Some(mount) = HungMount::start("hung-mount test") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let path = mount.name();
    let args = [
        "--behave",
        "stat",
        "--path",
        path,
        "--timeout",
        "1s",
        "--state-dir",
        state.path().to_str().unwrap(),
    ];
    for round in 0..3 {
        let r = run(FIXTURE, &args);
        assert_eq!(r.code, 1, "round {round}: {}", r.stdout);
        assert!(r.stdout.contains("not responding after 1s"), "{}", r.stdout);
        // `took` runs until stdout reached EOF: the stuck helper does not hold it.
        assert!(
            r.took < Duration::from_millis(1300),
            "round {round} took {:?}",
            r.took
        );
        assert!(
            stuck_processes("contract-fixtu") <= 1,
            "round {round} left a second helper"
        );
    }
    assert_eq!(stuck_processes("contract-fixtu"), 1);
    drop(mount);
    // Killing the daemon frees the stuck helper.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while stuck_processes("contract-fixtu") > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "helper still stuck after unmount"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
