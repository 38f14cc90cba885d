//! Every read and call of a run: one pass over the filesystems the `--path`s are on.
//! Read the host's mount table, find the mount that holds each path, and measure
//! each mount once ([`statvfs`]), in the table [`view`] chooses.
//!
//! Two tables, two questions. Which calls this process may make itself is decided by
//! what its own lookups go through ([`npd_plugin::hostfs`]: the walk stops before any
//! mount that can hang or cannot be established, whatever the host's table says).
//! What is reported (the mount, its options, read-only) comes from the host's table.
//! A path either calls a helper is measured in one; the host's table naming a network
//! or FUSE mount is enough too.
//!
//! Helpers run all at once, so that one hung mount neither delays the others nor eats
//! their share of the deadline. A mount is measured at its mount point whatever paths
//! name it, so that every rule naming it shares one helper (and one marker of a stuck
//! helper); a path below the mount point is then looked up by a helper too.

use std::path::{Path, PathBuf};

pub mod statvfs;
pub mod view;

use npd_plugin::hostfs::{fs_type_can_hang, read_proc_file, Reach};
use npd_plugin::isolate::{self, Isolated, Isolation};
use npd_plugin::mountinfo::{Mount, MountTable};
use npd_plugin::{explain, short_io_reason, Context, Error, Result};

use crate::Config;
pub use statvfs::{Reading, Usage};

/// The host's mount table, under the host root.
pub const MOUNTINFO: &str = "/proc/1/mountinfo";

/// One mount holding one or more of the `--path`s.
#[derive(Debug)]
pub struct Target {
    /// The `--path`s it holds, as given: the first names the mount in messages.
    pub paths: Vec<PathBuf>,
    /// Per path: given with --path-if-exists.
    pub optional: Vec<bool>,
    /// Where each of them led, host view, symlinks followed.
    pub located: Vec<PathBuf>,
    pub mount: Mount,
    /// Measured in a helper process, at this mount point (as this process reaches
    /// it), which keys the marker of a helper stuck there.
    pub helper_at: Option<PathBuf>,
    /// Where each path is reached from here.
    pub real: Vec<PathBuf>,
    pub reading: Reading,
}

impl Target {
    /// The path messages name: the first `--path` on this mount, as the host sees it.
    pub fn name(&self) -> String {
        self.paths[0].display().to_string()
    }

    pub fn isolated(&self) -> bool {
        self.helper_at.is_some()
    }
}

/// A `--path` the host does not have.
#[derive(Debug)]
pub struct Missing {
    pub path: PathBuf,
    /// Its first component that does not exist.
    pub first_missing: PathBuf,
    /// Given with --path-if-exists: left out, not Unknown.
    pub optional: bool,
}

#[derive(Debug, Default)]
pub struct Survey {
    pub targets: Vec<Target>,
    pub missing: Vec<Missing>,
}

pub fn read_table(ctx: &Context) -> Result<MountTable> {
    let file = ctx.host_path(MOUNTINFO);
    ctx.waiting_for(format!("reading {}", file.display()));
    let mut bytes = Vec::new();
    ctx.hostfs()
        .open_file(MOUNTINFO)
        .and_then(|mut f| read_proc_file(&mut f, &mut bytes))
        .map_err(|e| Error::io(file.display(), &e))?;
    let table = MountTable::parse(&bytes)
        .map_err(|e| Error::unobserved(format!("cannot parse {}: {e}", file.display())))?;
    if table.is_empty() {
        return Err(Error::unobserved(format!(
            "{} lists no mounts",
            file.display()
        )));
    }
    ctx.hostfs().offer_host_table(&table);
    explain!(ctx, "{}: {} mounts", file.display(), table.mounts.len());
    Ok(table)
}

/// Finds and measures the mount of every `--path`.
pub fn measure(config: &Config, ctx: &Context) -> Result<Survey> {
    let table = view::reporting_table(ctx, read_table(ctx)?)?;
    let mut survey = Survey::default();
    for (path, optional) in config.paths.iter().zip(&config.optional) {
        ctx.waiting_for(format!("looking up {}", path.display()));
        let reach = ctx
            .hostfs()
            .resolve(path)
            .map_err(|e| Error::unobserved(format!("cannot look up {e}")))?;
        let (host, real, guard) = match reach {
            Reach::Missing(first_missing) => {
                survey.missing.push(Missing {
                    path: path.clone(),
                    first_missing,
                    optional: *optional,
                });
                continue;
            }
            Reach::Local { host, real, .. } => (host, real, None),
            Reach::Guarded(g) => {
                explain!(
                    ctx,
                    "{}: not looked up past the {}",
                    path.display(),
                    g.describe()
                );
                (g.host, g.real, Some(g.mount_point))
            }
        };
        let mount = holding(&table, &host)?;
        let helper_at = guard.or_else(|| {
            fs_type_can_hang(&mount.fs_type).then(|| ctx.host_path(&mount.mount_point))
        });
        // Paths on one mount share a target; a path guarded by a mount the host's
        // table does not know keeps its own, measured where this process saw it.
        let same = |t: &Target| match &helper_at {
            Some(at) if !fs_type_can_hang(&mount.fs_type) => t.helper_at.as_ref() == Some(at),
            _ => t.mount.id == mount.id && t.helper_at == helper_at,
        };
        match survey.targets.iter_mut().find(|t| same(t)) {
            Some(t) => {
                t.paths.push(path.clone());
                t.optional.push(*optional);
                t.located.push(host);
                t.real.push(real);
            }
            None => survey.targets.push(Target {
                paths: vec![path.clone()],
                optional: vec![*optional],
                located: vec![host],
                real: vec![real],
                mount: mount.clone(),
                helper_at,
                // Replaced by measure_all below.
                reading: Reading::Missing,
            }),
        }
    }
    measure_all(&mut survey.targets, ctx)?;
    Ok(survey)
}

fn holding<'t>(table: &'t MountTable, path: &Path) -> Result<&'t Mount> {
    table.holding(path).ok_or_else(|| {
        Error::unobserved(format!(
            "no mount holds {} in the host's mount table",
            path.display()
        ))
    })
}

fn measure_all(targets: &mut [Target], ctx: &Context) -> Result<()> {
    let iso = targets
        .iter()
        .any(Target::isolated)
        .then(|| ctx.isolation());
    for t in targets.iter_mut().filter(|t| !t.isolated()) {
        ctx.waiting_for(format!("measuring {}", t.name()));
        t.reading = statvfs::direct(&t.real[0]);
    }
    let Some(iso) = iso else {
        return Ok(());
    };
    ctx.waiting_for("waiting for helper processes");
    std::thread::scope(|scope| {
        let running: Vec<_> = targets
            .iter_mut()
            .filter(|t| t.isolated())
            .map(|t| {
                let iso = &iso;
                scope.spawn(move || -> Result<()> {
                    t.reading = measure_isolated(iso, t)?;
                    Ok(())
                })
            })
            .collect();
        for handle in running {
            match handle.join() {
                Ok(r) => r?,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(())
    })
}

/// statvfs at the mount point, then a lookup of each path below it.
fn measure_isolated(iso: &Isolation, t: &Target) -> Result<Reading> {
    let at = t.helper_at.as_deref().expect("measured in a helper");
    let reading = statvfs::isolated(iso, at, at)?;
    if !matches!(reading, Reading::Measured(_)) {
        return Ok(reading);
    }
    for (path, real) in t.located.iter().zip(&t.real).filter(|(_, r)| *r != at) {
        match isolate::stat(iso, at, real).map_err(Error::isolation)? {
            Isolated::Done(Ok(_)) => {}
            Isolated::Done(Err(e)) if is_missing(&e) => return Ok(Reading::Missing),
            Isolated::Done(Err(e)) => {
                return Err(Error::unobserved(format!(
                    "cannot look up {}: {}",
                    path.display(),
                    short_io_reason(&e)
                )))
            }
            Isolated::Hung { since } => return Ok(Reading::Hung { since }),
        }
    }
    Ok(reading)
}

fn is_missing(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}
