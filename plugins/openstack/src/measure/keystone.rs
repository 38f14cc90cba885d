//! Keystone v3: a token and the catalog, by password or application credential, and
//! the token kept between runs.
//!
//! An authentication costs Keystone a password hash (0.1 s to 1 s of its CPU), so a
//! token is reused until shortly before it expires, shared by every check that uses
//! the same identity on this node. It lives in the state dir (files there are 0600)
//! and is never printed. A service answering 401 to a cached token (revoked, keys
//! rotated) makes the caller authenticate again once.

use std::time::{Duration, Instant};

use npd_plugin::timestamp::rfc3339_or_utc;
use npd_plugin::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::cloud::{Auth, Cloud, Domain, Named};
use super::transport::Transport;
use crate::json::json_reason;

/// A token with what the checks need from its body.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    /// Seconds since the epoch.
    pub expires_at: i64,
    pub project_id: Option<String>,
    pub catalog: Vec<CatalogService>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires_at", &self.expires_at)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CatalogService {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    #[serde(default)]
    pub interface: String,
    #[serde(default)]
    pub region_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    pub url: String,
}

/// Asks Keystone for a project-scoped token (application credentials carry their
/// project).
pub fn authenticate(transport: &Transport, cloud: &Cloud, deadline: Instant) -> Result<Session> {
    let body = request_body(&cloud.auth).to_string();
    let url = format!("{}/auth/tokens", cloud.auth_url);
    let reply = transport.post_json("keystone", &url, body.as_bytes(), deadline)?;
    match reply.status {
        201 | 200 => {}
        401 => return Err(Error::unobserved("keystone rejected the credentials (401)")),
        s => {
            return Err(Error::unobserved(format!(
                "keystone answered {s} to the authentication"
            )))
        }
    }
    let token = reply
        .header("x-subject-token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::unobserved("keystone answered without X-Subject-Token"))?
        .to_string();
    parse_token_body(token, &reply.body)
}

#[doc(hidden)]
pub fn parse_token_body(token: String, body: &[u8]) -> Result<Session> {
    #[derive(Deserialize)]
    struct Body {
        token: TokenBody,
    }
    #[derive(Deserialize)]
    struct TokenBody {
        expires_at: String,
        #[serde(default)]
        project: Option<Project>,
        #[serde(default)]
        catalog: Vec<CatalogService>,
    }
    #[derive(Deserialize)]
    struct Project {
        id: String,
    }
    let b: Body = serde_json::from_slice(body).map_err(|e| {
        Error::unobserved(format!("keystone answered garbage: {}", json_reason(&e)))
    })?;
    let expires_at = rfc3339_or_utc(&b.token.expires_at).ok_or_else(|| {
        Error::unobserved(format!(
            "keystone token expiry {:?} unreadable",
            b.token.expires_at
        ))
    })?;
    Ok(Session {
        token,
        expires_at,
        project_id: b.token.project.map(|p| p.id),
        catalog: b.token.catalog,
    })
}

fn named(n: &Named) -> Value {
    match n {
        Named::Id(id) => json!({ "id": id }),
        Named::Name { name, domain } => json!({ "name": name, "domain": domain_ref(domain) }),
    }
}

fn domain_ref(d: &Domain) -> Value {
    match d {
        Domain::Id(id) => json!({ "id": id }),
        Domain::Name(name) => json!({ "name": name }),
    }
}

fn request_body(auth: &Auth) -> Value {
    match auth {
        Auth::Password {
            user,
            password,
            project,
        } => {
            let mut user = named(user);
            user["password"] = json!(password);
            let mut body = json!({"auth": {"identity": {
                "methods": ["password"], "password": {"user": user}}}});
            if let Some(p) = project {
                body["auth"]["scope"] = json!({ "project": named(p) });
            }
            body
        }
        Auth::ApplicationCredential {
            id,
            name,
            user,
            secret,
        } => {
            let mut cred = json!({ "secret": secret });
            if let Some(id) = id {
                cred["id"] = json!(id);
            } else {
                cred["name"] = json!(name);
                if let Some(u) = user {
                    cred["user"] = named(u);
                }
            }
            json!({"auth": {"identity": {
                "methods": ["application_credential"], "application_credential": cred}}})
        }
    }
}

/// The URL of `kinds` (first found) for `interface` and, if given, `region`.
pub fn endpoint(
    catalog: &[CatalogService],
    kinds: &[&str],
    interface: &str,
    region: Option<&str>,
) -> Result<String> {
    let service = kinds
        .iter()
        .find_map(|k| catalog.iter().find(|s| s.kind == *k))
        .ok_or_else(|| Error::unobserved(format!("no {} service in the catalog", kinds[0])))?;
    service
        .endpoints
        .iter()
        .find(|e| {
            e.interface == interface
                && region.map_or(true, |r| {
                    e.region_id.as_deref() == Some(r) || e.region.as_deref() == Some(r)
                })
        })
        .map(|e| e.url.trim_end_matches('/').to_string())
        .ok_or_else(|| {
            Error::unobserved(match region {
                Some(r) => format!("no {interface} {} endpoint in region {r}", kinds[0]),
                None => format!("no {interface} {} endpoint in the catalog", kinds[0]),
            })
        })
}

/// What the state dir keeps: the session, for the identity it was made for.
#[derive(Serialize, Deserialize)]
pub struct Cached {
    pub identity: String,
    pub session: Session,
}

/// Whether a cached session may still be used at `now`, leaving `renew_before` of
/// its life for the checks that will use it.
pub fn usable(cached: &Cached, identity: &str, now: i64, renew_before: Duration) -> bool {
    cached.identity == identity && cached.session.expires_at - now > renew_before.as_secs() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_users_and_projects_as_keystone_expects() {
        let body = request_body(&Auth::Password {
            user: Named::Name {
                name: "admin".into(),
                domain: Domain::Id("default".into()),
            },
            password: "pw".into(),
            project: Some(Named::Id("p1".into())),
        });
        assert_eq!(
            body,
            json!({"auth": {"identity": {"methods": ["password"], "password": {"user":
                {"name": "admin", "domain": {"id": "default"}, "password": "pw"}}},
                "scope": {"project": {"id": "p1"}}}})
        );
        let body = request_body(&Auth::ApplicationCredential {
            id: Some("c1".into()),
            name: None,
            user: None,
            secret: "s".into(),
        });
        assert_eq!(
            body["auth"]["identity"]["application_credential"],
            json!({"id": "c1", "secret": "s"})
        );
        assert!(body["auth"].get("scope").is_none());
    }

    #[test]
    fn endpoints_by_interface_and_region() {
        let catalog: Vec<CatalogService> = serde_json::from_value(json!([
            {"type": "compute", "endpoints": [
                {"interface": "internal", "region_id": "RegionOne", "url": "http://int/v2.1"},
                {"interface": "public", "region_id": "RegionOne", "url": "http://pub/v2.1/"},
                {"interface": "public", "region_id": "RegionTwo", "url": "http://two/v2.1"}]}]))
        .unwrap();
        assert_eq!(
            endpoint(&catalog, &["compute"], "public", None).unwrap(),
            "http://pub/v2.1"
        );
        assert_eq!(
            endpoint(&catalog, &["compute"], "public", Some("RegionTwo")).unwrap(),
            "http://two/v2.1"
        );
        assert_eq!(
            endpoint(&catalog, &["compute"], "internal", None).unwrap(),
            "http://int/v2.1"
        );
        assert_eq!(
            endpoint(&catalog, &["network"], "public", None)
                .unwrap_err()
                .message(),
            "no network service in the catalog"
        );
        assert!(endpoint(&catalog, &["compute"], "admin", Some("RegionOne")).is_err());
    }

    #[test]
    fn a_token_body_gives_expiry_project_and_catalog() {
        let body = br#"{"token": {"expires_at": "2026-11-22T08:41:43.000000Z",
            "project": {"id": "b77b"}, "catalog": [{"type": "identity", "id": "x",
            "endpoints": [{"interface": "public", "url": "http://k/v3"}]}]}}"#;
        let s = parse_token_body("t".into(), body).unwrap();
        assert_eq!(
            s.expires_at,
            rfc3339_or_utc("2026-11-22T08:41:43Z").unwrap()
        );
        assert_eq!(s.project_id.as_deref(), Some("b77b"));
        assert_eq!(s.catalog.len(), 1);
        assert!(!format!("{s:?}").contains("\"t\""));
        assert!(parse_token_body("t".into(), b"<html>")
            .unwrap_err()
            .message()
            .contains("garbage"));
    }
}
