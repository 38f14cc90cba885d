//! `npd-kube pods`: the query it sends and how it judges the pods of this node.

use std::time::Duration;

use serde_json::{json, Value};

use crate::util::{ago, not_ready_since, ok, pod, pod_list, run, waiting, Apiserver};

/// Serves `items` as this node's PodList and runs `pods` with `extra` flags.
fn judge(items: Vec<Value>, extra: &[&str]) -> (crate::util::Run, String) {
    let list = pod_list(items);
    let api = Apiserver::start(move |_| ok(list.clone()));
    let mut args = vec!["pods".to_string(), "--node".into(), "node-1".into()];
    args.extend(api.access());
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&args);
    (r, api.only_target())
}

#[test]
fn only_this_nodes_pods_are_asked_from_the_watch_cache_without_limit() {
    let (r, target) = judge(vec![pod("kube-system", "coredns-1", "node-1")], &[]);
    assert_eq!(
        (r.code, r.line()),
        (0, "pods on this node are healthy"),
        "{}",
        r.stderr
    );
    assert_eq!(
        target,
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&resourceVersion=0"
    );
    assert!(!target.contains("limit"));
    let (_, target) = judge(
        vec![],
        &[
            "--namespace",
            "openstack",
            "--selector",
            "app in (keystone,nova)",
        ],
    );
    assert_eq!(
        target,
        "/api/v1/namespaces/openstack/pods?fieldSelector=spec.nodeName%3Dnode-1\
         &resourceVersion=0&labelSelector=app%20in%20%28keystone%2Cnova%29"
    );
}

#[test]
fn crash_loops_and_image_pulls_are_problems_the_worst_named_with_the_count() {
    let items = vec![
        pod("default", "web-1", "node-1"),
        waiting(pod("default", "web-2", "node-1"), "ImagePullBackOff"),
        waiting(
            pod("openstack", "keystone-api-7", "node-1"),
            "CrashLoopBackOff",
        ),
        waiting(pod("default", "web-3", "node-1"), "ErrImagePull"),
    ];
    let (r, _) = judge(items, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.line(),
        "3 bad pods, worst openstack/keystone-api-7 CrashLoopBackOff"
    );
    let (r, _) = judge(
        vec![waiting(
            pod("default", "web-2", "node-1"),
            "ImagePullBackOff",
        )],
        &[],
    );
    assert_eq!(r.line(), "1 bad pod: default/web-2 ImagePullBackOff");
}

#[test]
fn not_ready_and_stuck_terminating_only_past_their_limits() {
    let slow = not_ready_since(pod("default", "db-0", "node-1"), Duration::from_secs(600));
    let fresh = not_ready_since(pod("default", "db-1", "node-1"), Duration::from_secs(30));
    let mut done = not_ready_since(pod("default", "job-1", "node-1"), Duration::from_secs(9000));
    done["status"]["phase"] = json!("Succeeded");
    let (r, _) = judge(vec![slow.clone(), fresh.clone(), done.clone()], &[]);
    assert_eq!(r.code, 0, "off by default: {}", r.line());
    let (r, _) = judge(vec![slow, fresh, done], &["--not-ready-for", "5m"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.line(), "1 bad pod: default/db-0 not ready for 10m > 5m");

    let mut stuck = pod("default", "old-1", "node-1");
    stuck["metadata"]["deletionTimestamp"] = json!(ago(Duration::from_secs(1800)));
    stuck["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    let mut leaving = pod("default", "old-2", "node-1");
    leaving["metadata"]["deletionTimestamp"] = json!(ago(Duration::from_secs(5)));
    let (r, _) = judge(
        vec![leaving, stuck],
        &["--terminating-for", "10m", "--not-ready-for", "5m"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.line(),
        "1 bad pod: default/old-1 terminating for 30m > 10m"
    );
}

#[test]
fn restarts_above_the_limit() {
    let mut p = pod("default", "flaky-1", "node-1");
    p["status"]["containerStatuses"][0]["restartCount"] = json!(12);
    let (r, _) = judge(vec![p.clone()], &["--max-restarts", "12"]);
    assert_eq!(r.code, 0, "{}", r.line());
    let (r, _) = judge(vec![p], &["--max-restarts", "5"]);
    assert_eq!(r.line(), "1 bad pod: default/flaky-1 12 restarts > 5");
}

#[test]
fn an_empty_node_and_null_lists_are_healthy() {
    let (r, _) = judge(vec![], &[]);
    assert_eq!(r.code, 0);
    let mut p = pod("default", "new-1", "node-1");
    p["metadata"]["creationTimestamp"] = json!(ago(Duration::from_secs(20)));
    p["status"] = json!({"phase": "Pending"});
    let (r, _) = judge(vec![p], &["--not-ready-for", "5m"]);
    assert_eq!(r.code, 0, "{}", r.line());
}
