//! `npd-dns`: resolves names through DNS, as the host's resolver would, and judges the
//! answers.
//!
//! Every `--name` must resolve (NOERROR with at least one address of `--type`), to
//! every `--expect-address` when given, within `--max-latency`. NXDOMAIN, SERVFAIL,
//! REFUSED, a garbled answer and no answer by the deadline are problems: DNS is the
//! subject here. A missing resolv.conf, one without a name server, or bad flags are
//! Unknown.
//!
//! - [`config`] holds the flags;
//! - [`measure`] finds the servers ([`resolv`] parses `<host-root>/etc/resolv.conf`)
//!   and asks them over UDP within the deadline, in turn;
//! - [`wire`] writes the query and parses the response;
//! - [`judge`] names what is wrong with the answers.
//!
//! It is not a full stub resolver: names are asked as given (no search list, no
//! ndots), and over UDP only.

pub mod config;
pub mod judge;
pub mod measure;
pub mod resolv;
pub mod wire;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Dns;

impl Plugin for Dns {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let answered = measure::measure(config, ctx)?;
        Ok(judge::judge(config, &answered, &ctx.timeout_text()))
    }

    const NAME: &'static str = "npd-dns";
    const ABOUT: &'static str = "Resolves names through the host's DNS servers (or given ones) \
                                 and reports NXDOMAIN, SERVFAIL, timeouts and wrong answers.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "temporary", "reason": "ClusterDNSFailed",
 "path": "/opt/npd-checks/bin/npd-dns",
 "args": ["--name", "kubernetes.default.svc.cluster.local",
          "--resolv-conf", "/etc/resolv.conf", "--timeout", "3s"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Judgement:
  Healthy: every --name has at least one address of --type (and every
  --expect-address), within --max-latency when given.
  A problem: NXDOMAIN, an answer without such an address, SERVFAIL or REFUSED from
  every server, a garbled answer, no answer by --timeout.
  Unknown: bad flags, a missing resolv.conf or one without a usable nameserver.
Servers:
  --server, else the nameservers of --resolv-conf (the container's file, as given:
  with dnsPolicy ClusterFirstWithHostNet it names the cluster DNS), else those of
  the host, <host-root>/etc/resolv.conf; at most three nameserver lines, as glibc.
  Servers are asked in turn, each with an equal share of the time left; one that
  does not answer or answers SERVFAIL or REFUSED passes the question on.
Use:
  DNS failures are usually shared by every node (CoreDNS or the upstream down):
  ship them as temporary rules (Events) and alerts, not as a drain-worthy condition.";
}
