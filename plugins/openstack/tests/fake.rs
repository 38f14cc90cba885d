//! A stand-in cloud on 127.0.0.1 for answers the real services cannot be made to
//! give (a hypervisor needs a running nova-compute to be listed): Keystone's token
//! call with a catalog pointing at itself, and every other request handed to the
//! test's handler, as nova-api or cinder-api would get it.

use std::sync::{Arc, OnceLock};

use npd_test_support::{Reply, Request, Server};

use crate::util::{run, Output};

/// The catalog's project, in cinder's endpoint.
pub const PROJECT: &str = "p0";

pub struct FakeCloud {
    server: Server,
    state: tempfile::TempDir,
}

impl FakeCloud {
    /// A cloud whose APIs answer with `api`: nova under `/v2.1`, cinder under
    /// `/v3/p0`.
    pub fn start(api: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakeCloud {
        let port: Arc<OnceLock<u16>> = Arc::default();
        let known = port.clone();
        let server = Server::http(move |req| {
            if req.path().starts_with("/v3/auth/tokens") {
                let port = known.get().copied().unwrap_or(0);
                return token(port);
            }
            api(req)
        });
        port.set(server.port()).unwrap();
        FakeCloud {
            server,
            state: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs the plugin against this cloud, as admin by password.
    pub fn ask(&self, args: &[&str]) -> Output {
        let auth = self.server.url("/v3");
        let env = [
            ("OS_AUTH_URL", auth.as_str()),
            ("OS_USERNAME", "admin"),
            ("OS_PASSWORD", "pw"),
            ("OS_PROJECT_NAME", "admin"),
        ];
        let mut all = args.to_vec();
        if !args.contains(&"--timeout") {
            all.extend(["--timeout", "10s"]);
        }
        run(self.state.path(), &all, &env)
    }

    /// Runs the plugin against this cloud and asserts its exit code and line.
    pub fn expect(&self, args: &[&str], code: i32, line: &str) {
        let out = self.ask(args);
        assert_eq!(
            (out.code, out.line()),
            (code, line),
            "{args:?}\n{}",
            out.stderr
        );
    }

    /// An API that accepts and never answers: `subject` answers Unknown, naming the
    /// `service` that hung, by its 2 s deadline.
    pub fn assert_a_hang_is_unknown(subject: &str, service: &str) {
        let cloud = FakeCloud::start(|_| Reply::Hang);
        let out = cloud.ask(&[subject, "--host", "node-a", "--timeout", "2s"]);
        assert_eq!(out.code, 2, "{}", out.line());
        let said = format!("{service} did not answer in 2s");
        assert!(out.line().starts_with(&said), "{}", out.line());
        assert!(
            out.elapsed < std::time::Duration::from_millis(2300),
            "{:?}",
            out.elapsed
        );
    }

    /// The heads of the requests the APIs got.
    pub fn heads(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|h| !h.contains(" /v3/auth"))
            .collect()
    }

    /// The request targets the APIs got (Keystone's left out).
    pub fn asked(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .filter_map(|head| head.split(' ').nth(1).map(str::to_string))
            .filter(|p| !p.starts_with("/v3/auth"))
            .collect()
    }
}

fn token(port: u16) -> Reply {
    let base = format!("http://127.0.0.1:{port}");
    let body = serde_json::json!({"token": {
    "expires_at": "2099-01-01T00:00:00.000000Z",
    "project": {"id": PROJECT},
    "catalog": [
        {"type": "compute", "endpoints": [
            {"interface": "public", "region_id": "RegionOne", "url": format!("{base}/v2.1")}]},
        {"type": "volumev3", "endpoints": [
            {"interface": "public", "region_id": "RegionOne",
             "url": format!("{base}/v3/{PROJECT}")}]},
    ]}});
    Reply::status(201, "X-Subject-Token: t0\r\n", body.to_string())
}

/// A JSON 200.
pub fn json(v: serde_json::Value) -> Reply {
    Reply::status(200, "Content-Type: application/json\r\n", v.to_string())
}
