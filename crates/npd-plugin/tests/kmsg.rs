//! The kernel log reader (`npd_plugin::kmsg`) on both shapes of the log: a fixture
//! host root's file of records, one per line, and this machine's own /dev/kmsg, read
//! only and only where this user may read it. The cursor between runs, lost and
//! malformed records, limits, a reboot.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use npd_plugin::boot::Boot;
use npd_plugin::kmsg::{commit, read_since_last_run, Batch, Limits};
use npd_plugin::state::StateDir;
use npd_plugin::{Context, Kind};

fn host(records: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let rnd = root.path().join("proc/sys/kernel/random");
    std::fs::create_dir_all(&rnd).unwrap();
    std::fs::write(rnd.join("boot_id"), "b-1\n").unwrap();
    std::fs::write(root.path().join("proc/uptime"), "100.00 1.00\n").unwrap();
    std::fs::create_dir_all(root.path().join("dev")).unwrap();
    std::fs::write(root.path().join("dev/kmsg"), records).unwrap();
    (root, tempfile::tempdir().unwrap())
}

fn ctx(root: &Path, state: &Path) -> Context {
    let st = StateDir::new(state, "npd-test", "k");
    Context::new(root, Duration::from_secs(4), false, st)
}

fn seqs(b: &Batch) -> Vec<u64> {
    b.records.iter().map(|r| r.seq.unwrap()).collect()
}

#[test]
fn each_run_sees_only_newer_records_and_a_reboot_starts_afresh() {
    let (root, state) = host("6,1,10,-;one\n SUBSYSTEM=x\n6,2,20,-;two\n");
    let run = |limits: Limits| {
        let c = ctx(root.path(), state.path());
        let boot = Boot::read(&c).unwrap();
        let b = read_since_last_run(&c, "kmsg", &boot, limits).unwrap();
        commit(&c, "kmsg", &b).unwrap();
        b
    };
    let b = run(Limits::default());
    assert!(b.first_run && !b.rebooted);
    assert_eq!(seqs(&b), [1, 2]);
    assert!(run(Limits::default()).records.is_empty());
    std::fs::write(
        root.path().join("dev/kmsg"),
        "6,2,20,-;two\nnot a record\n6,5,50,-;five\n6,6,60,-;six\n",
    )
    .unwrap();
    let b = run(Limits {
        max_records: 1,
        max_bytes: 100,
    });
    assert_eq!(
        (seqs(&b), b.lost, b.malformed, b.more),
        (vec![5], 2, 1, true)
    );
    assert_eq!(seqs(&run(Limits::default())), [6]);
    std::fs::write(root.path().join("proc/sys/kernel/random/boot_id"), "b-2\n").unwrap();
    let b = run(Limits::default());
    assert!(b.rebooted && !b.first_run);
    assert_eq!(seqs(&b), [2, 5, 6]);
}

#[test]
fn what_is_not_the_kernel_log_is_unobserved() {
    let (root, state) = host("");
    std::fs::remove_file(root.path().join("dev/kmsg")).unwrap();
    let c = ctx(root.path(), state.path());
    let boot = Boot::read(&c).unwrap();
    let e = read_since_last_run(&c, "kmsg", &boot, Limits::default()).unwrap_err();
    assert!(e.message().ends_with("dev/kmsg: not found"), "{e}");
    std::fs::create_dir(root.path().join("dev/kmsg")).unwrap();
    let e = read_since_last_run(&c, "kmsg", &boot, Limits::default()).unwrap_err();
    assert!(
        e.message()
            .ends_with("not the kernel log (neither a device nor a file)"),
        "{e}"
    );
    assert_eq!(e.kind(), Kind::Unobserved);
}

/// The machine's own /dev/kmsg, read only, where this user may read it.
#[test]
fn the_real_device_gives_records_in_order() {
    if File::open("/dev/kmsg").is_err() {
        eprintln!("SKIPPED: /dev/kmsg is not readable here");
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let c = ctx(Path::new("/"), state.path());
    let boot = Boot::read(&c).unwrap();
    let b = read_since_last_run(&c, "kmsg", &boot, Limits::default()).unwrap();
    assert!(b.first_run);
    assert_eq!(b.malformed, 0);
    assert!(b.records.windows(2).all(|w| w[0].seq < w[1].seq));
    commit(&c, "kmsg", &b).unwrap();
    let again = read_since_last_run(&c, "kmsg", &boot, Limits::default()).unwrap();
    let last = b.cursor.seq;
    assert!(again.records.iter().all(|r| r.seq > last));
}
