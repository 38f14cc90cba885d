//! The CRI messages this plugin sends and reads, written with prost's derive instead of
//! generated from k8s.io/cri-api's api.proto: only the fields read here, each with its
//! field number in package `runtime.v1` (fields left out are skipped on decoding, as
//! protobuf requires of every reader).

/// The gRPC service of the CRI runtime calls; containerd and CRI-O serve it.
pub const SERVICE: &str = "runtime.v1.RuntimeService";

/// The runtime condition that it can run containers at all.
pub const RUNTIME_READY: &str = "RuntimeReady";
/// The runtime condition that its network (the CNI plugin) is ready for pods.
pub const NETWORK_READY: &str = "NetworkReady";

/// `VersionRequest`: the kubelet's CRI version, which runtimes ignore.
#[derive(Clone, PartialEq, prost::Message)]
pub struct VersionRequest {
    #[prost(string, tag = "1")]
    pub version: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct VersionResponse {
    #[prost(string, tag = "2")]
    pub runtime_name: String,
    #[prost(string, tag = "3")]
    pub runtime_version: String,
    #[prost(string, tag = "4")]
    pub runtime_api_version: String,
}

/// `StatusRequest`; verbose=false keeps the answer to the conditions (verbose adds the
/// runtime's whole configuration as JSON).
#[derive(Clone, PartialEq, prost::Message)]
pub struct StatusRequest {
    #[prost(bool, tag = "1")]
    pub verbose: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct StatusResponse {
    #[prost(message, optional, tag = "1")]
    pub status: Option<RuntimeStatus>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct RuntimeStatus {
    #[prost(message, repeated, tag = "1")]
    pub conditions: Vec<RuntimeCondition>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct RuntimeCondition {
    #[prost(string, tag = "1")]
    pub r#type: String,
    #[prost(bool, tag = "2")]
    pub status: bool,
    #[prost(string, tag = "3")]
    pub reason: String,
    #[prost(string, tag = "4")]
    pub message: String,
}

/// `ListPodSandboxRequest` with its filter.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPodSandboxRequest {
    #[prost(message, optional, tag = "1")]
    pub filter: Option<PodSandboxFilter>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PodSandboxFilter {
    #[prost(message, optional, tag = "2")]
    pub state: Option<PodSandboxStateValue>,
}

/// The state to filter on: `SANDBOX_READY` is 0, so a present but default-valued
/// message (encoded as an empty field 2) selects ready sandboxes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PodSandboxStateValue {
    #[prost(int32, tag = "1")]
    pub state: i32,
}

/// `SANDBOX_READY` of enum `PodSandboxState`.
pub const SANDBOX_READY: i32 = 0;

/// `ListPodSandboxResponse`: only how many sandboxes came back is read; each item is
/// kept as its undecoded bytes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPodSandboxResponse {
    #[prost(bytes = "vec", repeated, tag = "1")]
    pub items: Vec<Vec<u8>>,
}

impl ListPodSandboxRequest {
    /// The ready sandboxes only: the smallest list a runtime must still look up.
    pub fn ready() -> ListPodSandboxRequest {
        ListPodSandboxRequest {
            filter: Some(PodSandboxFilter {
                state: Some(PodSandboxStateValue {
                    state: SANDBOX_READY,
                }),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn the_ready_filter_is_sent_even_though_its_state_is_zero() {
        // field 1 (filter), length 2: field 2 (state), length 0.
        assert_eq!(
            ListPodSandboxRequest::ready().encode_to_vec(),
            [0x0a, 2, 0x12, 0]
        );
        assert_eq!(StatusRequest { verbose: false }.encode_to_vec(), b"");
    }

    #[test]
    fn conditions_decode_from_their_field_numbers() {
        let condition = [
            &[0x0a, 12][..],
            b"NetworkReady",
            &[0x1a, 3],
            b"Why",
            &[0x22, 2],
            b"No",
        ]
        .concat();
        let status = [&[0x0a, condition.len() as u8][..], &condition].concat();
        // An unknown field (info, 2) after the status is skipped.
        let body = [&[0x0a, status.len() as u8][..], &status, &[0x12, 0]].concat();
        let decoded = StatusResponse::decode(&body[..]).unwrap();
        let c = &decoded.status.unwrap().conditions[0];
        assert_eq!(
            (
                c.r#type.as_str(),
                c.status,
                c.reason.as_str(),
                c.message.as_str()
            ),
            ("NetworkReady", false, "Why", "No")
        );
    }
}
