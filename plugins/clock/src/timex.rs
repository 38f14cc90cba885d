//! What the kernel knows about its clock's synchronization: the fields of one adjtimex(2)
//! answer ([`Reading`]), their names, and a stand-in reading for tests. The call itself
//! is made in [`crate::measure`].
//!
//! Test seam: the hidden flag `--adjtimex-reading "ret=5 status=0x40 maxerror=16000000"`
//! replaces the syscall with a fixed reading (fields named as in `struct timex`, errors
//! in microseconds, numbers decimal or 0x-hex; `errno=N` makes the call fail with that
//! errno instead). It exists so that tests can feed states this machine is not in; it is
//! deliberately absent from --help.

use npd_plugin::{Error, Result};

/// The kernel's NTP_PHASE_LIMIT, in microseconds: maxerror never grows past it, and on
/// reaching it the kernel sets STA_UNSYNC itself. chrony, ntpd and systemd all take
/// "maxerror at this limit" to mean "not synchronized".
pub const MAXERROR_LIMIT_US: i64 = 16_000_000;

/// The answer of one adjtimex call: its return value and the fields that are judged or
/// explained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// The return value, the kernel's clock state (TIME_OK .. TIME_ERROR).
    pub state: i32,
    /// STA_* bits.
    pub status: i32,
    /// The kernel's bound on the clock's error, in microseconds. The time daemon sets
    /// it at each update; the kernel adds 500 us every second in between (the worst
    /// drift of an undisciplined clock) and stops at [`MAXERROR_LIMIT_US`].
    pub maxerror_us: i64,
    /// The daemon's estimate of the clock's error, in microseconds; the kernel leaves
    /// it as the daemon set it.
    pub esterror_us: i64,
    /// The PLL's remaining offset, in ns with STA_NANO, else us (explained only).
    pub offset: i64,
    /// The frequency correction in 2^-16 ppm (explained only).
    pub freq: i64,
}

impl Reading {
    /// Whether the kernel's own flag says unsynchronized: STA_UNSYNC, or the clock
    /// state TIME_ERROR (STA_UNSYNC, STA_CLOCKERR or a failed PPS discipline).
    pub fn flag_unsynchronized(&self) -> bool {
        self.status & libc::STA_UNSYNC != 0 || self.state == libc::TIME_ERROR
    }
}

/// Where readings come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The adjtimex(2) syscall.
    Kernel,
    /// The test seam: a fixed reading, or the errno the call fails with.
    StandIn(std::result::Result<Reading, i32>),
}

/// Parses the test seam's text (see the module doc); an error is one of the flag's.
pub fn parse_stand_in(text: &str) -> Result<Source> {
    let mut r = Reading::default();
    let mut state = None;
    for field in text.split_whitespace() {
        let (key, value) = field.split_once('=').ok_or_else(|| {
            Error::config(format!("adjtimex reading: {field:?} is not key=value"))
        })?;
        let n = parse_int(value).ok_or_else(|| {
            Error::config(format!("adjtimex reading: {key}={value:?} is not a number"))
        })?;
        let small = || {
            i32::try_from(n).map_err(|_| {
                Error::config(format!("adjtimex reading: {key}={value} is out of range"))
            })
        };
        match key {
            "errno" => return Ok(Source::StandIn(Err(small()?))),
            "ret" | "state" => state = Some(small()?),
            "status" => r.status = small()?,
            "maxerror" => r.maxerror_us = n,
            "esterror" => r.esterror_us = n,
            "offset" => r.offset = n,
            "freq" => r.freq = n,
            _ => {
                return Err(Error::config(format!(
                    "adjtimex reading: unknown field {key:?}"
                )))
            }
        }
    }
    // As the kernel would answer when only the status is given.
    r.state = state.unwrap_or(if r.status & libc::STA_UNSYNC != 0 {
        libc::TIME_ERROR
    } else {
        libc::TIME_OK
    });
    Ok(Source::StandIn(Ok(r)))
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    // from_str_radix takes a sign of its own; one sign is enough.
    if !digits.starts_with(|c: char| c.is_ascii_hexdigit()) {
        return None;
    }
    let n = i64::from_str_radix(digits, radix).ok()?;
    Some(if neg { -n } else { n })
}

/// The name of a clock state (adjtimex's return value), for --explain.
pub fn state_name(state: i32) -> &'static str {
    match state {
        libc::TIME_OK => "TIME_OK",
        libc::TIME_INS => "TIME_INS",
        libc::TIME_DEL => "TIME_DEL",
        libc::TIME_OOP => "TIME_OOP",
        libc::TIME_WAIT => "TIME_WAIT",
        libc::TIME_ERROR => "TIME_ERROR",
        _ => "unknown state",
    }
}

/// The STA_* bits set in `status`, by name, for --explain.
pub fn status_names(status: i32) -> String {
    const BITS: &[(i32, &str)] = &[
        (libc::STA_PLL, "PLL"),
        (libc::STA_PPSFREQ, "PPSFREQ"),
        (libc::STA_PPSTIME, "PPSTIME"),
        (libc::STA_FLL, "FLL"),
        (libc::STA_INS, "INS"),
        (libc::STA_DEL, "DEL"),
        (libc::STA_UNSYNC, "UNSYNC"),
        (libc::STA_FREQHOLD, "FREQHOLD"),
        (libc::STA_PPSSIGNAL, "PPSSIGNAL"),
        (libc::STA_PPSJITTER, "PPSJITTER"),
        (libc::STA_PPSWANDER, "PPSWANDER"),
        (libc::STA_PPSERROR, "PPSERROR"),
        (libc::STA_CLOCKERR, "CLOCKERR"),
        (libc::STA_NANO, "NANO"),
        (libc::STA_MODE, "MODE"),
        (libc::STA_CLK, "CLK"),
    ];
    let names: Vec<&str> = BITS
        .iter()
        .filter(|(bit, _)| status & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stand_in(text: &str) -> Reading {
        match parse_stand_in(text).unwrap() {
            Source::StandIn(Ok(r)) => r,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn stand_in_fields() {
        let r = stand_in("status=64 esterror=1000 maxerror=20000 ret=5");
        assert_eq!(
            r,
            Reading {
                state: 5,
                status: 64,
                maxerror_us: 20_000,
                esterror_us: 1_000,
                offset: 0,
                freq: 0
            }
        );
        assert!(r.flag_unsynchronized());
    }

    #[test]
    fn stand_in_state_follows_the_unsync_bit_unless_given() {
        let unsynced = stand_in("status=0x40");
        assert_eq!(unsynced.state, libc::TIME_ERROR);
        let synced = stand_in("status=0x2001 maxerror=1");
        assert_eq!(synced.state, libc::TIME_OK);
        assert!(!synced.flag_unsynchronized());
        let clockerr = stand_in("status=0x1000 ret=5");
        assert!(clockerr.flag_unsynchronized());
    }

    #[test]
    fn stand_in_errno() {
        assert_eq!(
            parse_stand_in("errno=1").unwrap(),
            Source::StandIn(Err(libc::EPERM))
        );
    }

    #[test]
    fn stand_in_garbage_is_rejected() {
        for bad in [
            "status",
            "status=x",
            "bogus=1",
            "status=99999999999",
            "errno=x",
            "maxerror=--5",
            "maxerror=0x-5",
        ] {
            let err = parse_stand_in(bad).unwrap_err();
            assert_eq!(err.kind(), npd_plugin::Kind::Config, "{bad:?}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(status_names(0x2041), "PLL,UNSYNC,NANO");
        assert_eq!(status_names(0), "none");
        assert_eq!(state_name(5), "TIME_ERROR");
    }
}
