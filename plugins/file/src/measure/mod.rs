//! Every read and call of a run: the files the `--path` patterns name ([`locate`]),
//! their stats and, for `--problem-if-contains`, what a search of each found
//! ([`inspect`]), in the order the patterns give them.

pub mod inspect;
pub mod locate;

use std::time::{Duration, SystemTime};

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Result};

use crate::config::{Config, Rule};
pub use inspect::{Kind, Meta, Search};
pub use locate::{Found, Locator};

/// One file found and what was learnt of it.
#[derive(Debug)]
pub struct Seen {
    pub found: Found,
    pub meta: Meta,
    /// What a search of it found: `None` without --problem-if-contains, and for the
    /// files after one that cannot be searched (a directory, a FIFO), where the
    /// verdict stops.
    pub search: Option<Search>,
}

/// What a run found.
#[derive(Debug)]
pub struct Measured {
    pub files: Vec<Seen>,
    /// The wall clock once every file was looked at, which ages are counted to.
    pub now: SystemTime,
}

/// Finds, stats and (for --problem-if-contains) searches every file the patterns
/// name; a file that vanished since it was found is left out.
pub fn measure(config: &Config, ctx: &Context) -> Result<Measured> {
    let locator = Locator::new(ctx.hostfs());
    let mut files: Vec<Seen> = Vec::new();
    for pattern in &config.paths {
        ctx.waiting_for(format!("looking up {}", pattern.text));
        let found = locator.locate(pattern)?;
        explain!(ctx, "--path {}: {} found", pattern.text, found.len());
        for f in found {
            if let Some(meta) = inspect::stat(&f, ctx)? {
                explain_file(ctx, &f, &meta);
                files.push(Seen {
                    found: f,
                    meta,
                    search: None,
                });
            }
        }
    }
    explain!(ctx, "rule: {}", config.rule.describe());
    if let Rule::Contains {
        regex, max_read, ..
    } = &config.rule
    {
        for seen in &mut files {
            if seen.meta.kind != Kind::Regular {
                break;
            }
            let host = seen.found.host().display();
            ctx.waiting_for(format!("reading {host}"));
            let found = inspect::search(&seen.found, regex, *max_read)?;
            explain!(ctx, "{host}: {found:?}");
            seen.search = Some(found);
        }
    }
    Ok(Measured {
        files,
        now: SystemTime::now(),
    })
}

fn explain_file(ctx: &Context, f: &Found, meta: &Meta) {
    let place = match f {
        Found::Local { real, .. } => format!("local, at {}", real.display()),
        Found::Remote(g) => format!("on {}", g.describe()),
    };
    let now = SystemTime::now();
    let when = if meta.modified > now {
        "in the future".to_string()
    } else {
        format!("{} ago", format_duration(whole_seconds(meta.age(now))))
    };
    explain!(
        ctx,
        "{}: {:?}, {} bytes, modified {when}; {place}",
        f.host().display(),
        meta.kind,
        meta.size
    );
}

/// A duration cut to whole seconds, as messages show ages.
pub fn whole_seconds(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}
