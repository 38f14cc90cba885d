//! Host files that are missing, unreadable, empty, garbled or never answer, and
//! kernels without PSI: always Unknown (exit 2) with the reason, never a problem.

use crate::util::{CpuHost, BIN};
use npd_test_support::Broken::{Garbage, Missing};
use npd_test_support::Says::{End, Line, Start};
use npd_test_support::{
    assert_broken, assert_kernel_without_psi, assert_read_times_out, assert_unreadable_per_check,
    FakeHost,
};

#[test]
fn missing_loadavg() {
    let host = FakeHost::healthy();
    let line = format!("cannot read {}/proc/loadavg: not found", host.root());
    assert_broken(BIN, &host, "proc/loadavg", Missing, &[], Line(&line));
}

#[test]
fn no_source_for_the_cpu_count() {
    let host = FakeHost::healthy();
    host.remove("sys");
    let line = format!("cannot read {}/proc/stat: not found", host.root());
    assert_broken(BIN, &host, "proc/stat", Missing, &[], Line(&line));
}

#[test]
fn empty_and_garbage_loadavg() {
    let host = FakeHost::healthy();
    for (bytes, why) in [
        (&b""[..], "fewer than 3 load averages"),
        (b"\n", "fewer than 3 load averages"),
        (b"0.1 0.2\n", "fewer than 3 load averages"),
        (b"0.1 high 0.3 1/2 3\n", "garbage load average \"high\""),
        (b"0.1 -0.2 0.3 1/2 3\n", "garbage load average"),
        (b"0.1 0.2 0.3\n", "no running/total task count"),
        (b"0.1 0.2 0.3 x/y 3\n", "garbage task count"),
        (b"\x00\x01\x02", "garbage load average"),
        (b"\xff\xfe", "garbage (not text)"),
    ] {
        let start = format!("{}/proc/loadavg: {why}", host.root());
        assert_broken(
            BIN,
            &host,
            "proc/loadavg",
            Garbage(bytes),
            &[],
            Start(&start),
        );
    }
}

#[test]
fn a_garbled_online_list_is_not_replaced_by_proc_stat() {
    let host = FakeHost::healthy();
    let online = "sys/devices/system/cpu/online";
    for (list, why) in [
        ("", "empty CPU list"),
        ("\n", "empty CPU list"),
        ("zero-three\n", "garbage CPU list entry"),
        ("3-0\n", "garbage CPU list entry"),
    ] {
        let start = format!("{}/{online}: {why}", host.root());
        assert_broken(
            BIN,
            &host,
            online,
            Garbage(list.as_bytes()),
            &[],
            Start(&start),
        );
    }
}

#[test]
fn garbage_proc_stat() {
    let host = FakeHost::healthy();
    host.remove("sys");
    for bytes in [&b""[..], b"cpu  1 2 3\nintr 5\n", b"garbage\n"] {
        let end = End("/proc/stat: no cpuN lines");
        assert_broken(BIN, &host, "proc/stat", Garbage(bytes), &[], end);
    }
}

#[test]
fn unreadable_files() {
    let host = FakeHost::healthy();
    let cases = [
        ("proc/loadavg", "load"),
        ("sys/devices/system/cpu/online", "load"),
        ("proc/pressure/cpu", "psi"),
    ];
    assert_unreadable_per_check(BIN, &host, &cases);
}

#[test]
fn a_kernel_without_psi_is_unknown_only_when_psi_is_asked_for() {
    assert_kernel_without_psi(BIN, &FakeHost::healthy(), "cpu", &[], "CPU load normal");
}

#[test]
fn garbage_pressure_files() {
    let host = FakeHost::healthy();
    for (bytes, why) in [
        (&b""[..], "no \"some\" line"),
        (
            b"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "no \"some\" line",
        ),
        (
            b"some avg10=1e999 avg60=0.00 avg300=0.00 total=0\n",
            "garbage line",
        ),
        (b"some\n", "garbage line"),
    ] {
        let start = format!("{}/proc/pressure/cpu: {why}", host.root());
        let args = ["--check", "psi"];
        assert_broken(
            BIN,
            &host,
            "proc/pressure/cpu",
            Garbage(bytes),
            &args,
            Start(&start),
        );
    }
}

#[test]
fn a_file_that_never_answers_is_named_by_the_timeout() {
    assert_read_times_out(BIN, &FakeHost::healthy(), "proc/loadavg", &[]);
}
