//! The host-filesystem layer of npd-checks: how a plugin reaches the host it judges
//! from inside NPD's container, without a call that can hang keeping it past its
//! deadline.
//!
//! What it holds:
//!
//! - [`host`]: host paths under the host root ([`host::HostRoot`]);
//! - [`hostfs`]: host paths resolved as the host would (symlinks followed under the
//!   root) by a careful walk that never enters a mount that can hang, and mounts
//!   classified by what the kernel says of them;
//! - [`mountinfo`]: the one parser of mount tables, and the rule for which mount
//!   holds a path;
//! - [`isolate`]: calls that can hang (stat, statvfs) run in a helper process, with
//!   markers that keep it to one stuck helper per hung mount;
//! - [`glob`]: shell wildcards for one path component;
//! - [`procstat`]: `/proc/<pid>/stat` parsed without allocation, and the PIDs of a
//!   `/proc`;
//! - [`netns`]: whether this process shares the network namespace of the host's
//!   PID 1;
//! - small helpers they share: [`write_atomically`], [`stable_hash`],
//!   [`short_io_reason`].
//!
//! What it does not hold: the plugin contract. There are no exit codes, no verdicts,
//! no `Context` and no flags here; failures are plain `io::Error`s or small typed
//! errors ([`glob::PatternError`], [`mountinfo::ParseError`]) that say what went
//! wrong, and the contract crate (npd-plugin) decides whose fault each one is. This
//! crate depends on nothing but std and libc, so that a binary pays only for the
//! parts it calls.

mod files;
pub mod glob;
pub mod host;
pub mod hostfs;
pub mod isolate;
pub mod mountinfo;
pub mod netns;
pub mod procstat;
mod reason;

pub use files::{stable_hash, write_atomically};
pub use reason::short_io_reason;
