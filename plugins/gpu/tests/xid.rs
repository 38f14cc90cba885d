//! XIDs in the kernel log: critical ones stay for the boot, the others are counted
//! since the last run; a reboot starts afresh; garbage records are skipped; a kernel
//! log or state dir that cannot be used is Unknown.

use npd_test_support::{assert_says, is_root, FakeHost, Invocation};

use crate::util::{answer, answer_in, xid_line, GpuHost, BIN, KMSG};

const GPU: &str = "0000:3b:00";

#[test]
fn a_critical_xid_stays_until_the_node_reboots() {
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    let state = tempfile::tempdir().unwrap();
    let xid = ["--check", "xid"];
    assert_eq!(
        answer_in(&host, state.path(), &xid),
        (0, "no critical XID this boot".into())
    );
    host.log(&[(1, "usb 1-1: new device"), (2, &xid_line("0000:3B:00", 79))]);
    let found = format!("GPU {GPU} critical XID 79 this boot");
    assert_eq!(answer_in(&host, state.path(), &xid), (1, found.clone()));
    // Nothing new in the log: still true, the GPU is still gone.
    assert_eq!(answer_in(&host, state.path(), &xid), (1, found.clone()));
    host.log(&[(3, &xid_line("0000:86:00", 48))]);
    assert_eq!(
        answer_in(&host, state.path(), &xid),
        (1, format!("{found} (+1 more)"))
    );
    host.reboot("b007-0002");
    assert_eq!(
        answer_in(&host, state.path(), &xid),
        (0, "no critical XID this boot".into())
    );
}

#[test]
fn the_first_run_reads_the_log_since_boot() {
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    host.log(&[(7, &xid_line(GPU, 48)), (8, &xid_line(GPU, 13))]);
    assert_eq!(
        answer(&host, &["--check", "xid"]),
        (1, format!("GPU {GPU} critical XID 48 this boot"))
    );
    // An event rule takes what came before it as its baseline.
    assert_eq!(
        answer(&host, &["--check", "xid-other"]),
        (0, "no new XID".into())
    );
}

#[test]
fn other_xids_are_counted_since_the_last_run() {
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    let state = tempfile::tempdir().unwrap();
    let other = ["--check", "xid-other"];
    host.log(&[(1, &xid_line(GPU, 13))]);
    assert_eq!(
        answer_in(&host, state.path(), &other),
        (0, "no new XID".into())
    );
    host.log(&[
        (2, &xid_line(GPU, 13)),
        (3, &xid_line(GPU, 13)),
        (4, &xid_line(GPU, 79)),
    ]);
    assert_eq!(
        answer_in(&host, state.path(), &other),
        (1, format!("GPU {GPU} XID 13 x2 since last run"))
    );
    assert_eq!(
        answer_in(&host, state.path(), &other),
        (0, "no new XID".into())
    );
    // 94 and 92 are not critical by default; --critical-xids changes the list.
    host.log(&[(5, &xid_line(GPU, 94))]);
    let both = ["--check", "xid,xid-other"];
    let state = tempfile::tempdir().unwrap();
    let r = answer_in(&host, state.path(), &both);
    assert_eq!(r, (1, format!("GPU {GPU} critical XID 79 this boot")));
    let state = tempfile::tempdir().unwrap();
    let own = ["--check", "xid", "--critical-xids", "94"];
    assert_eq!(
        answer_in(&host, state.path(), &own),
        (1, format!("GPU {GPU} critical XID 94 this boot"))
    );
}

#[test]
fn garbage_records_are_skipped() {
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    host.append(
        KMSG,
        "not a record\n\u{1}\u{2}binary;;\n4,x,1,-;NVRM: Xid (PCI:0000:3b:00): 79, x\n",
    )
    .append(
        KMSG,
        b"4,9,9,-;\xff\xfe NVRM: Xid (PCI:zz): 79,\n".as_slice(),
    )
    .log(&[(10, "NVRM: Xid (PCI:0000:3b:00): lots, pid=1")]);
    let r = Invocation::new(BIN, &["--host-root", host.root(), "--check", "xid"]).go();
    assert_eq!(
        (r.code, r.line()),
        (0, "no critical XID this boot"),
        "{}",
        r.stderr
    );
    assert_says(&r.stderr, &["3 kernel log records did not parse"]);
}

#[test]
fn a_kernel_log_that_cannot_be_read_is_unknown() {
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    host.remove(KMSG);
    let (code, line) = answer(&host, &["--check", "xid"]);
    assert_eq!(code, 2);
    assert!(line.ends_with("dev/kmsg: not found"), "{line}");
    host.dir(KMSG);
    let (code, line) = answer(&host, &["--check", "xid"]);
    assert_eq!(code, 2);
    assert!(
        line.ends_with("not the kernel log (neither a device nor a file)"),
        "{line}"
    );
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    host.remove("proc/sys/kernel/random/boot_id");
    let (code, line) = answer(&host, &["--check", "xid"]);
    assert_eq!(code, 2);
    assert!(line.ends_with("boot_id: not found"), "{line}");
}

#[test]
fn an_unusable_state_dir_is_unknown() {
    let host = FakeHost::with_gpus(&["0000:3b:00.0"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    let r = Invocation::new(BIN, &["--host-root", host.root(), "--check", "xid"])
        .state_dir(&file.path().join("state"))
        .go();
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.line().starts_with("state dir "), "{}", r.line());
}

/// This machine's /dev/kmsg, read only: the answer is a verdict, never a failure to
/// read, where this user may read it.
#[test]
fn the_real_kernel_log_is_judged() {
    if std::fs::File::open("/dev/kmsg").is_err() {
        eprintln!(
            "SKIPPED: /dev/kmsg is not readable here (root: {})",
            is_root()
        );
        return;
    }
    let r = Invocation::new(
        BIN,
        &["--host-root", "/", "--check", "xid,xid-other", "--explain"],
    )
    .go();
    assert!(r.code == 0 || r.code == 1, "{}\n{}", r.stdout, r.stderr);
    assert_says(&r.stderr, &["kernel log: "]);
}
