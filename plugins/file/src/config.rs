//! The flags of `npd-file` and their validation into a [`Config`]: paths split into
//! literal and wildcard components, the one rule to apply, a compiled pattern.
//!
//! Every mistake is reported here, before the host is looked at, as bad flags.

use std::ffi::OsString;
use std::time::Duration;

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{Configure, Error, Result};
use regex_lite::{Regex, RegexBuilder};

use npd_plugin::glob::Pattern;

/// Compiled patterns beyond this size are refused: a flag should not be able to make
/// every run expensive.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Default bytes read of a file searched with --problem-if-contains.
pub const DEFAULT_MAX_READ: u64 = 1 << 20;

// Not a doc comment: clap would make it the --help text in place of `File::ABOUT`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("rule").required(true).multiple(false).args([
    "problem_if_exists", "problem_if_missing", "problem_if_older_than", "problem_if_contains"
])))]
pub struct Args {
    /// A host path to judge (absolute, read under --host-root). Shell wildcards
    /// (*, ?, [a-z]) in any component make it stand for every file it matches.
    /// Repeatable: the rule is about any of the files given.
    #[arg(long = "path", value_name = "PATH", required = true)]
    pub paths: Vec<String>,

    /// A problem when any of the files exists (e.g. /var/run/reboot-required).
    #[arg(long)]
    pub problem_if_exists: bool,

    /// A problem when none of the files exists.
    #[arg(long)]
    pub problem_if_missing: bool,

    /// A problem when the newest of the files was last modified longer ago than this
    /// (e.g. 10m): a heartbeat file that stopped being touched.
    #[arg(long, value_name = "DURATION", value_parser = parse_age)]
    pub problem_if_older_than: Option<Duration>,

    /// A problem when a line of any of the files matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub problem_if_contains: Option<String>,

    /// With --problem-if-older-than or --problem-if-contains, what no file at all
    /// means: problem, ok or unknown (default: problem for an age, as check_file_age
    /// does; unknown for contents, a file the check must read).
    #[arg(long, value_name = "VERDICT", value_parser = ["problem", "ok", "unknown"])]
    pub if_missing: Option<String>,

    /// Bytes read of each file searched with --problem-if-contains; a larger file
    /// without a match in them is Unknown.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_READ,
          value_parser = clap::value_parser!(u64).range(1..=(64 << 20)))]
    pub max_read: u64,
}

fn parse_age(text: &str) -> Result<Duration> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err(Error::config("a zero age would make every file too old"));
    }
    Ok(d)
}

/// One component of a path pattern.
#[derive(Clone, Debug)]
pub enum Step {
    Literal(OsString),
    Glob(Pattern),
}

/// One `--path`, split into components.
#[derive(Clone, Debug)]
pub struct PathPattern {
    /// As given, for messages.
    pub text: String,
    pub steps: Vec<Step>,
}

impl PathPattern {
    pub fn has_wildcards(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Glob(_)))
    }
}

/// What no file at all means for an age or contents rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfMissing {
    Problem,
    Ok,
    Unknown,
}

/// The rule applied to the files found.
#[derive(Clone, Debug)]
pub enum Rule {
    Exists,
    Missing,
    OlderThan(Duration, IfMissing),
    Contains {
        regex: Regex,
        text: String,
        if_missing: IfMissing,
        max_read: u64,
    },
}

impl Rule {
    /// The rule in words, for --explain.
    pub fn describe(&self) -> String {
        match self {
            Rule::Exists => "a problem when any file exists".into(),
            Rule::Missing => "a problem when no file exists".into(),
            Rule::OlderThan(age, m) => format!(
                "a problem when the newest file is older than {}; no file: {m:?}",
                format_duration(*age)
            ),
            Rule::Contains {
                text, if_missing, ..
            } => format!("a problem when a line matches /{text}/; no file: {if_missing:?}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub paths: Vec<PathPattern>,
    pub rule: Rule,
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        let mut paths = Vec::with_capacity(args.paths.len());
        for text in &args.paths {
            paths.push(parse_path(text)?);
        }
        let if_missing = |default| match args.if_missing.as_deref() {
            Some("problem") => IfMissing::Problem,
            Some("ok") => IfMissing::Ok,
            Some("unknown") => IfMissing::Unknown,
            _ => default,
        };
        let rule = if args.problem_if_exists {
            Rule::Exists
        } else if args.problem_if_missing {
            Rule::Missing
        } else if let Some(age) = args.problem_if_older_than {
            Rule::OlderThan(age, if_missing(IfMissing::Problem))
        } else if let Some(text) = args.problem_if_contains {
            Rule::Contains {
                regex: compile(&text)?,
                text,
                if_missing: if_missing(IfMissing::Unknown),
                max_read: args.max_read,
            }
        } else {
            return Err(Error::config("give one rule: --problem-if-exists, --problem-if-missing, --problem-if-older-than or --problem-if-contains"));
        };
        if args.if_missing.is_some() && matches!(rule, Rule::Exists | Rule::Missing) {
            return Err(Error::config(
                "--if-missing goes with --problem-if-older-than or --problem-if-contains",
            ));
        }
        Ok(Config { paths, rule })
    }
}

fn parse_path(text: &str) -> Result<PathPattern> {
    if !text.starts_with('/') {
        return Err(Error::config(format!(
            "--path {text:?} is not absolute (host paths start with /)"
        )));
    }
    if text.bytes().any(|b| b == 0 || b.is_ascii_control()) {
        return Err(Error::config(format!(
            "--path {text:?} has control characters"
        )));
    }
    let mut steps = Vec::new();
    for part in text.split('/').filter(|p| !p.is_empty() && *p != ".") {
        let pattern =
            Pattern::parse(part).map_err(|e| Error::config(format!("--path {text:?}: {e}")))?;
        steps.push(match pattern.literal() {
            Some(lit) => Step::Literal(OsString::from(lit)),
            None => Step::Glob(pattern),
        });
    }
    if steps.is_empty() {
        return Err(Error::config(format!("--path {text:?} names no file")));
    }
    Ok(PathPattern {
        text: text.to_string(),
        steps,
    })
}

fn compile(pattern: &str) -> Result<Regex> {
    if pattern.is_empty() {
        return Err(Error::config(
            "--problem-if-contains is empty: it would match every line",
        ));
    }
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let reason = e
                .to_string()
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_string())
                .unwrap_or_else(|| "invalid regular expression".into());
            Error::config(format!("--problem-if-contains {pattern:?}: {reason}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(paths: &[&str]) -> Args {
        Args {
            paths: paths.iter().map(|s| s.to_string()).collect(),
            problem_if_exists: true,
            problem_if_missing: false,
            problem_if_older_than: None,
            problem_if_contains: None,
            if_missing: None,
            max_read: DEFAULT_MAX_READ,
        }
    }

    #[test]
    fn paths_split_into_literals_and_globs() {
        let c = Config::configure(args(&["/var/run//reboot-required*"])).unwrap();
        let p = &c.paths[0];
        assert_eq!(p.steps.len(), 3);
        assert!(matches!(&p.steps[1], Step::Literal(s) if s == "run"));
        assert!(matches!(&p.steps[2], Step::Glob(_)));
        assert!(p.has_wildcards());
        let c = Config::configure(args(&["/a/b\\*c"])).unwrap();
        assert!(matches!(&c.paths[0].steps[1], Step::Literal(s) if s == "b*c"));
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in ["relative/x", "", "/", "/a/[bc", "/a\tb"] {
            assert!(Config::configure(args(&[bad])).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn defaults_for_missing_files_differ_by_rule() {
        let mut a = args(&["/x"]);
        a.problem_if_exists = false;
        a.problem_if_older_than = Some(Duration::from_secs(60));
        assert!(matches!(
            Config::configure(a).unwrap().rule,
            Rule::OlderThan(_, IfMissing::Problem)
        ));
        let mut a = args(&["/x"]);
        a.problem_if_exists = false;
        a.problem_if_contains = Some("panic".into());
        assert!(matches!(
            Config::configure(a).unwrap().rule,
            Rule::Contains {
                if_missing: IfMissing::Unknown,
                ..
            }
        ));
        let mut a = args(&["/x"]);
        a.if_missing = Some("ok".into());
        assert!(
            Config::configure(a).is_err(),
            "--if-missing means nothing for exists"
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        let mut a = args(&["/x"]);
        a.problem_if_exists = false;
        a.problem_if_contains = Some("(unclosed".into());
        let e = Config::configure(a).unwrap_err();
        assert_eq!(
            e.message(),
            "--problem-if-contains \"(unclosed\": found open group without closing ')'"
        );
    }
}
