//! Keystone over HTTPS, as an internal cloud often has it: a TLS front on 127.0.0.1
//! with a self-signed certificate (CA:TRUE, as `openssl req -x509` makes it), given
//! as the CA with --ca-file or the cloud's cacert. Through it the check reaches the
//! real services of `peers.rs` (when they run); a certificate for other names,
//! expired, or a CA that is not the one given is Unknown, said in words.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use npd_test_support::{pki, Reply, Request, Server};

use crate::peers::peers;
use crate::util::{run, Output};

/// A certificate as a PEM file, and the server configuration presenting it.
struct Cert {
    pem: PathBuf,
    server: Arc<rustls::ServerConfig>,
}

impl Cert {
    fn of(issued: pki::Issued) -> Cert {
        Cert {
            server: pki::serving(&issued),
            pem: issued.cert_pem,
        }
    }
}

/// A self-signed CA:TRUE certificate for `names`, valid from January 1st of the
/// first year to January 2nd of the second.
fn self_signed(dir: &Path, file: &str, names: &[&str], valid: (i32, i32)) -> Cert {
    let mut params = pki::params(names, true);
    pki::valid(&mut params, valid.0, valid.1);
    Cert::of(pki::self_signed(dir, file, params))
}

/// What `openssl req -x509` makes for a Keystone on 127.0.0.1, or `None` (after
/// saying so; a failure in CI) without the openssl CLI.
fn openssl_self_signed(dir: &Path) -> Option<Cert> {
    pki::openssl_for_loopback(dir, "keystone").map(Cert::of)
}

/// TLS on 127.0.0.1 in front of `backend` (a plain HTTP server that closes after
/// each answer), or, without one, a server that only handshakes and reads the
/// request. Stops when dropped.
fn tls_front(config: Arc<rustls::ServerConfig>, backend: Option<SocketAddr>) -> Server {
    Server::https(config, move |request| {
        match backend.and_then(|backend| relay(backend, request)) {
            Some(answer) => Reply::Raw(answer),
            None => Reply::Close,
        }
    })
}

/// Passes `request` to `backend` and returns its whole answer.
fn relay(backend: SocketAddr, request: &Request) -> Option<Vec<u8>> {
    let mut plain = TcpStream::connect(backend).ok()?;
    plain.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    plain.write_all(&request.bytes()).ok()?;
    let mut answer = Vec::new();
    plain.read_to_end(&mut answer).ok()?;
    Some(answer)
}

/// `host:port` and path of an http:// URL.
fn split_http(url: &str) -> (SocketAddr, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    (authority.parse().unwrap(), format!("/{path}"))
}

/// Credentials for Keystone at `auth_url` (admin's password when the services run).
fn env(auth_url: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OS_AUTH_URL", auth_url.to_string()),
        ("OS_USERNAME", "admin".into()),
        ("OS_PASSWORD", password.into()),
        ("OS_PROJECT_NAME", "admin".into()),
        ("OS_USER_DOMAIN_NAME", "Default".into()),
        ("OS_PROJECT_DOMAIN_ID", "default".into()),
    ]
}

fn ask(env: &[(&'static str, String)], args: &[&str]) -> Output {
    let st = tempfile::tempdir().unwrap();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut all = args.to_vec();
    all.extend(["--timeout", "25s"]);
    let out = run(st.path(), &all, &env);
    for debug in ["Other(", "Error", "Context", "{"] {
        assert!(!out.line().contains(debug), "{}", out.line());
    }
    out
}

#[test]
fn keystone_behind_its_own_openssl_certificate_is_reached() {
    let Some(p) = peers() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(cert) = openssl_self_signed(dir.path()) else {
        return;
    };
    let (keystone, path) = split_http(&p.s("auth_url"));
    let front = tls_front(cert.server.clone(), Some(keystone));
    let env = env(&front.url(&path), &p.s("admin_password"));
    let ca = cert.pem.to_str().unwrap();
    let out = ask(&env, &["compute", "--host", "node-up", "--ca-file", ca]);
    assert_eq!(
        (out.code, out.line()),
        (0, "nova-compute is up and enabled"),
        "{}",
        out.stderr
    );
}

#[test]
fn keystone_behind_a_self_signed_ca_certificate_as_the_clouds_cacert_is_reached() {
    let Some(p) = peers() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cert = self_signed(dir.path(), "keystone", &["127.0.0.1"], (2020, 2090));
    let (keystone, path) = split_http(&p.s("auth_url"));
    let front = tls_front(cert.server.clone(), Some(keystone));
    let mut env = env(&front.url(&path), &p.s("admin_password"));
    env.push(("OS_CACERT", cert.pem.display().to_string()));
    let out = ask(&env, &["network", "--host", "node-up"]);
    assert_eq!(out.code, 0, "{}\n{}", out.line(), out.stderr);
}

#[test]
fn a_keystone_certificate_that_cannot_be_trusted_is_unknown_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            self_signed(dir.path(), "named", &["keystone.example"], (2020, 2090)),
            None,
            "keystone: TLS: certificate is for keystone.example",
        ),
        (
            self_signed(dir.path(), "old", &["127.0.0.1"], (2000, 2001)),
            None,
            "keystone: TLS: certificate expired 2001-01-02",
        ),
        (
            self_signed(dir.path(), "stranger", &["127.0.0.1"], (2020, 2090)),
            Some(self_signed(dir.path(), "given", &["127.0.0.1"], (2020, 2090)).pem),
            "keystone: TLS: CA certificate used as server certificate",
        ),
    ];
    for (cert, other_ca, line) in cases {
        let front = tls_front(cert.server.clone(), None);
        let ca = other_ca.unwrap_or(cert.pem);
        let env = env(&front.url("/v3"), "secret");
        let out = ask(
            &env,
            &[
                "compute",
                "--host",
                "node-a",
                "--ca-file",
                ca.to_str().unwrap(),
            ],
        );
        assert_eq!((out.code, out.line()), (2, line), "{}", out.stderr);
    }
}
