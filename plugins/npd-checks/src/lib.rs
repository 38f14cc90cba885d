//! npd-checks, the companion tool of the npd-checks plugins: `lint` judges
//! node-problem-detector (NPD) custom-plugin-monitor configs as NPD would read them,
//! `run` runs their rules once with NPD's semantics and shows the resulting node
//! Conditions, Events and problem metrics, `install` copies the plugins into place.
//!
//! The modules follow NPD's own split: [`config`] decodes a file, [`exec`] runs a plugin,
//! [`npd_state`] applies results; [`lint`], [`run`] and [`install`] are the subcommands,
//! and only `main.rs` prints and exits.

pub mod config;
pub mod exec;
pub mod finding;
pub mod golang;
pub mod install;
pub mod json;
pub mod lint;
pub mod npd_state;
pub mod probe;
pub mod report;
pub mod run;
pub mod schema;
