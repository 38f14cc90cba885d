//! Who the check is and where it asks: Keystone's URL, the credentials, region,
//! interface and CA, from `OS_*` environment variables or one cloud of a
//! `clouds.yaml`, as the OpenStack clients read them.
//!
//! Supported: password auth (user and project by name or id, domains by name or id,
//! `default` when none is given) and application credentials (by id, or by name with
//! the user). Not supported: `secure.yaml`, `profile:`, other auth plugins (token,
//! OIDC), `verify: false` (give the CA instead), and Keystone v2. Secrets may come from
//! files (`--password-file`, `--application-credential-secret-file`), as a mounted
//! Secret provides them.

use std::path::{Path, PathBuf};

use npd_plugin::{short_io_reason, Error, Result};

use crate::config::normalize_interface;
use yaml_rust2::{Yaml, YamlLoader};

/// A user, project or domain named by id, or by name within a domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    Id(String),
    Name { name: String, domain: Domain },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Domain {
    Id(String),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    Password {
        user: Named,
        password: String,
        project: Option<Named>,
    },
    ApplicationCredential {
        id: Option<String>,
        name: Option<String>,
        user: Option<Named>,
        secret: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cloud {
    /// Keystone's v3 root, without a trailing slash: `https://keystone:5000/v3`.
    pub auth_url: String,
    pub auth: Auth,
    pub region: Option<String>,
    pub interface: Option<String>,
    pub cacert: Option<PathBuf>,
}

impl Cloud {
    /// A stable description of the identity, without secrets: tokens are cached per
    /// identity, shared by the checks that use it.
    pub fn identity(&self) -> String {
        let auth = match &self.auth {
            Auth::Password { user, project, .. } => format!("password {user:?} {project:?}"),
            Auth::ApplicationCredential { id, name, user, .. } => {
                format!("appcred {id:?} {name:?} {user:?}")
            }
        };
        format!("{} {auth}", self.auth_url)
    }
}

/// Reads a key: the process environment in the plugin, a map in tests.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where the secret files named by flags override what the source says.
#[derive(Clone, Debug, Default)]
pub struct SecretFiles {
    pub password: Option<PathBuf>,
    pub application_credential_secret: Option<PathBuf>,
}

/// The cloud from `OS_*` variables.
pub fn from_env(env: Env, files: &SecretFiles) -> Result<Cloud> {
    let get = |k: &str| env(k).filter(|v| !v.is_empty());
    let first = |keys: &[&str]| keys.iter().find_map(|k| get(k));
    let auth_url = get("OS_AUTH_URL").ok_or_else(|| {
        Error::config("no OpenStack credentials: neither OS_AUTH_URL nor --os-cloud is set")
    })?;
    let fields = Fields {
        auth_type: get("OS_AUTH_TYPE"),
        user_id: get("OS_USER_ID"),
        username: first(&["OS_USERNAME"]),
        password: get("OS_PASSWORD"),
        user_domain_id: first(&["OS_USER_DOMAIN_ID", "OS_DOMAIN_ID"]),
        user_domain_name: first(&["OS_USER_DOMAIN_NAME", "OS_DOMAIN_NAME"]),
        project_id: first(&["OS_PROJECT_ID", "OS_TENANT_ID"]),
        project_name: first(&["OS_PROJECT_NAME", "OS_TENANT_NAME"]),
        project_domain_id: first(&["OS_PROJECT_DOMAIN_ID", "OS_DOMAIN_ID"]),
        project_domain_name: first(&["OS_PROJECT_DOMAIN_NAME", "OS_DOMAIN_NAME"]),
        appcred_id: get("OS_APPLICATION_CREDENTIAL_ID"),
        appcred_name: get("OS_APPLICATION_CREDENTIAL_NAME"),
        appcred_secret: get("OS_APPLICATION_CREDENTIAL_SECRET"),
    };
    Ok(Cloud {
        auth_url: v3_root(&auth_url),
        auth: fields.auth(files, "the environment")?,
        region: get("OS_REGION_NAME"),
        interface: first(&["OS_INTERFACE", "OS_ENDPOINT_TYPE"]).map(|i| normalize_interface(&i)),
        cacert: get("OS_CACERT").map(PathBuf::from),
    })
}

/// The usual clouds.yaml search path, first found wins: `OS_CLIENT_CONFIG_FILE`,
/// `./clouds.yaml`, `~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`.
/// These are paths of the plugin's own filesystem (a mounted Secret), not the host's.
pub fn search_path(env: Env) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(f) = env("OS_CLIENT_CONFIG_FILE").filter(|v| !v.is_empty()) {
        paths.push(PathBuf::from(f));
    }
    paths.push(PathBuf::from("clouds.yaml"));
    if let Some(home) = env("HOME").filter(|v| !v.is_empty()) {
        paths.push(Path::new(&home).join(".config/openstack/clouds.yaml"));
    }
    paths.push(PathBuf::from("/etc/openstack/clouds.yaml"));
    paths
}

/// The cloud `name` of the clouds.yaml at `path`.
pub fn from_clouds_yaml(path: &Path, name: &str, files: &SecretFiles) -> Result<Cloud> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), &e))?;
    let docs = YamlLoader::load_from_str(&text)
        .map_err(|e| Error::config(format!("{} is not YAML: {e}", path.display())))?;
    let cloud = docs
        .first()
        .map(|d| &d["clouds"][name])
        .filter(|c| c.as_hash().is_some())
        .ok_or_else(|| Error::config(format!("no cloud {name:?} in {}", path.display())))?;
    let auth = &cloud["auth"];
    let s = |y: &Yaml| match y {
        Yaml::String(s) if !s.is_empty() => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    };
    if matches!(cloud["verify"], Yaml::Boolean(false)) {
        return Err(Error::config(format!(
            "cloud {name:?}: verify false is not supported; give its CA with cacert or --ca-file"
        )));
    }
    let auth_url = s(&auth["auth_url"])
        .ok_or_else(|| Error::config(format!("cloud {name:?} has no auth.auth_url")))?;
    let fields = Fields {
        auth_type: s(&cloud["auth_type"]),
        user_id: s(&auth["user_id"]),
        username: s(&auth["username"]),
        password: s(&auth["password"]),
        user_domain_id: s(&auth["user_domain_id"]).or_else(|| s(&auth["domain_id"])),
        user_domain_name: s(&auth["user_domain_name"]).or_else(|| s(&auth["domain_name"])),
        project_id: s(&auth["project_id"]).or_else(|| s(&auth["tenant_id"])),
        project_name: s(&auth["project_name"]).or_else(|| s(&auth["tenant_name"])),
        project_domain_id: s(&auth["project_domain_id"]).or_else(|| s(&auth["domain_id"])),
        project_domain_name: s(&auth["project_domain_name"]).or_else(|| s(&auth["domain_name"])),
        appcred_id: s(&auth["application_credential_id"]),
        appcred_name: s(&auth["application_credential_name"]),
        appcred_secret: s(&auth["application_credential_secret"]),
    };
    Ok(Cloud {
        auth_url: v3_root(&auth_url),
        auth: fields.auth(files, &format!("cloud {name:?}"))?,
        region: s(&cloud["region_name"]),
        interface: s(&cloud["interface"]).map(|i| normalize_interface(&i)),
        cacert: s(&cloud["cacert"]).map(PathBuf::from),
    })
}

struct Fields {
    auth_type: Option<String>,
    user_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    user_domain_id: Option<String>,
    user_domain_name: Option<String>,
    project_id: Option<String>,
    project_name: Option<String>,
    project_domain_id: Option<String>,
    project_domain_name: Option<String>,
    appcred_id: Option<String>,
    appcred_name: Option<String>,
    appcred_secret: Option<String>,
}

impl Fields {
    fn auth(self, files: &SecretFiles, source: &str) -> Result<Auth> {
        let missing = |what: &str| Error::config(format!("{source}: {what}"));
        let kind = self.auth_type.as_deref().unwrap_or(
            if self.appcred_id.is_some() || self.appcred_name.is_some() {
                "v3applicationcredential"
            } else {
                "password"
            },
        );
        let user = || -> Option<Named> {
            if let Some(id) = &self.user_id {
                return Some(Named::Id(id.clone()));
            }
            let name = self.username.clone()?;
            Some(Named::Name {
                name,
                domain: domain(&self.user_domain_id, &self.user_domain_name),
            })
        };
        match kind {
            "password" | "v3password" => {
                let user = user().ok_or_else(|| missing("no user name or id"))?;
                let password = secret(&files.password, self.password)
                    .ok_or_else(|| missing("no password"))??;
                let project = match (&self.project_id, &self.project_name) {
                    (Some(id), _) => Some(Named::Id(id.clone())),
                    (None, Some(name)) => Some(Named::Name {
                        name: name.clone(),
                        domain: domain(&self.project_domain_id, &self.project_domain_name),
                    }),
                    (None, None) => None,
                };
                Ok(Auth::Password {
                    user,
                    password,
                    project,
                })
            }
            "v3applicationcredential" | "applicationcredential" => {
                let secret = secret(
                    &files.application_credential_secret,
                    self.appcred_secret.clone(),
                )
                .ok_or_else(|| missing("no application credential secret"))??;
                if self.appcred_id.is_none() && (self.appcred_name.is_none() || user().is_none()) {
                    return Err(missing(
                        "an application credential needs its id, or its name and user",
                    ));
                }
                Ok(Auth::ApplicationCredential {
                    id: self.appcred_id.clone(),
                    name: self.appcred_name.clone(),
                    user: if self.appcred_id.is_some() {
                        None
                    } else {
                        user()
                    },
                    secret,
                })
            }
            other => Err(missing(&format!("auth type {other:?} is not supported"))),
        }
    }
}

fn domain(id: &Option<String>, name: &Option<String>) -> Domain {
    match (id, name) {
        (Some(id), _) => Domain::Id(id.clone()),
        (None, Some(name)) => Domain::Name(name.clone()),
        (None, None) => Domain::Id("default".into()),
    }
}

/// A secret from its file when one is named (trailing newline dropped), else the
/// value given. `None` when neither exists.
fn secret(file: &Option<PathBuf>, value: Option<String>) -> Option<Result<String>> {
    match file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
                .map_err(|e| {
                    Error::unobserved(format!(
                        "cannot read {}: {}",
                        path.display(),
                        short_io_reason(&e)
                    ))
                })
                .and_then(|s| {
                    if s.is_empty() {
                        Err(Error::unobserved(format!("{} is empty", path.display())))
                    } else {
                        Ok(s)
                    }
                }),
        ),
        None => value.map(Ok),
    }
}

/// Keystone's v3 root from an auth URL given with or without `/v3`.
fn v3_root(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    if url.ends_with("/v3") {
        url.to_string()
    } else {
        format!("{url}/v3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn password_from_the_environment() {
        let m = env_of(&[
            ("OS_AUTH_URL", "http://ks:5000/"),
            ("OS_USERNAME", "admin"),
            ("OS_PASSWORD", "pw"),
            ("OS_PROJECT_NAME", "admin"),
            ("OS_USER_DOMAIN_NAME", "Default"),
            ("OS_INTERFACE", "internalURL"),
        ]);
        let c = from_env(&|k| m.get(k).cloned(), &SecretFiles::default()).unwrap();
        assert_eq!(c.auth_url, "http://ks:5000/v3");
        assert_eq!(c.interface.as_deref(), Some("internal"));
        let Auth::Password { user, project, .. } = c.auth else {
            panic!()
        };
        assert_eq!(
            user,
            Named::Name {
                name: "admin".into(),
                domain: Domain::Name("Default".into())
            }
        );
        assert_eq!(
            project,
            Some(Named::Name {
                name: "admin".into(),
                domain: Domain::Id("default".into())
            })
        );
    }

    #[test]
    fn missing_pieces_are_named() {
        let none = |_: &str| None;
        assert!(from_env(&none, &SecretFiles::default())
            .unwrap_err()
            .message()
            .contains("OS_AUTH_URL"));
        let m = env_of(&[("OS_AUTH_URL", "http://ks/v3"), ("OS_USERNAME", "a")]);
        let err = from_env(&|k| m.get(k).cloned(), &SecretFiles::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no password"), "{err}");
    }

    #[test]
    fn application_credential_from_clouds_yaml_with_secret_file() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = dir.path().join("clouds.yaml");
        std::fs::write(&yaml, "clouds:\n  prod:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://ks.example:5000\n      application_credential_id: \"abc\"\n    region_name: RegionTwo\n    cacert: /etc/ca.pem\n").unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "s3cret\n").unwrap();
        let files = SecretFiles {
            application_credential_secret: Some(secret),
            ..Default::default()
        };
        let c = from_clouds_yaml(&yaml, "prod", &files).unwrap();
        assert_eq!(c.region.as_deref(), Some("RegionTwo"));
        assert_eq!(c.cacert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(
            c.auth,
            Auth::ApplicationCredential {
                id: Some("abc".into()),
                name: None,
                user: None,
                secret: "s3cret".into()
            }
        );
        assert!(from_clouds_yaml(&yaml, "dev", &files)
            .unwrap_err()
            .message()
            .contains("no cloud \"dev\""));
        std::fs::write(&yaml, "clouds: [unclosed").unwrap();
        assert!(from_clouds_yaml(&yaml, "prod", &files)
            .unwrap_err()
            .message()
            .contains("not YAML"));
    }
}
