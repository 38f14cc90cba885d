//! `--only-if-exists PATH`: a rule about something only some hosts have (containerd on
//! one node, CRI-O on the next, neither on a host that runs no containers) judges it
//! where PATH exists on the host and answers OK elsewhere, saying that it did not
//! judge. A subject a host does not use is not missing.
//!
//! The path is looked up through [`crate::hostfs`], so the gate itself never waits on
//! a hung mount: in the kernel's lookup cache when it can tell, else by the careful
//! walk, where a path behind a mount that can hang counts as present and the check
//! then says what it finds there.

use std::path::Path;

use crate::hostfs::Reach;
use crate::{explain, Context, Error, Outcome, Result};

/// `Some(ok)` when `path` does not exist on the host, so the check is not run.
pub(crate) fn closed(ctx: &Context, path: &Path) -> Result<Option<Outcome>> {
    ctx.waiting_for(format!("looking up {}", path.display()));
    // The kernel's lookup cache answers most runs without a mount table read.
    let cached = ctx.hostfs().present_in_cache(path);
    let present = match cached.map_or_else(
        || {
            ctx.hostfs()
                .resolve(path)
                .map(|r| !matches!(r, Reach::Missing(_)))
        },
        Ok,
    ) {
        Ok(present) => present,
        Err(e) => {
            return Err(Error::unobserved(format!(
                "--only-if-exists: cannot look up {e}"
            )))
        }
    };
    explain!(
        ctx,
        "--only-if-exists {}: {}",
        path.display(),
        if present {
            "present, judging"
        } else {
            "absent, not judging"
        }
    );
    Ok((!present).then(|| Outcome::ok(format!("not judged: no {} on this host", path.display()))))
}

pub(crate) fn parse_host_path(text: &str) -> Result<std::path::PathBuf> {
    let p = std::path::PathBuf::from(text);
    if p.is_absolute() {
        Ok(p)
    } else {
        Err(Error::config("give the path as the host sees it, from /"))
    }
}
