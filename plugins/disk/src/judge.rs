//! Measurements against limits: the verdict and its one line, and the --explain
//! account of every value measured.
//!
//! Problems are ordered by how much they hurt a node now: a mount that does not
//! answer (everything touching it hangs), then a read-only one (every write fails),
//! then usage over a limit, fullest first (eviction is coming, not here yet).

use npd_plugin::{explain, short_io_reason, Context, Error, Outcome, Result};

use std::path::Path;

use crate::measure::{Reading, Survey, Target, Usage};
use crate::Config;

/// A problem found, with what orders it.
struct Problem {
    rank: u8,
    pct: u64,
    message: String,
}

/// The verdict: problems first (exit 1); else anything that could not be measured
/// (Unknown); else OK.
pub fn judge(config: &Config, survey: &Survey, ctx: &Context) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    for m in survey.missing.iter().filter(|m| !m.optional) {
        unknown.push(format!("{} not found on the host", m.path.display()));
    }
    let mut devs_judged = Vec::new();
    for t in &survey.targets {
        let name = t.name();
        match &t.reading {
            Reading::Hung { .. } => problems.push(Problem {
                rank: 0,
                pct: 0,
                message: format!("{name} not responding after {}", ctx.timeout_text()),
            }),
            // Found missing by a helper: what --path-if-exists allows.
            Reading::Missing if t.optional.iter().all(|o| *o) => {}
            Reading::Missing => unknown.push(format!("{name} not found on the host")),
            Reading::Failed(e) => {
                unknown.push(format!("cannot measure {name}: {}", short_io_reason(e)))
            }
            Reading::Measured(u) => {
                if config.read_only && t.mount.read_only() {
                    problems.push(Problem {
                        rank: 1,
                        pct: 0,
                        message: format!("{name} mounted read-only"),
                    });
                }
                // Bind mounts of one filesystem share its numbers: say them once.
                if !devs_judged.contains(&t.mount.dev) {
                    devs_judged.push(t.mount.dev);
                    over_limits(config, &name, u, &mut problems);
                }
            }
        }
    }
    problems.sort_by(|a, b| a.rank.cmp(&b.rank).then(b.pct.cmp(&a.pct)));
    if !problems.is_empty() {
        let lines = problems.into_iter().map(|p| p.message).collect();
        if !unknown.is_empty() {
            explain!(ctx, "not judged: {}", unknown.join("; "));
        }
        return Ok(Outcome::from_problems(lines, ok_message(config)));
    }
    match unknown.len() {
        0 => Ok(Outcome::ok(ok_message(config))),
        1 => Err(Error::unobserved(unknown.remove(0))),
        n => Err(Error::unobserved(format!(
            "{} (+{} more)",
            unknown[0],
            n - 1
        ))),
    }
}

fn over_limits(config: &Config, name: &str, u: &Usage, problems: &mut Vec<Problem>) {
    if config.usage {
        if let Some(pct) = u.used_pct().filter(|p| config.max_used.exceeded_by(*p)) {
            problems.push(Problem {
                rank: 2,
                pct,
                message: format!("{name} {pct} pct used > {}", config.max_used),
            });
        }
    }
    if config.inodes {
        if let Some(pct) = u
            .inodes_used_pct()
            .filter(|p| config.max_inodes_used.exceeded_by(*p))
        {
            problems.push(Problem {
                rank: 2,
                pct,
                message: format!("{name} {pct} pct inodes used > {}", config.max_inodes_used),
            });
        }
    }
}

/// Stable whatever the numbers: "disk usage normal, inode usage normal, ...".
pub fn ok_message(config: &Config) -> String {
    let mut parts = Vec::new();
    if config.usage {
        parts.push("disk usage normal");
    }
    if config.inodes {
        parts.push("inode usage normal");
    }
    if config.read_only {
        parts.push("filesystems writable");
    }
    parts.join(", ")
}

/// Every value measured and the rule applied, on stderr.
pub fn explain_survey(config: &Config, survey: &Survey, ctx: &Context) {
    if !ctx.explaining() {
        return;
    }
    for m in &survey.missing {
        explain!(
            ctx,
            "{}: {} does not exist on the host{}",
            m.path.display(),
            m.first_missing.display(),
            if m.optional {
                " (--path-if-exists: left out)"
            } else {
                ""
            }
        );
    }
    for t in &survey.targets {
        explain_target(config, t, ctx);
    }
}

fn explain_target(config: &Config, t: &Target, ctx: &Context) {
    let paths: Vec<String> = t
        .paths
        .iter()
        .zip(&t.located)
        .map(|(p, l)| shown(p, l))
        .collect();
    let m = &t.mount;
    explain!(
        ctx,
        "{}: mount {} at {} ({} {}, mount options {}, filesystem options {}), measured {}",
        paths.join(", "),
        m.id,
        m.mount_point.display(),
        m.fs_type,
        if m.source.is_empty() { "-" } else { &m.source },
        m.mount_options.join(","),
        m.super_options.join(","),
        if t.isolated() {
            "in a helper process"
        } else {
            "directly"
        }
    );
    let u = match &t.reading {
        Reading::Measured(u) => u,
        Reading::Hung { since } => {
            let ago = since.elapsed().map_or(0, |d| d.as_secs());
            explain!(
                ctx,
                "  no answer by the deadline; first seen hanging {ago}s ago: a problem"
            );
            return;
        }
        Reading::Missing => {
            explain!(ctx, "  not found by the helper: not judged");
            return;
        }
        Reading::Failed(e) => {
            explain!(ctx, "  statvfs failed: {}: not judged", short_io_reason(e));
            return;
        }
    };
    let verdict = |over: bool| if over { "a problem" } else { "ok" };
    if config.usage {
        match u.used_pct() {
            Some(pct) => explain!(
                ctx,
                "  blocks: {} used + {} available to pods (of {}, {} reserved; {} bytes each) \
                 = {pct} pct used, as df rounds; limit {}: {}",
                u.used(),
                u.available,
                u.blocks,
                u.free.saturating_sub(u.available),
                u.block_size,
                config.max_used,
                verdict(config.max_used.exceeded_by(pct))
            ),
            None => explain!(ctx, "  blocks: the filesystem reports none: not judged"),
        }
    }
    if config.inodes {
        match u.inodes_used_pct() {
            Some(pct) => explain!(
                ctx,
                "  inodes: {} used of {} = {pct} pct used; limit {}: {}",
                u.inodes_used(),
                u.inodes,
                config.max_inodes_used,
                verdict(config.max_inodes_used.exceeded_by(pct))
            ),
            None => explain!(
                ctx,
                "  inodes: the filesystem reports none (no inode table): no inode limit"
            ),
        }
    }
    if config.read_only {
        explain!(
            ctx,
            "  read-only: mount {}, filesystem {} (statvfs says {}): {}",
            if m.mount_read_only() { "ro" } else { "rw" },
            if m.super_read_only() { "ro" } else { "rw" },
            if u.read_only { "ro" } else { "rw" },
            verdict(m.read_only())
        );
    }
}

/// "/var/lib/kubelet", or "/var/lib/kubelet (/data/kubelet)" when a symlink led
/// elsewhere, for --explain.
fn shown(path: &Path, located: &Path) -> String {
    if path.components().eq(located.components()) {
        path.display().to_string()
    } else {
        format!("{} ({})", path.display(), located.display())
    }
}
