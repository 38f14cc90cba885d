//! The two requests of a prune: GET this node (its conditions and resourceVersion),
//! and PATCH its status removing some conditions, as a strategic merge patch
//! (`$patch: delete` on the list's merge key, `type`) with the resourceVersion read as
//! a precondition: a node changed in between answers 409 and is read again.

use std::time::Instant;

use http_probe::{Payload, Request};
use kube_api::denial::{words, Denial};
use kube_api::{Access, Apiserver, Status};
use serde::Deserialize;
use serde_json::json;

/// A node object is mostly its images list: a few hundred KiB on a busy node.
const NODE_LIMIT: usize = 8 << 20;
const STATUS_LIMIT: usize = 64 << 10;

/// A condition as the API holds it.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_heartbeat_time: String,
    pub last_transition_time: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    #[serde(rename = "resourceVersion")]
    resource_version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeStatus {
    conditions: Vec<Condition>,
}

/// The parts of a Node a prune reads.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Node {
    metadata: Metadata,
    status: NodeStatus,
}

impl Node {
    pub fn conditions(&self) -> &[Condition] {
        &self.status.conditions
    }
}

/// What a PATCH did.
pub enum Patched {
    Done,
    /// The node changed since it was read (409): read it again.
    Conflict,
}

/// The apiserver, for one node, by one deadline.
pub struct NodeApi {
    api: Apiserver,
    node: String,
    deadline: Instant,
}

impl NodeApi {
    pub fn new(access: &Access, node: &str, deadline: Instant) -> Result<NodeApi, String> {
        let api = kube_api::resolve(access, "npd-checks").map_err(|e| e.message().to_string())?;
        Ok(NodeApi {
            api,
            node: node.to_string(),
            deadline,
        })
    }

    pub fn get(&self) -> Result<Node, String> {
        let path = format!("/api/v1/nodes/{}", self.node);
        let url = self.api.url(&path).map_err(|e| e.message().to_string())?;
        let reply = self
            .api
            .client
            .fetch(&Request::get(&url, &[]), self.deadline, NODE_LIMIT)
            .map_err(|f| self.unreachable(&f))?;
        if reply.status != 200 {
            return Err(self.refused(reply.status, &reply.body, "get nodes"));
        }
        if reply.cut {
            return Err(format!(
                "node {}: answer larger than {} MiB",
                self.node,
                NODE_LIMIT >> 20
            ));
        }
        serde_json::from_slice(&reply.body)
            .map_err(|e| format!("node {}: not a Node: {e}", self.node))
    }

    /// Removes the conditions of `types` from the node as read in `node`.
    pub fn remove(&self, node: &Node, types: &[&str]) -> Result<Patched, String> {
        let deletes: Vec<_> = types
            .iter()
            .map(|t| json!({"type": t, "$patch": "delete"}))
            .collect();
        let body = json!({
            "metadata": {"resourceVersion": node.metadata.resource_version},
            "status": {"conditions": deletes},
        })
        .to_string();
        let path = format!("/api/v1/nodes/{}/status", self.node);
        let url = self.api.url(&path).map_err(|e| e.message().to_string())?;
        let req = Request {
            method: "PATCH",
            url: &url,
            headers: &[],
            payload: Some(Payload {
                content_type: "application/strategic-merge-patch+json",
                bytes: body.as_bytes(),
            }),
        };
        let reply = self
            .api
            .client
            .fetch(&req, self.deadline, STATUS_LIMIT)
            .map_err(|f| self.unreachable(&f))?;
        match reply.status {
            200 => Ok(Patched::Done),
            409 => Ok(Patched::Conflict),
            code => Err(self.refused(code, &reply.body, "patch nodes/status")),
        }
    }

    fn unreachable(&self, f: &http_probe::Failure) -> String {
        match f.kind {
            http_probe::FailureKind::Timeout => {
                format!("no answer from the apiserver at {} in time", self.api.shown)
            }
            _ => format!("apiserver {}: {}", self.api.shown, f.message),
        }
    }

    /// A non-2xx answer in words; `need` is the permission the request needs.
    fn refused(&self, code: u16, body: &[u8], need: &str) -> String {
        let status = Status::decode(body);
        match code {
            401 => "401 Unauthorized: the token was rejected".to_string(),
            403 => match Denial::parse(&status.message) {
                Some(d) if d.reason.is_none() => format!(
                    "403: {} cannot {}: its ClusterRole must allow {need}",
                    d.user, d.action
                ),
                _ if !status.message.is_empty() => format!("403: {}", words(&status.message)),
                _ => format!("403: the ClusterRole must allow {need}"),
            },
            404 => format!("node {} not found (404)", self.node),
            _ => format!("apiserver answered {code} {}", words(&status.message))
                .trim_end()
                .to_string(),
        }
    }
}
