//! Which mount table describes the paths npd-disk is given.
//!
//! With a host root other than `/` (the DaemonSet's /host, a fixture tree) the paths
//! are the host's, and so are those of `<host-root>/proc/1/mountinfo`. With host root
//! `/` they are this process's, which are PID 1's only when this process has PID 1's
//! root directory: in a chroot, PID 1's table names the chroot's mounts by paths
//! outside it (`/srv/chroot/tmp/x` for what the process calls `/tmp/x`), and judging
//! by it would measure the wrong filesystem. So with host root `/`:
//! - this process's root on PID 1's root mount and the root of it: PID 1's table (the
//!   common case, told without reading a second table);
//! - else this process's own table, unless its root is the same directory as PID 1's
//!   (same filesystem, same root within it: a private mount namespace such as a
//!   systemd unit's, whose read-only binds of / are its own, not the host's), where
//!   PID 1's table still says what the host has.
//!
//! A chroot into a directory that is not a mount leaves its root's mount out of its own
//! table; that mount is taken from PID 1's table by its ID (IDs are unique system-wide)
//! and placed at `/`.

use std::path::Path;

use npd_plugin::hostfs::read_proc_file;
use npd_plugin::mountinfo::{Mount, MountTable};
use npd_plugin::{explain, Context, Error, Result};

const OWN: &str = "/proc/self/mountinfo";

/// The table to report from, given the host's (`<host-root>/proc/1/mountinfo`).
pub fn reporting_table(ctx: &Context, host: MountTable) -> Result<MountTable> {
    if ctx.host().path() != Path::new("/") {
        return Ok(host);
    }
    let Some((ours, mount_root)) = ctx.hostfs().process_root_mount() else {
        return Ok(host);
    };
    let init_root = at_root(&host).cloned();
    if mount_root && init_root.as_ref().is_some_and(|m| m.id == ours) {
        return Ok(host);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(OWN)
        .and_then(|mut f| read_proc_file(&mut f, &mut bytes))
        .map_err(|e| Error::io(OWN, &e))?;
    let mut own = MountTable::parse(&bytes)
        .map_err(|e| Error::unobserved(format!("cannot parse {OWN}: {e}")))?;
    let same_dir = match (at_root(&own), &init_root) {
        (Some(a), Some(b)) => a.dev == b.dev && a.root == b.root,
        _ => false,
    };
    if same_dir {
        explain!(ctx, "this process has PID 1's root in a mount namespace of its own: reporting the host's mounts");
        return Ok(host);
    }
    if at_root(&own).is_none() {
        if let Some(m) = host.mounts.iter().find(|m| m.id == ours) {
            own.mounts.insert(
                0,
                Mount {
                    mount_point: "/".into(),
                    ..m.clone()
                },
            );
        }
    }
    explain!(ctx, "this process's root is not PID 1's (a chroot): reporting its own view of the mounts ({OWN})");
    Ok(own)
}

/// The mount on top at `/`.
fn at_root(table: &MountTable) -> Option<&Mount> {
    table.holding(Path::new("/"))
}
