//! The plugin on this machine's own kernel (`--host-root /`): the files exist and parse,
//! and the values it reports are the kernel's. Other work on the machine changes the
//! counts meanwhile, so the tests use thresholds that no real load can straddle.

use crate::util::BIN;
use npd_test_support::run;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn this_machine_is_judged_not_unknown() {
    let r = run(BIN, &["--host-root", "/", "--explain"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.line(), "PID, thread and file handle usage is normal");
    let pid_max = read("/proc/sys/kernel/pid_max");
    assert!(
        r.stderr.contains(&format!("pid_max: {}", pid_max.trim())),
        "{}",
        r.stderr
    );
    let file_max = read("/proc/sys/fs/file-nr");
    let file_max = file_max.split_whitespace().nth(2).unwrap();
    assert!(
        r.stderr.contains(&format!("file-max {file_max}")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_zero_threshold_finds_the_tasks_and_files_in_use() {
    let r = run(
        BIN,
        &[
            "--host-root",
            "/",
            "--max-pids-used",
            "0",
            "--max-threads-used",
            "0",
            "--max-files-used",
            "0",
            "--max-output",
            "200",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with(" > 0 (+2 more)"), "{}", r.stdout);
    let r = run(BIN, &["--host-root", "/", "--max-pids-used", "100"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn conntrack_here_is_judged_or_not_loaded() {
    let r = run(
        BIN,
        &["--host-root", "/", "--check", "conntrack", "--explain"],
    );
    let loaded = std::path::Path::new("/proc/sys/net/netfilter/nf_conntrack_count").exists();
    let expected = if loaded {
        "conntrack usage is normal"
    } else {
        "conntrack not loaded"
    };
    if r.code == 2 && r.line().contains("not in the host network namespace") {
        // Tests running in a network namespace of their own, PID 1 visible: the
        // guard did its job.
        eprintln!("conntrack_here: {}", r.line());
        return;
    }
    assert_eq!((r.code, r.line()), (0, expected), "{}", r.stderr);
    assert!(
        r.stderr.contains("in the network namespace of PID 1"),
        "{}",
        r.stderr
    );
}

#[test]
fn conntrack_of_another_network_namespace_is_unknown() {
    // A network namespace of its own (as a pod without hostNetwork has), PID 1 this
    // machine's: its conntrack count is not the host's.
    const UNSHARE: &str = "/usr/bin/unshare";
    if !npd_test_support::is_root() || !std::path::Path::new(UNSHARE).exists() {
        npd_test_support::skip(
            "conntrack_of_another_network_namespace_is_unknown",
            "needs root and unshare",
        );
        return;
    }
    let r = run(
        UNSHARE,
        &[
            "--net",
            BIN,
            "--host-root",
            "/",
            "--check",
            "conntrack",
            "--explain",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "conntrack: not in the host network namespace (hostNetwork needed)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(": another network namespace"),
        "{}",
        r.stderr
    );
}
