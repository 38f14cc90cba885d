//! Against the real services of `peers.rs`. The seeded hosts (see
//! `peers/fleet.py`): node-up healthy everywhere; node-down silent for a day;
//! node-disabled disabled by an operator (neutron: its agent admin down);
//! node-forced forced down in nova; node-mixed with an L3 agent alive and a DHCP
//! agent dead; twelve healthy fill-NN hosts. A small cloud: pair-up and pair-down
//! (silent for a day), the only two computes of a nova-api of their own and the only
//! two hosts with an SR-IOV agent; twin-a and twin-b, the only two with a macvtap
//! agent, both dead. Catalog regions: RegionOne real, RegionTwo with nova-api
//! refusing, no network service and a cinder-api that never answers, RegionThree
//! answering garbage everywhere, RegionPair the small cloud's nova-api.

use std::fs;
use std::path::{Path, PathBuf};

use crate::peers::{peers, Peers};
use crate::util::{run, Output};

fn admin(p: &Peers) -> Vec<(&'static str, String)> {
    vec![
        ("OS_AUTH_URL", p.s("auth_url")),
        ("OS_USERNAME", "admin".into()),
        ("OS_PASSWORD", p.s("admin_password")),
        ("OS_PROJECT_NAME", "admin".into()),
        ("OS_USER_DOMAIN_NAME", "Default".into()),
        ("OS_PROJECT_DOMAIN_ID", "default".into()),
    ]
}

fn ask(state: &Path, env: &[(&'static str, String)], args: &[&str]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut all = args.to_vec();
    // Generous: the services are slow on a loaded 2-core machine, and these tests
    // are about answers; the deadline has a test of its own.
    if !args.contains(&"--timeout") {
        all.extend(["--timeout", "25s"]);
    }
    run(state, &all, &env)
}

/// Asks as admin with a fresh state dir.
fn check(args: &[&str]) -> Option<Output> {
    let p = peers()?;
    let st = tempfile::tempdir().unwrap();
    Some(ask(st.path(), &admin(p), args))
}

fn expect(args: &[&str], code: i32, line: &str) {
    let Some(out) = check(args) else { return };
    assert_eq!(
        (out.code, out.line()),
        (code, line),
        "{args:?}\n{}",
        out.stderr
    );
}

fn expect_prefix(args: &[&str], code: i32, prefix: &str) {
    let Some(out) = check(args) else { return };
    assert_eq!(out.code, code, "{args:?}: {}\n{}", out.line(), out.stderr);
    assert!(out.line().starts_with(prefix), "{args:?}: {}", out.line());
}

#[test]
fn compute_up_enabled_is_ok() {
    expect(
        &["compute", "--host", "node-up"],
        0,
        "nova-compute is up and enabled",
    );
}

#[test]
fn compute_down_names_the_last_heartbeat() {
    expect_prefix(
        &["compute", "--host", "node-down"],
        1,
        "nova-compute on node-down down since 20",
    );
}

#[test]
fn compute_disabled_names_the_reason_unless_allowed() {
    expect(
        &["compute", "--host", "node-disabled"],
        1,
        "nova-compute on node-disabled disabled: maintenance by ops",
    );
    expect(
        &["compute", "--host", "node-disabled", "--allow-disabled"],
        0,
        "nova-compute is up and enabled",
    );
}

#[test]
fn compute_forced_down() {
    expect(
        &["compute", "--host", "node-forced"],
        1,
        "nova-compute on node-forced forced down",
    );
}

#[test]
fn a_host_unknown_to_the_service_is_a_problem_unless_missing_ok() {
    expect(
        &["compute", "--host", "node-x"],
        1,
        "nova-compute not registered for node-x",
    );
    expect(
        &["compute", "--host", "node-x", "--missing-ok"],
        0,
        "no nova-compute registered for this host",
    );
    expect(
        &["volume", "--host", "node-x"],
        1,
        "cinder-volume not registered for node-x",
    );
    expect(
        &["network", "--host", "node-x"],
        1,
        "neutron agent not registered for node-x",
    );
}

#[test]
fn most_of_the_fleet_down_is_a_control_plane_problem() {
    // The guard counts 14 computes (node-disabled and node-forced are parked by an
    // operator), of which node-down is 1: more than 0.05 of them, but one host is
    // no evidence of a shared cause...
    expect_prefix(
        &[
            "compute",
            "--host",
            "node-down",
            "--max-down-fraction",
            "0.05",
        ],
        1,
        "nova-compute on node-down down since 20",
    );
    // ...unless one host is made enough.
    expect(
        &[
            "compute",
            "--host",
            "node-down",
            "--max-down-fraction",
            "0.05",
            "--min-down-hosts",
            "1",
        ],
        2,
        "1 of 14 nova-compute down: control-plane problem",
    );
    expect(
        &[
            "volume",
            "--host",
            "node-down",
            "--max-down-fraction",
            "0.05",
            "--min-down-hosts",
            "1",
        ],
        2,
        "1 of 14 cinder-volume down: control-plane problem",
    );
}

#[test]
fn one_of_two_computes_down_is_that_hosts_problem() {
    let Some(out) = check(&[
        "compute",
        "--host",
        "pair-down",
        "--region",
        "RegionPair",
        "--explain",
    ]) else {
        return;
    };
    assert_eq!(out.code, 1, "{}\n{}", out.line(), out.stderr);
    assert!(
        out.line()
            .starts_with("nova-compute on pair-down down since 20"),
        "{}",
        out.line()
    );
    assert!(
        out.stderr
            .contains("nova-compute cloud-wide: 1 of 2 hosts down (of 2 rows;"),
        "{}",
        out.stderr
    );
    expect(
        &["compute", "--host", "pair-up", "--region", "RegionPair"],
        0,
        "nova-compute is up and enabled",
    );
    // Judged by the share alone, half the cloud down would be the cloud's.
    expect(
        &[
            "compute",
            "--host",
            "pair-down",
            "--region",
            "RegionPair",
            "--min-down-hosts",
            "1",
        ],
        2,
        "1 of 2 nova-compute down: control-plane problem",
    );
}

#[test]
fn small_agent_fleets_one_down_or_all_down() {
    // Neutron's fleet is listed per binary: the SR-IOV agent runs on two hosts only.
    expect_prefix(
        &[
            "network",
            "--host",
            "pair-down",
            "--agent-type",
            "neutron-sriov-nic-agent",
        ],
        1,
        "neutron-sriov-nic-agent on pair-down down since 20",
    );
    expect(
        &["network", "--host", "pair-up"],
        0,
        "neutron agents are alive",
    );
    // Every macvtap agent of the cloud (two) is dead: the cloud's problem.
    expect(
        &["network", "--host", "twin-a"],
        2,
        "2 of 2 neutron-macvtap-agent down: control-plane problem",
    );
}

#[test]
fn network_agents() {
    expect(
        &["network", "--host", "node-up"],
        0,
        "neutron agents are alive",
    );
    expect_prefix(
        &["network", "--host", "node-down"],
        1,
        "neutron-openvswitch-agent on node-down down since 20",
    );
    expect(
        &["network", "--host", "node-disabled"],
        1,
        "neutron-openvswitch-agent on node-disabled admin down",
    );
    expect(
        &["network", "--host", "node-disabled", "--allow-admin-down"],
        0,
        "neutron agents are alive",
    );
}

#[test]
fn network_agent_types_filter_and_must_exist() {
    expect(
        &[
            "network",
            "--host",
            "node-mixed",
            "--agent-type",
            "L3 agent",
        ],
        0,
        "neutron agents are alive",
    );
    expect_prefix(
        &[
            "network",
            "--host",
            "node-mixed",
            "--agent-type",
            "neutron-dhcp-agent",
        ],
        1,
        "neutron-dhcp-agent on node-mixed down since",
    );
    expect(
        &[
            "network",
            "--host",
            "node-mixed",
            "--agent-type",
            "Metadata agent",
            "--agent-type",
            "L3 agent",
        ],
        1,
        "Metadata agent not registered for node-mixed",
    );
    expect(
        &[
            "network",
            "--host",
            "node-up",
            "--agent-type",
            "Open vSwitch agent",
            "--agent-type",
            "L3 agent",
            "--agent-type",
            "DHCP agent",
            "--agent-type",
            "Metadata agent",
        ],
        0,
        "neutron agents are alive",
    );
}

#[test]
fn volume_backends_of_this_host() {
    expect(
        &["volume", "--host", "node-up"],
        0,
        "cinder-volume is up and enabled",
    );
    expect_prefix(
        &["volume", "--host", "node-down"],
        1,
        "cinder-volume node-down@lvm down since 20",
    );
    expect(
        &["volume", "--host", "node-disabled"],
        1,
        "cinder-volume node-disabled@lvm disabled: maintenance by ops",
    );
}

#[test]
fn host_from_node_name_mapped_to_the_services_name() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let mut env = admin(p);
    env.push(("NODE_NAME", "node-up.cluster.example".into()));
    let out = ask(st.path(), &env, &["compute"]);
    assert_eq!(
        (out.code, out.line()),
        (1, "nova-compute not registered for node-up.cluster.example")
    );
    let out = ask(st.path(), &env, &["compute", "--strip-domain"]);
    assert_eq!(
        (out.code, out.line()),
        (0, "nova-compute is up and enabled")
    );
}

#[test]
fn host_from_the_hosts_hostname_file() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    fs::create_dir(root.path().join("etc")).unwrap();
    fs::write(root.path().join("etc/hostname"), "node-forced\n").unwrap();
    let out = ask(
        st.path(),
        &admin(p),
        &["compute", "--host-root", root.path().to_str().unwrap()],
    );
    assert_eq!(
        (out.code, out.line()),
        (1, "nova-compute on node-forced forced down")
    );
}

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

#[test]
fn keystone_down_is_unknown() {
    let Some(p) = peers() else { return };
    let st = tempfile::tempdir().unwrap();
    let mut env = admin(p);
    env[0].1 = format!("http://127.0.0.1:{}/v3", p.s("closed_port"));
    let out = ask(st.path(), &env, &["compute", "--host", "node-down"]);
    assert_eq!(
        (out.code, out.line()),
        (2, "keystone unreachable: connection refused")
    );
}

#[test]
fn nova_down_is_unknown() {
    expect(
        &["compute", "--host", "node-down", "--region", "RegionTwo"],
        2,
        "nova-api unreachable: connection refused",
    );
}

#[test]
fn a_catalog_without_the_network_service_is_unknown() {
    expect(
        &["network", "--host", "node-down", "--region", "RegionTwo"],
        2,
        "no public network endpoint in region RegionTwo",
    );
    expect(
        &["network", "--host", "node-down", "--interface", "admin"],
        2,
        "no admin network endpoint in the catalog",
    );
}

#[test]
fn a_hung_api_is_unknown_within_the_deadline() {
    let Some(out) = check(&[
        "volume",
        "--host",
        "node-down",
        "--region",
        "RegionTwo",
        "--timeout",
        "3s",
    ]) else {
        return;
    };
    assert_eq!(out.code, 2, "{}", out.line());
    assert!(
        out.line().starts_with("cinder-api did not answer in 3s"),
        "{}",
        out.line()
    );
    assert!(
        out.elapsed < std::time::Duration::from_millis(3200),
        "{:?}",
        out.elapsed
    );
}

#[test]
fn garbage_json_is_unknown_with_a_clear_message() {
    expect(
        &["compute", "--host", "node-down", "--region", "RegionThree"],
        2,
        "nova-api answered garbage: not JSON (line 1 column 1)",
    );
    expect(
        &["network", "--host", "node-down", "--region", "RegionThree"],
        2,
        "neutron-server answered garbage: not JSON (line 1 column 1)",
    );
    expect(
        &["volume", "--host", "node-down", "--region", "RegionThree"],
        2,
        "cinder-api answered garbage: not JSON (line 1 column 1)",
    );
}
