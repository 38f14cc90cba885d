//! The kernel log since the last run: the records of `<host-root>/dev/kmsg` that the
//! previous run of the same rule did not see, for checks that judge kernel messages
//! (npd-gpu's XIDs).
//!
//! `/dev/kmsg` hands out one record per `read()`: `prio,seq,usec,flags;message\n`,
//! then dictionary lines that start with a space. It is opened non-blocking, so
//! `EAGAIN` is the end of the log; `EPIPE` says the ring buffer overwrote the record
//! the reader was at, and the next read goes on with the oldest one left. A fixture
//! host root has a regular file there instead, the same records one per line: both
//! shapes are read, and parsed by the same [`parse_record`].
//!
//! A cursor (the boot id and the last sequence number seen) is kept in the check's
//! state dir, so that each run gets only newer records. Sequence numbers start again
//! at every boot: a cursor of another boot is dropped and the log read from its
//! start. Without a cursor (the first run on a node, or after the state was lost)
//! the whole buffer since boot is returned, marked [`Batch::first_run`]: what
//! happened before NPD started (a GPU that fell off the bus during the driver's
//! start) is as true as what happens later, which is also how NPD's kernel monitor
//! reads the log (from boot, with a lookback). A caller that reports events rather
//! than states ignores such a batch, and so takes a baseline.
//!
//! A run reads at most [`Limits`] of new records and stops at the check's deadline;
//! the cursor then stands at the last record taken, and the next run goes on from
//! there ([`Batch::more`]).
//!
//! Reading `/dev/kmsg` takes the device cgroup's permission for character device
//! 1:11 and, where `kernel.dmesg_restrict=1`, `CAP_SYSLOG`. A container that is not
//! privileged never has the first: when the device is there but refused, the log is
//! read with the syslog(2) call instead ([`syslog`]), which the device cgroup does not
//! govern and which needs only `CAP_SYSLOG` (or `dmesg_restrict=0`). Its lines carry
//! no sequence number, so the cursor also keeps the time of the last record taken and
//! how many records of that same microsecond were taken: a position both readers
//! share, so that a node may move from one to the other without reading twice.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};

use serde::{Deserialize, Serialize};

use crate::boot::Boot;
use crate::{Context, Error, Result};

mod syslog;

/// The kernel log device, under the host root.
pub const PATH: &str = "/dev/kmsg";

/// The largest record the kernel hands out is a little over 8 KiB (message and
/// dictionary); a smaller buffer makes `read()` fail with EINVAL.
const RECORD_BUF: usize = 16 << 10;

/// How many records are read between two looks at the deadline.
const DEADLINE_EVERY: usize = 256;

/// One kernel log record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The syslog priority (level in the low 3 bits, facility above).
    pub prio: u32,
    /// The record's sequence number in this boot; `None` when read with syslog(2),
    /// which does not give it.
    pub seq: Option<u64>,
    /// Microseconds since boot (CLOCK_MONOTONIC) when it was logged.
    pub usec: u64,
    /// The message, kmsg's escapes (`\xNN`) left as they are.
    pub message: String,
}

/// Parses one record, `prio,seq,usec,flags[,...];message`; the dictionary lines that
/// follow it (starting with a space) are ignored. `None` for anything else.
pub fn parse_record(text: &str) -> Option<Record> {
    let first = text.lines().next()?;
    let (head, message) = first.split_once(';')?;
    let mut fields = head.split(',');
    let number = |f: Option<&str>| -> Option<u64> {
        let f = f?;
        (!f.is_empty() && f.len() <= 20 && f.bytes().all(|b| b.is_ascii_digit()))
            .then(|| f.parse().ok())
            .flatten()
    };
    let prio = u32::try_from(number(fields.next())?).ok()?;
    let seq = number(fields.next())?;
    let usec = number(fields.next())?;
    // The flags field ('-', or 'c' for a continuation on older kernels) must be
    // there; later kernels may add fields after it.
    fields.next()?;
    Some(Record {
        prio,
        seq: Some(seq),
        usec,
        message: message.trim_end_matches(['\n', '\r']).to_string(),
    })
}

/// Where the previous run stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub boot_id: String,
    /// The last record taken; `None` when none was (a boot whose log was empty), or
    /// when the log was read with syslog(2).
    pub seq: Option<u64>,
    /// The time of the last record taken, microseconds since boot.
    #[serde(default)]
    pub usec: Option<u64>,
    /// How many records logged in that microsecond were taken.
    #[serde(default)]
    pub same_usec: u32,
}

impl Cursor {
    /// Whether the record is past this cursor; `nth_at_usec` counts the records of
    /// the same microsecond met before it in this read.
    fn is_before(&self, record: &Record, nth_at_usec: u32) -> bool {
        if let (Some(after), Some(seq)) = (self.seq, record.seq) {
            return seq > after;
        }
        match self.usec {
            None => true,
            Some(u) => record.usec > u || (record.usec == u && nth_at_usec >= self.same_usec),
        }
    }
}

/// How much one run takes of records newer than the cursor.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_records: usize,
    /// Bytes of messages.
    pub max_bytes: usize,
}

impl Default for Limits {
    /// A burst of a few thousand driver messages between two runs is read in one
    /// run; a log flood is read over several, each bounded in time and memory.
    fn default() -> Limits {
        Limits {
            max_records: 20_000,
            max_bytes: 4 << 20,
        }
    }
}

/// The records newer than the cursor, and what the read found on the way.
#[derive(Debug, Default)]
pub struct Batch {
    pub records: Vec<Record>,
    /// No cursor was kept: the records are the whole log since boot.
    pub first_run: bool,
    /// The cursor was of another boot: the records are this boot's, from its start.
    pub rebooted: bool,
    /// Records overwritten in the ring buffer before this run could read them.
    pub lost: u64,
    /// Records that did not parse, skipped.
    pub malformed: usize,
    /// A limit or the deadline stopped the read: the next run goes on from here.
    pub more: bool,
    /// Where the next run starts; saved by [`commit`].
    pub cursor: Cursor,
}

/// Reads the records newer than the cursor kept under `purpose` (one per concern of
/// a check). Nothing is saved: call [`commit`] once the records are judged, so that
/// a run that fails afterwards leaves them to the next one.
pub fn read_since_last_run(
    ctx: &Context,
    purpose: &str,
    boot: &Boot,
    limits: Limits,
) -> Result<Batch> {
    let previous: Option<Cursor> = ctx.state()?.load(purpose)?;
    let after = match &previous {
        Some(c) if c.boot_id == boot.id => c.clone(),
        _ => Cursor {
            boot_id: boot.id.clone(),
            ..Cursor::default()
        },
    };
    let mut batch = Batch {
        first_run: previous.is_none(),
        rebooted: previous.as_ref().is_some_and(|c| c.boot_id != boot.id),
        cursor: after.clone(),
        ..Batch::default()
    };
    let path = ctx.host_path(PATH);
    ctx.waiting_for(format!("reading {}", path.display()));
    let mut taker = Taker {
        ctx,
        after,
        limits,
        bytes: 0,
        last_usec: None,
        nth_at_usec: 0,
        batch: &mut batch,
    };
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&path);
    let file = match opened {
        Ok(file) => file,
        // The device is there and refused: the device cgroup of a container that is
        // not privileged (EPERM), a nodev mount (EACCES), or dmesg_restrict without
        // CAP_SYSLOG. syslog(2) reads the same ring buffer past the first two.
        Err(e)
            if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES))
                && std::fs::metadata(&path).is_ok_and(|m| m.file_type().is_char_device()) =>
        {
            syslog::read(&mut taker)?;
            return Ok(batch);
        }
        Err(e) => return Err(Error::io(path.display(), &e)),
    };
    let kind = file
        .metadata()
        .map_err(|e| Error::io(path.display(), &e))?
        .file_type();
    if kind.is_char_device() {
        read_device(file, &mut taker).map_err(|e| Error::io(path.display(), &e))?;
    } else if kind.is_file() {
        read_file(file, &mut taker).map_err(|e| Error::io(path.display(), &e))?;
    } else {
        return Err(Error::unobserved(format!(
            "{}: not the kernel log (neither a device nor a file)",
            path.display()
        )));
    }
    Ok(batch)
}

/// Saves where the next run starts.
pub fn commit(ctx: &Context, purpose: &str, batch: &Batch) -> Result<()> {
    ctx.state()?.save(purpose, &batch.cursor)
}

/// Takes records past the cursor into the batch, within the limits and the deadline.
struct Taker<'a> {
    ctx: &'a Context,
    after: Cursor,
    limits: Limits,
    bytes: usize,
    /// The time of the last record met, and how many before it had the same.
    last_usec: Option<u64>,
    nth_at_usec: u32,
    batch: &'a mut Batch,
}

impl Taker<'_> {
    /// Offers one record's text; false when the read must stop.
    fn offer(&mut self, text: &str, seen: usize) -> bool {
        match parse_record(text) {
            Some(record) => self.take(record, seen),
            None => {
                self.batch.malformed += 1;
                true
            }
        }
    }

    /// Takes one record if it is past the cursor; false when the read must stop.
    fn take(&mut self, record: Record, seen: usize) -> bool {
        if seen % DEADLINE_EVERY == 0 && std::time::Instant::now() >= self.ctx.deadline() {
            self.batch.more = true;
            return false;
        }
        let nth = if self.last_usec == Some(record.usec) {
            self.nth_at_usec + 1
        } else {
            0
        };
        self.last_usec = Some(record.usec);
        self.nth_at_usec = nth;
        if !self.after.is_before(&record, nth) {
            return true;
        }
        if self.batch.records.len() >= self.limits.max_records
            || self.bytes + record.message.len() > self.limits.max_bytes
        {
            self.batch.more = true;
            return false;
        }
        let expected = match self.batch.records.last() {
            Some(last) => last.seq.map(|s| s + 1),
            None => self.after.seq.map(|a| a + 1),
        };
        if let (Some(expected), Some(seq)) = (expected, record.seq) {
            self.batch.lost += seq.saturating_sub(expected);
        }
        self.bytes += record.message.len();
        let cursor = &mut self.batch.cursor;
        cursor.seq = record.seq;
        cursor.usec = Some(record.usec);
        cursor.same_usec = nth + 1;
        self.batch.records.push(record);
        true
    }
}

/// The device: one record per read, from the oldest the ring buffer holds.
fn read_device(mut file: File, taker: &mut Taker) -> io::Result<()> {
    let mut buf = vec![0u8; RECORD_BUF];
    let mut seen = 0usize;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                seen += 1;
                let text = String::from_utf8_lossy(&buf[..n]);
                if !taker.offer(&text, seen) {
                    return Ok(());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Overwritten while we read: the next read returns the oldest record left;
            // the gap in sequence numbers counts what was lost.
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => {}
            Err(e) => return Err(e),
        }
    }
}

/// A file of records one per line (dictionary lines starting with a space), read up
/// to the bytes a ring buffer can hold.
fn read_file(file: File, taker: &mut Taker) -> io::Result<()> {
    let mut bytes = Vec::new();
    file.take(32 << 20).read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut seen = 0usize;
    for line in text.lines() {
        if line.starts_with(' ') || line.is_empty() {
            continue;
        }
        seen += 1;
        if !taker.offer(line, seen) {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_parse_with_and_without_a_dictionary() {
        let r = parse_record("4,1523,86243118,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1\n").unwrap();
        assert_eq!((r.prio, r.seq, r.usec), (4, Some(1523), 86_243_118));
        assert_eq!(r.message, "NVRM: Xid (PCI:0000:3b:00): 79, pid=1");
        let r = parse_record("6,7,100,-,caller=T1;usb 1-1: new device\n SUBSYSTEM=usb\n").unwrap();
        assert_eq!(
            (r.seq, r.message.as_str()),
            (Some(7), "usb 1-1: new device")
        );
        assert_eq!(parse_record("12,3,4,c;").unwrap().message, "");
        for bad in [
            "",
            "garbage",
            "4,x,1,-;m",
            "4,1,2;m",
            "-1,2,3,-;m",
            ";m",
            " SUBSYSTEM=pci",
        ] {
            assert!(parse_record(bad).is_none(), "{bad:?}");
        }
    }
}
