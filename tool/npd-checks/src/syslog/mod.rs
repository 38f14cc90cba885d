//! NPD's system log monitor (`--config.system-log-monitor`): configs whose `"plugin"` is
//! a log watcher (`kmsg`, `journald`, `filelog`) and whose rules are Go regular
//! expressions matched against the last `bufferSize` log lines.
//!
//! [`config`] decodes a file, [`lint`] judges it, [`monitor`] applies log lines to
//! conditions, events and metrics as NPD does, [`lines`] turns a file of log lines
//! into the messages a watcher would deliver.

pub mod config;
pub mod lines;
pub mod lint;
pub mod monitor;

pub use config::LogConfig;
