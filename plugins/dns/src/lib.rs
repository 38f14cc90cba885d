//! `npd-dns`: resolves names through DNS, as the host's resolver would, and judges the
//! answers.
//!
//! Every `--name` must resolve (NOERROR with at least one address of `--type`), to
//! every `--expect-address` when given, within `--max-latency`. NXDOMAIN, SERVFAIL,
//! REFUSED, a garbled answer and no answer by the deadline are problems: DNS is the
//! subject here. A missing resolv.conf, one without a name server, or bad flags are
//! Unknown.
//!
//! - [`resolv`] reads the servers of `<host-root>/etc/resolv.conf`;
//! - [`query`] asks them over UDP within the deadline, in turn;
//! - [`wire`] writes the query and parses the response.
//!
//! It is not a full stub resolver: names are asked as given (no search list, no
//! ndots), and over UDP only.

pub mod query;
pub mod resolv;
pub mod wire;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{explain, hostfile, Context, Error, Outcome, Plugin, Result};

use query::{Asked, Failure};
use wire::RecordType;

/// The flags of `npd-dns`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A name that must resolve, asked as given (fully qualified; the search list
    /// of resolv.conf is not applied). Repeatable.
    #[arg(long = "name", value_name = "NAME", required = true)]
    pub names: Vec<String>,

    /// Ask this server (ADDRESS or ADDRESS:PORT, [IPv6]:PORT) instead of the
    /// nameservers of <host-root>/etc/resolv.conf. Repeatable; asked in order.
    #[arg(long = "server", value_name = "ADDRESS")]
    pub servers: Vec<String>,

    /// Read the nameservers from this file, as given (not under --host-root): the
    /// container's own /etc/resolv.conf, which with dnsPolicy ClusterFirstWithHostNet
    /// names the cluster DNS.
    #[arg(long, value_name = "PATH", conflicts_with = "servers")]
    pub resolv_conf: Option<std::path::PathBuf>,

    /// The record type asked for.
    #[arg(long = "type", value_name = "TYPE", default_value = "A", value_parser = ["A", "AAAA"])]
    pub rtype: String,

    /// An address every name must resolve to (among others). Repeatable.
    #[arg(long = "expect-address", value_name = "IP")]
    pub expect: Vec<IpAddr>,

    /// An answer slower than this is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_latency: Option<Duration>,
}

#[derive(Debug)]
pub struct Config {
    pub names: Vec<String>,
    /// Empty: read resolv.conf at check time.
    pub servers: Vec<SocketAddr>,
    pub resolv_conf: Option<std::path::PathBuf>,
    pub rtype: RecordType,
    pub expect: Vec<IpAddr>,
    pub max_latency: Option<Duration>,
}

pub struct Dns;

impl Plugin for Dns {
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
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let mut names = Vec::new();
        for name in &args.names {
            let bare = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            wire::query(0, &bare, RecordType::A).map_err(|e| Error::new(format!("--name: {e}")))?;
            if !bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            {
                return Err(Error::new(format!(
                    "--name {name:?} has characters DNS names do not"
                )));
            }
            names.push(bare);
        }
        let mut servers = Vec::new();
        for s in &args.servers {
            servers.push(parse_server(s).map_err(|e| Error::new(format!("--server {s:?}: {e}")))?);
        }
        let rtype = if args.rtype == "AAAA" {
            RecordType::Aaaa
        } else {
            RecordType::A
        };
        if let Some(ip) = args
            .expect
            .iter()
            .find(|ip| ip.is_ipv4() != (rtype == RecordType::A))
        {
            return Err(Error::new(format!(
                "--expect-address {ip} is not of --type {}",
                rtype.as_str()
            )));
        }
        if args.max_latency.is_some_and(|d| d.is_zero()) {
            return Err(Error::new("--max-latency must be above 0"));
        }
        Ok(Config {
            names,
            servers,
            resolv_conf: args.resolv_conf,
            rtype,
            expect: args.expect,
            max_latency: args.max_latency,
        })
    }

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let servers = if config.servers.is_empty() {
            let (text, shown) = match &config.resolv_conf {
                Some(path) => (
                    std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), &e))?,
                    path.display().to_string(),
                ),
                None => (
                    hostfile::required(ctx, "/etc/resolv.conf")?,
                    "/etc/resolv.conf".to_string(),
                ),
            };
            let servers = resolv::nameservers(&text);
            if servers.is_empty() {
                return Err(Error::new(format!("no usable nameserver in {shown}")));
            }
            servers
        } else {
            config.servers.clone()
        };
        explain!(ctx, "servers: {servers:?}");
        let mut problems = Vec::new();
        for name in &config.names {
            ctx.waiting_for(format!("resolving {name}"));
            let started = Instant::now();
            let asked = query::ask(&servers, name, config.rtype, ctx.deadline())
                .map_err(|e| Error::new(format!("cannot ask DNS for {name}: {e}")))?;
            let took = Duration::from_millis(started.elapsed().as_millis() as u64);
            explain!(ctx, "{name}: {asked:?} in {}", format_duration(took));
            if let Some(p) = judge(config, ctx, name, &asked, took) {
                problems.push(p);
            }
        }
        let ok = match config.names.len() {
            1 => format!("{} resolves", config.names[0]),
            n => format!("all {n} names resolve"),
        };
        Ok(Outcome::from_problems(problems, ok))
    }
}

fn judge(
    config: &Config,
    ctx: &Context,
    name: &str,
    asked: &Asked,
    took: Duration,
) -> Option<String> {
    let kind = config.rtype.as_str();
    match asked {
        Asked::Answer(server, resp) => {
            if resp.rcode == 3 {
                return Some(format!("{name} NXDOMAIN from {server}"));
            }
            if resp.addresses.is_empty() {
                return Some(format!("{name} has no {kind} record ({server})"));
            }
            if let Some(ip) = config.expect.iter().find(|ip| !resp.addresses.contains(ip)) {
                let got = resp
                    .addresses
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                return Some(format!("{name} resolves to {got}, not {ip}"));
            }
            match config.max_latency {
                Some(max) if took > max => Some(format!(
                    "{name} resolved in {} > {}",
                    format_duration(took),
                    format_duration(max)
                )),
                _ => None,
            }
        }
        Asked::Failed(server, failure) => Some(match failure {
            Failure::Silent => format!("{name} no answer from {server} in {}", ctx.timeout_text()),
            Failure::Rcode(r) => format!("{name} {} from {server}", wire::rcode_name(*r)),
            Failure::Garbled(e) => format!("{name} {e} from {server}"),
            Failure::Truncated => format!("{name} truncated answer from {server}"),
            Failure::Unreachable(e) => format!("{name} {server} {e}"),
        }),
    }
}

/// `10.96.0.10`, `127.0.0.1:5353`, `::1`, `[::1]:5353`.
fn parse_server(text: &str) -> std::result::Result<SocketAddr, String> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    match text.parse::<SocketAddr>() {
        Ok(a) if a.port() != 0 => Ok(a),
        Ok(_) => Err("port 0".into()),
        Err(_) => Err("give an IP address, optionally with :PORT".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert_eq!(
            parse_server("10.96.0.10").unwrap().to_string(),
            "10.96.0.10:53"
        );
        assert_eq!(
            parse_server("[::1]:5353").unwrap().to_string(),
            "[::1]:5353"
        );
        assert!(parse_server("dns.example").is_err());
        assert!(parse_server("1.2.3.4:0").is_err());
    }

    #[test]
    fn help_has_the_example_rule() {
        let help = npd_plugin::command::<Dns>().render_long_help().to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-dns"));
        assert!(!help.contains('%'));
    }
}
