//! The flags of `npd-limits` and their validation into a [`Config`]: which kernel limits
//! are checked and the share of each that is too much.

use npd_plugin::units::parse_percent;
use npd_plugin::{flag_needs, Configure, Result, Selectable, Selection};

/// A kernel limit this plugin can check.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Tasks (processes and threads, each holds a PID) against kernel.pid_max.
    Pids,
    /// Tasks against kernel.threads-max, the most fork() and clone() will create.
    Threads,
    /// Allocated file handles against fs.file-max.
    Files,
    /// Connection tracking entries against net.netfilter.nf_conntrack_max.
    Conntrack,
}

impl Limit {
    /// The flag setting this limit's threshold, for messages about flags.
    pub fn flag(self) -> &'static str {
        match self {
            Limit::Pids => "--max-pids-used",
            Limit::Threads => "--max-threads-used",
            Limit::Files => "--max-files-used",
            Limit::Conntrack => "--max-conntrack-used",
        }
    }

    /// The `--check` value naming this limit.
    pub fn name(self) -> &'static str {
        match self {
            Limit::Pids => "pids",
            Limit::Threads => "threads",
            Limit::Files => "files",
            Limit::Conntrack => "conntrack",
        }
    }

    /// The default threshold and where it comes from (see the help's notes).
    pub fn default_max(self) -> f64 {
        match self {
            // The EKS node monitoring agent warns from 70 pct of pid_max and of
            // file-max; threads-max bounds the same tasks, so it gets the same share.
            Limit::Pids | Limit::Threads | Limit::Files => 70.0,
            // NPD's bundled network_problem.sh: count > max * 9 / 10.
            Limit::Conntrack => 90.0,
        }
    }
}

impl Selectable for Limit {
    const VALUE_NAME: &'static str = "LIMIT";
    const HELP: &'static str = "Limits to check";
    /// The limits that are the host's whatever the network namespace. Conntrack is
    /// only checked on request, where the DaemonSet runs with hostNetwork.
    const DEFAULT: &'static [Limit] = &[Limit::Pids, Limit::Threads, Limit::Files];
}

/// The flags of `npd-limits`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub checks: Selection<Limit>,

    /// More than this share (percent) of kernel.pid_max in use is a problem
    /// [default: 70].
    #[arg(long, value_name = "PCT")]
    pub max_pids_used: Option<String>,

    /// More than this share (percent) of kernel.threads-max in use is a problem
    /// [default: 70].
    #[arg(long, value_name = "PCT")]
    pub max_threads_used: Option<String>,

    /// More than this share (percent) of fs.file-max allocated is a problem
    /// [default: 70].
    #[arg(long, value_name = "PCT")]
    pub max_files_used: Option<String>,

    /// More than this share (percent) of net.netfilter.nf_conntrack_max in use is a
    /// problem [default: 90].
    #[arg(long, value_name = "PCT")]
    pub max_conntrack_used: Option<String>,
}

/// One limit to check and its threshold in percent (exceeded when strictly greater).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Check {
    pub limit: Limit,
    pub max_used: f64,
}

/// The validated flags.
#[derive(Debug, PartialEq)]
pub struct Config {
    /// In the order given, without repeats.
    pub checks: Vec<Check>,
}

impl Config {
    pub fn wants(&self, limit: Limit) -> bool {
        self.checks.iter().any(|c| c.limit == limit)
    }
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags. A threshold for a limit that is not checked is an error: it
    /// would otherwise be silently ignored, and the rule would not check what it says.
    fn configure(args: Args) -> Result<Config> {
        let selected = args.checks.selected();
        let given = [
            (Limit::Pids, args.max_pids_used),
            (Limit::Threads, args.max_threads_used),
            (Limit::Files, args.max_files_used),
            (Limit::Conntrack, args.max_conntrack_used),
        ];
        let mut thresholds = Vec::new();
        for (limit, text) in given {
            let value = match text {
                None => limit.default_max(),
                Some(text) => {
                    flag_needs(limit.flag(), true, &selected, &[limit])?;
                    parse_percent(&text)
                        .map_err(|e| e.context(limit.flag()))?
                        .as_f64()
                }
            };
            thresholds.push((limit, value));
        }
        let checks = selected
            .into_iter()
            .map(|limit| Check {
                limit,
                max_used: thresholds
                    .iter()
                    .find(|(l, _)| *l == limit)
                    .map(|(_, v)| *v)
                    .unwrap_or_else(|| limit.default_max()),
            })
            .collect();
        Ok(Config { checks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            checks: Selection::default(),
            max_pids_used: None,
            max_threads_used: None,
            max_files_used: None,
            max_conntrack_used: None,
        }
    }

    #[test]
    fn defaults_check_the_namespace_independent_limits() {
        let config = Config::configure(args()).unwrap();
        let limits: Vec<Limit> = config.checks.iter().map(|c| c.limit).collect();
        assert_eq!(limits, Limit::DEFAULT);
        assert!(config.checks.iter().all(|c| c.max_used == 70.0));
        assert!(!config.wants(Limit::Conntrack));
    }

    #[test]
    fn thresholds_apply_to_their_limit_and_repeats_are_dropped() {
        let mut a = args();
        a.checks = vec![Limit::Conntrack, Limit::Files, Limit::Conntrack].into();
        a.max_files_used = Some("80%".into());
        let config = Config::configure(a).unwrap();
        assert_eq!(
            config.checks,
            vec![
                Check {
                    limit: Limit::Conntrack,
                    max_used: 90.0
                },
                Check {
                    limit: Limit::Files,
                    max_used: 80.0
                }
            ]
        );
    }

    #[test]
    fn a_threshold_for_an_unchecked_limit_is_an_error() {
        let mut a = args();
        a.max_conntrack_used = Some("80".into());
        let err = Config::configure(a).unwrap_err();
        assert_eq!(
            err.message(),
            "--max-conntrack-used needs --check conntrack"
        );
        assert_eq!(err.kind(), npd_plugin::Kind::Config);
    }

    #[test]
    fn bad_percentages_name_the_flag() {
        let mut a = args();
        a.max_pids_used = Some("lots".into());
        let err = Config::configure(a).unwrap_err();
        assert!(err.message().starts_with("--max-pids-used: "), "{err}");
        assert_eq!(err.kind(), npd_plugin::Kind::Config);
        let mut a = args();
        a.max_threads_used = Some("101".into());
        assert!(Config::configure(a).is_err());
    }
}
