//! End-to-end tests of the `npd-openstack` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `real/`: anything asked of the real services (Keystone 30, nova-api 34,
//!   neutron-server 29, cinder-api 29) that `peers.rs` starts once for this test
//!   binary: states of seeded hosts, auth methods, the token cache, unreachable,
//!   slow or garbage-speaking APIs (extra catalog regions point at those).
//! - `flags.rs`: bad flags, missing credentials, --help; no services needed.
//! - `netns.rs`: `namespaces` on fixture host roots (dnsmasq, keepalived); no cloud.
//! - `hypervisor.rs`: `hypervisor` against `fake.rs`, a stand-in Keystone and
//!   nova-api on 127.0.0.1 (a real nova lists no hypervisor without a running
//!   nova-compute): found by FQDN or short name, up, down, disabled, missing.
//! - `volumes.rs`: `volumes` against `fake.rs`'s cinder-api: volumes in error on
//!   this host's backends, hostless ones, pages, a failing cinder.
//! - `tls.rs`: Keystone over HTTPS through a TLS front: its self-signed certificate
//!   given as the CA (reaching the real services when they run), refusals in words.
//!
//! `util.rs` runs the binary (bounded in time, clean environment, fresh state dir).
//! `peers/` holds the pinned requirements and the Python harness that installs and
//! runs the services.

mod fake;
mod flags;
mod hypervisor;
mod netns;
mod peers;
mod real;
mod tls;
mod util;
mod volumes;
