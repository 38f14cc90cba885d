//! Judgements on host files written by the test, so that the answer is exact: load
//! per CPU with either CPU count source, and CPU pressure.

use std::fs;

use crate::util::{CpuHost, BIN};
use npd_test_support::{run, FakeHost};

#[test]
fn healthy_host() {
    let host = FakeHost::healthy();
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!((r.code, r.line()), (0, "CPU load normal"));
    let r = run(BIN, &["--host-root", host.root(), "--check", "load,psi"]);
    assert_eq!(
        (r.code, r.line()),
        (0, "CPU load normal; CPU pressure normal")
    );
}

#[test]
fn high_load_names_the_ratio_the_average_and_the_cpus() {
    let host = FakeHost::healthy();
    host.loadavg(30.0, 19.0, 8.0);
    let r = run(BIN, &["--host-root", host.root(), "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "load per CPU 4.75 > max 4 (5m average 19.00, 4 CPUs)")
    );
    assert!(r.stderr.contains("CPUs: 4 online, from "), "{}", r.stderr);
    assert!(
        r.stderr.contains("/sys/devices/system/cpu/online"),
        "{}",
        r.stderr
    );
    // The 15-minute average has not caught up yet.
    let r = run(BIN, &["--host-root", host.root(), "--load-average", "15m"]);
    assert_eq!((r.code, r.line()), (0, "CPU load normal"));
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--load-average",
            "1m",
            "--max-load-per-cpu",
            "7",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "load per CPU 7.5 > max 7 (1m average 30.00, 4 CPUs)")
    );
}

#[test]
fn exactly_at_the_limit_is_not_a_problem() {
    let host = FakeHost::healthy();
    host.loadavg(0.0, 16.0, 0.0);
    assert_eq!(run(BIN, &["--host-root", host.root()]).code, 0);
    host.loadavg(0.0, 16.01, 0.0);
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(
        (r.code, r.line()),
        (1, "load per CPU 4.003 > max 4 (5m average 16.01, 4 CPUs)")
    );
}

#[test]
fn cpus_are_counted_from_the_online_list_with_gaps() {
    let host = FakeHost::healthy();
    // Ten CPUs exist, seven are online; /proc/stat would agree.
    host.online("0-3,6,8-9\n").stat(7).loadavg(0.0, 28.7, 0.0);
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(
        (r.code, r.line()),
        (1, "load per CPU 4.1 > max 4 (5m average 28.70, 7 CPUs)")
    );
}

#[test]
fn without_the_hosts_sys_proc_stat_counts_the_cpus() {
    let host = FakeHost::healthy();
    fs::remove_dir_all(host.path("sys")).unwrap();
    host.stat(2).loadavg(0.0, 9.0, 0.0);
    let r = run(BIN, &["--host-root", host.root(), "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "load per CPU 4.5 > max 4 (5m average 9.00, 2 CPUs)")
    );
    assert!(r.stderr.contains("/proc/stat (the host's"), "{}", r.stderr);
}

#[test]
fn cpu_pressure_above_the_limit() {
    let host = FakeHost::healthy();
    host.pressure(91.25);
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "CPU PSI some avg10 91.3 pct > max 80")
    );
    host.pressure(80.0);
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    assert_eq!((r.code, r.line()), (0, "CPU pressure normal"));
}

#[test]
fn an_old_kernel_without_the_full_line_is_judged_the_same() {
    let host = FakeHost::healthy();
    host.write(
        "proc/pressure/cpu",
        b"some avg10=85.00 avg60=40.00 avg300=10.00 total=1234\n",
    );
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "CPU PSI some avg10 85 pct > max 80")
    );
}

#[test]
fn both_problems_show_the_first_and_a_count() {
    let host = FakeHost::healthy();
    host.pressure(99.0).loadavg(0.0, 40.0, 0.0);
    let r = run(BIN, &["--host-root", host.root(), "--check", "load,psi"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "load per CPU 10 > max 4 (5m average 40.00, 4 CPUs) (+1 more)"
        )
    );
}

#[test]
fn a_problem_stands_when_another_check_cannot_read() {
    let host = FakeHost::healthy();
    host.loadavg(0.0, 40.0, 0.0);
    fs::remove_file(host.path("proc/pressure/cpu")).unwrap();
    let r = run(BIN, &["--host-root", host.root(), "--check", "load,psi"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("no PSI: "), "{}", r.stderr);
}
