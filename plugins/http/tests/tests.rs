//! End-to-end tests of the `npd-http` binary against real peers on 127.0.0.1.
//!
//! Where a new test belongs:
//! - `probe.rs`: the judgement of answers (statuses, redirects, body, latency,
//!   headers and tokens sent).
//! - `failures.rs`: peers that refuse, never answer, answer slowly, send garbage or
//!   close; every deadline test measures when the answer came.
//! - `tls.rs`: HTTPS with a CA made in the test: trust, names, expiry, --insecure,
//!   mTLS, the host's bundle under --host-root, unusable CA files.
//! - `trust.rs`: a self-signed certificate given as its own CA (rcgen's and the
//!   openssl CLI's), CA certificates that are not the one given, no version or
//!   cipher in common, refused client certificates: every TLS refusal in words.
//! - `flags.rs`: bad flags (Unknown, never a problem), --help.
//! - `shipped_config.rs`: the npd-http configs in npd-config/ against this binary.
//!
//! The peers are `npd_test_support::Server`s, `npd_test_support::pki` makes the
//! certificates, and running the binary as NPD does (bounded and timed) is
//! `npd_test_support`.

mod failures;
mod flags;
mod probe;
mod shipped_config;
mod tls;
mod trust;
mod util;
