//! Where the apiserver is and how to authenticate to it: in-cluster (the default),
//! explicit flags, or a kubeconfig for a person on a host.
//!
//! Credentials are read on every run, never cached: projected service-account tokens
//! rotate. Only the cluster CA is trusted; the host's CA bundle is never read.

use std::path::PathBuf;

use http_probe::{TlsConfig, Url};
use npd_plugin::{short_io_reason, Error, Result};

use crate::kubeconfig;
use crate::transport::{tls_config, TlsMaterial};

/// The service-account files the kubelet mounts into every pod that has a token.
pub const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// How to reach the apiserver.
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Apiserver access (default: in-cluster)")]
pub struct AccessArgs {
    /// Read server, CA and credentials from this kubeconfig's current context (for a
    /// person on a host; rules on nodes use the in-cluster default).
    #[arg(long, value_name = "PATH", global = true,
          conflicts_with_all = ["server", "token_file", "ca_file"])]
    pub kubeconfig: Option<PathBuf>,

    /// The apiserver's URL (default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT).
    #[arg(long, value_name = "URL", global = true)]
    pub server: Option<String>,

    /// A bearer token file, read on every run (default: the pod's service-account
    /// token when in-cluster, none with --server).
    #[arg(long, value_name = "PATH", global = true)]
    pub token_file: Option<PathBuf>,

    /// The cluster CA (PEM), the only certificates trusted (default: the pod's
    /// service-account ca.crt when in-cluster).
    #[arg(long, value_name = "PATH", global = true)]
    pub ca_file: Option<PathBuf>,
}

/// The access flags, validated.
#[derive(Debug, Clone)]
pub enum Access {
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
    pub fn from_args(args: AccessArgs) -> Result<Access> {
        if let Some(path) = args.kubeconfig {
            return Ok(Access::Kubeconfig(path));
        }
        let Some(server) = args.server else {
            return Ok(Access::InCluster {
                token_file: args
                    .token_file
                    .unwrap_or_else(|| PathBuf::from(SA_DIR).join("token")),
                ca_file: args
                    .ca_file
                    .unwrap_or_else(|| PathBuf::from(SA_DIR).join("ca.crt")),
            });
        };
        let url = Url::parse(&server).map_err(|e| Error::new(format!("--server: {e}")))?;
        if url.target != "/" && url.target.contains('?') {
            return Err(Error::new(
                "--server: a query has no place in the server URL",
            ));
        }
        if server.starts_with("https://") && args.ca_file.is_none() {
            return Err(Error::new(
                "--server https:// needs --ca-file (the system CA store is never used)",
            ));
        }
        Ok(Access::Server {
            server: server.trim_end_matches('/').to_string(),
            token_file: args.token_file,
            ca_file: args.ca_file,
        })
    }
}

/// A resolved apiserver: where it is, what to trust, what to present.
pub struct Apiserver {
    /// The server URL without a trailing slash; API paths are appended.
    pub server: String,
    /// host:port, for messages.
    pub shown: String,
    pub tls: Option<TlsConfig>,
    pub token: Option<String>,
}

impl Apiserver {
    pub fn url(&self, path_and_query: &str) -> Result<Url> {
        Url::parse(&format!("{}{path_and_query}", self.server))
            .map_err(|e| Error::new(format!("bad API URL: {e}")))
    }
}

/// Reads what `access` names (environment, token, CA, kubeconfig) for this run.
pub fn resolve(access: &Access) -> Result<Apiserver> {
    let (server, tls, token) = match access {
        Access::InCluster {
            token_file,
            ca_file,
        } => {
            let host = std::env::var("KUBERNETES_SERVICE_HOST").unwrap_or_default();
            let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_default();
            if host.is_empty() {
                return Err(Error::new(
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
                Some(read_token(token_file)?),
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
            let token = token_file.as_ref().map(read_token).transpose()?;
            (server.clone(), tls, token)
        }
        Access::Kubeconfig(path) => {
            let k = kubeconfig::load(path).map_err(Error::new)?;
            let token = match (k.token, &k.token_file) {
                (Some(t), _) => Some(t),
                (None, Some(f)) => Some(read_token(f)?),
                (None, None) => None,
            };
            (k.server.trim_end_matches('/').to_string(), k.tls, token)
        }
    };
    let url = Url::parse(&server).map_err(|e| Error::new(format!("server {server:?}: {e}")))?;
    let tls = match tls {
        Some(m) => {
            let ca_name = match access {
                Access::Kubeconfig(p) => format!("the CA of {}", p.display()),
                Access::InCluster { ca_file, .. } => ca_file.display().to_string(),
                Access::Server { ca_file, .. } => ca_file
                    .as_ref()
                    .map(|f| f.display().to_string())
                    .unwrap_or_default(),
            };
            Some(tls_config(&m, &ca_name).map_err(|f| Error::new(f.message))?)
        }
        None => None,
    };
    Ok(Apiserver {
        shown: url.authority(),
        server: server.trim_end_matches('/').to_string(),
        tls,
        token,
    })
}

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path.display(), &e))
}

fn read_token(path: &PathBuf) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(format!(
            "cannot read token {}: {}",
            path.display(),
            short_io_reason(&e)
        ))
    })?;
    let token = text.trim();
    if token.is_empty() || token.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::new(format!(
            "token file {} is empty or not one token",
            path.display()
        )));
    }
    Ok(token.to_string())
}
