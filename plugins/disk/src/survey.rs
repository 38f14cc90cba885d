//! One pass over the filesystems the `--path`s are on: read the host's mount table,
//! find the mount that holds each path, and measure each mount once.
//!
//! Mounts that can hang are measured in helper processes, all at once, so that one
//! hung mount neither delays the others nor eats their share of the deadline. Such a
//! mount is measured at its mount point whatever paths name it, so that every rule
//! naming it shares one helper (and one marker of a stuck helper); a path below the
//! mount point is then looked up by a helper too.

use std::path::{Path, PathBuf};

use npd_plugin::isolate::{self, Isolated, Isolation};
use npd_plugin::{explain, short_io_reason, Context, Error, Result};

use crate::locate::{locate, Found};
use crate::measure::{self, can_hang, Reading};
use crate::mountinfo::{Mount, MountTable};
use crate::Config;

/// The host's mount table, under the host root.
pub const MOUNTINFO: &str = "/proc/1/mountinfo";

/// One mount holding one or more of the `--path`s.
#[derive(Debug)]
pub struct Target {
    /// The `--path`s it holds, as given: the first names the mount in messages.
    pub paths: Vec<PathBuf>,
    /// Where each of them led, host view, symlinks followed.
    pub located: Vec<PathBuf>,
    pub mount: Mount,
    /// Measured in a helper process.
    pub isolated: bool,
    pub reading: Reading,
}

impl Target {
    /// The path messages name: the first `--path` on this mount, as the host sees it.
    pub fn name(&self) -> String {
        self.paths[0].display().to_string()
    }
}

/// A `--path` the host does not have.
#[derive(Debug)]
pub struct Missing {
    pub path: PathBuf,
    /// Its first component that does not exist.
    pub first_missing: PathBuf,
}

#[derive(Debug, Default)]
pub struct Survey {
    pub targets: Vec<Target>,
    pub missing: Vec<Missing>,
}

pub fn read_table(ctx: &Context) -> Result<MountTable> {
    let file = ctx.host_path(MOUNTINFO);
    ctx.waiting_for(format!("reading {}", file.display()));
    let bytes = std::fs::read(&file).map_err(|e| Error::io(file.display(), &e))?;
    let table = MountTable::parse(&bytes)
        .map_err(|e| Error::new(format!("cannot parse {}: {e}", file.display())))?;
    if table.is_empty() {
        return Err(Error::new(format!("{} lists no mounts", file.display())));
    }
    explain!(ctx, "{}: {} mounts", file.display(), table.mounts.len());
    Ok(table)
}

pub fn survey(config: &Config, ctx: &Context) -> Result<Survey> {
    let table = read_table(ctx)?;
    let mut survey = Survey::default();
    for path in &config.paths {
        ctx.waiting_for(format!("looking up {}", path.display()));
        match locate(&table, ctx.host(), path, |m| can_hang(&m.fs_type))? {
            Found::Missing(first_missing) => survey.missing.push(Missing {
                path: path.clone(),
                first_missing,
            }),
            Found::At(at) => {
                let isolated = !at.walked || can_hang(&at.mount.fs_type);
                match survey
                    .targets
                    .iter_mut()
                    .find(|t| t.mount.id == at.mount.id)
                {
                    Some(t) => {
                        t.paths.push(path.clone());
                        t.located.push(at.path);
                        t.isolated |= isolated;
                    }
                    None => survey.targets.push(Target {
                        paths: vec![path.clone()],
                        located: vec![at.path],
                        mount: at.mount.clone(),
                        isolated,
                        // Replaced by measure_all below.
                        reading: Reading::Missing,
                    }),
                }
            }
        }
    }
    measure_all(&mut survey.targets, ctx)?;
    Ok(survey)
}

fn measure_all(targets: &mut [Target], ctx: &Context) -> Result<()> {
    let iso = targets.iter().any(|t| t.isolated).then(|| ctx.isolation());
    for t in targets.iter_mut().filter(|t| !t.isolated) {
        ctx.waiting_for(format!("measuring {}", t.name()));
        t.reading = measure::direct(&ctx.host_path(&t.located[0]));
    }
    let Some(iso) = iso else {
        return Ok(());
    };
    ctx.waiting_for("waiting for helper processes");
    std::thread::scope(|scope| {
        let running: Vec<_> = targets
            .iter_mut()
            .filter(|t| t.isolated)
            .map(|t| {
                let iso = &iso;
                scope.spawn(move || -> Result<()> {
                    t.reading = measure_isolated(iso, ctx, &t.mount, &t.located)?;
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
fn measure_isolated(
    iso: &Isolation,
    ctx: &Context,
    mount: &Mount,
    located: &[PathBuf],
) -> Result<Reading> {
    let reading = measure::isolated(iso, &ctx.host_path(&mount.mount_point))?;
    if !matches!(reading, Reading::Measured(_)) {
        return Ok(reading);
    }
    for path in located.iter().filter(|p| **p != mount.mount_point) {
        match isolate::stat(iso, &ctx.host_path(path))? {
            Isolated::Done(Ok(_)) => {}
            Isolated::Done(Err(e)) if is_missing(&e) => return Ok(Reading::Missing),
            Isolated::Done(Err(e)) => {
                return Err(Error::new(format!(
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

/// "/var/lib/kubelet", or "/var/lib/kubelet (/data/kubelet)" when a symlink led
/// elsewhere, for --explain.
pub fn shown(path: &Path, located: &Path) -> String {
    if path.components().eq(located.components()) {
        path.display().to_string()
    } else {
        format!("{} ({})", path.display(), located.display())
    }
}
