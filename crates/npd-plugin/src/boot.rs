//! The host's boot clock: which boot this is (`boot_id`) and how long ago it began
//! (`/proc/uptime`), the time base of checks that compare one run with the next.
//!
//! Within a boot, time since boot moves at one pace whatever happens to the wall
//! clock (an NTP step, a wrong RTC), and suspend counts (it is CLOCK_BOOTTIME); a new
//! `boot_id` says that everything kept from the previous boot (PIDs, process start
//! times, clock readings) is meaningless. Both files are read under the host root,
//! which is also how tests set the time. Process start times (field 22 of
//! `/proc/<pid>/stat`) are clock ticks on the same clock: [`Boot::ticks_to_ms`].

use crate::{hostfile, Context, Error, Result};

pub const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";
pub const UPTIME: &str = "/proc/uptime";

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
    /// Reads both files; missing or garbled is an error of kind
    /// [`Unobserved`](crate::Kind::Unobserved) (the clock could not be read).
    pub fn read(ctx: &Context) -> Result<Boot> {
        let id = hostfile::required(ctx, BOOT_ID)?;
        let id = parse_boot_id(&id).ok_or_else(|| garbage(ctx, BOOT_ID, "not a boot id"))?;
        let uptime = hostfile::required(ctx, UPTIME)?;
        let now_ms = match uptime.split_whitespace().next() {
            None => return Err(garbage_text(ctx, UPTIME, "empty")),
            Some(first) => {
                parse_uptime(first).ok_or_else(|| garbage(ctx, UPTIME, "not seconds since boot"))?
            }
        };
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

fn garbage(ctx: &Context, path: &str, what: &str) -> Error {
    garbage_text(ctx, path, &format!("garbage ({what})"))
}

fn garbage_text(ctx: &Context, path: &str, why: &str) -> Error {
    Error::unobserved(format!("{}: {why}", ctx.host_path(path).display()))
}

/// The boot id without its newline, if it looks like one (hex digits and dashes).
fn parse_boot_id(text: &str) -> Option<String> {
    let id = text.trim();
    let ok =
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    ok.then(|| id.to_string())
}

/// The first field of `uptime` (seconds since boot, with a fraction) in milliseconds.
fn parse_uptime(first: &str) -> Option<u64> {
    let (whole, frac) = first.split_once('.').unwrap_or((first, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) {
        return None;
    }
    let secs: u64 = whole.parse().ok()?;
    let mut ms = 0u64;
    for (i, b) in frac.bytes().take(3).enumerate() {
        ms += u64::from(b - b'0') * [100, 10, 1][i];
    }
    Some(secs * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateDir;
    use std::time::Duration;

    fn ctx(root: &std::path::Path) -> Context {
        let state = StateDir::new("/nonexistent", "t", "t");
        Context::new(root, Duration::from_secs(4), false, state)
    }

    #[test]
    fn uptime_is_read_to_the_millisecond() {
        assert_eq!(parse_uptime("12345.67"), Some(12_345_670));
        assert_eq!(parse_uptime("5"), Some(5000));
        assert_eq!(parse_uptime("0.5"), Some(500));
        for bad in ["", "-1.0", "1e5", "abc", "1.2.3", "."] {
            assert!(parse_uptime(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn boot_ids_are_uuids() {
        assert_eq!(
            parse_boot_id("0b4e8f2c-9a1d-4c3e-8f00-1234567890ab\n").unwrap(),
            "0b4e8f2c-9a1d-4c3e-8f00-1234567890ab"
        );
        assert!(parse_boot_id("").is_none());
        assert!(parse_boot_id("not a uuid").is_none());
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
    fn a_fixture_tree_sets_the_clock_and_garbage_is_unobserved() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("proc/sys/kernel/random");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("boot_id"), "abc-123\n").unwrap();
        std::fs::write(tmp.path().join("proc/uptime"), "42.5 10.00\n").unwrap();
        let b = Boot::read(&ctx(tmp.path())).unwrap();
        assert_eq!((b.id.as_str(), b.now_ms), ("abc-123", 42_500));
        for (text, why) in [
            ("soon\n", "uptime: garbage (not seconds since boot)"),
            ("\n", "uptime: empty"),
        ] {
            std::fs::write(tmp.path().join("proc/uptime"), text).unwrap();
            let e = Boot::read(&ctx(tmp.path())).unwrap_err();
            assert!(e.message().ends_with(why), "{e}");
            assert_eq!(e.kind(), crate::Kind::Unobserved);
        }
    }

    #[test]
    fn the_real_host_has_both() {
        let b = Boot::read(&ctx(std::path::Path::new("/"))).unwrap();
        assert!(b.now_ms > 0 && !b.id.is_empty() && b.tick_hz > 0);
    }
}
