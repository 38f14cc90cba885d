//! Host files that are missing, unreadable, empty, garbled or never answer, and
//! kernels without PSI: always Unknown (exit 2) with the reason, never a problem.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::util::{CpuHost, BIN};
use npd_test_support::{is_root, run, run_in, FakeHost, Invocation, Run};

fn unknown(r: &Run) -> String {
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    r.line().to_string()
}

#[test]
fn missing_loadavg() {
    let host = FakeHost::healthy();
    fs::remove_file(host.path("proc/loadavg")).unwrap();
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(
        unknown(&r),
        format!("cannot read {}/proc/loadavg: not found", host.root())
    );
}

#[test]
fn no_source_for_the_cpu_count() {
    let host = FakeHost::healthy();
    fs::remove_dir_all(host.path("sys")).unwrap();
    fs::remove_file(host.path("proc/stat")).unwrap();
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(
        unknown(&r),
        format!("cannot read {}/proc/stat: not found", host.root())
    );
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
        host.write("proc/loadavg", bytes);
        let line = unknown(&run(BIN, &["--host-root", host.root()]));
        assert!(
            line.starts_with(&format!("{}/proc/loadavg: {why}", host.root())),
            "{line}"
        );
    }
}

#[test]
fn a_garbled_online_list_is_not_replaced_by_proc_stat() {
    let host = FakeHost::healthy();
    for (list, why) in [
        ("", "empty CPU list"),
        ("\n", "empty CPU list"),
        ("zero-three\n", "garbage CPU list entry"),
        ("3-0\n", "garbage CPU list entry"),
    ] {
        host.online(list);
        let line = unknown(&run(BIN, &["--host-root", host.root()]));
        assert!(
            line.starts_with(&format!(
                "{}/sys/devices/system/cpu/online: {why}",
                host.root()
            )),
            "{line}"
        );
    }
}

#[test]
fn garbage_proc_stat() {
    let host = FakeHost::healthy();
    fs::remove_dir_all(host.path("sys")).unwrap();
    for bytes in [&b""[..], b"cpu  1 2 3\nintr 5\n", b"garbage\n"] {
        host.write("proc/stat", bytes);
        let line = unknown(&run(BIN, &["--host-root", host.root()]));
        assert!(line.ends_with("/proc/stat: no cpuN lines"), "{line}");
    }
}

#[test]
fn unreadable_files() {
    let host = FakeHost::healthy();
    fs::set_permissions(host.path(""), fs::Permissions::from_mode(0o755)).unwrap();
    for (file, check) in [
        ("proc/loadavg", "load"),
        ("sys/devices/system/cpu/online", "load"),
        ("proc/pressure/cpu", "psi"),
    ] {
        fs::set_permissions(host.path(file), fs::Permissions::from_mode(0o000)).unwrap();
        let state = tempfile::tempdir().unwrap();
        let args = ["--host-root", host.root(), "--check", check];
        let r = if is_root() {
            Invocation::new(BIN, &args)
                .state_dir(state.path())
                .as_nobody()
                .go()
        } else {
            run_in(BIN, state.path(), &args)
        };
        assert_eq!(
            unknown(&r),
            format!("cannot read {}/{file}: permission denied", host.root())
        );
        fs::set_permissions(host.path(file), fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn a_kernel_without_psi_is_unknown_only_when_psi_is_asked_for() {
    let host = FakeHost::healthy();
    fs::remove_dir_all(host.path("proc/pressure")).unwrap();
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    let line = unknown(&r);
    assert!(
        line.starts_with(&format!(
            "no PSI: {}/proc/pressure/cpu not found",
            host.root()
        )),
        "{line}"
    );
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!((r.code, r.line()), (0, "CPU load normal"));
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
        host.write("proc/pressure/cpu", bytes);
        let line = unknown(&run(BIN, &["--host-root", host.root(), "--check", "psi"]));
        assert!(
            line.starts_with(&format!("{}/proc/pressure/cpu: {why}", host.root())),
            "{line}"
        );
    }
}

#[test]
fn a_file_that_never_answers_is_named_by_the_timeout() {
    // A FIFO without a writer blocks its reader, as a hung file would.
    let host = FakeHost::healthy();
    host.fifo("proc/loadavg");
    let started = Instant::now();
    let r = run(BIN, &["--host-root", host.root(), "--timeout", "1s"]);
    assert_eq!(
        unknown(&r),
        format!("no answer in 1s while reading {}/proc/loadavg", host.root())
            .chars()
            .take(80)
            .collect::<String>()
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
