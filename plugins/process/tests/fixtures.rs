//! Judgements on fake process tables written by the test, so that the answer is
//! exact: names, counts, kernel threads, zombies. A broken or odd /proc is in
//! `broken.rs`.

use npd_test_support::FakeHost;

use crate::util::{check, ProcessHost};

/// A node as a kubelet sees it: init, containerd, kubelet, a shim, kernel threads.
pub fn node() -> FakeHost {
    let host = FakeHost::with_proc();
    host.process(1, "systemd", &["/sbin/init"])
        .kernel_thread(2, "kthreadd")
        .kernel_thread(3, "kworker/0:0")
        .process(610, "containerd", &["/usr/bin/containerd"])
        .process(
            702,
            "kubelet",
            &["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml"],
        )
        .process(
            900,
            "containerd-shim",
            &["/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io"],
        );
    host
}

#[test]
fn healthy_node() {
    let host = node();
    let r = check(
        &host,
        &[
            "--name",
            "kubelet",
            "--name",
            "containerd",
            "--max-zombies",
            "19",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "kubelet, containerd running; zombies within limit")
    );
}

#[test]
fn missing_process_is_a_problem() {
    let host = node();
    host.remove("proc/702");
    let r = check(&host, &["--name", "kubelet", "--name", "containerd"]);
    assert_eq!((r.code, r.line()), (1, "kubelet not running (0 < min 1)"));
}

#[test]
fn too_many_copies_are_a_problem() {
    let host = node();
    host.process(611, "containerd", &["containerd"])
        .process(612, "containerd", &["containerd"]);
    let r = check(&host, &["--name", "containerd", "--max", "1"]);
    assert_eq!((r.code, r.line()), (1, "containerd 3 running > max 1"));
    let r = check(&host, &["--name", "containerd", "--min", "4"]);
    assert_eq!((r.code, r.line()), (1, "containerd 3 running < min 4"));
}

#[test]
fn several_problems_show_the_first_and_a_count() {
    let host = node();
    host.zombie(950, "sh", 900).zombie(951, "sh", 900);
    let r = check(
        &host,
        &[
            "--name",
            "etcd",
            "--name",
            "kube-proxy",
            "--max-zombies",
            "1",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "etcd not running (0 < min 1) (+2 more)")
    );
}

#[test]
fn a_long_name_is_confirmed_by_argv0() {
    let host = node();
    host.process(
        800,
        "kube-controller",
        &[
            "/usr/local/bin/kube-controller-manager",
            "--leader-elect=true",
        ],
    );
    let r = check(&host, &["--name", "kube-controller-manager", "--explain"]);
    assert_eq!((r.code, r.line()), (0, "kube-controller-manager running"));
    assert!(r.stderr.contains("(pids 800)"), "{}", r.stderr);
    assert!(r.stderr.contains(", 1 cmdline files"), "{}", r.stderr);
}

#[test]
fn a_cut_name_does_not_match_another_long_name() {
    // systemd-journal-remote and systemd-journald share their first 15 bytes.
    let host = node();
    host.process(
        300,
        "systemd-journal",
        &["/lib/systemd/systemd-journal-remote", "--listen-https=-1"],
    );
    let r = check(&host, &["--name", "systemd-journald", "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "systemd-journald not running (0 < min 1)")
    );
    assert!(
        r.stderr
            .contains("1 more with the same 15-byte kernel name"),
        "{}",
        r.stderr
    );
    // Its own full name does match.
    let r = check(&host, &["--name", "systemd-journal-remote"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn short_names_never_read_command_lines() {
    let host = node();
    // An unreadable command line would make the check Unknown if it were read.
    host.remove("proc/702/cmdline");
    host.dir("proc/702/cmdline");
    let r = check(&host, &["--name", "kubelet", "--explain"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(", 0 cmdline files"), "{}", r.stderr);
}

#[test]
fn kernel_threads_never_count() {
    let host = FakeHost::with_proc();
    host.process(1, "systemd", &["/sbin/init"])
        .kernel_thread(40, "kubelet")
        .task(41, "containerd", 'S', 2, 0, 1, &[])
        .task(2, "kthreadd", 'S', 0, 0, 1, &[]);
    let r = check(
        &host,
        &[
            "--name",
            "kubelet",
            "--name",
            "containerd",
            "--name",
            "kthreadd",
            "--explain",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "kubelet not running (0 < min 1) (+2 more)")
    );
    assert!(
        r.stderr.contains("skipped 3 kernel threads"),
        "{}",
        r.stderr
    );
}

#[test]
fn zombies_over_the_limit_name_their_parent() {
    let host = node();
    for pid in 1000..1004 {
        host.zombie(pid, "sh", 900);
    }
    host.zombie(1010, "sleep", 702);
    let r = check(&host, &["--max-zombies", "4", "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "5 zombie processes > max 4, 4 from parent containerd-shim 900"
        )
    );
    assert!(r.stderr.contains("zombies: 5 (pids "), "{}", r.stderr);
    let r = check(&host, &["--max-zombies", "5"]);
    assert_eq!((r.code, r.line()), (0, "zombies within limit"));
}

#[test]
fn a_zombie_is_not_running_but_a_leader_with_live_threads_is() {
    let host = node();
    host.remove("proc/702");
    host.zombie(702, "kubelet", 1)
        .task(1100, "java", 'Z', 1, 0x0040_0100, 30, &[]);
    let r = check(
        &host,
        &["--name", "kubelet", "--name", "java", "--max-zombies", "1"],
    );
    assert_eq!((r.code, r.line()), (1, "kubelet not running (0 < min 1)"));
}

#[test]
fn names_with_spaces_and_parentheses() {
    let host = node();
    host.process(500, "tmux: server", &["tmux"])
        .process(501, "a) (b", &["x"]);
    let r = check(&host, &["--name", "tmux: server", "--name", "a) (b"]);
    assert_eq!((r.code, r.line()), (0, "tmux: server, a) (b running"));
}

#[test]
fn patterns_find_interpreted_services() {
    let host = node();
    host.process(
        1200,
        "python3",
        &[
            "/usr/bin/python3",
            "/usr/bin/nova-compute",
            "--config-file",
            "/etc/nova/nova.conf",
        ],
    )
    .process(
        1201,
        "python3",
        &["/usr/bin/python3", "/usr/bin/nova-compute-ironic"],
    );
    let at_most_one = |pattern| check(&host, &["--cmdline", pattern, "--max", "1"]);
    let r = at_most_one("nova-compute( |$)");
    assert_eq!((r.code, r.line()), (0, "/nova-compute( |$)/ running"));
    let r = at_most_one("nova-compute");
    assert_eq!((r.code, r.line()), (1, "/nova-compute/ 2 running > max 1"));
    let r = at_most_one("neutron-.*-agent");
    assert_eq!(
        (r.code, r.line()),
        (1, "/neutron-.*-agent/ not running (0 < min 1)")
    );
}

#[test]
fn a_process_that_must_not_run() {
    let host = node();
    let r = check(&host, &["--name", "kubelet", "--min", "0", "--max", "0"]);
    assert_eq!((r.code, r.line()), (1, "kubelet 1 running > max 0"));
}
