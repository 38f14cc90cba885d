//! The part of a kubeconfig file that says how to reach and authenticate to the
//! current context's cluster: server, CA, bearer token or client certificate.
//!
//! Credential plugins (`exec`, `auth-provider`) and basic auth are refused with a
//! message rather than half supported: a check must not run programs, and a rule on a
//! node should use a token file. `insecure-skip-tls-verify` is refused too: the only
//! trust is the cluster CA.

use std::path::{Path, PathBuf};

use base64::Engine;
use npd_plugin::{short_io_reason, Error, Result};
use serde::Deserialize;

/// What the TLS side trusts and presents, as PEM bytes.
#[derive(Clone, Debug, Default)]
pub struct TlsMaterial {
    /// The cluster CA; the only certificates trusted.
    pub ca_pem: Vec<u8>,
    /// A client certificate chain and its key (kubeconfig users without tokens).
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    clusters: Vec<NamedCluster>,
    #[serde(default)]
    users: Vec<NamedUser>,
    #[serde(default)]
    contexts: Vec<NamedContext>,
    #[serde(rename = "current-context", default)]
    current_context: String,
}

#[derive(Deserialize)]
struct NamedCluster {
    name: String,
    cluster: Cluster,
}

#[derive(Deserialize)]
struct NamedUser {
    name: String,
    user: User,
}

#[derive(Deserialize)]
struct NamedContext {
    name: String,
    context: Context,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Cluster {
    #[serde(default)]
    server: String,
    certificate_authority: Option<PathBuf>,
    certificate_authority_data: Option<String>,
    #[serde(default)]
    insecure_skip_tls_verify: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct User {
    token: Option<String>,
    #[serde(rename = "tokenFile")]
    token_file: Option<PathBuf>,
    client_certificate: Option<PathBuf>,
    client_certificate_data: Option<String>,
    client_key: Option<PathBuf>,
    client_key_data: Option<String>,
    exec: Option<serde_norway::Value>,
    auth_provider: Option<serde_norway::Value>,
    username: Option<String>,
}

#[derive(Deserialize, Default)]
struct Context {
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    user: String,
}

/// How to reach the cluster, as the kubeconfig says.
#[derive(Debug)]
pub struct FromKubeconfig {
    pub server: String,
    pub tls: Option<TlsMaterial>,
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
}

/// Reads `path` and resolves its current context. Relative paths inside are
/// relative to the file's directory, as kubectl reads them. A file that cannot be
/// read is not observed; one that cannot be used is the check's configuration.
pub fn load(path: &Path) -> Result<FromKubeconfig> {
    let text = std::fs::read(path).map_err(|e| {
        Error::unobserved(format!(
            "cannot read kubeconfig {}: {}",
            path.display(),
            short_io_reason(&e)
        ))
    })?;
    let file: File = serde_norway::from_slice(&text)
        .map_err(|e| Error::config(format!("kubeconfig {}: {e}", path.display())))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    resolve(&file, dir).map_err(|e| e.context(format!("kubeconfig {}", path.display())))
}

fn find<'a, N, T>(
    list: &'a [N],
    name: &str,
    what: &str,
    parts: impl Fn(&'a N) -> (&'a str, &'a T),
) -> Result<&'a T> {
    list.iter()
        .map(parts)
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t)
        .ok_or_else(|| Error::config(format!("no {what} named {name:?}")))
}

fn resolve(file: &File, dir: &Path) -> Result<FromKubeconfig> {
    if file.current_context.is_empty() {
        return Err(Error::config("no current-context"));
    }
    let context = find(&file.contexts, &file.current_context, "context", |n| {
        (&n.name, &n.context)
    })?;
    let cluster = find(&file.clusters, &context.cluster, "cluster", |n| {
        (&n.name, &n.cluster)
    })?;
    let user = if context.user.is_empty() {
        None
    } else {
        Some(find(&file.users, &context.user, "user", |n| {
            (&n.name, &n.user)
        })?)
    };
    if cluster.server.is_empty() {
        return Err(Error::config(format!(
            "cluster {:?} has no server",
            context.cluster
        )));
    }
    if cluster.insecure_skip_tls_verify {
        return Err(Error::config(
            "insecure-skip-tls-verify is not supported; give the cluster CA",
        ));
    }
    let read = |p: &PathBuf| -> Result<Vec<u8>> {
        let full = dir.join(p);
        std::fs::read(&full).map_err(|e| Error::io(full.display(), &e))
    };
    let pem = |data: &Option<String>, file: &Option<PathBuf>, what: &str| match (data, file) {
        (Some(d), _) => base64::engine::general_purpose::STANDARD
            .decode(d.trim())
            .map(Some)
            .map_err(|e| Error::config(format!("{what}-data: {e}"))),
        (None, Some(f)) => read(f).map(Some),
        (None, None) => Ok(None),
    };
    let https = cluster.server.starts_with("https://");
    let ca = pem(
        &cluster.certificate_authority_data,
        &cluster.certificate_authority,
        "certificate-authority",
    )?;
    let mut out = FromKubeconfig {
        server: cluster.server.clone(),
        tls: None,
        token: None,
        token_file: None,
    };
    if https {
        let ca_pem = ca.ok_or_else(|| {
            Error::config("cluster has no certificate-authority (the system store is not used)")
        })?;
        out.tls = Some(TlsMaterial {
            ca_pem,
            client: None,
        });
    }
    let Some(user) = user else { return Ok(out) };
    if user.exec.is_some() || user.auth_provider.is_some() {
        return Err(Error::config(
            "credential plugins (exec, auth-provider) are not supported; use a token",
        ));
    }
    if user.username.is_some() {
        return Err(Error::config("basic auth is not supported; use a token"));
    }
    out.token = user.token.clone().filter(|t| !t.is_empty());
    out.token_file = user.token_file.as_ref().map(|f| dir.join(f));
    let cert = pem(
        &user.client_certificate_data,
        &user.client_certificate,
        "client-certificate",
    )?;
    let key = pem(&user.client_key_data, &user.client_key, "client-key")?;
    match (cert, key, out.tls.as_mut()) {
        (Some(c), Some(k), Some(tls)) => tls.client = Some((c, k)),
        (None, None, _) => {}
        (Some(_), Some(_), None) => {
            return Err(Error::config("a client certificate needs an https server"))
        }
        _ => {
            return Err(Error::config(
                "a client certificate needs its key, and a key its certificate",
            ))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<FromKubeconfig, String> {
        let file: File = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        resolve(&file, Path::new("/nowhere")).map_err(|e| e.message().to_string())
    }

    const KUBEADM: &str = "
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://10.0.0.1:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: admin
  name: admin@kubernetes
current-context: admin@kubernetes
users:
- name: admin
  user:
    token: abc.def
";

    #[test]
    fn the_current_context_gives_server_ca_and_token() {
        let k = parse(KUBEADM).unwrap();
        assert_eq!(k.server, "https://10.0.0.1:6443");
        assert_eq!(k.token.as_deref(), Some("abc.def"));
        let tls = k.tls.unwrap();
        assert!(tls.ca_pem.starts_with(b"-----BEGIN CERTIFICATE-----"));
        assert!(tls.client.is_none());
    }

    #[test]
    fn what_is_not_supported_is_said() {
        let exec = KUBEADM.replace("    token: abc.def", "    exec:\n      command: aws");
        assert!(parse(&exec).unwrap_err().contains("exec"));
        let insecure = KUBEADM.replace(
            "    server: https",
            "    insecure-skip-tls-verify: true\n    server: https",
        );
        assert!(parse(&insecure).unwrap_err().contains("insecure"));
        let nowhere = KUBEADM.replace("current-context: admin@kubernetes", "current-context: x");
        assert_eq!(parse(&nowhere).unwrap_err(), "no context named \"x\"");
        let no_ca = KUBEADM.replace(
            "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n",
            "",
        );
        assert!(parse(&no_ca).unwrap_err().contains("certificate-authority"));
        let cert_only = KUBEADM.replace("    token: abc.def", "    client-certificate-data: eA==");
        assert!(parse(&cert_only).unwrap_err().contains("its key"));
    }
}
