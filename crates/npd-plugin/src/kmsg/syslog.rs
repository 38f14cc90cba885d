//! The kernel log through the syslog(2) call, for where `/dev/kmsg` is refused: a
//! container that is not privileged may not open character device 1:11 whatever its
//! capabilities, but the call is not a device and needs only `CAP_SYSLOG` (nothing
//! with `kernel.dmesg_restrict=0`).
//!
//! `SYSLOG_ACTION_READ_ALL` copies the ring buffer's records, oldest first, as text
//! lines `<prio>[ seconds.micros] message` (the time only with `printk.time=Y`, the
//! default of every distribution kernel; a `[  T123]` caller field may follow it). It
//! leaves the buffer as it is, unlike `SYSLOG_ACTION_READ`, which would take the
//! records from every other reader of the call. The time is the same microsecond
//! count /dev/kmsg gives, so the cursor's position by time holds across the two.

use super::{Record, Taker};
use crate::{Error, Result};

/// `SYSLOG_ACTION_READ_ALL` and `SYSLOG_ACTION_SIZE_BUFFER` of syslog(2).
const READ_ALL: libc::c_int = 3;
const SIZE_BUFFER: libc::c_int = 10;

/// The most of the ring buffer read, as for a file of records: a `log_buf_len` set
/// larger than this is read from its newest 32 MiB.
const MAX_BYTES: usize = 32 << 20;

/// Reads the whole ring buffer into `taker`.
pub(super) fn read(taker: &mut Taker) -> Result<()> {
    taker
        .ctx
        .waiting_for("reading the kernel log with syslog(2)");
    let refused = |e: std::io::Error| match e.raw_os_error() {
        Some(libc::EPERM | libc::EACCES) => {
            Error::unobserved("kernel log: /dev/kmsg refused, syslog(2) needs CAP_SYSLOG")
        }
        _ => Error::unobserved(format!("kernel log: syslog(2): {e}")),
    };
    // SAFETY: SIZE_BUFFER takes no buffer and returns the ring buffer's size.
    let size = unsafe { libc::klogctl(SIZE_BUFFER, std::ptr::null_mut(), 0) };
    if size < 0 {
        return Err(refused(std::io::Error::last_os_error()));
    }
    let mut buf = vec![0u8; (size as usize).clamp(1, MAX_BYTES)];
    let len = libc::c_int::try_from(buf.len()).unwrap_or(libc::c_int::MAX);
    // SAFETY: the buffer is valid for `len` bytes; the kernel writes at most that many
    // and returns how many it wrote.
    let n = unsafe { libc::klogctl(READ_ALL, buf.as_mut_ptr().cast(), len) };
    if n < 0 {
        return Err(refused(std::io::Error::last_os_error()));
    }
    buf.truncate(n as usize);
    let text = String::from_utf8_lossy(&buf);
    let mut seen = 0usize;
    for line in text.lines().filter(|l| !l.is_empty()) {
        seen += 1;
        let Some(record) = parse_line(line) else {
            if !line.starts_with('<') {
                // The buffer's first line, cut by the length asked for.
                continue;
            }
            if line_has_no_time(line) {
                return Err(Error::unobserved(
                    "kernel log has no times (printk.time=N): new lines unknown",
                ));
            }
            taker.batch.malformed += 1;
            continue;
        };
        if !taker.take(record, seen) {
            break;
        }
    }
    Ok(())
}

/// Parses `<prio>[ seconds.micros] message`, with an optional caller field
/// (`[  T123]` or `[ C1]`) after the time.
pub fn parse_line(line: &str) -> Option<Record> {
    let rest = line.strip_prefix('<')?;
    let (prio, rest) = rest.split_once('>')?;
    let prio = digits(prio)?.try_into().ok()?;
    let rest = rest.strip_prefix('[')?;
    let (time, rest) = rest.split_once(']')?;
    let (secs, micros) = time.trim_start().split_once('.')?;
    if micros.len() != 6 {
        return None;
    }
    let usec = digits(secs)?
        .checked_mul(1_000_000)?
        .checked_add(digits(micros)?)?;
    let rest = match rest.strip_prefix('[') {
        Some(caller) => caller.split_once(']')?.1,
        None => rest,
    };
    Some(Record {
        prio,
        seq: None,
        usec,
        message: rest.strip_prefix(' ').unwrap_or(rest).to_string(),
    })
}

/// A line that has a priority but no time: the kernel prints none.
fn line_has_no_time(line: &str) -> bool {
    line.split_once('>')
        .is_some_and(|(_, rest)| !rest.starts_with('['))
}

fn digits(s: &str) -> Option<u64> {
    (!s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_and_without_a_caller_field() {
        let r = parse_line("<4>[86243.118000] NVRM: Xid (PCI:0000:3b:00): 79, pid=1").unwrap();
        assert_eq!((r.prio, r.seq, r.usec), (4, None, 86_243_118_000));
        assert_eq!(r.message, "NVRM: Xid (PCI:0000:3b:00): 79, pid=1");
        let r = parse_line("<6>[    0.000012][    T0] Linux version 6.1").unwrap();
        assert_eq!((r.usec, r.message.as_str()), (12, "Linux version 6.1"));
        assert_eq!(parse_line("<14>[    1.500000] ").unwrap().message, "");
        for bad in [
            "",
            "no prio",
            "<x>[ 1.000000] m",
            "<4> m",
            "<4>[1.5] m",
            "<4>[ 1.000000 m",
            "<4>[a.000000] m",
            "<4>[99999999999999999999.000000] m",
        ] {
            assert!(parse_line(bad).is_none(), "{bad:?}");
        }
        assert!(line_has_no_time("<4>NVRM: Xid"));
        assert!(!line_has_no_time("<4>[garbled"));
    }
}
