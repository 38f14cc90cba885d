//! Reads what each selected aspect needs, under the host root: the interface list of
//! PID 1's network namespace (`/proc/1/net/dev`), interface states from
//! `/sys/class/net`, default routes from `/proc/1/net/{route,ipv6_route}` and the
//! forwarding sysctls from `/proc/sys/net`. Each reading keeps its own error, so that
//! one unreadable file does not hide a problem seen elsewhere.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use npd_plugin::hostfile::{parsed, required};
use npd_plugin::hostnet::require_host_network;
use npd_plugin::{explain, Context, Error, Result};

use crate::config::{Aspect, Config, Ip, Wanted, LOOPBACK};
use crate::link::{self, Link};
use crate::procnet;

pub const DEV: &str = "/proc/1/net/dev";
pub const ROUTE: &str = "/proc/1/net/route";
pub const IPV6_ROUTE: &str = "/proc/1/net/ipv6_route";
pub const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";
pub const IPV6_FORWARDING: &str = "/proc/sys/net/ipv6/conf/all/forwarding";

/// The interfaces judged: lo and the names given, then each pattern's matches.
#[derive(Debug)]
pub struct Interfaces {
    /// `None` when PID 1's network namespace has no such interface.
    pub named: Vec<(String, Result<Option<Link>>)>,
    pub globs: Vec<(String, Vec<Matched>)>,
}

/// An interface a pattern matched, and what sysfs says of it.
pub type Matched = (String, Result<Link>);

/// A default route's device and what sysfs says of it.
#[derive(Debug)]
pub struct RouteDev {
    pub dev: String,
    pub link: Result<Link>,
}

/// Everything read for the selected aspects.
#[derive(Debug, Default)]
pub struct Measured {
    pub interfaces: Option<Result<Interfaces>>,
    pub routes: Vec<(Ip, Result<Vec<RouteDev>>)>,
    /// Whether each IP version's forwarding is on.
    pub forwarding: Vec<(Ip, Result<bool>)>,
}

pub fn measure(config: &Config, ctx: &Context) -> Measured {
    let mut m = Measured::default();
    for aspect in &config.checks {
        match aspect {
            Aspect::Interfaces => m.interfaces = Some(interfaces(config, ctx)),
            Aspect::DefaultRoute => {
                m.routes = config.ips.iter().map(|&ip| (ip, routes(ip, ctx))).collect()
            }
            Aspect::Forwarding => {
                m.forwarding = config
                    .ips
                    .iter()
                    .map(|&ip| (ip, forwarding(ip, ctx)))
                    .collect()
            }
        }
    }
    m
}

/// The state of interface `name` from sysfs. sysfs lists the devices of the network
/// namespace that mounted it: an interface of PID 1's list missing there is sysfs
/// of another namespace (a pod's own /sys), and is Unknown like any missing file.
pub fn link(ctx: &Context, name: &str) -> Result<Link> {
    let dir = format!("/sys/class/net/{name}");
    let flags = parsed(ctx, &format!("{dir}/flags"), link::parse_flags)?;
    let operstate = parsed(ctx, &format!("{dir}/operstate"), link::parse_operstate)?;
    let link = Link { flags, operstate };
    explain!(
        ctx,
        "{}: flags {:#x}, operstate {}: {:?}",
        ctx.host_path(&dir).display(),
        link.flags,
        link.operstate,
        link.state()
    );
    Ok(link)
}

fn interfaces(config: &Config, ctx: &Context) -> Result<Interfaces> {
    let names = parsed(ctx, DEV, procnet::parse_dev)?;
    explain!(ctx, "{}: {}", ctx.host_path(DEV).display(), names.join(" "));
    let present = |name: &str| names.iter().any(|n| n == name);
    let mut named = vec![LOOPBACK.to_string()];
    let mut globs = Vec::new();
    for wanted in &config.wanted {
        match wanted {
            Wanted::Name(name) => named.push(name.clone()),
            Wanted::Glob { text, pattern } => {
                let matched: Vec<Matched> = names
                    .iter()
                    .filter(|n| pattern.matches(OsStr::from_bytes(n.as_bytes())))
                    .map(|n| (n.clone(), link(ctx, n)))
                    .collect();
                explain!(
                    ctx,
                    "{text} matches {} interface(s), at least {} wanted",
                    matched.len(),
                    config.min_matches
                );
                globs.push((text.clone(), matched));
            }
        }
    }
    let named = named
        .into_iter()
        .map(|name| {
            let state = if present(&name) {
                link(ctx, &name).map(Some)
            } else {
                explain!(ctx, "{name}: not in {}", ctx.host_path(DEV).display());
                Ok(None)
            };
            (name, state)
        })
        .collect();
    Ok(Interfaces { named, globs })
}

fn routes(ip: Ip, ctx: &Context) -> Result<Vec<RouteDev>> {
    let defaults = match ip {
        Ip::V4 => parsed(ctx, ROUTE, procnet::parse_route)?,
        Ip::V6 => parsed(ctx, IPV6_ROUTE, procnet::parse_ipv6_route)?,
    };
    explain!(
        ctx,
        "{} default routes: {}",
        ip.name(),
        if defaults.is_empty() {
            "none".to_string()
        } else {
            let devs: Vec<&str> = defaults.iter().map(|d| d.dev.as_str()).collect();
            format!("via {}", devs.join(", "))
        }
    );
    let mut devs: Vec<RouteDev> = Vec::new();
    for route in defaults {
        // Several default routes through one device (metrics, next hops) are one.
        if !devs.iter().any(|d| d.dev == route.dev) {
            let link = link(ctx, &route.dev);
            devs.push(RouteDev {
                dev: route.dev,
                link,
            });
        }
    }
    Ok(devs)
}

fn forwarding(ip: Ip, ctx: &Context) -> Result<bool> {
    require_host_network(ctx, "forwarding")?;
    let path = match ip {
        Ip::V4 => IP_FORWARD,
        Ip::V6 => IPV6_FORWARDING,
    };
    let text = required(ctx, path)?;
    let on = match text.trim().parse::<i64>() {
        Ok(value) => value != 0,
        Err(_) => {
            let cut: String = text.trim().chars().take(24).collect();
            return Err(Error::unobserved(format!(
                "{}: expected a number, found {cut:?}",
                ctx.host_path(path).display()
            )));
        }
    };
    explain!(ctx, "{}: {}", ctx.host_path(path).display(), text.trim());
    Ok(on)
}
