//! npd-checks, the companion tool of the npd-checks plugins: `lint` judges
//! node-problem-detector (NPD) configs (custom plugin monitors and system log monitors)
//! as the NPD release they are for would read them, `run` runs their rules with NPD's
//! semantics (plugins, or log lines given to it) and shows the resulting node
//! Conditions, Events and problem metrics, `install` copies the plugins into place,
//! `prune` removes from a node the conditions its configs no longer claim.
//!
//! The modules follow NPD's own split: [`config`] decodes a custom plugin monitor config,
//! [`exec`] runs a plugin, [`npd_state`] applies results, [`syslog`] is the system log
//! monitor and [`goregex`] Go's regular expressions it relies on; [`lint`], [`run`],
//! [`install`] and [`prune`] are the subcommands, and only `main.rs` prints and exits.

pub mod conditions;
pub mod config;
pub mod drain;
pub mod dur;
pub mod exec;
pub mod finding;
pub mod golang;
pub mod goregex;
pub mod install;
pub mod json;
pub mod lint;
pub mod npd_state;
pub mod probe;
pub mod prune;
pub mod report;
pub mod run;
pub mod schema;
pub mod syslog;
pub mod version;
