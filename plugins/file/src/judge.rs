//! The files found, judged by the rule: the verdict and its one line, from what
//! [`crate::measure`] found (no I/O here).
//!
//! OK lines name the paths as given and the rule, never a measured value, so that
//! NPD does not patch the Node on every run.

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::config::{Config, IfMissing, Rule};
use crate::measure::{whole_seconds, Kind, Measured, Search};

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
        IfMissing::Unknown => Err(Error::unobserved(missing(config))),
    }
}

/// The verdict on the files found (their stats, and for --problem-if-contains what
/// the search found), in the order found.
pub fn judge(config: &Config, measured: &Measured, ctx: &Context) -> Result<Outcome> {
    let files = &measured.files;
    match &config.rule {
        Rule::Exists => {
            let problems = files
                .iter()
                .map(|s| format!("{} exists", s.found.host().display()))
                .collect();
            Ok(Outcome::from_problems(problems, ok_message(config)))
        }
        Rule::Missing => Ok(if files.is_empty() {
            Outcome::problem(missing(config))
        } else {
            Outcome::ok(ok_message(config))
        }),
        Rule::OlderThan(limit, policy) => {
            let Some(seen) = files.iter().max_by_key(|s| s.meta.modified) else {
                return when_missing(config, *policy);
            };
            let newest = &seen.found;
            let age = seen.meta.age(measured.now);
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
            text, if_missing, ..
        } => {
            if files.is_empty() {
                return when_missing(config, *if_missing);
            }
            let mut problems = Vec::new();
            let mut unread = None;
            for seen in files {
                let host = seen.found.host().display();
                match seen.meta.kind {
                    Kind::Regular => {}
                    Kind::Directory => {
                        return Err(Error::unobserved(format!("{host} is a directory")))
                    }
                    Kind::Special => {
                        return Err(Error::unobserved(format!("{host} is not a regular file")))
                    }
                }
                match &seen.search {
                    Some(Search::Line { number }) => {
                        problems.push(format!("{host} line {number} matches /{text}/"))
                    }
                    // Not searched: only after a file the verdict stopped at above.
                    Some(Search::NoMatch) | None => {}
                    Some(Search::NoMatchInPart { read }) => {
                        unread.get_or_insert(format!(
                            "{host}: no match in its first {read} bytes, more not read (--max-read)"
                        ));
                    }
                }
            }
            // A match found elsewhere is a problem observed; otherwise a file only
            // partly read leaves the answer open.
            match unread {
                Some(why) if problems.is_empty() => Err(Error::unobserved(why)),
                _ => Ok(Outcome::from_problems(problems, ok_message(config))),
            }
        }
    }
}
