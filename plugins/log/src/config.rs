//! The flags of `npd-log` and their validated form: regexes compiled, limits checked
//! against each other, before any file is opened.

use std::time::Duration;

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{Configure, Error, Result};
use regex::bytes::{Regex, RegexBuilder};

/// The flags of `npd-log`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The host's log file, or a wildcard pattern (`*`, `?`, `[..]` in any component)
    /// such as /var/log/pods/openstack_keystone-*/keystone/*.log; read under
    /// --host-root.
    #[arg(long, value_name = "PATH")]
    pub file: String,

    /// How lines are written: plain (one line per entry) or cri (Kubernetes pod logs:
    /// timestamp, stream, P/F tag, message; partial lines are joined).
    #[arg(long, value_enum, default_value_t = Format::Plain)]
    pub format: Format,

    /// A regular expression: the lines it matches are counted (and timed with --field).
    #[arg(long, value_name = "REGEX")]
    pub pattern: String,

    /// A regular expression: matching lines that also match it are not counted.
    #[arg(long, value_name = "REGEX")]
    pub exclude: Option<String>,

    /// More matching lines than this within --window is a problem.
    #[arg(long, value_name = "N")]
    pub max_count: Option<u64>,

    /// How far back counts and response times go, measured by when runs read the
    /// lines (not by timestamps inside them).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_window)]
    pub window: Duration,

    /// Where a matching line holds its response time: a field number (1 is the first
    /// whitespace-separated field, -1 the last) or the name of a capture group of
    /// --pattern.
    #[arg(long, value_name = "N|NAME", allow_negative_numbers = true)]
    pub field: Option<String>,

    /// The unit of the --field values.
    #[arg(long, value_enum, default_value_t = FieldUnit::S)]
    pub field_unit: FieldUnit,

    /// A 95th percentile response time above this within --window is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_p95: Option<Duration>,

    /// A 99th percentile response time above this within --window is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_p99: Option<Duration>,

    /// A mean response time above this within --window is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_mean: Option<Duration>,

    /// Judge response times only when the window holds at least this many of them.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub min_samples: u64,

    /// What a missing file (or a pattern matching none) means: ok (the service does
    /// not run on this node) or unknown.
    #[arg(long, value_enum, default_value_t = Missing::Unknown)]
    pub missing: Missing,

    /// On the first run, count the lines already in the file instead of starting at
    /// its end.
    #[arg(long)]
    pub from_start: bool,

    /// Lines longer than this are judged on their first BYTES bytes, once.
    #[arg(long, value_name = "BYTES", default_value_t = 65536,
          value_parser = clap::value_parser!(u32).range(256..=1 << 20))]
    pub max_line: u32,

    /// The name messages start with (default: the file name).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Plain,
    Cri,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldUnit {
    S,
    Ms,
    Us,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    Ok,
    Unknown,
}

/// Where a response time is found in a matching line.
#[derive(Debug, Clone)]
pub enum Field {
    /// 0-based from the start.
    Index(usize),
    /// 1-based from the end (1 is the last field).
    FromEnd(usize),
    /// A capture group of the pattern.
    Group(usize),
}

/// The flags, validated.
#[derive(Debug)]
pub struct Config {
    pub file: String,
    pub format: Format,
    pub pattern: Regex,
    pub exclude: Option<Regex>,
    pub max_count: Option<u64>,
    pub window: Duration,
    pub field: Option<Field>,
    /// Microseconds per unit of a --field value.
    pub field_scale: f64,
    pub max_p95: Option<Duration>,
    pub max_p99: Option<Duration>,
    pub max_mean: Option<Duration>,
    pub min_samples: u64,
    pub missing: Missing,
    pub from_start: bool,
    pub max_line: usize,
    pub label: String,
}

impl Config {
    pub fn times_needed(&self) -> bool {
        self.max_p95.is_some() || self.max_p99.is_some() || self.max_mean.is_some()
    }

    pub fn window_text(&self) -> String {
        format_duration(self.window)
    }
}

fn parse_window(text: &str) -> Result<Duration> {
    let d = parse_duration(text)?;
    if d < Duration::from_secs(1) {
        return Err(Error::config(
            "a window shorter than 1s holds no run but the current one",
        ));
    }
    Ok(d)
}

/// Compiles a pattern for searching whole buffers of lines: `^` and `$` are line
/// anchors, and no size limit a long alternation would hit.
pub fn compile(what: &str, text: &str) -> Result<Regex> {
    RegexBuilder::new(text)
        .multi_line(true)
        .size_limit(32 << 20)
        .build()
        .map_err(|e| {
            let first = e.to_string();
            let last = first.lines().last().unwrap_or("invalid").trim().to_string();
            Error::config(format!("{what}: {last}"))
        })
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        if args.file.trim().is_empty() {
            return Err(Error::config("--file is empty"));
        }
        if args.pattern.is_empty() {
            return Err(Error::config(
                "--pattern is empty: it would count every line",
            ));
        }
        let pattern = compile("--pattern", &args.pattern)?;
        let exclude = match &args.exclude {
            Some(text) => Some(compile("--exclude", text)?),
            None => None,
        };
        let field = match &args.field {
            None => None,
            Some(text) => Some(parse_field(text, &pattern)?),
        };
        let times = args.max_p95.is_some() || args.max_p99.is_some() || args.max_mean.is_some();
        if times && field.is_none() {
            return Err(Error::config(
                "--max-p95, --max-p99 and --max-mean need --field",
            ));
        }
        if field.is_some() && !times {
            return Err(Error::config(
                "--field needs --max-p95, --max-p99 or --max-mean",
            ));
        }
        if args.max_count.is_none() && !times {
            return Err(Error::config(
                "give --max-count or a response-time limit (--max-p95, --max-p99, --max-mean)",
            ));
        }
        let field_scale = match args.field_unit {
            FieldUnit::S => 1e6,
            FieldUnit::Ms => 1e3,
            FieldUnit::Us => 1.0,
        };
        let label = match args.label {
            Some(l) if !l.trim().is_empty() => l.trim().to_string(),
            Some(_) => return Err(Error::config("--label is empty")),
            None => default_label(&args.file),
        };
        Ok(Config {
            file: args.file,
            format: args.format,
            pattern,
            exclude,
            max_count: args.max_count,
            window: args.window,
            field,
            field_scale,
            max_p95: args.max_p95,
            max_p99: args.max_p99,
            max_mean: args.max_mean,
            min_samples: args.min_samples.max(1),
            missing: args.missing,
            from_start: args.from_start,
            max_line: args.max_line as usize,
            label,
        })
    }
}

fn parse_field(text: &str, pattern: &Regex) -> Result<Field> {
    if let Ok(n) = text.parse::<i64>() {
        return match n {
            0 => Err(Error::config(
                "--field 0: fields count from 1 (or from -1 at the end)",
            )),
            n if n > 0 => Ok(Field::Index(n as usize - 1)),
            n => Ok(Field::FromEnd(n.unsigned_abs() as usize)),
        };
    }
    pattern
        .capture_names()
        .position(|name| name == Some(text))
        .map(Field::Group)
        .ok_or_else(|| {
            Error::config(format!(
                "--field {text:?} is neither a number nor a named group (?P<{text}>..) of --pattern"
            ))
        })
}

/// The last component of the file or pattern: what a person recognises in a message.
fn default_label(file: &str) -> String {
    let trimmed = file.trim_end_matches('/');
    trimmed
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(trimmed)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        compile("p", p).unwrap()
    }

    #[test]
    fn fields_by_number_or_group() {
        assert!(matches!(parse_field("1", &re("x")), Ok(Field::Index(0))));
        assert!(matches!(parse_field("-1", &re("x")), Ok(Field::FromEnd(1))));
        assert!(parse_field("0", &re("x")).is_err());
        assert!(matches!(
            parse_field("t", &re(r"(a)(?P<t>\d+)")),
            Ok(Field::Group(2))
        ));
        assert!(parse_field("u", &re(r"(?P<t>\d+)")).is_err());
    }

    #[test]
    fn labels_default_to_the_file_name() {
        assert_eq!(default_label("/var/log/nova/nova-api.log"), "nova-api.log");
        assert_eq!(default_label("/var/log/pods/*/k/*.log"), "*.log");
    }

    #[test]
    fn anchors_are_line_anchors() {
        let r = re("^b$");
        assert!(r.is_match(b"a\nb\nc"));
    }
}
