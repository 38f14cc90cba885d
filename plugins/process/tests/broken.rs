//! A /proc that is odd or broken: garbage stat lines, processes that vanish while
//! being read, an empty, missing or unreadable /proc. Skippable oddities are skipped;
//! anything that blinds the check is Unknown, never a problem.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use npd_test_support::{assert_says, is_root, run, FakeHost, Invocation, Run};

use crate::fixtures::node;
use crate::util::{check, stat_line, ProcessHost, BIN};

#[test]
fn garbage_stat_lines_are_skipped_and_explained() {
    let host = node();
    host.raw_stat(66, b"66 (broken S 1 66\n")
        .raw_stat(67, b"")
        .raw_stat(68, stat_line(99, "kubelet", 'S', 1, 0, 1).as_bytes());
    host.write("proc/69", b"not a directory");
    let r = check(&host, &["--name", "kubelet", "--explain"]);
    assert_eq!((r.code, r.line()), (0, "kubelet running"), "{}", r.stderr);
    assert_says(
        &r.stderr,
        &[
            "66/stat: no ')' after the name",
            "67/stat: no '(' before the name",
            "68/stat: PID differs",
            "69/stat: not a process directory",
            "4 garbage stat lines",
        ],
    );
}

#[test]
fn processes_that_vanish_mid_scan_are_skipped() {
    let host = node();
    // Listed, but gone by the time its files are opened.
    host.dir("proc/4000");
    // Its stat was read, its command line is gone.
    host.process(4001, "kube-controller", &["kube-controller-manager"]);
    host.remove("proc/4001/cmdline");
    let r = check(
        &host,
        &[
            "--name",
            "kubelet",
            "--name",
            "kube-controller-manager",
            "--min",
            "0",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "kubelet, kube-controller-manager count within limit")
    );
}

#[test]
fn empty_proc_is_unknown() {
    let host = FakeHost::with_proc();
    host.dir("proc/self");
    let r = check(&host, &["--name", "kubelet"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line().starts_with("no process found under "),
        "{}",
        r.stdout
    );
    // Garbage only is no better than nothing.
    host.raw_stat(5, b"garbage\n");
    assert_eq!(check(&host, &["--max-zombies", "1"]).code, 2);
}

#[test]
fn missing_proc_is_unknown() {
    let host = FakeHost::new();
    let r = check(&host, &["--name", "kubelet"]);
    assert_eq!(
        (r.code, r.stdout.clone()),
        (2, format!("cannot read {}/proc: not found\n", host.root()))
    );
}

#[test]
fn proc_that_is_a_file_is_unknown() {
    let host = FakeHost::new();
    host.write("proc", b"");
    let r = check(&host, &["--max-zombies", "0"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.line().ends_with("/proc: not a directory"), "{}", r.stdout);
}

/// Mode bits stop everyone but root, so as root the plugin runs as `nobody`.
fn check_unprivileged(host: &FakeHost, flags: &[&str]) -> Run {
    let mut args = vec!["--host-root", host.root()];
    args.extend_from_slice(flags);
    if is_root() {
        Invocation::new(BIN, &args).as_nobody().go()
    } else {
        run(BIN, &args)
    }
}

#[test]
fn unreadable_proc_is_unknown() {
    let host = node();
    fs::set_permissions(host.path("proc"), fs::Permissions::from_mode(0o000)).unwrap();
    let r = check_unprivileged(&host, &["--name", "kubelet"]);
    fs::set_permissions(host.path("proc"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        (r.code, r.stdout.clone()),
        (
            2,
            format!("cannot read {}/proc: permission denied\n", host.root())
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unreadable_process_is_unknown_not_missing() {
    // The process that cannot be read might be the one being looked for.
    let host = node();
    fs::set_permissions(
        host.path("proc/702/stat"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let r = check_unprivileged(&host, &["--name", "kubelet"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.line().ends_with("/proc/702/stat: permission denied"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_command_line_read_that_hangs_is_unknown_and_named() {
    // A FIFO with no writer blocks its reader, as a process stuck holding its memory
    // map lock blocks a read of its command line.
    let host = node();
    host.process(800, "kube-controller", &[]);
    host.fifo("proc/800/cmdline");
    let started = std::time::Instant::now();
    let r = check(
        &host,
        &["--name", "kube-controller-manager", "--timeout", "1s"],
    );
    assert_eq!(
        (r.code, r.stdout.clone()),
        (
            2,
            format!(
                "no answer in 1s while reading {}/proc/800/cmdline\n",
                host.root()
            )
        )
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_tree_with_only_stat_files_is_judged_the_same() {
    // Copies of /proc made by other tools may lack `comm` and `statm`; `stat` has what
    // they would have told.
    let host = node();
    host.zombie(950, "sh", 900).zombie(951, "sh", 900);
    for entry in fs::read_dir(host.path("proc")).unwrap() {
        let dir = entry.unwrap().path();
        let _ = fs::remove_file(dir.join("comm"));
        let _ = fs::remove_file(dir.join("statm"));
    }
    let r = check(&host, &["--name", "kubelet", "--name", "kthreadd"]);
    assert_eq!((r.code, r.line()), (1, "kthreadd not running (0 < min 1)"));
    let r = check(&host, &["--max-zombies", "1"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "2 zombie processes > max 1, 2 from parent containerd-shim 900"
        )
    );
}
