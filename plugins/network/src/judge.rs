//! Judges the readings: an interface judged that is missing, down or not running, an
//! IP version without a default route through a usable device, forwarding off. A
//! problem seen wins over a reading that failed (a blind spot must not hide a down
//! link); with no problem, a failed reading makes the answer Unknown.

use npd_plugin::{Context, Error, Outcome, Result};

use crate::config::{Aspect, Config, Ip};
use crate::link::{Link, State};
use crate::measure::{Interfaces, Measured, RouteDev};

pub fn judge(config: &Config, m: Measured, ctx: &Context) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut failed = Vec::new();
    for aspect in &config.checks {
        match aspect {
            Aspect::Interfaces => match m.interfaces.as_ref() {
                Some(Ok(seen)) => interfaces(config, seen, &mut problems, &mut failed),
                Some(Err(e)) => failed.push(e.clone()),
                None => {}
            },
            Aspect::DefaultRoute => {
                for (ip, read) in &m.routes {
                    match read {
                        Ok(devs) => match route(*ip, devs) {
                            Ok(None) => {}
                            Ok(Some(problem)) => problems.push(problem),
                            Err(e) => failed.push(e),
                        },
                        Err(e) => failed.push(e.clone()),
                    }
                }
            }
            Aspect::Forwarding => {
                for (ip, read) in &m.forwarding {
                    match read {
                        Ok(true) => {}
                        Ok(false) => problems.push(format!("{} is 0", sysctl(*ip))),
                        Err(e) => failed.push(e.clone()),
                    }
                }
            }
        }
    }
    let outcome = Outcome::from_problems(problems, ok_message(config));
    ctx.despite(outcome, failed)
}

fn sysctl(ip: Ip) -> &'static str {
    match ip {
        Ip::V4 => "net.ipv4.ip_forward",
        Ip::V6 => "net.ipv6.conf.all.forwarding",
    }
}

/// Why an interface that exists is not usable, or `None`.
fn unusable(name: &str, link: &Link) -> Option<String> {
    match link.state() {
        State::Running => None,
        State::Down => Some(format!("{name} down")),
        State::NotRunning(operstate) => Some(format!("{name} not running ({operstate})")),
    }
}

fn interfaces(
    config: &Config,
    seen: &Interfaces,
    problems: &mut Vec<String>,
    failed: &mut Vec<Error>,
) {
    for (name, read) in &seen.named {
        match read {
            Ok(None) => problems.push(format!("{name} missing")),
            Ok(Some(link)) => problems.extend(unusable(name, link)),
            Err(e) => failed.push(e.clone()),
        }
    }
    for (text, matched) in &seen.globs {
        for (name, read) in matched {
            match read {
                Ok(link) => problems.extend(unusable(name, link)),
                Err(e) => failed.push(e.clone()),
            }
        }
        if matched.len() < config.min_matches {
            problems.push(format!(
                "{text} matches {} interfaces < {}",
                matched.len(),
                config.min_matches
            ));
        }
    }
}

/// One IP version's default routes: usable when one goes through a device that is
/// up, running and not a loopback. Unknown when none is usable and a device could
/// not be read: that one might have been.
fn route(ip: Ip, devs: &[RouteDev]) -> Result<Option<String>> {
    let Some(first) = devs.first() else {
        return Ok(Some(format!("no {} default route", ip.name())));
    };
    let mut why = None;
    let mut failed = None;
    for d in devs {
        match &d.link {
            Ok(link) if link.is_loopback() => {
                why.get_or_insert_with(|| format!("{} is a loopback", d.dev));
            }
            Ok(link) => match unusable(&d.dev, link) {
                None => return Ok(None),
                Some(text) => {
                    why.get_or_insert(text);
                }
            },
            Err(e) => {
                failed.get_or_insert_with(|| e.clone());
            }
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let why = why.unwrap_or_else(|| first.dev.clone());
    Ok(Some(format!(
        "no usable {} default route: {why}",
        ip.name()
    )))
}

/// A stable message: what is fine, from the configuration alone.
fn ok_message(config: &Config) -> String {
    let ips = match config.ips[..] {
        [one] => one.name().to_string(),
        _ => "IPv4 and IPv6".to_string(),
    };
    let plural = if config.ips.len() > 1 { "s" } else { "" };
    let parts: Vec<String> = config
        .checks
        .iter()
        .map(|aspect| match aspect {
            Aspect::Interfaces => "interfaces up".to_string(),
            Aspect::DefaultRoute => format!("{ips} default route{plural} present"),
            Aspect::Forwarding => format!("{ips} forwarding on"),
        })
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(name: &str, flags: u32, operstate: &str) -> RouteDev {
        RouteDev {
            dev: name.into(),
            link: Ok(Link {
                flags,
                operstate: operstate.into(),
            }),
        }
    }

    #[test]
    fn one_usable_default_route_is_enough() {
        let devs = [dev("eth1", 0x1002, "down"), dev("eth0", 0x1003, "up")];
        assert_eq!(route(Ip::V4, &devs).unwrap(), None);
        assert_eq!(
            route(Ip::V6, &[]).unwrap().unwrap(),
            "no IPv6 default route"
        );
        assert_eq!(
            route(Ip::V4, &devs[..1]).unwrap().unwrap(),
            "no usable IPv4 default route: eth1 down"
        );
        let lo = dev("lo", 0x9, "unknown");
        assert_eq!(
            route(Ip::V4, &[lo]).unwrap().unwrap(),
            "no usable IPv4 default route: lo is a loopback"
        );
        let unread = RouteDev {
            dev: "eth2".into(),
            link: Err(Error::unobserved("cannot read")),
        };
        assert!(route(Ip::V4, &[dev("eth1", 0x1002, "down"), unread]).is_err());
    }
}
