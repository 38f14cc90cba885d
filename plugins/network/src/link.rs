//! An interface's state as sysfs shows it (`/sys/class/net/<if>/flags` and
//! `operstate`), and what it means: up, running, or neither.
//!
//! `flags` holds the flags set on the device (`ip link set up` sets IFF_UP) but not
//! IFF_RUNNING, which the kernel computes when asked: an interface that is up runs
//! when its operational state is `up`, or `unknown` for the devices whose driver
//! keeps no such state (lo, dummy, some tun devices). This is the same rule,
//! applied to the same two facts.

use npd_plugin::{Error, Result};

/// IFF_UP: administratively up.
const IFF_UP: u32 = 0x1;
/// IFF_LOOPBACK.
const IFF_LOOPBACK: u32 = 0x8;

/// What sysfs says of one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub flags: u32,
    /// The operational state (RFC 2863 words: up, down, lowerlayerdown, dormant,
    /// testing, notpresent, unknown).
    pub operstate: String,
}

/// The verdict on one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Up and running.
    Running,
    /// Not administratively up.
    Down,
    /// Up, but its operational state says it cannot pass packets (no carrier).
    NotRunning(String),
}

impl Link {
    pub fn state(&self) -> State {
        if self.flags & IFF_UP == 0 {
            State::Down
        } else if matches!(self.operstate.as_str(), "up" | "unknown") {
            State::Running
        } else {
            State::NotRunning(self.operstate.clone())
        }
    }

    pub fn is_loopback(&self) -> bool {
        self.flags & IFF_LOOPBACK != 0
    }
}

/// Parses `flags` ("0x1003").
pub fn parse_flags(text: &str) -> Result<u32> {
    let t = text.trim();
    t.strip_prefix("0x")
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or_else(|| {
            let cut: String = t.chars().take(24).collect();
            Error::unobserved(format!("expected flags in hexadecimal, found {cut:?}"))
        })
}

/// Parses `operstate`: one lower-case word among the kernel's.
pub fn parse_operstate(text: &str) -> Result<String> {
    let t = text.trim();
    const KNOWN: [&str; 7] = [
        "unknown",
        "notpresent",
        "down",
        "lowerlayerdown",
        "testing",
        "dormant",
        "up",
    ];
    if KNOWN.contains(&t) {
        Ok(t.into())
    } else {
        let cut: String = t.chars().take(24).collect();
        Err(Error::unobserved(format!(
            "expected an operational state, found {cut:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(flags: u32, operstate: &str) -> Link {
        Link {
            flags,
            operstate: operstate.into(),
        }
    }

    #[test]
    fn running_is_up_with_an_operational_state_up_or_unknown() {
        assert_eq!(link(0x1003, "up").state(), State::Running);
        assert_eq!(link(0x9, "unknown").state(), State::Running);
        assert_eq!(link(0x1002, "down").state(), State::Down);
        assert_eq!(link(0x8, "unknown").state(), State::Down);
        assert_eq!(
            link(0x1003, "lowerlayerdown").state(),
            State::NotRunning("lowerlayerdown".into())
        );
        assert_eq!(
            link(0x1003, "dormant").state(),
            State::NotRunning("dormant".into())
        );
        assert!(link(0x9, "unknown").is_loopback());
        assert!(!link(0x1003, "up").is_loopback());
    }

    #[test]
    fn files_are_in_the_kernel_format() {
        assert_eq!(parse_flags("0x1003\n").unwrap(), 0x1003);
        assert_eq!(parse_operstate("up\n").unwrap(), "up");
        for bad in ["", "1003", "0xzz", "up"] {
            assert!(parse_flags(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "UP", "running", "0x1003"] {
            assert!(parse_operstate(bad).is_err(), "{bad:?}");
        }
    }
}
