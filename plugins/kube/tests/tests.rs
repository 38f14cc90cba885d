//! End-to-end tests of the `npd-kube` binary against a fake HTTPS apiserver on
//! 127.0.0.1 that answers in the exact shapes of the Kubernetes API.
//!
//! Where a new test belongs:
//! - `apiserver.rs`: the `apiserver` subcommand (readiness, latency, silence).
//! - `pods.rs`: what `pods` asks (the query string) and how it judges a PodList.
//! - `failures.rs`: answers no check can judge (401, 403, 404, 429, 500, silence,
//!   truncated or malformed JSON): Unknown for every check but `apiserver`.
//! - `stream.rs`: a huge PodList parsed with bounded memory.
//! - `objects.rs`: `deployment` and `service`.
//! - `access.rs`: in-cluster defaults, --kubeconfig, flags after the subcommand, the
//!   CA trusted; bad flags (Unknown, never a problem), --help.
//! - `tls.rs`: the apiserver's certificate: a self-signed one given as the CA (made
//!   here and by the openssl CLI), for other names, expired, a CA that is not the
//!   one given, client certificates; Unknown in words.
//! - `forbidden.rs`: a 403 says what the apiserver said; the RBAC hint only where
//!   RBAC decided.
//! - `shipped_config.rs`: the rules of npd-config/npd-kube*.json.
//!
//! `util.rs` runs the binary and the fake apiserver and builds API objects.

mod access;
mod apiserver;
mod failures;
mod forbidden;
mod objects;
mod pods;
mod shipped_config;
mod stream;
mod tls;
mod util;
