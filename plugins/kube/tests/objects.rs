//! `deployment` and `service`: seed examples of the control-plane role, one object
//! asked per run.

use serde_json::{json, Value};

use crate::util::{ok, run, status, Apiserver, Reply};

fn check(
    reply: impl Fn() -> Reply + Send + Sync + 'static,
    args: &[&str],
) -> (crate::util::Run, String) {
    let api = Apiserver::start(move |_| reply());
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.extend(api.access());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let r = run(&all);
    (r, api.only_target())
}

fn deployment(desired: u32, available: Option<u32>) -> Value {
    let mut status = json!({"observedGeneration": 3, "replicas": desired, "updatedReplicas": desired,
        "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]});
    if let Some(a) = available {
        status["availableReplicas"] = json!(a);
        status["readyReplicas"] = json!(a);
    }
    json!({"kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "keystone-deployment", "namespace": "default", "generation": 3},
        "spec": {"replicas": desired, "selector": {"matchLabels": {"app": "keystone"}},
            "template": {"metadata": {"labels": {"app": "keystone"}}, "spec": {"containers": [{"name": "keystone", "image": "keystone:newton"}]}}},
        "status": status})
}

#[test]
fn a_deployment_with_enough_available_replicas_is_ok() {
    let (r, target) = check(
        || ok(deployment(2, Some(2))),
        &[
            "deployment",
            "default/keystone-deployment",
            "--min-available",
            "2",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            0,
            "deployment default/keystone-deployment has enough available replicas"
        )
    );
    assert_eq!(
        target,
        "/apis/apps/v1/namespaces/default/deployments/keystone-deployment"
    );
}

#[test]
fn too_few_or_no_available_replicas_is_a_problem_with_the_limit() {
    let (r, _) = check(
        || ok(deployment(2, Some(1))),
        &[
            "deployment",
            "default/keystone-deployment",
            "--min-available",
            "2",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "deployment default/keystone-deployment 1 available < 2 (2 desired)"
        )
    );
    // availableReplicas is omitted when zero.
    let (r, _) = check(
        || ok(deployment(2, None)),
        &["deployment", "default/keystone-deployment"],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "deployment default/keystone-deployment 0 available < 1 (2 desired)"
        )
    );
}

#[test]
fn a_missing_or_forbidden_deployment_is_unknown() {
    let (r, _) = check(
        || status(404, "NotFound", "deployments.apps \"nova\" not found"),
        &["deployment", "default/nova"],
    );
    assert_eq!(
        (r.code, r.line()),
        (2, "deployment default/nova not found (404)")
    );
    let (r, _) = check(
        || status(403, "Forbidden", "forbidden"),
        &["deployment", "default/nova"],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.line(),
        "deployment default/nova: 403: RBAC must allow get deployments"
    );
}

fn slice(name: &str, endpoints: Vec<Value>) -> Value {
    json!({"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"name": name, "namespace": "default",
            "labels": {"kubernetes.io/service-name": "keystone-service", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
        "addressType": "IPv4",
        "ports": [{"name": "public", "port": 5000, "protocol": "TCP"}],
        "endpoints": endpoints})
}

fn endpoint(ip: &str, pod: &str, ready: Option<bool>) -> Value {
    let mut e = json!({"addresses": [ip], "nodeName": "node-1", "conditions": {},
        "targetRef": {"kind": "Pod", "namespace": "default", "name": pod, "uid": format!("uid-{pod}")}});
    if let Some(r) = ready {
        e["conditions"] = json!({"ready": r, "serving": r, "terminating": false});
    }
    e
}

fn slices(items: Vec<Value>) -> Value {
    json!({"kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"resourceVersion": "77"}, "items": items})
}

#[test]
fn ready_endpoints_are_counted_once_across_slices() {
    let list = slices(vec![
        slice(
            "keystone-service-abc",
            vec![
                endpoint("10.244.1.5", "keystone-1", Some(true)),
                endpoint("10.244.2.5", "keystone-2", None),
                endpoint("10.244.3.5", "keystone-3", Some(false)),
            ],
        ),
        slice(
            "keystone-service-def",
            vec![endpoint("10.244.1.5", "keystone-1", Some(true))],
        ),
    ]);
    let l = list.clone();
    let (r, target) = check(
        move || ok(l.clone()),
        &[
            "service",
            "default/keystone-service",
            "--min-endpoints",
            "2",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            0,
            "service default/keystone-service has enough ready endpoints"
        )
    );
    assert_eq!(
        target,
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices\
         ?labelSelector=kubernetes.io%2Fservice-name%3Dkeystone-service&resourceVersion=0"
    );
    let (r, _) = check(
        move || ok(list.clone()),
        &[
            "service",
            "default/keystone-service",
            "--min-endpoints",
            "3",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "service default/keystone-service 2 ready endpoints < 3")
    );
}

#[test]
fn a_service_without_endpoints_is_a_problem_and_one_without_slices_unknown() {
    let (r, _) = check(
        || ok(slices(vec![slice("keystone-service-abc", vec![])])),
        &["service", "default/keystone-service"],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "service default/keystone-service 0 ready endpoints < 1")
    );
    let empty = json!({"kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1", "metadata": {}, "items": []});
    let (r, _) = check(
        move || ok(empty.clone()),
        &["service", "default/keystone-servce"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("no EndpointSlice for service default/keystone-servce"),
        "{}",
        r.line()
    );
    let (r, _) = check(
        || status(403, "Forbidden", "forbidden"),
        &["service", "default/keystone-service"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.line().ends_with("RBAC must allow list endpointslices"),
        "{}",
        r.line()
    );
}
