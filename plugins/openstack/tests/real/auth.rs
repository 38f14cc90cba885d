//! Credentials (password, application credential, clouds.yaml, a token file) and
//! the token cache: private, shared, never printed, renewed when revoked or about
//! to expire.

use std::fs;
use std::path::{Path, PathBuf};

use super::{admin, ask};
use crate::peers::{peers, Peers};

#[test]
fn wrong_password_is_unknown() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let mut env = admin(p);
    env[2].1 = "not-the-password".into();
    let out = ask(st.path(), &env, &["compute", "--host", "node-down"]);
    assert_eq!(
        (out.code, out.line()),
        (2, "keystone rejected the credentials (401)")
    );
}

#[test]
fn a_user_without_the_admin_role_is_unknown() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let mut env = admin(p);
    env[1].1 = "watcher".into();
    env[2].1 = p.s("reader_password");
    let out = ask(st.path(), &env, &["compute", "--host", "node-down"]);
    assert_eq!(
        (out.code, out.line()),
        (
            2,
            "nova-api refused the listing (403): needs the admin role"
        )
    );
}

#[test]
fn application_credential_from_the_environment() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let env = vec![
        ("OS_AUTH_URL", p.s("auth_url")),
        ("OS_AUTH_TYPE", "v3applicationcredential".into()),
        (
            "OS_APPLICATION_CREDENTIAL_ID",
            p.s("application_credential_id"),
        ),
        (
            "OS_APPLICATION_CREDENTIAL_SECRET",
            p.s("application_credential_secret"),
        ),
    ];
    let out = ask(st.path(), &env, &["volume", "--host", "node-up"]);
    assert_eq!(
        (out.code, out.line()),
        (0, "cinder-volume is up and enabled"),
        "{}",
        out.stderr
    );
}

fn clouds_yaml(dir: &Path, p: &Peers) -> PathBuf {
    let path = dir.join("clouds.yaml");
    let text = format!(
        "clouds:\n  pw:\n    auth:\n      auth_url: {url}\n      username: admin\n      password: \"{pw}\"\n      \
         project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n    \
         region_name: RegionOne\n    interface: public\n  appcred:\n    auth_type: v3applicationcredential\n    \
         auth:\n      auth_url: {url}\n      application_credential_id: {id}\n  other:\n    auth:\n      \
         auth_url: {url}\n      username: admin\n      project_name: admin\n    region_name: RegionTwo\n",
        url = p.s("auth_url").trim_end_matches("/v3"),
        pw = p.s("admin_password"),
        id = p.s("application_credential_id"),
    );
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn clouds_yaml_password_and_application_credential_with_secret_file() {
    let Some(p) = peers() else { return };
    let dir = tempfile::tempdir().unwrap();
    let yaml = clouds_yaml(dir.path(), p);
    let yaml = yaml.to_str().unwrap();
    let secret = dir.path().join("secret");
    fs::write(
        &secret,
        format!("{}\n", p.s("application_credential_secret")),
    )
    .unwrap();
    let st = tempfile::tempdir().unwrap();
    let out = ask(
        st.path(),
        &[],
        &[
            "network",
            "--host",
            "node-up",
            "--os-cloud",
            "pw",
            "--os-config",
            yaml,
        ],
    );
    assert_eq!(
        (out.code, out.line()),
        (0, "neutron agents are alive"),
        "{}",
        out.stderr
    );
    let out = ask(
        st.path(),
        &[],
        &[
            "compute",
            "--host",
            "node-up",
            "--os-cloud",
            "appcred",
            "--os-config",
            yaml,
            "--application-credential-secret-file",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(
        (out.code, out.line()),
        (0, "nova-compute is up and enabled"),
        "{}",
        out.stderr
    );
    // OS_CLOUD selects the cloud; its region (RegionTwo) has no network service; the
    // password comes from a file.
    let pw = dir.path().join("pw");
    fs::write(&pw, p.s("admin_password")).unwrap();
    let env = vec![("OS_CLOUD", "other".to_string())];
    let out = ask(
        st.path(),
        &env,
        &[
            "network",
            "--host",
            "node-up",
            "--os-config",
            yaml,
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    assert_eq!(
        (out.code, out.line()),
        (2, "no public network endpoint in region RegionTwo"),
        "{}",
        out.stderr
    );
}

fn token_file(state: &Path) -> PathBuf {
    fs::read_dir(state)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".token.json"))
        .expect("a cached token")
}

#[test]
fn the_token_is_cached_private_shared_and_never_printed() {
    use std::os::unix::fs::PermissionsExt;
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let env = admin(p);
    let first = ask(
        st.path(),
        &env,
        &["compute", "--host", "node-up", "--explain"],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("new token from keystone"),
        "{}",
        first.stderr
    );
    let file = token_file(st.path());
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let cached: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    let token = cached["session"]["token"].as_str().unwrap().to_string();
    assert!(token.len() > 20);
    // Another subject with the same identity reuses it.
    let second = ask(
        st.path(),
        &env,
        &["volume", "--host", "node-up", "--explain"],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("using the cached token"),
        "{}",
        second.stderr
    );
    for out in [&first, &second] {
        assert!(!out.stdout.contains(&token) && !out.stderr.contains(&token));
        assert!(!out.stderr.contains(&p.s("admin_password")));
    }
}

fn edit_cached(state: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let file = token_file(state);
    let mut cached: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    edit(&mut cached);
    fs::write(&file, serde_json::to_vec(&cached).unwrap()).unwrap();
}

#[test]
fn a_revoked_cached_token_is_renewed_on_401() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let env = admin(p);
    assert_eq!(
        ask(st.path(), &env, &["compute", "--host", "node-up"]).code,
        0
    );
    edit_cached(st.path(), |c| {
        c["session"]["token"] = "gAAAAABnot-a-valid-token".into()
    });
    let out = ask(
        st.path(),
        &env,
        &["compute", "--host", "node-up", "--explain"],
    );
    assert_eq!(
        (out.code, out.line()),
        (0, "nova-compute is up and enabled"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("refused the cached token; authenticating again"),
        "{}",
        out.stderr
    );
    let out = ask(
        st.path(),
        &env,
        &["network", "--host", "node-up", "--explain"],
    );
    assert!(
        out.stderr.contains("using the cached token"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 0);
}

#[test]
fn a_token_about_to_expire_is_renewed_before_use() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let env = admin(p);
    assert_eq!(
        ask(st.path(), &env, &["volume", "--host", "node-up"]).code,
        0
    );
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    edit_cached(st.path(), |c| c["session"]["expires_at"] = soon.into());
    let out = ask(
        st.path(),
        &env,
        &["volume", "--host", "node-up", "--explain"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("new token from keystone"),
        "{}",
        out.stderr
    );
}
