//! `npd-tcp`: every `--connect HOST:PORT` must accept a TCP connection (a Kubernetes
//! TCP probe), optionally answer `--send` with something containing `--expect`, and
//! do it within `--max-latency`.
//!
//! A refusal, a timeout, a wrong or missing banner is a problem; a flag that cannot be
//! used or a host name that does not resolve is Unknown. It does not speak any
//! protocol beyond one write and reads until the expected text.
//!
//! [`config`] holds the flags, [`measure`] probes each endpoint in turn within the
//! deadline and [`judge`] names the endpoints that failed.

pub mod config;
pub mod judge;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Tcp;

impl Plugin for Tcp {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let probed = measure::measure(config, ctx)?;
        judge::judge(config, probed)
    }

    const NAME: &'static str = "npd-tcp";
    const ABOUT: &'static str = "Checks that TCP endpoints accept connections (a Kubernetes \
                                 TCP probe), optionally with a banner exchange.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "EtcdPortClosed",
 "reason": "EtcdPortClosed", "path": "/opt/npd-checks/bin/npd-tcp",
 "args": ["--connect", "127.0.0.1:2379", "--timeout", "3s", "--fail-after", "2"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Judgement:
  Healthy: every --connect accepted a connection (and, with --expect, sent that
  text), within --max-latency when given.
  A problem: a refused connection, no connection or no expected text by --timeout,
  the peer closing before sending it, a slow answer. Endpoints are tried in order
  and all are judged; the message names the first that failed.
  Unknown: bad flags, a host name that does not resolve.
Example with a banner: --connect 127.0.0.1:6379 --send 'PING\\r\\n' --expect +PONG";
}
