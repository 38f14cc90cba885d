//! The flags of `npd-network` and their validation into a [`Config`]: which aspects of
//! the node's networking are judged, which interfaces, and for which IP versions.

use npd_plugin::glob::Pattern;
use npd_plugin::{flag_needs, Configure, Error, Result, Selectable, Selection};

/// An aspect of the node's networking this plugin can judge.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// The loopback and the interfaces named by --interface exist, are up and running.
    Interfaces,
    /// The main table has a usable default route.
    DefaultRoute,
    /// The kernel forwards packets between interfaces.
    Forwarding,
}

impl Selectable for Aspect {
    const DEFAULT: &'static [Aspect] =
        &[Aspect::Interfaces, Aspect::DefaultRoute, Aspect::Forwarding];
}

/// The IP versions `--family` selects.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Ipv4,
    Ipv6,
    Both,
}

/// One IP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip {
    V4,
    V6,
}

impl Ip {
    pub fn name(self) -> &'static str {
        match self {
            Ip::V4 => "IPv4",
            Ip::V6 => "IPv6",
        }
    }
}

/// The flags of `npd-network`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub checks: Selection<Aspect>,

    /// An interface that must exist, be up and running, or a shell pattern (eth*,
    /// ens[0-9]*) whose every match must be; repeatable. lo is always checked.
    #[arg(long = "interface", value_name = "NAME|GLOB")]
    pub interfaces: Vec<String>,

    /// Each --interface pattern must match at least this many interfaces
    /// [default: 0].
    #[arg(long, value_name = "N")]
    pub min_matches: Option<usize>,

    /// The IP versions whose default route and forwarding are judged
    /// [default: ipv4].
    #[arg(long, value_enum, value_name = "FAMILY")]
    pub family: Option<Family>,
}

/// An `--interface` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A name: the interface must exist.
    Name(String),
    /// A pattern: its matches are judged, and there must be `min_matches` of them.
    Glob { text: String, pattern: Pattern },
}

/// The validated flags.
#[derive(Debug, PartialEq)]
pub struct Config {
    /// In the order given, without repeats.
    pub checks: Vec<Aspect>,
    /// Without lo, which is always judged, and without repeats.
    pub wanted: Vec<Wanted>,
    pub min_matches: usize,
    /// IPv4 first.
    pub ips: Vec<Ip>,
}

impl Config {
    pub fn wants(&self, aspect: Aspect) -> bool {
        self.checks.contains(&aspect)
    }
}

/// The loopback, judged whenever interfaces are.
pub const LOOPBACK: &str = "lo";

/// The kernel's IFNAMSIZ, 16, with its terminating NUL.
const MAX_NAME: usize = 15;

impl Configure for Config {
    type Args = Args;

    /// Validates the flags. A flag for an aspect that is not checked is an error: it
    /// would otherwise be silently ignored, and the rule would not check what it says.
    fn configure(args: Args) -> Result<Config> {
        let checks = args.checks.selected();
        let interfaces = !args.interfaces.is_empty();
        flag_needs("--interface", interfaces, &checks, &[Aspect::Interfaces])?;
        let ips = [Aspect::DefaultRoute, Aspect::Forwarding];
        flag_needs("--family", args.family.is_some(), &checks, &ips)?;
        let mut wanted: Vec<Wanted> = Vec::new();
        for text in args.interfaces {
            let one = parse_wanted(&text)?;
            if one != Wanted::Name(LOOPBACK.into()) && !wanted.contains(&one) {
                wanted.push(one);
            }
        }
        let has_glob = wanted.iter().any(|w| matches!(w, Wanted::Glob { .. }));
        if args.min_matches.is_some() && !has_glob {
            return Err(Error::config(
                "--min-matches needs an --interface pattern (a name must exist anyway)",
            ));
        }
        let ips = match args.family.unwrap_or(Family::Ipv4) {
            Family::Ipv4 => vec![Ip::V4],
            Family::Ipv6 => vec![Ip::V6],
            Family::Both => vec![Ip::V4, Ip::V6],
        };
        Ok(Config {
            checks,
            wanted,
            min_matches: args.min_matches.unwrap_or(0),
            ips,
        })
    }
}

/// A name as the kernel allows it (dev_valid_name: 1 to 15 bytes, no `/`, `:` or
/// white space, not `.` or `..`), or a pattern.
fn parse_wanted(text: &str) -> Result<Wanted> {
    let bad = |why: &str| Error::config(format!("--interface {text:?}: {why}"));
    if text.is_empty() {
        return Err(bad("empty"));
    }
    if text.contains(['/', ':']) || text.chars().any(char::is_whitespace) {
        return Err(bad("no interface name has '/', ':' or spaces"));
    }
    let pattern = Pattern::parse(text).map_err(|e| bad(&e.to_string()))?;
    match pattern.literal() {
        Some(name) if name.len() > MAX_NAME => Err(bad("longer than 15 bytes")),
        Some(name) if name == "." || name == ".." => Err(bad("not an interface name")),
        Some(name) => Ok(Wanted::Name(name)),
        None => Ok(Wanted::Glob {
            text: text.into(),
            pattern,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            checks: Selection::default(),
            interfaces: vec![],
            min_matches: None,
            family: None,
        }
    }

    #[test]
    fn defaults_judge_everything_for_ipv4_with_lo_only() {
        let config = Config::configure(args()).unwrap();
        assert_eq!(config.checks, Aspect::DEFAULT);
        assert!(config.wanted.is_empty());
        assert_eq!((config.min_matches, config.ips), (0, vec![Ip::V4]));
    }

    #[test]
    fn names_and_patterns_are_told_apart_and_repeats_dropped() {
        let mut a = args();
        a.interfaces = vec!["eth0".into(), "ens*".into(), "lo".into(), "eth0".into()];
        a.family = Some(Family::Both);
        let config = Config::configure(a).unwrap();
        assert_eq!(config.wanted.len(), 2);
        assert_eq!(config.wanted[0], Wanted::Name("eth0".into()));
        assert!(matches!(&config.wanted[1], Wanted::Glob { text, .. } if text == "ens*"));
        assert_eq!(config.ips, vec![Ip::V4, Ip::V6]);
        // An escaped wildcard is a name.
        let mut a = args();
        a.interfaces = vec![r"we\*rd".into()];
        assert_eq!(
            Config::configure(a).unwrap().wanted,
            vec![Wanted::Name("we*rd".into())]
        );
    }

    #[test]
    fn flags_for_unchecked_aspects_are_errors() {
        let mut a = args();
        a.checks = vec![Aspect::Forwarding].into();
        a.interfaces = vec!["eth0".into()];
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--interface needs --check interfaces"
        );
        let mut a = args();
        a.checks = vec![Aspect::Interfaces].into();
        a.family = Some(Family::Ipv6);
        assert!(Config::configure(a)
            .unwrap_err()
            .message()
            .starts_with("--family needs"));
        let mut a = args();
        a.interfaces = vec!["eth0".into()];
        a.min_matches = Some(1);
        let err = Config::configure(a).unwrap_err();
        assert!(err.message().starts_with("--min-matches needs"), "{err}");
        assert_eq!(err.kind(), npd_plugin::Kind::Config);
    }

    #[test]
    fn impossible_names_are_errors() {
        for bad in [
            "",
            "a/b",
            "eth0:1",
            "a b",
            "averyveryverylong0",
            "..",
            "[eth",
        ] {
            let mut a = args();
            a.interfaces = vec![bad.into()];
            let err = Config::configure(a).unwrap_err();
            assert!(err.message().starts_with("--interface "), "{bad:?}: {err}");
        }
        let mut a = args();
        a.interfaces = vec!["averyverylong15".into()];
        assert!(Config::configure(a).is_ok());
    }
}
