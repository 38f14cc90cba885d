//! `npd-http`: one HTTP(S) GET judged as the kubelet judges an HTTP probe.
//!
//! A status from 200 to 399 is healthy (or the `--expect-status` list), redirects are
//! followed to the same host only (10 requests at most), and a refused connection, a timeout, a
//! TLS failure on the endpoint's side (its certificate, no version or cipher in
//! common, not TLS) or a malformed answer is a failed probe (a problem), as for the
//! kubelet. What could not be asked at all (a bad URL, an unreadable CA or token
//! file, a host name that does not resolve), and a server that refuses the check's
//! client certificate or wants one, is Unknown: `http_probe`'s rule of whose TLS
//! failure it is.
//!
//! - [`config`] validates the flags before anything is read or sent;
//! - [`measure`] probes (a failed probe is an error whose kind `http_probe`
//!   decides for a probed endpoint);
//! - [`judge`] turns the answer into the verdict.
//!
//! The HTTP and TLS work is `http_probe`'s, shared with the other API checks.

pub mod config;
pub mod judge;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Http;

impl Plugin for Http {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let answer = measure::measure(config, ctx)?;
        Ok(judge::judge(config, ctx, &answer))
    }

    const NAME: &'static str = "npd-http";
    const ABOUT: &'static str = "GETs a URL and judges the answer as the kubelet judges an \
                                 HTTP probe (200..399 healthy).";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "KubeletHealthzFailing",
 "reason": "KubeletHealthzFailing", "path": "/opt/npd-checks/bin/npd-http",
 "args": ["--url", "http://127.0.0.1:10248/healthz", "--timeout", "3s",
          "--fail-after", "3"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Judgement (Kubernetes HTTP probe semantics):
  Healthy: a status from 200 to 399, or one of --expect-status (200,204 or 200-299).
  Redirects are followed like the kubelet does: to the same host name only, at most
  9 (the tenth is a problem: \"stopped after 10 redirects\", as Go says); a redirect
  to another host is not followed and its 3xx counts as healthy.
  A problem (exit 1): connection refused, no answer by --timeout, a TLS failure on
  the endpoint's side (a certificate expired or not yet valid, for other names,
  signed by no trusted CA, a CA certificate presented as the server's; no TLS
  version or cipher in common, a handshake the server refuses; not TLS), an answer
  that is not HTTP, a wrong status, a body not matching --body-regex (the first 10
  KiB are searched), an answer slower than --max-latency.
  Unknown (exit 2): a bad flag, an unreadable or garbage --ca-file, --client-cert,
  --client-key or --bearer-token-file, a client certificate without its key, no CA
  bundle on the host, a host name that does not resolve (the resolver, not the
  endpoint, failed), a server that wants a client certificate or refuses the one
  given (it judged the check's credentials, not its own health).
TLS:
  Certificates are verified by default. With --ca-file only that file is trusted;
  without it, an https:// URL trusts the host's CA bundle, read under --host-root
  (/etc/ssl/certs/ca-certificates.crt and the other distributions' places) and only
  when the URL is https://. A server certificate that is itself in --ca-file (a
  self-signed one, even marked CA:TRUE as `openssl req -x509` makes it) is trusted
  as it is; its names and dates are still checked. --insecure skips verification
  (never the default). --client-cert and --client-key present a client certificate
  (etcd's mTLS). A TLS failure says why: \"TLS: certificate expired 2026-01-02\",
  \"TLS: certificate is for etcd.example\"; --explain adds the library's account.
Credentials:
  --bearer-token-file is read on every run (projected service-account tokens
  rotate) and sent as Authorization: Bearer. Paths of credentials are taken as given,
  not under --host-root.
Deadline:
  --timeout bounds everything (resolve, connect, TLS, every read); the probe gives up
  a little before it and answers \"no answer in 3s\" (a problem, like a probe timeout).
  Use --fail-after 3 as the kubelet's failureThreshold does: one slow answer from a
  busy kubelet should not raise a condition.";
}
