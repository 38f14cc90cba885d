//! End-to-end tests of the `npd-maintenance` binary, run as NPD runs it, against
//! metadata services on 127.0.0.1 that answer as each cloud documents. No test sends
//! anything to a link-local or cloud address: every run that may ask is given
//! `--metadata-url` by `util::ask`, and the runs without it are those the DMI
//! tables stop before any request (`detect.rs`).
//!
//! Where a new test belongs:
//! - `aws.rs`, `gcp.rs`, `azure.rs`: one cloud's answers, none and each kind of
//!   event, `--events` and `--within`, and what that cloud gets wrong (the token
//!   step, a missing Metadata-Flavor, events for another VM).
//! - `failures.rs`: a metadata service that refuses, is silent, answers 500 or
//!   garbage: Unknown, by the deadline.
//! - `detect.rs`: the cloud from DMI fixture files, and no request where they name
//!   no cloud or another one.
//! - `flags.rs`: bad flags, --help, --explain, --max-output.
//! - `shipped_config.rs`: npd-config/npd-maintenance-<cloud>.json against this
//!   binary, its arguments only (the shipped rules point at the real address).
//!
//! `util.rs` holds the fake metadata services and the DMI fixtures.

mod aws;
mod azure;
mod detect;
mod failures;
mod flags;
mod gcp;
mod shipped_config;
mod util;
