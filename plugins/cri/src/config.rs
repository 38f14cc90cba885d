//! The flags of `npd-cri` and their validation into a [`Config`]: which socket, which
//! runtime conditions must be true, and how slow a list call may be.

use std::path::PathBuf;
use std::time::Duration;

use npd_plugin::units::parse_duration;
use npd_plugin::{Configure, Error, Result, Selectable, Selection};

use crate::cri::{NETWORK_READY, RUNTIME_READY};

/// The sockets tried in order when `--socket` is not given: containerd's, then CRI-O's.
pub const DEFAULT_SOCKETS: [&str; 2] =
    ["/run/containerd/containerd.sock", "/var/run/crio/crio.sock"];

/// A runtime condition `--require` can name.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Required {
    /// RuntimeReady: the runtime can run containers.
    Runtime,
    /// NetworkReady: the runtime's network (CNI) is ready for pods.
    Network,
}

impl Required {
    /// The CRI condition type.
    pub fn condition(self) -> &'static str {
        match self {
            Required::Runtime => RUNTIME_READY,
            Required::Network => NETWORK_READY,
        }
    }
}

impl Selectable for Required {
    const FLAG: &'static str = "require";
    const VALUE_NAME: &'static str = "CONDITION";
    const HELP: &'static str = "Runtime conditions that must be true";
    const DEFAULT: &'static [Required] = &[Required::Runtime];
}

/// The flags of `npd-cri`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The runtime's CRI socket, a host path under --host-root
    /// [default: the first that exists of /run/containerd/containerd.sock,
    /// /var/run/crio/crio.sock].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,

    #[command(flatten)]
    pub required: Selection<Required>,

    /// ListPodSandbox taking longer than this is a problem.
    #[arg(long, value_name = "DURATION", default_value = "2s")]
    pub max_latency: String,
}

/// The validated flags.
#[derive(Debug, PartialEq)]
pub struct Config {
    /// The socket given, host view; `None`: try [`DEFAULT_SOCKETS`].
    pub socket: Option<PathBuf>,
    /// In the order given, without repeats.
    pub required: Vec<Required>,
    /// Strictly more is a problem.
    pub max_latency: Duration,
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        let required = args.required.selected();
        let max_latency =
            parse_duration(&args.max_latency).map_err(|e| e.context("--max-latency"))?;
        if max_latency.is_zero() {
            return Err(Error::config("--max-latency: must be more than 0"));
        }
        if let Some(socket) = &args.socket {
            if !socket.is_absolute() {
                return Err(Error::config(format!(
                    "--socket: {} is not an absolute path",
                    socket.display()
                )));
            }
        }
        Ok(Config {
            socket: args.socket,
            required,
            max_latency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            socket: None,
            required: Selection::default(),
            max_latency: "2s".into(),
        }
    }

    #[test]
    fn defaults_require_the_runtime_only() {
        let config = Config::configure(args()).unwrap();
        assert_eq!(config.required, [Required::Runtime]);
        assert_eq!(config.max_latency, Duration::from_secs(2));
        assert_eq!(config.socket, None);
    }

    #[test]
    fn repeats_are_dropped_and_the_order_kept() {
        let mut a = args();
        a.required = vec![Required::Network, Required::Runtime, Required::Network].into();
        assert_eq!(
            Config::configure(a).unwrap().required,
            [Required::Network, Required::Runtime]
        );
    }

    #[test]
    fn bad_values_are_config_errors() {
        for (socket, latency) in [(None, "soon"), (None, "0s"), (Some("run/x.sock"), "2s")] {
            let mut a = args();
            a.socket = socket.map(PathBuf::from);
            a.max_latency = latency.into();
            let err = Config::configure(a).unwrap_err();
            assert_eq!(err.kind(), npd_plugin::Kind::Config, "{err}");
        }
    }
}
