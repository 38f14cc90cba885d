//! Every call of a run: the units' properties from systemd over the system bus, the
//! host's monotonic clock, and the restart counts kept in the state dir.
//!
//! For each unit: `LoadUnit` on the manager (it answers for a unit systemd has not
//! loaded too, where `GetUnit` would say NoSuchUnit for any unit that is stopped and
//! unreferenced), then `GetAll` on its Unit interface and, for a service, on its
//! Service interface. Every property read is checked for its type: a reply that is not
//! what systemd sends makes that unit Unknown, never a verdict.

use std::path::PathBuf;

use npd_plugin::{explain, Context, Error, Result};

use crate::bus::{Bus, Call};
use crate::config::Config;
use crate::restarts;
use crate::wire::Value;

/// Where the system bus listens, under the host root.
pub const BUS_SOCKET: &str = "/run/dbus/system_bus_socket";

const SYSTEMD: &str = "org.freedesktop.systemd1";
const MANAGER_PATH: &str = "/org/freedesktop/systemd1";
const MANAGER: &str = "org.freedesktop.systemd1.Manager";
const UNIT: &str = "org.freedesktop.systemd1.Unit";
const SERVICE: &str = "org.freedesktop.systemd1.Service";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

/// What systemd says of one unit it has a file for.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitState {
    pub load_state: String,
    pub active_state: String,
    pub sub_state: String,
    /// A service's Result ("success", "exit-code", "signal", "timeout", ...).
    pub result: Option<String>,
    /// A service's NRestarts (systemd 235 and later).
    pub n_restarts: Option<u32>,
    /// When the unit last left inactive/failed or active, in microseconds of
    /// CLOCK_MONOTONIC: the start of an activating period; 0 when never.
    pub left_us: u64,
}

/// One unit as seen.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    Loaded(UnitState),
    /// No unit file (LoadState not-found, or NoSuchUnit).
    Missing,
}

pub struct Measured {
    /// The host's CLOCK_MONOTONIC in microseconds, read after the replies.
    pub now_us: u64,
    /// Per configured unit, in order.
    pub units: Vec<Result<Seen>>,
    /// Per configured unit, restarts within the window (None: not counted this run),
    /// when --max-restarts was given.
    pub restarts: Option<Result<Vec<Option<u32>>>>,
}

pub fn measure(config: &Config, ctx: &Context) -> Result<Measured> {
    let socket: PathBuf = ctx.host_path(BUS_SOCKET);
    ctx.waiting_for(format!("the system bus at {}", socket.display()));
    let mut bus = Bus::connect(&socket, ctx.deadline(), ctx.timeout())?;
    let mut units = Vec::with_capacity(config.units.len());
    let mut lost = None;
    for name in &config.units {
        ctx.waiting_for(format!("systemd's answer on {name}"));
        match unit(&mut bus, name) {
            Ok(seen) => {
                if let Ok(seen) = &seen {
                    explain!(ctx, "{name}: {}", describe(seen));
                }
                units.push(seen);
            }
            // Nothing was heard of any unit: the bus or systemd is the answer.
            Err(e) if units.is_empty() => return Err(e),
            // What earlier units showed stands (a problem there is still one); the
            // rest were not seen.
            Err(e) => {
                units.resize(config.units.len(), Err(e.clone()));
                lost = Some(e);
                break;
            }
        }
    }
    let now_us = monotonic_us();
    let restarts = config.restarts.map(|rule| {
        // Counting without the units the bus did not answer for would forget them.
        if let Some(e) = &lost {
            return Err(e.clone());
        }
        let counts: Vec<(&str, Option<u32>)> = config
            .units
            .iter()
            .zip(&units)
            .map(|(name, seen)| match seen {
                Ok(Seen::Loaded(u)) => (name.as_str(), u.n_restarts),
                _ => (name.as_str(), None),
            })
            .collect();
        restarts::track(ctx, &rule, &counts)
    });
    Ok(Measured {
        now_us,
        units,
        restarts,
    })
}

fn describe(seen: &Seen) -> String {
    match seen {
        Seen::Missing => "no such unit".into(),
        Seen::Loaded(u) => format!(
            "LoadState {}, ActiveState {}, SubState {}, Result {}, NRestarts {}, left \
             inactive or active at {} us",
            u.load_state,
            u.active_state,
            u.sub_state,
            u.result.as_deref().unwrap_or("-"),
            u.n_restarts.map_or("-".into(), |n| n.to_string()),
            u.left_us
        ),
    }
}

/// The outer error is the bus or systemd being unreachable (the whole check is
/// Unknown); the inner one is about this unit only.
fn unit(bus: &mut Bus, name: &str) -> Result<Result<Seen>> {
    let path = match bus.call(SYSTEMD, MANAGER_PATH, MANAGER, "LoadUnit", &[name])? {
        Call::Reply(body) => match &body[..] {
            [Value::Text('o', path)] => path.clone(),
            _ => {
                return Ok(Err(malformed(
                    name,
                    "LoadUnit did not return an object path",
                )))
            }
        },
        Call::Remote { name: error, text } => return remote(name, &error, &text),
    };
    let props = match get_all(bus, &path, UNIT)? {
        Ok(p) => p,
        Err(why) => return Ok(Err(malformed(name, &why))),
    };
    let load_state = match text(&props, "LoadState") {
        Ok(s) => s,
        Err(why) => return Ok(Err(malformed(name, &why))),
    };
    if load_state == "not-found" {
        return Ok(Ok(Seen::Missing));
    }
    let read = || -> std::result::Result<UnitState, String> {
        let left = |p: &str| number(&props, p).map(|v| v.unwrap_or(0));
        Ok(UnitState {
            active_state: text(&props, "ActiveState")?,
            sub_state: text(&props, "SubState")?,
            left_us: left("InactiveExitTimestampMonotonic")?
                .max(left("ActiveExitTimestampMonotonic")?),
            load_state: load_state.clone(),
            result: None,
            n_restarts: None,
        })
    };
    let mut state = match read() {
        Ok(s) => s,
        Err(why) => return Ok(Err(malformed(name, &why))),
    };
    if name.ends_with(".service") {
        let service = match get_all(bus, &path, SERVICE)? {
            Ok(p) => p,
            Err(why) => return Ok(Err(malformed(name, &why))),
        };
        let fields = (|| -> std::result::Result<_, String> {
            let result = match service.iter().find(|(k, _)| k == "Result") {
                None => None,
                Some(_) => Some(text(&service, "Result")?),
            };
            Ok((result, count(&service, "NRestarts")?))
        })();
        match fields {
            Ok((result, n)) => (state.result, state.n_restarts) = (result, n),
            Err(why) => return Ok(Err(malformed(name, &why))),
        }
    }
    Ok(Ok(Seen::Loaded(state)))
}

/// An error reply to LoadUnit: systemd absent from the bus is the whole check's
/// failure; NoSuchUnit is a unit without a file; anything else is this unit's.
fn remote(unit: &str, error: &str, text: &str) -> Result<Result<Seen>> {
    match error {
        "org.freedesktop.DBus.Error.ServiceUnknown"
        | "org.freedesktop.DBus.Error.NameHasNoOwner" => {
            Err(Error::unobserved("systemd is not on the system bus"))
        }
        "org.freedesktop.systemd1.NoSuchUnit" => Ok(Ok(Seen::Missing)),
        _ => {
            let text: String = text.chars().take(60).collect();
            Ok(Err(Error::unobserved(format!(
                "{unit}: systemd answered {error}: {text}"
            ))))
        }
    }
}

fn malformed(unit: &str, why: &str) -> Error {
    Error::unobserved(format!("{unit}: unexpected reply from systemd: {why}"))
}

type Props = Vec<(String, Value)>;

/// `GetAll(interface)`: its a{sv} as (name, value) pairs; the inner error says what
/// was wrong with the reply.
fn get_all(
    bus: &mut Bus,
    path: &str,
    interface: &str,
) -> Result<std::result::Result<Props, String>> {
    let body = match bus.call(SYSTEMD, path, PROPERTIES, "GetAll", &[interface])? {
        Call::Reply(body) => body,
        Call::Remote { name, .. } => return Ok(Err(format!("GetAll {interface}: {name}"))),
    };
    let [Value::Array(entries)] = &body[..] else {
        return Ok(Err(format!("GetAll {interface} did not return a{{sv}}")));
    };
    let mut props = Vec::with_capacity(entries.len());
    for e in entries {
        match e {
            Value::Entry(k, v) => match (&**k, &**v) {
                (Value::Text('s', k), Value::Variant(v)) => props.push((k.clone(), (**v).clone())),
                _ => return Ok(Err(format!("GetAll {interface} did not return a{{sv}}"))),
            },
            _ => return Ok(Err(format!("GetAll {interface} did not return a{{sv}}"))),
        }
    }
    Ok(Ok(props))
}

fn text(props: &Props, name: &str) -> std::result::Result<String, String> {
    match props.iter().find(|(k, _)| k == name) {
        Some((_, Value::Text('s', s))) => Ok(s.clone()),
        Some(_) => Err(format!("{name} is not a string")),
        None => Err(format!("no {name}")),
    }
}

/// A `t` property, absent allowed.
fn number(props: &Props, name: &str) -> std::result::Result<Option<u64>, String> {
    match props.iter().find(|(k, _)| k == name) {
        Some((_, Value::U64(n))) => Ok(Some(*n)),
        Some(_) => Err(format!("{name} is not a uint64")),
        None => Ok(None),
    }
}

/// A `u` property, absent allowed (NRestarts before systemd 235).
fn count(props: &Props, name: &str) -> std::result::Result<Option<u32>, String> {
    match props.iter().find(|(k, _)| k == name) {
        Some((_, Value::U32(n))) => Ok(Some(*n)),
        Some(_) => Err(format!("{name} is not a uint32")),
        None => Ok(None),
    }
}

/// CLOCK_MONOTONIC, the clock of systemd's *TimestampMonotonic properties; one
/// kernel clock for the whole machine (a container shares it unless it has a time
/// namespace of its own, which Kubernetes does not create).
fn monotonic_us() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}
