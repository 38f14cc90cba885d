//! `npd-disk`: the filesystems that hold the kubelet's and the container runtime's
//! data — usage, inode usage, read-only mounts, and mounts that do not answer.
//!
//! Each run reads the host's mount table once and measures each mount that holds a
//! `--path` once:
//!
//! - [`config`] validates the flags;
//! - [`measure`] reads `<host-root>/proc/1/mountinfo` (parsed by
//!   `npd_plugin::mountinfo`, which also says which mount holds a path), follows each
//!   path's symlinks as the host does without entering a mount that can hang
//!   (`npd_plugin::hostfs`), and calls statvfs on each mount (in a helper process for
//!   network and FUSE mounts);
//! - [`judge`] turns the counters into df's percentages against the limits.
//!
//! It never writes to the filesystems it checks (no write probe).

pub mod config;
pub mod judge;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Aspect, Config};

/// The plugin.
pub struct Disk;

impl Plugin for Disk {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let survey = measure::measure(config, ctx)?;
        judge::explain_survey(config, &survey, ctx);
        judge::judge(config, &survey, ctx)
    }

    const NAME: &'static str = "npd-disk";
    const ABOUT: &'static str = "Checks the filesystems holding the given host paths: blocks \
                                 and inodes used, read-only mounts, mounts that do not answer.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "DiskUsageHigh",
 "reason": "DiskUsageHigh", "path": "/opt/npd-checks/bin/npd-disk",
 "args": ["--check", "usage", "--max-used", "85", "--path", "/",
          "--path", "/var/lib/kubelet", "--fail-after", "2"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is measured:
  Each --path is found in the host's mount table (<host-root>/proc/1/mountinfo),
  its symlinks followed as the host follows them. The mount holding it is measured
  once however many paths it holds, and messages name it by the first of them.
  Blocks used are counted as df counts them: used / (used + available to
  unprivileged writers), rounded up, so that the blocks reserved for root (5 pct
  on ext4) do not hide a disk pods can no longer write to. Inodes likewise, as
  df -i. A filesystem without an inode table (btrfs, vfat, many FUSE ones)
  reports 0 inodes and has no inode limit to reach.
  A mount is read-only when its own options or its filesystem's say ro: when ext4
  gives up on a failing disk (errors=remount-ro) the kernel marks only the
  filesystem, and every mount of it still says rw.
Defaults:
  --max-used 85: the kubelet evicts pods when nodefs.available falls below 10 pct
  of the disk, which is 90 in df's count without a root reserve and about 89.5
  with ext4's 5 pct one; it starts image garbage collection at 85 by its own
  count (imageGCHighThresholdPercent). A disk that stays above 85 is one image GC
  could not clean, with eviction next: 85 warns while there is room to act. Add
  --fail-after 2 or more so that image GC catching up does not raise it.
  --max-inodes-used 90: the kubelet evicts at nodefs.inodesFree below 5 pct, that
  is above 95 used.
  --check usage,inodes,read-only checks all three. In an NPD config give each
  condition its own rule and one --check. Leave read-only out for a path that is
  read-only by design (the root of an immutable OS such as Talos or Bottlerocket).
Mounts that do not answer:
  statvfs, and any lookup, on a mount of NFS, SMB/CIFS, Ceph, GlusterFS, 9p,
  Lustre, virtiofs, FUSE or autofs waits in the kernel for a server or a daemon,
  for as long as it does not answer. npd-disk makes those calls in a helper
  process that holds none of its output, answers \"<path> not responding after
  <timeout>\" (a problem) by --timeout, and leaves a marker in <state-dir>/hung so
  that later runs start no second helper while the first one is still stuck.
  Which mounts those are is decided from this process's own view: each path is
  walked one component at a time, the kernel says which mount each step enters,
  and a mount missing from this process's own table counts as one that can hang.
  So a mount PID 1's table does not list (a chroot, a private mount namespace, a
  container run with --host-root /) cannot hold up the answer. Local filesystems
  answer statvfs from memory and are measured directly.
Paths some hosts lack:
  --path-if-exists is for a path only some nodes have: /var/lib/containerd on
  containerd nodes, /var/lib/containers on CRI-O ones, /var/lib/kubelet where the
  kubelet keeps its default root. It is measured where it exists and left out
  where it does not, so one config fits every kind of node; --path is for what
  every node must have (/), and its absence is Unknown.
Unknown (exit 2):
  The mount table is missing, unreadable, empty or garbled; a --path does not
  exist on the host (nothing to measure: check the path, or the DaemonSet's
  mount of the host's /); statvfs fails. A problem found on another path still
  wins (exit 1).";
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_example_rule_is_json_whose_args_are_accepted() {
        let rule: serde_json::Value = serde_json::from_str(Disk::EXAMPLE_RULE).unwrap();
        assert_eq!(rule["path"], "/opt/npd-checks/bin/npd-disk");
        let args: Vec<&str> = rule["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let c = npd_plugin::configure_from::<Disk>(&args).unwrap();
        assert!(c.usage && !c.inodes && !c.read_only);
    }
}
