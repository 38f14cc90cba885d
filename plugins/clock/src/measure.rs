//! The one measurement: an adjtimex(2) read, or the test seam's stand-in. A call that
//! fails or answers nonsense is Unobserved: the clock was not seen.
//!
//! adjtimex with `modes` 0 changes nothing and needs no privilege. The clock is not
//! namespaced, so inside NPD's container the call reads the host kernel's state: no
//! host root is involved.

use std::io;

use npd_plugin::{explain, short_io_reason, Context, Error, Result};

use crate::config::Config;
use crate::timex::{state_name, status_names, Reading, Source};

/// Reads the clock's state from the configured source.
pub fn measure(config: &Config, ctx: &Context) -> Result<Reading> {
    let reading = read(&config.source).map_err(|e| {
        Error::unobserved(format!(
            "adjtimex failed: {} (a seccomp profile that forbids it?)",
            short_io_reason(&e)
        ))
    })?;
    explain_reading(&reading, ctx);
    if reading.maxerror_us < 0 || reading.esterror_us < 0 {
        return Err(Error::unobserved(format!(
            "adjtimex gave a negative error (maxerror {}us, esterror {}us)",
            reading.maxerror_us, reading.esterror_us
        )));
    }
    Ok(reading)
}

fn read(source: &Source) -> io::Result<Reading> {
    match source {
        Source::Kernel => read_kernel(),
        Source::StandIn(Ok(r)) => Ok(*r),
        Source::StandIn(Err(errno)) => Err(io::Error::from_raw_os_error(*errno)),
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

/// Prints the reading on stderr for --explain.
fn explain_reading(r: &Reading, ctx: &Context) {
    let offset_unit = if r.status & libc::STA_NANO != 0 {
        "ns"
    } else {
        "us"
    };
    explain!(
        ctx,
        "adjtimex: state {} ({}), status 0x{:04x} ({}), maxerror {}us, esterror {}us, \
         offset {}{offset_unit}, freq {:.3} ppm",
        state_name(r.state),
        r.state,
        r.status,
        status_names(r.status),
        r.maxerror_us,
        r.esterror_us,
        r.offset,
        r.freq as f64 / 65536.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_in_errno() {
        let err = read(&Source::StandIn(Err(libc::EPERM))).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
    }

    #[test]
    fn the_real_call_answers() {
        let r = read(&Source::Kernel).expect("adjtimex(modes 0) needs no privilege");
        assert!((0..=5).contains(&r.state), "{r:?}");
        assert!(r.maxerror_us >= 0 && r.esterror_us >= 0, "{r:?}");
    }
}
