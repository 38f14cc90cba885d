//! What the kernel knows about its clock's synchronization: one read-only adjtimex(2)
//! call, and a stand-in reading for tests.
//!
//! adjtimex with `modes` 0 changes nothing and needs no privilege. The clock is not
//! namespaced, so inside NPD's container the call reads the host kernel's state: no
//! host root is involved.
//!
//! Test seam: the hidden flag `--adjtimex-reading "ret=5 status=0x40 maxerror=16000000"`
//! replaces the syscall with a fixed reading (fields named as in `struct timex`, errors
//! in microseconds, numbers decimal or 0x-hex; `errno=N` makes the call fail with that
//! errno instead). It exists so that tests can feed states this machine is not in; it is
//! deliberately absent from --help.

use std::io;

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
    StandIn(Result<Reading, i32>),
}

impl Source {
    pub fn read(&self) -> io::Result<Reading> {
        match self {
            Source::Kernel => read_kernel(),
            Source::StandIn(Ok(r)) => Ok(*r),
            Source::StandIn(Err(errno)) => Err(io::Error::from_raw_os_error(*errno)),
        }
    }
}

fn read_kernel() -> io::Result<Reading> {
    // SAFETY: timex is plain integers; all zero means modes 0, a pure read.
    let mut tx: libc::timex = unsafe { std::mem::zeroed() };
    // SAFETY: adjtimex fills the struct we own.
    let ret = unsafe { libc::adjtimex(&mut tx) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // c_long is i32 on some targets
    Ok(Reading {
        state: ret,
        status: tx.status,
        maxerror_us: tx.maxerror as i64,
        esterror_us: tx.esterror as i64,
        offset: tx.offset as i64,
        freq: tx.freq as i64,
    })
}

/// Parses the test seam's text (see the module doc).
pub fn parse_stand_in(text: &str) -> Result<Source, String> {
    let mut r = Reading::default();
    let mut state = None;
    for field in text.split_whitespace() {
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| format!("adjtimex reading: {field:?} is not key=value"))?;
        let n = parse_int(value)
            .ok_or_else(|| format!("adjtimex reading: {key}={value:?} is not a number"))?;
        let small = || {
            i32::try_from(n).map_err(|_| format!("adjtimex reading: {key}={value} is out of range"))
        };
        match key {
            "errno" => return Ok(Source::StandIn(Err(small()?))),
            "ret" | "state" => state = Some(small()?),
            "status" => r.status = small()?,
            "maxerror" => r.maxerror_us = n,
            "esterror" => r.esterror_us = n,
            "offset" => r.offset = n,
            "freq" => r.freq = n,
            _ => return Err(format!("adjtimex reading: unknown field {key:?}")),
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

    #[test]
    fn stand_in_fields() {
        let s = parse_stand_in("status=64 esterror=1000 maxerror=20000 ret=5").unwrap();
        let r = s.read().unwrap();
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
        let unsynced = parse_stand_in("status=0x40").unwrap().read().unwrap();
        assert_eq!(unsynced.state, libc::TIME_ERROR);
        let synced = parse_stand_in("status=0x2001 maxerror=1")
            .unwrap()
            .read()
            .unwrap();
        assert_eq!(synced.state, libc::TIME_OK);
        assert!(!synced.flag_unsynchronized());
        let clockerr = parse_stand_in("status=0x1000 ret=5")
            .unwrap()
            .read()
            .unwrap();
        assert!(clockerr.flag_unsynchronized());
    }

    #[test]
    fn stand_in_errno() {
        let err = parse_stand_in("errno=1").unwrap().read().unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
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
            assert!(parse_stand_in(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_real_call_answers() {
        let r = Source::Kernel
            .read()
            .expect("adjtimex(modes 0) needs no privilege");
        assert!((0..=5).contains(&r.state), "{r:?}");
        assert!(r.maxerror_us >= 0 && r.esterror_us >= 0, "{r:?}");
    }

    #[test]
    fn names() {
        assert_eq!(status_names(0x2041), "PLL,UNSYNC,NANO");
        assert_eq!(status_names(0), "none");
        assert_eq!(state_name(5), "TIME_ERROR");
    }
}
