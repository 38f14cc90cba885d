//! `npd-file`: host files present, absent, recently modified, or holding a line.
//!
//! - [`config`] validates the flags: `--path` patterns and the one rule to apply;
//! - [`measure`] resolves the patterns under the host root without ever looking
//!   anything up on a mount that can hang (`npd_plugin::glob` matches wildcards),
//!   stats what was found (in a helper process on such mounts) and searches
//!   contents; [`judge`] decides.
//!
//! It never writes, touches or removes a file.

pub mod config;
pub mod judge;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::Args;

/// The plugin.
pub struct File;

impl Plugin for File {
    type Config = config::Config;

    fn check(config: &config::Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx)?;
        judge::judge(config, &measured, ctx)
    }

    const NAME: &'static str = "npd-file";
    const ABOUT: &'static str = "Checks host files: one that must not exist (a reboot-required \
                                 flag), one that must, a heartbeat file that must be recent, \
                                 or a file that must not hold a matching line.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "RebootRequired",
 "reason": "RebootRequired", "path": "/opt/npd-checks/bin/npd-file",
 "args": ["--path", "/var/run/reboot-required", "--problem-if-exists"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Rules (give exactly one):
  --problem-if-exists: any file a --path names exists (reboot-required, a
  maintenance flag). --problem-if-missing: no file exists.
  --problem-if-older-than D: the newest file was last modified more than D ago.
  A heartbeat file (touched by a cron job or a daemon every minute) then says
  that its writer stopped. Like monitoring-plugins check_file_age, a missing
  file is a problem by default; --if-missing ok or unknown changes that.
  check_file_age warns at 240s and is critical at 600s of age; pick D from how
  often the file is written (3 to 5 intervals: one late write is not an outage).
  --problem-if-contains REGEX: a line of a file matches (regex syntax without
  look-around). At most --max-read bytes (1 MiB) of each file are read; a
  larger file without a match in them is Unknown rather than OK. A missing file
  is Unknown by default (the check must read it).
Paths:
  Host paths, read under --host-root; symlinks are followed as the host would
  (/var/run -> /run restarts at the host root). Shell wildcards (*, ?, [a-z],
  backslash to escape) in any component expand to every matching file, and the
  rule is about any of them: any exists, the newest is recent, any matches.
  Names starting with a dot need a pattern starting with a dot.
Network and FUSE mounts:
  A lookup on a hung NFS, SMB, Ceph or FUSE mount sleeps in the kernel until the
  server answers, and a process with such a thread cannot exit. So npd-file walks
  every path one component at a time, asks the kernel which mount each step
  enters and looks it up in its own mount table (a mount it cannot identify counts
  as one that can hang), and never looks anything up on such a mount itself,
  whatever the host's table says: a file there is stat'ed in a helper process
  that holds none of its output, and a mount that does not answer by --timeout
  is Unknown (the file could not be observed; npd-disk reports the mount). Its
  contents are not read and wildcards are not expanded there (Unknown).
Example, a heartbeat:
  --path /var/lib/backup/heartbeat --problem-if-older-than 15m
Unknown (exit 2):
  Bad flags; a path that cannot be looked up (permission denied, a symlink
  loop); a file searched that is a directory or not a regular file, or cannot
  be read.";
}
