//! Host files that are missing, unreadable, empty, garbled or never answer, kernels
//! without a feature, and state dirs that cannot be used: always Unknown (exit 2)
//! with the reason, never a problem.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::util::{MemoryHost, BIN};
use npd_test_support::Broken::{Garbage, Missing};
use npd_test_support::Says::{End, Line, Part, Start};
use npd_test_support::{
    assert_broken, assert_kernel_without_psi, assert_read_times_out, assert_unreadable_per_check,
    is_root, run, run_in, FakeHost, Invocation,
};

#[test]
fn missing_meminfo() {
    let host = FakeHost::healthy();
    let line = format!("cannot read {}/proc/meminfo: not found", host.root());
    assert_broken(BIN, &host, "proc/meminfo", Missing, &[], Line(&line));
    let bare = FakeHost::new();
    let r = run(BIN, &["--host-root", bare.root(), "--check", "oom-kills"]);
    assert!(
        r.unknown_line().ends_with("/proc/vmstat: not found"),
        "{}",
        r.stdout
    );
}

#[test]
fn empty_and_garbage_meminfo() {
    let host = FakeHost::healthy();
    for (bytes, why) in [
        (&b""[..], "no MemTotal"),
        (b"\n\n", "no MemTotal"),
        (b"MemTotal: 100 kB\n", "no MemAvailable"),
        (
            b"MemTotal: many kB\nMemAvailable: 5 kB\n",
            "garbage MemTotal",
        ),
        (
            b"MemTotal: 0 kB\nMemAvailable: 0 kB\n",
            "garbage: MemTotal is 0",
        ),
        (
            b"MemTotal: 10 kB\nMemAvailable: 20 kB\n",
            "garbage: MemAvailable",
        ),
        (b"\xff\xfe\x00garbage", "garbage (not text)"),
    ] {
        let start = format!("{}/proc/meminfo: {why}", host.root());
        assert_broken(
            BIN,
            &host,
            "proc/meminfo",
            Garbage(bytes),
            &[],
            Start(&start),
        );
    }
}

#[test]
fn a_huge_file_is_garbage_not_a_long_read() {
    let host = FakeHost::healthy();
    let huge = vec![b'x'; 5 << 20];
    let end = End("garbage (longer than 4096 KiB)");
    assert_broken(BIN, &host, "proc/meminfo", Garbage(&huge), &[], end);
}

#[test]
fn unreadable_files() {
    let host = FakeHost::healthy();
    let cases = [
        ("proc/meminfo", "available"),
        ("proc/pressure/memory", "psi"),
        ("proc/vmstat", "oom-kills"),
    ];
    assert_unreadable_per_check(BIN, &host, &cases);
}

#[test]
fn a_kernel_without_psi_is_unknown_only_when_psi_is_asked_for() {
    let others = ["--check", "available,oom-kills"];
    let ok = "no new OOM kills; memory available normal";
    assert_kernel_without_psi(BIN, &FakeHost::healthy(), "memory", &others, ok);
}

#[test]
fn garbage_pressure_files() {
    let host = FakeHost::healthy();
    for (bytes, why) in [
        (&b""[..], "no \"some\" line"),
        (
            b"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "no \"full\" line",
        ),
        (
            b"some avg10=zero avg60=0.00 avg300=0.00 total=0\n",
            "garbage line",
        ),
        (b"0 0 0\n", "garbage line"),
    ] {
        let start = format!("{}/proc/pressure/memory: {why}", host.root());
        let (file, args) = ("proc/pressure/memory", ["--check", "psi"]);
        assert_broken(BIN, &host, file, Garbage(bytes), &args, Start(&start));
    }
}

#[test]
fn a_kernel_without_the_oom_counter() {
    let host = FakeHost::healthy();
    let oom = ["--check", "oom-kills"];
    let (without, garbled) = (b"nr_free_pages 3000000\npgfault 1\n", b"oom_kill many\n");
    let end = End("/proc/vmstat: no oom_kill counter (kernel before 4.13?)");
    assert_broken(BIN, &host, "proc/vmstat", Garbage(without), &oom, end);
    let part = Part("garbage oom_kill line");
    assert_broken(BIN, &host, "proc/vmstat", Garbage(garbled), &oom, part);
    host.write("proc/vmstat", b"");
    assert_eq!(
        run(BIN, &["--host-root", host.root(), "--check", "oom-kills"]).code,
        2
    );
}

#[test]
fn oom_kills_without_a_usable_state_dir_are_unknown() {
    let host = FakeHost::healthy();
    let tmp = tempfile::tempdir().unwrap();
    // A file where the directory should be: it can be neither created nor used.
    let not_a_dir = tmp.path().join("state");
    fs::write(&not_a_dir, b"").unwrap();
    let r = run_in(
        BIN,
        &not_a_dir,
        &["--host-root", host.root(), "--check", "oom-kills"],
    );
    assert!(
        r.unknown_line()
            .starts_with("OOM kills need state: state dir "),
        "{}",
        r.stdout
    );
    // The other checks need no state.
    let r = run_in(BIN, &not_a_dir, &["--host-root", host.root()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn an_unwritable_state_dir_is_unknown() {
    let host = FakeHost::healthy();
    let state = tempfile::tempdir().unwrap();
    let args = ["--host-root", host.root(), "--check", "oom-kills"];
    let r = run_in(BIN, state.path(), &args);
    assert_eq!(r.code, 0);
    let is_read_only =
        |p: &std::path::Path| fs::set_permissions(p, fs::Permissions::from_mode(0o555));
    is_read_only(state.path()).unwrap();
    for entry in fs::read_dir(state.path()).unwrap() {
        let p = entry.unwrap().path();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o666)).unwrap();
    }
    host.oom_kills(9);
    let r = if is_root() {
        Invocation::new(BIN, &args)
            .state_dir(state.path())
            .as_nobody()
            .go()
    } else {
        run_in(BIN, state.path(), &args)
    };
    fs::set_permissions(state.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let line = r.unknown_line();
    assert!(
        line.starts_with("OOM kills need state: cannot write state "),
        "{line}"
    );
}

#[test]
fn corrupt_state_is_unknown_once_then_a_new_baseline() {
    let host = FakeHost::healthy();
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--check",
        "oom-kills",
        "--state-key",
        "oom",
    ];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    let kept = state.path().join("npd-memory.oom.oom-kill.json");
    assert_eq!(fs::read_to_string(&kept).unwrap(), "{\"oom_kill\":2}");
    fs::write(&kept, b"{\"oom_kill\":").unwrap();
    host.oom_kills(5);
    let r = run_in(BIN, state.path(), &args);
    let line = r.unknown_line();
    assert!(line.starts_with("corrupt state "), "{line}");
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"));
}

#[test]
fn a_file_that_never_answers_is_named_by_the_timeout() {
    assert_read_times_out(BIN, &FakeHost::healthy(), "proc/meminfo", &[]);
}
