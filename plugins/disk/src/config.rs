//! The flags of `npd-disk` and their validation into a [`Config`].

use std::path::PathBuf;

use npd_plugin::units::{parse_percent, Percent};
use npd_plugin::{Configure, Error, Result};

/// What can be checked of a filesystem.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// Blocks used, against --max-used.
    Usage,
    /// Inodes used, against --max-inodes-used.
    Inodes,
    /// Mounted read-only.
    ReadOnly,
}

// The flags of `npd-disk`. Not a doc comment: clap would make it the --help text
// in place of `Disk::ABOUT`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A host path whose filesystem is checked (the mount that holds it, symlinks
    /// followed); one the host does not have is Unknown. Repeatable. Default: / (when
    /// no --path-if-exists is given either).
    #[arg(long = "path", value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// As --path, for a path only some hosts have (a container runtime's data
    /// directory): checked where it exists, left out where it does not. Repeatable.
    #[arg(long = "path-if-exists", value_name = "PATH")]
    pub optional_paths: Vec<PathBuf>,

    /// More blocks used than this percentage (counted and rounded up as df does) is
    /// a problem.
    #[arg(long, value_name = "PCT", default_value = "85", value_parser = parse_percent)]
    pub max_used: Percent,

    /// More inodes used than this percentage (as df -i) is a problem.
    #[arg(long, value_name = "PCT", default_value = "90", value_parser = parse_percent)]
    pub max_inodes_used: Percent,

    /// What to check, comma-separated or repeated. A mount that does not answer is a
    /// problem whatever is checked.
    #[arg(long = "check", value_name = "WHAT", value_enum, value_delimiter = ',',
          default_values_t = [Aspect::Usage, Aspect::Inodes, Aspect::ReadOnly])]
    pub checks: Vec<Aspect>,
}

/// The flags, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute host paths, without duplicates: the --path ones in the order given,
    /// then the --path-if-exists ones.
    pub paths: Vec<PathBuf>,
    /// Per path: whether the host may lack it (--path-if-exists).
    pub optional: Vec<bool>,
    pub max_used: Percent,
    pub max_inodes_used: Percent,
    pub usage: bool,
    pub inodes: bool,
    pub read_only: bool,
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags: paths absolute and without duplicates.
    fn configure(mut args: Args) -> Result<Config> {
        if args.paths.is_empty() && args.optional_paths.is_empty() {
            args.paths.push(PathBuf::from("/"));
        }
        let mut paths: Vec<PathBuf> = Vec::new();
        let mut optional = Vec::new();
        let given = args.paths.into_iter().map(|p| (p, false, "--path"));
        let maybe = args
            .optional_paths
            .into_iter()
            .map(|p| (p, true, "--path-if-exists"));
        for (p, may_lack, flag) in given.chain(maybe) {
            if !p.is_absolute() {
                return Err(Error::config(format!(
                    "{flag} {:?} is not absolute (give the path as the host sees it)",
                    p.display().to_string()
                )));
            }
            if !paths.contains(&p) {
                paths.push(p);
                optional.push(may_lack);
            }
        }
        Ok(Config {
            paths,
            optional,
            max_used: args.max_used,
            max_inodes_used: args.max_inodes_used,
            usage: args.checks.contains(&Aspect::Usage),
            inodes: args.checks.contains(&Aspect::Inodes),
            read_only: args.checks.contains(&Aspect::ReadOnly),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<crate::Disk>(args)
    }

    #[test]
    fn defaults() {
        let c = configure(&[]).unwrap();
        assert_eq!(c.paths, [PathBuf::from("/")]);
        assert_eq!(c.optional, [false]);
        // Only paths some hosts lack: / is not added behind the user's back.
        let c = configure(&["--path-if-exists", "/var/lib/containers", "--path", "/x"]).unwrap();
        assert_eq!(
            c.paths,
            [PathBuf::from("/x"), PathBuf::from("/var/lib/containers")]
        );
        assert_eq!(c.optional, [false, true]);
        let c = configure(&["--path-if-exists", "/var/lib/containers"]).unwrap();
        assert_eq!(c.paths, [PathBuf::from("/var/lib/containers")]);
        assert_eq!(
            (c.max_used, c.max_inodes_used),
            (Percent::whole(85), Percent::whole(90))
        );
        assert!(c.usage && c.inodes && c.read_only);
    }

    #[test]
    fn flags() {
        let c = configure(&[
            "--path",
            "/var/lib/kubelet",
            "--path",
            "/",
            "--path",
            "/var/lib/kubelet",
            "--max-used",
            "92.5%",
            "--check",
            "usage,read-only",
        ])
        .unwrap();
        assert_eq!(
            c.paths,
            [PathBuf::from("/var/lib/kubelet"), PathBuf::from("/")]
        );
        assert_eq!(c.max_used, parse_percent("92.5").unwrap());
        assert!(c.usage && !c.inodes && c.read_only);
        let c = configure(&["--check", "inodes", "--check", "usage"]).unwrap();
        assert!(c.usage && c.inodes && !c.read_only);
    }

    #[test]
    fn bad_flags() {
        for args in [
            &["--path", "var/lib"][..],
            &["--path-if-exists", "var/lib"],
            &["--max-used", "101"],
            &["--max-inodes-used", "x"],
            &["--check", "everything"],
            &["--check", ""],
        ] {
            let err = configure(args).unwrap_err();
            assert_eq!(err.kind(), npd_plugin::Kind::Config, "{args:?}");
        }
    }
}
