//! How prune fails: a node that keeps changing, an apiserver that refuses or cannot
//! be reached, an unreadable config (nothing removed, NPD still starts), bad flags.

use std::time::Duration;

use crate::apiserver::NODE;
use crate::fixture::{prune, Node};

#[test]
fn a_node_changed_under_the_patch_is_read_again() {
    let n = Node::new();
    n.record("npd-checks", &["NTPProblem"]);
    n.api.state.lock().unwrap().conflicts = 2;
    let out = n.prune(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .starts_with("Removed from node n1 (after 2 conflicts):"),
        "{}",
        out.stdout
    );
    assert_eq!(n.api.requests().len(), 6);
    assert!(!n.api.types().contains(&"NTPProblem".to_string()));
    // A node that changes under every patch: nothing removed, NPD still starts.
    let n = Node::new();
    n.record("npd-checks", &["NTPProblem"]);
    n.api.state.lock().unwrap().conflicts = 100;
    let out = n.prune(&[]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr
            .contains("changed under every one of 5 patches (409 Conflict)"),
        "{}",
        out.stderr
    );
    assert_eq!(
        n.recorded("npd-checks"),
        ["DiskUsageHigh", "KernelDeadlock", "NTPProblem"]
    );
}

#[test]
fn a_refusal_removes_nothing_keeps_the_record_and_lets_npd_start() {
    let n = Node::new();
    n.record("npd-checks", &["NTPProblem"]);
    let message =
        "nodes \"n1\" is forbidden: User \"system:serviceaccount:kube-system:npd-checks\" \
                   cannot get resource \"nodes\" in API group \"\" at the cluster scope";
    n.api.state.lock().unwrap().refuse = Some((403, message.to_string()));
    let out = n.prune(&[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "npd-checks prune: nothing removed: 403: system:serviceaccount:kube-system:npd-checks \
         cannot get nodes: its ClusterRole must allow get nodes\n"
    );
    // The stale type stays recorded for the next start, the claimed ones are learnt.
    assert_eq!(
        n.recorded("npd-checks"),
        ["DiskUsageHigh", "KernelDeadlock", "NTPProblem"]
    );
    // A person running it dry hears it as an error.
    assert_eq!(n.prune(&["--dry-run"]).code, 2);
}

#[test]
fn an_apiserver_out_of_reach_removes_nothing_and_lets_npd_start() {
    let n = Node::new();
    n.record("npd-checks", &["NTPProblem"]);
    let closed = npd_test_support::closed_port();
    let kubeconfig = n
        .api
        .kubeconfig(Some(format!("https://127.0.0.1:{}", closed.port())));
    let out = n.prune_at(&kubeconfig, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .starts_with("npd-checks prune: nothing removed: apiserver 127.0.0.1:"),
        "{}",
        out.stderr
    );
    assert!(out.took < Duration::from_secs(5));
    assert_eq!(
        n.recorded("npd-checks"),
        ["DiskUsageHigh", "KernelDeadlock", "NTPProblem"]
    );
    // Not in a cluster at all (no KUBERNETES_SERVICE_HOST): the same.
    let state = n.state().display().to_string();
    let configs = n.configs();
    let mut args = vec!["--state-dir", state.as_str()];
    args.extend(configs.iter().map(String::as_str));
    let out = prune(&args, &[("NODE_NAME", NODE)]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("KUBERNETES_SERVICE_HOST is unset"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreadable_config_removes_nothing() {
    let n = Node::new();
    n.record("npd-checks", &["NTPProblem"]);
    std::fs::write(n.dir.path().join("npd-disk.json"), "{not json").unwrap();
    let out = n.prune(&[]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("npd-disk.json: not a JSON config"),
        "{}",
        out.stderr
    );
    assert!(n.api.requests().is_empty());
    assert_eq!(n.recorded("npd-checks"), ["NTPProblem"]);
}

/// Arguments and environment.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);

#[test]
fn bad_flags_are_usage_errors() {
    let n = Node::new();
    let config = n.configs()[0].clone();
    let cases: &[Case] = &[
        (&[], &[("NODE_NAME", NODE)]),
        (&[&config], &[]),
        (&[&config], &[("NODE_NAME", "")]),
        (&[&config], &[("NODE_NAME", "../etc")]),
        (&["--owner", "Base/x", &config], &[("NODE_NAME", NODE)]),
        (&["--timeout", "soon", &config], &[("NODE_NAME", NODE)]),
        (&["--dry", &config], &[("NODE_NAME", NODE)]),
    ];
    for (args, env) in cases {
        let out = prune(args, env);
        assert_eq!(
            out.code, 2,
            "{args:?} {env:?}: {}{}",
            out.stdout, out.stderr
        );
        assert!(out.stderr.contains("error:"), "{args:?}: {}", out.stderr);
    }
}
