//! The files found, judged by the rule: the verdict, its one line, and the
//! --explain account.
//!
//! OK lines name the paths as given and the rule, never a measured value, so that
//! NPD does not patch the Node on every run.

use std::time::SystemTime;

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::config::{Config, IfMissing, Rule};
use crate::inspect::{self, Kind, Meta, Search};
use crate::locate::{Found, Locator};

pub fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
    let locator = Locator::new(ctx.hostfs());
    let mut files: Vec<(Found, Meta)> = Vec::new();
    for pattern in &config.paths {
        ctx.waiting_for(format!("looking up {}", pattern.text));
        let found = locator.locate(pattern)?;
        explain!(ctx, "--path {}: {} found", pattern.text, found.len());
        for f in found {
            if let Some(meta) = inspect::stat(&f, ctx)? {
                explain_file(ctx, &f, &meta);
                files.push((f, meta));
            }
        }
    }
    explain!(ctx, "rule: {}", config.rule.describe());
    judge(config, &files, ctx)
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

fn whole_seconds(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_secs(d.as_secs())
}

/// The paths as given, for messages: "/a" or "/a or /b".
fn label(config: &Config) -> String {
    config
        .paths
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The stable OK line of a configuration (also the condition's default message in
/// the shipped config).
pub fn ok_message(config: &Config) -> String {
    let what = label(config);
    match &config.rule {
        Rule::Exists => format!("{what} absent"),
        Rule::Missing => format!("{what} present"),
        Rule::OlderThan(age, _) => {
            format!("{what} modified within {}", format_duration(*age))
        }
        Rule::Contains { text, .. } => format!("{what} has no line matching /{text}/"),
    }
}

fn missing(config: &Config) -> String {
    if config.paths.iter().any(|p| p.has_wildcards()) || config.paths.len() > 1 {
        format!("no file matches {}", label(config))
    } else {
        format!("{} missing", label(config))
    }
}

fn when_missing(config: &Config, policy: IfMissing) -> Result<Outcome> {
    match policy {
        IfMissing::Problem => Ok(Outcome::problem(missing(config))),
        IfMissing::Ok => Ok(Outcome::ok(ok_message(config))),
        IfMissing::Unknown => Err(Error::new(missing(config))),
    }
}

pub fn judge(config: &Config, files: &[(Found, Meta)], ctx: &Context) -> Result<Outcome> {
    match &config.rule {
        Rule::Exists => {
            let problems = files
                .iter()
                .map(|(f, _)| format!("{} exists", f.host().display()))
                .collect();
            Ok(Outcome::from_problems(problems, ok_message(config)))
        }
        Rule::Missing => Ok(if files.is_empty() {
            Outcome::problem(missing(config))
        } else {
            Outcome::ok(ok_message(config))
        }),
        Rule::OlderThan(limit, policy) => {
            let Some((newest, meta)) = files.iter().max_by_key(|(_, m)| m.modified) else {
                return when_missing(config, *policy);
            };
            let age = meta.age(SystemTime::now());
            explain!(
                ctx,
                "newest: {}, {:.0}s old, limit {}",
                newest.host().display(),
                age.as_secs_f64(),
                format_duration(*limit)
            );
            Ok(if age > *limit {
                Outcome::problem(format!(
                    "{} modified {} ago > {}",
                    newest.host().display(),
                    format_duration(whole_seconds(age)),
                    format_duration(*limit)
                ))
            } else {
                Outcome::ok(ok_message(config))
            })
        }
        Rule::Contains {
            regex,
            text,
            if_missing,
            max_read,
        } => {
            if files.is_empty() {
                return when_missing(config, *if_missing);
            }
            let mut problems = Vec::new();
            let mut unread = None;
            for (f, meta) in files {
                let host = f.host().display();
                match meta.kind {
                    Kind::Regular => {}
                    Kind::Directory => return Err(Error::new(format!("{host} is a directory"))),
                    Kind::Special => {
                        return Err(Error::new(format!("{host} is not a regular file")))
                    }
                }
                ctx.waiting_for(format!("reading {host}"));
                let found = inspect::search(f, regex, *max_read)?;
                explain!(ctx, "{host}: {found:?}");
                match found {
                    Search::Line { number } => {
                        problems.push(format!("{host} line {number} matches /{text}/"))
                    }
                    Search::NoMatch => {}
                    Search::NoMatchInPart { read } => {
                        unread.get_or_insert(format!(
                            "{host}: no match in its first {read} bytes, more not read (--max-read)"
                        ));
                    }
                }
            }
            // A match found elsewhere is a problem observed; otherwise a file only
            // partly read leaves the answer open.
            match unread {
                Some(why) if problems.is_empty() => Err(Error::new(why)),
                _ => Ok(Outcome::from_problems(problems, ok_message(config))),
            }
        }
    }
}
