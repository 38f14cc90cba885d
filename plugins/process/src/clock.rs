//! The host's boot-relative clock: which boot this is (`boot_id`) and how long ago it
//! began (`uptime`), the time base of the checks that compare runs.
//!
//! Process start times are clock ticks after boot, so keeping everything relative to
//! boot needs no wall clock: a clock step (NTP, a wrong RTC) cannot age a process
//! or a start, and a new `boot_id` says that every kept PID is meaningless. Both
//! files are read under the host root, which is also how tests set the time.

use npd_plugin::hostfile;
use npd_plugin::{Context, Error, Result};

const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";
const UPTIME: &str = "/proc/uptime";

/// Where this run stands in the host's life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boot {
    /// A random UUID the kernel draws at every boot.
    pub id: String,
    /// Milliseconds since boot (CLOCK_BOOTTIME, suspend included).
    pub now_ms: u64,
    /// Clock ticks per second of the start times in `stat` (USER_HZ).
    pub tick_hz: u64,
}

impl Boot {
    /// Reads both files; missing or garbled is an error (the checks cannot judge).
    pub fn read(ctx: &Context) -> Result<Boot> {
        let id = hostfile::required(ctx, BOOT_ID)?;
        let id = parse_boot_id(&id).map_err(|why| garbage(ctx, BOOT_ID, why))?;
        let uptime = hostfile::required(ctx, UPTIME)?;
        let now_ms = parse_uptime(&uptime).map_err(|why| garbage(ctx, UPTIME, why))?;
        Ok(Boot {
            id,
            now_ms,
            tick_hz: tick_hz(),
        })
    }

    /// A `stat` start time (ticks after boot) in milliseconds after boot.
    pub fn ticks_to_ms(&self, ticks: u64) -> u64 {
        let ms = u128::from(ticks) * 1000 / u128::from(self.tick_hz.max(1));
        u64::try_from(ms).unwrap_or(u64::MAX)
    }
}

fn garbage(ctx: &Context, path: &str, why: &str) -> Error {
    Error::new(format!("{}: {why}", ctx.host_path(path).display()))
}

/// USER_HZ is 100 on every architecture Kubernetes runs on; the kernel says so too.
fn tick_hz() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 {
        hz as u64
    } else {
        100
    }
}

pub fn parse_boot_id(text: &str) -> std::result::Result<String, &'static str> {
    let id = text.trim();
    let ok =
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if ok {
        Ok(id.to_string())
    } else {
        Err("garbage (not a boot id)")
    }
}

/// The first field of `uptime`: seconds since boot, with a fraction.
pub fn parse_uptime(text: &str) -> std::result::Result<u64, &'static str> {
    let first = text.split_whitespace().next().ok_or("empty")?;
    let (whole, frac) = first.split_once('.').unwrap_or((first, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) {
        return Err("garbage (not seconds since boot)");
    }
    let secs: u64 = whole
        .parse()
        .map_err(|_| "garbage (not seconds since boot)")?;
    let mut ms = 0u64;
    for (i, b) in frac.bytes().take(3).enumerate() {
        ms += u64::from(b - b'0') * [100, 10, 1][i];
    }
    Ok(secs * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_is_read_to_the_millisecond() {
        assert_eq!(parse_uptime("12345.67 54321.00\n"), Ok(12_345_670));
        assert_eq!(parse_uptime("5 1\n"), Ok(5000));
        assert_eq!(parse_uptime("0.5"), Ok(500));
        for bad in ["", "\n", "-1.0 2", "1e5 2", "abc", "1.2.3", "."] {
            assert!(parse_uptime(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn boot_ids_are_uuids() {
        assert_eq!(
            parse_boot_id("0b4e8f2c-9a1d-4c3e-8f00-1234567890ab\n").unwrap(),
            "0b4e8f2c-9a1d-4c3e-8f00-1234567890ab"
        );
        assert!(parse_boot_id("").is_err());
        assert!(parse_boot_id("not a uuid").is_err());
    }

    #[test]
    fn ticks_become_milliseconds() {
        let b = Boot {
            id: "x".into(),
            now_ms: 0,
            tick_hz: 100,
        };
        assert_eq!(b.ticks_to_ms(4242), 42_420);
        assert_eq!(b.ticks_to_ms(u64::MAX), u64::MAX);
    }

    #[test]
    fn the_real_host_has_both() {
        let state = npd_plugin::state::StateDir::new("/nonexistent", "t", "t");
        let ctx = Context::new("/", std::time::Duration::from_secs(4), false, state);
        let b = Boot::read(&ctx).unwrap();
        assert!(b.now_ms > 0 && b.tick_hz > 0);
    }
}
