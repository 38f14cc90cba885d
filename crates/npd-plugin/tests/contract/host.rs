//! What a plugin reads and writes on the host: paths under --host-root, a metrics
//! textfile per rule, and --only-if-exists.

use std::fs;

use crate::{fixture, FIXTURE};
use npd_test_support::Invocation;

#[test]
fn host_paths_are_read_under_the_host_root() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("etc")).unwrap();
    fs::write(tmp.path().join("etc/marker"), b"x").unwrap();
    let root = tmp.path().to_str().unwrap();
    let state = tmp.path().join("state");
    let state = state.to_str().unwrap();
    let r = fixture(&[
        "--behave",
        "stat",
        "--path",
        "/etc/marker",
        "--host-root",
        root,
        "--state-dir",
        state,
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = fixture(&[
        "--behave",
        "stat",
        "--path",
        "/etc/absent",
        "--host-root",
        root,
        "--state-dir",
        state,
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("not found"), "{}", r.stdout);
    // HOST_ROOT is the same flag from the environment.
    let r = Invocation::new(
        FIXTURE,
        &[
            "--behave",
            "stat",
            "--path",
            "/etc/marker",
            "--state-dir",
            state,
        ],
    )
    .env("HOST_ROOT", root)
    .go();
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn metrics_dir_gets_a_textfile_per_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics = tmp.path().join("metrics");
    let m = metrics.to_str().unwrap();
    let file = metrics.join("npd-checks-contract-fixture-r1.prom");
    let value = |name: &str| -> f64 {
        let text = fs::read_to_string(&file).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name}{{check=\"contract-fixture\",rule=\"r1\"}}")))
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let common = [
        "--metrics-dir",
        m,
        "--state-key",
        "r1",
        "--timeout",
        "300ms",
    ];
    let with = |behave: &str| {
        let mut args = vec!["--behave", behave];
        args.extend(common);
        fixture(&args)
    };

    assert_eq!(with("problem").code, 1);
    assert_eq!(value("npd_check_status"), 1.0);
    assert_eq!(value("npd_check_timeouts_total"), 0.0);
    let judged = value("npd_check_last_success_timestamp_seconds");
    assert!(judged > 1.6e9);
    assert!(value("npd_check_duration_seconds") < 5.0);

    assert_eq!(with("sleep").code, 2);
    assert_eq!(value("npd_check_status"), 2.0);
    assert_eq!(value("npd_check_timeouts_total"), 1.0);
    assert_eq!(value("npd_check_last_success_timestamp_seconds"), judged);

    assert_eq!(with("sleep").code, 2);
    assert_eq!(value("npd_check_timeouts_total"), 2.0);
    let leftovers = fs::read_dir(&metrics).unwrap().count();
    assert_eq!(leftovers, 1, "only the .prom file, no temporary files");
}

#[test]
fn only_if_exists_judges_where_the_path_is_and_says_so_elsewhere() {
    let host = tempfile::tempdir().unwrap();
    fs::create_dir_all(host.path().join("run/containerd")).unwrap();
    fs::write(host.path().join("run/containerd/containerd.sock"), b"").unwrap();
    std::os::unix::fs::symlink("/run", host.path().join("var-run")).unwrap();
    let root = host.path().to_str().unwrap();
    let gated = |path: &str| {
        fixture(&[
            "--behave",
            "problem",
            "--message",
            "containerd not running",
            "--host-root",
            root,
            "--only-if-exists",
            path,
        ])
    };
    // Present, also through a symlink followed as the host follows it: judged.
    for present in ["/run/containerd/containerd.sock", "/var-run/containerd"] {
        let r = gated(present);
        assert_eq!(
            (r.code, r.line()),
            (1, "containerd not running"),
            "{present}"
        );
    }
    // Absent: OK, with a line that says nothing was judged (and never changes).
    let r = gated("/var/run/crio/crio.sock");
    assert_eq!(
        (r.code, r.line()),
        (0, "not judged: no /var/run/crio/crio.sock on this host")
    );
    let r = gated("run/crio");
    assert_eq!(r.code, 2);
    assert!(r.line().starts_with("bad flags: "), "{}", r.line());
}
