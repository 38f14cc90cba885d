//! The apiserver: where it is and how to authenticate to it, read from what the
//! access settings name (environment, token, CA, kubeconfig), and the client that
//! speaks to it.
//!
//! Credentials are read on every run, never cached: projected service-account tokens
//! rotate. Only the cluster CA is trusted; the host's CA bundle is never read.

use std::path::PathBuf;

use http_probe::{Client, ClientOptions, Failure, FailureKind, Role, TlsConfig, Url};
use npd_plugin::{Error, Result};

use crate::kubeconfig::{self, TlsMaterial};

/// The service-account files the kubelet mounts into every pod that has a token.
pub const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// How to reach the apiserver, validated.
#[derive(Debug, Clone)]
pub enum Access {
    /// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` with these files
    /// (the pod's, under [`SA_DIR`], unless named otherwise).
    InCluster {
        token_file: PathBuf,
        ca_file: PathBuf,
    },
    Server {
        server: String,
        token_file: Option<PathBuf>,
        ca_file: Option<PathBuf>,
    },
    Kubeconfig(PathBuf),
}

impl Access {
    /// In-cluster with the pod's own service-account files.
    pub fn in_cluster() -> Access {
        Access::InCluster {
            token_file: PathBuf::from(SA_DIR).join("token"),
            ca_file: PathBuf::from(SA_DIR).join("ca.crt"),
        }
    }
}

/// A resolved apiserver: where it is, and a client trusting and presenting what the
/// access flags say.
pub struct Apiserver {
    /// The server URL without a trailing slash; API paths are appended.
    pub server: String,
    /// host:port, for messages.
    pub shown: String,
    pub client: Client,
}

impl Apiserver {
    pub fn url(&self, path_and_query: &str) -> Result<Url> {
        Url::parse(&format!("{}{path_and_query}", self.server))
            .map_err(|e| Error::config(format!("bad API URL: {e}")))
    }
}

/// Reads what `access` names (environment, token, CA, kubeconfig) now; the client
/// sends `user_agent`.
pub fn resolve(access: &Access, user_agent: &str) -> Result<Apiserver> {
    let (server, tls, token) = match access {
        Access::InCluster {
            token_file,
            ca_file,
        } => {
            let host = std::env::var("KUBERNETES_SERVICE_HOST").unwrap_or_default();
            let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_default();
            if host.is_empty() {
                return Err(Error::config(
                    "not in a cluster: KUBERNETES_SERVICE_HOST is unset; give --server or --kubeconfig",
                ));
            }
            let port = if port.is_empty() { "443".into() } else { port };
            let host = if host.contains(':') {
                format!("[{host}]")
            } else {
                host
            };
            let material = TlsMaterial {
                ca_pem: read(ca_file)?,
                client: None,
            };
            (
                format!("https://{host}:{port}"),
                Some(material),
                Some(http_probe::read_bearer_token(token_file)?),
            )
        }
        Access::Server {
            server,
            token_file,
            ca_file,
        } => {
            let tls = match ca_file {
                Some(f) if server.starts_with("https://") => Some(TlsMaterial {
                    ca_pem: read(f)?,
                    client: None,
                }),
                _ => None,
            };
            let token = token_file
                .as_deref()
                .map(http_probe::read_bearer_token)
                .transpose()?;
            (server.clone(), tls, token)
        }
        Access::Kubeconfig(path) => {
            let k = kubeconfig::load(path)?;
            let token = match (k.token, &k.token_file) {
                (Some(t), _) => Some(t),
                (None, Some(f)) => Some(http_probe::read_bearer_token(f)?),
                (None, None) => None,
            };
            (k.server.trim_end_matches('/').to_string(), k.tls, token)
        }
    };
    let url = Url::parse(&server).map_err(|e| Error::config(format!("server {server:?}: {e}")))?;
    let tls = match tls {
        Some(m) => Ok(tls_config(&m, &ca_name(access)).map_err(|f| {
            let words = f.message.clone();
            f.error(Role::WayToAsk, words)
        })?),
        None => Err(Failure::new(FailureKind::Setup, "https needs a CA")),
    };
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if let Some(token) = token {
        headers.push(("Authorization".to_string(), format!("Bearer {token}")));
    }
    let client = Client::new(ClientOptions {
        headers,
        user_agent: Some(user_agent.into()),
        ..Default::default()
    })
    .with_tls(tls);
    Ok(Apiserver {
        shown: url.authority(),
        server: server.trim_end_matches('/').to_string(),
        client,
    })
}

/// Where the CA came from, for messages.
fn ca_name(access: &Access) -> String {
    match access {
        Access::Kubeconfig(p) => format!("the CA of {}", p.display()),
        Access::InCluster { ca_file, .. } => ca_file.display().to_string(),
        Access::Server { ca_file, .. } => ca_file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_default(),
    }
}

/// The TLS configuration: the given CA only, never the host's bundle.
fn tls_config(material: &TlsMaterial, ca_name: &str) -> std::result::Result<TlsConfig, Failure> {
    let client = material
        .client
        .as_ref()
        .map(|(cert, key)| (cert.as_slice(), key.as_slice()));
    TlsConfig::from_pem(&material.ca_pem, ca_name, client)
}

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path.display(), &e))
}
