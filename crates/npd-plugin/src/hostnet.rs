//! Whether this process reads the host's network namespace, for checks whose files
//! (`/proc/sys/net/...`) show the reader's namespace through any procfs mount, so
//! that `--host-root` cannot reach the host's: the DaemonSet's `hostNetwork` is what
//! makes them the host's. [`crate::netns`] tells it from PID 1's `net/dev` table under
//! the host root against this process's own.

use std::path::Path;

use crate::netns::{compare, Namespaces};
use crate::{explain, Context, Error, Result};

/// PID 1's table of network devices, under the host root.
const PID_1_DEV: &str = "/proc/1/net/dev";

/// Refuses to read another namespace's values as the host's: `Err` (Unknown, saying
/// `<what>: not in the host network namespace`) when the two tables are entries of
/// two namespaces. When they cannot be compared (no hostPID, a fixture tree) the
/// values are taken as the host's.
pub fn require_host_network(ctx: &Context, what: &str) -> Result<()> {
    let host = ctx.host_path(PID_1_DEV);
    let own = Path::new("/proc/self/net/dev");
    // Through hostfs: a host root on a mount that can hang is never touched here.
    let theirs = ctx.hostfs().open_file(PID_1_DEV);
    match compare(&host, theirs, own, std::fs::File::open(own)) {
        Namespaces::Different { theirs, ours } => {
            explain!(
                ctx,
                "{} inode {theirs}, {} inode {ours}: another network namespace",
                host.display(),
                own.display()
            );
            Err(Error::unobserved(format!(
                "{what}: not in the host network namespace (hostNetwork needed)"
            )))
        }
        Namespaces::Same { .. } => {
            explain!(ctx, "in the network namespace of PID 1");
            Ok(())
        }
        Namespaces::Unknown(why) => {
            explain!(
                ctx,
                "network namespaces not compared ({why}): assuming the host's"
            );
            Ok(())
        }
    }
}
