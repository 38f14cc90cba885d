//! Against a real containerd (Debian's package) the test starts with its state in a
//! temp dir and no CNI config: its RuntimeReady is true and its NetworkReady false,
//! with containerd's own reason, as on a node whose CNI has not been installed yet.
//! Killed, it leaves its socket behind (refused: a problem); stopped, it removes it.

use npd_test_support::assert_one_npd_line;

use crate::util::Containerd;

#[test]
fn a_ready_runtime_is_ok_when_only_the_runtime_is_required() {
    let Some(containerd) = Containerd::start("a_ready_runtime_is_ok") else {
        return;
    };
    let r = containerd.run(&[]);
    assert_eq!(
        (r.code, r.line()),
        (0, "container runtime is ready"),
        "{}",
        r.stderr
    );
    let r = containerd.run(&["--require", "runtime"]);
    assert_eq!((r.code, r.line()), (0, "container runtime is ready"));
}

#[test]
fn network_not_ready_without_cni_config_is_a_problem_when_required() {
    let Some(containerd) = Containerd::start("network_not_ready") else {
        return;
    };
    for args in [
        &["--require", "network"][..],
        &["--require", "runtime,network"],
    ] {
        let r = containerd.run(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stdout);
        assert_one_npd_line(&r, 80);
        assert!(
            r.line()
                .starts_with("NetworkReady false: NetworkPluginNotReady: "),
            "{}",
            r.line()
        );
    }
    // The runtime's whole message, when the line may be longer.
    let r = containerd.run(&["--require", "network", "--max-output", "400"]);
    assert!(
        r.line().ends_with("cni plugin not initialized"),
        "{}",
        r.line()
    );
}

#[test]
fn a_list_call_slower_than_max_latency_is_a_problem() {
    let Some(containerd) = Containerd::start("a_list_call_slower") else {
        return;
    };
    let r = containerd.run(&["--max-latency", "1us"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let line = r.line();
    assert!(line.starts_with("ListPodSandbox took "), "{line}");
    assert!(line.ends_with(" > 1us on /containerd.sock"), "{line}");
}

#[test]
fn explain_shows_version_conditions_and_latency() {
    let Some(containerd) = Containerd::start("explain_shows") else {
        return;
    };
    let r = containerd.run(&["--explain", "--require", "runtime,network"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    npd_test_support::assert_says(
        &r.stderr,
        &[
            "Version: containerd ",
            ", CRI v1 (",
            "Status: RuntimeReady true",
            "Status: NetworkReady false (reason \"NetworkPluginNotReady\"",
            "RuntimeReady: required, true: ok",
            "NetworkReady: required, false: problem",
            "ListPodSandbox (ready): 0 sandboxes in ",
            "--max-latency 2s: ok",
        ],
    );
}

#[test]
fn containerd_without_its_cri_plugin_is_unknown_naming_the_status() {
    // Docker's containerd: the socket is there and speaks gRPC, but not the CRI.
    let Some(containerd) =
        Containerd::start_with("containerd_without_cri", &["io.containerd.grpc.v1.cri"])
    else {
        return;
    };
    let r = containerd.run(&["--max-output", "400"]);
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "CRI Version: gRPC status Unimplemented: unknown service runtime.v1.RuntimeService"
        )
    );
}

#[test]
fn a_crashed_containerd_is_a_problem_and_a_stopped_one_unknown() {
    let Some(mut containerd) = Containerd::start("a_crashed_containerd") else {
        return;
    };
    containerd.end(libc::SIGKILL);
    let r = containerd.run(&[]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "/containerd.sock: connection refused, runtime not serving"
        )
    );
    let Some(mut containerd) = Containerd::start("a_stopped_containerd") else {
        return;
    };
    containerd.end(libc::SIGTERM);
    let r = containerd.run(&[]);
    assert_eq!((r.code, r.line()), (2, "no CRI socket at /containerd.sock"));
}
