//! A fake apiserver for the prune tests: HTTPS with a CA made in the test, one Node
//! (`n1`) with the kubelet's conditions and npd-checks' ones, answering GET of the
//! node and PATCH of its status as the apiserver does: a strategic merge patch whose
//! `$patch: delete` elements remove conditions by type, and whose resourceVersion is a
//! precondition (a mismatch answers 409). A test may make it change the node under
//! the next patches (409s), or refuse everything with one answer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use npd_test_support::pki::Pki;
use npd_test_support::{Reply, Request, Server};
use serde_json::{json, Value};

pub const NODE: &str = "n1";
const TOKEN: &str = "prune-token";

/// What the node holds and what the server was asked.
#[derive(Default)]
pub struct State {
    pub resource_version: u64,
    pub conditions: Vec<Value>,
    /// The next patches answered 409, as if another writer got there first.
    pub conflicts: u32,
    /// Every request answered with this instead (403, 500...).
    pub refuse: Option<(u16, String)>,
    /// Method and path of each request, and the body of each PATCH.
    pub requests: Vec<String>,
    pub patches: Vec<Value>,
}

pub struct Apiserver {
    pub state: Arc<Mutex<State>>,
    pki: Pki,
    server: Server,
}

pub fn condition(type_: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": type_, "status": status, "reason": reason, "message": message,
           "lastHeartbeatTime": "2024-05-01T10:00:00Z",
           "lastTransitionTime": "2024-04-30T08:00:00Z"})
}

fn status(code: u16, reason: &str, message: &str) -> Reply {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code});
    Reply::status(code, "Content-Type: application/json\r\n", body.to_string())
}

fn node(s: &State) -> Reply {
    let body = json!({
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": NODE, "resourceVersion": s.resource_version.to_string(),
                     "labels": {"kubernetes.io/hostname": NODE}},
        "spec": {"podCIDR": "10.244.1.0/24"},
        "status": {"conditions": s.conditions,
                   "images": [{"names": ["registry.example/app:1.0"], "sizeBytes": 123456}]}
    });
    Reply::status(200, "Content-Type: application/json\r\n", body.to_string())
}

fn answer(s: &mut State, req: &Request) -> Reply {
    let method = req.head.split(' ').next().unwrap_or("").to_string();
    s.requests.push(format!("{method} {}", req.path()));
    if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return status(401, "Unauthorized", "Unauthorized");
    }
    if let Some((code, message)) = &s.refuse {
        return status(*code, "Forbidden", message);
    }
    let here = format!("/api/v1/nodes/{NODE}");
    match (method.as_str(), req.path()) {
        ("GET", p) if p == here => node(s),
        ("PATCH", p) if p == format!("{here}/status") => patch(s, req),
        (_, p) if p.starts_with("/api/v1/nodes/") => {
            status(404, "NotFound", "nodes \"x\" not found")
        }
        _ => status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
}

fn patch(s: &mut State, req: &Request) -> Reply {
    if req.header("content-type") != Some("application/strategic-merge-patch+json") {
        return status(415, "UnsupportedMediaType", "unsupported patch type");
    }
    let body: Value = serde_json::from_slice(&req.body).expect("a JSON patch");
    s.patches.push(body.clone());
    if s.conflicts > 0 {
        s.conflicts -= 1;
        s.resource_version += 1;
    }
    let want = body["metadata"]["resourceVersion"].as_str().unwrap_or("");
    if !want.is_empty() && want != s.resource_version.to_string() {
        return status(409, "Conflict", "Operation cannot be fulfilled on nodes \"n1\": \
            the object has been modified; please apply your changes to the latest version and try again");
    }
    for element in body["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let t = element["type"].clone();
        s.conditions.retain(|c| c["type"] != t);
        if element["$patch"] != "delete" {
            s.conditions.push(element.clone());
        }
    }
    s.resource_version += 1;
    node(s)
}

impl Apiserver {
    pub fn start(conditions: Vec<Value>) -> Apiserver {
        let state = Arc::new(Mutex::new(State {
            resource_version: 4711,
            conditions,
            ..State::default()
        }));
        let pki = Pki::new("kubernetes");
        let cert = pki.issue("apiserver", &["127.0.0.1"], false);
        let shared = state.clone();
        let server = Server::https(pki.server_config(&cert, None), move |req| {
            answer(&mut shared.lock().unwrap(), req)
        });
        Apiserver { state, pki, server }
    }

    /// A kubeconfig for this server (or for `server`, to point it elsewhere).
    pub fn kubeconfig(&self, server: Option<String>) -> PathBuf {
        let path = self.pki.dir.path().join("kubeconfig");
        let server = server.unwrap_or_else(|| self.server.url(""));
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\n\
             clusters:\n- name: k\n  cluster:\n    server: {}\n    certificate-authority: {}\n\
             contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n\
             users:\n- name: u\n  user:\n    token: {TOKEN}\n",
            server.trim_end_matches('/'),
            self.pki.ca_pem().display()
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn types(&self) -> Vec<String> {
        let s = self.state.lock().unwrap();
        s.conditions
            .iter()
            .map(|c| c["type"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }
}
