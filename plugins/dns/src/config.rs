//! The flags of `npd-dns` and their validation into a [`Config`]: the names, where the
//! servers come from, the record type and what the answers must hold.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use npd_plugin::units::parse_duration;
use npd_plugin::{Configure, Error, Result};

use crate::wire::{self, RecordType};

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
    pub resolv_conf: Option<PathBuf>,

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
    pub resolv_conf: Option<PathBuf>,
    pub rtype: RecordType,
    pub expect: Vec<IpAddr>,
    pub max_latency: Option<Duration>,
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags: names DNS can carry, servers as addresses, expected addresses
    /// of the type asked for.
    fn configure(args: Args) -> Result<Config> {
        let mut names = Vec::new();
        for name in &args.names {
            let bare = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            wire::query(0, &bare, RecordType::A).map_err(|e| e.context("--name"))?;
            if !bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            {
                return Err(Error::config(format!(
                    "--name {name:?} has characters DNS names do not"
                )));
            }
            names.push(bare);
        }
        let mut servers = Vec::new();
        for s in &args.servers {
            servers.push(parse_server(s).map_err(|e| e.context(format!("--server {s:?}")))?);
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
            return Err(Error::config(format!(
                "--expect-address {ip} is not of --type {}",
                rtype.as_str()
            )));
        }
        if args.max_latency.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("--max-latency must be above 0"));
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
}

/// `10.96.0.10`, `127.0.0.1:5353`, `::1`, `[::1]:5353`.
fn parse_server(text: &str) -> Result<SocketAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    match text.parse::<SocketAddr>() {
        Ok(a) if a.port() != 0 => Ok(a),
        Ok(_) => Err(Error::config("port 0")),
        Err(_) => Err(Error::config("give an IP address, optionally with :PORT")),
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
    fn bad_flags_name_the_flag() {
        let configure = |args: &[&str]| npd_plugin::configure_from::<crate::Dns>(args);
        let e = configure(&["--name", "a..b"]).unwrap_err();
        assert_eq!(e.message(), "--name: \"a..b\" is not a valid DNS name");
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
        let e = configure(&["--name", "x", "--server", "1.2.3.4:0"]).unwrap_err();
        assert_eq!(e.message(), "--server \"1.2.3.4:0\": port 0");
    }
}
