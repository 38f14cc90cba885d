//! Metadata services on 127.0.0.1 answering as each cloud documents, runs that always
//! point the plugin at them, and DMI fixtures.

use npd_test_support::{run, FakeHost, Reply, Request, Run, Server};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-maintenance");

/// 2026-12-01T00:00:00Z, for `--test-wall-clock` (milliseconds).
pub const DEC_1: &str = "1796083200000";

/// Runs the plugin against `server`: `--metadata-url` always, so that no run of a
/// test can reach the cloud's own address.
pub fn ask(server: &Server, args: &[&str]) -> Run {
    let url = server.url("");
    let mut all = vec!["--metadata-url", url.as_str()];
    all.extend_from_slice(args);
    assert!(!all.iter().any(|a| a.contains("169.254")), "{all:?}");
    run(BIN, &all)
}

/// The answer as (exit code, line).
pub fn answer(server: &Server, args: &[&str]) -> (i32, String) {
    let r = ask(server, args);
    (r.code, r.line().to_string())
}

pub const TOKEN: &str = "AQAEAFUsW-token-for-tests==";

/// What a fake IMDS holds: the spot notice, the scheduled events list and the
/// rebalance notice (`None`: 404, as IMDS answers while there is none).
#[derive(Clone, Default)]
pub struct Imds {
    pub spot: Option<&'static str>,
    pub scheduled: Option<&'static str>,
    pub rebalance: Option<&'static str>,
}

/// IMDSv2 as documented: a PUT with a TTL header gives a token; a GET without it, or
/// with another, is 401.
pub fn aws(imds: Imds) -> Server {
    Server::http(move |r: &Request| {
        let path = r.path();
        if path == "/latest/api/token" {
            let method_ok = r.head.starts_with("PUT ");
            let ttl = r.header("X-aws-ec2-metadata-token-ttl-seconds");
            return match (method_ok, ttl) {
                (true, Some(t)) if t.parse::<u32>().is_ok_and(|t| (1..=21600).contains(&t)) => {
                    Reply::ok(TOKEN)
                }
                (false, _) => Reply::status(405, "", ""),
                _ => Reply::status(400, "", ""),
            };
        }
        if r.header("X-aws-ec2-metadata-token") != Some(TOKEN) || !r.head.starts_with("GET ") {
            return Reply::status(401, "", "");
        }
        let held = match path {
            "/latest/meta-data/spot/instance-action" => imds.spot,
            "/latest/meta-data/events/maintenance/scheduled" => {
                Some(imds.scheduled.unwrap_or("[]"))
            }
            "/latest/meta-data/events/recommendations/rebalance" => imds.rebalance,
            _ => None,
        };
        match held {
            Some(body) => Reply::status(200, "Content-Type: text/plain\r\n", body),
            None => Reply::status(404, "", "Not Found"),
        }
    })
}

/// GCP's metadata server: values of `preempted` and `maintenance-event`, answered
/// only to requests with Metadata-Flavor: Google, with that header.
pub fn gcp(preempted: &'static str, maintenance: &'static str) -> Server {
    Server::http(move |r: &Request| {
        if r.header("Metadata-Flavor") != Some("Google") {
            return Reply::status(403, "", "Missing Metadata-Flavor:Google header.");
        }
        let value = match r.path() {
            "/computeMetadata/v1/instance/preempted" => preempted,
            "/computeMetadata/v1/instance/maintenance-event" => maintenance,
            _ => return Reply::status(404, "Metadata-Flavor: Google\r\n", ""),
        };
        Reply::status(200, "Metadata-Flavor: Google\r\n", value)
    })
}

/// Azure's instance metadata service: the Scheduled Events document and this VM's
/// name, answered only to requests with Metadata: true.
pub fn azure(document: String, vm_name: &'static str) -> Server {
    Server::http(move |r: &Request| {
        if r.header("Metadata") != Some("true") {
            return Reply::status(400, "", r#"{"error": "Bad request"}"#);
        }
        match r.path() {
            "/metadata/scheduledevents?api-version=2020-07-01" => {
                Reply::status(200, "Content-Type: application/json\r\n", document.clone())
            }
            "/metadata/instance/compute/name?api-version=2021-02-01&format=text" => {
                Reply::ok(vm_name)
            }
            _ => Reply::status(404, "", ""),
        }
    })
}

/// A Scheduled Events document with these events (JSON objects).
pub fn document(events: &[String]) -> String {
    format!(
        r#"{{"DocumentIncarnation": 2, "Events": [{}]}}"#,
        events.join(",")
    )
}

/// One Azure event of `kind` for `resources`, `status` and `not_before`.
pub fn azure_event(kind: &str, resources: &str, status: &str, not_before: &str) -> String {
    format!(
        r#"{{"EventId": "602d9444-d2cd-49c7-8624-8643e7171297", "EventType": "{kind}",
            "ResourceType": "VirtualMachine", "Resources": [{resources}],
            "EventStatus": "{status}", "NotBefore": "{not_before}",
            "Description": "", "EventSource": "Platform", "DurationInSeconds": 9}}"#
    )
}

/// A host whose DMI tables hold these values.
pub fn dmi(values: &[(&str, &str)]) -> FakeHost {
    let host = FakeHost::new();
    for (file, value) in values {
        host.write(&format!("sys/class/dmi/id/{file}"), format!("{value}\n"));
    }
    host
}

pub const AWS_NITRO: [(&str, &str); 3] = [
    ("sys_vendor", "Amazon EC2"),
    ("board_vendor", "Amazon EC2"),
    ("product_name", "m6i.large"),
];
pub const GCE: [(&str, &str); 2] = [
    ("sys_vendor", "Google"),
    ("product_name", "Google Compute Engine"),
];
pub const AZURE_VM: [(&str, &str); 3] = [
    ("sys_vendor", "Microsoft Corporation"),
    ("product_name", "Virtual Machine"),
    ("chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77"),
];
pub const HYPER_V: [(&str, &str); 3] = [
    ("sys_vendor", "Microsoft Corporation"),
    ("product_name", "Virtual Machine"),
    ("chassis_asset_tag", "None"),
];
