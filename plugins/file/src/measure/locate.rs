//! From `--path` patterns to the files they name on the host: literal components
//! resolved under the host root by [`npd_plugin::hostfs`] (absolute symlinks restart
//! there, `..` never climbs above it, and no lookup is made on a mount that can hang),
//! wildcards expanded by reading directories on local mounts.
//!
//! A path that leads onto a network or FUSE mount (as this process's own lookups see
//! its mounts) is not looked up here: it is handed on as [`Found::Remote`], for a stat
//! in a helper process (see [`super::inspect`]). Wildcards cannot be expanded there (a readdir
//! can hang as well), which is an error.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};

use npd_plugin::hostfs::{Guarded, HostFs, Reach};
use npd_plugin::{Error, Result};

use crate::config::{PathPattern, Step};

/// Files one run may judge; a pattern matching more is almost certainly a mistake.
pub const MAX_MATCHES: usize = 1000;

/// A file a pattern named.
#[derive(Clone, Debug)]
pub enum Found {
    /// Resolved on a local filesystem: `host` is the host's path for it (for
    /// messages), `real` where this process reaches it.
    Local { host: PathBuf, real: PathBuf },
    /// On a mount that can hang (or whose kind cannot be established); not looked up
    /// yet, and only in a helper process.
    Remote(Guarded),
}

impl Found {
    pub fn host(&self) -> &Path {
        match self {
            Found::Local { host, .. } => host,
            Found::Remote(g) => &g.host,
        }
    }
}

pub struct Locator<'a> {
    fs: &'a HostFs,
}

impl<'a> Locator<'a> {
    pub fn new(fs: &'a HostFs) -> Locator<'a> {
        Locator { fs }
    }

    /// Every existing file `pattern` names (a literal path gives at most one), in
    /// name order; files on hanging-prone mounts are returned unverified.
    pub fn locate(&self, pattern: &PathPattern) -> Result<Vec<Found>> {
        let mut out = Vec::new();
        let steps: VecDeque<Step> = pattern.steps.iter().cloned().collect();
        self.walk(pattern, PathBuf::from("/"), steps, &mut out)?;
        Ok(out)
    }

    /// Resolves the literal components after `at` (a resolved host directory), then
    /// expands the wildcard that follows them, if any, and goes on from each match.
    fn walk(
        &self,
        pattern: &PathPattern,
        mut at: PathBuf,
        mut pending: VecDeque<Step>,
        out: &mut Vec<Found>,
    ) -> Result<()> {
        while let Some(Step::Literal(part)) = pending.front() {
            at.push(part);
            pending.pop_front();
        }
        let reach = self
            .fs
            .resolve(&at)
            .map_err(|e| match e.error.raw_os_error() {
                Some(libc::ELOOP) => Error::unobserved(format!("cannot resolve {e}")),
                _ => Error::io(e.path.display(), &e.error),
            })?;
        let (host, real) = match reach {
            Reach::Missing(_) => return Ok(()),
            Reach::Guarded(g) => return remote(pattern, g, &pending, out),
            Reach::Local { host, real, .. } => (host, real),
        };
        let Some(Step::Glob(glob)) = pending.pop_front() else {
            if out.len() >= MAX_MATCHES {
                return Err(Error::unobserved(format!(
                    "--path {} matches more than {MAX_MATCHES} files",
                    pattern.text
                )));
            }
            out.push(Found::Local { host, real });
            return Ok(());
        };
        let entries = match std::fs::read_dir(&real) {
            Ok(entries) => entries,
            Err(e) if absent(&e) => return Ok(()),
            Err(e) => return Err(Error::io(host.display(), &e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(host.display(), &e))?;
            let name = entry.file_name();
            if glob.matches(&name) {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            self.walk(pattern, host.join(name), pending.clone(), out)?;
        }
        Ok(())
    }
}

/// The path leads onto a mount that can hang: no lookup here, and so no wildcard
/// after it can be expanded.
fn remote(
    pattern: &PathPattern,
    g: Guarded,
    pending: &VecDeque<Step>,
    out: &mut Vec<Found>,
) -> Result<()> {
    if !pending.is_empty() {
        return Err(Error::unobserved(format!(
            "--path {}: wildcards are not expanded on {} (a directory read there can hang)",
            pattern.text,
            g.describe()
        )));
    }
    out.push(Found::Remote(g));
    Ok(())
}

/// Not there: no such entry, or a component on the way that is not a directory.
fn absent(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Args, Config};
    use npd_plugin::Configure;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn pattern(text: &str) -> PathPattern {
        Config::configure(Args {
            paths: vec![text.into()],
            problem_if_exists: true,
            problem_if_missing: false,
            problem_if_older_than: None,
            problem_if_contains: None,
            if_missing: None,
            max_read: 1,
        })
        .unwrap()
        .paths
        .remove(0)
    }

    fn hosts(found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|f| f.host().display().to_string())
            .collect()
    }

    #[test]
    fn links_restart_at_the_host_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("run")).unwrap();
        fs::create_dir_all(root.join("var")).unwrap();
        fs::write(root.join("run/reboot-required"), b"").unwrap();
        symlink("/run", root.join("var/run")).unwrap();
        symlink("../../../../etc/x", root.join("run/escape")).unwrap();
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::write(root.join("etc/x"), b"").unwrap();
        let fs = HostFs::new(root);
        let l = Locator::new(&fs);
        let found = l.locate(&pattern("/var/run/reboot-required")).unwrap();
        assert!(matches!(&found[..], [Found::Local { host, real }]
            if host == Path::new("/run/reboot-required") && *real == root.join("run/reboot-required")));
        assert_eq!(
            hosts(&l.locate(&pattern("/run/escape")).unwrap()),
            ["/etc/x"]
        );
        assert!(l.locate(&pattern("/var/run/nothing")).unwrap().is_empty());
        assert!(l
            .locate(&pattern("/run/reboot-required/under-a-file"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn wildcards_expand_in_name_order() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for d in ["a/x1", "a/x2", "b/x1", "a/.x3"] {
            fs::create_dir_all(root.join(d)).unwrap();
            fs::write(root.join(d).join("beat"), b"").unwrap();
        }
        let fs = HostFs::new(root);
        let l = Locator::new(&fs);
        let found = l.locate(&pattern("/*/x?/beat")).unwrap();
        assert_eq!(hosts(&found), ["/a/x1/beat", "/a/x2/beat", "/b/x1/beat"]);
        assert!(l.locate(&pattern("/nothing/*")).unwrap().is_empty());
    }

    #[test]
    fn link_loops_are_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        symlink("/a", tmp.path().join("a")).unwrap();
        let fs = HostFs::new(tmp.path());
        let e = Locator::new(&fs).locate(&pattern("/a")).unwrap_err();
        assert!(e.message().contains("too many levels"), "{e}");
    }

    #[test]
    fn nothing_is_looked_up_on_a_mount_that_can_hang() {
        let Some(mount) = npd_test_support::HungMount::start("locate on a hung mount") else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        symlink(mount.path(), tmp.path().join("data")).unwrap();
        let fs = HostFs::new("/");
        let l = Locator::new(&fs);
        let beat = format!("{}/beat", mount.name());
        let found = l.locate(&pattern(&beat)).unwrap();
        assert!(matches!(&found[..], [Found::Remote(g)]
            if g.host == Path::new(&beat) && g.describe().starts_with("fuse mount")));
        let e = l
            .locate(&pattern(&format!("{}/*.beat", mount.name())))
            .unwrap_err();
        assert!(e.message().contains("not expanded on fuse mount"), "{e}");
        // A link into the mount is caught the same way.
        let via = format!("{}/data/beat", tmp.path().display());
        let found = l.locate(&pattern(&via)).unwrap();
        assert_eq!(hosts(&found), [beat]);
        assert!(matches!(found[0], Found::Remote(_)));
    }
}
