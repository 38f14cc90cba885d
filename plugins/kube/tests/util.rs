//! A fake apiserver for the tests: npd-test-support's HTTPS server with a CA made in
//! the test, answering each request with what the test scripts (API objects in their
//! real shape, Status errors, silence, garbage, an endless list), and remembering the
//! request lines it got. Every server stops when the test drops it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use npd_test_support::pki::Pki;
use npd_test_support::Server;
use serde_json::{json, Value};

pub use npd_test_support::{assert_one_npd_line, Reply, Request, Run};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-kube");

/// Runs npd-kube as NPD would and checks the shape of its answer.
pub fn run(args: &[&str]) -> Run {
    let r = npd_test_support::Invocation::new(BIN, args)
        .env("NODE_NAME", "")
        .env("KUBERNETES_SERVICE_HOST", "")
        .go();
    assert!(
        matches!(r.code, 0..=2),
        "exit {}: {} {}",
        r.code,
        r.stdout,
        r.stderr
    );
    assert_one_npd_line(&r, 80);
    r
}

/// An answer with a JSON body, a status, extra header lines ("Name: v\r\n") and the
/// headers the apiserver always sends.
pub fn json_answer(code: u16, extra: &str, body: impl Into<String>) -> Reply {
    let headers = format!(
        "Content-Type: application/json\r\nDate: {}\r\n{extra}",
        http_date()
    );
    Reply::status(code, headers, body)
}

pub fn ok(body: Value) -> Reply {
    json_answer(200, "", body.to_string())
}

/// A CA, a server certificate for 127.0.0.1, a token file: what a pod would have.
pub struct Creds {
    pki: Pki,
}

impl Creds {
    pub fn new() -> Creds {
        let pki = Pki::new("kubernetes");
        std::fs::write(pki.dir.path().join("ca.crt"), pki.ca_text()).unwrap();
        std::fs::write(pki.dir.path().join("token"), "test-token-123\n").unwrap();
        Creds { pki }
    }

    /// Where the credentials are, and where a test may put more files.
    pub fn dir(&self) -> &Path {
        self.pki.dir.path()
    }

    pub fn ca(&self) -> PathBuf {
        self.dir().join("ca.crt")
    }

    pub fn ca_pem(&self) -> String {
        self.pki.ca_text()
    }

    pub fn token(&self) -> PathBuf {
        self.dir().join("token")
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let cert = self
            .pki
            .issue("apiserver", &["127.0.0.1", "localhost"], false);
        self.pki.server_config(&cert, None)
    }
}

/// The fake apiserver: a [`Server`] presenting a certificate the credentials trust.
pub struct Apiserver {
    pub creds: Creds,
    server: Server,
}

impl Apiserver {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Apiserver {
        let creds = Creds::new();
        let tls = creds.server_config();
        Apiserver::serving(creds, tls, handler)
    }

    /// As [`Apiserver::start`], presenting what `tls` says (another certificate, a
    /// demand for client certificates) instead of a certificate from `creds`' CA.
    pub fn serving(
        creds: Creds,
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Apiserver {
        let server = Server::https(tls, handler);
        Apiserver { creds, server }
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    pub fn url(&self) -> String {
        self.server.url("")
    }

    /// The access flags a rule would give for this server.
    pub fn access(&self) -> Vec<String> {
        vec![
            "--server".into(),
            self.url(),
            "--ca-file".into(),
            self.creds.ca().display().to_string(),
            "--token-file".into(),
            self.creds.token().display().to_string(),
        ]
    }

    /// The request heads received so far.
    pub fn requests(&self) -> Vec<String> {
        self.server.requests()
    }

    /// The target of the only request received ("/api/v1/pods?...").
    pub fn only_target(&self) -> String {
        let r = self.requests();
        assert_eq!(r.len(), 1, "{r:?}");
        r[0].split(' ').nth(1).unwrap_or("").to_string()
    }
}

/// (year, month, day, hour, minute, second) of a Unix time, UTC.
fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    npd_plugin::civil::civil_from_secs(secs as i64)
}

fn unix(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// Now, as an HTTP Date header.
pub fn http_date() -> String {
    npd_plugin::timestamp::rfc1123(unix(std::time::SystemTime::now()) as i64, "GMT")
}

/// The time `ago` before now in RFC 3339, as the API writes it.
pub fn ago(ago: Duration) -> String {
    let (y, m, d, h, mi, s) = civil(unix(std::time::SystemTime::now() - ago));
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A Status object, as the apiserver sends with an error.
pub fn status(code: u16, reason: &str, message: &str) -> Reply {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code
    });
    json_answer(code, "", body.to_string())
}

/// A running, ready pod of one container on node `node`.
pub fn pod(ns: &str, name: &str, node: &str) -> Value {
    json!({
        "metadata": {
            "name": name, "namespace": ns, "uid": format!("uid-{name}"),
            "resourceVersion": "1234", "creationTimestamp": ago(Duration::from_secs(86_400)),
            "labels": {"app": name.split('-').next().unwrap_or(name), "pod-template-hash": "5d78c9869d"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": format!("{name}-rs"), "uid": "owner", "controller": true}]
        },
        "spec": {
            "nodeName": node, "restartPolicy": "Always", "serviceAccountName": "default",
            "containers": [{"name": "main", "image": "registry.example/app:1.0",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]
        },
        "status": {
            "phase": "Running", "hostIP": "10.0.0.5", "podIP": "10.244.1.7",
            "startTime": ago(Duration::from_secs(86_000)), "qosClass": "Burstable",
            "conditions": [
                {"type": "Initialized", "status": "True", "lastTransitionTime": ago(Duration::from_secs(86_000))},
                {"type": "Ready", "status": "True", "lastTransitionTime": ago(Duration::from_secs(85_000))},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": ago(Duration::from_secs(85_000))},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": ago(Duration::from_secs(86_400))}
            ],
            "containerStatuses": [{"name": "main", "ready": true, "restartCount": 0,
                "image": "registry.example/app:1.0", "imageID": "registry.example/app@sha256:0123",
                "containerID": "containerd://abc", "started": true,
                "state": {"running": {"startedAt": ago(Duration::from_secs(85_500))}},
                "lastState": {}}]
        }
    })
}

/// `pod`'s container waiting for `reason` (CrashLoopBackOff, ImagePullBackOff).
pub fn waiting(mut p: Value, reason: &str) -> Value {
    p["status"]["containerStatuses"][0]["state"] =
        json!({"waiting": {"reason": reason, "message": "back-off restarting failed container"}});
    p["status"]["containerStatuses"][0]["ready"] = json!(false);
    not_ready_since(p, Duration::from_secs(60))
}

pub fn not_ready_since(mut p: Value, since: Duration) -> Value {
    p["status"]["conditions"][1] = json!({"type": "Ready", "status": "False",
        "reason": "ContainersNotReady", "lastTransitionTime": ago(since)});
    p
}

pub fn pod_list(items: Vec<Value>) -> Value {
    json!({"kind": "PodList", "apiVersion": "v1",
           "metadata": {"resourceVersion": "98765"}, "items": items})
}
